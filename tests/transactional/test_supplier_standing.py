"""The elimination list enforced (#18): a published list applied through the inbound door
suspends its suppliers for new orders (409 with the reason, offers not orderable) while
enforcement is on; existing orders continue; a four-eyes override lifts it until expiry;
a later list that drops the supplier reinstates it; the supplier sees its own standing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from tests.transactional.factories import order_body
from transactional.core.inbound import Snapshot, apply_snapshot
from transactional.db.tables.catalogue import stock
from transactional.db.tables.core import audit_log
from transactional.db.tables.supply import supplier_overrides, supplier_suspensions
from transactional.domain.errors import ValidationFailedError
from transactional.standing.inbound import KIND, apply_supplier_suspensions

T0 = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
REASON = "on_time_delivery_rate 0.61 vs peer median 0.93 (score 4)"


def _list(version: str, hours: int, *supplier_ids: str) -> Snapshot:
    rows = [{"supplier_id": s, "reason": REASON, "weakest_metrics": REASON,
             "scorecard_month": dt.date(2026, 10, 1), "supplier_key": f"SUP-{s}"} for s in supplier_ids]
    return Snapshot(kind=KIND, version=version, produced_at=T0 + dt.timedelta(hours=hours),
                    source=f"gold/supplier_elimination_snapshot@v{hours}", rows=rows)


def _suspended(db) -> list[tuple]:
    with db.read() as session:
        return [tuple(r) for r in session.execute(
            select(supplier_suspensions.c.supplier_id, supplier_suspensions.c.snapshot_version)
            .order_by(supplier_suspensions.c.supplier_id))]


def _audits(db, *actions: str) -> list[tuple]:
    with db.read() as session:
        return [tuple(r) for r in session.execute(
            select(audit_log.c.action, audit_log.c.object_id, audit_log.c.actor_user_id)
            .where(audit_log.c.action.in_(actions)).order_by(audit_log.c.id))]


def _place(client, world, offer: tuple[str, str], quantity: int, key: str, user: str = "buyer_coal"):
    return client.post("/api/v1/orders", json=order_body(world.offer_ids[offer], quantity),
                       headers=world.headers(user, **{"Idempotency-Key": key}))


@pytest.fixture
def enforcing(tx_settings, monkeypatch) -> Iterator[object]:
    """A client of an app with ``OLTP__ENFORCE_ELIMINATION=true``."""
    from fastapi.testclient import TestClient

    from infra.settings import get_settings, reset_settings_cache
    from transactional.main import create_app

    monkeypatch.setenv("OLTP__ENFORCE_ELIMINATION", "true")
    reset_settings_cache()
    with TestClient(create_app(get_settings())) as client:
        yield client
    reset_settings_cache()


def test_the_list_applies_through_the_door_and_a_later_list_reinstates(db) -> None:
    first = apply_snapshot(db, _list("a" * 64, 0, "SUP-1", "SUP-2"), apply_supplier_suspensions)
    assert (first.status, first.written, first.removed) == ("applied", 2, 0)
    assert _suspended(db) == [("SUP-1", "a" * 64), ("SUP-2", "a" * 64)]
    again = apply_snapshot(db, _list("a" * 64, 0, "SUP-1", "SUP-2"), apply_supplier_suspensions)
    assert again.status == "already_applied"
    with db.read() as session:
        since = session.execute(select(supplier_suspensions.c.since)
                                .where(supplier_suspensions.c.supplier_id == "SUP-1")).scalar_one()

    second = apply_snapshot(db, _list("b" * 64, 24, "SUP-1"), apply_supplier_suspensions)
    assert (second.status, second.written, second.removed) == ("applied", 1, 1)
    assert _suspended(db) == [("SUP-1", "b" * 64)]
    with db.read() as session:  # still listed: suspended since its first listing
        assert session.execute(select(supplier_suspensions.c.since)
                               .where(supplier_suspensions.c.supplier_id == "SUP-1")).scalar_one() == since
    assert apply_snapshot(db, _list("c" * 64, 12, "SUP-2"), apply_supplier_suspensions).status == "stale"
    assert _audits(db, "supplier.suspend", "supplier.reinstate") == [("supplier.suspend", "SUP-1", 0), ("supplier.suspend", "SUP-2", 0),
                                        ("supplier.reinstate", "SUP-2", 0)]


def test_a_list_naming_an_unknown_supplier_is_refused_whole(db) -> None:
    with pytest.raises(ValidationFailedError, match="unknown to the platform") as refused:
        apply_snapshot(db, _list("a" * 64, 0, "SUP-1", "SUP-404"), apply_supplier_suspensions)
    assert refused.value.details == {"supplier_ids": ["SUP-404"]}
    assert _suspended(db) == []


def test_a_suspended_supplier_gets_no_new_order_but_existing_orders_continue(enforcing, world, db) -> None:
    client = enforcing
    before = _place(client, world, ("SUP-1", "COAL-6000"), 10, "before")
    assert before.status_code == 201, before.text
    apply_snapshot(db, _list("a" * 64, 0, "SUP-1"), apply_supplier_suspensions)

    refused = _place(client, world, ("SUP-1", "COAL-6000"), 10, "after")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "supplier_suspended"
    assert error["message"] == f"supplier SUP-1 is suspended for new orders (elimination list): {REASON}"
    assert (error["details"]["reason"], error["details"]["snapshot_version"]) == (REASON, "a" * 64)
    with db.read() as session:  # nothing reserved by the refused order: 10 held by the first only
        assert session.execute(select(stock.c.available, stock.c.reserved).where(
            stock.c.warehouse_id == world.warehouse_ids["W-TAIYUAN"],
            stock.c.sku_id == world.sku_ids["COAL-6000"])).one() == (990, 10)
    # the order placed before the suspension continues through its lifecycle
    order_id = before.json()["id"]
    cancelled = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "plan changed"},
                            headers=world.headers("procurement_coal", **{"Idempotency-Key": "cancel"}))
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled"), cancelled.text
    # another supplier is unaffected
    assert _place(client, world, ("SUP-2", "TILE-600-W"), 50, "tiles").status_code == 201

    offers = client.get("/api/v1/offers", headers=world.headers("buyer_coal")).json()["items"]
    flags = {(o["supplier_id"], o["orderable"], o["not_orderable_reason"]) for o in offers}
    assert flags == {("SUP-1", False, f"supplier suspended (elimination list): {REASON}"),
                     ("SUP-2", True, None)}
    one = client.get(f"/api/v1/offers/{world.offer_ids[('SUP-1', 'COAL-6000')]}",
                     headers=world.headers("buyer_coal")).json()
    assert one["orderable"] is False

    # a later list without SUP-1 reinstates it
    apply_snapshot(db, _list("b" * 64, 24), apply_supplier_suspensions)
    assert _place(client, world, ("SUP-1", "COAL-6000"), 10, "reinstated").status_code == 201


def test_enforcement_is_off_by_default(client, world, db) -> None:
    apply_snapshot(db, _list("a" * 64, 0, "SUP-1"), apply_supplier_suspensions)
    assert _place(client, world, ("SUP-1", "COAL-6000"), 10, "k").status_code == 201
    offers = client.get("/api/v1/offers", headers=world.headers("buyer_coal")).json()["items"]
    assert all(o["orderable"] for o in offers)
    standing = client.get("/api/v1/suppliers/SUP-1/standing", headers=world.headers("supplier_1")).json()
    assert (standing["status"], standing["enforced"], standing["orderable"]) == ("suspended", False, True)


def test_an_override_needs_a_second_user_and_lifts_enforcement_for_its_unit_until_it_ends(
        enforcing, world, db) -> None:
    client = enforcing
    apply_snapshot(db, _list("a" * 64, 0, "SUP-1"), apply_supplier_suspensions)
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()
    body = {"reason": "sole qualified source until the tender closes", "expires_at": expires}

    assert client.post("/api/v1/suppliers/SUP-1/overrides", json=body,
                       headers=world.headers("buyer_coal")).status_code == 403
    asked = client.post("/api/v1/suppliers/SUP-1/overrides", json=body, headers=world.headers("admin_coal"))
    assert asked.status_code == 201, asked.text
    override = asked.json()
    assert (override["status"], override["business_unit"]) == ("pending", "COAL")
    assert _place(client, world, ("SUP-1", "COAL-6000"), 10, "pending").status_code == 409  # not yet

    confirm = f"/api/v1/suppliers/SUP-1/overrides/{override['id']}/confirm"
    own = client.post(confirm, headers=world.headers("admin_coal"))
    assert (own.status_code, own.json()["error"]["code"]) == (403, "maker_checker")
    assert client.post(confirm, headers=world.headers("procurement_coal")).status_code == 403  # role
    assert client.post(confirm, headers=world.headers("finance_power")).status_code == 404  # other unit
    confirmed = client.post(confirm, headers=world.headers("finance_coal"))
    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["status"], confirmed.json()["confirmed_by"]) == (
        "active", world.users["finance_coal"].user_id)
    assert client.post(confirm, headers=world.headers("admin")).json()["error"]["code"] == "override_not_pending"

    assert _place(client, world, ("SUP-1", "COAL-6000"), 10, "overridden").status_code == 201
    # the override is COAL's: POWER's buyers still may not order from SUP-1
    power = _place(client, world, ("SUP-1", "COAL-6000"), 10, "power", user="buyer_power")
    assert (power.status_code, power.json()["error"]["code"]) == (409, "supplier_suspended")
    coal = client.get("/api/v1/suppliers/SUP-1/standing", headers=world.headers("procurement_coal")).json()
    assert (coal["status"], coal["orderable"], coal["active_override"]["id"]) == ("overridden", True, override["id"])
    power_view = client.get("/api/v1/suppliers/SUP-1/standing", headers=world.headers("procurement_power")).json()
    assert (power_view["status"], power_view["orderable"], power_view["overrides"]) == ("suspended", False, [])
    offers = client.get("/api/v1/offers", params={"supplier_id": "SUP-1"}, headers=world.headers("buyer_coal"))
    assert {o["orderable"] for o in offers.json()["items"]} == {True}

    with db.write() as session:  # the override runs out
        session.execute(update(supplier_overrides).values(expires_at=dt.datetime.now(dt.UTC)
                                                          - dt.timedelta(seconds=1)))
    assert _place(client, world, ("SUP-1", "COAL-6000"), 10, "expired").status_code == 409
    assert _audits(db, "supplier_override.request", "supplier_override.confirm",
                   "supplier_override.revoke") == [
        ("supplier_override.request", "SUP-1", world.users["admin_coal"].user_id),
        ("supplier_override.confirm", "SUP-1", world.users["finance_coal"].user_id)]


def test_a_revoked_override_restores_enforcement(enforcing, world, db) -> None:
    client = enforcing
    apply_snapshot(db, _list("a" * 64, 0, "SUP-1"), apply_supplier_suspensions)
    body = {"reason": "contract obligations", "expires_at": (dt.datetime.now(dt.UTC)
                                                             + dt.timedelta(days=7)).isoformat()}
    override = client.post("/api/v1/suppliers/SUP-1/overrides", json=body,
                           headers=world.headers("procurement_coal")).json()
    assert client.post(f"/api/v1/suppliers/SUP-1/overrides/{override['id']}/confirm",
                       headers=world.headers("admin")).status_code == 200  # a group admin sees every unit
    assert _place(client, world, ("SUP-1", "COAL-6000"), 10, "on").status_code == 201
    revoked = client.post(f"/api/v1/suppliers/SUP-1/overrides/{override['id']}/revoke",
                          headers=world.headers("finance_coal"))
    assert revoked.json()["status"] == "revoked"
    assert _place(client, world, ("SUP-1", "COAL-6000"), 10, "off").status_code == 409


@pytest.mark.parametrize("expires_in", [dt.timedelta(seconds=-5), dt.timedelta(days=400)])
def test_an_override_expiry_must_be_ahead_and_bounded(client, world, expires_in) -> None:
    body = {"reason": "x" * 10, "expires_at": (dt.datetime.now(dt.UTC) + expires_in).isoformat()}
    response = client.post("/api/v1/suppliers/SUP-1/overrides", json=body, headers=world.headers("procurement_coal"))
    assert (response.status_code, response.json()["error"]["code"]) == (422, "validation_failed")


def test_a_supplier_sees_its_own_standing_only(client, world, db) -> None:
    apply_snapshot(db, _list("a" * 64, 0, "SUP-1"), apply_supplier_suspensions)
    own = client.get("/api/v1/suppliers/SUP-1/standing", headers=world.headers("supplier_1"))
    assert own.status_code == 200
    body = own.json()
    assert (body["status"], body["reason"], body["weakest_metrics"], body["scorecard_month"],
            body["snapshot_version"], body["overrides"]) == ("suspended", REASON, REASON, "2026-10-01",
                                                              "a" * 64, [])
    good = client.get("/api/v1/suppliers/SUP-2/standing", headers=world.headers("supplier_2")).json()
    assert (good["status"], good["reason"], good["orderable"]) == ("good", None, True)
    other = client.get("/api/v1/suppliers/SUP-2/standing", headers=world.headers("supplier_1"))
    assert (other.status_code, other.json()["error"]["code"]) == (404, "not_found")
    assert client.get("/api/v1/suppliers/SUP-1/standing", headers=world.headers("buyer_coal")).status_code == 403
    assert client.get("/api/v1/suppliers/NOPE/standing", headers=world.headers("admin")).status_code == 404
