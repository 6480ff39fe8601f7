"""What a buyer is shown: the applied recommendations judged by the business rules on the
live catalogue, with the snapshot version they come from and its age.

Three reads, all for the caller's own user id and business unit:

* :func:`buyer_recommendations` — the buyer's next-order list; a buyer the snapshot does
  not know yet (cold start) gets their unit's list;
* :func:`related_items` — SKUs often ordered with a SKU;
* :func:`sku_suppliers` — which supplier to buy a SKU from, for the caller's unit.

Rules (:mod:`models.ml.recommend.rules`): an item whose SKU has no orderable offer now
(inactive offer, supplier not approved or suspended, SKU gone) is dropped with its reason;
an offer out of stock is replaced by an orderable offer in stock, the unit's supplier
ranking deciding among them, and when none has stock it stays, flagged with its lead time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.ml.recommend.rules import Candidate, OfferState, apply_rules, offer_problem
from transactional.core.inbound import AppliedSnapshot, current_snapshot
from transactional.db.tables.recommend import recommendations, related_skus, sku_supplier_rankings
from transactional.db.types import utcnow
from transactional.domain.principal import Principal, not_found
from transactional.recommend.inbound import KIND
from transactional.recommend.live import LiveCatalogue, load_live


@dataclass(frozen=True)
class ShownItem:
    """One recommended SKU with the offer to order it from, as held now."""

    rank: int
    sku_id: int
    sku_code: str
    sku_name: str
    sku_unit: str
    score: float
    reason: str
    offer_id: int
    supplier_id: str
    supplier_name: str
    in_stock: bool
    available_quantity: int
    fulfilment: str  # "in stock" | "lead time N days"
    offer_replaced: bool  # the snapshot's offer was not orderable or out of stock: another shown


@dataclass(frozen=True)
class Dropped:
    """A published item the rules hide now, and why (a ``rules.DROP_REASONS`` code)."""

    key: int | str  # the SKU id (items) or the supplier id (suppliers)
    reason: str


@dataclass
class Shown:
    """A list as shown: its snapshot (None before any was applied) and what the rules dropped."""

    snapshot: AppliedSnapshot | None
    now: dt.datetime
    items: list = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    audience: str | None = None  # recommendations: "buyer" or "unit" (cold start)


@dataclass(frozen=True)
class SupplierOption:
    """A supplier to buy the SKU from, with its offer as held now."""

    rank: int
    supplier_id: str
    supplier_name: str
    offer_id: int
    score: float
    reason_kind: str
    reason: str
    in_stock: bool
    available_quantity: int
    lead_time_days: int | None


def _rankings(session: Session, business_unit: str | None, sku_ids: Sequence[int]) -> dict[int, list[str]]:
    """The unit's supplier ranking (best first) of each SKU."""
    found: dict[int, list[str]] = {}
    if not business_unit or not sku_ids:
        return found
    for r in session.execute(
        select(sku_supplier_rankings.c.sku_id, sku_supplier_rankings.c.supplier_id)
        .where(sku_supplier_rankings.c.business_unit == business_unit,
               sku_supplier_rankings.c.sku_id.in_(sorted(set(sku_ids))))
        .order_by(sku_supplier_rankings.c.sku_id, sku_supplier_rankings.c.rank)
    ):
        found.setdefault(r.sku_id, []).append(r.supplier_id)
    return found


def _preference(suggested: str | None, ranking: Sequence[str], offers: Sequence[OfferState]) -> tuple[str, ...]:
    """Suppliers in the order an offer is picked: the snapshot's suggestion, then the unit's
    ranking, then the rest by offer id — suppliers holding stock before those without."""
    order = list(dict.fromkeys([s for s in (suggested, *ranking) if s]))
    order += [o.supplier_id for o in sorted(offers, key=lambda o: o.offer_id) if o.supplier_id not in order]
    stock = {o.supplier_id: o.available_quantity > 0 for o in offers}
    return tuple(sorted(order, key=lambda s: not stock.get(s, False)))


def _judge(candidates: list[tuple[Candidate, str | None]], live: LiveCatalogue, rankings: dict[int, list[str]],
           business_unit: str | None, now: dt.datetime, limit: int) -> tuple[list[ShownItem], list[Dropped]]:
    suggested = {c.sku_id: supplier for c, supplier in candidates}
    ready = [Candidate(c.sku_id, c.rank, c.score, c.reason,
                       _preference(supplier, rankings.get(c.sku_id, ()), live.offers_by_sku.get(c.sku_id, ())))
             for c, supplier in candidates if c.sku_id in live.skus]
    gone = [Dropped(c.sku_id, "no_offer") for c, _ in candidates if c.sku_id not in live.skus]
    result = apply_rules(ready, business_unit=business_unit, offers_by_sku=live.offers_by_sku,
                         suppliers=live.suppliers, now=now, limit=limit)
    items = []
    for s in result.shown:
        offer = live.offer(s.sku_id, s.supplier_id)
        sku = live.skus[s.sku_id]
        items.append(ShownItem(
            rank=s.rank, sku_id=s.sku_id, sku_code=sku.code, sku_name=sku.name, sku_unit=sku.unit, score=s.score,
            reason=s.reason, offer_id=s.offer_id, supplier_id=s.supplier_id,
            supplier_name=live.supplier_names.get(s.supplier_id, s.supplier_id),
            in_stock=offer.available_quantity > 0, available_quantity=offer.available_quantity,
            fulfilment=s.fulfilment, offer_replaced=suggested.get(s.sku_id) not in (None, s.supplier_id)))
    dropped = sorted([*gone, *(Dropped(k, v) for k, v in result.dropped.items())],
                     key=lambda d: [c.sku_id for c, _ in candidates].index(d.key))
    return items, dropped


def buyer_recommendations(session: Session, buyer: Principal, *, suspended: frozenset[str] = frozenset(),
                          limit: int = 10, now: dt.datetime | None = None) -> Shown:
    """The caller's next-order recommendations (their unit's when they have none yet).

    Args:
        session: a read session.
        buyer: the caller; only their own list (by user id) or their unit's is read.
        suspended: supplier ids suspended now (``live.suspended_suppliers``).
        limit: most items shown.
        now: the moment judged (default: now).
    """
    now = now or utcnow()
    shown = Shown(current_snapshot(session, KIND), now)
    columns = (recommendations.c.sku_id, recommendations.c.rank, recommendations.c.score, recommendations.c.reason,
               recommendations.c.supplier_id)
    rows = session.execute(select(*columns).where(recommendations.c.audience == "buyer",
                                                  recommendations.c.buyer_user_id == buyer.user_id)
                           .order_by(recommendations.c.rank)).all()
    shown.audience = "buyer"
    if not rows and buyer.business_unit:
        shown.audience = "unit"
        rows = session.execute(select(*columns).where(recommendations.c.audience == "unit",
                                                      recommendations.c.business_unit == buyer.business_unit)
                               .order_by(recommendations.c.rank)).all()
    candidates = [(Candidate(r.sku_id, r.rank, r.score, r.reason), r.supplier_id) for r in rows]
    sku_ids = [c.sku_id for c, _ in candidates]
    live = load_live(session, sku_ids, suspended)
    shown.items, shown.dropped = _judge(candidates, live, _rankings(session, buyer.business_unit, sku_ids),
                                        buyer.business_unit, now, limit)
    return shown


def _require_sku(live: LiveCatalogue, sku_id: int) -> None:
    if sku_id not in live.skus:
        raise not_found("sku", sku_id)


def related_items(session: Session, buyer: Principal, sku_id: int, *, suspended: frozenset[str] = frozenset(),
                  limit: int = 10, now: dt.datetime | None = None) -> Shown:
    """SKUs often ordered with ``sku_id`` that the caller's unit can order now.

    Raises:
        NotFoundError: the SKU does not exist.
    """
    now = now or utcnow()
    shown = Shown(current_snapshot(session, KIND), now)
    rows = session.execute(select(related_skus).where(related_skus.c.sku_id == sku_id)
                           .order_by(related_skus.c.rank)).all()
    candidates = [(Candidate(r.related_sku_id, r.rank, r.score, r.reason), None) for r in rows]
    sku_ids = [c.sku_id for c, _ in candidates]
    live = load_live(session, [sku_id, *sku_ids], suspended)
    _require_sku(live, sku_id)
    shown.items, shown.dropped = _judge(candidates, live, _rankings(session, buyer.business_unit, sku_ids),
                                        buyer.business_unit, now, limit)
    return shown


def sku_suppliers(session: Session, buyer: Principal, sku_id: int, *, suspended: frozenset[str] = frozenset(),
                  now: dt.datetime | None = None) -> Shown:
    """Which supplier the caller's unit should buy ``sku_id`` from, best first.

    The unit's ranking from the snapshot, each supplier with its live offer; suppliers whose
    offer cannot be ordered now are dropped with the reason; out-of-stock offers stay,
    flagged with their lead time. Orderable offers the snapshot does not rank yet (new
    since it was produced) follow, in stock first.

    Raises:
        NotFoundError: the SKU does not exist.
    """
    now = now or utcnow()
    shown = Shown(current_snapshot(session, KIND), now)
    live = load_live(session, [sku_id], suspended)
    _require_sku(live, sku_id)
    rows = []
    if buyer.business_unit:
        rows = session.execute(
            select(sku_supplier_rankings).where(sku_supplier_rankings.c.business_unit == buyer.business_unit,
                                                sku_supplier_rankings.c.sku_id == sku_id)
            .order_by(sku_supplier_rankings.c.rank)).all()
    picked: list[tuple[OfferState, float, str, str]] = []
    for r in rows:
        offer = live.offer(sku_id, r.supplier_id)
        problem = "no_offer" if offer is None else offer_problem(
            offer, live.suppliers.get(r.supplier_id), buyer.business_unit, now)
        if problem:
            shown.dropped.append(Dropped(r.supplier_id, problem))
        else:
            picked.append((offer, r.score, r.reason_kind, r.reason))
    ranked = {o.supplier_id for o, *_ in picked} | {d.key for d in shown.dropped}
    new = [o for o in live.offers_by_sku.get(sku_id, ()) if o.supplier_id not in ranked
           and offer_problem(o, live.suppliers.get(o.supplier_id), buyer.business_unit, now) is None]
    for o in sorted(new, key=lambda o: (o.available_quantity <= 0, o.offer_id)):
        picked.append((o, 0.0, "new_offer", "offered on the platform; not ranked for your unit yet"))
    shown.items = [SupplierOption(
        rank=rank, supplier_id=o.supplier_id, supplier_name=live.supplier_names.get(o.supplier_id, o.supplier_id),
        offer_id=o.offer_id, score=score, reason_kind=kind, reason=reason, in_stock=o.available_quantity > 0,
        available_quantity=o.available_quantity, lead_time_days=o.lead_time_days)
        for rank, (o, score, kind, reason) in enumerate(picked, start=1)]
    return shown
