"""Payments: intents, the signed provider callback (replays change nothing, bad signatures are
refused), offline payment, refunds (partial, full, never more than captured)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

from sqlalchemy import func, select

from tests.transactional.commerce import (
    act,
    callback,
    pay_via_provider,
    place,
    unbalanced_entries,
)
from transactional.accounting import ledger
from transactional.db.tables.accounting import journal_entries
from transactional.db.tables.core import outbox_events
from transactional.db.tables.ordering import payment_events, payment_intents, refunds
from transactional.ordering.lifecycle import handle_callback
from transactional.ordering.payments import ProviderEvent

D = Decimal


def _counts(db) -> tuple[int, ...]:
    with db.read() as session:
        return tuple(session.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (outbox_events, journal_entries, payment_events, refunds))


def _order(client, world, key: str, quantity: int = 10) -> dict:
    return place(client, world, world.offer_ids[("SUP-1", "COAL-6000")], quantity, key)


def _intent(client, world, order_id: int, user: str = "buyer_coal"):
    return client.post(f"/api/v1/orders/{order_id}/payment-intent", headers=world.headers(user))


def test_intent_then_signed_callback_pays_once_and_replays_change_nothing(
        client, world, db) -> None:
    order = _order(client, world, "p-1")
    intent = _intent(client, world, order["id"])
    assert intent.status_code == 200
    assert (intent.json()["amount"], intent.json()["status"]) == ("9000.0000", "requires_payment")
    assert _intent(client, world, order["id"], "finance_coal").json() == intent.json()
    reference = intent.json()["provider_reference"]
    first = callback(client, reference, "9000.0000", "evt-1")
    assert first.json() == {"event_id": "evt-1", "outcome": "captured", "duplicate": False,
                            "order_id": order["id"]}
    before = _counts(db)
    replay = callback(client, reference, "9000.0000", "evt-1")
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert _counts(db) == before  # no event, entry, provider event or refund added
    other_id = callback(client, reference, "9000.0000", "evt-2")  # the provider's duplicate
    assert other_id.json()["outcome"] == "already_captured"
    paid = client.get(f"/api/v1/orders/{order['id']}", headers=world.headers("buyer_coal"))
    assert paid.json()["status"] == "paid" and paid.json()["paid_at"]
    with db.read() as session:
        assert ledger.entry_count(session, "payment", "order", order["id"]) == 1
        assert ledger.balances(session, "cash") == {"cash:CNY": D("9000.0000")}
    assert _intent(client, world, order["id"]).json()["status"] == "succeeded"


def test_bad_signatures_are_refused_and_nothing_is_recorded(client, world, db) -> None:
    order = _order(client, world, "s-1")
    reference = _intent(client, world, order["id"]).json()["provider_reference"]
    before = _counts(db)
    wrong_key = callback(client, reference, "9000", "evt-x", secret="not-the-secret")
    stale = callback(client, reference, "9000", "evt-y", timestamp=int(time.time()) - 301)
    unsigned = client.post("/api/v1/payments/callback", content=b"{}")
    for response in (wrong_key, stale, unsigned):
        assert (response.status_code, response.json()["error"]["code"]) == (401, "bad_signature")
    assert _counts(db) == before
    mismatch = callback(client, reference, "8999", "evt-z")
    assert (mismatch.status_code, mismatch.json()["error"]["code"]) == (422, "amount_mismatch")
    unknown = callback(client, "pi_unknown", "9000", "evt-u")
    assert unknown.status_code == 404
    failed = callback(client, reference, "9000", "evt-f", event_type="payment.failed")
    assert failed.json()["outcome"] == "failed"
    assert _intent(client, world, order["id"]).json()["status"] == "requires_payment"
    assert callback(client, reference, "9000", "evt-ok").json()["outcome"] == "captured"


def test_a_payment_for_a_cancelled_order_is_refunded_at_once(client, world, db) -> None:
    order = _order(client, world, "c-1")
    reference = _intent(client, world, order["id"]).json()["provider_reference"]
    assert act(client, world, order["id"], "cancel", "buyer_coal").status_code == 200
    voided = client.get(f"/api/v1/orders/{order['id']}/payments", headers=world.headers("buyer_coal")).json()
    assert voided["intent"]["status"] == "canceled"  # nobody is asked to pay a cancelled order
    late = callback(client, reference, "9000.0000", "evt-late")
    assert late.json()["outcome"] == "captured_and_refunded"
    payments = client.get(f"/api/v1/orders/{order['id']}/payments",
                          headers=world.headers("buyer_coal")).json()
    assert [(r["kind"], r["amount"]) for r in payments["refunds"]] == [
        ("late_payment", "9000.0000")]
    with db.read() as session:
        assert ledger.balances(session, "cash") == {"cash:CNY": D("0.0000")}


def test_cancelling_a_paid_order_refunds_it_in_full(client, world, db) -> None:
    order = _order(client, world, "cp-1")
    pay_via_provider(client, world, order["id"], "evt-cp")
    cancelled = act(client, world, order["id"], "cancel", "procurement_coal", reason="no need")
    assert cancelled.status_code == 200
    payments = client.get(f"/api/v1/orders/{order['id']}/payments",
                          headers=world.headers("finance_coal")).json()
    assert payments["intent"]["refunded_amount"] == "9000.0000"
    assert [r["kind"] for r in payments["refunds"]] == ["cancellation"]
    with db.read() as session:
        assert ledger.balances(session, "buyer_deposits") == {
            "buyer_deposits:COAL:CNY": D("0.0000")}


def test_offline_payment_by_finance(client, world, db) -> None:
    order = _order(client, world, "o-1")
    paid = act(client, world, order["id"], "pay", "finance_coal")
    assert paid.status_code == 200
    intent = _intent(client, world, order["id"]).json()
    assert (intent["provider"], intent["status"], intent["captured_amount"]) == (
        "offline", "succeeded", "9000.0000")
    with db.read() as session:
        effects = session.execute(select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "order.paid")).scalar_one()["transition"]["effects"]
    assert effects["payment.capture"]["payment"] == "offline"


def test_partial_and_full_refunds_never_exceed_the_capture(client, world, db) -> None:
    order = _order(client, world, "rf-1")
    url = f"/api/v1/orders/{order['id']}/refunds"

    def refund(amount: str, user: str = "finance_coal", key: str | None = None):
        headers = world.headers(user, **({"Idempotency-Key": key} if key else {}))
        return client.post(url, json={"amount": amount, "reason": "damage"}, headers=headers)

    pay_via_provider(client, world, order["id"], "evt-rf")
    assert refund("100").json()["error"]["code"] == "not_refundable"  # paid: cancel instead
    act(client, world, order["id"], "ship", "supplier_1")
    assert refund("100", "buyer_coal").status_code == 403
    first = refund("1000.50", key="refund-1")
    assert first.status_code == 201 and first.json()["remaining_refundable"] == "7999.5000"
    assert refund("1000.50", key="refund-1").json() == first.json()  # retried: applied once
    too_much = refund("8000")
    assert (too_much.status_code, too_much.json()["error"]["code"]) == (
        422, "refund_exceeds_payment")
    rest = refund("7999.50")
    assert rest.status_code == 201 and rest.json()["remaining_refundable"] == "0.0000"
    assert refund("0.01").status_code == 422
    with db.read() as session:
        intent = session.execute(select(payment_intents)).one()
        assert (intent.captured_amount, intent.refunded_amount) == (D("9000"), D("9000"))
        assert ledger.balances(session) == {
            "buyer_deposits:COAL:CNY": D("-9000.0000"), "cash:CNY": D("0.0000"),
            "refund_recovery:CNY": D("9000.0000")}
        assert unbalanced_entries(session) == []


def test_concurrent_deliveries_of_events_capture_once(client, world, db) -> None:
    order = _order(client, world, "cc-1")
    intent = _intent(client, world, order["id"]).json()
    outcomes: list[tuple[str, bool]] = []
    lock = threading.Lock()

    def deliver(event_id: str) -> None:
        event = ProviderEvent(event_id, "payment.succeeded", intent["provider_reference"],
                              D(intent["amount"]), "CNY")
        result = db.run_write(lambda s: handle_callback(s, event, "digest"))
        with lock:
            outcomes.append((result["outcome"], result["duplicate"]))

    threads = [threading.Thread(target=deliver, args=(f"evt-{i % 3}",)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fresh = sorted(o for o, duplicate in outcomes if not duplicate)
    assert fresh == ["already_captured", "already_captured", "captured"]  # one per event id
    with db.read() as session:
        assert ledger.entry_count(session, "payment", "order", order["id"]) == 1
        assert session.execute(select(func.count()).select_from(payment_events)
                               ).scalar_one() == 3


def test_production_refuses_to_start_without_a_provider_secret(tx_settings, monkeypatch) -> None:
    import pytest

    from infra.settings import get_settings, reset_settings_cache
    from transactional.main import create_app

    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("AUTH__JWT_SECRET", "j" * 40)
    reset_settings_cache()
    with pytest.raises(RuntimeError, match="OLTP__PAYMENT_PROVIDER_SECRET"):
        create_app(get_settings())
    get_settings().require_secrets()  # the serving API, which takes no payments, still starts
    monkeypatch.setenv("OLTP__PAYMENT_PROVIDER_SECRET", "p" * 40)
    reset_settings_cache()
    with pytest.raises(RuntimeError, match="OLTP__FIELD_ENCRYPTION_KEY"):
        create_app(get_settings())
    monkeypatch.setenv("OLTP__FIELD_ENCRYPTION_KEY", "f" * 40)
    reset_settings_cache()
    assert create_app(get_settings()).state.context.policy.provider_secret == "p" * 40
