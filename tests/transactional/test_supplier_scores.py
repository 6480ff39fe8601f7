"""Served supplier scores on offers (#24 item 6): the lake's scorecards applied through the
inbound door show on every offer as the supplier's name, score, category rank and badge, and
buyers sort offers by price (in the group currency), lead time or score."""

from __future__ import annotations

import datetime as dt

import pytest

from transactional.core.inbound import Snapshot, apply_snapshot
from transactional.domain.errors import ValidationFailedError
from transactional.standing.scores import KIND, apply_supplier_scores

T0 = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)


def _scores(version: str, hours: int, **by_supplier: tuple[float, str | None]) -> Snapshot:
    rows = [{"supplier_id": s, "supplier_key": f"K-{s}", "scorecard_month": dt.date(2026, 11, 1),
             "overall_score": score, "overall_score_low": score - 4, "overall_score_high": score + 4,
             "category_name": "Thermal coal", "category_rank": rank, "category_ranked_count": 12,
             "list_status": "listed" if badge == "listed" else "ok", "badge": badge, "unranked_reason": None}
            for rank, (s, (score, badge)) in enumerate(sorted(by_supplier.items(), key=lambda i: -i[1][0]), 1)]
    return Snapshot(kind=KIND, version=version, produced_at=T0 + dt.timedelta(hours=hours),
                    source=f"gold/supplier_score_snapshot@v{hours}", rows=rows)


def _offers(client, world, **params) -> list[dict]:
    answer = client.get("/api/v1/offers", params=params, headers=world.headers("buyer_coal"))
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_offers_name_the_supplier_and_show_its_served_score_and_badge(client, world, db) -> None:
    before = _offers(client, world, sku_id=world.sku_ids["COAL-5500"])
    assert [(o["supplier_name"], o["supplier_score"]) for o in before] == [("Shanxi Jinhua Coal", None)]

    outcome = apply_snapshot(db, _scores("a" * 64, 0, **{"SUP-1": (91.5, "top_decile"), "SUP-2": (22.0, "listed")}),
                             apply_supplier_scores)
    assert (outcome.status, outcome.written) == ("applied", 2)
    [offer] = _offers(client, world, sku_id=world.sku_ids["COAL-5500"])
    assert offer["supplier_score"] == {
        "overall": 91.5, "low": 87.5, "high": 95.5, "category": "Thermal coal", "category_rank": 1,
        "category_ranked_count": 12, "badge": "top_decile", "unranked_reason": None,
        "scorecard_month": "2026-11-01"}
    tile = client.get(f"/api/v1/offers/{world.offer_ids[('SUP-2', 'TILE-600-W')]}", headers=world.headers("buyer_coal"))
    assert tile.json()["supplier_name"] == "Foshan Tiles" and tile.json()["supplier_score"]["badge"] == "listed"

    # the same version again changes nothing; a later one without SUP-2 removes its score
    assert apply_snapshot(db, _scores("a" * 64, 0, **{"SUP-1": (91.5, "top_decile"), "SUP-2": (22.0, "listed")}),
                          apply_supplier_scores).status == "already_applied"
    later = apply_snapshot(db, _scores("b" * 64, 24, **{"SUP-1": (80.0, None)}), apply_supplier_scores)
    assert (later.written, later.removed) == (1, 1)
    tile = client.get(f"/api/v1/offers/{world.offer_ids[('SUP-2', 'TILE-600-W')]}", headers=world.headers("buyer_coal"))
    assert tile.json()["supplier_score"] is None


def test_a_snapshot_naming_an_unknown_supplier_or_a_bad_score_is_refused_whole(db) -> None:
    with pytest.raises(ValidationFailedError) as unknown:
        apply_snapshot(db, _scores("c" * 64, 0, **{"SUP-1": (50.0, None), "SUP-404": (40.0, None)}),
                       apply_supplier_scores)
    assert unknown.value.code == "unknown_supplier"
    with pytest.raises(ValidationFailedError) as bad:
        apply_snapshot(db, _scores("d" * 64, 0, **{"SUP-1": (150.0, None)}), apply_supplier_scores)
    assert bad.value.code == "invalid_snapshot"


def test_offers_sort_by_price_in_the_group_currency_lead_time_and_score(client, world, db) -> None:
    # SUP-2 also offers COAL-5500, in USD: 105 USD at 7.1 = 745.5 CNY, cheaper than SUP-1's 800 CNY
    created = client.post("/api/v1/offers", headers=world.headers("supplier_2"), json={
        "sku_id": world.sku_ids["COAL-5500"], "currency": "USD", "moq": 1, "order_multiple": 1,
        "lead_time_days": 9, "price_tiers": [{"min_quantity": 1, "unit_price": "105.00"}]})
    assert created.status_code == 201, created.text
    usd = created.json()["id"]
    sup1 = world.offer_ids[("SUP-1", "COAL-5500")]
    sku = world.sku_ids["COAL-5500"]
    # no USD rate yet: the USD offer has no group-currency price and comes last either way
    assert [o["id"] for o in _offers(client, world, sku_id=sku, sort="price")] == [sup1, usd]
    assert [o["id"] for o in _offers(client, world, sku_id=sku, sort="-price")] == [sup1, usd]
    rate = client.put("/api/v1/fx-rates", headers=world.headers("finance_coal"), json={
        "rate_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(), "from_currency": "USD",
        "to_currency": "CNY", "rate": "7.10000000", "source": "test"})
    assert rate.status_code in (200, 201), rate.text
    assert [o["id"] for o in _offers(client, world, sku_id=sku, sort="price")] == [usd, sup1]
    assert [o["id"] for o in _offers(client, world, sku_id=sku, sort="-price")] == [sup1, usd]
    assert [o["id"] for o in _offers(client, world, sku_id=sku, sort="lead_time")] == [sup1, usd]  # 3 vs 9 days
    # by score: highest first, suppliers without a score last
    assert [o["id"] for o in _offers(client, world, sku_id=sku, sort="score")] == [sup1, usd]  # no scores: by id
    apply_snapshot(db, _scores("e" * 64, 0, **{"SUP-1": (40.0, None), "SUP-2": (75.0, None)}), apply_supplier_scores)
    assert [o["id"] for o in _offers(client, world, sku_id=sku, sort="score")] == [usd, sup1]
    assert [o["id"] for o in _offers(client, world, sku_id=sku, sort="-score")] == [sup1, usd]
    bad = client.get("/api/v1/offers", params={"sort": "colour"}, headers=world.headers("buyer_coal"))
    assert bad.status_code == 422 and "sort" in bad.text
