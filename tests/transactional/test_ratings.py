"""Evaluation feedback (#28 item 4): the buyer rates a delivered order once, may change the
rating within the edit window, and the supplier sees only its aggregate, never who rated;
every rating and change goes through the outbox for the lake's scorecards."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from tests.transactional.commerce import act, advance_to_delivered, place
from transactional.db.tables.core import outbox_events
from transactional.db.tables.feedback import order_ratings

RATING = {"delivery_score": 2, "quality_score": 5, "service_score": 4, "comment": "two days late"}


def _rate(client, world, order_id: int, body: dict, user: str = "buyer_coal", method: str = "post",
          **headers: str):
    return client.request(method.upper(), f"/api/v1/orders/{order_id}/rating", json=body,
                          headers=world.headers(user, **headers))


def _summary(client, world, user: str, supplier: str = "SUP-1"):
    return client.get(f"/api/v1/suppliers/{supplier}/ratings/summary", headers=world.headers(user))


def _events(db, order_id: int) -> list[tuple]:
    with db.read() as session:
        return [(r.event_type, r.supplier_id, r.payload) for r in session.execute(
            select(outbox_events).where(outbox_events.c.aggregate_id == str(order_id),
                                        outbox_events.c.event_type.in_(("order.rated", "order.rating_changed")))
            .order_by(outbox_events.c.sequence_id))]


def test_one_rating_per_delivered_order_and_it_reaches_the_outbox(client, world, db) -> None:
    order_id = advance_to_delivered(client, world, world.offer_ids[("SUP-1", "COAL-6000")], 3, "r1")
    given = _rate(client, world, order_id, RATING)
    assert given.status_code == 201, given.text
    body = given.json()
    assert {k: body[k] for k in ("order_id", "supplier_id", "business_unit", "delivery_score",
                                 "quality_score", "service_score", "comment", "version")} == {
        "order_id": order_id, "supplier_id": "SUP-1", "business_unit": "COAL", "delivery_score": 2,
        "quality_score": 5, "service_score": 4, "comment": "two days late", "version": 1}
    window = dt.datetime.fromisoformat(body["editable_until"]) - dt.datetime.fromisoformat(body["rated_at"])
    assert window == dt.timedelta(hours=168)  # OLTP__RATING_EDIT_WINDOW_HOURS default

    second = _rate(client, world, order_id, {**RATING, "quality_score": 1})
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_rated"
    assert client.get(f"/api/v1/orders/{order_id}/rating",
                      headers=world.headers("buyer_coal")).json()["quality_score"] == 5

    events = _events(db, order_id)
    assert [(t, s) for t, s, _ in events] == [("order.rated", "SUP-1")]
    payload = events[0][2]
    assert {k: payload[k] for k in ("order_id", "supplier_id", "business_unit", "delivery_score",
                                    "quality_score", "service_score", "rating_version")} == {
        "order_id": order_id, "supplier_id": "SUP-1", "business_unit": "COAL", "delivery_score": 2,
        "quality_score": 5, "service_score": 4, "rating_version": 1}
    assert payload["delivered_at"] is not None
    assert "comment" not in payload and "buyer_user_id" not in payload  # the lake needs neither


def test_an_idempotent_retry_replays_instead_of_409(client, world) -> None:
    order_id = advance_to_delivered(client, world, world.offer_ids[("SUP-1", "COAL-6000")], 3, "r-idem")
    first = _rate(client, world, order_id, RATING, **{"Idempotency-Key": "rate-1"})
    again = _rate(client, world, order_id, RATING, **{"Idempotency-Key": "rate-1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()


def test_rating_before_delivery_is_refused_with_the_status(client, world) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    order_id = place(client, world, offer, 2, "r-early")["id"]
    for step, user in ((None, None), ("pay", "finance_coal"), ("ship", "supplier_1")):
        if step:
            assert act(client, world, order_id, step, user).status_code == 200
        refused = _rate(client, world, order_id, RATING)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "not_delivered"
    assert act(client, world, order_id, "deliver", "buyer_coal").status_code == 200
    assert _rate(client, world, order_id, RATING).status_code == 201


def test_only_the_ordering_buyer_rates_and_scores_are_1_to_5(client, world) -> None:
    order_id = advance_to_delivered(client, world, world.offer_ids[("SUP-1", "COAL-6000")], 3, "r-who")
    for user, status in (("procurement_coal", 403), ("supplier_1", 403), ("finance_coal", 403),
                         ("buyer_coal2", 404), ("buyer_power", 404)):
        assert _rate(client, world, order_id, RATING, user).status_code == status, user
    for bad in ({**RATING, "quality_score": 0}, {**RATING, "service_score": 6},
                {**RATING, "comment": "x" * 1001}, {"delivery_score": 3}, {**RATING, "buyer": 1}):
        response = _rate(client, world, order_id, bad)
        assert response.status_code == 422, bad
    assert client.post("/api/v1/orders/0/rating", json=RATING,
                       headers=world.headers("buyer_coal")).status_code == 422  # id range
    assert _rate(client, world, order_id, RATING).status_code == 201
    # suppliers never read a single rating; the unit's procurement does
    read = client.get(f"/api/v1/orders/{order_id}/rating", headers=world.headers("supplier_1"))
    assert read.status_code == 403
    assert client.get(f"/api/v1/orders/{order_id}/rating",
                      headers=world.headers("procurement_coal")).status_code == 200


def test_the_rating_changes_within_the_window_then_is_locked(client, world, db) -> None:
    order_id = advance_to_delivered(client, world, world.offer_ids[("SUP-1", "COAL-6000")], 3, "r-edit")
    assert _rate(client, world, order_id, RATING).status_code == 201
    patched = _rate(client, world, order_id, {"delivery_score": 3, "comment": None}, method="patch")
    assert patched.status_code == 200, patched.text
    assert (patched.json()["delivery_score"], patched.json()["quality_score"],
            patched.json()["comment"], patched.json()["version"]) == (3, 5, None, 2)
    put = _rate(client, world, order_id, {"delivery_score": 4, "quality_score": 4, "service_score": 4},
                method="put")
    assert put.status_code == 200 and put.json()["version"] == 3
    assert _rate(client, world, order_id, {}, method="patch").status_code == 422
    assert _rate(client, world, order_id, {"quality_score": None}, method="patch").status_code == 422
    assert [(t, p["delivery_score"], p["rating_version"]) for t, _, p in _events(db, order_id)] == [
        ("order.rated", 2, 1), ("order.rating_changed", 3, 2), ("order.rating_changed", 4, 3)]

    closed = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with db.write() as session:
        session.execute(update(order_ratings).where(order_ratings.c.order_id == order_id)
                        .values(editable_until=closed))
    for method, body in (("patch", {"service_score": 1}),
                         ("put", {"delivery_score": 1, "quality_score": 1, "service_score": 1})):
        locked = _rate(client, world, order_id, body, method=method)
        assert locked.status_code == 409, locked.text
        error = locked.json()["error"]
        assert error["code"] == "rating_locked" and "edit window closed" in error["message"]
    assert client.get(f"/api/v1/orders/{order_id}/rating",
                      headers=world.headers("buyer_coal")).json()["service_score"] == 4
    # a change of another buyer's rating is 404, of an unrated order too
    assert _rate(client, world, order_id, {"service_score": 1}, "buyer_coal2", "patch").status_code == 404


def test_the_supplier_sees_its_aggregate_never_who_rated(client, world) -> None:
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    scores = [(2, 5, 4), (4, 3, 5), (5, 4, 3)]
    for i, (d, q, s) in enumerate(scores):
        buyer = ("buyer_coal", "buyer_coal2", "buyer_coal")[i]
        order_id = advance_to_delivered(client, world, offer, 2, f"r-sum-{i}", buyer=buyer)
        assert _rate(client, world, order_id, {"delivery_score": d, "quality_score": q,
                                               "service_score": s}, buyer).status_code == 201
        if i == 1:  # two ratings: the supplier sees the count, not the means
            early = _summary(client, world, "supplier_1").json()
            assert (early["rating_count"], early["delivery_mean"], early["means_withheld"]) == (2, None, True)
    summary = _summary(client, world, "supplier_1")
    assert summary.status_code == 200
    assert summary.json() == {
        "supplier_id": "SUP-1", "scope": "group", "rating_count": 3, "delivery_mean": "3.67",
        "quality_mean": "4.00", "service_mean": "4.00", "overall_mean": "3.89",
        "means_withheld": False, "min_count_for_means": 3}
    # procurement: its unit's ratings; another unit's procurement sees none of COAL's
    assert _summary(client, world, "procurement_coal").json()["delivery_mean"] == "3.67"
    power = _summary(client, world, "procurement_power").json()
    assert (power["scope"], power["rating_count"], power["delivery_mean"]) == ("POWER", 0, None)
    # another supplier's aggregate is 404 to a supplier; buyers and finance may not ask
    assert _summary(client, world, "supplier_2").status_code == 404
    assert _summary(client, world, "supplier_2", "SUP-2").json()["rating_count"] == 0
    for user in ("buyer_coal", "finance_coal"):
        assert _summary(client, world, user).status_code == 403
    assert _summary(client, world, "admin", "SUP-404").status_code == 404
    # nothing the supplier can list carries a rating or a rater
    orders = client.get("/api/v1/orders", headers=world.headers("supplier_1")).json()["items"]
    assert orders and not any("rating" in str(o.keys()) for o in orders)
