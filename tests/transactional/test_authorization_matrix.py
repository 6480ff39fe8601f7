"""Authorization matrix: every route that takes an id refuses another unit's / supplier's id.

Routes are enumerated from the app's OpenAPI document, so a new route with a path id fails
:func:`test_every_id_route_is_in_the_matrix` until it is classified here.

Policy (also in the API description): an id outside the caller's business unit, supplier or
ownership answers **404 not_found**, the same as an id that does not exist, so ids cannot be
probed. 403 is only for a role that may never use the route, whatever the id. The catalogue
(categories, SKUs) and offers are group-wide reference data: readable by every
authenticated user, listed below as public reads. Objects are built lazily, only the kind a
case needs, in the state its route acts on (an order to ship is paid), so the insider gets
the exact success status. Who may do what to an order is written here (:data:`ORDER_ACTIONS`),
not read from the code under test; a test checks the state machine against it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from tests.transactional.commerce import (
    PDF,
    act,
    advance_to_delivered,
    make_uscc,
    place,
    set_limit,
    today_period,
)
from tests.transactional.factories import USERS, order_body
from transactional.db.tables.ordering import orders
from transactional.domain.status import TRANSITIONS


@dataclass(frozen=True)
class Case:
    """``insider`` gets exactly ``expected``; every one of ``outsiders`` must get 404."""

    insider: str
    outsiders: tuple[str, ...]
    ids: str  # which fixture object fills the path parameters
    body: dict[str, Any] | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    multipart: bool = False  # send a PDF upload instead of a JSON body
    expected: int = 200  # the insider's exact success status


#: The order actions routed as ``POST /orders/{id}/<action>``: the roles that may do each, the
#: status it acts from, and the in-scope user who does it in the matrix. Written from the
#: lifecycle in transactional/README.md, independently of ``TRANSITIONS``.
ORDER_ACTIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "approve": (frozenset({"procurement", "admin"}), "pending_approval", "procurement_coal"),
    "reject": (frozenset({"procurement", "admin"}), "pending_approval", "procurement_coal"),
    "pay": (frozenset({"finance", "admin"}), "placed", "finance_coal"),
    "ship": (frozenset({"supplier", "admin"}), "paid", "supplier_1"),
    "deliver": (frozenset({"buyer", "procurement", "admin"}), "shipped", "buyer_coal"),
    "cancel": (frozenset({"buyer", "procurement", "admin"}), "placed", "procurement_coal"),
}
#: Users who can see buyer_coal's order to SUP-1 (its unit, its supplier, the group admin).
IN_SCOPE = ("admin", "admin_coal", "buyer_coal", "procurement_coal", "finance_coal", "supplier_1")
#: fixture object kind of an order in each status
ORDER_KINDS = {"placed": "order", "pending_approval": "order_pending", "paid": "order_paid",
               "shipped": "order_shipped"}


def _transition_outsiders(action: str) -> tuple[str, ...]:
    """Everyone whose role may do ``action`` but who cannot see buyer_coal's SUP-1 order."""
    roles = ORDER_ACTIONS[action][0]
    return tuple(u for u, role, _, _ in USERS if role in roles and u not in IN_SCOPE)


UNIT_OUTSIDERS = ("admin_power", "procurement_power", "finance_power")
POINTS_RULE = {"currency": "CNY", "points_per_unit": "1", "point_value": "0.01", "expiry_months": 12}
OVERRIDE_EXPIRY = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()
SOURCING_BID = {"currency": "CNY", "valid_until": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
                "lines": [{"line_no": 1, "tiers": [{"min_qty": "1", "unit_price": "20000"}],
                           "capacity": "500", "lead_time_days": 2}]}
RATING = {"delivery_score": 4, "quality_score": 5, "service_score": 3}
ORDER_OUTSIDERS = ("buyer_coal2", "buyer_power", "procurement_power", "finance_power",
                   "admin_power", "supplier_2")


MATRIX: dict[tuple[str, str], Case | str] = {
    ("get", "/api/v1/users/{user_id}"): Case(
        "admin_coal", ("admin_power", "buyer_coal2", "buyer_power", "supplier_1"), "user"),
    ("post", "/api/v1/users/{user_id}/api-keys"): Case(
        "admin_coal", ("admin_power",), "user", {"name": "x"}, expected=201),
    ("post", "/api/v1/users/{user_id}/disable"): Case(
        "admin_coal", ("admin_power",), "user"),
    ("post", "/api/v1/users/{user_id}/enable"): Case(
        "admin_coal", ("admin_power",), "user"),
    ("delete", "/api/v1/users/{user_id}/api-keys/{key_id}"): Case(
        "admin_coal", ("admin_power",), "api_key", expected=204),
    ("get", "/api/v1/suppliers/{supplier_id}"): Case("supplier_1", ("supplier_2",), "supplier"),
    ("patch", "/api/v1/offers/{offer_id}"): Case(
        "supplier_1", ("supplier_2",), "offer", {"lead_time_days": 4}),
    ("get", "/api/v1/warehouses/{warehouse_id}"): Case("supplier_1", ("supplier_2",),
                                                       "warehouse"),
    ("get", "/api/v1/warehouses/{warehouse_id}/stock"): Case(
        "supplier_1", ("supplier_2",), "warehouse"),
    ("post", "/api/v1/warehouses/{warehouse_id}/adjustments"): Case(
        "supplier_1", ("supplier_2",), "warehouse",
        {"sku_id": 0, "delta": 1, "reason": "receipt"}, expected=201),
    ("get", "/api/v1/orders/{order_id}"): Case(
        "buyer_coal", ("buyer_coal2", "buyer_power", "procurement_power", "finance_power",
                       "admin_power", "supplier_2"), "order"),
    **{
        ("post", f"/api/v1/orders/{{order_id}}/{action}"): Case(
            insider, _transition_outsiders(action), ORDER_KINDS[source],
            {"reason": "matrix"} if action == "reject" else None,
            extra_headers={"Idempotency-Key": f"matrix-{action}"})
        for action, (_, source, insider) in ORDER_ACTIONS.items()
    },
    ("post", "/api/v1/orders/{order_id}/payment-intent"): Case(
        "buyer_coal", ORDER_OUTSIDERS[:-1], "order"),
    ("get", "/api/v1/orders/{order_id}/payments"): Case("buyer_coal", ORDER_OUTSIDERS, "order"),
    ("post", "/api/v1/orders/{order_id}/refunds"): Case(
        "finance_coal", ("finance_power", "admin_power"), "order_shipped",
        {"amount": "1", "reason": "matrix"}, expected=201),
    ("post", "/api/v1/risk/reviews/{order_id}"): Case(
        "finance_coal", ("finance_power", "procurement_power", "admin_power"), "order_review",
        {"outcome": "cleared", "reason": "matrix"}),
    ("get", "/api/v1/promotions/{promotion_id}"): Case(
        "buyer_coal", ("buyer_power", *UNIT_OUTSIDERS, "supplier_2"), "promotion"),
    ("patch", "/api/v1/promotions/{promotion_id}"): Case(
        "procurement_coal", ("procurement_power", "admin_power"), "promotion",
        {"priority": 5}),
    ("put", "/api/v1/approval-limits/{business_unit}"): Case(
        "procurement_coal", ("procurement_power", "admin_power"), "unit",
        {"amount": "600000", "currency": "CNY"}, expected=202),
    ("get", "/api/v1/approval-limits/changes/{change_id}"): Case(
        "finance_coal", UNIT_OUTSIDERS, "limit_change"),
    ("post", "/api/v1/approval-limits/changes/{change_id}/confirm"): Case(
        "finance_coal", UNIT_OUTSIDERS, "limit_change"),
    ("post", "/api/v1/approval-limits/changes/{change_id}/reject"): Case(
        "finance_coal", UNIT_OUTSIDERS, "limit_change", {"reason": "matrix"}),
    ("get", "/api/v1/dealer-accounts/{dealer_account_id}"): Case(
        "buyer_coal", ("buyer_coal2", "buyer_power", *UNIT_OUTSIDERS, "supplier_1"), "dealer"),
    ("post", "/api/v1/dealer-accounts/{dealer_account_id}/rebate-settlements"): Case(
        "finance_coal", ("finance_power", "admin_power"), "dealer", expected=201),
    ("get", "/api/v1/statements/{statement_id}"): Case(
        "finance_coal", (*UNIT_OUTSIDERS, "supplier_2"), "statement"),
    ("post", "/api/v1/statements/{statement_id}/corrections"): Case(  # not its issuer
        "admin_coal", ("finance_power", "admin_power"), "statement",
        {"amount": "1", "description": "matrix"}, expected=201),
    ("get", "/api/v1/supplier-applications/{application_id}"): Case(
        "procurement_coal", ("procurement_power", "admin_power", "supplier_1", "supplier_2"),
        "application"),
    ("post", "/api/v1/supplier-applications/{application_id}/documents"): Case(
        "procurement_coal", ("procurement_power", "admin_power", "supplier_2"), "application",
        multipart=True, expected=201),
    ("get", "/api/v1/supplier-applications/{application_id}/documents/{document_id}"): Case(
        "procurement_coal", ("procurement_power", "admin_power", "supplier_2"), "document"),
    ("post", "/api/v1/supplier-applications/{application_id}/checks"): Case(  # reads its licence
        "procurement_coal", ("procurement_power", "admin_power"), "document"),
    # the insider gets 409 nothing_to_resubmit (its checks never failed): in scope, refused
    # for its state; outsiders 404 before any state is looked at
    ("post", "/api/v1/supplier-applications/{application_id}/resubmit"): Case(
        "procurement_coal", ("procurement_power", "admin_power", "supplier_2"), "document",
        expected=409),
    ("post", "/api/v1/supplier-applications/{application_id}/approve"): Case(
        "admin_coal", ("procurement_power", "admin_power"), "application"),
    ("post", "/api/v1/supplier-applications/{application_id}/reject"): Case(
        "admin_coal", ("procurement_power", "admin_power"), "application", {"reason": "no"}),
    ("post", "/api/v1/benefit-policies/{business_unit}"): Case(
        "finance_coal", ("finance_power", "admin_power"), "unit", {"currency": "CNY", "rules": {
            "default": {"payment_terms_days": 45, "credit_limit": "0", "account_manager": False,
                        "discount_tier": "standard", "campaigns": []}}}, expected=201),
    ("get", "/api/v1/benefit-policies/{business_unit}"): Case(
        "finance_coal", UNIT_OUTSIDERS, "policy"),
    ("get", "/api/v1/benefit-policies/{business_unit}/versions"): Case(
        "procurement_coal", UNIT_OUTSIDERS, "policy"),
    ("get", "/api/v1/coupon-campaigns/{campaign_id}"): Case("finance_coal", UNIT_OUTSIDERS, "campaign"),
    ("post", "/api/v1/coupon-campaigns/{campaign_id}/issue"): Case(
        "finance_coal", ("finance_power", "admin_power"), "campaign", {"segment": "champions"}),
    ("get", "/api/v1/customers/{customer_id}/benefits"): Case(
        "buyer_coal", ("buyer_coal2", "buyer_power", *UNIT_OUTSIDERS, "supplier_1"), "customer"),
    ("get", "/api/v1/orders/{order_id}/benefits"): Case("buyer_coal", ORDER_OUTSIDERS, "order"),
    ("post", "/api/v1/points-rules/{business_unit}"): Case(
        "finance_coal", ("finance_power", "admin_power"), "unit", POINTS_RULE, expected=201),
    ("get", "/api/v1/points-rules/{business_unit}"): Case("procurement_coal", UNIT_OUTSIDERS, "points_rule"),
    ("get", "/api/v1/customers/{customer_id}/points"): Case(
        "buyer_coal", ("buyer_coal2", "buyer_power", *UNIT_OUTSIDERS, "supplier_1"), "customer"),
    ("get", "/api/v1/group-buys/{deal_id}"): Case(
        "buyer_coal", ("buyer_power", *UNIT_OUTSIDERS, "supplier_1"), "group_buy"),
    ("post", "/api/v1/group-buys/{deal_id}/join"): Case(
        "buyer_coal", ("buyer_power", "procurement_power"), "group_buy", {"quantity": 1}),
    ("post", "/api/v1/group-buys/{deal_id}/settle"): Case(
        "finance_coal", ("finance_power", "admin_power"), "group_buy"),
    ("get", "/api/v1/suppliers/{supplier_id}/standing"): Case("supplier_1", ("supplier_2",), "supplier"),
    # suppliers are group-wide (no unit owns one): the only id out of scope is a missing one;
    # an override then belongs to the requester's unit, invisible to the other units
    ("post", "/api/v1/suppliers/{supplier_id}/overrides"): Case(
        "procurement_coal", ("procurement_power", "admin_power"), "missing_supplier",
        {"reason": "matrix", "expires_at": OVERRIDE_EXPIRY}, expected=404),
    ("post", "/api/v1/suppliers/{supplier_id}/overrides/{override_id}/confirm"): Case(
        "finance_coal", ("finance_power", "admin_power"), "override"),
    ("post", "/api/v1/suppliers/{supplier_id}/overrides/{override_id}/revoke"): Case(
        "procurement_coal", ("procurement_power", "finance_power", "admin_power"), "override"),
    # sourcing events (#28): the event belongs to COAL and invites SUP-1 only
    ("get", "/api/v1/sourcing-events/{event_id}"): Case(
        "buyer_coal", ("buyer_power", *UNIT_OUTSIDERS, "supplier_2"), "sourcing_event"),
    ("post", "/api/v1/sourcing-events/{event_id}/bids"): Case(
        "supplier_1", ("supplier_2",), "sourcing_event", SOURCING_BID),
    ("get", "/api/v1/sourcing-events/{event_id}/bids"): Case(
        "procurement_coal", ("buyer_power", *UNIT_OUTSIDERS, "supplier_2"), "sourcing_event"),
    ("get", "/api/v1/sourcing-events/{event_id}/bids/{bid_id}"): Case(
        "procurement_coal", ("buyer_power", *UNIT_OUTSIDERS, "supplier_2"), "sourcing_closed"),
    ("post", "/api/v1/sourcing-events/{event_id}/close"): Case(
        "procurement_coal", ("procurement_power", "admin_power"), "sourcing_due"),
    ("get", "/api/v1/sourcing-events/{event_id}/tabulation"): Case(
        "procurement_coal", ("buyer_power", *UNIT_OUTSIDERS, "supplier_2"), "sourcing_closed"),
    ("post", "/api/v1/sourcing-events/{event_id}/award"): Case(
        "procurement_coal", ("procurement_power", "admin_power"), "sourcing_closed",
        expected=201),
    ("get", "/api/v1/sourcing-events/{event_id}/award"): Case(
        "procurement_coal", ("buyer_power", *UNIT_OUTSIDERS, "supplier_2"), "sourcing_awarded"),
    ("post", "/api/v1/sourcing-events/{event_id}/award/approve"): Case(
        "finance_coal", ("finance_power", "admin_power"), "sourcing_awarded"),
    ("post", "/api/v1/sourcing-events/{event_id}/contracts"): Case(
        "procurement_coal", ("procurement_power", "admin_power"), "sourcing_approved",
        {"valid_from": dt.date.today().isoformat(),
         "valid_to": (dt.date.today() + dt.timedelta(days=90)).isoformat()}, expected=201),
    # sourcing plans (#16): buyer_coal's plan for COAL; accepting it places SUP-1's order
    ("get", "/api/v1/sourcing/plans/{plan_id}"): Case(
        "finance_coal", ("buyer_power", *UNIT_OUTSIDERS, "supplier_1"), "sourcing_plan"),
    ("post", "/api/v1/sourcing/plans/{plan_id}/accept"): Case(
        "buyer_coal", ("buyer_power", "procurement_power"), "sourcing_plan",
        extra_headers={"Idempotency-Key": "matrix-plan"}),
    ("get", "/api/v1/contracts/{contract_id}"): Case(
        "buyer_coal", ("buyer_power", *UNIT_OUTSIDERS, "supplier_2"), "contract"),
    ("get", "/api/v1/contracts/{contract_id}/document"): Case(
        "supplier_1", ("buyer_power", *UNIT_OUTSIDERS, "supplier_2"), "contract"),
    ("get", "/api/v1/contracts/{contract_id}/evidence"): Case(
        "finance_coal", ("buyer_power", *UNIT_OUTSIDERS, "supplier_2"), "contract"),
    ("post", "/api/v1/contracts/{contract_id}/sign"): Case(
        "supplier_1", ("supplier_2",), "contract", {"document_sha256": "from-fixture"}),
    ("post", "/api/v1/contracts/{contract_id}/approve"): Case(  # not its maker
        "admin_coal", ("procurement_power", "admin_power"), "contract",
        {"document_sha256": "from-fixture"}),
    # ratings: only buyers rate (their own delivered orders); a supplier reads its aggregate
    ("post", "/api/v1/orders/{order_id}/rating"): Case(
        "buyer_coal", ("buyer_coal2", "buyer_power"), "order_delivered", RATING, expected=201),
    ("put", "/api/v1/orders/{order_id}/rating"): Case(
        "buyer_coal", ("buyer_coal2", "buyer_power"), "order_rated", RATING),
    ("patch", "/api/v1/orders/{order_id}/rating"): Case(
        "buyer_coal", ("buyer_coal2", "buyer_power"), "order_rated", {"service_score": 2}),
    ("get", "/api/v1/orders/{order_id}/rating"): Case(
        "buyer_coal", ("buyer_coal2", "buyer_power", "procurement_power", "admin_power"), "order_rated"),
    ("get", "/api/v1/suppliers/{supplier_id}/ratings/summary"): Case(
        "supplier_1", ("supplier_2",), "supplier"),
    ("get", "/api/v1/categories/{category_id}"): "public read: group-wide catalogue",
    ("get", "/api/v1/skus/{sku_id}"): "public read: group-wide catalogue",
    ("get", "/api/v1/offers/{offer_id}"): "public read: the group's marketplace",
    # role-gated reads of a group-wide SKU, answered for the caller's own unit (no other unit's
    # id to probe): every buyer 200, other roles 403 -- test_recommendations.py checks both
    ("get", "/api/v1/skus/{sku_id}/related"): "buyers only, for their own unit",
    ("get", "/api/v1/skus/{sku_id}/suppliers"): "buyers only, for their own unit",
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


APPLICATION = {"company_name": "Datong Matrix Coal Co., Ltd.", "uscc": make_uscc(),
               "address": "1 Mine Road", "phone": "0352-1234567", "city": "Datong",
               "bank_account": "6222000000000001"}


@pytest.fixture
def objects(client, world, db):
    """``build(kind)``: one object of that kind, owned by COAL / SUP-1 / buyer_coal."""
    built: dict[str, dict[str, Any]] = {}
    offer = world.offer_ids[("SUP-1", "COAL-6000")]

    def post(path: str, user: str, **kwargs: Any) -> Any:
        response = client.post(path, headers=world.headers(user), **kwargs)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def application() -> dict[str, Any]:
        return {"application_id": post("/api/v1/supplier-applications", "procurement_coal",
                                       json=APPLICATION)["id"]}

    def document() -> dict[str, Any]:
        ids = application()
        doc = post(f"/api/v1/supplier-applications/{ids['application_id']}/documents",
                   "procurement_coal", files={"file": ("licence.pdf", PDF, "application/pdf")},
                   data={"doc_type": "business_license"})
        return {**ids, "document_id": doc["id"]}

    def statement() -> dict[str, Any]:
        order_id = advance_to_delivered(client, world, offer, 3, key="matrix-statement")
        start, end = today_period()
        issued = post("/api/v1/statements/runs", "finance_coal",
                      json={"period_start": start, "period_end": end})
        assert order_id in {line["order_id"] for line in issued[0]["lines"]}
        return {"statement_id": issued[0]["id"]}

    def contract() -> dict[str, Any]:
        made = post("/api/v1/contracts", "procurement_coal", json={
            "supplier_id": "SUP-1", "currency": "CNY", "business_units": ["COAL"],
            "valid_from": "2026-01-01", "valid_to": "2099-12-31",
            "lines": [{"sku_id": world.sku_ids["COAL-6000"], "committed_quantity": 10,
                       "price_tiers": [{"min_quantity": 1, "unit_price": "850"}]}]})
        return {"contract_id": made["id"], "sha256": made["document"]["sha256"]}

    def order() -> dict[str, Any]:
        response = client.post("/api/v1/orders", json=order_body(offer, 2),
                               headers=world.headers("buyer_coal", **{"Idempotency-Key": "matrix"}))
        assert response.json()["status"] == "placed", response.text
        return {"order_id": response.json()["id"]}

    def order_pending() -> dict[str, Any]:
        set_limit(client, world, "COAL", "100")
        placed = place(client, world, offer, 2, "matrix-pending")
        assert placed["status"] == "pending_approval", placed
        return {"order_id": placed["id"]}

    def order_review() -> dict[str, Any]:  # a split: 270,000 + 270,000 CNY within COAL's limit each
        place(client, world, offer, 300, "matrix-split-1")
        held = place(client, world, offer, 300, "matrix-split-2")
        assert held["status"] == "pending_review", held
        return {"order_id": held["id"]}

    def order_paid() -> dict[str, Any]:
        ids = order()
        assert act(client, world, ids["order_id"], "pay", "finance_coal").status_code == 200
        return ids

    def order_shipped() -> dict[str, Any]:
        ids = order_paid()
        assert act(client, world, ids["order_id"], "ship", "supplier_1").status_code == 200
        return ids

    def sourcing_event() -> dict[str, Any]:
        closes = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
        need_by = (dt.date.today() + dt.timedelta(days=20)).isoformat()
        return {"event_id": post("/api/v1/sourcing-events", "procurement_coal", json={
            "title": "matrix", "closes_at": closes, "invited": [{"supplier_id": "SUP-1"}],
            "lines": [{"sku_id": world.sku_ids["COAL-6000"], "quantity": "100",
                       "need_by": need_by}]})["id"]}

    def sourcing_due() -> dict[str, Any]:  # bid on, then past its closing time
        from sqlalchemy import update

        from transactional.db.tables.tendering import sourcing_events
        ids = sourcing_event()
        bid = post(f"/api/v1/sourcing-events/{ids['event_id']}/bids", "supplier_1",
                   json=SOURCING_BID)
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.run_write(lambda s: s.execute(update(sourcing_events).where(
            sourcing_events.c.id == ids["event_id"]).values(closes_at=past)))
        return {**ids, "bid_id": bid["id"]}

    def sourcing_closed() -> dict[str, Any]:
        ids = sourcing_due()
        post(f"/api/v1/sourcing-events/{ids['event_id']}/close", "procurement_coal")
        return ids

    def sourcing_awarded() -> dict[str, Any]:  # 2,000,000 CNY: above the approval limit
        ids = sourcing_closed()
        assert post(f"/api/v1/sourcing-events/{ids['event_id']}/award",
                    "procurement_coal")["status"] == "pending_approval"
        return ids

    def sourcing_approved() -> dict[str, Any]:  # approved by a second person
        ids = sourcing_awarded()
        post(f"/api/v1/sourcing-events/{ids['event_id']}/award/approve", "finance_coal")
        return ids

    def order_delivered() -> dict[str, Any]:
        return {"order_id": advance_to_delivered(client, world, offer, 2, key="matrix-delivered")}

    def order_rated() -> dict[str, Any]:
        ids = {"order_id": advance_to_delivered(client, world, offer, 2, key="matrix-rated")}
        post(f"/api/v1/orders/{ids['order_id']}/rating", "buyer_coal", json=RATING)
        return ids

    def sourcing_plan() -> dict[str, Any]:
        need_by = (dt.date.today() + dt.timedelta(days=10)).isoformat()
        plan = post("/api/v1/sourcing/plans", "buyer_coal", json={"lines": [
            {"sku_id": world.sku_ids["COAL-6000"], "quantity": 2, "need_by": need_by}]})
        assert plan["status"] == "optimal", plan
        return {"plan_id": plan["id"]}

    buyer = world.users["buyer_coal"].user_id
    builders = {
        "sourcing_plan": sourcing_plan,
        "sourcing_event": sourcing_event,
        "sourcing_due": sourcing_due,
        "sourcing_closed": sourcing_closed,
        "sourcing_awarded": sourcing_awarded,
        "sourcing_approved": sourcing_approved,
        "user": lambda: {"user_id": buyer},
        "api_key": lambda: {"user_id": buyer, "key_id": post(
            f"/api/v1/users/{buyer}/api-keys", "admin", json={"name": "m"})["id"]},
        "supplier": lambda: {"supplier_id": "SUP-1"},
        "missing_supplier": lambda: {"supplier_id": "SUP-404"},
        "override": lambda: {"supplier_id": "SUP-1", "override_id": post(
            "/api/v1/suppliers/SUP-1/overrides", "procurement_coal",
            json={"reason": "matrix", "expires_at": OVERRIDE_EXPIRY})["id"]},
        "offer": lambda: {"offer_id": offer},
        "warehouse": lambda: {"warehouse_id": world.warehouse_ids["W-TAIYUAN"]},
        "order": order,
        "order_pending": order_pending,
        "order_review": order_review,
        "order_paid": order_paid,
        "order_shipped": order_shipped,
        "order_delivered": order_delivered,
        "order_rated": order_rated,
        "unit": lambda: {"business_unit": "COAL"},
        "limit_change": lambda: {"change_id": client.put(
            "/api/v1/approval-limits/COAL", json={"amount": "600000", "currency": "CNY"},
            headers=world.headers("procurement_coal")).json()["id"]},
        "promotion": lambda: {"promotion_id": post("/api/v1/promotions", "procurement_coal", json={
            "code": "MATRIX", "name": "m", "kind": "percentage", "business_unit": "COAL",
            "supplier_id": "SUP-1", "rules": {"percent": "1"}})["id"]},
        "dealer": lambda: {"dealer_account_id": post("/api/v1/dealer-accounts", "admin_coal", json={
            "code": "D-MATRIX", "name": "m", "business_unit": "COAL", "buyer_user_id": buyer})["id"]},
        "statement": statement,
        "policy": lambda: {"business_unit": post("/api/v1/benefit-policies/COAL", "finance_coal", json={
            "currency": "CNY", "rules": {"default": {"payment_terms_days": 30, "credit_limit": "0",
                                                     "account_manager": False, "discount_tier": "standard",
                                                     "campaigns": []}}})["business_unit"]},
        "campaign": lambda: {"campaign_id": post("/api/v1/coupon-campaigns", "finance_coal", json={
            "code": "MATRIX-C", "name": "m", "business_unit": "COAL", "kind": "amount_off", "currency": "CNY",
            "amount": "10"})["id"]},
        "customer": lambda: {"customer_id": post("/api/v1/dealer-accounts", "admin_coal", json={
            "code": "D-MATRIX-C", "name": "m", "business_unit": "COAL", "buyer_user_id": buyer,
            "customer_ref": "CUST-M"})["id"]},
        "points_rule": lambda: {"business_unit": post("/api/v1/points-rules/COAL", "finance_coal",
                                                      json=POINTS_RULE)["business_unit"]},
        "group_buy": lambda: {"deal_id": post("/api/v1/group-buys", "finance_coal", json={
            "name": "m", "business_unit": "COAL", "offer_id": offer, "group_price": "800", "target": 50,
            "deadline": OVERRIDE_EXPIRY})["id"]},
        "application": application,
        "document": document,
        "contract": contract,
    }

    def build(kind: str) -> dict[str, Any]:
        if kind not in built:
            built[kind] = builders[kind]()
        return built[kind]

    return build


CASES = [(m, p) for (m, p), case in MATRIX.items() if isinstance(case, Case)]


@pytest.mark.parametrize(("method", "path"), CASES, ids=[f"{m} {p}" for m, p in CASES])
def test_other_units_and_suppliers_get_404(client, world, db, objects, method: str,
                                           path: str) -> None:
    case = MATRIX[(method, path)]
    url = path.format(**objects(case.ids))
    body = dict(case.body) if case.body else None
    if body and "sku_id" in body:
        body["sku_id"] = world.sku_ids["COAL-6000"]
    if body and body.get("document_sha256") == "from-fixture":
        body["document_sha256"] = objects(case.ids)["sha256"]

    def send(user: str) -> Any:
        headers = world.headers(user, **case.extra_headers)
        if case.multipart:
            return client.request(method.upper(), url, headers=headers,
                                  files={"file": ("doc.pdf", PDF, "application/pdf")},
                                  data={"doc_type": "other"})
        return client.request(method.upper(), url, json=body, headers=headers)

    before = _order_status(db, objects(case.ids)["order_id"]) if "order_id" in url else None
    for outsider in case.outsiders:
        response = send(outsider)
        assert response.status_code == 404, (outsider, response.text)
        assert response.json()["error"]["code"] == "not_found"
    if before is not None:  # nothing an outsider did changed the order
        assert _order_status(db, objects(case.ids)["order_id"]) == before
    insider = send(case.insider)
    assert insider.status_code == case.expected, (case.insider, insider.text)


def _order_status(db, order_id: int) -> str:
    with db.read() as session:
        return session.execute(select(orders.c.status).where(orders.c.id == order_id)).scalar_one()


def test_the_state_machine_grants_exactly_the_written_roles() -> None:
    routed = {action for action, spec in TRANSITIONS.items() if spec.route}
    assert routed == set(ORDER_ACTIONS)
    for action, (roles, source, _) in ORDER_ACTIONS.items():
        assert {r.value for r in TRANSITIONS[action].roles} == roles, action
        assert source in {s.value for s in TRANSITIONS[action].sources}, action


@pytest.mark.parametrize("action", sorted(ORDER_ACTIONS))
def test_in_scope_roles_outside_the_table_get_403(client, world, db, objects, action: str) -> None:
    roles, source, _ = ORDER_ACTIONS[action]
    order_id = objects(ORDER_KINDS[source])["order_id"]
    refused = [u for u in IN_SCOPE if next(r for n, r, _, _ in USERS if n == u) not in roles]
    assert refused  # every action has someone in scope who may not do it
    for user in refused:
        response = act(client, world, order_id, action, user,
                       **({"reason": "matrix"} if action == "reject" else {}))
        assert response.status_code == 403, (user, response.text)
        assert response.json()["error"]["code"] == "forbidden"
    assert _order_status(db, order_id) == source


@pytest.mark.parametrize("path", [p for (m, p), c in MATRIX.items()
                                  if isinstance(c, str) and c.startswith("public read")])
def test_public_reads_are_open_to_every_unit_and_supplier(client, world, objects,
                                                          path: str) -> None:
    ids = {"category_id": world.category_ids["coal"], "sku_id": world.sku_ids["COAL-6000"],
           "offer_id": objects("offer")["offer_id"]}
    for user in ("buyer_power", "supplier_2", "finance_power"):
        assert client.get(path.format(**ids), headers=world.headers(user)).status_code == 200


def test_the_outsider_lists_do_not_include_insiders() -> None:
    for case in MATRIX.values():
        if isinstance(case, Case):
            assert case.outsiders and case.insider not in case.outsiders
