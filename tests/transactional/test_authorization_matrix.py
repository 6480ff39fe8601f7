"""Authorization matrix: every route that takes an id refuses another unit's / supplier's id.

Routes are enumerated from the app's OpenAPI document, so a new route with a path id fails
:func:`test_every_id_route_is_in_the_matrix` until it is classified here.

Policy (also in the API description): an id outside the caller's business unit, supplier or
ownership answers **404 not_found**, the same as an id that does not exist, so ids cannot be
probed. 403 is only for a role that may never use the route, whatever the id. The catalogue
(categories, SKUs) and offers are group-wide reference data: readable by every
authenticated user, listed below as public reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from tests.transactional.factories import USERS, order_body
from transactional.db.tables import orders
from transactional.domain.status import TRANSITIONS


@dataclass(frozen=True)
class Case:
    """``insider`` may reach the object; every one of ``outsiders`` must get 404."""

    insider: str
    outsiders: tuple[str, ...]
    ids: str  # which fixture object fills the path parameters
    body: dict[str, Any] | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)


def _transition_outsiders(action: str) -> tuple[str, ...]:
    """Everyone whose role may do ``action`` but who cannot see buyer_coal's SUP-1 order."""
    in_scope = {"admin", "admin_coal", "buyer_coal", "procurement_coal", "finance_coal",
                "supplier_1"}
    roles = {r.value for r in TRANSITIONS[action].roles}
    return tuple(u for u, role, _, _ in USERS if role in roles and u not in in_scope)


def _transition_insider(action: str) -> str:
    return {"pay": "finance_coal", "ship": "supplier_1", "deliver": "buyer_coal",
            "cancel": "procurement_coal"}.get(action, "admin")


MATRIX: dict[tuple[str, str], Case | str] = {
    ("get", "/api/v1/users/{user_id}"): Case(
        "admin_coal", ("admin_power", "buyer_coal2", "buyer_power", "supplier_1"), "user"),
    ("post", "/api/v1/users/{user_id}/api-keys"): Case(
        "admin_coal", ("admin_power",), "user", {"name": "x"}),
    ("delete", "/api/v1/users/{user_id}/api-keys/{key_id}"): Case(
        "admin_coal", ("admin_power",), "api_key"),
    ("get", "/api/v1/suppliers/{supplier_id}"): Case("supplier_1", ("supplier_2",), "supplier"),
    ("patch", "/api/v1/offers/{offer_id}"): Case(
        "supplier_1", ("supplier_2",), "offer", {"lead_time_days": 4}),
    ("get", "/api/v1/warehouses/{warehouse_id}"): Case("supplier_1", ("supplier_2",),
                                                       "warehouse"),
    ("get", "/api/v1/warehouses/{warehouse_id}/stock"): Case(
        "supplier_1", ("supplier_2",), "warehouse"),
    ("post", "/api/v1/warehouses/{warehouse_id}/adjustments"): Case(
        "supplier_1", ("supplier_2",), "warehouse",
        {"sku_id": 0, "delta": 1, "reason": "receipt"}),
    ("get", "/api/v1/orders/{order_id}"): Case(
        "buyer_coal", ("buyer_coal2", "buyer_power", "procurement_power", "finance_power",
                       "admin_power", "supplier_2"), "order"),
    **{
        ("post", f"/api/v1/orders/{{order_id}}/{action}"): Case(
            _transition_insider(action), _transition_outsiders(action), "order",
            extra_headers={"Idempotency-Key": f"matrix-{action}"})
        for action in TRANSITIONS
    },
    ("get", "/api/v1/categories/{category_id}"): "public read: group-wide catalogue",
    ("get", "/api/v1/skus/{sku_id}"): "public read: group-wide catalogue",
    ("get", "/api/v1/offers/{offer_id}"): "public read: the group's marketplace",
}


def _id_routes(app) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, operations in app.openapi()["paths"].items() if "{" in path
        for method in operations
    }


def test_every_id_route_is_in_the_matrix(app) -> None:
    routes = _id_routes(app)
    missing = sorted(routes - set(MATRIX))
    assert not missing, f"routes with a path id missing from the authorization matrix: {missing}"
    assert not set(MATRIX) - routes, "matrix lists routes that no longer exist"


@pytest.fixture
def objects(client, world) -> dict[str, dict[str, Any]]:
    """One object of each kind, owned by unit COAL / supplier SUP-1 / buyer_coal."""
    offer = world.offer_ids[("SUP-1", "COAL-6000")]
    order = client.post("/api/v1/orders", json=order_body(offer, 2),
                        headers=world.headers("buyer_coal", **{"Idempotency-Key": "matrix"}))
    buyer = world.users["buyer_coal"].user_id
    key = client.post(f"/api/v1/users/{buyer}/api-keys", json={"name": "m"},
                      headers=world.headers("admin"))
    return {
        "user": {"user_id": buyer},
        "api_key": {"user_id": buyer, "key_id": key.json()["id"]},
        "supplier": {"supplier_id": "SUP-1"},
        "offer": {"offer_id": offer},
        "warehouse": {"warehouse_id": world.warehouse_ids["W-TAIYUAN"]},
        "order": {"order_id": order.json()["id"]},
    }


CASES = [(m, p) for (m, p), case in MATRIX.items() if isinstance(case, Case)]


@pytest.mark.parametrize(("method", "path"), CASES, ids=[f"{m} {p}" for m, p in CASES])
def test_other_units_and_suppliers_get_404(client, world, db, objects, method: str,
                                           path: str) -> None:
    case = MATRIX[(method, path)]
    url = path.format(**objects[case.ids])
    body = dict(case.body) if case.body else None
    if body and "sku_id" in body:
        body["sku_id"] = world.sku_ids["COAL-6000"]
    for outsider in case.outsiders:
        response = client.request(method.upper(), url, json=body,
                                  headers=world.headers(outsider, **case.extra_headers))
        assert response.status_code == 404, (outsider, response.text)
        assert response.json()["error"]["code"] == "not_found"
    if "order_id" in url:
        with db.read() as session:
            status = session.execute(select(orders.c.status).where(
                orders.c.id == objects["order"]["order_id"])).scalar_one()
        assert status == "placed"  # nothing an outsider did changed the order
    insider = client.request(method.upper(), url, json=body,
                             headers=world.headers(case.insider, **case.extra_headers))
    assert insider.status_code not in (403, 404), (case.insider, insider.text)


@pytest.mark.parametrize("path", [p for (m, p), c in MATRIX.items() if isinstance(c, str)])
def test_public_reads_are_open_to_every_unit_and_supplier(client, world, objects,
                                                          path: str) -> None:
    ids = {"category_id": world.category_ids["coal"], "sku_id": world.sku_ids["COAL-6000"],
           "offer_id": objects["offer"]["offer_id"]}
    for user in ("buyer_power", "supplier_2", "finance_power"):
        assert client.get(path.format(**ids), headers=world.headers(user)).status_code == 200


def test_the_outsider_lists_do_not_include_insiders() -> None:
    for case in MATRIX.values():
        if isinstance(case, Case):
            assert case.outsiders and case.insider not in case.outsiders
