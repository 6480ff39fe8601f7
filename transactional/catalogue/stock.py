"""Warehouses, stock per SKU per warehouse, and manual adjustments with reasons.

A warehouse is operated by one supplier: its stock is what that supplier can ship, and an
order line for one of the supplier's offers is routed among the supplier's warehouses.
``available`` is sellable now; ``reserved`` is held by placed or paid orders (released on
cancel, consumed on shipping). This service is the system of record for platform orders;
the lake reconciles it against the WMS.

Who: the owning supplier and admins change a warehouse; procurement may read every
warehouse; buyers and finance have no warehouse access (403).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.core import audit, events
from transactional.core.paging import fetch_page
from transactional.db.tables.catalogue import skus, stock, stock_adjustments, warehouses
from transactional.db.tables.identity import suppliers
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.money import check_currency, to_decimal
from transactional.domain.principal import Principal, Role, not_found
from transactional.identity.directory import CODE

REASONS: tuple[str, ...] = (
    "receipt", "count_correction", "damage", "return", "transfer_in", "transfer_out", "other",
)
READ_ROLES = (Role.SUPPLIER, Role.ADMIN, Role.PROCUREMENT)

_WAREHOUSE = select(warehouses).where(warehouses.c.id == bindparam("w"))
_SKU_EXISTS = select(skus.c.id).where(skus.c.id == bindparam("s"))
_ADJUST = (
    update(stock)
    .where(stock.c.warehouse_id == bindparam("w"), stock.c.sku_id == bindparam("s"),
           stock.c.available + bindparam("d") >= 0)
    .values(available=stock.c.available + bindparam("d"), updated_at=bindparam("now"))
    .returning(stock.c.available, stock.c.reserved)
)
_RECORD = insert(stock_adjustments).returning(stock_adjustments.c.id)
_INSERT_IGNORE = {
    "sqlite": sqlite.insert(stock).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(stock).on_conflict_do_nothing(),
}


def _public(row: Any) -> dict[str, Any]:
    keys = ("id", "code", "name", "supplier_id", "city", "latitude", "longitude",
            "handling_cost", "cost_per_km", "currency", "created_at")
    return {k: getattr(row, k) for k in keys}


def create_warehouse(
    session: Session, actor: Principal, *, code: str, name: str, city: str | None = None,
    latitude: float | None = None, longitude: float | None = None,
    handling_cost: Any = "0", cost_per_km: Any = "0", currency: str = "CNY",
    supplier_id: str | None = None,
) -> dict[str, Any]:
    """Create a warehouse for the calling supplier (or, for an admin, ``supplier_id``)."""
    actor.require(Role.SUPPLIER, Role.ADMIN)
    owner = actor.supplier_id if actor.role is Role.SUPPLIER else supplier_id
    problems = []
    if not owner:
        problems.append("an admin must say which supplier operates the warehouse")
    if not CODE.match(code or "") or not (name or "").strip():
        problems.append("code: letters, digits, _ or -; name: not empty")
    if (latitude is None) != (longitude is None) or (
        latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        problems.append("latitude/longitude: both or neither, within range")
    try:
        costs = to_decimal(handling_cost), to_decimal(cost_per_km)
        check_currency(currency)
        if min(costs) < 0:
            problems.append("costs must not be negative")
    except ValueError as exc:
        problems.append(str(exc))
        costs = (to_decimal(0), to_decimal(0))
    if problems:
        raise ValidationFailedError("invalid warehouse", details={"problems": problems})
    if session.execute(select(suppliers.c.id).where(suppliers.c.id == owner)).first() is None:
        raise ValidationFailedError(f"unknown supplier {owner!r}")
    if session.execute(select(warehouses.c.id).where(warehouses.c.code == code)).first():
        raise ConflictError(f"warehouse {code!r} exists", code="duplicate")
    values = {"code": code, "name": name.strip(), "supplier_id": owner, "city": city,
              "latitude": latitude, "longitude": longitude, "handling_cost": costs[0],
              "cost_per_km": costs[1], "currency": currency, "created_at": utcnow()}
    warehouse_id = session.execute(
        insert(warehouses).values(**values).returning(warehouses.c.id)
    ).scalar_one()
    record = {"id": warehouse_id, **values}
    audit.record(session, actor, "warehouse.create", "warehouse", warehouse_id,
                 details={"code": code, "supplier_id": owner})
    events.emit(session, "warehouse.created", "warehouse", warehouse_id, record,
                supplier_id=owner)
    return record


def _warehouse(session: Session, actor: Principal, warehouse_id: int, *, write: bool) -> Any:
    actor.require(*((Role.SUPPLIER, Role.ADMIN) if write else READ_ROLES))
    row = session.connection().execute(_WAREHOUSE, {"w": warehouse_id}).first()
    if row is None or not actor.can_see_supplier(row.supplier_id):
        raise not_found("warehouse", warehouse_id)
    return row


def get_warehouse(session: Session, actor: Principal, warehouse_id: int) -> dict[str, Any]:
    """One warehouse (owner supplier, admins, procurement)."""
    return _public(_warehouse(session, actor, warehouse_id, write=False))


def list_warehouses(
    session: Session, actor: Principal, page: PageRequest, supplier_id: str | None = None
) -> Page[dict[str, Any]]:
    """Warehouses in scope (a supplier: its own)."""
    actor.require(*READ_ROLES)
    query = select(warehouses).order_by(warehouses.c.id)
    if actor.role is Role.SUPPLIER:
        query = query.where(warehouses.c.supplier_id == actor.supplier_id)
    if supplier_id is not None:
        query = query.where(warehouses.c.supplier_id == supplier_id)
    rows, total = fetch_page(session, query, page)
    return Page.of([_public(r) for r in rows], total, page)


def list_stock(
    session: Session, actor: Principal, warehouse_id: int, page: PageRequest,
    sku_id: int | None = None,
) -> Page[dict[str, Any]]:
    """Stock levels of one warehouse, by SKU."""
    _warehouse(session, actor, warehouse_id, write=False)
    query = select(stock).where(stock.c.warehouse_id == warehouse_id).order_by(stock.c.sku_id)
    if sku_id is not None:
        query = query.where(stock.c.sku_id == sku_id)
    rows, total = fetch_page(session, query, page)
    return Page.of([dict(r._mapping) for r in rows], total, page)


def insert_stock_row(session: Session, values: dict[str, Any]) -> None:
    """``INSERT INTO stock … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL)."""
    connection = session.connection()
    connection.execute(_INSERT_IGNORE[connection.dialect.name], values)


def adjust_stock(
    session: Session, actor: Principal, warehouse_id: int, *, sku_id: int, delta: int,
    reason: str, note: str | None = None,
) -> dict[str, Any]:
    """Add (or remove, ``delta < 0``) available stock, with a reason; never below zero.

    Raises:
        ValidationFailedError: zero delta, unknown reason or SKU.
        ConflictError: the removal exceeds the available (unreserved) stock.
    """
    wh = _warehouse(session, actor, warehouse_id, write=True)
    if delta == 0 or reason not in REASONS:
        raise ValidationFailedError(
            f"delta must be non-zero and reason one of {', '.join(REASONS)}"
        )
    connection = session.connection()
    if connection.execute(_SKU_EXISTS, {"s": sku_id}).first() is None:
        raise ValidationFailedError(f"unknown SKU {sku_id}")
    now = utcnow()
    insert_stock_row(session, {"warehouse_id": warehouse_id, "sku_id": sku_id,
                               "available": 0, "reserved": 0, "updated_at": now})
    row = connection.execute(_ADJUST, {"w": warehouse_id, "s": sku_id, "d": delta,
                                       "now": now}).first()
    if row is None:
        raise ConflictError(
            f"cannot remove {-delta} units of SKU {sku_id}: not that much available "
            f"in warehouse {warehouse_id}", code="insufficient_stock",
        )
    adjustment_id = connection.execute(_RECORD, {
        "warehouse_id": warehouse_id, "sku_id": sku_id, "delta": delta, "reason": reason,
        "note": note, "actor_user_id": actor.user_id, "created_at": now,
    }).scalar_one()
    record = {"id": adjustment_id, "warehouse_id": warehouse_id, "sku_id": sku_id,
              "delta": delta, "reason": reason, "note": note, "available": row.available,
              "reserved": row.reserved, "created_at": now}
    audit.record(session, actor, "stock.adjust", "warehouse", warehouse_id,
                 details={"sku_id": sku_id, "delta": delta, "reason": reason})
    events.emit(session, "stock.adjusted", "stock", f"{warehouse_id}:{sku_id}", record,
                supplier_id=wh.supplier_id)
    return record
