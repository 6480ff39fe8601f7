"""Orders: pricing, routing, reservation, lifecycle, idempotency, mass assignment, outbox."""

from __future__ import annotations

from sqlalchemy import select

from tests.transactional.factories import order_body
from transactional.db.tables.catalogue import stock
from transactional.db.tables.core import audit_log, outbox_events
from transactional.db.tables.ordering import orders


def _stock(db, world, warehouse: str, sku: str) -> tuple[int, int]:
    with db.read() as session:
        row = session.execute(select(stock.c.available, stock.c.reserved).where(
            stock.c.warehouse_id == world.warehouse_ids[warehouse],
            stock.c.sku_id == world.sku_ids[sku])).one()
    return row.available, row.reserved


def place(client, world, user: str, body: dict, key: str):
    return client.post("/api/v1/orders", json=body,
                       headers=world.headers(user, **{"Idempotency-Key": key}))


def test_order_is_priced_by_tier_routed_and_split_then_reserved(client, world, db) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-5500")]
    body = order_body(offer, 350, ship_to={"address": "Datong plant", "latitude": 40.0,
                                           "longitude": 113.0})
    response = place(client, world, "buyer_coal", body, "k-1")
    assert response.status_code == 201, response.text
    order = response.json()
    assert response.headers["location"] == f"/api/v1/orders/{order['id']}"
    assert (order["status"], order["business_unit"], order["supplier_id"]) == (
        "placed", "COAL", "SUP-1")
    line = order["lines"][0]
    assert (line["unit_price"], line["line_amount"], order["total_amount"]) == (
        "780.5000", "273175.0000", "273175.0000")
    # Datong (200, nearer) cannot fill 350 alone, neither can Taiyuan (300): split, near first
    wh = world.warehouse_ids
    assert sorted((a["warehouse_id"], a["quantity"]) for a in line["allocations"]) == sorted(
        [(wh["W-DATONG"], 200), (wh["W-TAIYUAN"], 150)])
    assert _stock(db, world, "W-DATONG", "COAL-5500") == (0, 200)
    assert _stock(db, world, "W-TAIYUAN", "COAL-5500") == (150, 150)
    fetched = client.get(f"/api/v1/orders/{order['id']}", headers=world.headers("buyer_coal"))
    assert fetched.json()["lines"] == order["lines"]


def test_out_of_stock_is_409_and_reserves_nothing(client, world, db) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-5500")]
    response = place(client, world, "buyer_coal", order_body(offer, 505), "k-2")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "out_of_stock"
    assert error["message"] == f"insufficient stock: SKU {world.sku_ids['COAL-5500']}: " \
                               "requested 505, available 500"
    assert _stock(db, world, "W-TAIYUAN", "COAL-5500") == (300, 0)
    with db.read() as session:
        assert session.execute(select(orders.c.id)).first() is None


def test_bundle_is_all_or_nothing(client, world, db) -> None:
    body = {"lines": [{"offer_id": world.offer_ids[("SUP-1", "COAL-6000")], "quantity": 10},
                      {"offer_id": world.offer_ids[("SUP-1", "COAL-4500")], "quantity": 1001}]}
    assert place(client, world, "buyer_coal", body, "k-3").status_code == 409
    assert _stock(db, world, "W-TAIYUAN", "COAL-6000") == (1000, 0)


def test_business_rules_are_422(client, world) -> None:
    coal = world.offer_ids[("SUP-1", "COAL-5500")]
    tiles = world.offer_ids[("SUP-2", "TILE-600-W")]
    cases = {
        "below_moq": order_body(coal, 5),
        "not_order_multiple": order_body(coal, 12),
        "unknown_offer": order_body(99999, 10),
        "mixed_order": {"lines": [{"offer_id": coal, "quantity": 10},
                                  {"offer_id": tiles, "quantity": 50}]},
    }
    for code, body in cases.items():
        response = place(client, world, "buyer_coal", body, f"k-{code}")
        assert (response.status_code, response.json()["error"]["code"]) == (422, code)


def test_no_mass_assignment_of_price_status_or_unit(client, world) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    for extra in ({"status": "paid"}, {"business_unit": "POWER"}, {"total_amount": "1"},
                  {"buyer_user_id": 1}):
        response = place(client, world, "buyer_coal", order_body(offer, 1, **extra), "k-m")
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["type"] == "extra_forbidden"
    line = {"lines": [{"offer_id": offer, "quantity": 1, "unit_price": "0.01"}]}
    assert place(client, world, "buyer_coal", line, "k-m").status_code == 422
    ok = place(client, world, "buyer_coal", order_body(offer, 1), "k-m")
    assert ok.json()["business_unit"] == "COAL" and ok.json()["total_amount"] == "900.0000"


def test_idempotency_key_semantics(client, world, db) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    first = place(client, world, "buyer_coal", order_body(offer, 3), "same")
    again = place(client, world, "buyer_coal", order_body(offer, 3), "same")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    different = place(client, world, "buyer_coal", order_body(offer, 4), "same")
    assert (different.status_code, different.json()["error"]["code"]) == (
        422, "idempotency_key_reused")
    other_user = place(client, world, "buyer_coal2", order_body(offer, 3), "same")
    assert other_user.status_code == 201 and other_user.json()["id"] != first.json()["id"]
    assert _stock(db, world, "W-TAIYUAN", "COAL-6000") == (994, 6)
    missing = client.post("/api/v1/orders", json=order_body(offer, 3),
                          headers=world.headers("buyer_coal"))
    assert missing.status_code == 422


def test_lifecycle_and_stock_effects(client, world, db) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    order_id = place(client, world, "buyer_coal", order_body(offer, 10), "life").json()["id"]

    def act(action: str, user: str) -> object:
        return client.post(f"/api/v1/orders/{order_id}/{action}", headers=world.headers(user))

    assert act("ship", "supplier_1").status_code == 409  # not paid yet
    assert act("pay", "buyer_coal").status_code == 403  # buyers do not pay
    paid = act("pay", "finance_coal")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert paid.json()["paid_at"] is not None
    assert act("pay", "finance_coal").json()["error"]["code"] == "illegal_transition"
    assert act("ship", "supplier_1").json()["status"] == "shipped"
    assert _stock(db, world, "W-TAIYUAN", "COAL-6000") == (990, 0)  # consumed
    assert act("cancel", "buyer_coal").status_code == 409
    assert act("deliver", "buyer_coal").json()["status"] == "delivered"
    with db.read() as session:
        events = session.execute(select(outbox_events.c.event_type).where(
            outbox_events.c.aggregate_type == "order", outbox_events.c.aggregate_id == str(order_id),
        ).order_by(outbox_events.c.sequence_id))
        assert list(events.scalars()) == ["order.placed", "order.paid", "order.shipped",
                                          "order.delivered"]
        audited = session.execute(select(audit_log.c.action).where(
            audit_log.c.object_type == "order", audit_log.c.object_id == str(order_id)))
        assert list(audited.scalars()) == ["order.pay", "order.ship", "order.deliver"]


def test_cancel_releases_stock_and_transitions_can_be_idempotent(client, world, db) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-5500")]
    order_id = place(client, world, "buyer_coal", order_body(offer, 400), "c").json()["id"]
    assert _stock(db, world, "W-TAIYUAN", "COAL-5500") == (0, 300)
    headers = world.headers("procurement_coal", **{"Idempotency-Key": "cancel-1"})
    url = f"/api/v1/orders/{order_id}/cancel"
    first = client.post(url, json={"reason": "duplicate"}, headers=headers)
    assert first.status_code == 200 and first.json()["status"] == "cancelled"
    assert client.post(url, json={"reason": "duplicate"}, headers=headers).json() == first.json()
    assert _stock(db, world, "W-TAIYUAN", "COAL-5500") == (300, 0)
    assert _stock(db, world, "W-DATONG", "COAL-5500") == (200, 0)
    with db.read() as session:
        payload = session.execute(select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "order.cancelled")).scalar_one()
    assert payload["transition"]["reason"] == "duplicate"
    assert sum(r["quantity"] for r in payload["transition"]["stock_rows"]) == 400


def test_lists_are_scoped_filtered_and_paged(client, world) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    for i in range(3):
        place(client, world, "buyer_coal", order_body(offer, 1), f"l{i}")
    place(client, world, "buyer_coal2", order_body(offer, 1), "l9")
    place(client, world, "buyer_power", order_body(offer, 1), "l8")
    mine = client.get("/api/v1/orders?limit=2", headers=world.headers("buyer_coal")).json()
    assert (mine["total"], len(mine["items"]), mine["limit"]) == (3, 2, 2)
    unit = client.get("/api/v1/orders", headers=world.headers("procurement_coal")).json()
    assert unit["total"] == 4 and {o["business_unit"] for o in unit["items"]} == {"COAL"}
    assert client.get("/api/v1/orders", headers=world.headers("supplier_1")).json()["total"] == 5
    assert client.get("/api/v1/orders", headers=world.headers("supplier_2")).json()["total"] == 0
    assert client.get("/api/v1/orders?status=paid",
                      headers=world.headers("admin")).json()["total"] == 0
    assert client.get("/api/v1/orders?status=bogus",
                      headers=world.headers("admin")).status_code == 422
