"""The recommender's lake side on tiny hand-made data: history SQL (ERP + platform outbox),
the due item first with its reason, business rules, related SKUs, supplier ranking, snapshot."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from models.ml.recommend.lake import PlatformCatalogue, platform_catalogue, purchase_history
from models.ml.recommend.ranker import fit_ranker
from models.ml.recommend.rules import (
    Candidate,
    OfferState,
    SupplierState,
    apply_rules,
    orderable_suppliers,
)
from models.ml.recommend.signals import build_signals
from models.ml.recommend.snapshot import decision_snapshot, snapshot_problems
from models.ml.recommend.suppliers import SupplierParams, candidate_features, supplier_reason
from models.ml.recommend.together import TogetherParams, related_items
from models.ml.recommend.transactions import normalise, split_last_order
from tests.models.ml.erp import Erp, utc
from tests.models.reco.test_evaluate import history

NOW = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def _outbox(con, events: list[tuple[str, str, dict]]) -> None:
    con.execute("CREATE TABLE bronze.tx__outbox_events (event_id VARCHAR, sequence_id BIGINT, event_type VARCHAR, "
                "aggregate_type VARCHAR, aggregate_id VARCHAR, business_unit VARCHAR, supplier_id VARCHAR, "
                "payload VARCHAR, occurred_at TIMESTAMPTZ)")
    for seq, (event_type, aggregate_id, payload) in enumerate(events, start=1):
        con.execute("INSERT INTO bronze.tx__outbox_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [f"e{seq}", seq, event_type, event_type.split(".")[0], aggregate_id, payload.get("business_unit"),
                     payload.get("supplier_id"), json.dumps(payload), utc("2026-04-01 08:00") + dt.timedelta(hours=seq)])


def test_history_joins_erp_orders_and_platform_orders():
    erp = Erp()
    erp.add("materials", material_id="M1", sku="SKU-1", name="Cement")
    erp.add("materials", material_id="M2", sku="SKU-2", name="Sand")
    for po, status in (("P1", "closed"), ("P2", "cancelled")):
        erp.add("purchase_orders", purchase_order_id=po, business_unit_code="BMAT", vendor_id="V1", buyer_id="U-1",
                order_date=dt.date(2026, 3, 2), created_at=utc("2026-03-02 02:00"), currency="CNY", status=status)
        erp.add("purchase_order_lines", purchase_order_line_id=f"{po}-1", purchase_order_id=po, material_id="M1",
                unit_price=10, currency="CNY")
    con = erp.connect()
    _outbox(con, [
        ("sku.created", "11", {"id": 11, "code": "SKU-1", "name": "Cement"}),
        ("sku.created", "12", {"id": 12, "code": "SKU-2", "name": "Sand"}),
        ("offer.created", "101", {"id": 101, "supplier_id": "V1", "sku_id": 12, "is_active": True,
                                  "lead_time_days": 5, "available_quantity": 40, "currency": "CNY",
                                  "price_tiers": [{"min_quantity": 1, "unit_price": "9.5000"}]}),
        ("offer.changed", "101", {"id": 101, "supplier_id": "V1", "sku_id": 12, "is_active": False,
                                  "lead_time_days": 5, "available_quantity": 40, "currency": "CNY",
                                  "price_tiers": [{"min_quantity": 1, "unit_price": "9.0000"}]}),
        ("order.placed", "7", {"id": 7, "buyer_user_id": 3, "business_unit": "BMAT", "supplier_id": "V1",
                               "placed_at": "2026-04-02T09:00:00Z",
                               "lines": [{"sku_id": 12, "offer_id": 101}, {"sku_id": 11, "offer_id": 100}]}),
        ("order.placed", "8", {"id": 8, "buyer_user_id": 3, "business_unit": "BMAT", "supplier_id": "V1",
                               "placed_at": "2026-04-03T09:00:00Z", "lines": [{"sku_id": 12, "offer_id": 101}]}),
        ("order.cancelled", "8", {"id": 8}),
    ])
    tx = purchase_history(con)
    assert tx[["customer_id", "item_id", "order_id"]].values.tolist() == [
        ["U-1", "SKU-1", "P1"], ["platform:3", "SKU-1", "platform:7"], ["platform:3", "SKU-2", "platform:7"]]
    assert set(tx["group_id"]) == {"BMAT"}
    catalogue = platform_catalogue(con)
    offer = catalogue.offers.iloc[0]
    assert (offer["offer_id"], bool(offer["is_active"]), offer["unit_price"]) == (101, False, 9.0)  # latest event
    assert catalogue.buyers.values.tolist() == [[3, "BMAT"]]
    assert dict(zip(catalogue.skus["sku_code"], catalogue.skus["sku_id"], strict=True)) == {"SKU-1": 11, "SKU-2": 12}


def test_no_outbox_means_no_platform_history():
    erp = Erp()
    assert purchase_history(erp.connect()).empty
    assert platform_catalogue(erp.connect()).offers.empty


def test_the_due_item_comes_first_with_its_reason():
    tx = normalise(history())
    split = split_last_order(tx)
    model = fit_ranker(split.history)
    targets = split.target.rename(columns={"ordered_at": "at"})[["customer_id", "at", "group_id"]]
    recs = model.recommend(build_signals(split.history), targets, k=3)
    first = recs[recs["rank"] == 1].set_index("customer_id")
    assert first["item_id"].to_dict() == {"a": "oil", "b": "jam", "c": "ash", "d": "cup"}
    assert first.loc["a", "reason_kind"] == "due"
    assert first.loc["a", "reason"] == "due for reorder: every ~21 days, last 21 days ago"


def _offers() -> dict[int, list[OfferState]]:
    return {1: [OfferState(10, "S-SUSP", 1, True, 50, 3), OfferState(11, "S-OK", 1, True, 0, 12)],
            2: [OfferState(20, "S-OK", 2, False, 50, 3)],
            3: [OfferState(30, "S-SUSP", 3, True, 50, 3)],
            4: [OfferState(40, "S-OK", 4, True, 5, 2, frozenset({"COAL"}))],
            5: [OfferState(50, "S-NEW", 5, True, 5, 2)],
            6: [OfferState(60, "S-OK", 6, True, 0, None)],
            7: [OfferState(70, "S-OK", 7, True, 9, 4), OfferState(71, "S-LATE", 7, True, 9, 1)]}


SUPPLIERS = {"S-OK": SupplierState("S-OK", "approved"), "S-NEW": SupplierState("S-NEW", "pending"),
             "S-SUSP": SupplierState("S-SUSP", "approved", suspended=True),
             "S-LATE": SupplierState("S-LATE", "approved", suspended=True, suspended_until=NOW - dt.timedelta(days=1))}


def test_suspended_suppliers_and_inactive_offers_are_never_recommended():
    candidates = [Candidate(sku, sku, 1.0 / sku, f"reason {sku}", ("S-LATE",) if sku == 7 else ()) for sku in range(1, 9)]
    result = apply_rules(candidates, business_unit="BMAT", offers_by_sku=_offers(), suppliers=SUPPLIERS, now=NOW)
    shown = [(s.sku_id, s.rank, s.offer_id, s.supplier_id, s.fulfilment) for s in result.shown]
    assert shown == [(1, 1, 11, "S-OK", "lead time 12 days"), (7, 2, 71, "S-LATE", "in stock")]
    assert result.dropped == {2: "offer_inactive", 3: "supplier_suspended", 4: "not_orderable_by_unit",
                              5: "supplier_not_approved", 6: "no_stock_no_lead_time", 8: "no_offer"}
    coal = apply_rules([Candidate(4, 1, 0.5, "r")], business_unit="COAL", offers_by_sku=_offers(),
                       suppliers=SUPPLIERS, now=NOW)
    assert [s.offer_id for s in coal.shown] == [40]
    ranking = orderable_suppliers([("S-SUSP", 0.7, "a"), ("S-OK", 0.3, "b")], _offers()[1], business_unit="BMAT",
                                  suppliers=SUPPLIERS, now=NOW)
    assert ranking == [("S-OK", 11, 0.3, "b")]


def test_related_items_support_confidence_lift():
    # orders: {a,b} x3, {a,c}, {b}, {c}: a in 4 of 6, b in 4, a&b in 3
    baskets = [["a", "b"], ["a", "b"], ["a", "b"], ["a", "c"], ["b"], ["c"]]
    tx = pd.DataFrame([(str(i), item) for i, basket in enumerate(baskets) for item in basket],
                      columns=["order_id", "item_id"])
    rows = related_items(tx, TogetherParams(min_orders=2), {"a": "Alpha"})
    assert rows[["sku", "related_sku", "orders_together"]].values.tolist() == [["a", "b", 3], ["b", "a", 3]]
    first = rows.iloc[0]
    assert first["support"] == pytest.approx(3 / 6) and first["confidence"] == pytest.approx(3 / 4)
    assert first["lift"] == pytest.approx((3 / 4) / (4 / 6))
    assert first["reason"] == "ordered together in 3 orders: 75% of the orders of Alpha"


def test_supplier_features_and_reason():
    t = pd.Timestamp("2026-01-01", tz="UTC")
    lines = pd.DataFrame({"group_id": ["BMAT"] * 4, "item_id": ["S1"] * 4, "vendor_id": ["V1", "V1", "V1", "V2"],
                          "ordered_at": [t - pd.Timedelta(days=d) for d in (400, 100, 50, 20)]})
    offers = pd.DataFrame({"vendor_id": ["V1", "V2", "V3"], "business_unit_code": ["BMAT"] * 3, "sku": ["S1"] * 3,
                           "valid_from": pd.to_datetime(["2025-01-01"] * 3).date, "price_cny": [110.0, 100.0, 120.0],
                           "lead_time_days": [5.0, 10.0, 5.0]})
    quality = pd.DataFrame({"vendor_id": ["V1"], "deliveries": [80], "on_time": [80], "inspected_units": [8000],
                            "defective_units": [0]})
    cand = candidate_features(lines, offers, quality, t, SupplierParams()).set_index("vendor_id")
    assert cand.loc["V1", "unit_share"] == pytest.approx(0.75) and cand.loc["V3", "unit_share"] == 0
    assert cand.loc["V1", "recent_share"] == pytest.approx(2 / 3)
    assert cand.loc["V1", "price_ratio"] == pytest.approx(1.1) and cand.loc["V2", "lead_ratio"] == pytest.approx(2)
    assert cand.loc["V1", "on_time_rate"] == pytest.approx(1.0) and pd.isna(cand.loc["V2", "on_time_rate"])
    assert supplier_reason(cand.loc["V1"].to_dict() | {"defect_rate": 0.0}) == (
        "chosen for 75% of your unit's orders of it; price 10.0% above the cheapest offer; on time 100%, "
        "defects 0.00%; lead time 5 days")


def test_snapshot_is_keyed_by_platform_ids():
    recs = pd.DataFrame({
        "buyer_id": ["platform:3", "platform:3", "platform:3", "unit:BMAT"],
        "buyer_source": ["platform", "platform", "platform", "unit"], "platform_user_id": [3, 3, 3, None],
        "business_unit_code": ["BMAT"] * 4, "rank": [1, 2, 3, 1], "sku": ["SKU-1", "SKU-X", "SKU-2", "SKU-2"],
        "platform_sku_id": [11, None, 12, 12], "preferred_vendor_id": ["V2", None, None, None],
        "score": [0.9, 0.8, 0.5, 0.4], "reason_kind": ["due", "regular", "together", "popular"],
        "reason": ["r1", "r2", "r3", "r4"]})
    catalogue = PlatformCatalogue(
        skus=pd.DataFrame({"sku_id": [11, 12], "sku_code": ["SKU-1", "SKU-2"], "name": ["a", "b"]}),
        offers=pd.DataFrame({"offer_id": [101, 102, 103], "supplier_id": ["V1", "V2", "V1"], "sku_id": [11, 11, 12],
                             "is_active": [True, True, True], "lead_time_days": [3, 3, 3],
                             "available_quantity": [5, 5, 5], "currency": ["CNY"] * 3,
                             "unit_price": [9.0, 10.0, 4.0]}),
        buyers=pd.DataFrame({"user_id": [3], "business_unit": ["BMAT"]}))
    related = pd.DataFrame({"sku": ["SKU-1"], "rank": [1], "related_sku": ["SKU-2"], "confidence": [0.6],
                            "reason": ["ordered together"]})
    suppliers = pd.DataFrame({"business_unit_code": ["BMAT"], "sku": ["SKU-1"], "rank": [1], "vendor_id": ["V2"],
                              "score": [0.7], "reason": ["chosen for 70%"]})
    snap = decision_snapshot(recs, related, suppliers, catalogue)
    buyer = snap[snap["section"] == "buyer_items"]
    assert buyer[["buyer_user_id", "sku_id", "rank", "offer_id", "supplier_id"]].values.tolist() == [
        [3, 11, 1, 102, "V2"], [3, 12, 2, 103, "V1"]]  # SKU-X is not on the platform: left out
    assert snap[snap["section"] == "unit_items"][["sku_id", "rank", "offer_id"]].values.tolist() == [[12, 1, 103]]
    assert snap[snap["section"] == "related_items"][["sku_id", "related_sku_id"]].values.tolist() == [[11, 12]]
    ranked = snap[(snap["section"] == "sku_suppliers") & (snap["sku_id"] == 11)]
    assert ranked[["supplier_id", "offer_id", "rank", "reason_kind"]].values.tolist() == [
        ["V2", 102, 1, "model"], ["V1", 101, 2, "offer"]]
    assert snapshot_problems(snap) == {}
    assert "one_row_per_key" in snapshot_problems(pd.concat([snap, snap.iloc[[0]]], ignore_index=True))
