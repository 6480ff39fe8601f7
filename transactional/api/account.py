"""``/me/limits``: what the caller may buy without asking anyone, and on which terms.

A buyer sees its unit's approval limit (an order above it waits for procurement or finance),
how often it may place orders (the per-user rate), and its own customer terms: the segment,
payment terms and credit limit the lake's segments granted through the benefit policy (or
the global default terms when none applies). Staff see their unit's limit; a supplier has no
buying limits (403).
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from transactional.api.deps import ContextDep, CurrentUser
from transactional.benefits.customers import customer_of
from transactional.domain.principal import Role
from transactional.ordering.approvals import limit_for
from transactional.schemas.common import ERRORS

router = APIRouter(prefix="/me", tags=["account"], responses=ERRORS)


class ApprovalLimitView(BaseModel):
    amount: Decimal = Field(description="orders above this total wait for approval")
    currency: str


class TermsView(BaseModel):
    source: str = Field(description="segment: granted by the unit's benefit policy; default: global terms")
    segment: str | None
    payment_terms_days: int
    credit_limit: Decimal | None = Field(description="None: no credit limit granted")
    currency: str | None
    policy_version: int | None
    customer_ref: str | None = Field(description="the CRM customer the platform knows you as")


class LimitsPublic(BaseModel):
    """The caller's buying limits and terms."""

    business_unit: str | None
    approval_limit: ApprovalLimitView | None
    orders_per_minute: int = Field(description="placement rate allowed per user (429 above it)")
    terms: TermsView | None = Field(description="buyers only")


@router.get("/limits", summary="Your approval limit, order rate and customer terms")
def my_limits(context: ContextDep, user: CurrentUser) -> LimitsPublic:
    """The caller's approval limit, order rate and (buyers) customer terms, with their origin."""
    user.require(Role.BUYER, Role.ADMIN, Role.PROCUREMENT, Role.FINANCE)
    policy = context.policy
    with context.db.read() as session:
        limit = None
        if user.business_unit is not None:
            amount, currency = limit_for(session, user.business_unit, policy)
            limit = ApprovalLimitView(amount=amount, currency=currency)
        terms = None
        if user.role is Role.BUYER:
            customer = customer_of(session, user)  # its dealer account with the granted terms
            segmented = customer is not None and customer.payment_terms_days is not None
            terms = TermsView(
                source="segment" if segmented else "default",
                segment=None if customer is None else customer.segment,
                payment_terms_days=customer.payment_terms_days if segmented else policy.payment_terms_days,
                credit_limit=None if customer is None else customer.credit_limit,
                currency=None if customer is None else customer.currency,
                policy_version=None if customer is None else customer.policy_version,
                customer_ref=None if customer is None else customer.customer_ref)
    return LimitsPublic(business_unit=user.business_unit, approval_limit=limit,
                        orders_per_minute=context.settings.oltp.order_rate_per_minute, terms=terms)
