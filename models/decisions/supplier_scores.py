"""Supplier scores as a decision snapshot: what a buyer sees next to every offer.

One row per *platform* supplier id (through the crosswalk ``gold.supplier_source_records``,
``source_system = 'platform'``) of a golden supplier in ``gold.supplier_scorecards_current``:
its overall score with its interval, its rank in its main category and the **badge** a buyer
reads at a glance:

* ``listed`` — on the elimination list (``list_status = 'listed'``);
* ``watch`` — in the bottom decile but not confidently (``list_status = 'watch'``);
* ``top_decile`` — ranked in the top 10 % of its category (at least the first of it), with
  its whole score interval above the category's elimination cut-off;
* ``unranked`` — too little history to rank (``is_ranked`` false; the reason kept);
* none — ranked, neither top nor bottom.

The transactional service applies it with ``transactional/standing/scores.py`` (offers show it
and sort by it). Free of web and Dagster imports.
"""

from __future__ import annotations

import math

import pyarrow as pa

from models.decisions.elimination import platform_ids

SCHEMA = pa.schema([
    pa.field("supplier_id", pa.string(), nullable=False),
    pa.field("supplier_key", pa.string()),
    pa.field("scorecard_month", pa.date32()),
    pa.field("overall_score", pa.float64()),
    pa.field("overall_score_low", pa.float64()),
    pa.field("overall_score_high", pa.float64()),
    pa.field("category_name", pa.string()),
    pa.field("category_rank", pa.int64()),
    pa.field("category_ranked_count", pa.int64()),
    pa.field("list_status", pa.string()),
    pa.field("badge", pa.string()),
    pa.field("unranked_reason", pa.string()),
])
TOP_SHARE = 0.10


def badge(card: dict) -> str | None:
    """The badge of one scorecard row (see the module docstring)."""
    status = card.get("list_status")
    if status in ("listed", "watch"):
        return status
    if not card.get("is_ranked"):
        return "unranked"
    rank, count = card.get("category_rank"), card.get("category_ranked_count")
    if rank is None or not count:
        return None
    cutoff, low = card.get("list_cutoff_score"), card.get("overall_score_low")
    above_cutoff = cutoff is None or low is None or float(low) > float(cutoff)
    return "top_decile" if rank <= max(1, math.floor(TOP_SHARE * count)) and above_cutoff else None


def _float(value) -> float | None:
    return None if value is None else float(value)


def supplier_score_snapshot(scorecards: pa.Table, crosswalk: pa.Table) -> pa.Table:
    """One row per platform supplier with a current scorecard, ordered by supplier id.

    Args:
        scorecards: ``gold.supplier_scorecards_current``.
        crosswalk: ``gold.supplier_source_records`` (``source_system``, ``source_record_id``,
            ``supplier_key``).

    Returns:
        A table of :data:`SCHEMA`.
    """
    platform = platform_ids(crosswalk)
    rows: dict[str, dict] = {}
    for card in scorecards.to_pylist():
        for supplier_id in platform.get(card["supplier_key"], []):
            rows[supplier_id] = {
                "supplier_id": supplier_id, "supplier_key": card["supplier_key"],
                "scorecard_month": card.get("scorecard_month"),
                "overall_score": _float(card.get("overall_score")),
                "overall_score_low": _float(card.get("overall_score_low")),
                "overall_score_high": _float(card.get("overall_score_high")),
                "category_name": card.get("main_category_name"),
                "category_rank": card.get("category_rank"),
                "category_ranked_count": card.get("category_ranked_count"),
                "list_status": card.get("list_status"), "badge": badge(card),
                "unranked_reason": None if card.get("is_ranked") else card.get("unranked_reason"),
            }
    return pa.Table.from_pylist([rows[k] for k in sorted(rows)], schema=SCHEMA)
