"""The default demo (scale 1): sizes in the intended ranges and the injected behaviour visible."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from demo import generate_demo_group

from .conftest import make_settings


@pytest.mark.slow
def test_scale_one_sizes_and_signals(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    manifest = generate_demo_group(settings, scale=1.0, seed=42)
    c = manifest.row_counts
    assert c["truth.companies.csv"] == 800
    assert 1100 <= c["erp.vendors"] <= 1300
    assert c["erp.business_units"] == 6 and 25 <= c["erp.subsidiaries"] <= 35
    assert 1400 <= c["erp.materials"] <= 1600
    assert 20000 <= c["erp.purchase_orders"] <= 20200
    # about 1.8 lines per order: the demand model draws reorders and bundles (demo/demand.py)
    assert 32000 <= c["erp.purchase_order_lines"] <= 42000
    assert c["crm.customers"] == 1500 and 12000 <= c["erp.sales_orders"] <= 18000
    assert 100_000 <= c["iot.lines"] <= 230_000
    assert 300 <= c["wms.files"] <= 1000
    truth = Path(settings.demo.dir) / "ground_truth"
    companies = pd.read_csv(truth / "companies.csv")
    assert 0.04 <= companies["is_chronically_late"].mean() <= 0.08
    assert 0.04 <= companies["is_chronically_defective"].mean() <= 0.08
    records = pd.read_csv(truth / "supplier_records.csv").merge(companies, on="company_id")
    conn = sqlite3.connect(settings.erp.database_url.removeprefix("sqlite:///"))
    conn.text_factory = lambda b: b.decode("utf-8", "replace")
    receipts = pd.read_sql(
        "SELECT po.vendor_id, gr.received_date > pol.promised_date AS late FROM goods_receipts gr "
        "JOIN purchase_order_lines pol USING (purchase_order_line_id) "
        "JOIN purchase_orders po ON po.purchase_order_id = gr.purchase_order_id", conn)
    inspections = pd.read_sql(
        "SELECT po.vendor_id, qi.result = 'fail' AS failed FROM quality_inspections qi "
        "JOIN goods_receipts gr USING (goods_receipt_id) JOIN purchase_orders po "
        "ON po.purchase_order_id = gr.purchase_order_id", conn)
    conn.close()
    late = receipts.merge(records, on="vendor_id").groupby("is_chronically_late")["late"].mean()
    assert late[1] > 2.5 * late[0]
    failed = inspections.merge(records, on="vendor_id").groupby("is_chronically_defective")["failed"].mean()
    assert failed[1] > 8 * failed[0]
