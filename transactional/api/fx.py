"""``/fx-rates`` (dated rates, editable by finance) and ``/approval-limits`` (per unit)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.accounting import fx
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.ordering import approvals, limit_changes
from transactional.schemas.common import CONFLICT, ERRORS
from transactional.schemas.fx import (
    ApprovalLimitChangePublic,
    ApprovalLimitChangeReject,
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


@limits.put("/{business_unit}", status_code=status.HTTP_202_ACCEPTED)
def request_limit(business_unit: str, body: ApprovalLimitSet, context: ContextDep,
                  user: CurrentUser) -> ApprovalLimitChangePublic:
    """Request a new approval limit for a unit (its admins and procurement); audited.

    **202**: the change is pending. It applies only when a second user of the unit, of
    another role than yours (procurement, finance or admin), confirms it
    (``POST /approval-limits/changes/{change_id}/confirm``). A newer request supersedes a
    pending one. Orders above the limit are placed ``pending_approval``."""
    return ApprovalLimitChangePublic(**context.db.run_write(lambda s: limit_changes.request_change(
        s, user, business_unit, body.amount, body.currency)))


@limits.get("/changes")
def list_limit_changes(
    context: ContextDep, user: CurrentUser,
    status_: Annotated[Literal["pending", "confirmed", "rejected", "superseded"] | None,
                       Query(alias="status")] = "pending",
) -> list[ApprovalLimitChangePublic]:
    """Requested changes of the units you may see, newest first (default: pending)."""
    with context.db.read() as session:
        return [ApprovalLimitChangePublic(**x)
                for x in limit_changes.list_changes(session, user, status=status_)]


@limits.get("/changes/{change_id}")
def get_limit_change(change_id: Id, context: ContextDep,
                     user: CurrentUser) -> ApprovalLimitChangePublic:
    with context.db.read() as session:
        return ApprovalLimitChangePublic(**limit_changes.get_change(session, user, change_id))


@limits.post("/changes/{change_id}/confirm", responses={409: CONFLICT})
def confirm_limit_change(change_id: Id, context: ContextDep,
                         user: CurrentUser) -> ApprovalLimitPublic:
    """Confirm a pending change: the limit applies. Not by the requester, nor by someone of
    the requester's role (403 ``separation_of_duties``); audited."""
    return ApprovalLimitPublic(**context.db.run_write(
        lambda s: limit_changes.confirm_change(s, user, change_id)))


@limits.post("/changes/{change_id}/reject", responses={409: CONFLICT})
def reject_limit_change(change_id: Id, body: ApprovalLimitChangeReject, context: ContextDep,
                        user: CurrentUser) -> ApprovalLimitChangePublic:
    """Reject a pending change with a reason (same people as may confirm it); audited."""
    return ApprovalLimitChangePublic(**context.db.run_write(
        lambda s: limit_changes.reject_change(s, user, change_id, body.reason)))
