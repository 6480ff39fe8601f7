"""``/benefit-policies``, ``/coupon-campaigns``, ``/points-rules``, ``/customers/{id}/benefits``
``/customers/{id}/points`` and ``/group-buys``: thin routes over ``transactional/benefits`` and
``transactional/ordering/groupbuy.py``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.benefits import coupons, customers, points, policies
from transactional.ordering import groupbuy
from transactional.ordering.queries import load_order_row
from transactional.schemas.benefits import (
    CampaignCreate,
    CampaignIssue,
    CampaignIssued,
    CampaignPublic,
    CustomerBenefitsPublic,
    CustomerPointsPublic,
    GroupBuyCreate,
    GroupBuyJoin,
    GroupBuyPublic,
    GroupBuySettled,
    OrderBenefitsPublic,
    PointsRuleCreate,
    PointsRulePublic,
    PolicyCreate,
    PolicyPublic,
)
from transactional.schemas.common import ERRORS

policies_router = APIRouter(prefix="/benefit-policies", tags=["benefits"], responses=ERRORS)
campaigns_router = APIRouter(prefix="/coupon-campaigns", tags=["benefits"], responses=ERRORS)
customers_router = APIRouter(prefix="/customers", tags=["benefits"], responses=ERRORS)
orders_router = APIRouter(prefix="/orders", tags=["benefits"], responses=ERRORS)
points_router = APIRouter(prefix="/points-rules", tags=["benefits"], responses=ERRORS)
group_buys_router = APIRouter(prefix="/group-buys", tags=["benefits"], responses=ERRORS)

#: Registered by ``transactional/main.py``.
ROUTERS = (policies_router, campaigns_router, customers_router, orders_router, points_router, group_buys_router)

UnitCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,32}$", description="business unit code")]


@policies_router.post("/{business_unit}", status_code=status.HTTP_201_CREATED)
def set_policy(business_unit: UnitCode, body: PolicyCreate, context: ContextDep,
               user: CurrentUser) -> PolicyPublic:
    """Write a new version of the unit's segment → benefit policy (finance, admins) and
    re-grant its customers at once; orders placed before keep their terms. Sending the
    version in force again changes nothing (``unchanged: true``)."""
    return PolicyPublic(**context.db.run_write(lambda s: policies.set_policy(
        s, user, business_unit, body.rules, body.currency, body.note)))


@policies_router.get("/{business_unit}")
def get_policy(business_unit: UnitCode, context: ContextDep, user: CurrentUser,
               version: Id | None = None) -> PolicyPublic:
    """The unit's policy in force, or ``?version=n``."""
    with context.db.read() as session:
        return PolicyPublic(**policies.get_policy(session, user, business_unit, version))


@policies_router.get("/{business_unit}/versions")
def list_policy_versions(business_unit: UnitCode, context: ContextDep, user: CurrentUser) -> list[PolicyPublic]:
    """Every version of the unit's policy, newest first."""
    with context.db.read() as session:
        return [PolicyPublic(**p) for p in policies.list_versions(session, user, business_unit)]


@campaigns_router.post("", status_code=status.HTTP_201_CREATED)
def create_campaign(body: CampaignCreate, context: ContextDep, user: CurrentUser) -> CampaignPublic:
    """Create a coupon campaign for a unit (finance, admins)."""
    values = body.model_dump()
    return CampaignPublic(**context.db.run_write(lambda s: coupons.create_campaign(s, user, values)))


@campaigns_router.get("")
def list_campaigns(context: ContextDep, user: CurrentUser, page: PageDep) -> Page[CampaignPublic]:
    """Campaigns of your unit (group admins: all), newest first."""
    with context.db.read() as session:
        result = coupons.list_campaigns(session, user, page)
    return Page[CampaignPublic](**result.__dict__)


@campaigns_router.get("/{campaign_id}")
def get_campaign(campaign_id: Id, context: ContextDep, user: CurrentUser) -> CampaignPublic:
    with context.db.read() as session:
        return CampaignPublic(**coupons.public(coupons.load_campaign(session, user, campaign_id)))


@campaigns_router.post("/{campaign_id}/issue")
def issue_campaign(campaign_id: Id, body: CampaignIssue, context: ContextDep, user: CurrentUser) -> CampaignIssued:
    """Issue the campaign to a segment or a list of dealer accounts (idempotent: one grant
    per campaign and account)."""
    return CampaignIssued(**context.db.run_write(lambda s: coupons.issue_campaign(
        s, user, campaign_id, segment=body.segment, dealer_account_ids=body.dealer_account_ids)))


@customers_router.get("/{customer_id}/benefits")
def customer_benefits(customer_id: Id, context: ContextDep, user: CurrentUser) -> CustomerBenefitsPublic:
    """A customer's (dealer account's) segment, benefits and their origin (segment, policy
    version, snapshot version and age), coupons and the terms of its recent orders."""
    with context.db.read() as session:
        return CustomerBenefitsPublic(**customers.customer_benefits_360(session, user, customer_id))


@orders_router.get("/{order_id}/benefits")
def order_benefits(order_id: Id, context: ContextDep, user: CurrentUser) -> OrderBenefitsPublic:
    """The payment terms the order was placed on (with the segment and policy version that
    granted them) and its coupon redemption, for whoever may see the order."""
    with context.db.read() as session:
        load_order_row(session, user, order_id, lock=False)
        return OrderBenefitsPublic(**customers.order_benefits(session, order_id))


@points_router.post("/{business_unit}", status_code=status.HTTP_201_CREATED)
def set_points_rule(business_unit: UnitCode, body: PointsRuleCreate, context: ContextDep,
                    user: CurrentUser) -> PointsRulePublic:
    """Write a new version of the unit's points rule (finance, admins). Points already earned
    keep their value and expiry; orders paid from now on earn under the new version."""
    values = body.model_dump(mode="json")
    return PointsRulePublic(**context.db.run_write(lambda s: points.set_rule(s, user, business_unit, values)))


@points_router.get("/{business_unit}")
def get_points_rule(business_unit: UnitCode, context: ContextDep, user: CurrentUser) -> PointsRulePublic:
    """The unit's points rule in force (404 when the unit gives no points)."""
    with context.db.read() as session:
        return PointsRulePublic(**points.get_rule(session, user, business_unit))


@customers_router.get("/{customer_id}/points")
def customer_points(customer_id: Id, context: ContextDep, user: CurrentUser) -> CustomerPointsPublic:
    """A customer's points balance, what is spendable and when it expires, its lots (FIFO
    order) and recent movements (earned, redeemed, expired, reversed)."""
    with context.db.read() as session:
        return CustomerPointsPublic(**points.customer_points(session, user, customer_id))


@group_buys_router.post("", status_code=status.HTTP_201_CREATED)
def create_group_buy(body: GroupBuyCreate, context: ContextDep, user: CurrentUser) -> GroupBuyPublic:
    """Create a group-buy deal (拼团) on one offer (finance, admins of the unit)."""
    values = body.model_dump()
    return GroupBuyPublic(**context.db.run_write(lambda s: groupbuy.create_deal(s, user, values)))


@group_buys_router.get("")
def list_group_buys(context: ContextDep, user: CurrentUser) -> list[GroupBuyPublic]:
    """Deals of your unit (group admins: all), newest first."""
    with context.db.read() as session:
        return [GroupBuyPublic(**d) for d in groupbuy.list_deals(session, user)]


@group_buys_router.get("/{deal_id}")
def get_group_buy(deal_id: Id, context: ContextDep, user: CurrentUser) -> GroupBuyPublic:
    """A deal and its progress; staff see every participant, a buyer its own."""
    with context.db.read() as session:
        return GroupBuyPublic(**groupbuy.get_deal(session, user, deal_id))


@group_buys_router.post("/{deal_id}/join")
def join_group_buy(deal_id: Id, body: GroupBuyJoin, context: ContextDep, user: CurrentUser) -> GroupBuyPublic:
    """Join with ``quantity`` units, reserved at once (409 ``group_buy_full`` /
    ``group_buy_closed`` / ``out_of_stock``: nothing joined). The join that reaches the
    target fills the deal and every participant's order is placed at the group price."""
    deal = context.db.run_write(lambda s: groupbuy.join_deal(s, user, deal_id, body.quantity))
    if deal["status"] == "filled":
        groupbuy.settle_deal(context.db, deal_id)
        with context.db.read() as session:
            deal = groupbuy.get_deal(session, user, deal_id)
    return GroupBuyPublic(**deal)


@group_buys_router.post("/{deal_id}/settle")
def settle_group_buy(deal_id: Id, context: ContextDep, user: CurrentUser) -> GroupBuySettled:
    """Settle the deal now (finance, admins): a filled deal places its orders, one past its
    deadline releases every reservation; idempotent (``grouplake tx settle-group-buys`` does
    the same for every due deal)."""
    return GroupBuySettled(**groupbuy.settle_as(context.db, user, deal_id))
