"""What a buyer is shown: the applied recommendations judged by the business rules on the
live catalogue, with the snapshot version they come from and its age.

Three reads, all for the caller's own user id and business unit:

* :func:`buyer_recommendations` — the buyer's next-order list; a buyer the snapshot does
  not know yet (cold start) gets their unit's list;
* :func:`related_items` — SKUs often ordered with a SKU;
* :func:`sku_suppliers` — which supplier to buy a SKU from, for the caller's unit.

* :func:`requisition_suppliers` — per line of a requisition the ranked suppliers, and the
  fewest suppliers covering the most lines.

Rules (:mod:`models.ml.recommend.rules`): an item whose SKU has no orderable offer now
(inactive offer, supplier not approved or suspended, SKU gone) is dropped with its reason,
and the next published candidates move up (a shortened list is topped up; each item keeps
its ``published_rank``); an offer out of stock is replaced by an orderable offer in stock,
the unit's supplier ranking deciding among them, and when none has stock it stays, flagged
with its lead time.

Cost per request: one read of the version in force, one joined read of the live state
(:func:`.live.load_live`); what the applied version says about the caller (their list, the
unit's rankings, a SKU's related items) is immutable per version and cached in the process
(:class:`VersionCache`), so it is read once per version and key, not per request.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
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
    published_rank: int  # the rank the lake published (``rank``: the position shown after the rules)


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


class VersionCache:
    """What an applied version says, cached per process: ``(version, *key) -> value``.

    The rows of a version never change (the door replaces a version whole, under a new
    version), so a value read for a version stays right for as long as that version is in
    force; a new version simply misses. Bounded (least recently used evicted first) and
    thread-safe (route handlers run in a thread pool).
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The value under ``key`` (which must start with the version), loading it on a miss."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = load()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything (tests; a process never needs it)."""
        with self._lock:
            self._items.clear()


#: The process's cache of applied versions (one per worker process).
CACHE = VersionCache()

_R = sku_supplier_rankings.c
_RANKINGS = (select(_R.sku_id, _R.supplier_id, _R.rank, _R.score, _R.reason_kind, _R.reason)
             .where(_R.business_unit == bindparam("unit"), _R.sku_id.in_(bindparam("ids", expanding=True)))
             .order_by(_R.sku_id, _R.rank))
_I = recommendations.c
_ITEMS = (select(_I.sku_id, _I.rank, _I.score, _I.reason, _I.supplier_id)
          .where(_I.audience == bindparam("audience"), _I.buyer_user_id == bindparam("user"),
                 _I.business_unit == bindparam("unit"))
          .order_by(_I.rank))
_BUYER_ITEMS = (select(_I.sku_id, _I.rank, _I.score, _I.reason, _I.supplier_id)
                .where(_I.audience == "buyer", _I.buyer_user_id == bindparam("user")).order_by(_I.rank))
_RELATED = (select(related_skus.c.related_sku_id, related_skus.c.rank, related_skus.c.score, related_skus.c.reason)
            .where(related_skus.c.sku_id == bindparam("sku")).order_by(related_skus.c.rank))


@dataclass(frozen=True)
class RankedSupplier:
    """A supplier the snapshot ranks for a unit and SKU."""

    supplier_id: str
    rank: int
    score: float
    reason_kind: str
    reason: str


def version_key(snapshot: AppliedSnapshot | None) -> tuple | None:
    """What identifies an applied version in :data:`CACHE`: its content hash and when it was
    applied (a database rebuilt with the same content re-applies it at another moment)."""
    return None if snapshot is None else (snapshot.version, snapshot.applied_at)


def _read_rankings(session: Session, business_unit: str | None,
                   sku_ids: Sequence[int]) -> dict[int, tuple[RankedSupplier, ...]]:
    found: dict[int, list[RankedSupplier]] = {}
    if business_unit and sku_ids:
        for r in session.execute(_RANKINGS, {"unit": business_unit, "ids": sorted(set(sku_ids))}):
            found.setdefault(r.sku_id, []).append(RankedSupplier(r.supplier_id, r.rank, r.score, r.reason_kind,
                                                                 r.reason))
    return {sku: tuple(rows) for sku, rows in found.items()}


def unit_rankings(session: Session, version: tuple | None, business_unit: str | None,
              sku_ids: Sequence[int]) -> dict[int, tuple[RankedSupplier, ...]]:
    """The unit's supplier ranking (best first) of each SKU, cached per version (``version_key``)
    and SKU set."""
    key = tuple(sorted(set(sku_ids)))
    if version is None:
        return _read_rankings(session, business_unit, key)
    return CACHE.get((version, "rankings", business_unit, key),
                     lambda: _read_rankings(session, business_unit, key))


def _preference(suggested: str | None, ranking: Sequence[str], offers: Sequence[OfferState]) -> tuple[str, ...]:
    """Suppliers in the order an offer is picked: the snapshot's suggestion, then the unit's
    ranking, then the rest by offer id — suppliers holding stock before those without."""
    order = list(dict.fromkeys([s for s in (suggested, *ranking) if s]))
    order += [o.supplier_id for o in sorted(offers, key=lambda o: o.offer_id) if o.supplier_id not in order]
    stock = {o.supplier_id: o.available_quantity > 0 for o in offers}
    return tuple(sorted(order, key=lambda s: not stock.get(s, False)))


def _judge(candidates: Sequence[tuple[Candidate, str | None]], live: LiveCatalogue,
           rankings: dict[int, tuple[RankedSupplier, ...]], business_unit: str | None, now: dt.datetime,
           limit: int) -> tuple[list[ShownItem], list[Dropped]]:
    suggested = {c.sku_id: supplier for c, supplier in candidates}
    ready = [Candidate(c.sku_id, c.rank, c.score, c.reason,
                       _preference(supplier, [r.supplier_id for r in rankings.get(c.sku_id, ())],
                                   live.offers_by_sku.get(c.sku_id, ())))
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
            fulfilment=s.fulfilment, offer_replaced=suggested.get(s.sku_id) not in (None, s.supplier_id),
            published_rank=s.published_rank))
    order = {c.sku_id: i for i, (c, _) in enumerate(candidates)}
    dropped = sorted([*gone, *(Dropped(k, v) for k, v in result.dropped.items())], key=lambda d: order[d.key])
    return items, dropped


def _candidates(rows: Sequence[Any], *, related: bool = False) -> tuple[tuple[Candidate, str | None], ...]:
    if related:
        return tuple((Candidate(r.related_sku_id, r.rank, r.score, r.reason), None) for r in rows)
    return tuple((Candidate(r.sku_id, r.rank, r.score, r.reason), r.supplier_id) for r in rows)


def _buyer_list(session: Session, buyer: Principal) -> tuple[str, tuple[tuple[Candidate, str | None], ...]]:
    """The buyer's own published list, else their unit's: ``(audience, candidates)``."""
    rows = session.execute(_BUYER_ITEMS, {"user": buyer.user_id}).all()
    if rows or not buyer.business_unit:
        return "buyer", _candidates(rows)
    return "unit", _candidates(session.execute(_ITEMS, {"audience": "unit", "user": 0,
                                                       "unit": buyer.business_unit}).all())


def buyer_recommendations(session: Session, buyer: Principal, *, suspended: frozenset[str] | None = None,
                          limit: int = 10, now: dt.datetime | None = None) -> Shown:
    """The caller's next-order recommendations (their unit's when they have none yet).

    Args:
        session: a read session.
        buyer: the caller; only their own list (by user id) or their unit's is read.
        suspended: supplier ids to treat as suspended; None (default): the elimination list
            less the unit's overrides, as held now.
        limit: most items shown; items the rules drop are replaced by the next published ones.
        now: the moment judged (default: now).
    """
    now = now or utcnow()
    shown = Shown(current_snapshot(session, KIND), now)
    version = version_key(shown.snapshot)
    if version is None:
        audience, candidates = _buyer_list(session, buyer)
    else:
        audience, candidates = CACHE.get((version, "items", buyer.user_id, buyer.business_unit),
                                         lambda: _buyer_list(session, buyer))
    shown.audience = audience
    sku_ids = [c.sku_id for c, _ in candidates]
    live = load_live(session, sku_ids, suspended, business_unit=buyer.business_unit, now=now)
    shown.items, shown.dropped = _judge(candidates, live, unit_rankings(session, version, buyer.business_unit, sku_ids),
                                        buyer.business_unit, now, limit)
    return shown


def _require_sku(live: LiveCatalogue, sku_id: int) -> None:
    if sku_id not in live.skus:
        raise not_found("sku", sku_id)


def related_items(session: Session, buyer: Principal, sku_id: int, *, suspended: frozenset[str] | None = None,
                  limit: int = 10, now: dt.datetime | None = None) -> Shown:
    """SKUs often ordered with ``sku_id`` that the caller's unit can order now.

    Raises:
        NotFoundError: the SKU does not exist.
    """
    now = now or utcnow()
    shown = Shown(current_snapshot(session, KIND), now)
    version = version_key(shown.snapshot)

    def read() -> tuple[tuple[Candidate, str | None], ...]:
        return _candidates(session.execute(_RELATED, {"sku": sku_id}).all(), related=True)

    candidates = read() if version is None else CACHE.get((version, "related", sku_id), read)
    sku_ids = [c.sku_id for c, _ in candidates]
    live = load_live(session, [sku_id, *sku_ids], suspended, business_unit=buyer.business_unit, now=now)
    _require_sku(live, sku_id)
    shown.items, shown.dropped = _judge(candidates, live, unit_rankings(session, version, buyer.business_unit, sku_ids),
                                        buyer.business_unit, now, limit)
    return shown


def supplier_options(sku_id: int, ranking: Sequence[RankedSupplier], live: LiveCatalogue,
                      business_unit: str | None, now: dt.datetime) -> tuple[list[SupplierOption], list[Dropped]]:
    """The unit's ranking of ``sku_id`` judged on the live state, then the orderable offers
    the snapshot does not rank yet (in stock first)."""
    picked: list[tuple[OfferState, float, str, str]] = []
    dropped: list[Dropped] = []
    for r in ranking:
        offer = live.offer(sku_id, r.supplier_id)
        problem = "no_offer" if offer is None else offer_problem(
            offer, live.suppliers.get(r.supplier_id), business_unit, now)
        if problem:
            dropped.append(Dropped(r.supplier_id, problem))
        else:
            picked.append((offer, r.score, r.reason_kind, r.reason))
    ranked = {o.supplier_id for o, *_ in picked} | {d.key for d in dropped}
    new = [o for o in live.offers_by_sku.get(sku_id, ()) if o.supplier_id not in ranked
           and offer_problem(o, live.suppliers.get(o.supplier_id), business_unit, now) is None]
    for o in sorted(new, key=lambda o: (o.available_quantity <= 0, o.offer_id)):
        picked.append((o, 0.0, "new_offer", "offered on the platform; not ranked for your unit yet"))
    items = [SupplierOption(
        rank=rank, supplier_id=o.supplier_id, supplier_name=live.supplier_names.get(o.supplier_id, o.supplier_id),
        offer_id=o.offer_id, score=score, reason_kind=kind, reason=reason, in_stock=o.available_quantity > 0,
        available_quantity=o.available_quantity, lead_time_days=o.lead_time_days)
        for rank, (o, score, kind, reason) in enumerate(picked, start=1)]
    return items, dropped


def sku_suppliers(session: Session, buyer: Principal, sku_id: int, *, suspended: frozenset[str] | None = None,
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
    version = version_key(shown.snapshot)
    live = load_live(session, [sku_id], suspended, business_unit=buyer.business_unit, now=now)
    _require_sku(live, sku_id)
    ranking = unit_rankings(session, version, buyer.business_unit, [sku_id]).get(sku_id, ())
    shown.items, shown.dropped = supplier_options(sku_id, ranking, live, buyer.business_unit, now)
    return shown
