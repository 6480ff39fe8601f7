"""The supplier score snapshot's badges and crosswalk (models/decisions/supplier_scores.py)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from models.decisions.supplier_scores import badge, supplier_score_snapshot


def _card(**overrides) -> dict:
    card = {"list_status": "ok", "is_ranked": True, "category_rank": 5, "category_ranked_count": 40,
            "list_cutoff_score": 30.0, "overall_score_low": 60.0}
    return {**card, **overrides}


def test_badges_follow_the_list_the_rank_and_the_interval() -> None:
    assert badge(_card(list_status="listed")) == "listed"
    assert badge(_card(list_status="watch")) == "watch"
    assert badge(_card(is_ranked=False)) == "unranked"
    assert badge(_card(category_rank=4)) == "top_decile"  # top 4 of 40
    assert badge(_card(category_rank=5)) is None
    assert badge(_card(category_rank=1, category_ranked_count=6)) == "top_decile"  # at least the first
    assert badge(_card(category_rank=2, category_ranked_count=6)) is None
    assert badge(_card(category_rank=1, overall_score_low=25.0)) is None  # interval reaches the cut-off


def test_one_row_per_platform_supplier_of_a_scored_golden_supplier() -> None:
    month = dt.date(2026, 11, 1)
    cards = pa.table({
        "supplier_key": ["K-A", "K-B"], "scorecard_month": [month, month], "overall_score": [88.0, 20.5],
        "overall_score_low": [80.0, 15.0], "overall_score_high": [95.0, 26.0],
        "main_category_name": ["Coal", "Coal"], "category_rank": [1, 9], "category_ranked_count": [9, 9],
        "list_status": ["ok", "listed"], "is_ranked": [True, True], "list_cutoff_score": [30.0, 30.0],
        "unranked_reason": [None, None]})
    crosswalk = pa.table({"source_system": ["erp", "platform", "platform", "platform"],
                          "source_record_id": ["V-1", "SUP-1", "SUP-2", "SUP-9"],
                          "supplier_key": ["K-A", "K-A", "K-B", "K-Z"]})
    rows = supplier_score_snapshot(cards, crosswalk).to_pylist()
    assert [(r["supplier_id"], r["overall_score"], r["category_rank"], r["badge"]) for r in rows] == [
        ("SUP-1", 88.0, 1, "top_decile"), ("SUP-2", 20.5, 9, "listed")]
