"""``grouplake documents …``: read qualification documents offline.

``grouplake documents read FILE`` prints one JSON object — ``document_type``
(``business_licence``, ``bank_account_certificate`` or ``iso_certificate``, detected from the
page), ``fields`` (each ``{"value", "confidence"}``) and ``checks`` — for an image (PNG/JPEG)
or PDF (first page). Exit codes: 0 read (whatever the checks say); 2 missing, empty, too
large or undecodable file. ``grouplake documents sample OUT [--type T]`` writes a generated
document (seeded, with noise) to try it on. Heavy imports stay inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

documents_app = typer.Typer(
    help="Documents: read business licences, bank account and ISO certificates by offline OCR.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@documents_app.callback()
def _documents() -> None:
    """Documents: read business licences, bank account and ISO certificates by offline OCR."""


@documents_app.command("read")
def read_command(
    file: Annotated[Path, typer.Argument(help="document image (PNG/JPEG) or PDF")],
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
    out: Annotated[Path, typer.Argument(help="where to write the document (.jpg, .png or .pdf)")],
    seed: Annotated[int, typer.Option(help="generator seed")] = 1,
    document_type: Annotated[str, typer.Option(
        "--type", help="business_licence, bank_account_certificate or iso_certificate")]
    = "business_licence",
) -> None:
    """Write a generated document (known fields printed to stdout as JSON)."""
    import json

    from models.documents.synthetic import licence_pdf, make_licence
    from models.documents.synthetic_certificates import make_certificate

    suffix = out.suffix.lower()
    quality = 0 if suffix == ".png" else None
    if document_type == "business_licence":
        document = make_licence(seed, quality=quality)
    else:
        try:
            document = make_certificate(seed, document_type, quality=quality)
        except ValueError as exc:
            typer.echo(f"error: --type: {exc}", err=True)
            raise typer.Exit(2) from None
    out.write_bytes(licence_pdf(document) if suffix == ".pdf" else document.image)
    typer.echo(json.dumps(document.truth, ensure_ascii=False))
