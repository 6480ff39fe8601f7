"""A small demo group shared by the CRM, WMS and IoT connector tests (generated once per process).

Tests that consume drops (files move to the archive) or advance the group work on a copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infra.settings import Settings, isolated_settings
from lake.quarantine import QUARANTINE_PATH
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.tables import open_table, read_table

SCALE = 0.05
SEED = 42
_generated: dict[str, Path] = {}


def make_settings(home: Path, **overrides: object) -> Settings:
    """Settings rooted at ``home`` regardless of the caller's environment and .env file."""
    return isolated_settings(home, **overrides)


def demo_home(factory: pytest.TempPathFactory) -> Path:
    """The shared demo group's home (read-only for tests)."""
    if "home" not in _generated:
        from demo import generate_demo_group

        home = factory.mktemp("sources-demo") / "home"
        generate_demo_group(make_settings(home), scale=SCALE, seed=SEED)
        _generated["home"] = home
    return _generated["home"]


def demo_copy(factory: pytest.TempPathFactory, target: Path, **overrides: object) -> Settings:
    """Settings of a private copy of the shared demo group under ``target``."""
    home = target / "home"
    shutil.copytree(demo_home(factory), home, copy_function=shutil.copy2)
    return make_settings(home, **overrides)


def rows(lake: LakeStorage, spec: EntitySpec, drop: tuple[str, ...] = ("_ingested_at",)) -> list[dict]:
    """A bronze table's rows without ``drop`` columns, sorted by key."""
    table = read_table(lake, spec.relative_path).drop_columns(list(drop))
    return sorted(table.to_pylist(), key=lambda r: tuple(str(r[k]) for k in spec.key))


def quarantine(lake: LakeStorage, source: str | None = None) -> list[dict]:
    """Quarantine rows (of ``source``), without the time column, sorted by id."""
    if open_table(lake, QUARANTINE_PATH) is None:
        return []
    table = read_table(lake, QUARANTINE_PATH).drop_columns(["quarantined_at"])
    out = [r for r in table.to_pylist() if source is None or r["source"] == source]
    return sorted(out, key=lambda r: r["quarantine_id"])


def version(lake: LakeStorage, spec: EntitySpec) -> int | None:
    table = open_table(lake, spec.relative_path)
    return None if table is None else table.version()
