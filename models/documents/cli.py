"""``grouplake documents …``: read qualification documents offline.

``grouplake documents read FILE`` prints one JSON object — ``document_type``, ``fields``
(each ``{"value", "confidence"}``) and ``checks`` — for a business-licence image (PNG/JPEG)
or PDF (first page). Exit codes: 0 read (whatever the checks say); 2 missing, empty, too
large or undecodable file. ``grouplake documents sample OUT`` writes a generated licence
(seeded, with noise) to try it on. Heavy imports stay inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

documents_app = typer.Typer(
    help="Documents: read business licences (营业执照) by offline OCR.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@documents_app.callback()
def _documents() -> None:
    """Documents: read business licences (营业执照) by offline OCR."""


@documents_app.command("read")
def read_command(
    file: Annotated[Path, typer.Argument(help="licence image (PNG/JPEG) or PDF")],
) -> None:
    """OCR FILE and print its fields and checks as one JSON object."""
    import json

    from models.documents.reader import DocumentError, read_document

    try:
        result = read_document(file)
    except DocumentError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(result, ensure_ascii=False))


@documents_app.command("sample")
def sample_command(
    out: Annotated[Path, typer.Argument(help="where to write the licence (.jpg, .png or .pdf)")],
    seed: Annotated[int, typer.Option(help="generator seed")] = 1,
) -> None:
    """Write a generated licence (known fields printed to stdout as JSON)."""
    import json

    from models.documents.synthetic import licence_pdf, make_licence

    suffix = out.suffix.lower()
    licence = make_licence(seed, quality=0 if suffix == ".png" else None)
    out.write_bytes(licence_pdf(licence) if suffix == ".pdf" else licence.image)
    typer.echo(json.dumps(licence.truth, ensure_ascii=False))
