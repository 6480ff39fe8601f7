"""Failure isolation (#25): a failing check on one bronze table leaves out only what reads it.

A hand-made graph: two bronze tables, a failing isolating check on the WMS one, a toy
"dbt" step choosing its models with the same functions the real dbt step uses (from a toy
manifest), and the real gold publication of both marts. The customer mart publishes; the
stock mart keeps its previous version and the gate says why.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dbt_project.marts import MartSpec
from expectations.suites import ALL_SUITES
from lake.storage import LakeStorage
from lake.tables import open_table, read_table
from orchestration.bronze import bronze_check_specs
from orchestration.dbt.assets import build_args, failing_sources, source_keys
from orchestration.gold.publish import publish_mart
from orchestration.quality.checks import check_name, suite_check
from orchestration.quality.isolation import (
    ISOLATES,
    ISOLATING_OP_TAGS,
    check_problems,
    describe,
    full_asset_graph,
    is_isolating,
    stale_downstream,
)
from pipelines.sources.wms.specs import MOVEMENTS as WMS_MOVEMENTS

ORDERS = dg.AssetKey(["bronze", "crm", "orders"])
MOVEMENTS = dg.AssetKey(["bronze", "wms", "movements"])
MANIFEST = {"sources": {
    "source.grouplake.crm.orders": {"source_name": "crm", "name": "orders"},
    "source.grouplake.wms.movements": {"source_name": "wms", "name": "movements"},
}}
#: toy models: which source each reads
MODELS = {"customer_mart": "crm.orders", "stock_mart": "wms.movements"}
CUSTOMER = MartSpec("customer_mart", order_by=("id",), columns=(("id", "integer"), ("qty", "integer")))
STOCK = MartSpec("stock_mart", order_by=("id",), columns=(("id", "integer"), ("qty", "integer")))


def _graph(settings, movements_ok: bool, qty: int) -> list:
    @dg.asset(key=ORDERS)
    def orders() -> None: ...

    @dg.asset(key=MOVEMENTS)
    def movements() -> None: ...

    @dg.asset_check(asset=MOVEMENTS, name="gx_reconciles", metadata={ISOLATES: True}, op_tags=ISOLATING_OP_TAGS)
    def reconciles() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=movements_ok, metadata={"unexpected": "receipt 7: -3"})

    @dg.multi_asset(
        specs=[dg.AssetSpec(["dbt", "customer_mart"], deps=[ORDERS], skippable=True),
               dg.AssetSpec(["dbt", "stock_mart"], deps=[MOVEMENTS], skippable=True)],
        name="toy_dbt",
    )
    def toy_dbt(context):
        problems = check_problems(context.instance, full_asset_graph(context), source_keys(MANIFEST))
        failing = failing_sources(MANIFEST, problems)
        with duckdb.connect(settings.dbt.duckdb_path) as con:
            con.execute("create schema if not exists marts")
            for model, source in MODELS.items():
                if source in failing:
                    continue
                con.execute(f"create or replace table marts.{model} as select 1 as id, {qty} as qty")
                yield dg.MaterializeResult(asset_key=["dbt", model], metadata={"excluded": ", ".join(failing),
                                                                            "why": "; ".join(describe(problems))})

    return [orders, movements, reconciles, toy_dbt, publish_mart(CUSTOMER), publish_mart(STOCK)]


def test_dbt_leaves_out_the_models_of_a_failing_source():
    problems = {MOVEMENTS: ["gx_reconciles: FAILED"]}
    assert source_keys(MANIFEST)[MOVEMENTS] == "wms.movements"
    assert failing_sources(MANIFEST, problems) == ["wms.movements"]
    assert build_args([], ["wms.movements"]) == ["build", "--exclude", "source:wms.movements+"]
    assert build_args(["wms.movements", "iot.readings"], ["wms.movements"]) == [
        "build", "--exclude", "source:iot.readings+ source:wms.movements+"]


def test_bronze_checks_isolate_and_mart_suites_still_block():
    specs = {s.name: s for s in bronze_check_specs(WMS_MOVEMENTS)}
    assert not specs["row_count"].blocking and specs["row_count"].metadata[ISOLATES]
    assert not specs["schema_matches_declaration"].blocking
    bronze_suite = next(s for s in ALL_SUITES if any(a[0] == "bronze" for a in s.assets))
    bronze_asset = next(a for a in bronze_suite.assets if a[0] == "bronze")
    (spec,) = suite_check(bronze_suite, bronze_asset).check_specs
    assert spec.name == check_name(bronze_suite) and not spec.blocking and spec.metadata[ISOLATES]
    mart_suites = [(s, a) for s in ALL_SUITES for a in s.assets if a[0] != "bronze"]
    for suite, asset in mart_suites:
        (mart_spec,) = suite_check(suite, asset).check_specs
        assert mart_spec.blocking and not mart_spec.metadata.get(ISOLATES)


def test_a_failing_wms_check_still_publishes_the_customer_mart(settings):
    Path(settings.dbt.duckdb_path).parent.mkdir(parents=True)
    storage = LakeStorage.from_settings(settings)
    instance = dg.DagsterInstance.ephemeral()

    first = dg.materialize(_graph(settings, movements_ok=True, qty=5), instance=instance)
    assert first.success
    assert open_table(storage, "gold/customer_mart").version() == 0
    assert open_table(storage, "gold/stock_mart").version() == 0

    assets = _graph(settings, movements_ok=False, qty=9)
    second = dg.materialize(assets, instance=instance, raise_on_error=False)
    assert second.success  # the failed check is non-blocking: nothing fails, the rest builds
    materialized = {e.asset_key.to_user_string() for e in second.get_asset_materialization_events()}
    assert materialized == {"bronze/crm/orders", "bronze/wms/movements", "dbt/customer_mart", "gold/customer_mart"}
    (toy_mat,) = [e for e in second.get_asset_materialization_events()
                  if e.asset_key == dg.AssetKey(["dbt", "customer_mart"])]
    assert toy_mat.materialization.metadata["excluded"].value == "wms.movements"
    # the check ran before the "dbt" step (priority), so the reason is its failure
    assert toy_mat.materialization.metadata["why"].value.startswith("bronze/wms/movements gx_reconciles: FAILED")
    assert read_table(storage, "gold/customer_mart").column("qty").to_pylist() == [9]  # refreshed
    assert open_table(storage, "gold/stock_mart").version() == 0  # previous version kept
    assert read_table(storage, "gold/stock_mart").column("qty").to_pylist() == [5]

    # publishing the stale mart alone is refused, naming the upstream check
    with pytest.raises(dg.Failure) as refused:
        dg.materialize(assets, instance=instance, selection=[assets[-1]])
    message = refused.value.description
    assert "gold.stock_mart not published (version 0 kept)" in message
    assert "upstream bronze/wms/movements gx_reconciles: FAILED" in message and "receipt 7: -3" in message

    # the run summary's view: which gold marts are stale and why
    graph = dg.Definitions(assets=assets[:2] + assets[3:], asset_checks=[assets[2]]).resolve_asset_graph()
    assert is_isolating(graph, MOVEMENTS, "gx_reconciles")
    assert stale_downstream(graph, [(MOVEMENTS, "gx_reconciles")]) == {
        dg.AssetKey(["gold", "stock_mart"]): ["bronze/wms/movements gx_reconciles"]}

    # once the check passes again, everything builds and the stock mart is refreshed
    third = dg.materialize(_graph(settings, movements_ok=True, qty=9), instance=instance)
    assert third.success
    assert read_table(storage, "gold/stock_mart").column("qty").to_pylist() == [9]
    assert open_table(storage, "gold/stock_mart").version() == 1


def test_a_check_not_evaluated_since_the_build_counts_as_a_problem(settings):
    instance = dg.DagsterInstance.ephemeral()
    assets = _graph(settings, movements_ok=True, qty=1)
    Path(settings.dbt.duckdb_path).parent.mkdir(parents=True)
    dg.materialize(assets[:3], instance=instance)
    dg.materialize(assets[:3], instance=instance, selection=dg.AssetSelection.assets(assets[1]).without_checks())
    graph = dg.Definitions(assets=assets[:2], asset_checks=[assets[2]]).resolve_asset_graph()
    problems = check_problems(instance, graph, [ORDERS, MOVEMENTS])
    assert problems == {MOVEMENTS: ["gx_reconciles: not evaluated since the latest materialization"]}
    assert check_problems(instance, graph, [ORDERS, MOVEMENTS], unevaluated=False) == {}


def test_other_consumers_of_a_failing_table_refuse_with_the_reason(settings):
    from orchestration.quality.isolation import refuse_if_upstream_failed

    @dg.asset(key=["ml", "toy_model"], deps=[MOVEMENTS])
    def toy_model(context) -> None:
        refuse_if_upstream_failed(context, context.asset_key, "ml/toy_model")

    instance = dg.DagsterInstance.ephemeral()
    orders, movements, reconciles, *_ = _graph(settings, movements_ok=False, qty=1)
    result = dg.materialize([orders, movements, reconciles, toy_model], instance=instance, raise_on_error=False)
    (failure,) = result.get_step_failure_events()
    assert failure.step_key == "ml__toy_model"
    message = failure.step_failure_data.user_failure_data.description
    assert message.startswith("ml/toy_model not refreshed (previous version kept)")
    assert "bronze/wms/movements gx_reconciles: FAILED" in message


def test_checks_reported_by_the_bronze_step_itself_vouch_for_its_materialization():
    """The standard bronze checks come with the materialization (``MaterializeResult``):
    a passing one is no problem, a failing one does not fail the step but is found."""
    specs = {name: [dg.AssetCheckSpec("row_count", asset=key, metadata={ISOLATES: True})]
             for name, key in (("orders", ORDERS), ("movements", MOVEMENTS))}

    @dg.asset(key=ORDERS, check_specs=specs["orders"])
    def orders() -> dg.MaterializeResult:
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(check_name="row_count", passed=True)])

    @dg.asset(key=MOVEMENTS, check_specs=specs["movements"])
    def movements() -> dg.MaterializeResult:
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(check_name="row_count", passed=False)])

    instance = dg.DagsterInstance.ephemeral()
    assert dg.materialize([orders, movements], instance=instance).success
    graph = dg.Definitions(assets=[orders, movements]).resolve_asset_graph()
    problems = check_problems(instance, graph, [ORDERS, MOVEMENTS])
    assert list(problems) == [MOVEMENTS]
    assert problems[MOVEMENTS][0].startswith("row_count: FAILED (run ")
