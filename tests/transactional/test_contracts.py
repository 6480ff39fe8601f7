"""Framework contracts (#28 item 3): drawn up by procurement, signed by both sides (maker ≠
checker), call-offs at the contract price against the remaining quantity — never beyond it
under concurrency, refused unsigned or expired, released on cancellation — contract prices in
the catalogue, scope, and ``grouplake contracts verify`` naming an edited contract."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import threading
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from tests.transactional.factories import World, build_world
from transactional.contracts.authoring import (
    ContractLineSpec,
    approve,
    create_contract,
    current_terms,
    sign_as_supplier,
)
from transactional.contracts.evidence import verify
from transactional.core.idempotency import IdempotentRequest
from transactional.core.policy import CommercePolicy, RiskPolicy
from transactional.db.database import Database
from transactional.db.outbox import read_events
from transactional.db.tables.contracts import contract_call_offs, contract_lines
from transactional.domain.errors import ConflictError
from transactional.domain.pricing import PriceTier
from transactional.ordering.placement import OrderLineRequest, OrderRequest, place_order

CONTRACTS_MIGRATION = importlib.import_module(
    "transactional.db.migrations.versions.0011_contracts")
INITIAL = importlib.import_module("transactional.db.migrations.versions.0001_initial_schema")
TODAY = dt.datetime.now(dt.UTC).date()
TIERS = [{"min_quantity": 1, "unit_price": "850.00"}, {"min_quantity": 5, "unit_price": "820.00"}]


def _body(world: World, committed: int = 10, **extra: Any) -> dict[str, Any]:
    return {"supplier_id": "SUP-1", "currency": "CNY", "business_units": ["COAL"],
            "valid_from": (TODAY - dt.timedelta(days=1)).isoformat(),
            "valid_to": (TODAY + dt.timedelta(days=30)).isoformat(),
            "lines": [{"sku_id": world.sku_ids["COAL-6000"], "committed_quantity": committed,
                       "price_tiers": TIERS}],
            "source": {"type": "sourcing_award", "ref": "A-1"}, **extra}


def _create(client, world: World, **kwargs: Any) -> dict[str, Any]:
    response = client.post("/api/v1/contracts", json=_body(world, **kwargs),
                           headers=world.headers("procurement_coal"))
    assert response.status_code == 201, response.text
    return response.json()


def _sign_both(client, world: World, contract: dict[str, Any]) -> dict[str, Any]:
    digest = {"document_sha256": contract["document"]["sha256"]}
    signed = client.post(f"/api/v1/contracts/{contract['id']}/sign", json=digest,
                         headers=world.headers("supplier_1"))
    assert signed.status_code == 200, signed.text
    approved = client.post(f"/api/v1/contracts/{contract['id']}/approve", json=digest,
                           headers=world.headers("admin_coal"))
    assert approved.status_code == 200, approved.text
    return approved.json()


def _call_off(client, world: World, contract_id: int, quantity: int, key: str,
              user: str = "buyer_coal"):
    return client.post("/api/v1/orders", json={
        "lines": [{"offer_id": world.offer_ids[("SUP-1", "COAL-6000")], "quantity": quantity}],
        "contract_id": contract_id}, headers=world.headers(user, **{"Idempotency-Key": key}))


def _remaining(client, world: World, contract_id: int) -> int:
    got = client.get(f"/api/v1/contracts/{contract_id}", headers=world.headers("buyer_coal"))
    return got.json()["lines"][0]["remaining_quantity"]


def test_signing_both_sides_then_call_off_at_the_tier_price(client, world, db) -> None:
    contract = _create(client, world)
    assert (contract["status"], contract["state"]) == ("pending_signatures", "pending_signatures")
    assert contract["source"] == {"type": "sourcing_award", "ref": "A-1"}
    assert contract["lines"][0]["remaining_quantity"] == 10
    early = _call_off(client, world, contract["id"], 2, "early")
    assert early.status_code == 409 and early.json()["error"]["code"] == "contract_not_signed"
    digest = {"document_sha256": contract["document"]["sha256"]}
    own = client.post(f"/api/v1/contracts/{contract['id']}/approve", json=digest,
                      headers=world.headers("procurement_coal"))
    assert own.status_code == 403 and own.json()["error"]["code"] == "separation_of_duties"
    stale = client.post(f"/api/v1/contracts/{contract['id']}/sign",
                        json={"document_sha256": "0" * 64}, headers=world.headers("supplier_1"))
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "document_mismatch"
    document = client.get(f"/api/v1/contracts/{contract['id']}/document",
                          headers=world.headers("supplier_1")).json()
    assert document["sha256"] == contract["document"]["sha256"]
    assert document["sha256"] == hashlib.sha256(json.dumps(
        document["canonical"], sort_keys=True, separators=(",", ":"),
        ensure_ascii=False).encode()).hexdigest()
    assert document["canonical"]["lines"][0]["price_tiers"][1] == {
        "min_quantity": 5, "unit_price": "820.0000"}
    assert document["rendered_sha256"] == hashlib.sha256(document["rendered"].encode()).hexdigest()
    assert "Coal 6000 Ordos" in document["rendered"]
    signed = _sign_both(client, world, contract)
    assert (signed["status"], signed["state"]) == ("signed", "active")
    evidence = client.get(f"/api/v1/contracts/{contract['id']}/evidence",
                          headers=world.headers("buyer_coal")).json()
    assert [(e["action"], e["actor_user_id"]) for e in evidence] == [
        ("contract.document_stored", world.users["procurement_coal"].user_id),
        ("contract.supplier_signed", world.users["supplier_1"].user_id),
        ("contract.approved", world.users["admin_coal"].user_id)]
    assert {e["details"]["sha256"] for e in evidence} == {contract["document"]["sha256"]}
    assert signed["supplier_signature"]["user_id"] == world.users["supplier_1"].user_id
    assert signed["procurement_approval"]["user_id"] == world.users["admin_coal"].user_id
    order = _call_off(client, world, contract["id"], 6, "call-1")
    assert order.status_code == 201, order.text
    body = order.json()
    assert body["contract_id"] == contract["id"]
    assert (body["lines"][0]["unit_price"], body["total_amount"]) == ("820.0000", "4920.0000")
    assert client.get(f"/api/v1/orders/{body['id']}",
                      headers=world.headers("buyer_coal")).json()["contract_id"] == contract["id"]
    assert _remaining(client, world, contract["id"]) == 4
    over = _call_off(client, world, contract["id"], 5, "call-2")
    assert over.status_code == 409
    assert over.json()["error"]["code"] == "contract_quantity_exhausted"
    assert over.json()["error"]["details"]["remaining"] == 4
    small = _call_off(client, world, contract["id"], 2, "call-3")
    assert small.json()["lines"][0]["unit_price"] == "850.0000"  # below the 5-unit tier
    with db.read() as session:
        types = [e["event_type"] for e in read_events(session)
                 if e["aggregate_type"] == "contract"]
    assert types == ["contract.created", "contract.supplier_signed", "contract.approved",
                     "contract.signed", "contract.called_off", "contract.called_off"]


def test_the_catalogue_shows_a_unit_its_contract_prices(client, world) -> None:
    contract = _sign_both(client, world, _create(client, world))
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    mine = client.get(f"/api/v1/offers/{offer}", headers=world.headers("buyer_coal")).json()
    assert mine["contract_prices"] == [{
        "contract_id": contract["id"], "contract_line_id": contract["lines"][0]["id"],
        "currency": "CNY", "price_tiers": [{"min_quantity": 1, "unit_price": "850.0000"},
                                           {"min_quantity": 5, "unit_price": "820.0000"}],
        "remaining_quantity": 10, "valid_to": contract["valid_to"]}]
    listed = client.get("/api/v1/offers", params={"sku_id": world.sku_ids["COAL-6000"]},
                        headers=world.headers("buyer_coal")).json()["items"]
    assert [o["contract_prices"][0]["contract_id"] for o in listed] == [contract["id"]]
    other = client.get(f"/api/v1/offers/{offer}", headers=world.headers("buyer_power")).json()
    assert other["contract_prices"] == []


def test_an_expired_contract_refuses_call_offs(client, world) -> None:
    contract = _sign_both(client, world, _create(
        client, world, valid_from=(TODAY - dt.timedelta(days=30)).isoformat(),
        valid_to=(TODAY - dt.timedelta(days=1)).isoformat()))
    assert contract["state"] == "expired"
    refused = _call_off(client, world, contract["id"], 1, "late")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "contract_expired" and "expired on" in error["message"]
    assert _remaining(client, world, contract["id"]) == 10


def test_cancellation_releases_the_quantity(client, world, db) -> None:
    contract = _sign_both(client, world, _create(client, world))
    order = _call_off(client, world, contract["id"], 4, "to-cancel").json()
    assert _remaining(client, world, contract["id"]) == 6
    cancelled = client.post(f"/api/v1/orders/{order['id']}/cancel",
                            headers=world.headers("buyer_coal"))
    assert cancelled.status_code == 200, cancelled.text
    assert _remaining(client, world, contract["id"]) == 10
    with db.read() as session:
        assert session.execute(select(contract_call_offs.c.status).where(
            contract_call_offs.c.order_id == order["id"])).scalars().all() == ["released"]
        released = [e for e in read_events(session)
                    if e["event_type"] == "contract.call_off_released"]
    assert [(e["payload"]["order_id"], e["payload"]["lines"][0]["remaining_quantity"])
            for e in released] == [(order["id"], 10)]


def test_suppliers_and_other_units_cannot_read_a_contract(client, world) -> None:
    contract = _create(client, world)
    path = f"/api/v1/contracts/{contract['id']}"
    for outsider in ("supplier_2", "buyer_power", "procurement_power"):
        response = client.get(path, headers=world.headers(outsider))
        assert response.status_code == 404, outsider
        assert response.json()["error"]["code"] == "not_found"
        listed = client.get("/api/v1/contracts", headers=world.headers(outsider)).json()
        assert listed["total"] == 0
    for insider in ("supplier_1", "buyer_coal", "admin"):
        assert client.get(path, headers=world.headers(insider)).status_code == 200
    refused = client.post("/api/v1/contracts", json=_body(world, business_units=["POWER"]),
                          headers=world.headers("procurement_coal"))
    assert refused.status_code == 403
    wrong = client.post(f"{path}/sign", json={"document_sha256": contract["document"]["sha256"]},
                        headers=world.headers("supplier_2"))
    assert wrong.status_code == 404


def _tamper(db: Database, table: str, statement: str) -> None:
    """What someone with database access could do: lift the triggers, rewrite, restore."""
    with db.engine.begin() as c:
        for verb in ("update", "delete"):
            c.execute(text(f"DROP TRIGGER {table}_no_{verb}"))
        c.execute(text(statement))
        recreate = (INITIAL.SQLITE_APPEND_ONLY if table == "audit_log"
                    else CONTRACTS_MIGRATION._append_only(table, "sqlite"))
        for create in recreate:
            c.execute(text(create))


def _verify(db: Database):
    from grouplake.cli import app

    return CliRunner().invoke(app, ["contracts", "verify", "--database-url", str(db.url)])


def test_verify_names_a_contract_whose_document_was_edited(client, world, db) -> None:
    first = _sign_both(client, world, _create(client, world))
    second = _create(client, world)
    result = _verify(db)
    assert result.exit_code == 0, result.output
    assert "contracts intact: 2 contract(s), 2 document(s)" in result.output
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as c:
        c.execute(text("UPDATE contract_documents SET rendered = 'x'"))
    _tamper(db, "contract_documents",
            f"UPDATE contract_documents SET canonical_json = replace(canonical_json, "
            f"'850.0000', '950.0000') WHERE contract_id = {second['id']}")
    result = _verify(db)
    assert result.exit_code == 1
    assert f"contract {second['id']}: document" in result.output
    assert "broken contract(s): " + str(second["id"]) in result.output
    assert f"contract {first['id']}:" not in result.output


def test_verify_names_a_contract_whose_terms_or_evidence_were_edited(client, world, db) -> None:
    contract = _sign_both(client, world, _create(client, world))
    with db.engine.begin() as c:  # contract lines are not append-only: the price is re-checked
        c.execute(text("UPDATE contract_lines SET price_tiers = "
                       "'[{\"min_quantity\": 1, \"unit_price\": \"1.0000\"}]'"))
    assert _problems(db) == [(contract["id"], ("the contract's terms (rows) differ from its "
                                              "signed document"))]
    with db.engine.begin() as c:
        c.execute(text("UPDATE contract_lines SET price_tiers = :t"), {"t": (
            '[{"min_quantity": 1, "unit_price": "850.0000"}, '
            '{"min_quantity": 5, "unit_price": "820.0000"}]')})
    assert _problems(db) == []
    with db.engine.begin() as c:  # a signature moved to someone else in the contract row
        c.execute(text("UPDATE contracts SET approved_by = :u"),
                  {"u": world.users["procurement_coal"].user_id})
    assert _problems(db) == [(contract["id"], ("procurement approval (who/when) does not match "
                                              "its evidence record"))]
    with db.engine.begin() as c:
        c.execute(text("UPDATE contracts SET approved_by = :u"),
                  {"u": world.users["admin_coal"].user_id})
    _tamper(db, "audit_log", "UPDATE audit_log SET actor_user_id = actor_user_id + 1000 "
                             "WHERE action = 'contract.supplier_signed'")
    [(named, problem)] = _problems(db)
    assert named == contract["id"] and problem.startswith("audit chain broken at row")


def _problems(db: Database) -> list[tuple[int | None, str]]:
    with db.read() as session:
        return verify(session, current_terms).problems


# --- concurrency: 50 call-offs race for 10 remaining units ---------------------------------

NO_RISK = CommercePolicy(risk=RiskPolicy(enabled=False))


def _signed_contract(db: Database, world: World, committed: int) -> int:
    lines = [ContractLineSpec(world.sku_ids["COAL-6000"], committed,
                              (PriceTier(1, "850"), PriceTier(5, "820")))]

    def make(session) -> int:
        contract = create_contract(
            session, supplier_id="SUP-1", lines=lines, valid_from=TODAY - dt.timedelta(days=1),
            valid_to=TODAY + dt.timedelta(days=1),  # a run crossing midnight UTC stays inside it
            units=["COAL"], currency="CNY", created_by=world.users["procurement_coal"])
        sign_as_supplier(session, world.users["supplier_1"], contract["id"],
                         contract["document"]["sha256"])
        approve(session, world.users["admin_coal"], contract["id"],
                contract["document"]["sha256"])
        return contract["id"]

    return db.run_write(make)


def _race(db: Database, world: World, contract_id: int, threads: int = 50) -> Counter:
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    buyers = [world.users["buyer_coal"], world.users["buyer_coal2"],
              world.users["procurement_coal"]]
    outcomes: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def one(i: int) -> None:
        request = OrderRequest((OrderLineRequest(offer, 1),), contract_id=contract_id)
        start.wait()
        try:
            db.run_write(lambda s: place_order(s, buyers[i % 3], request,
                                               IdempotentRequest(f"race-{i}", f"h{i}"),
                                               policy=NO_RISK))
            result = "placed"
        except ConflictError as exc:
            result = exc.code
        with lock:
            outcomes[result] += 1

    workers = [threading.Thread(target=one, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return outcomes


def _assert_exactly_ten(db: Database, contract_id: int, outcomes: Counter) -> None:
    assert outcomes == Counter({"placed": 10, "contract_quantity_exhausted": 40})
    with db.read() as session:
        remaining = session.execute(select(contract_lines.c.remaining_quantity).where(
            contract_lines.c.contract_id == contract_id)).scalar_one()
        called = session.execute(select(contract_call_offs.c.quantity).where(
            contract_call_offs.c.contract_id == contract_id)).scalars().all()
    assert (remaining, sum(called), len(called)) == (0, 10, 10)


def test_fifty_concurrent_call_offs_fulfil_exactly_ten_sqlite(db, world) -> None:
    contract_id = _signed_contract(db, world, 10)
    _assert_exactly_ten(db, contract_id, _race(db, world, contract_id))


@pytest.mark.postgres
def test_fifty_concurrent_call_offs_fulfil_exactly_ten_postgres(fresh_pg_url: str) -> None:
    from transactional.migrations import upgrade_database

    upgrade_database(fresh_pg_url)
    db = Database(fresh_pg_url, pool_size=8)
    try:
        world = build_world(db)
        contract_id = _signed_contract(db, world, 10)
        _assert_exactly_ten(db, contract_id, _race(db, world, contract_id))
    finally:
        db.dispose()
