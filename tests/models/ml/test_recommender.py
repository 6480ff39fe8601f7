"""Supplier recommendations on a tiny purchase history: CF, quality blend, candidates, metrics."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from models.ml.features.interactions import purchase_events, vendor_catalogue, vendor_quality
from models.ml.recommend.evaluate import evaluate_recommendations, ndcg_at_k, relevant_new_vendors
from models.ml.recommend.model import RecommenderParams, fit_recommender, quality_scores
from tests.models.ml.erp import Erp, utc

HISTORY = {"B1": ["V1", "V1", "V1", "V2", "V2"], "B2": ["V1", "V2", "V3"], "B3": ["V1", "V3", "V4"], "B4": ["V5"]}


def _events() -> pd.DataFrame:
    rows = [(b, "BMAT", v) for b, vs in HISTORY.items() for v in vs] + [("C1", "COAL", "W1")]
    return pd.DataFrame(rows, columns=["buyer_id", "business_unit_code", "vendor_id"])


def _catalogue() -> pd.DataFrame:
    rows = [(f"V{i}", "BMAT", f"Vendor {i}", "blocked" if i == 6 else "active") for i in range(1, 7)]
    rows.append(("W1", "COAL", "Coal vendor", "active"))
    return pd.DataFrame(rows, columns=["vendor_id", "business_unit_code", "vendor_name", "status"])


def _quality(bad: str | None = None) -> pd.DataFrame:
    rows = [(v, 50, 0 if v == bad else 48, 1000, 5) for v in [f"V{i}" for i in range(1, 7)] + ["W1"]]
    return pd.DataFrame(rows, columns=["vendor_id", "deliveries", "on_time", "inspected_units", "defective_units"])


def _recs(params: RecommenderParams, quality: pd.DataFrame | None = None) -> pd.DataFrame:
    events, catalogue = _events(), _catalogue()
    return fit_recommender(events, catalogue, quality, params).recommend(events, catalogue)


def test_item_knn_recommends_the_vendors_used_alongside_the_buyers_own():
    recs = _recs(RecommenderParams(method="item_knn", popularity_blend=0.0, quality_weight=0.0))
    b1 = recs[recs["buyer_id"] == "B1"]
    assert b1["vendor_id"].tolist() == ["V3", "V4", "V5"]  # V3 shares two buyers with V1/V2, V5 none
    assert b1["rank"].tolist() == [1, 2, 3]
    assert b1["cf_score"].iloc[0] == 1.0 and b1["cf_score"].iloc[-1] == 0.0


def test_candidates_are_active_vendors_of_the_unit_not_yet_used():
    recs = _recs(RecommenderParams())
    assert set(recs["vendor_id"]) <= {"V1", "V2", "V3", "V4", "V5"}  # never blocked V6 nor COAL's W1
    for buyer, vendors in HISTORY.items():
        assert not set(recs.loc[recs["buyer_id"] == buyer, "vendor_id"]) & set(vendors)
    assert recs.loc[recs["buyer_id"] == "C1"].empty  # no other active COAL vendor
    assert (recs.loc[recs["buyer_id"] == "B4", "vendor_id"].tolist()) == ["V1", "V2", "V3", "V4"]


def test_quality_blend_demotes_an_unreliable_vendor():
    plain = _recs(RecommenderParams(method="item_knn", popularity_blend=0.0, quality_weight=0.0), _quality("V3"))
    blended = _recs(RecommenderParams(method="item_knn", popularity_blend=0.0, quality_weight=1.0), _quality("V3"))
    assert plain.loc[plain["buyer_id"] == "B1", "vendor_id"].iloc[0] == "V3"
    assert blended.loc[blended["buyer_id"] == "B1", "vendor_id"].iloc[0] == "V4"
    top = blended.loc[blended["buyer_id"] == "B1"].iloc[0]
    # group on-time rate 288/350; V4: (48 + 20 x 288/350) / 70 = 92%
    assert top["reason"] == "used by 1 buyer(s) of the unit; on time 92%, defect rate 0.50%"


def test_popularity_and_svd_rank_among_the_same_candidates():
    pop = _recs(RecommenderParams(method="popularity", quality_weight=0.0))
    assert pop.loc[pop["buyer_id"] == "B4", "vendor_id"].iloc[0] == "V1"  # most used in the unit
    svd = _recs(RecommenderParams(method="svd", n_components=2, quality_weight=0.0))
    assert set(svd["buyer_id"]) == set(pop["buyer_id"])
    with pytest.raises(ValueError, match="unknown method"):
        fit_recommender(_events(), _catalogue(), None, RecommenderParams(method="als"))


def test_quality_scores_are_shrunk_towards_the_group_rate():
    q = pd.DataFrame({"vendor_id": ["A", "B"], "deliveries": [10, 90], "on_time": [5, 90],
                      "inspected_units": [0, 2000], "defective_units": [0, 20]})
    scores = quality_scores(q, RecommenderParams(prior_deliveries=20, prior_units=2000)).set_index("vendor_id")
    group_on_time, group_defects = 95 / 100, 20 / 2000
    assert scores.loc["A", "on_time_rate"] == pytest.approx((5 + 20 * group_on_time) / 30)
    assert scores.loc["A", "defect_rate"] == pytest.approx(group_defects)  # no inspection: the group's rate
    assert scores.loc["B", "defect_rate"] == pytest.approx((20 + 2000 * group_defects) / 4000)
    assert scores.loc["A", "quality_score"] == pytest.approx(
        scores.loc["A", "on_time_rate"] * (1 - group_defects) ** 10)


def test_holdout_metrics_exact():
    train = pd.DataFrame({"buyer_id": ["B1", "B2"], "vendor_id": ["V1", "V1"]})
    test = pd.DataFrame({"buyer_id": ["B1", "B1", "B2", "B3"], "vendor_id": ["V1", "V3", "V1", "V9"]})
    relevant = relevant_new_vendors(train, test)
    assert relevant == {"B1": {"V3"}, "B3": {"V9"}}  # B2 bought nothing new
    recs = pd.DataFrame({"buyer_id": ["B1", "B1", "B3", "B3"], "rank": [1, 2, 1, 2],
                         "vendor_id": ["V2", "V3", "V8", "V7"]})
    report = evaluate_recommendations(recs, relevant, k=2, bad_vendors={"V2"})
    assert report["users"] == 2
    assert report["precision_at_2"] == pytest.approx(0.25)
    assert report["recall_at_2"] == pytest.approx(0.5)
    assert report["hit_rate_at_2"] == pytest.approx(0.5)
    assert report["ndcg_at_2"] == pytest.approx((1 / math.log2(3)) / 2)
    assert report["bad_share_at_2"] == pytest.approx(0.25)
    assert ndcg_at_k(["V3"], {"V3"}, 10) == 1.0


def test_interaction_sql_on_a_tiny_erp():
    erp = Erp()
    erp.add("fx_rates", rate_date=dt.date(2026, 1, 1), from_currency="USD", to_currency="CNY", rate=7.0)
    erp.add("vendors", vendor_id="V1", business_unit_code="BMAT", name="Alpha", status="active",
            created_at=utc("2025-01-01 00:00"))
    for po, status, currency in (("P1", "closed", "CNY"), ("P2", "cancelled", "CNY"), ("P3", "approved", "USD")):
        erp.add("purchase_orders", purchase_order_id=po, business_unit_code="BMAT", vendor_id="V1", buyer_id="B1",
                order_date=dt.date(2026, 3, 2), currency=currency, total_amount=100, status=status)
    erp.add("shipments", shipment_id="S1", vendor_id="V1", promised_date=dt.date(2026, 3, 10),
            delivered_at=utc("2026-03-10 15:00"))  # 23:00 local on the promised day: on time
    erp.add("shipments", shipment_id="S2", vendor_id="V1", promised_date=dt.date(2026, 3, 10),
            delivered_at=utc("2026-03-10 17:00"))  # 01:00 local the day after: late
    erp.add("goods_receipts", goods_receipt_id="G1", purchase_order_id="P1")
    erp.add("quality_inspections", quality_inspection_id="Q1", goods_receipt_id="G1",
            inspected_at=utc("2026-03-11 02:00"), sample_size=50, defects_found=2)
    con = erp.connect()
    events = purchase_events(con)
    assert events["purchase_order_id"].tolist() == ["P1", "P3"]  # the cancelled order is no feedback
    assert events["amount_cny"].tolist() == [100.0, 700.0]
    quality = vendor_quality(con).iloc[0]
    assert (quality["deliveries"], quality["on_time"], quality["inspected_units"], quality["defective_units"]) \
        == (2, 1, 50, 2)
    assert vendor_quality(con, dt.date(2026, 3, 10)).empty  # nothing delivered or inspected before the 10th
    assert vendor_catalogue(con)["vendor_id"].tolist() == ["V1"]
