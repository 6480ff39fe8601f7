"""Reading orders: who may see which, snapshots (order + lines + allocations), lists.

Visibility: a buyer sees the orders they placed; procurement and finance every order of
their business unit; a supplier the orders placed with it; an admin every order of its
unit (a group admin: all). Anything else is "not found".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.contracts.calloffs import contract_of_orders
from transactional.core.jsonable import jsonable
from transactional.core.paging import fetch_page
from transactional.db.tables.ordering import (
    order_allocations,
    order_approvals,
    order_line_promotions,
    order_lines,
    orders,
)
from transactional.db.tables.rebates import rebate_accruals
from transactional.db.tables.risk import order_risk
from transactional.domain.principal import Principal, Role, not_found
from transactional.risk.verdict import risk_json

TIMESTAMPS = ("placed_at", "updated_at", "paid_at", "shipped_at", "delivered_at", "cancelled_at",
              "approved_at", "rejected_at", "expired_at", "settled_at")
APPROVAL_KEYS = ("status", "order_amount", "order_currency", "limit_amount", "limit_currency",
                 "converted_amount", "fx_rate", "fx_rate_date", "fx_source", "requested_at",
                 "expires_at", "decided_at", "decided_by", "reason")


def scope_condition(actor: Principal) -> ColumnElement[bool]:
    """SQL condition selecting the orders ``actor`` may see."""
    if actor.role is Role.ADMIN:
        return true() if actor.is_group_admin else orders.c.business_unit == actor.business_unit
    if actor.role is Role.SUPPLIER:
        return orders.c.supplier_id == actor.supplier_id
    if actor.role is Role.BUYER:
        return orders.c.buyer_user_id == actor.user_id
    if actor.role in (Role.PROCUREMENT, Role.FINANCE) and actor.business_unit:
        return orders.c.business_unit == actor.business_unit
    return false()


def load_order_row(session: Session, actor: Principal, order_id: int, *, lock: bool) -> Any:
    """The ``orders`` row if visible to ``actor`` (``FOR UPDATE`` when ``lock``)."""
    query = select(orders).where(orders.c.id == order_id, scope_condition(actor))
    if lock:
        query = query.with_for_update()
    row = session.execute(query).first()
    if row is None:
        raise not_found("order", order_id)
    return row


def snapshots(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """JSON-ready snapshots of ``orders`` rows with their lines and allocations."""
    ids = [r.id for r in rows]
    lines: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    allocs: dict[tuple[int, int], list[dict[str, Any]]] = {}
    promos: dict[tuple[int, int], list[dict[str, Any]]] = {}
    rebates: dict[tuple[int, int], list[dict[str, Any]]] = {}
    approvals: dict[int, dict[str, Any]] = {}
    risks: dict[int, dict[str, Any]] = {}
    if ids:
        for rk in session.execute(select(order_risk).where(order_risk.c.order_id.in_(ids))):
            risks[rk.order_id] = risk_json(rk._mapping)
        for a in session.execute(
            select(order_allocations).where(order_allocations.c.order_id.in_(ids))
            .order_by(order_allocations.c.order_id, order_allocations.c.line_no,
                      order_allocations.c.warehouse_id)
        ):
            allocs.setdefault((a.order_id, a.line_no), []).append(allocation_json(a._mapping))
        for p in session.execute(
            select(order_line_promotions).where(order_line_promotions.c.order_id.in_(ids))
            .order_by(order_line_promotions.c.order_id, order_line_promotions.c.line_no,
                      order_line_promotions.c.sequence)
        ):
            promos.setdefault((p.order_id, p.line_no), []).append(applied_json(p._mapping))
        for r in session.execute(
            select(rebate_accruals).where(rebate_accruals.c.order_id.in_(ids))
            .order_by(rebate_accruals.c.id)
        ):
            rebates.setdefault((r.order_id, r.line_no), []).append(rebate_json(r._mapping))
        for ap in session.execute(
            select(order_approvals).where(order_approvals.c.order_id.in_(ids))
        ):
            approvals[ap.order_id] = jsonable({k: ap._mapping[k] for k in APPROVAL_KEYS})
        for line in session.execute(
            select(order_lines).where(order_lines.c.order_id.in_(ids))
            .order_by(order_lines.c.order_id, order_lines.c.line_no)
        ):
            key = (line.order_id, line.line_no)
            lines[line.order_id].append(line_json(
                line._mapping, allocs.get(key, []), promos.get(key, []), rebates.get(key, [])))
    contract_of = contract_of_orders(session, ids)
    return [snapshot_of({**r._mapping, "risk": risks.get(r.id), "contract_id": contract_of.get(r.id)},
                        lines[r.id], approvals.get(r.id))
            for r in rows]


def allocation_json(a: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready form of an ``order_allocations`` row."""
    return {"warehouse_id": a["warehouse_id"], "quantity": a["quantity"],
            "distance_km": a["distance_km"], "unit_shipping_cost": str(a["unit_shipping_cost"]),
            "shipping_currency": a["shipping_currency"]}


def applied_json(p: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready form of an ``order_line_promotions`` row (a price promotion's share)."""
    return {"promotion_id": p["promotion_id"], "promotion_version": p["promotion_version"],
            "kind": p["kind"], "sequence": p["sequence"], "amount": str(p["amount"])}


def rebate_json(r: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready form of a ``rebate_accruals`` row (a tiered rebate on a line)."""
    return jsonable({"promotion_id": r["promotion_id"], "promotion_version":
                     r["promotion_version"], "kind": r["kind"],
                     "dealer_account_id": r["dealer_account_id"],
                     "period_start": r["period_start"], "volume": r["volume"],
                     "amount": r["amount"], "currency": r["currency"], "tiers": r["tiers"],
                     "fx_rate": r["fx_rate"], "fx_rate_date": r["fx_rate_date"],
                     "fx_source": r["fx_source"]})


def line_json(line: Mapping[str, Any], allocations: list[dict[str, Any]],
              promotions: list[dict[str, Any]] | None = None,
              rebates: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """JSON-ready form of an ``order_lines`` row with its allocations, the price promotions
    applied to it and the dealer rebates it earned."""
    return {"line_no": line["line_no"], "offer_id": line["offer_id"],
            "offer_version": line["offer_version"], "sku_id": line["sku_id"],
            "quantity": line["quantity"], "unit_price": str(line["unit_price"]),
            "line_amount": str(line["line_amount"]),
            "discount_amount": str(line["discount_amount"]),
            "net_amount": str(line["net_amount"]), "currency": line["currency"],
            "promotions": promotions or [], "rebates": rebates or [],
            "allocations": allocations}


def snapshot_of(m: Mapping[str, Any], lines: list[dict[str, Any]],
                approval: dict[str, Any] | None = None) -> dict[str, Any]:
    """The public, JSON-ready form of an ``orders`` row (also the outbox payload).

    ``lines`` and ``approval`` must already be JSON-ready (:func:`line_json`); ``m["risk"]``,
    if present, is the risk guard's public verdict (``transactional/risk/verdict.py``).
    ``total_amount`` is what the buyer pays: ``gross_amount - discount_amount``.
    """
    return {
        "id": m["id"], "business_unit": m["business_unit"],
        "buyer_user_id": m["buyer_user_id"], "supplier_id": m["supplier_id"],
        "status": m["status"], "currency": m["currency"],
        "gross_amount": str(m["gross_amount"]), "discount_amount": str(m["discount_amount"]),
        "total_amount": str(m["total_amount"]),
        "ship_to": {"address": m["ship_to_address"], "latitude": m["ship_to_latitude"],
                    "longitude": m["ship_to_longitude"]},
        "note": m["note"], **{k: jsonable(m[k]) for k in TIMESTAMPS},
        "statement_id": m["statement_id"], "approval": approval, "risk": m.get("risk"),
        "contract_id": m.get("contract_id"),
        "lines": lines,
    }


def get_order(session: Session, actor: Principal, order_id: int) -> dict[str, Any]:
    """One order visible to ``actor``."""
    return snapshots(session, [load_order_row(session, actor, order_id, lock=False)])[0]


def list_orders(
    session: Session, actor: Principal, page: PageRequest, *, status: str | None = None,
    supplier_id: str | None = None, business_unit: str | None = None,
    placed_from: dt.datetime | None = None, placed_to: dt.datetime | None = None,
) -> Page[dict[str, Any]]:
    """Orders visible to ``actor``, newest first, filtered."""
    query = select(orders).where(scope_condition(actor)).order_by(orders.c.id.desc())
    if status:
        query = query.where(orders.c.status == status)
    if supplier_id:
        query = query.where(orders.c.supplier_id == supplier_id)
    if business_unit:
        query = query.where(orders.c.business_unit == business_unit)
    if placed_from:
        query = query.where(orders.c.placed_at >= placed_from)
    if placed_to:
        query = query.where(orders.c.placed_at < placed_to)
    rows, total = fetch_page(session, query, page)
    return Page.of(snapshots(session, rows), total, page)
