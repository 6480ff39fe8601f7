"""``grouplake docs``: generate the dbt docs of the governed models and serve them.

``dbt docs generate`` documents the models as this home's last build left them in dbt's
DuckDB file (catalog with real columns and row counts, no recompilation), into
``<home>/dbt/docs`` (``index.html`` with ``manifest.json`` and ``catalog.json`` beside it, and
``static_index.html``, one file that opens without a server); before any build it compiles the project (models whose bronze table is
not ingested yet are left out, as in the build). ``dbt docs
serve`` then serves it on the given port, or the first free one from 8080, until Ctrl-C.
Run it when no ``grouplake run`` is writing dbt's file (DuckDB allows one writer).
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import typer

DEFAULT_PORT = 8080


def free_port(host: str, start: int = DEFAULT_PORT, attempts: int = 50) -> int:
    """The first port from ``start`` nobody listens on."""
    for port in range(start, start + attempts):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {start}..{start + attempts - 1} on {host}")


def docs_target(home: Path) -> Path:
    """Where the generated docs (manifest, catalog, index.html) go."""
    return Path(home) / "dbt" / "docs"


def generate_docs(settings) -> Path:
    """Run ``dbt docs generate``; return the folder holding ``index.html``.

    Raises:
        RuntimeError: dbt failed (its output is in the message).
    """
    import json
    import os
    import shutil

    from dbt_project.runner import (
        dbt_executable,
        export_dbt_env,
        parse_manifest,
        project_dir,
        target_path,
    )
    from lake.storage import LakeStorage
    from orchestration.dbt.assets import build_args, missing_sources

    export_dbt_env(settings)
    target = docs_target(settings.home)
    target.mkdir(parents=True, exist_ok=True)
    root = project_dir(settings)
    built = Path(settings.dbt.duckdb_path).exists()
    if built:
        # the models are built: document them as they are, without recompiling (no bronze
        # table is reloaded); reuse the build's parse state
        state = target_path(settings) / "partial_parse.msgpack"
        if state.exists():
            shutil.copy(state, target / "partial_parse.msgpack")
        # --no-compile reuses the build's manifest (it must be in the target before dbt runs:
        # --static embeds it) and writes no new one; index.html needs it beside the catalog
        built_manifest = target_path(settings) / "manifest.json"
        shutil.copy(built_manifest if built_manifest.exists() else parse_manifest(settings),
                    target / "manifest.json")
        extra = ["--no-compile"]
    else:
        manifest = json.loads(parse_manifest(settings).read_text())
        extra = build_args(missing_sources(manifest, LakeStorage.from_settings(settings)))[1:]
    env = {**os.environ, "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)}
    done = subprocess.run(
        [dbt_executable(), "docs", "generate", "--project-dir", str(root), "--profiles-dir", str(root),
         "--static", *extra],
        cwd=root, env=env, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"dbt docs generate failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")
    return target


def docs(
    port: int = typer.Option(0, "--port", "-p", help=f"port to serve on (0: first free from {DEFAULT_PORT})"),
    host: str = typer.Option("127.0.0.1", "--host", help="interface to bind"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="serve after generating"),
) -> None:
    """Generate the dbt docs of the governed models and serve them (Ctrl-C stops)."""
    import os

    from rich.console import Console

    from dbt_project.runner import dbt_executable, project_dir
    from infra.settings import get_settings

    console = Console(stderr=True)
    settings = get_settings()
    console.print("[bold]dbt docs generate[/bold] …")
    try:
        target = generate_docs(settings)
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"docs generated in {target}")
    if not serve:
        return
    port = port or free_port(host)
    root = project_dir(settings)
    console.print(f"serving the dbt docs on [bold]http://{host}:{port}[/bold] (Ctrl-C stops)")
    env = {**os.environ, "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)}
    try:
        subprocess.run(
            [dbt_executable(), "docs", "serve", "--project-dir", str(root), "--profiles-dir", str(root),
             "--host", host, "--port", str(port), "--no-browser"],
            cwd=root, env=env, check=False,
        )
    except KeyboardInterrupt:
        pass
