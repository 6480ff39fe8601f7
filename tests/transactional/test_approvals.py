"""Procurement approval of orders above the unit's limit: pending holds stock, approve,
reject with a reason, expiry releases stock; limits per unit, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from sqlalchemy import select
from typer.testing import CliRunner

from tests.transactional.commerce import act, place
from transactional.db.tables.catalogue import stock
from transactional.db.tables.core import audit_log, outbox_events
from transactional.db.tables.ordering import order_approvals
from transactional.ordering.lifecycle import expire_pending


def _stock(db, world, sku: str, warehouse: str = "W-TAIYUAN") -> tuple[int, int]:
    with db.read() as session:
        row = session.execute(select(stock.c.available, stock.c.reserved).where(
            stock.c.warehouse_id == world.warehouse_ids[warehouse],
            stock.c.sku_id == world.sku_ids[sku])).one()
    return row.available, row.reserved


def _big(client, world, key: str) -> dict:
    """700 t x 900 = 630,000 CNY: above COAL's default limit of 500,000."""
    return place(client, world, world.offer_ids[("SUP-1", "COAL-6000")], 700, key)


def test_an_order_above_the_limit_waits_with_its_stock_reserved(client, world, db) -> None:
    order = _big(client, world, "a-1")
    assert order["status"] == "pending_approval"
    approval = order["approval"]
    assert (approval["status"], approval["limit_amount"], approval["converted_amount"]) == (
        "pending", "500000.0000", "630000.0000")
    assert _stock(db, world, "COAL-6000") == (300, 700)
    assert act(client, world, order["id"], "pay", "finance_coal").status_code == 409
    assert client.post(f"/api/v1/orders/{order['id']}/payment-intent",
                       headers=world.headers("buyer_coal")).status_code == 409
    assert act(client, world, order["id"], "approve", "buyer_coal").status_code == 403
    approved = act(client, world, order["id"], "approve", "procurement_coal")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approval"]["status"] == "approved"
    assert act(client, world, order["id"], "pay", "finance_coal").json()["status"] == "paid"
    small = place(client, world, world.offer_ids[("SUP-1", "COAL-6000")], 10, "a-2")
    assert small["status"] == "placed" and small["approval"] is None
    with db.read() as session:
        types = session.execute(select(outbox_events.c.event_type).where(
            outbox_events.c.aggregate_id == str(order["id"]),
            outbox_events.c.aggregate_type == "order").order_by(outbox_events.c.sequence_id))
        assert list(types.scalars()) == ["order.placed", "order.approval_requested",
                                         "order.approved", "order.paid"]


def test_rejection_needs_a_reason_releases_stock_and_is_audited(client, world, db) -> None:
    order = _big(client, world, "r-1")
    missing = act(client, world, order["id"], "reject", "procurement_coal")
    assert (missing.status_code, missing.json()["error"]["code"]) == (422, "reason_required")
    rejected = act(client, world, order["id"], "reject", "procurement_coal",
                   reason="over budget for Q4")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["approval"]["reason"] == "over budget for Q4"
    assert _stock(db, world, "COAL-6000") == (1000, 0)
    assert act(client, world, order["id"], "approve", "procurement_coal").status_code == 409
    with db.read() as session:
        audited = session.execute(select(audit_log.c.details).where(
            audit_log.c.action == "order.reject")).scalar_one()
        event = session.execute(select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "order.rejected")).scalar_one()
    assert audited["reason"] == "over budget for Q4" and audited["stock"] == "release"
    assert event["transition"]["effects"]["approval.decide"] == {
        "approval": "rejected", "reason": "over budget for Q4"}


def test_expiry_releases_stock_once(client, world, db) -> None:
    pending = _big(client, world, "e-1")
    decided = place(client, world, world.offer_ids[("SUP-1", "COAL-4500")], 900, "e-2")
    assert decided["status"] == "pending_approval"  # 900 x 600 = 540,000
    act(client, world, decided["id"], "approve", "procurement_coal")
    assert expire_pending(db) == []  # not due yet
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=73)
    assert expire_pending(db, later) == [pending["id"]]
    assert expire_pending(db, later) == []
    order = client.get(f"/api/v1/orders/{pending['id']}", headers=world.headers("buyer_coal"))
    assert order.json()["status"] == "expired" and order.json()["expired_at"]
    assert order.json()["approval"]["status"] == "expired"
    assert _stock(db, world, "COAL-6000") == (1000, 0)
    assert _stock(db, world, "COAL-4500", "W-DATONG") == (100, 900)  # approved: still held
    with db.read() as session:
        statuses = dict(session.execute(select(order_approvals.c.order_id,
                                               order_approvals.c.status)).all())
    assert statuses == {pending["id"]: "expired", decided["id"]: "approved"}


def test_expiry_from_the_command_line(client, world, db) -> None:
    from transactional.cli import tx_app
    from transactional.db.tables.ordering import orders

    order = _big(client, world, "c-1")
    result = CliRunner().invoke(tx_app, ["expire-approvals"])
    assert result.exit_code == 0 and "expired 0 pending approval(s)" in result.output
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)  # as if 72 h had gone by
    db.run_write(lambda s: s.execute(order_approvals.update().values(expires_at=past)))
    result = CliRunner().invoke(tx_app, ["expire-approvals"])
    assert f"expired 1 pending approval(s): orders {order['id']}" in result.output
    with db.read() as session:
        assert session.execute(select(orders.c.status).where(
            orders.c.id == order["id"])).scalar_one() == "expired"


def test_limits_per_unit_need_two_people_of_two_roles_and_are_audited(client, world,
                                                                       db) -> None:
    requested = client.put("/api/v1/approval-limits/COAL",
                           json={"amount": "5000", "currency": "CNY"},
                           headers=world.headers("procurement_coal"))
    assert requested.status_code == 202 and requested.json()["status"] == "pending"
    change = requested.json()["id"]
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    assert place(client, world, offer, 10, "l-0")["status"] == "placed"  # not applied yet
    assert client.put("/api/v1/approval-limits/COAL", json={"amount": "1", "currency": "CNY"},
                      headers=world.headers("buyer_coal")).status_code == 403
    assert client.put("/api/v1/approval-limits/COAL", json={"amount": "1", "currency": "CNY"},
                      headers=world.headers("finance_coal")).status_code == 403
    confirm = f"/api/v1/approval-limits/changes/{change}/confirm"
    own = client.post(confirm, headers=world.headers("procurement_coal"))
    assert (own.status_code, own.json()["error"]["code"]) == (403, "separation_of_duties")
    assert client.post(confirm, headers=world.headers("buyer_coal")).status_code == 403
    assert client.post(confirm, headers=world.headers("finance_power")).status_code == 404
    pending = client.get("/api/v1/approval-limits/changes", headers=world.headers("admin_coal"))
    assert [c["id"] for c in pending.json()] == [change]
    done = client.post(confirm, headers=world.headers("finance_coal"))
    assert done.status_code == 200 and done.json()["amount"] == "5000.0000"
    again = client.post(confirm, headers=world.headers("admin_coal"))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_decided")
    assert place(client, world, offer, 10, "l-1")["status"] == "pending_approval"  # 9,000
    assert place(client, world, offer, 5, "l-2")["status"] == "placed"  # 4,500
    assert place(client, world, offer, 10, "l-3", buyer="buyer_power")["status"] == "placed"
    limits = client.get("/api/v1/approval-limits", headers=world.headers("admin")).json()
    assert limits == [{"business_unit": "COAL", "amount": "5000.0000", "currency": "CNY"},
                      {"business_unit": "POWER", "amount": "500000.0000", "currency": "CNY"}]
    with db.read() as session:
        rows = session.execute(select(audit_log.c.action, audit_log.c.actor_user_id,
                                      audit_log.c.details)
                               .where(audit_log.c.action.like("approval_limit.%"))
                               .order_by(audit_log.c.id)).all()
    procurement = world.users["procurement_coal"].user_id
    finance = world.users["finance_coal"].user_id
    assert [(r.action, r.actor_user_id) for r in rows] == [
        ("approval_limit.request", procurement), ("approval_limit.confirm", finance),
        ("approval_limit.set", finance)]
    assert rows[2].details["amount"] == "5000.0000" and rows[2].details["previous"] is None
    assert rows[2].details["requested_by"] == procurement


def test_a_limit_change_is_rejected_with_a_reason_or_superseded(client, world, db) -> None:
    def request(amount: str, user: str = "admin_coal") -> int:
        response = client.put("/api/v1/approval-limits/COAL",
                              json={"amount": amount, "currency": "CNY"},
                              headers=world.headers(user))
        assert response.status_code == 202, response.text
        return response.json()["id"]

    first = request("7000")
    second = request("8000", "procurement_coal")
    old = client.get(f"/api/v1/approval-limits/changes/{first}",
                     headers=world.headers("finance_coal")).json()
    assert old["status"] == "superseded"
    assert client.post(f"/api/v1/approval-limits/changes/{first}/confirm",
                       headers=world.headers("finance_coal")).status_code == 409
    path = f"/api/v1/approval-limits/changes/{second}/reject"
    assert client.post(path, json={"reason": " "},
                       headers=world.headers("admin_coal")).status_code == 422
    rejected = client.post(path, json={"reason": "too low for coal"},
                           headers=world.headers("admin_coal"))
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["decided_role"]) == ("rejected", "admin")
    limits = client.get("/api/v1/approval-limits", headers=world.headers("admin")).json()
    assert limits[0] == {"business_unit": "COAL", "amount": "500000.0000", "currency": "CNY"}


def test_setting_a_limit_directly_is_only_for_the_trusted_local_principal(db, world) -> None:
    import pytest

    from transactional.domain.errors import ForbiddenError
    from transactional.ordering.approvals import set_limit

    with pytest.raises(ForbiddenError, match="separation of duties"):
        db.run_write(lambda s: set_limit(s, world.users["admin"], "COAL", "5", "CNY"))


def test_nobody_approves_or_rejects_an_order_they_placed(client, world, db) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    order = place(client, world, offer, 700, "sod-1", buyer="procurement_coal")
    assert order["status"] == "pending_approval"
    for action, body in (("approve", {}), ("reject", {"reason": "mine"})):
        own = act(client, world, order["id"], action, "procurement_coal", **body)
        assert (own.status_code, own.json()["error"]["code"]) == (403, "separation_of_duties")
    with db.read() as session:
        denials = session.execute(select(audit_log.c.actor_user_id, audit_log.c.object_id,
                                         audit_log.c.details)
                                  .where(audit_log.c.action == "access.denied")
                                  .order_by(audit_log.c.id)).all()
    assert [(d.actor_user_id, d.object_id, d.details["code"]) for d in denials] == [
        (world.users["procurement_coal"].user_id, "order.approve", "separation_of_duties"),
        (world.users["procurement_coal"].user_id, "order.reject", "separation_of_duties")]
    assert denials[0].details["path"] == f"/api/v1/orders/{order['id']}/approve"
    approved = act(client, world, order["id"], "approve", "admin_coal")
    assert approved.status_code == 200 and approved.json()["approval"]["decided_by"] == \
        world.users["admin_coal"].user_id


def test_an_order_in_another_currency_is_converted_with_a_recorded_rate(
        client, world, db) -> None:
    from transactional.accounting import fx
    from transactional.catalogue import offers
    from transactional.domain.principal import SYSTEM

    today = dt.datetime.now(dt.UTC).date()
    db.run_write(lambda s: fx.set_rate(s, SYSTEM, today, "USD", "CNY", "7.1", "erp"))
    usd = db.run_write(lambda s: offers.create_offer(
        s, SYSTEM, sku_id=world.sku_ids["COAL-4500"], currency="USD", moq=1, order_multiple=1,
        lead_time_days=1, tiers=[{"min_quantity": 1, "unit_price": "80"}], supplier_id="SUP-2"))
    from transactional.catalogue.stock import adjust_stock

    db.run_write(lambda s: adjust_stock(s, SYSTEM, world.warehouse_ids["W-FOSHAN"],
                                        sku_id=world.sku_ids["COAL-4500"], delta=1000,
                                        reason="receipt"))
    order = place(client, world, usd["id"], 900, "fx-1")  # 72,000 USD = 511,200 CNY
    assert order["status"] == "pending_approval"
    approval = order["approval"]
    assert (approval["converted_amount"], approval["fx_rate"], approval["fx_rate_date"]) == (
        "511200.0000", "7.10000000", today.isoformat())
    assert place(client, world, usd["id"], 10, "fx-2")["status"] == "placed"


def test_limits_from_settings_and_their_precedence(db, monkeypatch) -> None:
    from infra.settings import get_settings, reset_settings_cache
    from transactional.core.policy import CommercePolicy
    from transactional.domain.principal import SYSTEM
    from transactional.ordering.approvals import limit_for, set_limit

    monkeypatch.setenv("OLTP__APPROVAL_LIMITS", '{"POWER": "123456.78"}')
    monkeypatch.setenv("OLTP__APPROVAL_LIMIT_DEFAULT", "1000")
    reset_settings_cache()
    policy = CommercePolicy.from_settings(get_settings())
    db.run_write(lambda s: set_limit(s, SYSTEM, "COAL", "5", "USD"))
    with db.read() as session:
        assert limit_for(session, "POWER", policy) == (D("123456.7800"), "CNY")
        assert limit_for(session, "COAL", policy) == (D("5.0000"), "USD")  # the table wins
        assert limit_for(session, "OTHER", policy) == (D("1000.0000"), "CNY")
