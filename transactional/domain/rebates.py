"""Tiered dealer rebates (阶梯返利) by period purchase volume: the arithmetic.

A rebate programme has tiers ``[(from volume, rate %)]`` per period (calendar month or
quarter, UTC). A dealer account's period volume is the net amount (after price promotions)
of its delivered order lines in scope, in the programme's currency.

**Marginal** (超额累进, like tax brackets): each unit of volume earns the rate of the tier in
which it falls, so an order that crosses a threshold is split — the part below the
threshold at the lower rate, the part above at the higher one — and earlier orders are
never revalued. Consequences, on purpose: the rebate of an order is final when accrued
(it can be settled to the dealer at once, mid-period); the period's total depends only on
its total volume, never on the order in which orders arrived; nothing is clawed back when
a later order crosses a tier. (The retroactive alternative — the whole period's volume
at the highest tier reached — would top up earlier orders at each crossing.)

A refund reverses that order's rebate in proportion (refund ÷ order net amount) and lowers
the period volume by the refunded amount.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from transactional.domain.money import SCALE, to_decimal


@dataclass(frozen=True)
class RebateTier:
    """``rate_percent`` % on volume from ``threshold`` up to the next tier's threshold."""

    threshold: Decimal
    rate_percent: Decimal


@dataclass(frozen=True)
class TierSlice:
    """The part of an order's volume that fell into one tier."""

    tier: int  # index into the tiers, 0 = lowest
    volume: Decimal
    rate_percent: Decimal
    amount: Decimal


def parse_tiers(raw: Sequence[Mapping[str, Any]]) -> tuple[RebateTier, ...]:
    """Validate tiers (``[{"from": "0", "rate_percent": "1"}, …]``), sorted by threshold.

    The first tier must start at 0 and rates may not decrease.

    Raises:
        ValueError: with the problem.

    Example:
        >>> parse_tiers([{"from": "100000", "rate_percent": "2"}, {"from": "0", "rate_percent": "1"}])[1]
        RebateTier(threshold=Decimal('100000.0000'), rate_percent=Decimal('2.0000'))
    """
    tiers = sorted(
        (RebateTier(to_decimal(str(t["from"])), to_decimal(str(t["rate_percent"])))
         for t in raw),
        key=lambda t: t.threshold,
    )
    if not tiers or tiers[0].threshold != 0:
        raise ValueError("rebate tiers must start from 0")
    if len({t.threshold for t in tiers}) != len(tiers):
        raise ValueError("rebate tier thresholds must be distinct")
    if any(not 0 <= t.rate_percent < 100 for t in tiers):
        raise ValueError("rebate rates must be between 0 and 100 %")
    if any(b.rate_percent < a.rate_percent for a, b in itertools.pairwise(tiers)):
        raise ValueError("rebate rates must not decrease with volume")
    return tuple(tiers)


def marginal_rebate(
    tiers: Sequence[RebateTier], volume_before: Decimal, added: Decimal
) -> tuple[Decimal, list[TierSlice]]:
    """The rebate earned by ``added`` volume on top of ``volume_before`` in the period.

    Each slice is rounded half-even to 4 places; the total is the sum of the slices.

    Example:
        >>> tiers = parse_tiers([{"from": "0", "rate_percent": "1"},
        ...                      {"from": "100", "rate_percent": "3"}])
        >>> marginal_rebate(tiers, Decimal("80"), Decimal("50"))[0]  # 20 at 1 % + 30 at 3 %
        Decimal('1.1000')
    """
    if added < 0:
        raise ValueError("use reversal_share for negative volume")
    slices: list[TierSlice] = []
    start, end = volume_before, volume_before + added
    for i, tier in enumerate(tiers):
        upper = tiers[i + 1].threshold if i + 1 < len(tiers) else None
        low = max(start, tier.threshold)
        high = end if upper is None else min(end, upper)
        if high > low:
            volume = high - low
            amount = (volume * tier.rate_percent / 100).quantize(SCALE, rounding=ROUND_HALF_EVEN)
            slices.append(TierSlice(i, to_decimal(volume), tier.rate_percent, amount))
    return sum((s.amount for s in slices), Decimal(0)).quantize(SCALE), slices


def current_tier(tiers: Sequence[RebateTier], volume: Decimal) -> int:
    """Index of the tier a period volume has reached."""
    return max(i for i, t in enumerate(tiers) if t.threshold <= max(volume, Decimal(0)))


def reversal_share(accrued: Decimal, order_net: Decimal, refunded: Decimal) -> Decimal:
    """The part of an order's accrued rebate a refund takes back (proportional, half-even).

    Example:
        >>> reversal_share(Decimal("30"), Decimal("1000"), Decimal("250"))
        Decimal('7.5000')
    """
    if order_net <= 0:
        return Decimal(0).quantize(SCALE)
    share = accrued * min(refunded, order_net) / order_net
    return share.quantize(SCALE, rounding=ROUND_HALF_EVEN)


def period_bounds(period: str, when: dt.datetime | dt.date) -> tuple[dt.date, dt.date]:
    """``[start, end)`` of the calendar month or quarter (UTC) holding ``when``.

    Example:
        >>> period_bounds("quarter", dt.date(2026, 11, 25))
        (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1))
    """
    day = when.astimezone(dt.UTC).date() if isinstance(when, dt.datetime) else when
    months = 3 if period == "quarter" else 1
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    month = first_month + months
    end = dt.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return start, end
