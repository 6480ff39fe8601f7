"""Business rules over recommendations: only what the buyer can order right now is shown.

Pure functions over plain data (standard library only), so the transactional service can
apply them at request time on the rows the lake published and on the state it holds
(offers, suppliers, stock, suspensions) — the lake's snapshot may be hours old, the rules
use the live state. An offer is orderable by a buyer's unit when:

1. the offer is active (``offer_inactive``);
2. its supplier is known and approved (``supplier_not_approved``) and not suspended, or its
   suspension has ended (``supplier_suspended``);
3. the offer is open to the unit (``business_units`` empty or holding it: ``not_orderable_by_unit``);
4. there is stock, or the offer states a lead time (``no_stock_no_lead_time``).

An item stays in the list when one of its offers is orderable; the offer shown is the first
orderable one in the unit's supplier ranking, then in stock before lead time, then the
shortest lead time, then the lowest id. Dropped items keep the reason of their most nearly
orderable offer (``no_offer`` without any).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

DROP_REASONS = ("no_offer", "offer_inactive", "supplier_not_approved", "supplier_suspended",
                "not_orderable_by_unit", "no_stock_no_lead_time")


@dataclass(frozen=True)
class OfferState:
    """An offer as the service holds it now."""

    offer_id: int
    supplier_id: str
    sku_id: int
    is_active: bool
    available_quantity: int = 0
    lead_time_days: int | None = None
    business_units: frozenset[str] = frozenset()  # empty: every unit may order it


@dataclass(frozen=True)
class SupplierState:
    """A supplier's standing: ``status`` (``approved`` | ``pending`` | ``rejected``) and an
    optional suspension (``suspended_until`` None with ``suspended`` True: until lifted)."""

    supplier_id: str
    status: str
    suspended: bool = False
    suspended_until: dt.datetime | None = None

    def is_suspended(self, now: dt.datetime) -> bool:
        return self.suspended and (self.suspended_until is None or self.suspended_until > now)


@dataclass(frozen=True)
class Candidate:
    """A published recommendation: a SKU, its rank and reason, and the unit's supplier ranking
    for it (best first; may be empty)."""

    sku_id: int
    rank: int
    score: float
    reason: str
    preferred_suppliers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shown:
    """A recommendation that passed the rules, with the offer to order it from."""

    sku_id: int
    rank: int
    score: float
    reason: str
    offer_id: int
    supplier_id: str
    fulfilment: str  # "in stock" | "lead time N days"
    published_rank: int = 0  # the rank the lake published (``rank`` is the position shown)


@dataclass
class RuleResult:
    """What :func:`apply_rules` kept (re-ranked 1..n) and dropped (``sku_id -> reason``)."""

    shown: list[Shown] = field(default_factory=list)
    dropped: dict[int, str] = field(default_factory=dict)


def offer_problem(offer: OfferState, supplier: SupplierState | None, business_unit: str | None,
                  now: dt.datetime) -> str | None:
    """Why ``offer`` cannot be ordered by ``business_unit`` now (a :data:`DROP_REASONS` code), or None.

    Example:
        >>> now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        >>> offer = OfferState(1, "S1", 10, True, available_quantity=5)
        >>> offer_problem(offer, SupplierState("S1", "approved", suspended=True), "COAL", now)
        'supplier_suspended'
    """
    if not offer.is_active:
        return "offer_inactive"
    if supplier is None or supplier.status != "approved":
        return "supplier_not_approved"
    if supplier.is_suspended(now):
        return "supplier_suspended"
    if offer.business_units and (business_unit is None or business_unit not in offer.business_units):
        return "not_orderable_by_unit"
    if offer.available_quantity <= 0 and offer.lead_time_days is None:
        return "no_stock_no_lead_time"
    return None


def _offer_order(offer: OfferState, preferred: Sequence[str]) -> tuple:
    position = preferred.index(offer.supplier_id) if offer.supplier_id in preferred else len(preferred)
    in_stock = offer.available_quantity > 0
    lead = offer.lead_time_days if offer.lead_time_days is not None else 10**6
    return (position, not in_stock, 0 if in_stock else lead, offer.offer_id)


def apply_rules(candidates: Iterable[Candidate], *, business_unit: str | None,
                offers_by_sku: Mapping[int, Sequence[OfferState]], suppliers: Mapping[str, SupplierState],
                now: dt.datetime | None = None, limit: int = 10) -> RuleResult:
    """Keep the orderable recommendations (best rank first), at most ``limit``, each with its offer.

    A list the rules shorten is topped up: when an item is dropped, the next published
    candidates move up, so ``limit`` items are shown whenever that many are orderable
    (each keeps its ``published_rank``).

    Args:
        candidates: published rows for one buyer (any order; sorted by ``rank`` here).
        business_unit: the buyer's unit.
        offers_by_sku: the SKUs' offers as held now.
        suppliers: supplier standings by id.
        now: the moment judged (default: now, UTC).
        limit: most rows shown.

    Returns:
        :class:`RuleResult`; ranks of ``shown`` are 1..n in the original order.
    """
    now = now or dt.datetime.now(dt.UTC)
    result = RuleResult()
    for cand in sorted(candidates, key=lambda c: (c.rank, c.sku_id)):
        offers = list(offers_by_sku.get(cand.sku_id, ()))
        if not offers:
            result.dropped[cand.sku_id] = "no_offer"
            continue
        problems = {o.offer_id: offer_problem(o, suppliers.get(o.supplier_id), business_unit, now) for o in offers}
        usable = [o for o in offers if problems[o.offer_id] is None]
        if not usable:
            result.dropped[cand.sku_id] = max(problems.values(), key=DROP_REASONS.index)
            continue
        if len(result.shown) >= limit:
            continue
        best = min(usable, key=lambda o: _offer_order(o, cand.preferred_suppliers))
        fulfilment = ("in stock" if best.available_quantity > 0 else f"lead time {best.lead_time_days} days")
        result.shown.append(Shown(cand.sku_id, len(result.shown) + 1, cand.score, cand.reason, best.offer_id,
                                  best.supplier_id, fulfilment, published_rank=cand.rank))
    return result


def orderable_suppliers(ranking: Sequence[tuple[str, float, str]], offers: Sequence[OfferState], *,
                        business_unit: str | None, suppliers: Mapping[str, SupplierState],
                        now: dt.datetime | None = None) -> list[tuple[str, int, float, str]]:
    """A SKU's supplier ranking (``supplier_id, score, reason``, best first) reduced to the
    suppliers with an orderable offer: ``(supplier_id, offer_id, score, reason)``."""
    now = now or dt.datetime.now(dt.UTC)
    out = []
    for supplier_id, score, reason in ranking:
        usable = [o for o in offers if o.supplier_id == supplier_id
                  and offer_problem(o, suppliers.get(supplier_id), business_unit, now) is None]
        if usable:
            best = min(usable, key=lambda o: _offer_order(o, ()))
            out.append((supplier_id, best.offer_id, score, reason))
    return out
