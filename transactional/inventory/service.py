"""Stock observations reported through the API (``inventory.observed``: WMS scanners, IoT
gates and scales) and the discrepancies they raise.

Who: the supplier operating the warehouse and admins report counts; procurement may also
read discrepancies. Each accepted count is audited and emits ``stock.observed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.core import audit, events
from transactional.core.paging import fetch_page
from transactional.db.tables.catalogue import warehouses
from transactional.db.tables.supply import stock_discrepancies
from transactional.domain.principal import Principal, Role, not_found
from transactional.inventory.observations import (
    Observation,
    ObservationOutcome,
    apply_observation,
    ensure_known,
)

REPORT_ROLES = (Role.SUPPLIER, Role.ADMIN)
READ_ROLES = (Role.SUPPLIER, Role.ADMIN, Role.PROCUREMENT)


def _operators(session: Session, actor: Principal, warehouse_ids: set[int]) -> dict[int, str]:
    """Supplier of each warehouse; a warehouse outside a supplier's scope is 404."""
    rows = dict(session.execute(select(warehouses.c.id, warehouses.c.supplier_id)
                                .where(warehouses.c.id.in_(sorted(warehouse_ids)))).all())
    for warehouse_id in sorted(warehouse_ids):
        if warehouse_id not in rows or not actor.can_see_supplier(rows[warehouse_id]):
            raise not_found("warehouse", warehouse_id)
    return rows


def report_observations(session: Session, actor: Principal,
                        observations: Sequence[Observation]) -> list[ObservationOutcome]:
    """Apply counts reported by the warehouse's operator (or an admin); each warehouse × SKU's
    readings in order of time.

    Raises:
        ForbiddenError: buyers, finance, procurement.
        NotFoundError: a warehouse that does not exist or is another supplier's.
        ValidationFailedError: an unknown SKU.
    """
    actor.require(*REPORT_ROLES)
    operators = _operators(session, actor, {o.warehouse_id for o in observations})
    ensure_known(session, set(operators), {o.sku_id for o in observations})
    outcomes = []
    # the reservation's lock order (sku, warehouse), each key's readings in order of time
    for observation in sorted(observations, key=lambda o: (o.sku_id, o.warehouse_id, o.observed_at)):
        outcome = apply_observation(session, observation, actor_user_id=actor.user_id)
        outcomes.append(outcome)
        if outcome.status != "applied":
            continue
        facts = {"observation_id": outcome.observation_id, "sku_id": outcome.sku_id, "on_hand": outcome.on_hand,
                 "available": outcome.available, "reserved": outcome.reserved, "delta": outcome.delta,
                 "observed_at": observation.observed_at.isoformat(), "source": observation.source,
                 "discrepancy_id": outcome.discrepancy_id, "order_ids": list(outcome.order_ids)}
        audit.record(session, actor, "stock.observe", "warehouse", outcome.warehouse_id, details=facts)
        events.emit(session, "stock.observed", "stock", f"{outcome.warehouse_id}:{outcome.sku_id}",
                    {"warehouse_id": outcome.warehouse_id, **facts},
                    supplier_id=operators[outcome.warehouse_id], json_ready=True)
    return outcomes


def list_discrepancies(session: Session, actor: Principal, page: PageRequest,
                       warehouse_id: int | None = None) -> Page[dict[str, Any]]:
    """Stock discrepancies (counts below reservations), newest first; a supplier sees its own."""
    actor.require(*READ_ROLES)
    query = (select(stock_discrepancies).join(warehouses, warehouses.c.id == stock_discrepancies.c.warehouse_id)
             .order_by(stock_discrepancies.c.id.desc()))
    if actor.role is Role.SUPPLIER:
        query = query.where(warehouses.c.supplier_id == actor.supplier_id)
    if warehouse_id is not None:
        query = query.where(stock_discrepancies.c.warehouse_id == warehouse_id)
    rows, total = fetch_page(session, query, page)
    return Page.of([dict(r._mapping) for r in rows], total, page)
