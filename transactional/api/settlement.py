"""``/statements`` (supplier settlement) and ``/dealer-accounts`` (rebates)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.api.idempotent import OptionalIdempotencyKey, write_once
from transactional.rebates import dealers
from transactional.schemas.common import ERRORS
from transactional.schemas.settlement import (
    DealerAccountCreate,
    DealerAccountPublic,
    RebateSettlementPublic,
    StatementCorrectionCreate,
    StatementPublic,
    StatementRunCreate,
)
from transactional.settlement import run, statements

statements_router = APIRouter(prefix="/statements", tags=["settlement"], responses=ERRORS)
dealers_router = APIRouter(prefix="/dealer-accounts", tags=["rebates"], responses=ERRORS)


@statements_router.post("/runs", status_code=status.HTTP_201_CREATED)
def run_settlement(body: StatementRunCreate, context: ContextDep, user: CurrentUser,
                   idempotency_key: OptionalIdempotencyKey = None) -> list[StatementPublic]:
    """Issue the statements of a period for your unit (finance, admins): one per supplier
    with something to settle, in its settlement currency; emits ``payable.exported``."""
    def action(session: Session) -> tuple[dict, str]:
        issued = run.issue_statements(
            session, user, body.period_start, body.period_end, context.policy,
            business_unit=body.business_unit, supplier_id=body.supplier_id)
        return {"statements": issued}, ",".join(str(s["id"]) for s in issued) or "-"

    result = write_once(context, user, idempotency_key, "POST", "/api/v1/statements/runs",
                        body.model_dump(mode="json"), "statement_run", action)
    return [StatementPublic(**s) for s in result["statements"]]


@statements_router.get("")
def list_statements(context: ContextDep, user: CurrentUser, page: PageDep,
                    supplier_id: str | None = None,
                    period_start: dt.date | None = None) -> Page[StatementPublic]:
    """Statements you may see (your unit's; suppliers: their own), newest first."""
    with context.db.read() as session:
        result = statements.list_statements(session, user, page, supplier_id=supplier_id,
                                            period_start=period_start)
    return Page[StatementPublic](**result.__dict__)


@statements_router.get("/{statement_id}")
def get_statement(statement_id: Id, context: ContextDep, user: CurrentUser) -> StatementPublic:
    """A statement with its lines (each with its FX rate, date and source) and its
    journal entry."""
    with context.db.read() as session:
        return StatementPublic(**statements.get_statement(session, user, statement_id))


@statements_router.post("/{statement_id}/corrections", status_code=status.HTTP_201_CREATED)
def correct_statement(statement_id: Id, body: StatementCorrectionCreate, context: ContextDep,
                      user: CurrentUser,
                      idempotency_key: OptionalIdempotencyKey = None) -> StatementPublic:
    """Issue a correction statement (issued statements never change)."""
    def action(session: Session) -> tuple[dict, str]:
        issued = run.correct_statement(session, user, statement_id, body.amount,
                                              body.description, context.policy)
        return issued, str(issued["id"])

    return StatementPublic(**write_once(
        context, user, idempotency_key, "POST",
        f"/api/v1/statements/{statement_id}/corrections", body.model_dump(mode="json"),
        "statement", action))


@dealers_router.post("", status_code=status.HTTP_201_CREATED)
def create_dealer_account(body: DealerAccountCreate, context: ContextDep,
                          user: CurrentUser) -> DealerAccountPublic:
    """Open a dealer account (staff of the unit)."""
    values = body.model_dump()
    return DealerAccountPublic(**context.db.run_write(
        lambda s: dealers.create_dealer_account(s, user, **values)))


@dealers_router.get("")
def list_dealer_accounts(context: ContextDep, user: CurrentUser,
                         page: PageDep) -> Page[DealerAccountPublic]:
    with context.db.read() as session:
        result = dealers.list_dealer_accounts(session, user, page)
    return Page[DealerAccountPublic](**result.__dict__)


@dealers_router.get("/{dealer_account_id}")
def get_dealer_account(dealer_account_id: Id, context: ContextDep,
                       user: CurrentUser) -> DealerAccountPublic:
    """Balances (unsettled and settled rebates) and each period's volume and tier."""
    with context.db.read() as session:
        return DealerAccountPublic(**dealers.get_dealer_account(session, user,
                                                                dealer_account_id))


@dealers_router.post("/{dealer_account_id}/rebate-settlements",
                     status_code=status.HTTP_201_CREATED)
def settle_rebates(dealer_account_id: Id, context: ContextDep, user: CurrentUser,
                   idempotency_key: OptionalIdempotencyKey = None,
                   ) -> list[RebateSettlementPublic]:
    """Settle the dealer's accrued rebates to its account (finance, admins)."""
    def action(session: Session) -> tuple[dict, str]:
        done = dealers.settle_rebates(session, user, dealer_account_id)
        return {"settlements": done}, str(dealer_account_id)

    result = write_once(context, user, idempotency_key, "POST",
                        f"/api/v1/dealer-accounts/{dealer_account_id}/rebate-settlements",
                        {}, "rebate_settlement", action)
    return [RebateSettlementPublic(**x) for x in result["settlements"]]
