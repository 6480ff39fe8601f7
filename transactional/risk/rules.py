"""The red-flag rules, as pure functions of an order's facts (no database, no framework).

Each rule that fires gives a :class:`Reason` with a weight in (0, 1); the rules' score is the
noisy-or of the weights (``1 - prod(1 - w)``): one strong flag reaches the review threshold,
weak flags (a velocity burst alone) only together. The same facts give the model's feature
vector (:func:`feature_vector`, names in :data:`FEATURES`).

===================  ======  ===========================================================
code                 weight  fires when
===================  ======  ===========================================================
split                0.70    this and earlier orders by the buyer to the supplier within the
                             split window are each within the approval limit, together above
velocity             0.30    more than ``velocity_max`` orders by the buyer in the window
quantity_history     0.55    a line's quantity above ``history_factor`` x the unit's p95 for
                             that SKU (at least ``history_min_orders`` orders of history)
amount_history       0.40    the amount above ``history_factor`` x the unit's p95 with the
                             supplier
price_market         0.60    a unit price above ``price_factor`` x the SKU's market median
new_supplier         0.55    a supplier new to the group (or to the lake), the unit's first
                             order with it, and at least ``new_supplier_share`` of the limit
eliminated_supplier  0.60*   the supplier is on the elimination list in force with no active
                             override for the buyer's unit (:attr:`OrderFacts.elimination`)
===================  ======  ===========================================================

``*`` ``RiskPolicy.eliminated_supplier_weight`` (``RISK__ELIMINATED_SUPPLIER_WEIGHT``): between
the review and block thresholds, so that alone it holds the order for review. It is seen only
with ``OLTP__ENFORCE_ELIMINATION`` off; on, placement refuses such an order before scoring.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from transactional.core.policy import RiskPolicy

WEIGHTS = {"split": 0.70, "velocity": 0.30, "quantity_history": 0.55, "amount_history": 0.40,
           "price_market": 0.60, "new_supplier": 0.55}
FEATURES = ("log_amount", "amount_to_limit", "split_count", "split_sum_to_limit", "velocity_count",
            "quantity_to_history", "amount_to_history", "price_to_market", "new_supplier", "has_history")


@dataclass(frozen=True)
class Reason:
    """Why an order is risky: a stable ``code``, a sentence, and the rule's weight."""

    code: str
    text: str
    weight: float

    def public(self) -> dict[str, str]:
        """``{code, text}`` as in the API."""
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True)
class Profile:
    """One ``risk_profiles`` row (the lake's history of a subject)."""

    order_count: int
    quantity_median: float | None = None
    quantity_p95: float | None = None
    unit_price_median: Decimal | None = None
    amount_median: Decimal | None = None
    amount_p95: Decimal | None = None
    currency: str | None = None
    first_order_at: dt.datetime | None = None


@dataclass(frozen=True)
class RecentOrder:
    """An earlier order by the same buyer, still live, within the look-back."""

    order_id: int
    supplier_id: str
    amount: Decimal | None  # in the limit's currency; None when no rate was known
    placed_at: dt.datetime


@dataclass(frozen=True)
class Elimination:
    """The supplier's entry on the elimination list in force (``supplier_suspensions``)."""

    reason: str
    since: dt.datetime
    snapshot_version: str


@dataclass(frozen=True)
class LineFacts:
    """One order line: SKU, quantity, unit price (order currency)."""

    sku_id: int
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class OrderFacts:
    """Everything the rules and the model see about one order being placed."""

    business_unit: str
    supplier_id: str
    currency: str
    amount: Decimal  # payable, order currency
    amount_in_limit: Decimal | None  # in the limit's currency; None when no rate was known
    limit: Decimal
    limit_currency: str
    lines: Sequence[LineFacts]
    now: dt.datetime
    recent: Sequence[RecentOrder] = ()  # the buyer's live orders to this supplier, split window
    velocity_count: int = 0  # the buyer's orders within the velocity window before this, up to velocity_cap
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    profiles_in_force: bool = False
    known_supplier: bool = True  # the unit ordered from this supplier before (own orders)
    elimination: Elimination | None = None  # on the list in force, no override for the unit


def subjects(business_unit: str, supplier_id: str, sku_ids: Sequence[int]) -> list[str]:
    """The ``risk_profiles`` keys an order needs."""
    keys = [f"supplier:{supplier_id}", f"bu_supplier:{business_unit}:{supplier_id}"]
    for sku in sorted(set(sku_ids)):
        keys += [f"sku:{sku}", f"bu_sku:{business_unit}:{sku}"]
    return keys


def _money(value: Decimal, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def _split(facts: OrderFacts, policy: RiskPolicy) -> tuple[list[RecentOrder], Decimal] | None:
    if facts.amount_in_limit is None or facts.amount_in_limit > facts.limit:
        return None
    since = facts.now - policy.split_window
    earlier = [o for o in facts.recent if o.supplier_id == facts.supplier_id and o.placed_at >= since
               and o.amount is not None and o.amount <= facts.limit]
    total = facts.amount_in_limit + sum((o.amount for o in earlier), Decimal(0))
    return (earlier, total) if earlier else ([], total)


def _ratio(value: float, reference: float | None) -> float:
    return value / reference if reference else 0.0


def _history(facts: OrderFacts) -> tuple[float, float, float]:
    """Largest quantity / own p95, amount / own p95, unit price / market median (0: no data)."""
    quantity = price = 0.0
    for line in facts.lines:
        own = facts.profiles.get(f"bu_sku:{facts.business_unit}:{line.sku_id}")
        if own is not None:
            quantity = max(quantity, _ratio(line.quantity, own.quantity_p95))
        market = facts.profiles.get(f"sku:{line.sku_id}")
        if market is not None and market.currency == facts.currency and market.unit_price_median:
            price = max(price, float(line.unit_price / market.unit_price_median))
    pair = facts.profiles.get(f"bu_supplier:{facts.business_unit}:{facts.supplier_id}")
    amount = 0.0
    if pair is not None and pair.currency == facts.currency and pair.amount_p95:
        amount = float(facts.amount / pair.amount_p95)
    return quantity, amount, price


def _is_new_supplier(facts: OrderFacts, policy: RiskPolicy) -> bool:
    if not facts.profiles_in_force or facts.known_supplier:
        return False
    if f"bu_supplier:{facts.business_unit}:{facts.supplier_id}" in facts.profiles:
        return False
    supplier = facts.profiles.get(f"supplier:{facts.supplier_id}")
    return (supplier is None or supplier.first_order_at is None
            or facts.now - supplier.first_order_at < policy.new_supplier_age)


def velocity_cap(policy: RiskPolicy) -> int:
    """How far the buyer's earlier orders in the velocity window are counted at placement:
    ``velocity_max + 1`` decides the rule, and counting stops there, so the count costs the
    same however busy the buyer is. :attr:`OrderFacts.velocity_count` and the model's
    ``velocity_count`` feature see the capped count."""
    return max(policy.velocity_max, 0) + 1


def evaluate(facts: OrderFacts, policy: RiskPolicy) -> list[Reason]:
    """Every rule that fires on ``facts``, strongest first."""
    reasons: list[Reason] = []
    split = _split(facts, policy)
    if split is not None and split[0] and split[1] > facts.limit:
        earlier, total = split
        hours = policy.split_window.total_seconds() / 3600
        reasons.append(Reason("split", (
            f"possible split order: {len(earlier) + 1} orders to {facts.supplier_id} within {hours:g} h, "
            f"each within the {_money(facts.limit, facts.limit_currency)} approval limit, together "
            f"{_money(total, facts.limit_currency)} (earlier: "
            + ", ".join(f"#{o.order_id}" for o in sorted(earlier, key=lambda o: o.order_id)) + ")"),
            WEIGHTS["split"]))
    burst = 1 + facts.velocity_count
    if burst > policy.velocity_max:
        minutes = policy.velocity_window.total_seconds() / 60
        least = "at least " if facts.velocity_count >= velocity_cap(policy) else ""
        reasons.append(Reason("velocity", f"velocity burst: {least}{burst} orders by this buyer within {minutes:g} min "
                                          f"(more than {policy.velocity_max})", WEIGHTS["velocity"]))
    for line in facts.lines:
        own = facts.profiles.get(f"bu_sku:{facts.business_unit}:{line.sku_id}")
        if (own is not None and own.order_count >= policy.history_min_orders and own.quantity_p95
                and line.quantity > policy.history_factor * own.quantity_p95):
            reasons.append(Reason("quantity_history", (
                f"quantity {line.quantity} of SKU {line.sku_id} is {line.quantity / own.quantity_p95:.1f}x "
                f"{facts.business_unit}'s usual maximum (p95 {own.quantity_p95:g} over {own.order_count} orders)"),
                WEIGHTS["quantity_history"]))
            break
    pair = facts.profiles.get(f"bu_supplier:{facts.business_unit}:{facts.supplier_id}")
    if (pair is not None and pair.order_count >= policy.history_min_orders and pair.amount_p95
            and pair.currency == facts.currency and facts.amount > Decimal(str(policy.history_factor)) * pair.amount_p95):
        reasons.append(Reason("amount_history", (
            f"amount {_money(facts.amount, facts.currency)} is {facts.amount / pair.amount_p95:.1f}x "
            f"{facts.business_unit}'s usual maximum with {facts.supplier_id} "
            f"(p95 {_money(pair.amount_p95, facts.currency)})"), WEIGHTS["amount_history"]))
    for line in facts.lines:
        market = facts.profiles.get(f"sku:{line.sku_id}")
        if (market is not None and market.unit_price_median and market.currency == facts.currency
                and line.unit_price > Decimal(str(policy.price_factor)) * market.unit_price_median):
            ratio = line.unit_price / market.unit_price_median
            reasons.append(Reason("price_market", (
                f"unit price {line.unit_price:,.2f} {facts.currency} of SKU {line.sku_id} is "
                f"{ratio - 1:.0%} above the market median {market.unit_price_median:,.2f}"), WEIGHTS["price_market"]))
            break
    share = Decimal(str(policy.new_supplier_share)) * facts.limit
    if (facts.amount_in_limit is not None and facts.amount_in_limit >= share
            and _is_new_supplier(facts, policy)):
        reasons.append(Reason("new_supplier", (
            f"first order of {facts.business_unit} with {facts.supplier_id}, a supplier new to the group, "
            f"for {_money(facts.amount_in_limit, facts.limit_currency)} "
            f"(at least {policy.new_supplier_share:.0%} of the approval limit)"), WEIGHTS["new_supplier"]))
    if facts.elimination is not None:
        listed = facts.elimination
        reasons.append(Reason("eliminated_supplier", (
            f"{facts.supplier_id} is on the elimination list since {listed.since:%Y-%m-%d} "
            f"(no override for {facts.business_unit}): {listed.reason}"), policy.eliminated_supplier_weight))
    return sorted(reasons, key=lambda r: -r.weight)


def rule_score(reasons: Sequence[Reason]) -> float:
    """Noisy-or of the weights of the rules that fired (0 when none)."""
    return round(1 - math.prod(1 - r.weight for r in reasons), 4)


def feature_vector(facts: OrderFacts, policy: RiskPolicy) -> dict[str, float]:
    """The online model's features (:data:`FEATURES`), from the same facts as the rules."""
    amount = float(facts.amount_in_limit if facts.amount_in_limit is not None else facts.amount)
    split = _split(facts, policy)
    quantity, pair_amount, price = _history(facts)
    return {
        "log_amount": math.log1p(max(amount, 0.0)),
        "amount_to_limit": amount / float(facts.limit) if facts.limit else 0.0,
        "split_count": float(1 + len(split[0])) if split else 1.0,
        "split_sum_to_limit": float(split[1] / facts.limit) if split and facts.limit else 0.0,
        "velocity_count": float(1 + facts.velocity_count),
        "quantity_to_history": quantity,
        "amount_to_history": pair_amount,
        "price_to_market": price,
        "new_supplier": 1.0 if _is_new_supplier(facts, policy) else 0.0,
        "has_history": 1.0 if facts.profiles else 0.0,
    }
