"""Customer segments and lifetime values, inventory accuracy, fraud risk and
recommendations on the demo group's real marts, by scope and business unit (compared with
gold read directly)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.serving.demo.oracle import (
    API,
    error_code,
    gold,
)

pytestmark = pytest.mark.slow


def test_customer_segments_and_lifetime_values_by_scope(api, demo_lake, auth):
    rfm = gold(demo_lake, "SELECT scope, scope_type, customer_id, segment FROM gold.customer_rfm")
    ltv = gold(demo_lake, "SELECT scope, customer_id FROM gold.customer_ltv")
    chem = auth["procurement.chem"]
    assert api.get(f"{API}/customers/segments?limit=500", headers=auth["admin"]).json()["total"] == len(rfm)
    scoped = api.get(f"{API}/customers/segments?limit=500", headers=chem).json()
    assert sorted(i["customer_id"] for i in scoped["items"]) == sorted(
        r["customer_id"] for r in rfm if r["scope"] == "CHEM")
    assert {i["scope"] for i in scoped["items"]} == {"CHEM"}
    for scope in ("GROUP", "COAL"):
        refused = api.get(f"{API}/customers/segments?scope={scope}", headers=chem)
        assert refused.status_code == 403 and error_code(refused) == "out_of_scope"
    summary = api.get(f"{API}/customers/segment-summary", headers=auth["admin"]).json()
    counts: dict[tuple[str, str], int] = {}
    for r in rfm:
        counts[(r["scope"], r["segment"])] = counts.get((r["scope"], r["segment"]), 0) + 1
    assert {(s["scope"], s["segment"]): s["customers"] for s in summary} == counts
    assert {s["scope"] for s in api.get(f"{API}/customers/segment-summary", headers=chem).json()} == {"CHEM"}
    assert api.get(f"{API}/customers/ltv?limit=500", headers=auth["admin"]).json()["total"] == len(ltv)
    assert api.get(f"{API}/customers/ltv?limit=500", headers=chem).json()["total"] == sum(
        r["scope"] == "CHEM" for r in ltv)

    customer = min(r["customer_id"] for r in rfm if r["scope"] == "CHEM")
    group_view = api.get(f"{API}/customers/{customer}", headers=auth["admin"]).json()
    assert [r["scope"] for r in group_view["rfm"]] == [r["scope"] for r in sorted(
        (r for r in rfm if r["customer_id"] == customer),
        key=lambda r: (r["scope_type"] != "group", r["scope"]))]
    assert [r["scope"] for r in api.get(f"{API}/customers/{customer}", headers=chem).json()["rfm"]] == ["CHEM"]
    elsewhere = min(r["customer_id"] for r in rfm if r["scope"] not in ("CHEM", "GROUP"))
    hidden = api.get(f"{API}/customers/{elsewhere}", headers=chem)
    assert hidden.status_code == 404 and error_code(hidden) == "not_found"

def test_inventory_accuracy_by_unit(api, demo_lake, auth):
    accuracy = gold(demo_lake, "SELECT warehouse_code, business_unit_code, snapshot_date "
                    "FROM gold.inventory_accuracy")
    latest = {}
    for r in accuracy:
        if r["snapshot_date"] > latest.get(r["warehouse_code"], (None, dt.date.min))[1]:
            latest[r["warehouse_code"]] = (r["business_unit_code"], r["snapshot_date"])
    served = api.get(f"{API}/inventory/accuracy", headers=auth["admin"]).json()
    assert [(i["warehouse_code"], i["snapshot_date"]) for i in served["items"]] == [
        (w, d.isoformat()) for w, (_, d) in sorted(latest.items())]
    every = api.get(f"{API}/inventory/accuracy?latest_only=false&limit=500", headers=auth["admin"]).json()
    assert every["total"] == len(accuracy)
    cutoff = min(d for _, d in latest.values()) - dt.timedelta(days=1)  # before every latest snapshot
    earlier = {}
    for r in accuracy:
        if r["snapshot_date"] <= cutoff:
            earlier[r["warehouse_code"]] = max(r["snapshot_date"], earlier.get(r["warehouse_code"], dt.date.min))
    as_of = api.get(f"{API}/inventory/accuracy?to_date={cutoff.isoformat()}&limit=500",
                    headers=auth["admin"]).json()
    assert earlier and [(i["warehouse_code"], i["snapshot_date"]) for i in as_of["items"]] == [
        (w, d.isoformat()) for w, d in sorted(earlier.items())]  # each warehouse's latest in the range
    power = api.get(f"{API}/inventory/accuracy?latest_only=false&limit=500",
                    headers=auth["finance.power"]).json()
    assert power["total"] == sum(r["business_unit_code"] == "POWER" for r in accuracy) > 0
    refused = api.get(f"{API}/inventory/accuracy?business_unit=CHEM", headers=auth["finance.power"])
    assert refused.status_code == 403 and error_code(refused) == "out_of_scope"

    warehouse = min(w for w, (unit, _) in latest.items() if unit == "POWER")
    lines = gold(demo_lake, "SELECT snapshot_date FROM gold.stock_reconciliation "
                 "WHERE warehouse_code = ?", [warehouse])
    url = f"{API}/inventory/warehouses/{warehouse}/reconciliation"
    assert api.get(url, headers=auth["admin"]).json()["total"] == len(lines) > 0
    assert api.get(url, headers=auth["finance.power"]).json()["total"] == len(lines)
    day = max(r["snapshot_date"] for r in lines)
    assert api.get(f"{url}?snapshot_date={day}", headers=auth["admin"]).json()["total"] == sum(
        r["snapshot_date"] == day for r in lines)
    for headers in (auth["procurement.chem"], auth["procurement.coal"]):
        hidden = api.get(url, headers=headers)
        assert hidden.status_code == 404 and error_code(hidden) == "not_found"
    unknown = api.get(f"{API}/inventory/warehouses/NOWHERE-000/reconciliation", headers=auth["admin"])
    assert unknown.status_code == 404

def test_fraud_risk_and_recommendations_by_unit(api, demo_lake, auth, multi_unit):
    risk = gold(demo_lake, """
        SELECT f.document_id, f.business_unit_code, f.risk_level, r.supplier_key
        FROM gold.ml_fraud_risk f LEFT JOIN gold.supplier_source_records r
          ON r.source_system = 'erp' AND r.source_record_id = f.vendor_id""")
    assert api.get(f"{API}/risk/documents", headers=auth["admin"]).json()["total"] == len(risk)
    coal = api.get(f"{API}/risk/documents?limit=500", headers=auth["procurement.coal"]).json()
    assert coal["total"] == sum(r["business_unit_code"] == "COAL" for r in risk)
    assert {i["business_unit_code"] for i in coal["items"]} == {"COAL"}
    high = api.get(f"{API}/risk/documents?risk_level=high", headers=auth["admin"]).json()
    assert high["total"] == sum(r["risk_level"] == "high" for r in risk)
    own = api.get(f"{API}/risk/documents?supplier_key={multi_unit}&limit=500", headers=auth["admin"]).json()
    assert own["total"] == sum(r["supplier_key"] == multi_unit for r in risk)
    assert {i["supplier_key"] for i in own["items"]} <= {multi_unit}

    recommendations = gold(demo_lake, "SELECT business_unit_code FROM gold.ml_recommendations")
    assert api.get(f"{API}/recommendations", headers=auth["admin"]).json()["total"] == len(recommendations)
    assert api.get(f"{API}/recommendations", headers=auth["procurement.coal"]).json()["total"] == sum(
        r["business_unit_code"] == "COAL" for r in recommendations)
    refused = api.get(f"{API}/recommendations?business_unit=MRO", headers=auth["procurement.coal"])
    assert refused.status_code == 403 and error_code(refused) == "out_of_scope"
