"""Shared helpers for ERP ingest tests: build a demo ERP, ingest it, read tables back."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from infra.settings import Settings, isolated_settings
from lake.quarantine import QUARANTINE_PATH
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.tables import open_table, read_table
from pipelines.ingest import IngestReport, ingest_entity
from pipelines.sources.erp.extract import ErpExtractor, create_source_engine
from pipelines.sources.erp.specs import erp_specs
from pipelines.sources.erp.tables import metadata

SCALE = 0.05
SEED = 11
INGEST_DIRTY_KINDS = {"bad_number", "broken_encoding", "null_required"}


def make_settings(home: Path, **overrides: object) -> Settings:
    """Settings rooted at ``home`` regardless of the caller's environment."""
    return isolated_settings(home, **overrides)


def generate(settings: Settings, scale: float = SCALE, seed: int = SEED):
    from demo import generate_demo_group

    return generate_demo_group(settings, scale=scale, seed=seed, force=True)


def ingest_all(settings: Settings, lake: LakeStorage | None = None, batch_rows: int = 100_000) -> dict[str, IngestReport]:
    """Ingest every ERP table of ``settings``' ERP into ``lake``."""
    lake = lake or LakeStorage.from_settings(settings)
    engine = create_source_engine(settings.erp.database_url)
    extractor = ErpExtractor(engine, metadata, batch_rows=batch_rows)
    try:
        return {spec.entity: ingest_entity(lake, spec, extractor) for spec in erp_specs()}
    finally:
        engine.dispose()


def dirty_truth(settings: Settings) -> list[dict[str, str]]:
    path = Path(settings.demo.dir) / "ground_truth" / "dirty_rows.csv"
    with path.open(encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["system"] == "erp"]


def table_rows(lake: LakeStorage, spec: EntitySpec) -> list[dict]:
    """Rows of a bronze table without ``_ingested_at``, sorted by key."""
    t = read_table(lake, spec.relative_path).drop_columns(["_ingested_at"])
    return sorted(t.to_pylist(), key=lambda r: tuple(str(r[k]) for k in spec.key))


def quarantine_rows(lake: LakeStorage) -> list[dict]:
    if open_table(lake, QUARANTINE_PATH) is None:
        return []
    t = read_table(lake, QUARANTINE_PATH).drop_columns(["quarantined_at"])
    return sorted(t.to_pylist(), key=lambda r: r["quarantine_id"])


def versions(lake: LakeStorage) -> dict[str, int | None]:
    out = {}
    for spec in erp_specs():
        table = open_table(lake, spec.relative_path)
        out[spec.entity] = None if table is None else table.version()
    return out


def as_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows)
