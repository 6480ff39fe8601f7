"""Supplier statements: FX into the settlement currency, promotions, refunds and rebates
applied, balanced in the ledger, immutable, corrections as new statements, payables exported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DatabaseError

from tests.transactional.commerce import (
    advance_to_delivered,
    pay_via_provider,
    place,
    statement_problems,
    today_period,
    unbalanced_entries,
)
from transactional.accounting import fx, ledger
from transactional.db.tables.core import outbox_events
from transactional.db.tables.identity import suppliers
from transactional.db.tables.ordering import orders
from transactional.domain.principal import SYSTEM

D = Decimal


@pytest.fixture
def usd_supplier(client, world, db) -> None:
    """SUP-1 settles in USD; 1 USD = 7.1 CNY today; 满减 and a 1 % dealer rebate in COAL."""
    db.run_write(lambda s: s.execute(update(suppliers).where(suppliers.c.id == "SUP-1")
                                     .values(settlement_currency="USD",
                                             bank_account="6222 0000 1111")))
    today = dt.datetime.now(dt.UTC).date()
    db.run_write(lambda s: fx.set_rate(s, SYSTEM, today, "USD", "CNY", "7.1", "PBOC parity"))
    for body in ({"code": "MJ", "kind": "full_reduction", "currency": "CNY",
                  "rules": {"threshold": "2000", "reduction": "200"}},
                 {"code": "REB", "kind": "tiered_rebate", "currency": "CNY",
                  "rules": {"tiers": [{"from": "0", "rate_percent": "1"}]}}):
        assert client.post("/api/v1/promotions", json={
            "name": body["code"], "business_unit": "COAL", "stacking": "stackable", **body},
            headers=world.headers("procurement_coal")).status_code == 201
    client.post("/api/v1/dealer-accounts", json={
        "code": "D", "name": "d", "business_unit": "COAL",
        "buyer_user_id": world.users["buyer_coal"].user_id}, headers=world.headers("admin_coal"))


def _run(client, world, user: str = "finance_coal", **extra: str):
    start, end = today_period()
    return client.post("/api/v1/statements/runs",
                       json={"period_start": start, "period_end": end, **extra},
                       headers=world.headers(user))


def test_a_statement_in_the_settlement_currency_with_fx_promotions_refunds_and_rebates(
        client, world, db, usd_supplier) -> None:
    a = advance_to_delivered(client, world, world.offer_ids[("SUP-1", "COAL-6000")], 10, "s-a")
    b = advance_to_delivered(client, world, world.offer_ids[("SUP-1", "COAL-4500")], 5, "s-b")
    refund = client.post(f"/api/v1/orders/{b}/refunds", json={"amount": "280",
                                                              "reason": "moisture"},
                         headers=world.headers("finance_coal"))
    assert refund.status_code == 201
    waiting = place(client, world, world.offer_ids[("SUP-1", "COAL-6000")], 1, "s-c")
    pay_via_provider(client, world, waiting["id"], "evt-s-c")  # paid, not delivered: not due
    issued = _run(client, world)
    assert issued.status_code == 201, issued.text
    [statement] = issued.json()
    assert (statement["currency"], statement["kind"], statement["supplier_id"]) == (
        "USD", "regular", "SUP-1")
    lines = [(x["line_type"], x["order_id"], x["source_amount"], x["amount"])
             for x in statement["lines"]]
    assert lines == [
        ("goods", a, "9000.0000", "1267.6056"), ("promotion", a, "800.0000", "-112.6761"),
        ("goods", b, "3000.0000", "422.5352"), ("promotion", b, "200.0000", "-28.1690"),
        ("refund", b, "280.0000", "-39.4366"), ("rebate", a, "82.0000", "-11.5493"),
        ("rebate", b, "28.0000", "-3.9437"), ("rebate", b, "-2.8000", "0.3944"),
    ]
    first = statement["lines"][0]
    assert (first["fx_rate"], first["fx_rate_date"], first["fx_source"]) == (
        "0.14084507", dt.datetime.now(dt.UTC).date().isoformat(), "inverse of PBOC parity")
    assert (statement["gross_amount"], statement["promotion_amount"],
            statement["refund_amount"], statement["rebate_amount"],
            statement["net_amount"]) == ("1690.1408", "140.8451", "39.4366", "15.0986",
                                         "1494.7605")
    journal = {(j["account"], j["debit"], j["credit"]) for j in statement["journal"]}
    assert journal == {
        ("goods_clearing:CNY", "12000.0000", "0.0000"),
        ("promotion_funding:CNY", "0.0000", "1000.0000"),
        ("refund_recovery:CNY", "0.0000", "280.0000"),
        ("rebate_funding:CNY", "0.0000", "107.2000"),
        ("fx_position:CNY", "0.0000", "10612.8000"),
        ("fx_position:USD", "1494.7605", "0.0000"),
        ("supplier_payable:SUP-1:USD", "0.0000", "1494.7605"),
    }
    with db.read() as session:
        assert unbalanced_entries(session) == [] and statement_problems(session) == []
        clearing = {k: v for k, v in ledger.balances(session).items()
                    if k.split(":")[0] in ("goods_clearing", "promotion_funding",
                                           "refund_recovery", "rebate_funding")}
        assert set(clearing.values()) == {D(0)}  # everything delivered is settled
        settled = dict(session.execute(select(orders.c.id, orders.c.status)).all())
        payload = session.execute(select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "payable.exported")).scalar_one()
    assert settled == {a: "settled", b: "settled", waiting["id"]: "paid"}
    assert payload["supplier"] == {"supplier_id": "SUP-1", "name": "Shanxi Jinhua Coal",
                                   "uscc": None, "bank_name": None,
                                   "bank_account": "6222 0000 1111"}
    assert (payload["net_amount"], payload["currency"], len(payload["lines"])) == (
        "1494.7605", "USD", 8)
    assert payload["due_date"] == (dt.date.fromisoformat(today_period()[1])
                                   + dt.timedelta(days=30)).isoformat()


def test_statements_are_immutable_and_corrected_by_new_statements(
        client, world, db, usd_supplier) -> None:
    a = advance_to_delivered(client, world, world.offer_ids[("SUP-1", "COAL-6000")], 10, "i-a")
    [regular] = _run(client, world).json()
    assert _run(client, world).json() == []  # nothing new: no statement
    for statement in ("update statements set net_amount = '0'",
                      "delete from statement_lines", "update journal_lines set debit = '1'",
                      "delete from journal_entries"):
        with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as c:
            c.execute(text(statement))
    late = client.post(f"/api/v1/orders/{a}/refunds", json={"amount": "100", "reason": "late"},
                       headers=world.headers("finance_coal"))
    assert late.status_code == 201
    [correction] = _run(client, world).json()
    assert (correction["kind"], correction["corrects_statement_id"]) == (
        "correction", regular["id"])
    assert [(x["line_type"], x["amount"]) for x in correction["lines"]] == [
        ("refund", "-14.0845"), ("rebate", "0.1408")]  # and its rebate (1 % of 100) reversed
    own = client.post(f"/api/v1/statements/{regular['id']}/corrections",
                      json={"amount": "5.5", "description": "freight surcharge"},
                      headers=world.headers("finance_coal"))  # who issued it: maker ≠ checker
    assert (own.status_code, own.json()["error"]["code"]) == (403, "separation_of_duties")
    manual = client.post(f"/api/v1/statements/{regular['id']}/corrections",
                         json={"amount": "5.5", "description": "freight surcharge"},
                         headers=world.headers("admin_coal"))
    assert manual.status_code == 201
    body = manual.json()
    assert (body["kind"], body["net_amount"], body["adjustment_amount"]) == (
        "correction", "5.5000", "5.5000")
    assert {(j["account"], j["debit"], j["credit"]) for j in body["journal"]} == {
        ("settlement_adjustments:USD", "5.5000", "0.0000"),
        ("supplier_payable:SUP-1:USD", "0.0000", "5.5000")}
    listed = client.get("/api/v1/statements", headers=world.headers("supplier_1")).json()
    assert [s["id"] for s in listed["items"]] == [body["id"], correction["id"], regular["id"]]
    assert client.get("/api/v1/statements", headers=world.headers("supplier_2")
                      ).json()["total"] == 0
    with db.read() as session:
        assert statement_problems(session) == [] and unbalanced_entries(session) == []
        assert ledger.balances(session, "supplier_payable") == {
            "supplier_payable:SUP-1:USD": -(D("1267.6056") - D("112.6761") - D("11.5493")
                                            - D("14.0845") + D("0.1408") + D("5.5"))}


def test_runs_are_scoped_and_need_rates_and_a_closed_period(client, world, db) -> None:
    db.run_write(lambda s: s.execute(update(suppliers).where(suppliers.c.id == "SUP-1")
                                     .values(settlement_currency="EUR")))
    advance_to_delivered(client, world, world.offer_ids[("SUP-1", "COAL-6000")], 1, "x-a")
    missing = _run(client, world)
    assert (missing.status_code, missing.json()["error"]["code"]) == (422, "fx_rate_missing")
    assert missing.json()["error"]["details"]["to_currency"] == "EUR"
    assert _run(client, world, "finance_power").json() == []  # POWER has nothing to settle
    assert _run(client, world, "buyer_coal").status_code == 403
    future = client.post("/api/v1/statements/runs", json={
        "period_start": "2099-01-01", "period_end": "2099-02-01"},
        headers=world.headers("finance_coal"))
    assert future.status_code == 422
    with db.read() as session:
        assert session.execute(select(orders.c.status)).scalar_one() == "delivered"


def test_settlement_and_rebate_settlement_from_the_command_line(client, world, db) -> None:
    from typer.testing import CliRunner

    from transactional.cli import tx_app

    client.post("/api/v1/promotions", json={
        "code": "R", "name": "r", "kind": "tiered_rebate", "business_unit": "COAL",
        "currency": "CNY", "rules": {"tiers": [{"from": "0", "rate_percent": "2"}]}},
        headers=world.headers("procurement_coal"))
    client.post("/api/v1/dealer-accounts", json={
        "code": "D", "name": "d", "business_unit": "COAL",
        "buyer_user_id": world.users["buyer_coal"].user_id}, headers=world.headers("admin_coal"))
    advance_to_delivered(client, world, world.offer_ids[("SUP-1", "COAL-6000")], 2, "cli-a")
    start, end = today_period()
    runner = CliRunner()
    last_month = runner.invoke(tx_app, ["settle"])  # default: last month, nothing then
    assert last_month.exit_code == 0 and "issued 0 statement(s)" in last_month.output
    issued = runner.invoke(tx_app, ["settle", "--from", start, "--to", end])
    assert issued.exit_code == 0, issued.output
    assert "COAL SUP-1 regular: net 1764.0000 CNY (2 lines)" in issued.output  # 1,800 - 2 %
    rebates = runner.invoke(tx_app, ["settle-rebates"])
    assert "36.0000 CNY (1 accruals)" in rebates.output and "1 rebate settlement(s)" in (
        rebates.output)
    assert "0 rebate settlement(s)" in runner.invoke(tx_app, ["settle-rebates"]).output
