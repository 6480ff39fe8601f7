"""The asset graph is snapshot-tested: losing an asset or a check is a failing test. The
deployment profile decides the source resources and the demo-only assets, and nothing else."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines.sources.erp.specs import erp_specs

SEED = dg.AssetKey(["platform", "demo_seed"])
OUTBOX = dg.AssetKey(["bronze", "tx", "outbox_events"])


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import build_definitions

    return build_definitions()


def _asset_keys(defs: dg.Definitions) -> set[str]:
    return {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}


def test_every_erp_table_is_a_bronze_asset_with_its_checks(defs):
    keys = _asset_keys(defs)
    assert {"/".join(spec.asset_key) for spec in erp_specs()} <= keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in defs.resolve_asset_graph().asset_check_keys}
    for spec in erp_specs():
        key = "/".join(spec.asset_key)
        for name in ("row_count", "schema_matches_declaration", "quarantine_rate"):
            assert (key, name) in checks


def test_every_check_tells_people_what_it_asserts(defs):
    graph = defs.resolve_asset_graph()
    specs = {key: graph.get_check_spec(key) for key in graph.asset_check_keys}
    assert [k.name for k, spec in specs.items() if not (spec.description or "").strip()] == []
    rfm_id = specs[dg.AssetCheckKey(dg.AssetKey(["dbt", "customer_rfm"]), "not_null_customer_rfm_customer_id")]
    assert rfm_id.description == ("Every customer_rfm row has a value in customer_id (not null). "
                                  "Blocks publication when it fails.")


def test_checks_on_bronze_isolate_and_the_rest_of_the_graph_still_blocks(defs):
    """#25: a failing check on a bronze table leaves out only what reads it (isolating: not
    blocking the one dbt step); checks on marts and models keep blocking their publication."""
    from orchestration.quality.isolation import ISOLATES

    graph = defs.resolve_asset_graph()
    specs = [graph.get_check_spec(key) for key in graph.asset_check_keys]
    bronze = [s for s in specs if s.asset_key.path[0] == "bronze"]
    assert not [s.key for s in bronze if s.blocking]
    isolating = {(s.asset_key.to_user_string(), s.name) for s in bronze if s.metadata.get(ISOLATES)}
    assert ("bronze/wms/movements", "gx_wms_receipts_reconciliation") in isolating
    assert ("bronze/erp/sales_orders", "row_count") in isolating
    assert ("bronze/erp/sales_orders", "quarantine_rate") not in isolating  # a warning only
    assert graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(["dbt", "customer_rfm"]), "gx_customer_rfm")).blocking


def test_a_failing_wms_check_makes_only_the_stock_marts_stale(defs):
    """The lineage the dbt step excludes (``source:wms.movements+``) as the run summary sees it:
    the two stock marts and the stock decision snapshot (which reads the WMS bronze itself and
    refuses); the customer and supplier marts still publish."""
    from orchestration.quality.isolation import stale_downstream

    graph = defs.resolve_asset_graph()
    movements = dg.AssetKey(["bronze", "wms", "movements"])
    stale = stale_downstream(graph, [(movements, "gx_wms_receipts_reconciliation")])
    assert {k.to_user_string(): v for k, v in stale.items()} == {
        "gold/inventory_accuracy": ["bronze/wms/movements gx_wms_receipts_reconciliation"],
        "gold/stock_observations_snapshot": ["bronze/wms/movements gx_wms_receipts_reconciliation"],
        "gold/stock_reconciliation": ["bronze/wms/movements gx_wms_receipts_reconciliation"],
    }


def test_daily_schedule_covers_the_whole_graph(defs):
    schedule = defs.resolve_schedule_def("daily_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.job_name == "daily_refresh_job"
    job = defs.resolve_job_def("daily_refresh_job")
    assert job.executor_def.name == "in_process"  # runs like `grouplake run`, not a process per step


def test_dagster_loads_the_definitions_lazily():
    """``dagster dev -m orchestration.definitions`` finds one ``@dg.definitions`` loader; importing
    the module builds nothing (no settings read, no dbt parse)."""
    from dagster._core.workspace.autodiscovery import loadable_targets_from_loaded_module

    import orchestration.definitions as module

    [target] = loadable_targets_from_loaded_module(module)
    assert target.attribute == "defs" and not isinstance(module.defs, dg.Definitions)


def test_the_demo_profile_binds_the_demo_sources_and_seeds_the_platform_first():
    from orchestration.definitions import build_definitions
    from orchestration.demo import demo_profile
    from orchestration.demo.resources import DemoCrmResource, DemoErpResource

    defs = build_definitions(demo_profile())
    graph = defs.resolve_asset_graph()
    assert SEED in graph.get_all_asset_keys()
    assert SEED in graph.get(OUTBOX).parent_keys
    resources = defs.resources
    assert isinstance(resources["erp"], DemoErpResource) and isinstance(resources["crm"], DemoCrmResource)


def test_real_sources_get_the_plain_resources_and_no_demo_asset(settings, monkeypatch):
    from infra.settings import get_settings, reset_settings_cache
    from orchestration.definitions import build_definitions, deployment_profile
    from orchestration.demo.resources import DemoErpResource

    monkeypatch.setenv("ERP__DATABASE_URL", f"sqlite:///{settings.home / 'erp.db'}")
    reset_settings_cache()
    profile = deployment_profile(get_settings())
    assert profile.name == "sources" and not profile.prepare(get_settings(), print)
    defs = build_definitions(profile)
    graph = defs.resolve_asset_graph()
    assert SEED not in graph.get_all_asset_keys()
    assert graph.get(OUTBOX).parent_keys == set()
    assert {type(defs.resources[key]).__name__ for key in ("erp", "crm", "wms", "iot")} == {
        "ErpResource", "CrmResource", "WmsResource", "IotResource"}
    assert not any(isinstance(r, DemoErpResource) for r in defs.resources.values())


def test_without_a_configured_crm_the_plain_resource_says_what_to_set(settings):
    from orchestration.crm.resources import CrmResource
    from pipelines.sources.crm.client import CrmError

    with pytest.raises(CrmError, match="CRM__BASE_URL is not set"), CrmResource().client():
        pass


def test_a_profile_must_bind_every_source_resource():
    from orchestration.profile import DeploymentProfile, sources_profile

    resources = dict(sources_profile().resources)
    del resources["iot"]
    with pytest.raises(ValueError, match=r"no resource for \['iot'\]"):
        DeploymentProfile(name="partial", resources=resources)
