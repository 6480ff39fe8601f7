"""The asset graph is snapshot-tested: losing an asset or a check is a failing test."""

from __future__ import annotations

from orchestration.definitions import defs
from pipelines.sources.erp.specs import erp_specs


def _asset_keys() -> set[str]:
    return {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}


def test_every_erp_table_is_a_bronze_asset_with_its_checks():
    keys = _asset_keys()
    assert {"/".join(spec.asset_key) for spec in erp_specs()} <= keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in defs.resolve_asset_graph().asset_check_keys}
    for spec in erp_specs():
        key = "/".join(spec.asset_key)
        for name in ("row_count", "schema_matches_declaration", "quarantine_rate"):
            assert (key, name) in checks


def test_daily_schedule_covers_the_whole_graph():
    schedule = defs.resolve_schedule_def("daily_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.job_name == "daily_refresh_job"
