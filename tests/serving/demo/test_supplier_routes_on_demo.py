"""The supplier routes on the demo group's real marts: the 360 of a supplier present in two
business units, its prices and shipments (compared with gold read directly)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.serving.demo.oracle import (
    API,
    gold,
)

pytestmark = pytest.mark.slow


def test_the_360_of_a_supplier_in_two_units(api, demo_lake, auth, multi_unit):
    key = [multi_unit]
    records = gold(demo_lake, "SELECT * FROM gold.supplier_source_records WHERE supplier_key = ? "
                   "ORDER BY record_id", key)
    spend = gold(demo_lake, "SELECT business_unit_code AS bu, sum(ordered_amount) AS ordered, "
                 "sum(received_amount) AS received, sum(invoiced_amount) AS invoiced "
                 "FROM gold.supplier_spend_by_bu WHERE supplier_key = ? GROUP BY 1", key)
    months = gold(demo_lake, "SELECT scorecard_month, overall_score FROM gold.supplier_scorecards "
                  "WHERE supplier_key = ? ORDER BY 1 DESC LIMIT 12", key)
    prices = gold(demo_lake, "SELECT DISTINCT price_month FROM gold.supplier_price_history "
                  "WHERE supplier_key = ? ORDER BY 1 DESC LIMIT 12", key)
    current = gold(demo_lake, "SELECT * FROM gold.supplier_scorecards_current WHERE supplier_key = ?", key)[0]
    golden = gold(demo_lake, "SELECT * FROM gold.supplier_master WHERE supplier_key = ?", key)[0]

    body = api.get(f"{API}/suppliers/{multi_unit}", headers=auth["admin"]).json()
    assert {k: body["supplier"][k] for k in ("supplier_key", "group_supplier_id", "golden_name",
                                             "member_count", "business_units")} == {
        k: golden[k] for k in ("supplier_key", "group_supplier_id", "golden_name", "member_count",
                               "business_units")}
    assert [r["record_id"] for r in body["source_records"]] == [r["record_id"] for r in records]
    assert body["aliases"] == sorted({r["recorded_name"] for r in records})
    assert (body["scorecard"]["overall_score"], body["scorecard"]["group_rank"]) == (
        current["overall_score"], current["group_rank"])
    assert {s["business_unit_code"]: (Decimal(s["ordered_amount"]), Decimal(s["received_amount"]),
                                      Decimal(s["invoiced_amount"]))
            for s in body["spend_by_business_unit"]} == {
        r["bu"]: (r["ordered"], r["received"], r["invoiced"]) for r in spend}
    assert [(m["scorecard_month"], m["overall_score"]) for m in body["performance_history"]] == [
        (m["scorecard_month"].isoformat(), m["overall_score"]) for m in months]
    assert [p["price_month"] for p in body["price_trend"]] == [p["price_month"].isoformat() for p in prices]
    assert body["missing_marts"] == []

    coal = api.get(f"{API}/suppliers/{multi_unit}", headers=auth["procurement.coal"]).json()
    assert [r["record_id"] for r in coal["source_records"]] == [
        r["record_id"] for r in records if r["business_unit_code"] == "COAL"]
    assert [s["business_unit_code"] for s in coal["spend_by_business_unit"]] == ["COAL"]
    assert coal["spend_by_business_unit"][0] == next(
        s for s in body["spend_by_business_unit"] if s["business_unit_code"] == "COAL")
    source = api.get(f"{API}/suppliers/{multi_unit}/source-records", headers=auth["finance.power"]).json()
    assert [(r["record_id"], r["source_system"], r["match_confidence"]) for r in source] == [
        (r["record_id"], r["source_system"], r["match_confidence"]) for r in records
        if r["business_unit_code"] == "POWER"]

def test_prices_and_shipments_of_a_supplier(api, demo_lake, auth, multi_unit):
    key = [multi_unit]
    prices = gold(demo_lake, "SELECT material_id, price_month FROM gold.supplier_price_history "
                  "WHERE supplier_key = ? ORDER BY price_month DESC, material_id", key)
    served = api.get(f"{API}/suppliers/{multi_unit}/price-history?limit=500", headers=auth["admin"]).json()
    assert served["total"] == len(prices) > 0
    assert [(i["material_id"], i["price_month"]) for i in served["items"]] == [
        (p["material_id"], p["price_month"].isoformat()) for p in prices][:500]
    material = prices[0]["material_id"]
    one = api.get(f"{API}/suppliers/{multi_unit}/price-history?material_id={material}",
                  headers=auth["procurement.coal"]).json()
    assert one["total"] == sum(p["material_id"] == material for p in prices)

    shipments = gold(demo_lake, """
        SELECT s.shipment_id, r.business_unit_code FROM gold.shipment_tracking s
        LEFT JOIN gold.supplier_source_records r
          ON r.source_system = 'erp' AND r.source_record_id = s.vendor_id
        WHERE s.supplier_key = ?""", key)
    everything = api.get(f"{API}/suppliers/{multi_unit}/shipments?limit=500", headers=auth["admin"]).json()
    assert {i["shipment_id"] for i in everything["items"]} == {s["shipment_id"] for s in shipments}
    for user, unit in (("procurement.coal", "COAL"), ("finance.power", "POWER")):
        scoped = api.get(f"{API}/suppliers/{multi_unit}/shipments?limit=500", headers=auth[user]).json()
        assert {i["shipment_id"] for i in scoped["items"]} == {
            s["shipment_id"] for s in shipments if s["business_unit_code"] == unit}
