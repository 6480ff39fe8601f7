"""Price promotions applied to an order: full reduction (满减) and percentage discounts.

Rules (also in the README):

* **Candidates**: active promotions whose validity window holds the placement time and
  whose scope matches the order (business unit, supplier, each line's category). Amounts
  of a full reduction (and a percentage's minimum / cap) are in the promotion's currency,
  which must be the order's: there is no implicit FX at the till.
* **Order**: by ``priority`` (lower first), then id. Each promotion is computed on the
  lines' amounts *net of the promotions applied before it* (so "5 % then 200 off every
  2,000" differs from the reverse, and the priority says which).
* **Stacking**: an ``exclusive`` promotion applies only to lines with no promotion yet
  and then locks them; a ``stackable`` one applies to lines whose promotions are all
  stackable and mutually allowed (``stacks_with`` lists the kinds a promotion accepts
  next to it; empty = any stackable kind).
* **Full reduction**: ``reduction`` off every full ``threshold`` of the eligible amount
  (``repeat``), or once when the threshold is reached; optionally capped.
  **Percentage**: ``percent`` of the eligible amount, from ``min_amount``, capped at
  ``max_discount``. A discount never exceeds the amount it applies to.
* **Rounding**: ROUND_HALF_EVEN to 4 places (the storage precision), once per promotion.
  An order-level discount is split over its lines in proportion to their amounts
  (rounded half-even), the rounding remainder going to the largest line (lowest line
  number on ties), so the line shares always add up to the discount exactly.

Tiered dealer rebates are not price promotions: see :mod:`transactional.domain.rebates`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any

from transactional.domain.errors import ValidationFailedError
from transactional.domain.money import SCALE, check_currency, to_decimal

FULL_REDUCTION = "full_reduction"
PERCENTAGE = "percentage"
TIERED_REBATE = "tiered_rebate"
KINDS = (FULL_REDUCTION, PERCENTAGE, TIERED_REBATE)
PRICE_KINDS = (FULL_REDUCTION, PERCENTAGE)
STACKING = ("exclusive", "stackable")


@dataclass(frozen=True)
class PriceRule:
    """A price promotion as the pricing rules see it (one version of it)."""

    promotion_id: int
    version: int
    code: str
    kind: str
    priority: int = 100
    stacking: str = "exclusive"
    stacks_with: frozenset[str] = frozenset()
    category_id: int | None = None
    currency: str | None = None
    rules: Mapping[str, Any] = field(default_factory=dict)

    def accepts(self, other: PriceRule) -> bool:
        """Whether this promotion may sit on a line next to ``other``."""
        return (self.stacking == "stackable" and other.stacking == "stackable"
                and (not self.stacks_with or other.kind in self.stacks_with)
                and (not other.stacks_with or self.kind in other.stacks_with))


@dataclass(frozen=True)
class LineAmount:
    """An order line before promotions."""

    line_no: int
    category_id: int | None
    amount: Decimal


@dataclass(frozen=True)
class AppliedPromotion:
    """One promotion's share on one line."""

    line_no: int
    sequence: int  # application order within the order (1, 2 …)
    promotion_id: int
    version: int
    code: str
    kind: str
    amount: Decimal


def _dec(rules: Mapping[str, Any], key: str) -> Decimal | None:
    value = rules.get(key)
    return None if value in (None, "") else to_decimal(str(value))


def validate_rules(kind: str, currency: str | None, rules: Mapping[str, Any]) -> dict[str, Any]:
    """Check a promotion's kind-specific rules; returns them normalised (amounts as strings).

    Raises:
        ValidationFailedError: with the problems in ``details``.

    Example:
        >>> validate_rules("full_reduction", "CNY", {"threshold": "2000", "reduction": "200"})
        {'threshold': '2000.0000', 'reduction': '200.0000', 'repeat': True, 'max_reduction': None}
    """
    problems: list[str] = []
    out: dict[str, Any] = {}
    try:
        if kind == FULL_REDUCTION:
            threshold, reduction = _dec(rules, "threshold"), _dec(rules, "reduction")
            cap = _dec(rules, "max_reduction")
            if threshold is None or threshold <= 0 or reduction is None or reduction <= 0:
                problems.append("threshold and reduction must be positive amounts")
            elif reduction >= threshold:
                problems.append("reduction must be below threshold")
            out = {"threshold": str(threshold), "reduction": str(reduction),
                   "repeat": bool(rules.get("repeat", True)),
                   "max_reduction": None if cap is None else str(cap)}
        elif kind == PERCENTAGE:
            percent = _dec(rules, "percent")
            minimum, cap = _dec(rules, "min_amount"), _dec(rules, "max_discount")
            if percent is None or not 0 < percent < 100:
                problems.append("percent must be between 0 and 100 (exclusive)")
            out = {"percent": str(percent), "min_amount": None if minimum is None else str(minimum),
                   "max_discount": None if cap is None else str(cap)}
        elif kind == TIERED_REBATE:
            from transactional.domain.rebates import parse_tiers

            tiers = parse_tiers(rules.get("tiers") or [])
            period = rules.get("period", "month")
            if period not in ("month", "quarter"):
                problems.append("period must be month or quarter")
            out = {"period": period,
                   "tiers": [{"from": str(t.threshold), "rate_percent": str(t.rate_percent)}
                             for t in tiers]}
        else:
            problems.append(f"kind must be one of {', '.join(KINDS)}")
    except ValueError as exc:
        problems.append(str(exc))
    has_amounts = kind in (FULL_REDUCTION, TIERED_REBATE) or bool(
        out.get("min_amount") or out.get("max_discount"))
    if has_amounts and currency is None:
        problems.append(f"a {kind} promotion needs a currency for its amounts")
    if currency is not None:
        try:
            check_currency(currency)
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise ValidationFailedError("invalid promotion rules", details={"problems": problems})
    return out


def discount_for(rule: PriceRule, base: Decimal) -> Decimal:
    """The discount ``rule`` gives on an eligible amount ``base`` (never above ``base``).

    Example:
        >>> r = PriceRule(1, 1, "MJ", "full_reduction", rules={"threshold": "2000",
        ...               "reduction": "200", "repeat": True})
        >>> discount_for(r, Decimal("4500"))
        Decimal('400.0000')
    """
    rules = rule.rules
    discount = Decimal(0)
    if rule.kind == FULL_REDUCTION:
        threshold, reduction = to_decimal(rules["threshold"]), to_decimal(rules["reduction"])
        times = (base / threshold).to_integral_value(rounding=ROUND_FLOOR)
        if not rules.get("repeat", True):
            times = min(times, Decimal(1))
        discount = reduction * times
        cap = _dec(rules, "max_reduction")
    elif rule.kind == PERCENTAGE:
        minimum = _dec(rules, "min_amount")
        if minimum is None or base >= minimum:
            discount = base * to_decimal(rules["percent"]) / 100
        cap = _dec(rules, "max_discount")
    else:
        return Decimal(0).quantize(SCALE)
    if cap is not None:
        discount = min(discount, cap)
    return min(discount, base).quantize(SCALE, rounding=ROUND_HALF_EVEN)


def split(amount: Decimal, weights: Sequence[tuple[int, Decimal]]) -> dict[int, Decimal]:
    """Split ``amount`` over keys in proportion to their weights; shares add up exactly.

    Example:
        >>> split(Decimal("100"), [(1, Decimal("1")), (2, Decimal("2"))])
        {1: Decimal('33.3333'), 2: Decimal('66.6667')}
    """
    total = sum((w for _, w in weights), Decimal(0))
    if total <= 0:
        raise ValueError("cannot split over zero weights")
    shares = {k: (amount * w / total).quantize(SCALE, rounding=ROUND_HALF_EVEN)
              for k, w in weights}
    remainder = amount - sum(shares.values(), Decimal(0))
    if remainder:
        largest = min(weights, key=lambda kw: (-kw[1], kw[0]))[0]
        shares[largest] += remainder
    return shares


def apply_promotions(
    lines: Sequence[LineAmount], rules: Sequence[PriceRule], currency: str
) -> tuple[dict[int, Decimal], list[AppliedPromotion]]:
    """Apply price promotions to an order's lines (see the module doc for the rules).

    Returns:
        ``(discount per line_no, applied promotion shares in application order)``.

    Example:
        >>> mj = PriceRule(1, 1, "MJ", "full_reduction", rules={"threshold": "2000",
        ...                "reduction": "200", "repeat": True}, currency="CNY")
        >>> apply_promotions([LineAmount(1, 7, Decimal("4500"))], [mj], "CNY")[0]
        {1: Decimal('400.0000')}
    """
    net = {line.line_no: to_decimal(line.amount) for line in lines}
    on_line: dict[int, list[PriceRule]] = {line.line_no: [] for line in lines}
    applied: list[AppliedPromotion] = []
    sequence = 0
    for rule in sorted(rules, key=lambda r: (r.priority, r.promotion_id)):
        if rule.kind not in PRICE_KINDS or (rule.currency and rule.currency != currency):
            continue
        eligible = [
            line.line_no for line in lines
            if rule.category_id in (None, line.category_id) and net[line.line_no] > 0
            and (not on_line[line.line_no] if rule.stacking == "exclusive"
                 else all(rule.accepts(other) for other in on_line[line.line_no]))
        ]
        base = sum((net[n] for n in eligible), Decimal(0))
        if base <= 0:
            continue
        discount = discount_for(rule, base)
        if discount <= 0:
            continue
        sequence += 1
        for line_no, share in sorted(split(discount, [(n, net[n]) for n in eligible]).items()):
            share = min(share, net[line_no])
            net[line_no] -= share
            on_line[line_no].append(rule)
            if share:
                applied.append(AppliedPromotion(line_no, sequence, rule.promotion_id,
                                                rule.version, rule.code, rule.kind, share))
    discounts = {line.line_no: to_decimal(line.amount) - net[line.line_no] for line in lines}
    return discounts, applied
