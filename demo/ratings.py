"""The demo's buyer ratings: dealers rate most of their delivered orders.

Each platform supplier has a typical satisfaction (seeded from the demo seed and its id,
between 2.5 and 5 on the 1-5 scale; quality a little above delivery, service in between);
a dealer rates about three of four delivered orders with scores drawn around it (seeded per
order, so a rerun draws the same, and separate from the trading run's own random choices).
Ratings go through the transactional service (``feedback/ratings.rate_order``), so they
reach the lake as ``order.rated`` outbox events and the supplier scorecards' buyer
satisfaction metrics have real figures after ``make demo``.
"""

from __future__ import annotations

import random
import zlib
from typing import Any

#: Share of delivered demo orders their dealer rates.
RATED_SHARE = 0.75
#: Spread (standard deviation, score points) of one rating around the supplier's typical one.
SPREAD = 0.8


def typical_satisfaction(seed: int, supplier_id: str) -> tuple[float, float, float]:
    """The supplier's typical (delivery, quality, service) score, 2.5-5, from the seed."""
    base = 2.5 + 2.5 * (zlib.crc32(f"{seed}:satisfaction:{supplier_id}".encode()) % 1000) / 999
    return base, min(base + 0.3, 5.0), min(base + 0.15, 5.0)


def rate_delivered(db: Any, buyer: Any, order_id: int, supplier_id: str, seed: int,
                   policy: Any) -> bool:
    """Rate one delivered demo order as its dealer would (at most once; idempotent).

    Returns:
        Whether a rating was given now.
    """
    from sqlalchemy import select

    from transactional.db.tables.feedback import order_ratings
    from transactional.feedback.ratings import RatingInput, rate_order

    rng = random.Random(zlib.crc32(f"{seed}:rating:{order_id}".encode()))
    if rng.random() >= RATED_SHARE:
        return False
    with db.read() as session:
        if session.execute(select(order_ratings.c.order_id)
                           .where(order_ratings.c.order_id == order_id)).first() is not None:
            return False
    scores = [max(1, min(5, round(mean + rng.gauss(0, SPREAD))))
              for mean in typical_satisfaction(seed, supplier_id)]
    comment = "demo: as agreed" if min(scores) >= 4 else ("demo: late and incomplete" if scores[0] <= 2
                                                          else None)
    db.run_write(lambda s: rate_order(s, buyer, order_id, RatingInput(*scores, comment), policy))
    return True
