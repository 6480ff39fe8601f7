"""Helpers of the commerce tests: valid codes and files, signed provider callbacks, moving an
order through its lifecycle, the current settlement period, ledger invariants."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from infra.uscc import check_character, organisation_check
from transactional.db.tables.accounting import journal_entries, journal_lines
from transactional.db.tables.settlement import statements
from transactional.domain.ledger import Posting, imbalances
from transactional.domain.signature import HEADER, sign

#: A minimal PDF (magic bytes are what counts).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def provider_secret() -> str:
    """The payment provider's signing secret of the current settings (generated per home)."""
    from infra.settings import get_settings

    return get_settings().oltp.payment_provider_secret.get_secret_value()


def make_uscc(prefix8: str = "91140200", body8: str = "MA0GRLAK") -> str:
    """A valid unified social credit code (both check characters computed)."""
    first17 = prefix8 + body8 + organisation_check(body8)
    return first17 + check_character(first17)


def today_period() -> tuple[str, str]:
    """This month up to and including today, as ISO dates ``[start, end)``."""
    today = dt.datetime.now(dt.UTC).date()
    return today.replace(day=1).isoformat(), (today + dt.timedelta(days=1)).isoformat()


def callback(client: Any, reference: str, amount: str, event_id: str, *,
             event_type: str = "payment.succeeded", currency: str = "CNY",
             secret: str | None = None, timestamp: int | None = None) -> Any:
    """Send a signed provider event."""
    body = json.dumps({"event_id": event_id, "type": event_type,
                       "payment_reference": reference, "amount": amount,
                       "currency": currency}).encode()
    return client.post("/api/v1/payments/callback", content=body, headers={
        HEADER: sign(secret or provider_secret(), body, timestamp), "Content-Type": "application/json"})


def pay_via_provider(client: Any, world: Any, order_id: int, event_id: str,
                     buyer: str = "buyer_coal") -> dict[str, Any]:
    """Create the order's intent and deliver a signed success for it."""
    intent = client.post(f"/api/v1/orders/{order_id}/payment-intent",
                         headers=world.headers(buyer)).json()
    response = callback(client, intent["provider_reference"], intent["amount"], event_id)
    assert response.status_code == 200, response.text
    return response.json()


def place(client: Any, world: Any, offer_id: int, quantity: int, key: str,
          buyer: str = "buyer_coal") -> dict[str, Any]:
    response = client.post("/api/v1/orders", json={"lines": [
        {"offer_id": offer_id, "quantity": quantity}]},
        headers=world.headers(buyer, **{"Idempotency-Key": key}))
    assert response.status_code == 201, response.text
    return response.json()


def set_limit(client: Any, world: Any, unit: str, amount: str, currency: str = "CNY",
              requester: str = "procurement_coal", confirmer: str = "finance_coal") -> Any:
    """Change a unit's approval limit the four-eyes way: one requests, another confirms."""
    change = client.put(f"/api/v1/approval-limits/{unit}",
                        json={"amount": amount, "currency": currency},
                        headers=world.headers(requester))
    assert change.status_code == 202, change.text
    confirmed = client.post(f"/api/v1/approval-limits/changes/{change.json()['id']}/confirm",
                            headers=world.headers(confirmer))
    assert confirmed.status_code == 200, confirmed.text
    return confirmed.json()


def act(client: Any, world: Any, order_id: int, action: str, user: str,
        **body: Any) -> Any:
    return client.post(f"/api/v1/orders/{order_id}/{action}", json=body or None,
                       headers=world.headers(user))


def advance_to_delivered(client: Any, world: Any, offer_id: int, quantity: int, key: str,
                         buyer: str = "buyer_coal", supplier: str = "supplier_1") -> int:
    """Place, pay (provider), ship and deliver an order; returns its id."""
    order = place(client, world, offer_id, quantity, key, buyer)
    if order["status"] == "pending_approval":
        assert act(client, world, order["id"], "approve", "admin").status_code == 200
    pay_via_provider(client, world, order["id"], f"evt-{key}", buyer)
    assert act(client, world, order["id"], "ship", supplier).status_code == 200
    delivered = act(client, world, order["id"], "deliver", buyer)
    assert delivered.status_code == 200, delivered.text
    return order["id"]


def unbalanced_entries(session: Any) -> list[int]:
    """Ids of journal entries that do not balance per currency (must be none)."""
    lines: dict[int, list[Posting]] = {}
    for r in session.execute(select(journal_lines)):
        lines.setdefault(r.entry_id, []).append(Posting("", r.currency, r.debit, r.credit))
    ids = set(session.execute(select(journal_entries.c.id)).scalars())
    return sorted(i for i in ids if imbalances(lines.get(i, [])))


def statement_problems(session: Any) -> list[str]:
    """Statements whose lines, totals and payable credit disagree (must be none)."""
    from transactional.accounting.ledger import entry_lines
    from transactional.settlement.statements import lines_of

    problems = []
    for st in session.execute(select(statements)):
        lines = lines_of(session, st.id)
        total = sum((line["amount"] for line in lines), Decimal(0))
        by_type: dict[str, Decimal] = {}
        for line in lines:
            by_type[line["line_type"]] = by_type.get(line["line_type"], Decimal(0)) + line["amount"]
        payable = [x for x in entry_lines(session, st.journal_entry_id)
                   if x["account"] == f"supplier_payable:{st.supplier_id}:{st.currency}"]
        credited = sum((x["credit"] - x["debit"] for x in payable), Decimal(0))
        if total != st.net_amount or credited != st.net_amount or len(lines) != st.line_count:
            problems.append(f"statement {st.id}: lines {total}, net {st.net_amount}, "
                            f"payable credit {credited}")
        if (st.gross_amount - st.promotion_amount - st.refund_amount - st.rebate_amount
                + st.adjustment_amount) != st.net_amount:
            problems.append(f"statement {st.id}: header totals do not add up")
        if by_type.get("goods", Decimal(0)) != st.gross_amount:
            problems.append(f"statement {st.id}: goods lines differ from gross")
    return problems
