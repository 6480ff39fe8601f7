"""Unit tests of the dbt component's pure helpers: translator, build arguments, failures,
manifest freshness, the staging scaffold, and the published-mart discovery."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from dbt_project.marts import published_marts
from dbt_project.runner import dbt_env, manifest_path, project_fingerprint
from grouplake.dbt_scaffold import model_name, source_entry, staging_sql, staging_yaml
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from orchestration.dbt.assets import build_args, failed_nodes, missing_sources
from orchestration.dbt.translator import GroupLakeDbtTranslator


def test_sources_map_to_bronze_assets_and_models_to_dbt_keys():
    translator = GroupLakeDbtTranslator()
    source = {"resource_type": "source", "source_name": "erp", "name": "sales_orders", "fqn": []}
    model = {"resource_type": "model", "name": "customer_rfm", "fqn": ["grouplake", "marts", "customers", "customer_rfm"]}
    assert translator.get_asset_key(source) == dg.AssetKey(["bronze", "erp", "sales_orders"])
    assert translator.get_asset_key(model) == dg.AssetKey(["dbt", "customer_rfm"])
    assert translator.get_group_name(model) == "dbt_marts"
    assert translator.get_kinds({**model, "language": "python"}) == {"dbt", "duckdb", "python"}


def test_build_leaves_out_what_depends_on_a_missing_source():
    assert build_args([]) == ["build"]
    assert build_args(["crm.customers", "wms.movements"]) == [
        "build", "--exclude", "source:crm.customers+ source:wms.movements+"]


def test_missing_sources_are_those_without_a_delta_table(tmp_path: Path):
    from deltalake import write_deltalake

    write_deltalake(str(tmp_path / "bronze" / "erp" / "fx_rates"), pa.table({"a": [1]}))
    manifest = {"sources": {
        "source.grouplake.erp.fx_rates": {"source_name": "erp", "name": "fx_rates"},
        "source.grouplake.crm.customers": {"source_name": "crm", "name": "customers"},
    }}
    assert missing_sources(manifest, LakeStorage(str(tmp_path))) == ["crm.customers"]


def test_model_errors_and_failed_unit_tests_fail_the_step_but_data_tests_are_checks():
    run_results = {"results": [
        {"unique_id": "model.grouplake.a", "status": "success"},
        {"unique_id": "model.grouplake.b", "status": "error", "message": "Contract violation"},
        {"unique_id": "unit_test.grouplake.c.rule", "status": "fail", "message": "actual != expected"},
        {"unique_id": "test.grouplake.unique_a_id", "status": "fail"},
    ]}
    assert failed_nodes(run_results) == [
        ("model.grouplake.b", "Contract violation"), ("unit_test.grouplake.c.rule", "actual != expected")]


def test_dbt_env_carries_the_settings(settings):
    env = dbt_env(settings)
    assert env["GROUPLAKE_LAKE_ROOT"] == str(Path(settings.lake.root).absolute())
    assert env["GROUPLAKE_DBT_DUCKDB_PATH"].endswith("dbt/grouplake.duckdb")
    assert env["GROUPLAKE_GROUP_CURRENCY"] == "CNY"
    assert env["GROUPLAKE_AS_OF_DATE"] == ""  # the models then use the last purchase-order day


def test_the_scorecard_reference_day_is_a_validated_setting(tmp_path: Path):
    import datetime as dt

    import pydantic

    from infra.settings import isolated_settings

    settings = isolated_settings(tmp_path, dbt={"as_of_date": "2026-10-31"})
    assert settings.dbt.as_of_date == dt.date(2026, 10, 31)
    assert dbt_env(settings)["GROUPLAKE_AS_OF_DATE"] == "2026-10-31"
    with pytest.raises(pydantic.ValidationError, match="as_of_date"):
        isolated_settings(tmp_path, dbt={"as_of_date": "31/10/2026"})


def test_manifest_fingerprint_changes_with_the_project(settings, tmp_path: Path, monkeypatch):
    import shutil

    from infra.settings import reset_settings_cache

    project = tmp_path / "project"
    shutil.copytree(settings.dbt.project_dir, project, ignore=shutil.ignore_patterns("target", "logs"))
    monkeypatch.setenv("DBT__PROJECT_DIR", str(project))
    reset_settings_cache()
    from infra.settings import get_settings

    local = get_settings()
    before = project_fingerprint(local)
    assert project_fingerprint(local) == before
    (project / "models" / "staging" / "erp" / "stg_erp__vendors.sql").write_text("select 1 as vendor_id\n")
    assert project_fingerprint(local) != before
    assert manifest_path(local) == project / "target" / "manifest.json"


def test_scaffold_stages_a_bronze_table_with_casts_renames_and_key_tests():
    spec = EntitySpec(
        "crm", "accounts",
        pa.schema([("account_id", pa.string()), ("name", pa.string()), ("owner_id", pa.string()),
                   ("credit", pa.decimal128(18, 4)), ("is_vip", pa.bool_()),
                   ("updated_at", pa.timestamp("us", tz="UTC"))]),
        key=("account_id",), description="CRM accounts.")
    sql = staging_sql(spec)
    assert "select * from {{ source('crm', 'accounts') }}" in sql
    assert "cast(name as varchar) as account_name" in sql
    assert "cast(credit as decimal(18, 4)) as credit" in sql
    assert sql.rstrip().endswith("        {{ bronze_lineage_columns() }}\n\n    from source\n\n)\n\nselect * from renamed")
    assert "_source" not in sql
    assert sql.index("-- keys") < sql.index("-- data") < sql.index("-- foreign keys") < sql.index("-- lineage")
    yaml = staging_yaml(spec, model_name(spec))
    assert "name: stg_crm__accounts" in yaml and "Grain: one row per account (account_id)" in yaml
    assert "data_tests: [unique, not_null]" in yaml
    assert "/bronze/crm/accounts" in source_entry(spec)


def test_composite_keys_get_a_combination_test():
    spec = EntitySpec("wms", "stock", pa.schema([("day", pa.date32()), ("sku", pa.string()),
                                                 ("dropped_at", pa.timestamp("us", tz="UTC"))]),
                      key=("day", "sku"), change_column="dropped_at")
    yaml = staging_yaml(spec, model_name(spec))
    assert "unique_combination_of_columns" in yaml and "[day, sku]" in yaml


def test_published_marts_come_from_the_model_meta():
    manifest = {"nodes": {
        "model.grouplake.customer_rfm": {
            "resource_type": "model", "name": "customer_rfm", "schema": "marts", "description": "RFM.",
            "config": {"meta": {"grouplake": {"publish": True, "order_by": ["scope", "customer_id"]}}},
            "columns": {"scope": {"data_type": "varchar"}}},
        "model.grouplake.int_x": {"resource_type": "model", "name": "int_x", "config": {"meta": {}}},
        "test.grouplake.t": {"resource_type": "test", "name": "t"},
    }}
    [spec] = published_marts(manifest)
    assert (spec.mart, spec.schema, spec.order_by, spec.columns) == (
        "customer_rfm", "marts", ("scope", "customer_id"), (("scope", "varchar"),))


def test_the_project_publishes_the_customer_marts_with_contracts():
    from dbt_project.runner import parse_manifest
    from infra.settings import get_settings

    manifest = json.loads(parse_manifest(get_settings()).read_text())
    published = {spec.mart for spec in published_marts(manifest)}
    assert {"customer_rfm", "customer_ltv", "dq_sales_quarantine"} <= published
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["name"] in published:
            assert node["config"]["contract"]["enforced"], node["name"]


def test_every_bronze_table_has_a_source_and_one_staging_model():
    from dbt_project.runner import parse_manifest
    from infra.settings import get_settings
    from pipelines.sources.catalog import bronze_specs

    manifest = json.loads(parse_manifest(get_settings()).read_text())
    sources = {(n["source_name"], n["name"]) for n in manifest["sources"].values()}
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    specs = bronze_specs()
    assert {s.source for s in specs} >= {"erp", "crm", "wms", "iot"}
    for spec in specs:
        assert (spec.source, spec.entity) in sources, spec.name
        assert f"stg_{spec.source}__{spec.entity}" in models, spec.name
        source = manifest["sources"][f"source.grouplake.{spec.source}.{spec.entity}"]
        assert source["config"]["delta_table_path"].endswith(f"/{spec.relative_path}")


def test_events_get_row_counts_and_failing_rows_after_dbt_exits(tmp_path: Path):
    import duckdb

    from orchestration.dbt.assets import enrich_events

    path = str(tmp_path / "dbt.duckdb")
    with duckdb.connect(path) as con:
        con.execute("create schema marts; create table marts.m as select range as id from range(3)")
    manifest = {"nodes": {"model.grouplake.m": {"schema": "marts", "alias": "m"}}}
    run_results = {"results": [{"unique_id": "test.grouplake.t", "status": "fail",
                                "compiled_code": "select id from marts.m where id > 0"}]}
    output = dg.Output(None, output_name="m", metadata={"unique_id": "model.grouplake.m"})
    check = dg.AssetCheckResult(passed=False, asset_key=dg.AssetKey(["dbt", "m"]), check_name="t",
                                metadata={"unique_id": "test.grouplake.t"})
    passed = dg.AssetCheckResult(passed=True, asset_key=dg.AssetKey(["dbt", "m"]), check_name="ok")
    out, failed, ok = enrich_events([output, check, passed], manifest, run_results, path)
    assert out.metadata["dagster/row_count"].value == 3
    assert "|    1 |" in failed.metadata["failing_rows"].value and "|    2 |" in failed.metadata["failing_rows"].value
    assert ok is passed
