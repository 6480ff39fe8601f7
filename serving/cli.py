"""``grouplake serving …``: serve the API, build a snapshot by hand, mint a token, show state.

Heavy imports happen inside the commands (``grouplake --help`` stays fast).
"""

from __future__ import annotations

from typing import Annotated

import typer

serving_app = typer.Typer(
    name="serving",
    help="The serving API: snapshot of the gold marts, server, tokens.",
    no_args_is_help=True,
)


@serving_app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="default: SERVICES__HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default: SERVICES__SERVING_PORT")] = None,
    workers: Annotated[int | None, typer.Option(help="default: SERVING__WORKERS")] = None,
) -> None:
    """Serve the API with uvicorn (reads the current snapshot; never writes)."""
    import uvicorn

    from infra.settings import get_settings

    settings = get_settings()
    settings.require_secrets()
    uvicorn.run(
        "serving.main:create_app", factory=True,
        host=host or settings.services.host,
        port=port or settings.services.serving_port,
        workers=workers or settings.serving.workers,
        log_level="info", access_log=False,
    )


@serving_app.command("snapshot")
def snapshot(
    force: Annotated[bool, typer.Option(help="build even if gold is unchanged")] = False,
) -> None:
    """Build a serving snapshot from the gold tables now (the Dagster asset does this after
    every publication) and make it current."""
    import json
    from pathlib import Path

    from infra.settings import get_settings
    from serving.examples import write_examples
    from serving.snapshot.build import build_from_settings
    from serving.snapshot.catalog import served_marts
    from serving.snapshot.docs import column_docs

    settings = get_settings()
    manifest_file = Path(settings.dbt.project_dir) / "target" / "manifest.json"
    manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else {}
    result = build_from_settings(settings, column_docs=column_docs(manifest, served_marts()),
                                 force=force)
    info = result.info
    state = "built" if result.built else "unchanged, kept"
    typer.echo(f"snapshot {info.snapshot_id} {state}: {len(info.sources)} tables")
    for mart, source in sorted(info.sources.items()):
        typer.echo(f"  gold.{mart}: version {source['version']}, {source['rows']} rows")
    if result.missing:
        typer.echo(f"  not published yet: {', '.join(result.missing)}")
    write_examples(settings, Path(settings.serving.snapshot_dir) / info.file)


@serving_app.command("status")
def status() -> None:
    """Show the current snapshot and the files in the snapshot directory."""
    from pathlib import Path

    from infra.settings import get_settings
    from serving.snapshot.pointer import read_pointer

    directory = Path(get_settings().serving.snapshot_dir)
    info = read_pointer(directory)
    if info is None:
        typer.echo(f"no snapshot in {directory}")
        raise typer.Exit(1)
    typer.echo(f"current: {info.snapshot_id} (built {info.built_at}, {info.build_seconds}s)")
    for path in sorted(directory.glob("snapshot-*")):
        typer.echo(f"  {path.name}  {path.stat().st_size / 1e6:.1f} MB"
                   + ("  <- current" if path.name == info.file else ""))


@serving_app.command("token")
def token(
    role: Annotated[str, typer.Option(help="buyer, supplier, procurement, finance or admin")],
    business_unit: Annotated[str | None, typer.Option(help="unit code; omit for group-wide")] = None,
    supplier_id: Annotated[str | None, typer.Option(help="platform supplier id (role supplier)")] = None,
    sub: Annotated[str | None, typer.Option(help="token subject; default serving-cli:<role>")] = None,
    minutes: Annotated[int | None, typer.Option(help="lifetime; default AUTH__TOKEN_TTL_MINUTES")] = None,
) -> None:
    """Print a signed token (the transactional API's kind) for trying the API locally."""
    import datetime as dt

    from infra.settings import get_settings
    from infra.tokens import issue_token

    settings = get_settings()
    if not settings.is_dev:
        typer.secho("tokens are minted here only with ENV=local|ci; log in on the transactional "
                    "API instead", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    try:
        ttl = dt.timedelta(minutes=minutes) if minutes else None
        typer.echo(issue_token(sub or f"serving-cli:{role}", role, business_unit, supplier_id, ttl,
                               settings=settings))
    except ValueError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    """Add ``grouplake serving …`` to the root app."""
    app.add_typer(serving_app, name="serving")
