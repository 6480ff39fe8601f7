"""Price promotions: full reduction (满减), percentage, stacking and priority, scope, versions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tests.transactional.commerce import place
from transactional.db.tables.catalogue import promotion_versions
from transactional.db.tables.ordering import order_line_promotions
from transactional.domain.promotions import (
    LineAmount,
    PriceRule,
    apply_promotions,
    discount_for,
    split,
)

D = Decimal


def mj(pid: int = 1, priority: int = 10, stacking: str = "stackable", **rules: object
       ) -> PriceRule:
    return PriceRule(pid, 1, f"MJ{pid}", "full_reduction", priority, stacking,
                     currency="CNY", rules={"threshold": "2000", "reduction": "200", **rules})


def pct(pid: int = 2, priority: int = 20, stacking: str = "stackable", percent: str = "5",
        **extra: object) -> PriceRule:
    return PriceRule(pid, 1, f"P{pid}", "percentage", priority, stacking,
                     rules={"percent": percent, **extra.pop("rules", {})}, **extra)


def test_full_reduction_every_threshold_once_and_capped() -> None:
    assert discount_for(mj(), D("4500")) == D("400.0000")  # 200 off every 2,000
    assert discount_for(mj(), D("1999.99")) == D("0.0000")
    assert discount_for(mj(repeat=False), D("4500")) == D("200.0000")
    assert discount_for(mj(max_reduction="300"), D("9000")) == D("300.0000")


def test_percentage_with_minimum_and_cap() -> None:
    assert discount_for(pct(percent="5"), D("8200")) == D("410.0000")
    assert discount_for(pct(percent="2.5", rules={"min_amount": "1000"}), D("999")) == D(0)
    assert discount_for(pct(percent="10", rules={"max_discount": "50"}), D("8200")) == D("50")
    # half-even on the 4th place: 0.5 % of 0.01 = 0.00005 -> 0.0000, of 0.03 -> 0.0002
    assert discount_for(pct(percent="0.5"), D("0.01")) == D("0.0000")
    assert discount_for(pct(percent="0.5"), D("0.03")) == D("0.0002")


def test_stackable_promotions_apply_in_priority_order_on_net_amounts() -> None:
    line = [LineAmount(1, 7, D("9000"))]
    first_mj, applied = apply_promotions(line, [pct(priority=20), mj(priority=10)], "CNY")
    assert first_mj == {1: D("1210.0000")}  # 800 off 9,000, then 5 % of 8,200 = 410
    assert [(a.code, a.sequence, a.amount) for a in applied] == [
        ("MJ1", 1, D("800.0000")), ("P2", 2, D("410.0000"))]
    first_pct, _ = apply_promotions(line, [pct(priority=5), mj(priority=10)], "CNY")
    assert first_pct == {1: D("1250.0000")}  # 450 off 9,000, then 4 x 200 off 8,550


def test_exclusive_locks_its_lines_and_skips_promoted_ones() -> None:
    lines = [LineAmount(1, 7, D("3000")), LineAmount(2, 8, D("1000"))]
    exclusive_first = [mj(priority=1, stacking="exclusive"), pct(priority=2)]
    discounts, applied = apply_promotions(lines, exclusive_first, "CNY")
    assert {a.code for a in applied} == {"MJ1"}  # the percentage never gets a line
    assert sum(discounts.values()) == D("400.0000")  # 4,000: two full 2,000s
    exclusive_last = [pct(priority=1), mj(priority=2, stacking="exclusive")]
    discounts, applied = apply_promotions(lines, exclusive_last, "CNY")
    assert {a.code for a in applied} == {"P2"} and sum(discounts.values()) == D("200.0000")


def test_stacks_with_scope_and_currency() -> None:
    lines = [LineAmount(1, 7, D("4000")), LineAmount(2, 8, D("1000"))]
    picky = pct(priority=20, stacks_with=frozenset({"percentage"}))
    _, applied = apply_promotions(lines, [mj(priority=10), picky], "CNY")
    assert [a.code for a in applied] == ["MJ1", "MJ1"]  # the 5 % refuses to sit next to 满减
    scoped = pct(priority=1, category_id=8)
    discounts, applied = apply_promotions(lines, [scoped], "CNY")
    assert discounts == {1: D(0), 2: D("50.0000")} and [a.line_no for a in applied] == [2]
    dollars = PriceRule(9, 1, "USD-MJ", "full_reduction", currency="USD",
                        rules={"threshold": "100", "reduction": "10"})
    assert apply_promotions(lines, [dollars], "CNY")[1] == []  # no FX at the till


def test_an_order_discount_is_split_pro_rata_with_the_remainder_on_the_largest_line() -> None:
    lines = [LineAmount(1, 7, D("1000")), LineAmount(2, 7, D("1000")),
             LineAmount(3, 7, D("1000"))]
    discounts, _ = apply_promotions(lines, [mj(reduction="100", threshold="3000")], "CNY")
    assert discounts == {1: D("33.3334"), 2: D("33.3333"), 3: D("33.3333")}


@given(st.decimals(min_value=0, max_value=10**9, places=4),
       st.lists(st.decimals(min_value=D("0.0001"), max_value=10**7, places=4), min_size=1,
                max_size=8))
def test_split_always_adds_up_exactly(amount: Decimal, weights: list[Decimal]) -> None:
    shares = split(amount, list(enumerate(weights)))
    assert sum(shares.values()) == amount.quantize(D("0.0001"))
    total = sum(weights)
    for i, w in enumerate(weights):
        assert abs(shares[i] - amount * w / total) <= D("0.0001") * len(weights)


def _promotion(client, world, user: str = "procurement_coal", **body: object):
    defaults = {"name": "p", "business_unit": "COAL", "stacking": "stackable"}
    return client.post("/api/v1/promotions", json={**defaults, **body},
                       headers=world.headers(user))


def test_placement_records_each_promotion_per_line_with_its_version(client, world, db) -> None:
    assert _promotion(client, world, code="MJ", kind="full_reduction", currency="CNY",
                      priority=10, rules={"threshold": "2000", "reduction": "200"}
                      ).status_code == 201
    pct_id = _promotion(client, world, code="P5", kind="percentage", priority=20,
                        rules={"percent": "5"}).json()["id"]
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    order = place(client, world, offer, 10, "promo-1")
    assert (order["gross_amount"], order["discount_amount"], order["total_amount"]) == (
        "9000.0000", "1210.0000", "7790.0000")
    line = order["lines"][0]
    assert (line["line_amount"], line["discount_amount"], line["net_amount"]) == (
        "9000.0000", "1210.0000", "7790.0000")
    assert [(p["kind"], p["promotion_version"], p["amount"]) for p in line["promotions"]] == [
        ("full_reduction", 1, "800.0000"), ("percentage", 1, "410.0000")]
    changed = client.patch(f"/api/v1/promotions/{pct_id}", json={"rules": {"percent": "10"}},
                           headers=world.headers("procurement_coal"))
    assert changed.status_code == 200 and changed.json()["version"] == 2
    second = place(client, world, offer, 10, "promo-2")
    assert second["lines"][0]["promotions"][1]["promotion_version"] == 2
    assert second["discount_amount"] == "1620.0000"  # 800 + 10 % of 8,200
    again = client.get(f"/api/v1/orders/{order['id']}", headers=world.headers("buyer_coal"))
    assert again.json() == order  # the first order keeps version 1 and its amounts
    with db.read() as session:
        versions = session.execute(select(promotion_versions.c.version,
                                          promotion_versions.c.snapshot)
                                   .where(promotion_versions.c.promotion_id == pct_id)
                                   .order_by(promotion_versions.c.version)).all()
        recorded = session.execute(select(order_line_promotions)).all()
    assert [(v.version, v.snapshot["rules"]["percent"]) for v in versions] == [
        (1, "5.0000"), (2, "10.0000")]
    assert len(recorded) == 4


def test_validity_window_activity_and_unit_scope(client, world) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    _promotion(client, world, code="OLD", kind="percentage", rules={"percent": "50"},
               valid_from="2020-01-01T00:00:00Z", valid_to="2021-01-01T00:00:00Z")
    _promotion(client, world, code="LATER", kind="percentage", rules={"percent": "50"},
               valid_from="2099-01-01T00:00:00Z")
    off = _promotion(client, world, code="OFF", kind="percentage", rules={"percent": "50"})
    client.patch(f"/api/v1/promotions/{off.json()['id']}", json={"is_active": False},
                 headers=world.headers("procurement_coal"))
    _promotion(client, world, code="COAL-ONLY", kind="percentage", rules={"percent": "1"})
    assert place(client, world, offer, 10, "w-1")["discount_amount"] == "90.0000"
    assert place(client, world, offer, 10, "w-2", buyer="buyer_power")["discount_amount"] == (
        "0.0000")


def test_who_may_create_promotions(client, world) -> None:
    body = {"code": "X", "kind": "percentage", "rules": {"percent": "5"}}
    assert _promotion(client, world, "buyer_coal", **body).status_code == 403
    assert _promotion(client, world, "procurement_coal", **{**body, "business_unit": "POWER"}
                      ).status_code == 403
    bad = _promotion(client, world, **{**body, "rules": {"percent": "150"}})
    assert bad.status_code == 422 and "percent" in bad.text
    no_currency = _promotion(client, world, code="Y", kind="full_reduction",
                             rules={"threshold": "10", "reduction": "1"})
    assert no_currency.status_code == 422
    group = _promotion(client, world, "admin", **{**body, "business_unit": None})
    assert group.status_code == 201
    assert _promotion(client, world, **{**body, "code": "X"}).status_code == 409
    listed = client.get("/api/v1/promotions", headers=world.headers("buyer_power")).json()
    assert [p["code"] for p in listed["items"]] == ["X"]  # group-wide: everyone sees it


@pytest.mark.parametrize("tiers", [[{"from": "100", "rate_percent": "1"}],
                                   [{"from": "0", "rate_percent": "3"},
                                    {"from": "100", "rate_percent": "1"}]])
def test_rebate_tiers_are_validated(client, world, tiers) -> None:
    response = _promotion(client, world, code="R", kind="tiered_rebate", currency="CNY",
                          rules={"tiers": tiers})
    assert response.status_code == 422
