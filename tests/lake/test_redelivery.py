"""A corrected WMS re-export (the most ordinary event of a WMS integration) keeps every
reader of the lake working: issue #25.

The first export lands 8 movements; a corrected export of the same warehouse, dropped
later, re-delivers 3 of them with new quantities and adds one. The writer replaces the 3
rows by key; afterwards the table is read with filters on string columns through the DuckDB
reader that ``grouplake sql``, the expectations, the ML features and the serving build use.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lake.sql import connect
from lake.storage import LakeStorage
from lake.tables import open_table
from pipelines.sources.wms.ingest import ingest_wms_entity
from pipelines.sources.wms.specs import MOVEMENTS
from tests.pipelines.sources import source_demo as demo
from tests.pipelines.sources import wms_drops as drops

CORRECTED = {2: "7.25", 5: "-3", 7: "100"}  # movement number -> corrected quantity


@pytest.fixture
def redelivered(tmp_path):
    """A lake after a first export and a corrected re-export of three of its movements."""
    settings = demo.make_settings(tmp_path / "home")
    lake = LakeStorage.from_settings(settings)
    landing = Path(settings.wms.landing_dir) / "movements"
    first = drops.csv_bytes(drops.MOVEMENT_HEADER, [drops.movement_line(i) for i in range(1, 9)])
    drops.write(landing / "movements_WH-T_20260301_20260331.csv", first, mtime=1_774_000_000)
    assert ingest_wms_entity(lake, MOVEMENTS, settings.wms).inserted == 8
    lines = [drops.movement_line(i, quantity=q) for i, q in CORRECTED.items()] + [drops.movement_line(9)]
    drops.write(landing / "movements_WH-T_20260301_20260331_v2.csv", drops.csv_bytes(drops.MOVEMENT_HEADER, lines),
                mtime=1_774_100_000)
    report = ingest_wms_entity(lake, MOVEMENTS, settings.wms)
    assert (report.inserted, report.updated) == (1, 3)
    return settings, lake


def test_equality_filter_on_a_string_column_answers_after_a_corrected_reexport(redelivered):
    _, lake = redelivered
    con = connect(lake)
    rows = con.execute("select movement_id, quantity from bronze.wms__movements "
                       "where warehouse_code = 'WH-T' order by movement_id").fetchall()
    expected = {f"MV-T{i:05d}": Decimal(CORRECTED.get(i, "12.5")) for i in range(1, 10)}
    assert dict(rows) == expected
    assert con.execute("select count(*) from bronze.wms__movements where movement_id in ('MV-T00002', 'MV-T00005') "
                       "and uom like '吨%' and sku >= 'SKU-2'").fetchone() == (2,)


def test_every_file_of_the_table_holds_the_declared_types(redelivered):
    _, lake = redelivered
    table = open_table(lake, MOVEMENTS.relative_path)
    for uri in table.file_uris():
        stored = pq.read_schema(uri.removeprefix("file://"))
        assert [(f.name, f.type) for f in stored] == [(f.name, f.type) for f in MOVEMENTS.lake_schema], uri
