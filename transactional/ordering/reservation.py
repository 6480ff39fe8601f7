"""Stock reservation that can never oversell, under any concurrency, on both backends.

Reserve (order placement):

1. Lock every candidate stock row of the order — the supplier's warehouses holding any of
   the order's SKUs with stock left — with one ``SELECT … ORDER BY sku_id, warehouse_id
   FOR UPDATE OF stock``. One statement, one global order: two orders sharing SKUs lock
   their common rows in the same order, so they queue instead of deadlocking. A row that
   a concurrent transaction emptied is re-checked after its lock is released and skipped.
   On SQLite ``FOR UPDATE`` is not needed: the write transaction already holds the database
   write lock (``BEGIN IMMEDIATE``).
2. Route the lines on the locked quantities (``domain/allocation.py``).
3. Apply each allocation with a *conditional* update (``… WHERE available >= :q``), and
   the table's ``CHECK (available >= 0)`` as the last line of defence.

Release (cancel) and consume (ship) update the order's allocation rows in the same
``(sku_id, warehouse_id)`` order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from transactional.db.fastpath import HotStatement
from transactional.db.tables.catalogue import stock, warehouses
from transactional.db.tables.ordering import order_allocations
from transactional.db.types import utcnow
from transactional.domain.allocation import Allocation, LineRequest, StockCandidate, allocate
from transactional.domain.errors import RetryableConflictError
from transactional.domain.status import StockEffect

# Built once; the hot path only binds parameters.
_LOCK_CANDIDATES = HotStatement(
    select(
        stock.c.warehouse_id, stock.c.sku_id, stock.c.available,
        warehouses.c.handling_cost, warehouses.c.cost_per_km,
        warehouses.c.latitude, warehouses.c.longitude, warehouses.c.currency,
    )
    .join(warehouses, warehouses.c.id == stock.c.warehouse_id)
    .where(
        stock.c.sku_id.in_(bindparam("sku_ids", expanding=True)),
        warehouses.c.supplier_id == bindparam("supplier_id"),
        stock.c.available > 0,
    )
    .order_by(stock.c.sku_id, stock.c.warehouse_id)
    .with_for_update(of=stock)
)
_STOCK_ROW = (stock.c.warehouse_id == bindparam("w")) & (stock.c.sku_id == bindparam("s"))
_RESERVE = HotStatement(
    update(stock)
    .where(_STOCK_ROW, stock.c.available >= bindparam("q"))
    .values(available=stock.c.available - bindparam("q"),
            reserved=stock.c.reserved + bindparam("q"), updated_at=bindparam("now"))
)
_RELEASE = HotStatement(
    update(stock)
    .where(_STOCK_ROW, stock.c.reserved >= bindparam("q"))
    .values(available=stock.c.available + bindparam("q"),
            reserved=stock.c.reserved - bindparam("q"), updated_at=bindparam("now"))
)
_CONSUME = HotStatement(
    update(stock)
    .where(_STOCK_ROW, stock.c.reserved >= bindparam("q"))
    .values(reserved=stock.c.reserved - bindparam("q"), updated_at=bindparam("now"))
)


def lock_candidates(
    session: Session, supplier_id: str, sku_ids: Sequence[int]
) -> list[tuple[StockCandidate, str]]:
    """Lock and return ``(candidate, shipping currency)`` rows, in lock order."""
    rows = _LOCK_CANDIDATES.execute(
        session, {"sku_ids": sorted(set(sku_ids)), "supplier_id": supplier_id})
    return [
        (StockCandidate(r.warehouse_id, r.sku_id, r.available, r.handling_cost, r.cost_per_km,
                        r.latitude, r.longitude), r.currency)
        for r in rows
    ]


def reserve(
    session: Session,
    supplier_id: str,
    lines: Sequence[LineRequest],
    ship_to: tuple[float, float] | None,
) -> tuple[list[Allocation], dict[int, str]]:
    """Route and reserve every line (all or nothing).

    Returns:
        ``(allocations, shipping currency per warehouse id)``.

    Raises:
        OutOfStockError: some line cannot be filled (nothing was changed).
    """
    locked = lock_candidates(session, supplier_id, [line.sku_id for line in lines])
    currencies = {c.warehouse_id: currency for c, currency in locked}
    allocations = allocate(lines, [c for c, _ in locked], ship_to)
    now = utcnow()
    totals: dict[tuple[int, int], int] = {}
    for a in allocations:
        totals[(a.sku_id, a.warehouse_id)] = totals.get((a.sku_id, a.warehouse_id), 0) + a.quantity
    for (sku_id, warehouse_id), quantity in sorted(totals.items()):
        result = _RESERVE.execute(
            session, {"w": warehouse_id, "s": sku_id, "q": quantity, "now": now})
        if result.rowcount != 1:  # cannot happen under the lock; refuse rather than oversell
            raise RetryableConflictError("stock changed during reservation; retry")
    return allocations, currencies


def apply_effect(session: Session, order_id: int, effect: StockEffect) -> list[dict[str, Any]]:
    """Release or consume an order's reserved stock; returns the rows touched."""
    if effect is StockEffect.NONE:
        return []
    rows = session.execute(
        select(order_allocations.c.sku_id, order_allocations.c.warehouse_id,
               order_allocations.c.quantity)
        .where(order_allocations.c.order_id == order_id)
        .order_by(order_allocations.c.sku_id, order_allocations.c.warehouse_id)
    ).all()
    return apply_to_rows(session, rows, effect)


def apply_to_rows(session: Session, rows: Sequence[Any], effect: StockEffect) -> list[dict[str, Any]]:
    """Release or consume reserved stock rows (``sku_id``, ``warehouse_id``, ``quantity``), in
    lock order; also a group-buy participant's hold (``ordering/groupbuy.py``)."""
    if effect is StockEffect.NONE:
        return []
    totals: dict[tuple[int, int], int] = {}
    for r in rows:
        totals[(r.sku_id, r.warehouse_id)] = totals.get((r.sku_id, r.warehouse_id), 0) + r.quantity
    now = utcnow()
    touched = []
    statement = _RELEASE if effect is StockEffect.RELEASE else _CONSUME
    for (sku_id, warehouse_id), quantity in sorted(totals.items()):
        result = statement.execute(
            session, {"w": warehouse_id, "s": sku_id, "q": quantity, "now": now})
        if result.rowcount != 1:
            raise RetryableConflictError(
                f"reserved stock of SKU {sku_id} in warehouse {warehouse_id} is inconsistent"
            )
        touched.append({"sku_id": sku_id, "warehouse_id": warehouse_id, "quantity": quantity})
    return touched
