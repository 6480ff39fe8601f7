"""Ids are range-checked at the edge (``infra.http.validators.Id``, 1 … 2^63 − 1): an id no
``bigint`` holds, in a path, a query or a body, is a 422 naming the field — never a 500 from
the database driver — while the largest legal id is an ordinary 404."""

from __future__ import annotations

import re

import pytest

from infra.http.validators import MAX_ID

TOO_BIG = MAX_ID + 1


def _int_path_routes(app) -> list[tuple[str, str, list[str]]]:
    """``(method, path, integer path parameters)`` of every route taking an id in its path."""
    routes = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            ints = [p["name"] for p in operation.get("parameters", [])
                    if p["in"] == "path" and p["schema"].get("type") == "integer"]
            if ints:
                routes.append((method, path, ints))
    return sorted(routes)


def _fill(path: str, values: dict[str, object]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), "COAL")), path)


def _refused(response, location: list[str], bound: str) -> None:
    assert response.status_code == 422, (response.request.url, response.text)
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert any(e["loc"] == location and bound in e["msg"] for e in error["details"]), error


def test_every_id_in_a_path_is_range_checked(app, client, world) -> None:
    routes = _int_path_routes(app)
    assert len(routes) >= 25  # every route with an id: orders, offers, users, statements …
    for method, path, names in routes:
        for name in names:
            url = _fill(path, {other: 1 for other in names if other != name} | {name: TOO_BIG})
            response = client.request(method.upper(), url, headers=world.headers("admin"))
            _refused(response, ["path", name], f"less than or equal to {MAX_ID}")
    zero = client.get("/api/v1/orders/0", headers=world.headers("admin"))
    _refused(zero, ["path", "order_id"], "greater than or equal to 1")
    largest = client.get(f"/api/v1/orders/{MAX_ID}", headers=world.headers("admin"))
    assert (largest.status_code, largest.json()["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize(("url", "field"), [
    ("/api/v1/skus?category_id={}", "category_id"),
    ("/api/v1/offers?sku_id={}", "sku_id"),
    ("/api/v1/offers?category_id={}", "category_id"),
])
def test_ids_in_a_query_are_range_checked(client, world, url: str, field: str) -> None:
    response = client.get(url.format(TOO_BIG), headers=world.headers("buyer_coal"))
    _refused(response, ["query", field], f"less than or equal to {MAX_ID}")


def test_ids_in_a_body_are_range_checked(client, world) -> None:
    order = client.post("/api/v1/orders", json={"lines": [{"offer_id": TOO_BIG, "quantity": 1}]},
                        headers=world.headers("buyer_coal", **{"Idempotency-Key": "big-id"}))
    _refused(order, ["body", "lines", 0, "offer_id"], f"less than or equal to {MAX_ID}")
    sku = client.post("/api/v1/skus", json={"code": "X-1", "name": "x", "category_id": TOO_BIG,
                                            "attributes": {}}, headers=world.headers("admin"))
    _refused(sku, ["body", "category_id"], f"less than or equal to {MAX_ID}")
    warehouse = world.warehouse_ids["W-TAIYUAN"]
    adjust = client.post(f"/api/v1/warehouses/{warehouse}/adjustments",
                         json={"sku_id": TOO_BIG, "delta": 1, "reason": "count"},
                         headers=world.headers("admin"))
    _refused(adjust, ["body", "sku_id"], f"less than or equal to {MAX_ID}")
    absent = client.post("/api/v1/orders", json={"lines": [{"offer_id": MAX_ID, "quantity": 1}]},
                         headers=world.headers("buyer_coal", **{"Idempotency-Key": "max-id"}))
    assert (absent.status_code, absent.json()["error"]["code"]) == (422, "unknown_offer")


def test_counts_an_integer_column_holds_are_bounded(client, world) -> None:
    response = client.post("/api/v1/offers", json={
        "sku_id": world.sku_ids["COAL-6000"], "currency": "CNY", "moq": 2**31, "order_multiple": 1,
        "price_tiers": [{"min_quantity": 1, "unit_price": "1"}]},
        headers=world.headers("supplier_1"))
    _refused(response, ["body", "moq"], "less than or equal to 100000000")
