"""Issue #25 on the demo lake: a corrected WMS re-export of three already-ingested movements
lands by key, the blocking reconciliation suite on ``bronze/wms/movements`` passes (it used to
crash reading the MERGE's ``string_view`` files) and ``grouplake sql`` answers an equality
filter with the corrected quantities.

Changes the lake for the duration of the test only: ``bronze/wms/movements`` is restored to
its previous version afterwards (the re-export stays archived and in the file ledger).
"""

from __future__ import annotations

import csv
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

pytestmark = pytest.mark.slow

HEADER = ["movement_id", "warehouse_code", "sku", "bin", "movement_type", "quantity", "uom", "reference_type",
          "reference_id", "moved_at", "operator"]
CHECK = "gx_wms_receipts_reconciliation"


def _reexport(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for r in rows:
        moved = r["moved_at"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        writer.writerow([("" if r[c] is None else r[c]) if c != "moved_at" else moved for c in HEADER])
    return out.getvalue().encode("utf-8")


def test_a_corrected_reexport_lands_the_check_passes_and_sql_answers(demo_lake):
    from lake.cli import register
    from lake.storage import LakeStorage
    from lake.tables import open_table

    table = open_table(LakeStorage.from_settings(demo_lake.settings), "bronze/wms/movements")
    version = table.version()
    picked = demo_lake.sql("select * from bronze.wms__movements where movement_type <> 'receipt' "
                           "and quantity is not null order by movement_id limit 3")
    warehouse = picked["warehouse_code"][0]
    count_sql = f"select count(*) as n from bronze.wms__movements where warehouse_code = '{warehouse}'"
    before = demo_lake.sql(count_sql)["n"][0]
    rows = [{**r, "quantity": Decimal(str(r["quantity"])) + 1} for r in picked.to_dict("records")]
    last_drop = demo_lake.sql("select max(dropped_at) as d from bronze.wms__movements")["d"][0]
    landing = Path(demo_lake.settings.wms.landing_dir) / "movements"
    path = landing / f"movements_{warehouse}_corrected.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_reexport(rows))
    stamp = last_drop.timestamp() + 86_400
    os.utime(path, (stamp, stamp))
    try:
        outcome = demo_lake.run("key:bronze/wms/movements")
        assert outcome.success, outcome.ledger.step_failures
        record = demo_lake.check_record("bronze/wms/movements", CHECK)
        assert record.run_id == outcome.run_id and record.event.dagster_event.event_specific_data.passed

        ids = ", ".join(f"'{r['movement_id']}'" for r in rows)
        app = typer.Typer()
        register(app)
        query = (f"select movement_id, quantity from bronze.wms__movements "
                 f"where warehouse_code = '{warehouse}' and movement_id in ({ids}) order by movement_id")
        result = CliRunner().invoke(app, ["sql", "--format", "csv", query])
        assert result.exit_code == 0, result.output
        answered = dict(line.split(",") for line in result.output.strip().splitlines()[1:])
        assert {k: Decimal(v) for k, v in answered.items()} == {r["movement_id"]: r["quantity"] for r in rows}
        assert demo_lake.sql(count_sql)["n"][0] == before  # replaced by key, nothing added
    finally:
        path.unlink(missing_ok=True)
        open_table(LakeStorage.from_settings(demo_lake.settings), "bronze/wms/movements").restore(version)
