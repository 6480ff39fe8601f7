"""Where the dbt project is and how dbt is invoked: paths, environment, executable, manifest.

dbt reads GroupLake's settings through environment variables (``profiles.yml`` and the
source definitions use ``env_var``), so the CLI, Dagster and the docs command all run the
same project the same way: :func:`dbt_env` is the one mapping from settings to dbt.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from infra.settings import Settings

#: dbt project files whose change invalidates the parsed manifest.
_PROJECT_GLOBS = ("dbt_project.yml", "profiles.yml", "models/**/*", "macros/**/*", "tests/**/*",
                  "analyses/**/*", "seeds/**/*", "snapshots/**/*")
_STAMP = ".grouplake_manifest.sha256"


def project_dir(settings: Settings) -> Path:
    """The dbt project folder (``settings.dbt.project_dir``)."""
    return Path(settings.dbt.project_dir)


def manifest_path(settings: Settings) -> Path:
    """The parsed manifest Dagster builds the dbt assets from (``<project>/target``)."""
    return project_dir(settings) / "target" / "manifest.json"


def target_path(settings: Settings) -> Path:
    """Run artifacts of this GroupLake home (``<home>/dbt/target``): runs of different homes
    (the lead's demo, a test's tmp home) never share run_results or partial parse state."""
    return Path(settings.dbt.duckdb_path).parent / "target"


def dbt_executable() -> str:
    """The ``dbt`` of this interpreter's environment (works without an activated venv)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_env(settings: Settings) -> dict[str, str]:
    """Environment variables the project reads (see ``dbt_project/profiles.yml``).

    Example:
        >>> from infra.settings import get_settings
        >>> dbt_env(get_settings())["GROUPLAKE_GROUP_CURRENCY"]  # doctest: +SKIP
        'CNY'
    """
    root = settings.lake.root
    if settings.lake.is_local:
        root = str(Path(root.removeprefix("file://")).absolute())
    return {
        "GROUPLAKE_LAKE_ROOT": root,
        "GROUPLAKE_DBT_DUCKDB_PATH": str(Path(settings.dbt.duckdb_path).absolute()),
        "GROUPLAKE_DBT_TARGET": settings.dbt.target,
        "GROUPLAKE_DBT_THREADS": str(settings.dbt.threads),
        "GROUPLAKE_GROUP_CURRENCY": settings.group_currency,
        "GROUPLAKE_AS_OF_DATE": settings.dbt.as_of_date.isoformat() if settings.dbt.as_of_date else "",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def export_dbt_env(settings: Settings) -> dict[str, str]:
    """Put :func:`dbt_env` into ``os.environ`` (dagster-dbt passes the process environment on)
    and create the folder of dbt's DuckDB file; returns what was set."""
    env = dbt_env(settings)
    os.environ.update(env)
    Path(settings.dbt.duckdb_path).parent.mkdir(parents=True, exist_ok=True)
    return env


def project_fingerprint(settings: Settings) -> str:
    """SHA-256 over the project's files and the dbt version: the manifest's freshness key."""
    from dbt.version import __version__ as dbt_version

    root = project_dir(settings)
    digest = hashlib.sha256(dbt_version.encode())
    files = sorted({p for pattern in _PROJECT_GLOBS for p in root.glob(pattern) if p.is_file()})
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def manifest_is_current(settings: Settings) -> bool:
    """Whether ``target/manifest.json`` was parsed from the project as it is now."""
    stamp = manifest_path(settings).parent / _STAMP
    return (
        manifest_path(settings).exists()
        and stamp.exists()
        and stamp.read_text().strip() == project_fingerprint(settings)
    )


def parse_manifest(settings: Settings, *, force: bool = False) -> Path:
    """Run ``dbt parse`` when the project changed since the last parse; return the manifest.

    Idempotent and quick when up to date (a hash of the project files).

    Raises:
        RuntimeError: ``dbt parse`` failed (its output is in the message).
    """
    manifest = manifest_path(settings)
    if not force and manifest_is_current(settings):
        return manifest
    root = project_dir(settings)
    env = {**os.environ, **dbt_env(settings), "DBT_TARGET_PATH": str(manifest.parent),
           "DBT_LOG_PATH": str(manifest.parent)}
    done = subprocess.run(
        [dbt_executable(), "parse", "--project-dir", str(root), "--profiles-dir", str(root),
         "--quiet"],
        cwd=root, env=env, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{done.stdout}\n{done.stderr}")
    (manifest.parent / _STAMP).write_text(project_fingerprint(settings))
    return manifest
