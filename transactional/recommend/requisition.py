"""Which suppliers to buy a requisition from: per line the unit's ranked suppliers judged on
the live state, and the fewest suppliers covering the most lines.

Per line (a SKU and a quantity) the options are those of ``GET /skus/{id}/suppliers``
(:func:`.queries.sku_suppliers`): the unit's ranking from the applied snapshot, suppliers
whose offer cannot be ordered now dropped with the reason (inactive offer, supplier not
approved, suspended without an override for the unit, no stock and no lead time), then
orderable offers the snapshot does not rank yet. Each option says whether its stock covers
the line's quantity (``in stock``) or the offer's lead time applies.

The combined suggestion (:func:`fewest_suppliers`) covers every line that has an option
with the fewest suppliers: an exhaustive search over supplier sets of up to
:data:`EXACT_UP_TO` suppliers among at most :data:`EXACT_CANDIDATES` candidates (proven
fewest: ``exact``), greedy beyond. Among sets of the same size the one whose lines get the
best-ranked options wins, then the one covering more quantities from stock, then the
supplier ids. Each line goes to the chosen supplier ranked best for it.

Reads: the version in force, one joined live read for all lines, the unit's rankings
(cached per version, :data:`.queries.CACHE`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from sqlalchemy.orm import Session

from transactional.core.inbound import AppliedSnapshot, current_snapshot
from transactional.db.types import utcnow
from transactional.domain.errors import ValidationFailedError
from transactional.domain.principal import Principal, not_found
from transactional.recommend.inbound import KIND
from transactional.recommend.live import load_live
from transactional.recommend.queries import (
    Dropped,
    SupplierOption,
    supplier_options,
    unit_rankings,
    version_key,
)

#: Supplier sets searched exhaustively up to this size ...
EXACT_UP_TO = 4
#: ... among at most this many candidate suppliers; greedy beyond either.
EXACT_CANDIDATES = 20
MAX_LINES = 100


@dataclass(frozen=True)
class LineOption:
    """A supplier for one requisition line, with what its offer covers of the quantity."""

    option: SupplierOption
    covers_quantity: bool  # the supplier's stock covers the line's quantity now
    fulfilment: str  # "in stock" | "lead time N days"


@dataclass
class LineAdvice:
    """One requisition line: its ranked options and the ranked suppliers dropped, with why."""

    line_no: int
    sku_id: int
    sku_code: str
    quantity: int
    options: list[LineOption] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


@dataclass(frozen=True)
class Assignment:
    """A line given to a supplier of the suggestion."""

    line_no: int
    sku_id: int
    supplier_id: str
    offer_id: int
    rank: int  # the supplier's rank among the line's options
    fulfilment: str


@dataclass(frozen=True)
class SuggestedSupplier:
    """A supplier of the combined suggestion, the lines it gets and why."""

    supplier_id: str
    supplier_name: str
    line_nos: tuple[int, ...]
    reason: str


@dataclass
class Cover:
    """The fewest suppliers covering the lines that can be ordered (``exact``: proven fewest)."""

    suppliers: list[str]
    assignment: dict[int, str]  # line_no -> supplier_id
    uncovered: list[int]  # line_nos without any option
    exact: bool


@dataclass
class RequisitionAdvice:
    """The answer: per line the options, and the combined suggestion."""

    snapshot: AppliedSnapshot | None
    now: dt.datetime
    lines: list[LineAdvice]
    suppliers: list[SuggestedSupplier]
    assignments: list[Assignment]
    uncovered: list[int]
    exact: bool
    reason: str


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def fewest_suppliers(options: Mapping[int, Sequence[tuple[str, int, bool]]]) -> Cover:
    """The fewest suppliers covering every line with at least one option.

    Args:
        options: ``line_no -> [(supplier_id, rank, covers_quantity), ...]`` (any order).

    Returns:
        :class:`Cover`; ties between sets of the same size go to the lowest sum over lines of
        the best rank among the set, then to the most lines whose quantity is in stock with
        their supplier, then to the sorted supplier ids.

    Example:
        >>> cover = fewest_suppliers({1: [("A", 1, True), ("B", 2, True)], 2: [("B", 1, True)], 3: []})
        >>> (cover.suppliers, cover.assignment, cover.uncovered, cover.exact)
        (['B'], {1: 'B', 2: 'B'}, [3], True)
    """
    lines = sorted(options)
    uncovered = [n for n in lines if not options[n]]
    coverable = [n for n in lines if options[n]]
    by_supplier: dict[str, dict[int, tuple[int, bool]]] = {}
    for n in coverable:
        for supplier, rank, covers in options[n]:
            best = by_supplier.setdefault(supplier, {}).get(n)
            if best is None or rank < best[0]:
                by_supplier[supplier][n] = (rank, covers)
    candidates = sorted(by_supplier)
    bit = {n: 1 << i for i, n in enumerate(coverable)}
    mask = {s: sum(bit[n] for n in by_supplier[s]) for s in candidates}
    full = (1 << len(coverable)) - 1

    def cost(chosen: Sequence[str]) -> tuple:
        ranks, stocked = 0, 0
        for n in coverable:
            rank, covers = min(by_supplier[s][n] for s in chosen if n in by_supplier[s])
            ranks += rank
            stocked += covers
        return (ranks, -stocked, tuple(sorted(chosen)))

    chosen: list[str] | None = None
    exact = len(candidates) <= EXACT_CANDIDATES
    if not coverable:
        chosen, exact = [], True
    elif exact:
        for size in range(1, EXACT_UP_TO + 1):
            covering = [c for c in combinations(candidates, size)
                        if _union(mask[s] for s in c) == full]
            if covering:
                chosen = list(min(covering, key=cost))
                break
        exact = chosen is not None
    if chosen is None:  # greedy: most new lines, then the best ranks on them, then the id
        chosen, covered = [], 0
        while covered != full:
            def gain(s: str, covered: int = covered) -> tuple:
                new = [n for n in by_supplier[s] if not covered & bit[n]]
                return (-len(new), sum(by_supplier[s][n][0] for n in new), s)
            pick = min((s for s in candidates if mask[s] & ~covered), key=gain)
            chosen.append(pick)
            covered |= mask[pick]
    assignment = {n: min((by_supplier[s][n][0], s) for s in chosen if n in by_supplier[s])[1] for n in coverable}
    order = sorted(chosen, key=lambda s: (-sum(1 for v in assignment.values() if v == s), s))
    return Cover(order, assignment, uncovered, exact)


def _union(masks) -> int:
    out = 0
    for m in masks:
        out |= m
    return out


def _fulfilment(option: SupplierOption, quantity: int) -> tuple[bool, str]:
    if option.available_quantity >= quantity:
        return True, "in stock"
    return False, f"lead time {option.lead_time_days} days"


def _summary(suppliers: int, lines: int, covered: int, uncovered: Sequence[int], exact: bool) -> str:
    """E.g. "2 suppliers cover 3 of 4 lines; no orderable offer now for line 4"."""
    who = f"{suppliers} supplier{'s cover' if suppliers != 1 else ' covers'}"
    what = (f"all {lines} lines" if covered == lines and lines > 1 else "the line" if covered == lines
            else f"{covered} of {lines} line{'s' if lines > 1 else ''}")
    text = f"{who} {what}"
    if uncovered:
        text += f"; no orderable offer now for line{'s' if len(uncovered) > 1 else ''} " + \
            ", ".join(str(line) for line in uncovered)
    if not exact:
        text += " (greedy: too many candidate suppliers to prove the fewest)"
    return text


def requisition_suppliers(session: Session, buyer: Principal, lines: Sequence[tuple[int, int]], *,
                          suspended: frozenset[str] | None = None,
                          now: dt.datetime | None = None) -> RequisitionAdvice:
    """Suppliers for each line of a requisition, for the caller's unit, and the fewest
    suppliers covering the most lines.

    Args:
        session: a read session.
        buyer: the caller; their unit's rankings and overrides apply.
        lines: ``(sku_id, quantity)`` per line, line numbers 1.. in this order; a SKU once.
        suspended: supplier ids to treat as suspended; None: the elimination list less the
            unit's overrides, as held now.
        now: the moment judged (default: now).

    Raises:
        ValidationFailedError: no lines, more than :data:`MAX_LINES`, or a SKU twice.
        NotFoundError: a SKU does not exist.
    """
    if not lines or len(lines) > MAX_LINES:
        raise ValidationFailedError(f"a requisition has 1 to {MAX_LINES} lines", code="invalid_request")
    sku_ids = [sku for sku, _ in lines]
    if len(set(sku_ids)) != len(sku_ids):
        raise ValidationFailedError("each SKU may appear on one line only: merge the quantities",
                                    code="invalid_request")
    now = now or utcnow()
    snapshot = current_snapshot(session, KIND)
    live = load_live(session, sku_ids, suspended, business_unit=buyer.business_unit, now=now)
    missing = [sku for sku in sku_ids if sku not in live.skus]
    if missing:
        raise not_found("sku", missing[0])
    rankings = unit_rankings(session, version_key(snapshot), buyer.business_unit, sku_ids)
    advice: list[LineAdvice] = []
    for line_no, (sku_id, quantity) in enumerate(lines, start=1):
        options, dropped = supplier_options(sku_id, rankings.get(sku_id, ()), live, buyer.business_unit, now)
        line = LineAdvice(line_no, sku_id, live.skus[sku_id].code, quantity, dropped=dropped)
        for option in options:
            covers, fulfilment = _fulfilment(option, quantity)
            line.options.append(LineOption(option, covers, fulfilment))
        advice.append(line)
    by_line = {line.line_no: line for line in advice}
    cover = fewest_suppliers({line.line_no: [(o.option.supplier_id, o.option.rank, o.covers_quantity)
                                             for o in line.options] for line in advice})
    assignments = []
    for line_no, supplier in sorted(cover.assignment.items()):
        o = next(o for o in by_line[line_no].options if o.option.supplier_id == supplier)
        assignments.append(Assignment(line_no, by_line[line_no].sku_id, supplier, o.option.offer_id, o.option.rank,
                                      o.fulfilment))
    suggested = []
    for supplier in cover.suppliers:
        mine = [a for a in assignments if a.supplier_id == supplier]
        first = sum(1 for a in mine if a.rank == 1)
        stocked = sum(1 for a in mine if a.fulfilment == "in stock")
        nos = ", ".join(str(a.line_no) for a in mine)
        ranks = ("first choice" + (" on each" if len(mine) > 1 else "") if first == len(mine) else
                 f"first choice on {first} of {len(mine)}" if first else
                 "ranked " + ", ".join(_ordinal(a.rank) for a in mine))
        stock = ("in stock for every quantity" if stocked == len(mine) else
                 f"in stock for {stocked}, lead time for {len(mine) - stocked}")
        name = next(o.option.supplier_name for line in advice for o in line.options
                    if o.option.supplier_id == supplier)
        suggested.append(SuggestedSupplier(supplier, name, tuple(a.line_no for a in mine),
                                           f"line{'s' if len(mine) > 1 else ''} {nos}: {ranks}; {stock}"))
    reason = _summary(len(cover.suppliers), len(advice), len(cover.assignment), cover.uncovered, cover.exact)
    return RequisitionAdvice(snapshot, now, advice, suggested, assignments, cover.uncovered, cover.exact, reason)
