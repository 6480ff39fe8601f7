"""The demo seed (demo/platform_seed.py): ERP contract rows in, a working platform out."""

from __future__ import annotations

import datetime as dt
import pathlib
from typing import Any

import pytest
import sqlalchemy as sa

from pipelines.sources.erp import tables as erp
from tests.transactional.commerce import make_uscc

NOW = dt.datetime(2026, 10, 31, tzinfo=dt.UTC)
COAL_TEMPLATE = {"attributes": [
    {"name": "calorific_value", "label": "低位发热量", "type": "number", "unit": "kcal/kg",
     "min": 4500, "max": 6300, "decimals": 0, "required": True},
    {"name": "origin_mine", "label": "产地矿区", "type": "enum",
     "allowed": ["大同矿区", "神东矿区"], "required": True},
]}
ACID_TEMPLATE = {"attributes": [
    {"name": "cas", "label": "CAS号", "type": "string", "pattern": r"^\d{2,7}-\d{2}-\d$",
     "required": True},
    {"name": "purity_pct", "type": "number", "unit": "%", "min": 90, "max": 100},
]}


def _fill(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    """Give every NOT NULL column the row does not set a harmless value."""
    defaults = {sa.String: "x", sa.Numeric: 0, sa.Boolean: False, sa.Float: 0.0,
                sa.Integer: 0, sa.JSON: {}, sa.Date: NOW.date(), sa.DateTime: NOW}
    out = dict(row)
    for column in table.columns:
        if column.name in out:
            continue
        out[column.name] = None if column.nullable else next(
            v for t, v in defaults.items() if isinstance(column.type, t))
    return out


@pytest.fixture
def demo_erp(settings) -> str:
    url = settings.erp.database_url
    engine = sa.create_engine(url)
    pathlib.Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    erp.metadata.create_all(engine)
    rows = {
        erp.business_units: [
            {"business_unit_id": "BU1", "business_unit_code": "COAL", "name": "煤炭事业部",
             "name_en": "Coal", "currency": "CNY", "approval_limit": 1_000_000},
            {"business_unit_id": "BU2", "business_unit_code": "CHEM", "name": "化工事业部",
             "name_en": "Chemicals", "currency": "CNY"}],
        erp.material_categories: [
            {"category_id": "CAT-COAL", "name": "动力煤", "name_en": "Thermal coal",
             "default_uom": "吨", "attribute_template": COAL_TEMPLATE},
            {"category_id": "CAT-ACID", "name": "硫酸", "name_en": "Sulphuric acid",
             "default_uom": "吨", "attribute_template": ACID_TEMPLATE}],
        erp.materials: [
            {"material_id": "MAT-1", "sku": "CT-00001", "category_id": "CAT-COAL",
             "name": "动力煤 5500大卡", "uom": "吨", "is_active": True, "currency": "CNY",
             "attributes": {"calorific_value": 5500.0, "origin_mine": "大同矿区"}},
            {"material_id": "MAT-2", "sku": "AC-00002", "category_id": "CAT-ACID",
             "name": "硫酸 98%", "uom": "吨", "is_active": True, "currency": "CNY",
             "attributes": {"cas": "7664-93-9", "purity_pct": 98.0}},
            {"material_id": "MAT-3", "sku": "CT-00003", "category_id": "CAT-COAL",
             "name": "broken", "uom": "吨", "is_active": True, "currency": "CNY",
             "attributes": {"calorific_value": 9999.0, "origin_mine": "大同矿区"}}],
        erp.vendors: [
            {"vendor_id": "V-COAL-001", "business_unit_code": "COAL", "vendor_code": "100001",
             "name": "大同煤业股份有限公司", "uscc": "91140200MA0GRLAK1X", "country": "CN",
             "province": "山西", "city": "大同", "currency": "CNY", "status": "active"},
            {"vendor_id": "V-CHEM-002", "business_unit_code": "CHEM", "vendor_code": "200002",
             "name": None, "country": "CN", "currency": "CNY", "status": "active"},
            {"vendor_id": "V-COAL-003", "business_unit_code": "COAL", "vendor_code": "100003",
             "name": "朔州平鲁煤炭有限公司", "uscc": make_uscc("91140600", "MA0NEW01"),
             "country": "CN", "province": "山西", "city": "朔州", "address": "平鲁区工业园8号",
             "phone": "0349-6012345", "bank_name": "中国银行朔州分行",
             "bank_account": "6216600000001234", "currency": "CNY", "status": "active"}],
        erp.fx_rates: [
            {"fx_rate_id": f"FX-{d}", "rate_date": dt.date(2026, 10, d), "from_currency": "USD",
             "to_currency": "CNY", "rate": 7.1 + d / 1000, "source": "PBOC parity (simulated)"}
            for d in (29, 30)],
        erp.supplier_offers: [
            {"supplier_offer_id": "OF-1", "vendor_id": "V-COAL-001", "material_id": "MAT-1",
             "currency": "CNY", "valid_from": dt.date(2026, 7, 1), "valid_to": dt.date(2026, 9, 30),
             "moq": 800, "order_multiple": 100, "lead_time_days": 7,
             "price_tiers": [{"min_qty": 800, "unit_price": 700.0}]},
            {"supplier_offer_id": "OF-2", "vendor_id": "V-COAL-001", "material_id": "MAT-1",
             "currency": "CNY", "valid_from": dt.date(2026, 10, 1),
             "valid_to": dt.date(2026, 12, 31), "moq": 850, "order_multiple": 100,
             "lead_time_days": 7, "price_tiers": [{"min_qty": 850, "unit_price": 690.5},
                                                  {"min_qty": 5000, "unit_price": 672.25}]},
            {"supplier_offer_id": "OF-3", "vendor_id": "V-CHEM-002", "material_id": "MAT-2",
             "currency": "CNY", "valid_from": dt.date(2026, 10, 1),
             "valid_to": dt.date(2026, 12, 31), "moq": 10, "order_multiple": 1,
             "lead_time_days": 5, "price_tiers": [{"min_qty": 10, "unit_price": 450.0}]}],
        erp.warehouses: [
            {"warehouse_id": "WH-1", "warehouse_code": "DT01", "subsidiary_id": "S1",
             "business_unit_code": "COAL", "name": "大同储煤场", "warehouse_type": "yard",
             "country": "CN", "province": "山西", "city": "大同", "latitude": 40.08,
             "longitude": 113.3, "has_wms": True, "has_rfid": False, "has_agv": False,
             "is_hazmat": False}],
    }
    with engine.begin() as connection:
        for table, table_rows in rows.items():
            connection.execute(table.insert(), [_fill(table, r) for r in table_rows])
    engine.dispose()
    return url


def test_seed_loads_the_demo_erp_idempotently_and_its_example_order_works(
        settings, demo_erp, capsys) -> None:
    from fastapi.testclient import TestClient

    from demo.platform_seed import seed_transactional_from_demo
    from transactional.main import create_app

    first = seed_transactional_from_demo(settings)
    assert first.created == {"business_units": 2, "categories": 2, "skus": 2, "suppliers": 1,
                             "warehouses": 1, "offers": 1, "stock": 1, "users": 8}
    assert first.rejected == {"skus": 1, "offers_invalid": 1}  # 9999 kcal/kg; nameless vendor
    printed = capsys.readouterr().out
    assert "Idempotency-Key: demo-order-1" in printed and first.example_token in printed
    second = seed_transactional_from_demo(settings, echo=False)
    assert second.created == {} and second.skipped["offers"] == 1
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {first.example_token}", "Idempotency-Key": "demo"}
        order = client.post("/api/v1/orders", json=first.example_order, headers=headers)
        assert order.status_code == 201, order.text
        assert order.json()["lines"][0]["unit_price"] == "690.5000"  # the current quotation
        assert order.json()["lines"][0]["quantity"] == 900  # MOQ 850 rounded to the multiple
        login = client.post("/api/v1/auth/token",
                            data={"username": "buyer.coal", "password": "grouplake-demo"})
        assert login.status_code == 200
        sku = client.get("/api/v1/skus?attr=cas:eq:7664-93-9", headers=headers).json()
        assert [s["code"] for s in sku["items"]] == ["AC-00002"]


def test_seed_refuses_production_and_a_missing_erp(settings, monkeypatch) -> None:
    from demo.platform_seed import seed_transactional_from_demo
    from infra.settings import get_settings, reset_settings_cache

    with pytest.raises(FileNotFoundError):
        seed_transactional_from_demo(settings)
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("AUTH__JWT_SECRET", "y" * 40)
    reset_settings_cache()
    with pytest.raises(RuntimeError, match="local/CI"):
        seed_transactional_from_demo(get_settings())


@pytest.fixture
def demo_crm(settings) -> None:
    """The demo CRM's dealers: two active COAL dealers, an inactive one, a key account."""
    from demo.crm_data import crm_metadata, customers_t

    path = pathlib.Path(settings.demo.dir) / "crm.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    crm_metadata.create_all(engine)
    rows = [("CUST-000005", "保定宝乾能源贸易有限公司", "dealer", "COAL", "active"),
            ("CUST-000009", "淮北腾和建材经销部", "dealer", "COAL", "active"),
            ("CUST-000010", "吉林昌凯供应链管理有限公司", "dealer", "COAL", "inactive"),
            ("CUST-000011", "大同电力有限公司", "key_account", "COAL", "active")]
    with engine.begin() as connection:
        connection.execute(customers_t.insert(), [
            {"customer_id": i, "name": n, "customer_type": t, "business_unit_code": b,
             "status": st, "created_at": "2026-01-01T00:00:00Z",
             "updated_at": "2026-01-01T00:00:00Z"} for i, n, t, b, st in rows])
    engine.dispose()


def test_the_demo_commerce_run_gives_dealers_rebates_and_suppliers_statements(
        settings, demo_erp, demo_crm) -> None:
    from demo.commerce_day import run_commerce_demo
    from demo.commerce_report import commerce_commands
    from demo.platform_seed import seed_transactional_from_demo
    from tests.transactional.commerce import statement_problems, unbalanced_entries
    from transactional.db.database import Database
    from transactional.db.tables.core import outbox_events

    seed_transactional_from_demo(settings, echo=False)
    report = run_commerce_demo(settings)
    assert report.fx_rates == {"created": 2, "kept": 0} and report.promotions == 3
    assert report.orders == {"settled": 8} and report.approvals == 4
    # four orders of 900 or 1,800 t at 690.5 CNY each take both dealers past the first tier
    assert [(d["code"], d["tier"], d["rebates_settled"]) for d in report.dealers] == [
        ("CUST-000005", 1, {"CNY": "27014.1290"}), ("CUST-000009", 1, {"CNY": "27014.1290"})]
    # 8 x (goods, 满减, 2 % category discount), 2 refunds, 8 rebates and 2 reversals
    assert [(s["supplier_id"], s["kind"], s["currency"], s["lines"], s["net_amount"])
            for s in report.statements] == [
        ("V-COAL-001", "regular", "CNY", 36, "7063035.5420")]
    assert report.onboarded == "GL-COAL-000001"
    # one eligible vendor here: the fast-track path (licence + bank certificate read by OCR)
    assert [(a["supplier_id"], a["path"], a["fast_track"], a["failed_checks"], a["decision"])
            for a in report.onboarding] == [
        ("GL-COAL-000001", "fast_track", True, [], "approve")]
    again = run_commerce_demo(settings)
    assert (again.orders, again.statements, again.rebate_settlements) == (
        report.orders, report.statements, 0)
    assert report.ratings == again.ratings == 8  # rated once (seeded: each of the 8 drew its rating)
    db = Database.from_settings(settings)
    with db.read() as session:
        assert unbalanced_entries(session) == [] and statement_problems(session) == []
        kinds = sa.select(outbox_events.c.event_type, sa.func.count()).group_by(
            outbox_events.c.event_type)
        events = dict(session.execute(kinds).all())
        approved = session.execute(sa.select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "supplier.approved",
            outbox_events.c.aggregate_id == "GL-COAL-000001")).scalar_one()
        seeded = session.execute(sa.select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "supplier.approved",
            outbox_events.c.aggregate_id == "V-COAL-001")).scalar_one()
    db.dispose()
    assert {k: seeded[k] for k in ("uscc", "city", "business_unit", "source")} == {
        "uscc": "91140200MA0GRLAK1X", "city": "大同", "business_unit": "COAL",
        "source": "registration"}
    assert events["payable.exported"] == 1 and events["rebate.settled"] == 2
    assert events["rebate.accrued"] == 8 and events["order.settled"] == 8
    assert events["order.rated"] == report.ratings and "order.rating_changed" not in events
    assert (approved["name"], approved["city"], approved["bank_account"]) == (
        "朔州平鲁煤炭有限公司", "朔州", "6216600000001234")
    assert "dealer-accounts" in commerce_commands(settings, report, "pw")[1]


def test_onboarding_skips_a_vendor_whose_code_is_on_the_platform_in_another_format(
        settings, demo_erp, demo_crm) -> None:
    from demo.commerce_day import run_commerce_demo
    from demo.platform_seed import seed_transactional_from_demo

    code = make_uscc("91140200", "MA0GRLA1")
    spaced = f"{code[:4]} {code[4:8]} {code[8:].lower()}"
    engine = sa.create_engine(demo_erp)
    with engine.begin() as connection:  # V-COAL-001's company again, its code spaced and lower-case
        connection.execute(erp.vendors.update().where(erp.vendors.c.vendor_id == "V-COAL-001")
                           .values(uscc=code))
        connection.execute(erp.vendors.insert(), [_fill(erp.vendors, {
            "vendor_id": "V-COAL-002", "business_unit_code": "COAL", "vendor_code": "100002",
            "name": "大同煤业有限公司", "uscc": spaced, "country": "CN",
            "province": "山西", "city": "大同", "address": "大同市矿区1号", "phone": "0352-7010001",
            "bank_name": "中国银行大同分行", "bank_account": "6216600000000001", "currency": "CNY",
            "status": "active"})])
    engine.dispose()
    seed_transactional_from_demo(settings, echo=False)
    report = run_commerce_demo(settings)
    assert report.onboarded == "GL-COAL-000001"  # V-COAL-003 applied; the alias was not tried
