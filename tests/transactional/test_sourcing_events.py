"""Sourcing events (#28): sealed bids (invisible to the buyer, procurement and other suppliers
before closing — lists, reads, tabulation, outbox, audit — and visible after), bids after
closing refused with 409 and the reason, the tabulation in landed group-currency cost, the
award and its four-eyes approval above the limit, the bidders' outcomes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from transactional.accounting.fx import set_rate
from transactional.db.outbox import read_events
from transactional.db.tables.core import audit_log
from transactional.db.tables.tendering import sourcing_events
from transactional.domain.errors import ConflictError
from transactional.domain.principal import SYSTEM
from transactional.tendering.awards import approved_award_lines

BASE = "/api/v1/sourcing-events"
SECRET_PRICE = "777.7"  # SUP-1's price: must appear nowhere but to SUP-1 before closing


def _event_body(world, **extra) -> dict:
    need_by = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    closes = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    return {"title": "Q1 coal and belts", "closes_at": closes,
            "lines": [{"sku_id": world.sku_ids["COAL-5500"], "quantity": "100",
                       "need_by": need_by, "delivery_warehouse_id": world.warehouse_ids["W-DATONG"]},
                      {"item": "Conveyor belt", "specification": "EP400, 1.2 m", "quantity": "10",
                       "need_by": need_by}],
            "invited": [{"supplier_id": "SUP-1", "score": 82.5}, {"supplier_id": "SUP-2", "score": 71}],
            "rules": {"max_share": "1", "min_score": 60}, **extra}


def _bid_1(world) -> dict:
    until = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    return {"currency": "CNY", "valid_until": until,
            "lines": [{"line_no": 1, "tiers": [{"min_qty": "1", "unit_price": SECRET_PRICE},
                                               {"min_qty": "100", "unit_price": "700"}],
                       "capacity": "200", "lead_time_days": 3,
                       "ship_from_warehouse_id": world.warehouse_ids["W-DATONG"]},
                      {"line_no": 2, "tiers": [{"min_qty": "1", "unit_price": "5000"}],
                       "capacity": "10", "lead_time_days": 5}],
            "bundles": [{"kind": "lines", "line_nos": [1, 2], "discount_pct": "10"}]}


def _bid_2() -> dict:
    until = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    return {"currency": "USD", "valid_until": until,
            "lines": [{"line_no": 1, "tiers": [{"min_qty": "1", "unit_price": "95"}],
                       "capacity": "500", "lead_time_days": 7},
                      {"line_no": 2, "tiers": [{"min_qty": "1", "unit_price": "600"}],
                       "capacity": "10", "lead_time_days": 5}]}


@pytest.fixture
def event(client, world, db) -> Iterator[dict]:
    """An open event with a bid from each invited supplier (SUP-2's in USD at 7.1)."""
    db.run_write(lambda s: set_rate(s, SYSTEM, dt.date.today(), "USD", "CNY", "7.1"))
    r = client.post(BASE, json=_event_body(world), headers=world.headers("procurement_coal"))
    assert r.status_code == 201, r.text
    ev = r.json()
    b1 = client.post(f"{BASE}/{ev['id']}/bids", json=_bid_1(world), headers=world.headers("supplier_1"))
    b2 = client.post(f"{BASE}/{ev['id']}/bids", json=_bid_2(), headers=world.headers("supplier_2"))
    assert b1.status_code == 200, b1.text
    assert b2.status_code == 200, b2.text
    yield {"id": ev["id"], "bid_1": b1.json()["id"], "bid_2": b2.json()["id"]}


def _past_closing(db, event_id: int) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    db.run_write(lambda s: s.execute(update(sourcing_events).where(
        sourcing_events.c.id == event_id).values(closes_at=past)))


def _outbox(db) -> list[dict]:
    with db.read() as session:
        return read_events(session.connection(), 0)


def test_a_bid_is_sealed_before_closing(client, world, db, event) -> None:
    eid = event["id"]
    for user in ("buyer_coal", "procurement_coal", "finance_coal", "admin_coal", "admin"):
        page = client.get(f"{BASE}/{eid}/bids", headers=world.headers(user))
        assert page.status_code == 200
        assert (page.json()["items"], page.json()["total"]) == ([], 0), user
        for bid in ("bid_1", "bid_2"):
            assert client.get(f"{BASE}/{eid}/bids/{event[bid]}",
                              headers=world.headers(user)).status_code == 404, user
        assert SECRET_PRICE not in client.get(f"{BASE}/{eid}", headers=world.headers(user)).text
    assert client.get(f"{BASE}/{eid}/tabulation",
                      headers=world.headers("procurement_coal")).status_code == 409
    # the other supplier sees only its own bid, and gets 404 for SUP-1's
    own = client.get(f"{BASE}/{eid}/bids", headers=world.headers("supplier_2")).json()
    assert [b["supplier_id"] for b in own["items"]] == ["SUP-2"]
    assert client.get(f"{BASE}/{eid}/bids/{event['bid_1']}",
                      headers=world.headers("supplier_2")).status_code == 404
    assert SECRET_PRICE not in client.get(f"{BASE}", headers=world.headers("supplier_2")).text
    # the bidder itself reads it
    mine = client.get(f"{BASE}/{eid}/bids/{event['bid_1']}", headers=world.headers("supplier_1"))
    assert mine.json()["lines"][0]["tiers"][0]["unit_price"] == "777.7000"
    # nothing on the outbox (the lake's only feed) and no price in the audit log
    events = _outbox(db)
    assert not [e for e in events if e["event_type"].startswith("sourcing_bid")]
    assert SECRET_PRICE not in json.dumps([e["payload"] for e in events], default=str)
    with db.read() as session:
        details = session.execute(select(audit_log.c.details)).scalars().all()
    assert SECRET_PRICE not in json.dumps(details, default=str)
    # another unit does not even see the event; closing early is refused
    assert client.get(f"{BASE}/{eid}", headers=world.headers("procurement_power")).status_code == 404
    early = client.post(f"{BASE}/{eid}/close", headers=world.headers("procurement_coal"))
    assert (early.status_code, early.json()["error"]["code"]) == (409, "event_not_due")


def test_bids_are_revisable_until_closing_then_refused_with_the_reason(client, world, db,
                                                                      event) -> None:
    eid = event["id"]
    again = client.post(f"{BASE}/{eid}/bids", json=_bid_2(), headers=world.headers("supplier_2"))
    assert (again.json()["id"], again.json()["revision"]) == (event["bid_2"], 2)
    _past_closing(db, eid)
    late = client.post(f"{BASE}/{eid}/bids", json=_bid_2(), headers=world.headers("supplier_2"))
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "bidding_closed"
    assert "closing time has passed" in late.json()["error"]["message"]
    assert client.post(f"{BASE}/{eid}/close", headers=world.headers("procurement_coal")).status_code == 200
    after = client.post(f"{BASE}/{eid}/bids", json=_bid_2(), headers=world.headers("supplier_2"))
    assert after.status_code == 409
    assert "the event is closed" in after.json()["error"]["message"]
    # a supplier not invited cannot bid at all (404), nor may staff bid (403)
    assert client.post(f"{BASE}/{eid}/bids", json=_bid_2(),
                       headers=world.headers("buyer_coal")).status_code == 403


def test_bids_are_visible_after_closing_and_go_to_the_outbox(client, world, db, event) -> None:
    eid = event["id"]
    _past_closing(db, eid)
    closed = client.post(f"{BASE}/{eid}/close", headers=world.headers("procurement_coal"))
    assert closed.json()["status"] == "closed"
    for user in ("buyer_coal", "procurement_coal"):
        page = client.get(f"{BASE}/{eid}/bids", headers=world.headers(user)).json()
        assert [b["supplier_id"] for b in page["items"]] == ["SUP-1", "SUP-2"]
    # a supplier still sees only its own
    own = client.get(f"{BASE}/{eid}/bids", headers=world.headers("supplier_2")).json()
    assert [b["supplier_id"] for b in own["items"]] == ["SUP-2"]
    submitted = [e for e in _outbox(db) if e["event_type"] == "sourcing_bid.submitted"]
    assert sorted(e["supplier_id"] for e in submitted) == ["SUP-1", "SUP-2"]
    assert SECRET_PRICE in json.dumps([e["payload"] for e in submitted])


def test_tabulation_award_and_four_eyes_approval(client, world, db, event, monkeypatch) -> None:
    eid = event["id"]
    _past_closing(db, eid)
    client.post(f"{BASE}/{eid}/close", headers=world.headers("procurement_coal"))
    table = client.get(f"{BASE}/{eid}/tabulation", headers=world.headers("procurement_coal")).json()
    line1 = {b["supplier_id"]: b for b in table["lines"][0]["bids"]}
    # SUP-2: 95 USD x 7.1 = 674.5 CNY, no ship-from warehouse -> no freight (noted)
    assert line1["SUP-2"]["unit_price_at_quantity"] == "674.5000"
    assert line1["SUP-2"]["freight_per_unit"] == "0.0000"
    assert "no ship_from_warehouse_id" in line1["SUP-2"]["freight_note"]
    # SUP-1 ships from the delivery warehouse itself: handling 12 per unit, tier 2 at 100
    assert (line1["SUP-1"]["tier_at_quantity"], line1["SUP-1"]["landed_unit_cost"]) == (2, "712.0000")
    assert [b["supplier_id"] for b in table["lines"][0]["bids"]] == ["SUP-2", "SUP-1"]
    # award: SUP-1's bundle (10% off both lines) beats SUP-2's cheaper line 1:
    # SUP-1 both: 100x700 + 100x12 freight + 10x5000 = 121200 - 12000 = 109200
    # split: SUP-2 line 1 67450 + cheapest line 2 (SUP-1 50000 vs SUP-2 42600) = 110050
    r = client.post(f"{BASE}/{eid}/award", headers=world.headers("procurement_coal"))
    assert r.status_code == 201, r.text
    award = r.json()
    assert (award["status"], Decimal(award["total"])) == ("approved", Decimal(109200))
    assert [(a["supplier_id"], a["line_no"], a["tier"]) for a in award["award"]["allocations"]] == [
        ("SUP-1", 1, 2), ("SUP-1", 2, 1)]
    assert award["award"]["bundles_applied"][0]["discount_amount"] == 12000
    lost = {u["line_no"]: u["reason"] for u in award["award"]["not_used"]}
    assert "cheaper" in lost[1] and "bundle SUP-1#1" in lost[1]
    assert award["ranks"] == {"SUP-1": 1, "SUP-2": 2}
    # the loser sees only its own rank; outcomes went to every bidder
    mine = client.get(f"{BASE}/{eid}/award", headers=world.headers("supplier_2")).json()
    assert mine == {"event_id": eid, "supplier_id": "SUP-2", "status": "approved",
                    "awarded": False, "rank": 2, "bidders": 2, "lines": []}
    outcomes = [e for e in _outbox(db) if e["event_type"] == "sourcing_bid.outcome"]
    assert sorted((e["supplier_id"], e["payload"]["rank"]) for e in outcomes) == [
        ("SUP-1", 1), ("SUP-2", 2)]
    with db.read() as session:
        lines = approved_award_lines(session, eid)
    assert [(x.supplier_id, x.line_no, x.quantity, x.tiers[-1][1], x.currency) for x in lines] == [
        ("SUP-1", 1, Decimal(100), Decimal(700), "CNY"),
        ("SUP-1", 2, Decimal(10), Decimal(5000), "CNY")]


@pytest.fixture
def low_limit(tx_settings, monkeypatch) -> Iterator[object]:
    """A client of an app whose awards above 1000 need approval."""
    from fastapi.testclient import TestClient

    from infra.settings import get_settings, reset_settings_cache
    from transactional.main import create_app

    monkeypatch.setenv("OLTP__SOURCING_AWARD_APPROVAL_LIMIT", "1000")
    reset_settings_cache()
    with TestClient(create_app(get_settings())) as client:
        yield client
    reset_settings_cache()


def test_an_award_over_the_limit_cannot_be_approved_by_its_maker(low_limit, world, db) -> None:
    client = low_limit
    db.run_write(lambda s: set_rate(s, SYSTEM, dt.date.today(), "USD", "CNY", "7.1"))
    eid = client.post(BASE, json=_event_body(world), headers=world.headers("procurement_coal")).json()["id"]
    client.post(f"{BASE}/{eid}/bids", json=_bid_2(), headers=world.headers("supplier_2"))
    _past_closing(db, eid)
    client.post(f"{BASE}/{eid}/close", headers=world.headers("procurement_coal"))
    award = client.post(f"{BASE}/{eid}/award", headers=world.headers("procurement_coal")).json()
    assert (award["status"], award["requires_approval"]) == ("pending_approval", True)
    # nobody is told before approval, and contracts cannot be drawn from it
    assert client.get(f"{BASE}/{eid}/award", headers=world.headers("supplier_2")).status_code == 404
    with db.read() as session, pytest.raises(ConflictError):
        approved_award_lines(session, eid)
    own = client.post(f"{BASE}/{eid}/award/approve", headers=world.headers("procurement_coal"))
    assert (own.status_code, own.json()["error"]["code"]) == (403, "separation_of_duties")
    assert client.post(f"{BASE}/{eid}/award/approve",
                       headers=world.headers("buyer_coal")).status_code == 403
    assert client.post(f"{BASE}/{eid}/award/approve",
                       headers=world.headers("finance_power")).status_code == 404
    ok = client.post(f"{BASE}/{eid}/award/approve", headers=world.headers("finance_coal"))
    assert ok.status_code == 200, ok.text
    assert (ok.json()["status"], ok.json()["approved_by"]) == (
        "approved", world.users["finance_coal"].user_id)
    again = client.post(f"{BASE}/{eid}/award/approve", headers=world.headers("admin_coal"))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "award_not_pending")
    assert client.get(f"{BASE}/{eid}/award", headers=world.headers("supplier_2")).json()["rank"] == 1


def test_bad_input_is_refused_at_the_edge(client, world) -> None:
    body = _event_body(world)
    body["lines"][0]["delivery_warehouse_id"] = 2**63
    r = client.post(BASE, json=body, headers=world.headers("procurement_coal"))
    assert r.status_code == 422
    assert client.get(f"{BASE}/0", headers=world.headers("procurement_coal")).status_code == 422
    assert client.post(BASE, json=_event_body(world),
                       headers=world.headers("buyer_coal")).status_code == 403
    past = _event_body(world, closes_at="2020-01-01T00:00:00Z")
    assert client.post(BASE, json=past, headers=world.headers("procurement_coal")).status_code == 422


def test_suspended_suppliers_and_late_bids_are_excluded_with_the_reason(client, world, db,
                                                                         event) -> None:
    from transactional.db.tables.supply import supplier_suspensions

    eid = event["id"]
    now = dt.datetime.now(dt.UTC)
    db.run_write(lambda s: s.execute(supplier_suspensions.insert().values(
        supplier_id="SUP-2", reason="on-time rate 0.61", snapshot_version="v1", since=now,
        updated_at=now)))
    _past_closing(db, eid)
    client.post(f"{BASE}/{eid}/close", headers=world.headers("procurement_coal"))
    table = client.get(f"{BASE}/{eid}/tabulation", headers=world.headers("procurement_coal")).json()
    sup2 = [b for line in table["lines"] for b in line["bids"] if b["supplier_id"] == "SUP-2"]
    assert [b["excluded"] for b in sup2] == ["supplier suspended (elimination list): on-time rate 0.61"] * 2
    assert [b["rank"] for b in sup2] == [None, None]
    award = client.post(f"{BASE}/{eid}/award", headers=world.headers("procurement_coal")).json()
    assert {a["supplier_id"] for a in award["award"]["allocations"]} == {"SUP-1"}


def test_an_approved_award_becomes_one_unsigned_contract_per_supplier(client, world, db) -> None:
    db.run_write(lambda s: set_rate(s, SYSTEM, dt.date.today(), "USD", "CNY", "7.1"))
    body = _event_body(world)
    body["lines"] = body["lines"][:1]  # the catalogue SKU only
    eid = client.post(BASE, json=body, headers=world.headers("procurement_coal")).json()["id"]
    one_line = {**_bid_1(world), "lines": _bid_1(world)["lines"][:1], "bundles": []}
    client.post(f"{BASE}/{eid}/bids", json=one_line, headers=world.headers("supplier_1"))
    client.post(f"{BASE}/{eid}/bids", json={**_bid_2(), "lines": _bid_2()["lines"][:1]},
                headers=world.headers("supplier_2"))
    window = {"valid_from": dt.date.today().isoformat(),
              "valid_to": (dt.date.today() + dt.timedelta(days=180)).isoformat()}
    _past_closing(db, eid)
    client.post(f"{BASE}/{eid}/close", headers=world.headers("procurement_coal"))
    early = client.post(f"{BASE}/{eid}/contracts", json=window, headers=world.headers("procurement_coal"))
    assert early.status_code == 404  # no award yet
    award = client.post(f"{BASE}/{eid}/award", headers=world.headers("procurement_coal")).json()
    # SUP-2: 95 USD x 7.1 = 674.5 CNY landed beats SUP-1's 700 + 12 freight
    assert [(a["supplier_id"], a["quantity"]) for a in award["award"]["allocations"]] == [("SUP-2", 100)]
    assert client.post(f"{BASE}/{eid}/contracts", json=window,
                       headers=world.headers("buyer_coal")).status_code == 403
    made = client.post(f"{BASE}/{eid}/contracts", json=window, headers=world.headers("procurement_coal"))
    assert made.status_code == 201, made.text
    [contract] = made.json()["contracts"]
    assert (contract["supplier_id"], contract["currency"], contract["status"]) == ("SUP-2", "USD",
                                                                                  "pending_signatures")
    assert contract["source"] == {"type": "sourcing_award", "ref": str(award["id"])}
    [line] = contract["lines"]
    assert (line["sku_id"], line["committed_quantity"], line["remaining_quantity"]) == (
        world.sku_ids["COAL-5500"], 100, 100)
    assert [(t["min_quantity"], Decimal(t["unit_price"])) for t in line["price_tiers"]] == [(1, Decimal(95))]
    again = client.post(f"{BASE}/{eid}/contracts", json=window, headers=world.headers("procurement_coal"))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "contracts_exist")


def test_an_award_with_a_free_text_line_makes_no_contract(client, world, db, event) -> None:
    _past_closing(db, event["id"])
    client.post(f"{BASE}/{event['id']}/close", headers=world.headers("procurement_coal"))
    client.post(f"{BASE}/{event['id']}/award", headers=world.headers("procurement_coal"))
    window = {"valid_from": dt.date.today().isoformat(),
              "valid_to": (dt.date.today() + dt.timedelta(days=30)).isoformat()}
    r = client.post(f"{BASE}/{event['id']}/contracts", json=window, headers=world.headers("procurement_coal"))
    assert (r.status_code, r.json()["error"]["code"]) == (422, "free_text_line")
    assert client.get("/api/v1/contracts", headers=world.headers("procurement_coal")).json()["items"] == []
