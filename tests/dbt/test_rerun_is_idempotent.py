"""``grouplake run`` a second time on the demo lake changes no bronze table: the same row
counts and no new Delta version of any bronze table (the quarantine included)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def _bronze_state(settings) -> dict[str, tuple[int, int]]:
    """(Delta version, row count) of every bronze table."""
    from lake.sql import discover_tables
    from lake.storage import LakeStorage
    from lake.tables import dataset, open_table

    storage = LakeStorage.from_settings(settings)
    state = {}
    for table in discover_tables(storage):
        if table.layer == "bronze":
            delta = open_table(storage, table.relative_path)
            state[table.sql_name] = (delta.version(), dataset(delta).count_rows())
    return state


def test_a_second_whole_graph_run_writes_no_bronze_version(demo_lake):
    before = _bronze_state(demo_lake.settings)
    assert len(before) >= 30 and "bronze.quarantine" in before
    assert all(rows > 0 for _, rows in before.values())

    outcome = demo_lake.run(None)

    assert outcome.success, (outcome.ledger.step_failures, outcome.ledger.failed_checks)
    assert _bronze_state(demo_lake.settings) == before
