"""Tiered dealer rebates (阶梯返利): marginal tiers, a dealer crossing tiers mid-period,
reversal on refunds, settlement to the dealer's account."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from sqlalchemy import select

from tests.transactional.commerce import advance_to_delivered, unbalanced_entries
from transactional.accounting import ledger
from transactional.db.tables.core import outbox_events
from transactional.domain.rebates import (
    marginal_rebate,
    parse_tiers,
    period_bounds,
    reversal_share,
)

D = Decimal
TIERS = parse_tiers([{"from": "0", "rate_percent": "1"}, {"from": "9000", "rate_percent": "3"},
                     {"from": "20000", "rate_percent": "5"}])


def test_marginal_tiers_at_and_across_the_edges() -> None:
    assert marginal_rebate(TIERS, D(0), D(9000))[0] == D("90.0000")  # ends on the edge: 1 %
    assert marginal_rebate(TIERS, D(9000), D(1))[0] == D("0.0300")  # starts on it: 3 %
    amount, slices = marginal_rebate(TIERS, D(8000), D(2000))
    assert amount == D("40.0000") and [(s.tier, s.volume) for s in slices] == [
        (0, D("1000.0000")), (1, D("1000.0000"))]
    assert marginal_rebate(TIERS, D(8000), D(13000))[0] == D("10") + D("330") + D("50")


def test_a_period_total_does_not_depend_on_the_order_of_orders() -> None:
    orders = [D("4000"), D("7000"), D("12000")]
    totals = set()
    for permutation in itertools.permutations(orders):
        volume, total = D(0), D(0)
        for added in permutation:
            total += marginal_rebate(TIERS, volume, added)[0]
            volume += added
        totals.add(total)
    assert totals == {D("90") + D("330") + D("150")}


def test_reversal_share_and_periods() -> None:
    assert reversal_share(D("270"), D("9000"), D("4500")) == D("135.0000")
    assert reversal_share(D("270"), D("9000"), D("99999")) == D("270.0000")
    assert period_bounds("month", dt.date(2026, 12, 31)) == (dt.date(2026, 12, 1),
                                                             dt.date(2027, 1, 1))
    assert period_bounds("quarter", dt.datetime(2026, 2, 3, tzinfo=dt.UTC)) == (
        dt.date(2026, 1, 1), dt.date(2026, 4, 1))


def _setup(client, world, dealer_buyer: int | None = None) -> int:
    programme = client.post("/api/v1/promotions", json={
        "code": "COAL-REBATE", "name": "coal dealers", "kind": "tiered_rebate",
        "business_unit": "COAL", "currency": "CNY",
        "rules": {"period": "month", "tiers": [
            {"from": "0", "rate_percent": "1"}, {"from": "9000", "rate_percent": "3"},
            {"from": "20000", "rate_percent": "5"}]}}, headers=world.headers("procurement_coal"))
    assert programme.status_code == 201, programme.text
    buyer = world.users["buyer_coal"].user_id if dealer_buyer is None else dealer_buyer
    dealer = client.post("/api/v1/dealer-accounts", json={
        "code": "DLR-1", "name": "Datong Trading", "business_unit": "COAL",
        "buyer_user_id": buyer, "customer_ref": "CUST-000007"},
        headers=world.headers("admin_coal"))
    assert dealer.status_code == 201, dealer.text
    return dealer.json()["id"]


def _rebates(client, world, order_id: int) -> list[dict]:
    order = client.get(f"/api/v1/orders/{order_id}", headers=world.headers("buyer_coal")).json()
    return order["lines"][0]["rebates"]


def test_a_dealer_crossing_tiers_mid_period(client, world, db) -> None:
    dealer = _setup(client, world)
    offer = world.offer_ids[("SUP-1", "COAL-6000")]  # 900 CNY a tonne, no price promotions
    a = advance_to_delivered(client, world, offer, 10, "r-a")  # 9,000: ends on the 3 % edge
    b = advance_to_delivered(client, world, offer, 10, "r-b")  # 9,000: all at 3 %
    c = advance_to_delivered(client, world, offer, 5, "r-c")  # 4,500 across 20,000
    assert [r["amount"] for r in _rebates(client, world, a)] == ["90.0000"]
    assert [r["amount"] for r in _rebates(client, world, b)] == ["270.0000"]
    crossing = _rebates(client, world, c)[0]
    assert crossing["amount"] == "185.0000"  # 2,000 at 3 % + 2,500 at 5 %
    assert [(t["tier"], t["volume"], t["amount"]) for t in crossing["tiers"]] == [
        (1, "2000.0000", "60.0000"), (2, "2500.0000", "125.0000")]
    account = client.get(f"/api/v1/dealer-accounts/{dealer}",
                         headers=world.headers("buyer_coal")).json()
    period = account["periods"][0]
    assert (period["volume"], period["accrued"], period["tier"], period["rate_percent"]) == (
        "22500.0000", "545.0000", 2, "5.0000")
    assert account["rebates_unsettled"] == {"CNY": "545.0000"}
    # a buyer of the unit without a dealer account earns nothing
    other = advance_to_delivered(client, world, offer, 10, "r-d", buyer="buyer_coal2")
    assert client.get(f"/api/v1/orders/{other}", headers=world.headers("buyer_coal2")
                      ).json()["lines"][0]["rebates"] == []
    with db.read() as session:
        events = session.execute(select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "rebate.accrued")).scalars().all()
        assert [e["amount"] for e in events] == ["90.0000", "270.0000", "185.0000"]
        assert ledger.balances(session, "dealer_rebates_accrued") == {
            f"dealer_rebates_accrued:{dealer}:CNY": D("-545.0000")}
        assert unbalanced_entries(session) == []


def test_refunds_reverse_the_rebate_in_proportion_and_settlement_credits_the_dealer(
        client, world, db) -> None:
    dealer = _setup(client, world)
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    advance_to_delivered(client, world, offer, 10, "f-a")
    b = advance_to_delivered(client, world, offer, 10, "f-b")  # 270 at 3 %
    refund = client.post(f"/api/v1/orders/{b}/refunds", json={"amount": "4500",
                                                               "reason": "half returned"},
                         headers=world.headers("finance_coal"))
    assert refund.status_code == 201, refund.text
    assert [r["amount"] for r in _rebates(client, world, b)] == ["270.0000", "-135.0000"]
    client.post(f"/api/v1/orders/{b}/refunds", json={"amount": "4500", "reason": "rest"},
                headers=world.headers("finance_coal"))
    assert sum(D(r["amount"]) for r in _rebates(client, world, b)) == 0  # all reversed exactly
    account = client.get(f"/api/v1/dealer-accounts/{dealer}",
                         headers=world.headers("finance_coal")).json()
    assert account["periods"][0]["volume"] == "9000.0000"
    assert account["rebates_unsettled"] == {"CNY": "90.0000"}
    settled = client.post(f"/api/v1/dealer-accounts/{dealer}/rebate-settlements",
                          headers=world.headers("finance_coal"))
    assert settled.status_code == 201
    assert [(s["amount"], s["accruals"]) for s in settled.json()] == [("90.0000", 4)]
    again = client.post(f"/api/v1/dealer-accounts/{dealer}/rebate-settlements",
                        headers=world.headers("finance_coal"))
    assert again.json() == []
    assert client.post(f"/api/v1/dealer-accounts/{dealer}/rebate-settlements",
                       headers=world.headers("buyer_coal")).status_code == 403
    account = client.get(f"/api/v1/dealer-accounts/{dealer}",
                         headers=world.headers("buyer_coal")).json()
    assert (account["rebates_unsettled"], account["rebates_settled"]) == ({}, {"CNY": "90.0000"})
    with db.read() as session:
        balances = ledger.balances(session, "dealer_")
    assert balances == {f"dealer_credit:{dealer}:CNY": D("-90.0000"),
                        f"dealer_rebates_accrued:{dealer}:CNY": D("0.0000")}


def test_a_unit_dealer_account_counts_every_buyer_of_the_unit(client, world) -> None:
    client.post("/api/v1/promotions", json={
        "code": "UNIT-REBATE", "name": "u", "kind": "tiered_rebate", "business_unit": "COAL",
        "currency": "CNY", "rules": {"tiers": [{"from": "0", "rate_percent": "2"}]}},
        headers=world.headers("procurement_coal"))
    unit = client.post("/api/v1/dealer-accounts", json={
        "code": "COAL-AS-DEALER", "name": "Coal unit", "business_unit": "COAL"},
        headers=world.headers("finance_coal"))
    assert unit.status_code == 201
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    order = advance_to_delivered(client, world, offer, 1, "u-1", buyer="buyer_coal2")
    rebates = client.get(f"/api/v1/orders/{order}", headers=world.headers("buyer_coal2")
                         ).json()["lines"][0]["rebates"]
    assert [(r["dealer_account_id"], r["amount"]) for r in rebates] == [
        (unit.json()["id"], "18.0000")]
    duplicate = client.post("/api/v1/dealer-accounts", json={
        "code": "COAL-AS-DEALER", "name": "again", "business_unit": "COAL"},
        headers=world.headers("finance_coal"))
    assert duplicate.status_code == 409
    wrong_unit = client.post("/api/v1/dealer-accounts", json={
        "code": "X", "name": "x", "business_unit": "COAL",
        "buyer_user_id": world.users["buyer_power"].user_id},
        headers=world.headers("admin"))
    assert wrong_unit.status_code == 422
