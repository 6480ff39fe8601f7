"""``LAKE__ENGINE=spark`` runs the same ERP bronze assets on Spark: same keys, checks, metadata."""

from __future__ import annotations

import dagster as dg
import pytest

from infra.settings import get_settings, reset_settings_cache
from lake.storage import LakeStorage
from lake.tables import open_table, read_table
from pipelines.ingest import ingest_entity
from pipelines.sources.erp.extract import ErpExtractor, create_source_engine
from pipelines.sources.erp.specs import spec_for_table
from pipelines.sources.erp.tables import metadata
from tests.pipelines.engines.erp_data import build_erp

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.usefixtures("jdbc_jars")]


def test_erp_asset_materializes_on_spark_with_the_same_checks(spark, settings, monkeypatch, tmp_path):
    db = tmp_path / "erp.db"
    engine = create_source_engine(f"sqlite:///{db}")
    build_erp(engine)
    monkeypatch.setenv("ERP__DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("ERP__BATCH_ROWS", "15")
    monkeypatch.setenv("LAKE__ENGINE", "spark")
    reset_settings_cache()

    from orchestration.erp.assets import ErpResource, erp_assets
    from orchestration.resources import LakeResource

    asset = next(a for a in erp_assets if a.key.path == ["bronze", "erp", "materials"])
    result = dg.materialize([asset], resources={"lake": LakeResource(), "erp": ErpResource()})
    assert result.success
    [materialization] = result.asset_materializations_for_node(asset.node_def.name)
    meta = {k: v.value for k, v in materialization.metadata.items()}
    assert (meta["rows_extracted"], meta["rows_inserted"], meta["batches"], meta["dagster/row_count"]) == (
        40, 40, 3, 40
    )
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {"row_count": True, "schema_matches_declaration": True, "quarantine_rate": True}

    lake = LakeStorage.from_settings(get_settings())
    spec = spec_for_table(metadata.tables["materials"])
    assert open_table(lake, spec.relative_path).history()[0]["grouplake.engine"] == "spark"
    embedded = LakeStorage(str(tmp_path / "embedded"))
    ingest_entity(embedded, spec, ErpExtractor(engine, metadata, batch_rows=15))
    key = [("material_id", "ascending")]
    assert read_table(lake, spec.relative_path).drop_columns(["_ingested_at"]).sort_by(key).equals(
        read_table(embedded, spec.relative_path).drop_columns(["_ingested_at"]).sort_by(key)
    )
