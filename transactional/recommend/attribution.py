"""Attribution of order lines to recommendations, recorded at placement for the lake.

For each line of a new order: was its SKU on the buyer's list in force (their own, or their
unit's while they have none: ``shown``, with the snapshot version and the published rank),
and did the buyer add it from a recommendation (``from``: the surface, version and rank the
client reports with the line; for the buyer's list in force, the rank the lake published,
whatever position the topped-up list showed it at)? Lines with neither leave no row. One outbox event
``order.recommendation_attributed`` carries the rows, so the lake measures the uplift
(recommended and bought vs. not recommended) without reading the service's tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from transactional.core import events
from transactional.db.tables.recommend import recommendation_attributions, recommendations
from transactional.domain.principal import Principal, Role

SURFACES = ("recommendations", "related", "suppliers")
EVENT = "order.recommendation_attributed"


@dataclass(frozen=True)
class RecommendationRef:
    """Where the buyer took a line from: ``surface`` (one of :data:`SURFACES`), the snapshot
    ``version`` the list named, and the ``rank`` shown."""

    surface: str
    version: str
    rank: int


def _shown(session: Session, buyer: Principal, sku_ids: Sequence[int]) -> dict[int, tuple[str, str, int]]:
    """The buyer's list in force (own, else the unit's): ``sku_id -> (version, audience, rank)``.

    Only buyers are shown recommendations; anyone else placing an order saw none.
    """
    if buyer.role is not Role.BUYER:
        return {}
    columns = (recommendations.c.sku_id, recommendations.c.version, recommendations.c.audience,
               recommendations.c.rank)
    wanted = sorted(set(sku_ids))
    own = session.execute(select(recommendations.c.id).where(
        recommendations.c.audience == "buyer", recommendations.c.buyer_user_id == buyer.user_id).limit(1)).first()
    if not own and not buyer.business_unit:
        return {}
    audience = ("buyer", buyer.user_id, None) if own else ("unit", 0, buyer.business_unit)
    query = select(*columns).where(recommendations.c.audience == audience[0],
                                   recommendations.c.buyer_user_id == audience[1],
                                   recommendations.c.sku_id.in_(wanted))
    if audience[2] is not None:
        query = query.where(recommendations.c.business_unit == audience[2])
    return {r.sku_id: (r.version, r.audience, r.rank) for r in session.execute(query)}


def at_placement(session: Session, buyer: Principal, order_id: int,
                 lines: Sequence[tuple[int, int, RecommendationRef | None]], now: dt.datetime) -> int:
    """Record which lines of a new order were recommended or taken from a recommendation.

    Args:
        session: the placement's write transaction.
        buyer: who placed the order (their unit is the order's).
        order_id: the new order.
        lines: ``(line_no, sku_id, from_recommendation or None)`` per line.
        now: the placement time.

    Returns:
        The number of attributed lines (0: nothing written, no event).
    """
    shown = _shown(session, buyer, [sku for _, sku, _ in lines])
    rows = []
    for line_no, sku_id, ref in lines:
        seen = shown.get(sku_id)
        if seen is None and ref is None:
            continue
        if ref is not None and seen is not None and ref.surface == "recommendations" and ref.version == seen[0]:
            # the list the client showed was topped up after drops: its position is not the
            # rank the lake published, which is what the uplift is measured on
            ref = RecommendationRef(ref.surface, ref.version, seen[2])
        rows.append({"order_id": order_id, "line_no": line_no, "sku_id": sku_id, "buyer_user_id": buyer.user_id,
                     "business_unit": buyer.business_unit or "",
                     "shown_version": seen[0] if seen else None, "shown_audience": seen[1] if seen else None,
                     "shown_rank": seen[2] if seen else None,
                     "from_surface": ref.surface if ref else None, "from_version": ref.version if ref else None,
                     "from_rank": ref.rank if ref else None, "created_at": now})
    if rows:
        session.execute(insert(recommendation_attributions), rows)
        events.emit(session, EVENT, "order", order_id,
                    {"order_id": order_id, "lines": [{k: v for k, v in r.items() if k not in ("order_id", "created_at")}
                                                     for r in rows]},
                    business_unit=buyer.business_unit, json_ready=True)
    return len(rows)
