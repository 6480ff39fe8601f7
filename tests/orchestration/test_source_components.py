"""CRM, WMS and IoT in the asset graph: assets with the bronze checks, resources, sensors."""

from __future__ import annotations

import uuid
from pathlib import Path

import dagster as dg
import pytest

from infra.settings import reset_settings_cache
from pipelines.sources.crm.specs import crm_specs
from pipelines.sources.iot.specs import iot_specs
from pipelines.sources.wms.specs import wms_specs
from tests.pipelines.sources import wms_drops as drops

SPECS = [*crm_specs(), *wms_specs(), *iot_specs()]


def test_every_crm_wms_iot_entity_is_a_bronze_asset_with_the_bronze_checks():
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    for spec in SPECS:
        key = "/".join(spec.asset_key)
        assert key in keys
        for name in ("row_count", "schema_matches_declaration", "quarantine_rate"):
            assert (key, name) in checks, (key, name)
        assert any(k == key and n.startswith("freshness") for k, n in checks), key
    assert {s.name for s in defs.sensors} >= {"wms_landing_sensor", "iot_sensor"}
    assert defs.resolve_job_def("wms_ingest_job") and defs.resolve_job_def("iot_ingest_job")


def _sensor(name: str):
    from orchestration.iot import defs as iot_defs
    from orchestration.wms import defs as wms_defs

    return next(s for s in [*wms_defs.sensors, *iot_defs.sensors] if s.name == name)


def test_wms_sensor_requests_one_run_per_new_state_of_the_landing_folder(settings):
    sensor = _sensor("wms_landing_sensor")
    landing = Path(settings.wms.landing_dir)
    with dg.instance_for_test() as instance:
        assert isinstance(sensor(dg.build_sensor_context(instance=instance)), dg.SkipReason)
        drops.write(landing / "movements" / "movements_A.csv", b"x\n")
        drops.write(landing / "notes.txt", b"not an export")
        first = sensor(dg.build_sensor_context(instance=instance))
        assert len(first.run_requests) == 1 and first.cursor
        same = sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert isinstance(same, dg.SkipReason)
        drops.write(landing / "stock" / "stock_A_20260101.csv", b"x\n")
        second = sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert len(second.run_requests) == 1 and second.cursor != first.cursor
        assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_iot_sensor_watches_drops_without_a_broker_and_polls_with_one(settings, monkeypatch):
    sensor = _sensor("iot_sensor")
    with dg.instance_for_test() as instance:
        assert isinstance(sensor(dg.build_sensor_context(instance=instance)), dg.SkipReason)
        drops.write(Path(settings.iot.landing_dir) / "gps" / "gps_2026-01-01.jsonl", b"{}\n")
        result = sensor(dg.build_sensor_context(instance=instance))
        assert len(result.run_requests) == 1 and result.run_requests[0].tags["grouplake/iot_mode"] == "files"

        monkeypatch.setenv("IOT__MQTT_URL", "mqtt://127.0.0.1:1")
        reset_settings_cache()
        polled = sensor(dg.build_sensor_context(instance=instance))
        assert len(polled.run_requests) == 1 and polled.run_requests[0].tags["grouplake/iot_mode"] == "mqtt"
        instance.add_run(dg.DagsterRun(job_name="iot_ingest_job", run_id=str(uuid.uuid4()),
                                       status=dg.DagsterRunStatus.STARTED))
        assert "still draining" in sensor(dg.build_sensor_context(instance=instance)).skip_message


def _materialize(keys: list[str]) -> dg.ExecuteInProcessResult:
    """Materialize some CRM/WMS/IoT assets with their own checks (no other component's), bound to
    the real-sources profile's resources."""
    from orchestration.crm import defs as crm_defs
    from orchestration.iot import defs as iot_defs
    from orchestration.profile import sources_profile
    from orchestration.resources import LakeResource
    from orchestration.wms import defs as wms_defs

    assets = [a for d in (crm_defs, wms_defs, iot_defs) for a in d.assets]
    resources = {"lake": LakeResource(), **sources_profile().resources}
    selection = [dg.AssetKey(k.split("/")) for k in keys]
    return dg.materialize(assets, selection=selection, resources=resources, instance=dg.DagsterInstance.ephemeral(),
                          raise_on_error=False)


@pytest.fixture
def configured(settings, monkeypatch):
    """Sources configured (a placeholder ERP URL), so no demo group is generated."""
    monkeypatch.setenv("ERP__DATABASE_URL", f"sqlite:///{settings.home / 'no-erp.db'}")
    reset_settings_cache()
    return settings


def test_wms_asset_run_reports_quarantined_rows_and_its_checks(configured):
    landing = Path(configured.wms.landing_dir)
    drops.write(landing / "movements_A.csv", drops.csv_bytes(
        drops.MOVEMENT_HEADER, [drops.movement_line(1), drops.movement_line(2, quantity="N/A")]))
    result = _materialize(["bronze/wms/movements"])
    assert result.success
    meta = result.asset_materializations_for_node("bronze__wms__movements")[0].metadata
    assert meta["rows_inserted"].value == 1 and meta["rows_quarantined"].value == 1
    assert meta["files_landed"].value == 1
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"row_count": True, "schema_matches_declaration": True, "quarantine_rate": False}


@pytest.mark.slow
def test_crm_and_iot_assets_run_against_a_configured_api_and_drops(configured, monkeypatch, tmp_path_factory):
    from demo.crm_server import serve_crm
    from tests.pipelines.sources import source_demo as demo

    home = demo.demo_home(tmp_path_factory)
    crm_db = Path(demo.make_settings(home).demo.dir) / "crm.db"
    drops.write(Path(configured.iot.landing_dir) / "temperature" / "temperature_2026-01-01.jsonl",
                b'{"event_id":"t1","kind":"temperature","device_id":"T","recorded_at":"2026-01-01T00:00:00Z"}\n')
    with serve_crm(crm_db, token="configured") as url:
        monkeypatch.setenv("CRM__BASE_URL", url)
        monkeypatch.setenv("CRM__TOKEN", "configured")
        reset_settings_cache()
        result = _materialize(["bronze/crm/tickets", "bronze/iot/temperature"])
    assert result.success
    tickets = result.asset_materializations_for_node("bronze__crm__tickets")[0].metadata
    assert tickets["rows_inserted"].value == tickets["dagster/row_count"].value > 0
    assert tickets["http_requests"].value >= 1
    temperature = result.asset_materializations_for_node("bronze__iot__temperature")[0].metadata
    assert temperature["rows_inserted"].value == 1
