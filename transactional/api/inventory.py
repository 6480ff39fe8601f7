"""``/inventory``: stock observations (``inventory.observed``, e.g. an IoT stream) and the
discrepancies they raise."""

from __future__ import annotations

from fastapi import APIRouter

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.inventory import service
from transactional.inventory.observations import Observation
from transactional.schemas.common import ERRORS
from transactional.schemas.inventory import (
    ObservationBatch,
    ObservationOutcomePublic,
    StockDiscrepancyPublic,
)

router = APIRouter(prefix="/inventory", tags=["stock"], responses=ERRORS)


@router.post("/observations")
def report_observations(body: ObservationBatch, context: ContextDep,
                        user: CurrentUser) -> list[ObservationOutcomePublic]:
    """Report counts (the warehouse's supplier or an admin): on-hand is set from each count,
    reservations of open orders are kept (available = on-hand − reserved, never negative); a
    count below the reservations records a discrepancy naming the orders. Idempotent per
    ``observation_id``; a count observed before the last applied one changes nothing (``stale``)."""
    observations = [Observation(o.warehouse_id, o.sku_id, o.on_hand, o.observed_at, o.observation_id, o.source)
                    for o in body.observations]
    outcomes = context.db.run_write(lambda s: service.report_observations(s, user, observations))
    return [ObservationOutcomePublic(**{**o.__dict__, "order_ids": list(o.order_ids)}) for o in outcomes]


@router.get("/discrepancies")
def list_discrepancies(context: ContextDep, user: CurrentUser, page: PageDep,
                       warehouse_id: Id | None = None) -> Page[StockDiscrepancyPublic]:
    """Counts that fell below what open orders reserve, newest first (a supplier: its own)."""
    with context.db.read() as session:
        return Page[StockDiscrepancyPublic](**service.list_discrepancies(session, user, page, warehouse_id).__dict__)
