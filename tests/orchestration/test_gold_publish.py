"""The gold publication component: one Delta commit per change, and the gate that keeps the
previous version when a blocking check on the mart failed (or never ran on its latest build)."""

from __future__ import annotations

import dagster as dg
import duckdb
import pyarrow as pa
import pytest

from dbt_project.marts import MartSpec, read_mart
from lake.publish import CONTENT_HASH_KEY, content_hash, overwrite_table, published_hash
from lake.storage import LakeStorage
from lake.tables import open_table, read_table
from orchestration.gold.publish import publish_mart

SPEC = MartSpec("toy_mart", order_by=("customer_id",), description="A toy mart.",
                columns=(("customer_id", "varchar"), ("amount", "decimal(18,4)")))


def _write_mart(path: str, rows: list[tuple[str, str]]) -> None:
    with duckdb.connect(path) as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.toy_mart (customer_id varchar, amount decimal(18,4))")
        con.executemany("insert into marts.toy_mart values (?, ?)", rows)


def _graph(settings, rows: list[tuple[str, str]], check_passes: bool):
    @dg.asset(key=["dbt", "toy_mart"])
    def toy_model() -> None:
        _write_mart(settings.dbt.duckdb_path, rows)

    @dg.asset_check(asset=dg.AssetKey(["dbt", "toy_mart"]), name="amount_positive", blocking=True)
    def toy_check() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=check_passes, metadata={"unexpected": "C2: -5"})

    return toy_model, toy_check, publish_mart(SPEC)


def test_read_and_hash_are_ordered_and_deterministic(settings):
    from pathlib import Path

    Path(settings.dbt.duckdb_path).parent.mkdir(parents=True)
    _write_mart(settings.dbt.duckdb_path, [("b", "2.5"), ("a", "1")])
    table = read_mart(settings.dbt.duckdb_path, SPEC)
    assert table.column("customer_id").to_pylist() == ["a", "b"]
    assert table.schema.field("amount").type == pa.decimal128(18, 4)
    assert content_hash(table) == content_hash(read_mart(settings.dbt.duckdb_path, SPEC))


def test_write_gold_overwrites_in_one_commit_with_its_hash(settings):
    storage = LakeStorage.from_settings(settings)
    first = pa.table({"customer_id": ["a"], "amount": pa.array([1], pa.int64())})
    second = pa.table({"customer_id": ["a", "b"], "amount": pa.array([1, 2], pa.int64())})
    path = SPEC.relative_path
    assert overwrite_table(storage, path, first, name=SPEC.sql_name, metadata={CONTENT_HASH_KEY: "h1"}) == 0
    assert overwrite_table(storage, path, second, name=SPEC.sql_name, metadata={CONTENT_HASH_KEY: "h2"}) == 1
    assert published_hash(storage, path) == ("h2", 1)
    assert read_table(storage, "gold/toy_mart").num_rows == 2


def test_a_mart_is_published_then_kept_when_its_blocking_check_fails(settings):
    from pathlib import Path

    Path(settings.dbt.duckdb_path).parent.mkdir(parents=True)
    storage = LakeStorage.from_settings(settings)
    instance = dg.DagsterInstance.ephemeral()

    good = dg.materialize(list(_graph(settings, [("C1", "10")], True)), instance=instance)
    assert good.success
    assert open_table(storage, "gold/toy_mart").version() == 0

    unchanged = dg.materialize(list(_graph(settings, [("C1", "10")], True)), instance=instance)
    assert unchanged.success and open_table(storage, "gold/toy_mart").version() == 0  # no new version

    model, check, gold = _graph(settings, [("C1", "10"), ("C2", "-5")], False)
    bad = dg.materialize([model, check, gold], instance=instance, raise_on_error=False)
    assert not bad.success
    started = {e.step_key for e in bad.all_events if e.event_type_value == "STEP_START"}
    assert started == {"dbt__toy_mart", "dbt__toy_mart_amount_positive"}  # gold never ran
    assert open_table(storage, "gold/toy_mart").version() == 0
    assert read_table(storage, "gold/toy_mart").column("customer_id").to_pylist() == ["C1"]

    # publishing the gold asset alone is refused by the gate, with the reason
    with pytest.raises(dg.Failure) as refused:
        dg.materialize([model, check, gold], instance=instance, selection=[gold])
    message = refused.value.description
    assert "gold.toy_mart not published (version 0 kept)" in message
    assert "amount_positive: FAILED" in message and "C2: -5" in message
    assert open_table(storage, "gold/toy_mart").version() == 0


def test_the_gate_refuses_a_build_its_checks_have_not_seen(settings):
    from pathlib import Path

    Path(settings.dbt.duckdb_path).parent.mkdir(parents=True)
    instance = dg.DagsterInstance.ephemeral()
    model, check, gold = _graph(settings, [("C1", "10")], True)
    dg.materialize([model, check, gold], instance=instance)
    dg.materialize([model, check, gold], instance=instance,
                   selection=dg.AssetSelection.assets(model).without_checks())  # rebuilt, not checked
    with pytest.raises(dg.Failure, match="not evaluated since the latest build"):
        dg.materialize([model, check, gold], instance=instance, selection=[gold])
