"""``/fx-rates`` (dated rates, editable by finance) and ``/approval-limits`` (per unit)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from infra.http.pages import Page
from transactional.accounting import fx
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.ordering import approvals
from transactional.schemas.common import ERRORS
from transactional.schemas.fx import (
    ApprovalLimitPublic,
    ApprovalLimitSet,
    FxRatePublic,
    FxRateSet,
)

rates = APIRouter(prefix="/fx-rates", tags=["fx"], responses=ERRORS)
limits = APIRouter(prefix="/approval-limits", tags=["approvals"], responses=ERRORS)


@rates.get("")
def list_rates(
    context: ContextDep, user: CurrentUser, page: PageDep,
    from_currency: str | None = None, to_currency: str | None = None,
    date_from: dt.date | None = None, date_to: dt.date | None = None,
) -> Page[FxRatePublic]:
    """Dated rates, newest first (1 from = rate to)."""
    with context.db.read() as session:
        result = fx.list_rates(session, page, from_currency=from_currency,
                               to_currency=to_currency, date_from=date_from, date_to=date_to)
    return Page[FxRatePublic](**result.__dict__)


@rates.put("")
def set_rate(body: FxRateSet, context: ContextDep, user: CurrentUser) -> FxRatePublic:
    """Create or change one dated rate (finance, admins); audited. Conversions already made
    keep the rate they recorded."""
    return FxRatePublic(**context.db.run_write(lambda s: fx.set_rate(
        s, user, body.rate_date, body.from_currency, body.to_currency, body.rate,
        body.source)))


@limits.get("")
def list_limits(context: ContextDep, user: CurrentUser) -> list[ApprovalLimitPublic]:
    """The approval limit of each unit you may see (admins, procurement, finance)."""
    with context.db.read() as session:
        return [ApprovalLimitPublic(**x)
                for x in approvals.list_limits(session, user, context.policy)]


@limits.put("/{business_unit}")
def set_limit(business_unit: str, body: ApprovalLimitSet, context: ContextDep,
              user: CurrentUser) -> ApprovalLimitPublic:
    """Set a unit's approval limit (its admins and procurement); audited. Orders above it
    are placed ``pending_approval``."""
    return ApprovalLimitPublic(**context.db.run_write(lambda s: approvals.set_limit(
        s, user, business_unit, body.amount, body.currency)))
