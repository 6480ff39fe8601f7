"""One stock observation applied: the counted on-hand quantity of a SKU in a warehouse.

The platform keeps ``available`` (sellable) and ``reserved`` (held by open orders) per
warehouse × SKU; on-hand is their sum. A count sets on-hand and keeps every reservation:

* ``available = max(on_hand - reserved, 0)``; the reservations of open orders are untouched;
* a count below what is reserved records a ``stock_discrepancies`` row naming the open
  orders that hold the reservation (available 0, never a silent negative);
* the change of ``available`` is a ``stock_adjustments`` row (``count_correction``) naming
  the observation;
* per warehouse × SKU the last applied observation is remembered (``stock_observations``):
  the same observation again is ``already_applied``, one observed at or before it is
  ``stale`` — a late or replayed count never rolls stock back.

The stock row is locked (``FOR UPDATE`` on PostgreSQL, the write lock on SQLite) before it
is read, so a concurrent order reservation waits for the count or the count for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from transactional.catalogue.stock import insert_stock_row
from transactional.db.tables.catalogue import skus, stock, stock_adjustments, warehouses
from transactional.db.tables.ordering import order_allocations, orders
from transactional.db.tables.supply import stock_discrepancies, stock_observations
from transactional.db.types import utcnow
from transactional.domain.errors import ValidationFailedError
from transactional.domain.status import RESERVING
from transactional.schemas.inventory import MAX_ON_HAND


@dataclass(frozen=True)
class Observation:
    """A count: ``on_hand`` units of ``sku_id`` in ``warehouse_id`` at ``observed_at``.

    ``observation_id`` identifies it at its source (a WMS snapshot line, an IoT reading):
    the same id is applied once.
    """

    warehouse_id: int
    sku_id: int
    on_hand: int
    observed_at: dt.datetime
    observation_id: str
    source: str = "api"

    def __post_init__(self) -> None:
        problems = []
        if not 0 <= self.on_hand <= MAX_ON_HAND:
            problems.append(f"on_hand must be 0..{MAX_ON_HAND}")
        if self.observed_at.tzinfo is None:
            problems.append("observed_at must be timezone-aware")
        if not self.observation_id or len(self.observation_id) > 128:
            problems.append("observation_id must be 1-128 characters")
        if problems:
            raise ValidationFailedError("invalid stock observation", code="invalid_observation",
                                        details={"problems": problems, "observation_id": self.observation_id})


@dataclass(frozen=True)
class ObservationOutcome:
    """What one observation did.

    Attributes:
        status: ``applied``, ``already_applied`` (this observation was the last applied) or
            ``stale`` (a later observation is in force: nothing changed).
        available / reserved: the stock row after the call.
        discrepancy_id: the ``stock_discrepancies`` row recorded, if the count fell short
            of the reservations.
    """

    observation_id: str
    warehouse_id: int
    sku_id: int
    status: Literal["applied", "already_applied", "stale"]
    on_hand: int
    available: int
    reserved: int
    delta: int = 0
    discrepancy_id: int | None = None
    shortfall: int = 0
    order_ids: tuple[int, ...] = ()


def _lock(session: Session, warehouse_id: int, sku_id: int) -> Any:
    return session.execute(
        select(stock.c.available, stock.c.reserved)
        .where(stock.c.warehouse_id == warehouse_id, stock.c.sku_id == sku_id).with_for_update()
    ).one()


def holding_orders(session: Session, warehouse_id: int, sku_id: int) -> list[int]:
    """Open orders holding a reservation of ``sku_id`` in ``warehouse_id``, by id."""
    return sorted(set(session.execute(
        select(order_allocations.c.order_id)
        .join(orders, orders.c.id == order_allocations.c.order_id)
        .where(order_allocations.c.warehouse_id == warehouse_id, order_allocations.c.sku_id == sku_id,
               orders.c.status.in_(sorted(s.value for s in RESERVING)))
    ).scalars()))


def ensure_known(session: Session, warehouse_ids: set[int], sku_ids: set[int]) -> None:
    """Refuse observations of warehouses or SKUs the platform does not know (422)."""
    unknown_wh = warehouse_ids - set(session.execute(
        select(warehouses.c.id).where(warehouses.c.id.in_(sorted(warehouse_ids)))).scalars())
    unknown_sku = sku_ids - set(session.execute(
        select(skus.c.id).where(skus.c.id.in_(sorted(sku_ids)))).scalars())
    if unknown_wh or unknown_sku:
        raise ValidationFailedError("stock observation of an unknown warehouse or SKU", code="unknown_stock_item",
                                    details={"warehouse_ids": sorted(unknown_wh)[:20],
                                             "sku_ids": sorted(unknown_sku)[:20]})


def apply_observation(session: Session, observation: Observation, *, actor_user_id: int = 0,
                      now: dt.datetime | None = None) -> ObservationOutcome:
    """Apply one count in the caller's write transaction (see the module docstring).

    The warehouse and SKU must exist (:func:`ensure_known`); the caller checks who may
    report counts for the warehouse.
    """
    o = observation
    now = now or utcnow()
    insert_stock_row(session, {"warehouse_id": o.warehouse_id, "sku_id": o.sku_id, "available": 0,
                               "reserved": 0, "updated_at": now})
    row = _lock(session, o.warehouse_id, o.sku_id)
    key = (stock_observations.c.warehouse_id == o.warehouse_id) & (stock_observations.c.sku_id == o.sku_id)
    last = session.execute(select(stock_observations).where(key)).first()
    if last is not None and (last.observation_id == o.observation_id or last.observed_at >= o.observed_at):
        status = "already_applied" if last.observation_id == o.observation_id else "stale"
        return ObservationOutcome(o.observation_id, o.warehouse_id, o.sku_id, status, last.on_hand,
                                  row.available, row.reserved)
    available = max(o.on_hand - row.reserved, 0)
    delta = available - row.available
    if delta:
        session.execute(update(stock).where(stock.c.warehouse_id == o.warehouse_id, stock.c.sku_id == o.sku_id)
                        .values(available=available, updated_at=now))
        session.execute(insert(stock_adjustments).values(
            warehouse_id=o.warehouse_id, sku_id=o.sku_id, delta=delta, reason="count_correction",
            note=f"observation {o.observation_id} ({o.source[:200]}): on hand {o.on_hand}"[:500],
            actor_user_id=actor_user_id, created_at=now))
    record = {"observation_id": o.observation_id, "observed_at": o.observed_at, "on_hand": o.on_hand,
              "source": o.source[:200], "applied_at": now}
    if last is None:
        session.execute(insert(stock_observations).values(warehouse_id=o.warehouse_id, sku_id=o.sku_id, **record))
    else:
        session.execute(update(stock_observations).where(key).values(**record))
    discrepancy_id, shortfall, order_ids = None, 0, ()
    if o.on_hand < row.reserved:
        shortfall = row.reserved - o.on_hand
        order_ids = tuple(holding_orders(session, o.warehouse_id, o.sku_id))
        discrepancy_id = session.execute(insert(stock_discrepancies).values(
            warehouse_id=o.warehouse_id, sku_id=o.sku_id, observation_id=o.observation_id,
            observed_at=o.observed_at, on_hand=o.on_hand, reserved=row.reserved, shortfall=shortfall,
            order_ids=list(order_ids), recorded_at=now).returning(stock_discrepancies.c.id)).scalar_one()
    return ObservationOutcome(o.observation_id, o.warehouse_id, o.sku_id, "applied", o.on_hand, available,
                              row.reserved, delta, discrepancy_id, shortfall, order_ids)
