"""The demo's procurement loop (demo/sourcing.py, #28 item 6) on a small seeded ERP: one unit,
two coal SKUs offered by three suppliers. The run holds a sourcing event whose bidders price
from cost curves (tiers) with bundles, awards it above the approval limit (approved by the
unit's finance, not its maker), draws and signs contracts, calls them off and buys a
contracted SKU off contract; a second run adds nothing. Plus the pure event generator."""

from __future__ import annotations

import datetime as dt
import pathlib
from decimal import Decimal

import pytest
import sqlalchemy as sa

from pipelines.sources.erp import tables as erp
from tests.transactional.test_demo_seed import COAL_TEMPLATE, _fill


@pytest.fixture
def coal_market(settings) -> None:
    url = settings.erp.database_url
    engine = sa.create_engine(url)
    pathlib.Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    erp.metadata.create_all(engine)
    vendors = [("V-COAL-001", "大同煤业股份有限公司", 690), ("V-COAL-002", "晋能煤炭销售有限公司", 705),
               ("V-COAL-003", "朔州平鲁煤炭有限公司", 720)]
    rows = {
        erp.business_units: [{"business_unit_id": "BU1", "business_unit_code": "COAL",
                              "name": "煤炭事业部", "name_en": "Coal", "currency": "CNY",
                              "approval_limit": 1_000_000}],
        erp.material_categories: [{"category_id": "CAT-COAL", "name": "动力煤", "name_en": "Thermal coal",
                                   "default_uom": "吨", "attribute_template": COAL_TEMPLATE}],
        erp.materials: [
            {"material_id": f"MAT-{n}", "sku": f"CT-0000{n}", "category_id": "CAT-COAL",
             "name": f"动力煤 {kcal}大卡", "uom": "吨", "is_active": True, "currency": "CNY",
             "attributes": {"calorific_value": float(kcal), "origin_mine": "大同矿区"}}
            for n, kcal in ((1, 5500), (2, 5000))],
        erp.vendors: [{"vendor_id": v, "business_unit_code": "COAL", "vendor_code": v[-3:],
                       "name": name, "country": "CN", "currency": "CNY", "status": "active"}
                      for v, name, _ in vendors],
        erp.supplier_offers: [
            {"supplier_offer_id": f"OF-{v}-{n}", "vendor_id": v, "material_id": f"MAT-{n}",
             "currency": "CNY", "valid_from": dt.date(2026, 10, 1), "valid_to": dt.date(2027, 12, 31),
             "moq": 100, "order_multiple": 100, "lead_time_days": 7,
             "price_tiers": [{"min_qty": 100, "unit_price": price - 40 * (n - 1)}]}
            for v, _, price in vendors for n in (1, 2)],
    }
    with engine.begin() as connection:
        for table, table_rows in rows.items():
            connection.execute(table.insert(), [_fill(table, r) for r in table_rows])
    engine.dispose()


def test_the_demo_runs_an_event_to_contracts_call_offs_and_maverick_buys(
        settings, coal_market, monkeypatch) -> None:
    from demo import sourcing
    from demo.platform_seed import seed_transactional_from_demo
    from transactional.db.database import Database
    from transactional.db.tables.core import outbox_events
    from transactional.db.tables.identity import users
    from transactional.db.tables.tendering import sourcing_awards

    monkeypatch.setattr(sourcing, "BIDDING_SECONDS", 1.0)
    seed_transactional_from_demo(settings, echo=False)
    report = sourcing.run_sourcing_demo(settings, say=lambda _: None)
    assert len(report.events) == 1 and report.approved_by_checker == report.events
    assert report.history_orders == 2 and report.maverick_orders == 2 and report.skipped == {}
    assert len(report.contracts) >= 1 and report.call_offs >= len(report.contracts)
    db = Database.from_settings(settings)
    with db.read() as session:
        award = session.execute(sa.select(sourcing_awards)).one()
        maker, checker = (session.execute(sa.select(users.c.username).where(users.c.id == i)).scalar_one()
                          for i in (award.computed_by, award.approved_by))
        kinds = dict(session.execute(sa.select(outbox_events.c.event_type, sa.func.count())
                                     .group_by(outbox_events.c.event_type)).all())
        placed = [p for p in session.execute(sa.select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "order.placed")).scalars()]
    db.dispose()
    assert award.total > Decimal(1_000_000) and (maker, checker) == ("procurement.coal", "finance.coal")
    assert kinds["sourcing_bid.submitted"] == 3 and kinds["sourcing_award.approved"] == 1
    assert kinds["contract.created"] == kinds["contract.signed"] == len(report.contracts)
    assert kinds["contract.called_off"] == report.call_offs
    on_contract = [p for p in placed if p["contract_id"] is not None]
    off_contract = [p for p in placed if p["contract_id"] is None]
    assert len(on_contract) == report.call_offs and len(off_contract) == 4  # 2 history, 2 maverick
    again = sourcing.run_sourcing_demo(settings, say=lambda _: None)
    assert again.events == report.events and again.contracts == [] and again.call_offs == 0


def test_bids_price_from_cost_curves_with_volume_tiers_and_bundles() -> None:
    from demo.sourcing import MarketOffer, plan_event

    offers = [MarketOffer(f"S{i}", sku, "CNY", Decimal(700 - 10 * i - sku), 100, 7)
              for i in range(4) for sku in (1, 2)]
    skus = [(1, [o for o in offers if o.sku_id == 1]), (2, [o for o in offers if o.sku_id == 2])]
    plan = plan_event(7, 0, skus, 1_000_000)
    assert plan == plan_event(7, 0, skus, 1_000_000)  # seeded
    assert [sku for sku, _ in plan.lines] == [1, 2] and sorted(plan.bids) == ["S0", "S1", "S2", "S3"]
    for bid in plan.bids.values():
        for line in bid["lines"]:
            prices = [Decimal(t["unit_price"]) for t in line["tiers"]]
            assert len(prices) == 4 and prices == sorted(prices, reverse=True)  # economies of scale
            assert prices[0] < Decimal(700) and prices[-1] < prices[0]
    assert any(b["kind"] == "lines" for bid in plan.bids.values() for b in bid["bundles"])
    for n, (_, quantity) in enumerate(plan.lines, start=1):  # someone can take each whole line
        assert any(x["capacity"] >= quantity for bid in plan.bids.values() for x in bid["lines"]
                   if x["line_no"] == n)
