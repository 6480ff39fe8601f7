"""Pure rules of the benefits: what a policy document may say, and what a coupon is worth.

No database, no web framework: the policy a finance user submits is checked here
(:func:`parse_policy`), the benefit a segment receives is read from it (:func:`grant_for`),
and a coupon's discount on an order amount is computed here (:func:`coupon_discount`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from transactional.domain.errors import ValidationFailedError
from transactional.domain.money import to_decimal

#: The RFM segments of ``gold.customer_rfm`` (``dbt_project/macros/rfm.sql``).
SEGMENTS = ("champions", "loyal", "potential_loyalists", "new_customers", "promising",
            "need_attention", "about_to_sleep", "cannot_lose", "at_risk", "hibernating", "lost")
COUPON_KINDS = ("amount_off", "percent_off", "threshold")
MAX_TERMS_DAYS = 365
_FIELDS = {"payment_terms_days", "credit_limit", "account_manager", "discount_tier", "campaigns"}


@dataclass(frozen=True)
class Benefit:
    """What one segment receives under one policy version."""

    payment_terms_days: int
    credit_limit: Decimal
    account_manager: bool
    discount_tier: str
    campaigns: tuple[str, ...]


def _invalid(message: str, where: str) -> ValidationFailedError:
    return ValidationFailedError(f"{where}: {message}", code="invalid_policy", details={"at": where})


def _benefit(raw: Any, where: str, base: Benefit | None) -> Benefit:
    if not isinstance(raw, Mapping):
        raise _invalid("must be an object", where)
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise _invalid(f"unknown field(s) {', '.join(unknown)}", where)
    merged = {**(base.__dict__ if base else {}), **raw}
    missing = sorted(_FIELDS - set(merged))
    if missing:
        raise _invalid(f"missing field(s) {', '.join(missing)}", where)
    days = merged["payment_terms_days"]
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_TERMS_DAYS:
        raise _invalid(f"payment_terms_days must be an integer 0-{MAX_TERMS_DAYS}", where)
    try:
        limit = to_decimal(str(merged["credit_limit"]))
    except ValueError as exc:
        raise _invalid(f"credit_limit: {exc}", where) from exc
    if limit < 0:
        raise _invalid("credit_limit must not be negative", where)
    if not isinstance(merged["account_manager"], bool):
        raise _invalid("account_manager must be true or false", where)
    tier = merged["discount_tier"]
    if not isinstance(tier, str) or not 0 < len(tier) <= 32:
        raise _invalid("discount_tier must be a name of 1-32 characters", where)
    campaigns = merged["campaigns"]
    if not isinstance(campaigns, list | tuple) or not all(isinstance(c, str) and c for c in campaigns):
        raise _invalid("campaigns must be a list of campaign codes", where)
    return Benefit(days, limit, merged["account_manager"], tier, tuple(dict.fromkeys(campaigns)))


def parse_policy(rules: Any) -> tuple[Benefit, dict[str, Benefit]]:
    """Check a policy document; returns the default benefit and the one per named segment.

    A segment's entry may name only the fields that differ from ``default``.

    Example:
        >>> default, by_segment = parse_policy({
        ...     "default": {"payment_terms_days": 30, "credit_limit": "0", "account_manager": False,
        ...                 "discount_tier": "standard", "campaigns": []},
        ...     "segments": {"champions": {"payment_terms_days": 60, "account_manager": True}}})
        >>> by_segment["champions"].payment_terms_days, by_segment["champions"].discount_tier
        (60, 'standard')

    Raises:
        ValidationFailedError ``invalid_policy``: what is wrong and where.
    """
    if not isinstance(rules, Mapping) or set(rules) - {"default", "segments"}:
        raise _invalid("a policy has 'default' and 'segments' only", "rules")
    default = _benefit(rules.get("default"), "default", None)
    segments = rules.get("segments") or {}
    if not isinstance(segments, Mapping):
        raise _invalid("must map segment names to benefits", "segments")
    unknown = sorted(set(segments) - set(SEGMENTS))
    if unknown:
        raise _invalid(f"unknown segment(s) {', '.join(unknown)}; known: {', '.join(SEGMENTS)}", "segments")
    return default, {name: _benefit(raw, f"segments.{name}", default) for name, raw in segments.items()}


def grant_for(rules: Mapping[str, Any], segment: str) -> Benefit:
    """The benefit ``segment`` receives under a (stored, valid) policy document."""
    default, by_segment = parse_policy(rules)
    return by_segment.get(segment, default)


@dataclass(frozen=True)
class CouponTerms:
    """A campaign's discount rule (amounts in the campaign currency)."""

    kind: str
    currency: str
    amount: Decimal | None = None
    percent: Decimal | None = None
    max_discount: Decimal | None = None
    min_order_amount: Decimal | None = None
    repeat: bool = False


def check_coupon_terms(terms: CouponTerms) -> None:
    """Refuse a campaign whose rule cannot work.

    Raises:
        ValidationFailedError ``invalid_campaign``.
    """
    def bad(message: str) -> ValidationFailedError:
        return ValidationFailedError(message, code="invalid_campaign")

    if terms.kind not in COUPON_KINDS:
        raise bad(f"kind must be one of {', '.join(COUPON_KINDS)}")
    for name in ("amount", "percent", "max_discount", "min_order_amount"):
        value = getattr(terms, name)
        if value is not None and value < 0:
            raise bad(f"{name} must not be negative")
    if terms.kind in ("amount_off", "threshold") and not terms.amount:
        raise bad(f"a {terms.kind} coupon needs a positive amount")
    if terms.kind == "percent_off" and not (terms.percent and 0 < terms.percent <= 100):
        raise bad("a percent_off coupon needs 0 < percent <= 100")
    if terms.kind == "threshold" and not terms.min_order_amount:
        raise bad("a threshold (满减) coupon needs a positive min_order_amount")


def coupon_discount(terms: CouponTerms, order_amount: Decimal) -> Decimal:
    """The discount of a coupon on an order amount (never more than the amount); 0 when the
    order does not reach ``min_order_amount``.

    * ``amount_off``: ``amount``;
    * ``percent_off``: ``percent`` % of the amount, at most ``max_discount``;
    * ``threshold`` (满减): ``amount`` off once the order reaches ``min_order_amount`` —
      per full ``min_order_amount`` when ``repeat``, at most ``max_discount``.

    Example:
        >>> coupon_discount(CouponTerms("threshold", "CNY", amount=Decimal(200),
        ...                             min_order_amount=Decimal(2000), repeat=True), Decimal(4500))
        Decimal('400.0000')
    """
    base = to_decimal(order_amount)
    if terms.min_order_amount is not None and base < terms.min_order_amount:
        return to_decimal(0)
    if terms.kind == "amount_off":
        discount = terms.amount or Decimal(0)
    elif terms.kind == "percent_off":
        discount = base * (terms.percent or Decimal(0)) / 100
    else:
        times = (base / terms.min_order_amount).to_integral_value(ROUND_DOWN) if terms.repeat else 1
        discount = (terms.amount or Decimal(0)) * times
    if terms.max_discount is not None:
        discount = min(discount, terms.max_discount)
    return to_decimal(min(discount, base))


def in_window(valid_from: dt.datetime, valid_to: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether ``now`` is inside ``[valid_from, valid_to)``."""
    return valid_from <= now and (valid_to is None or now < valid_to)
