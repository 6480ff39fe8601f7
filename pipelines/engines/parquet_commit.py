"""Commit Parquet files written by another engine into a Delta table, atomically, with delta-rs.

Spark cannot load the Delta-Spark jars here, so it writes plain Parquet and this module turns
those files into one Delta transaction:

1. the writer puts its files in a hidden staging folder of the table
   (``<table>/_grouplake_staging/<token>/``), which Delta readers and ``vacuum`` ignore;
2. :func:`publish_staged` records a *pending manifest* (the final file names and the
   batch's transaction app ids), then moves the files to the table folder;
3. :func:`commit_files` commits them as ``AddAction`` s with real statistics read from each
   Parquet footer, under the batches' transaction app ids, in one Delta version
   (``create_table_with_add_actions`` for a new table, ``create_write_transaction`` else);
4. :func:`finish` drops the manifest and the staging folder.

A crash before step 3 leaves files that are in no Delta log, so no reader sees them;
:func:`clean_uncommitted` deletes them on the next run (a manifest whose app ids never made it
into the log), after a grace period that protects a concurrent attempt still in flight.
This module needs no Spark: any engine that writes Parquet can land through it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, Schema, Transaction
from deltalake.transaction import AddAction, create_table_with_add_actions

from lake.filestats import STATS_STRING_PREFIX, file_stats, stat_value  # noqa: F401 (re-exported)

STAGING_DIR = "_grouplake_staging"
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


@dataclass(frozen=True)
class Staging:
    """One write attempt's staging folder.

    Attributes:
        table_path: local folder of the Delta table.
        token: unique id of the attempt.
    """

    table_path: Path
    token: str

    @property
    def folder(self) -> Path:
        return self.table_path / STAGING_DIR / self.token

    @property
    def manifest(self) -> Path:
        return self.table_path / STAGING_DIR / f"{self.token}.pending.json"

    def part(self, name: str) -> Path:
        """A sub-folder of the staging folder (``inserts``, ``updates`` …)."""
        return self.folder / name


def new_staging(table_path: str | Path) -> Staging:
    """Reserve a fresh staging folder below ``table_path`` (created, empty)."""
    token = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}"
    staging = Staging(Path(table_path), token)
    staging.folder.mkdir(parents=True, exist_ok=False)
    return staging


def parquet_files(folder: Path) -> list[Path]:
    """Data files below ``folder`` (hidden and checksum files excluded), sorted."""
    if not folder.exists():
        return []
    return sorted(
        p for p in folder.rglob("*.parquet")
        if not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
    )


def publish_staged(staging: Staging, part: str, app_ids: Sequence[str]) -> list[str]:
    """Move the Parquet files of ``staging.part(part)`` into the table folder.

    The manifest is written first, so a crash after any move leaves a record of what to
    clean. Partition sub-folders (``col=value/``) are kept.

    Returns:
        The files' paths relative to the table folder (what the ``AddAction`` s name).
    """
    source = staging.part(part)
    files = parquet_files(source)
    relative = [str(p.relative_to(source)) for p in files]
    staging.manifest.write_text(json.dumps({"files": relative, "app_ids": list(app_ids)}))
    for src, rel in zip(files, relative, strict=True):
        target = staging.table_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, target)
    return relative


def finish(staging: Staging) -> None:
    """Forget a finished attempt: remove its manifest and staging folder."""
    staging.manifest.unlink(missing_ok=True)
    shutil.rmtree(staging.folder, ignore_errors=True)
    _remove_if_empty(staging.table_path / STAGING_DIR)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass  # absent, or another attempt is staging there


def abandon(staging: Staging, published: Sequence[str]) -> None:
    """Undo an attempt whose commit failed: delete its published files and its staging."""
    for rel in published:
        (staging.table_path / rel).unlink(missing_ok=True)
    finish(staging)


def clean_uncommitted(table_path: str | Path, older_than_s: float = 3600.0) -> list[str]:
    """Delete what crashed attempts left behind; return the deleted paths (relative).

    A pending manifest whose transaction app ids are all in the Delta log belongs to an
    attempt that committed and only missed its clean-up: its files stay. Otherwise its
    files were never committed and are deleted. Staging folders are deleted too. Only
    leftovers older than ``older_than_s`` are touched (a concurrent attempt may be live).
    """
    root = Path(table_path)
    staging_root = root / STAGING_DIR
    if not staging_root.exists():
        return []
    cutoff = time.time() - older_than_s
    deleted: list[str] = []
    table = DeltaTable(str(root)) if DeltaTable.is_deltatable(str(root)) else None
    for manifest in sorted(staging_root.glob("*.pending.json")):
        if manifest.stat().st_mtime > cutoff:
            continue
        payload = json.loads(manifest.read_text())
        committed = table is not None and all(
            table.transaction_version(app_id) is not None for app_id in payload["app_ids"]
        )
        if not committed:
            for rel in payload["files"]:
                path = root / rel
                if path.exists():
                    path.unlink()
                    deleted.append(rel)
        manifest.unlink()
    for folder in sorted(p for p in staging_root.iterdir() if p.is_dir()):
        if folder.stat().st_mtime <= cutoff and not (staging_root / f"{folder.name}.pending.json").exists():
            deleted.extend(str(p.relative_to(root)) for p in parquet_files(folder))
            shutil.rmtree(folder, ignore_errors=True)
    _remove_if_empty(staging_root)
    return deleted


# -- statistics ---------------------------------------------------------------------------


def partition_values(relative: str, partition_by: Sequence[str]) -> dict[str, str | None]:
    """Partition values of a file from its Hive-style folders (``col=value/``)."""
    if not partition_by:
        return {}
    found: dict[str, str | None] = {}
    for part in Path(relative).parts[:-1]:
        name, sep, value = part.partition("=")
        if sep and name in partition_by:
            value = unquote(value)
            found[name] = None if value == HIVE_NULL else value
    missing = [c for c in partition_by if c not in found]
    if missing:
        raise ValueError(f"{relative}: no folder for partition column(s) {missing}")
    return {c: found[c] for c in partition_by}


def add_actions(
    table_path: str | Path, relative: Sequence[str], schema: pa.Schema, partition_by: Sequence[str] = ()
) -> list[AddAction]:
    """One ``AddAction`` per file (size, mtime, partition values, footer statistics)."""
    actions = []
    for rel in relative:
        path = Path(table_path) / rel
        info = path.stat()
        _, stats = file_stats(path, schema)
        actions.append(
            AddAction(
                path=rel,
                size=info.st_size,
                partition_values=partition_values(rel, partition_by),
                modification_time=int(info.st_mtime * 1000),
                data_change=True,
                stats=stats,
            )
        )
    return actions


def commit_files(
    table_uri: str,
    schema: pa.Schema,
    actions: Sequence[AddAction],
    app_ids: Sequence[str],
    *,
    partition_by: Sequence[str] = (),
    name: str | None = None,
    description: str | None = None,
    custom_metadata: Mapping[str, Any] | None = None,
    storage_options: dict[str, str] | None = None,
) -> int:
    """Commit ``actions`` as one Delta transaction recording ``app_ids``; return its version.

    A table that does not exist yet is created by this same commit (with the embedded
    writer's configuration, ``delta.appendOnly=false``).
    """
    commit = CommitProperties(
        app_transactions=[Transaction(app_id, 1) for app_id in app_ids],
        custom_metadata=dict(custom_metadata or {}),
    )
    if not DeltaTable.is_deltatable(table_uri, storage_options=storage_options):
        create_table_with_add_actions(
            table_uri,
            Schema.from_arrow(schema),
            list(actions),
            mode="error",
            partition_by=list(partition_by) or None,
            name=name,
            description=description,
            configuration={"delta.appendOnly": "false"},
            storage_options=storage_options,
            commit_properties=commit,
        )
    else:
        table = DeltaTable(table_uri, storage_options=storage_options)
        table.create_write_transaction(
            list(actions),
            mode="append",
            schema=table.schema(),
            partition_by=list(partition_by) or None,
            commit_properties=commit,
        )
    return DeltaTable(table_uri, storage_options=storage_options).version()
