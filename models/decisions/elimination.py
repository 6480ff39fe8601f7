"""The elimination list as a decision snapshot: the suppliers of ``gold.supplier_scorecards_current``
confidently on the list (``list_status = 'listed'``: in the bottom decile with their whole
score interval below the cut-off; precision 0.96–1.00 against the simulator's truly poor
suppliers, ``scorecards.json``; the rest of the bottom decile is ``watch`` and is not
suspended), keyed by the *platform* supplier ids the crosswalk
(``gold.supplier_source_records``, ``source_system = 'platform'``) links to each golden
supplier. A golden supplier with no platform record has nothing to suspend and is left out;
one with several platform records yields one row per record.

The transactional service applies it with ``transactional/standing/inbound.py``.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA = pa.schema([
    pa.field("supplier_id", pa.string(), nullable=False),
    pa.field("supplier_key", pa.string()),
    pa.field("group_supplier_id", pa.string()),
    pa.field("supplier_name", pa.string()),
    pa.field("scorecard_month", pa.date32()),
    pa.field("overall_score", pa.float64()),
    pa.field("reason", pa.string()),
    pa.field("weakest_metrics", pa.string()),
])
DEFAULT_REASON = "on the elimination list (bottom decile of the supplier scorecards)"


def platform_ids(crosswalk: pa.Table) -> dict[str, list[str]]:
    """Golden supplier key -> the platform supplier ids the crosswalk links to it
    (``gold.supplier_source_records`` rows with ``source_system = 'platform'``)."""
    platform: dict[str, list[str]] = {}
    for record in crosswalk.select(["source_system", "source_record_id", "supplier_key"]).to_pylist():
        if record["source_system"] == "platform" and record["supplier_key"] and record["source_record_id"]:
            platform.setdefault(record["supplier_key"], []).append(record["source_record_id"])
    return platform


def elimination_snapshot(scorecards: pa.Table, crosswalk: pa.Table) -> pa.Table:
    """One row per platform supplier on the current elimination list, ordered by supplier id.

    Args:
        scorecards: ``gold.supplier_scorecards_current`` (``supplier_key``, ``list_status``
            (``is_bottom_decile`` for marts built before it existed),
            ``weakest_metrics``, ``bottom_decile_reasons``, ``overall_score`` …).
        crosswalk: ``gold.supplier_source_records`` (``source_system``, ``source_record_id``,
            ``supplier_key``).

    Returns:
        A table of :data:`SCHEMA`; ``reason`` is the weakest metrics (what put the supplier
        there), falling back to the list's reasons, then to :data:`DEFAULT_REASON`.
    """
    platform = platform_ids(crosswalk)
    rows: dict[str, dict] = {}
    for card in scorecards.to_pylist():
        on_list = card.get("list_status") == "listed" if "list_status" in card else card.get("is_bottom_decile")
        if not on_list:
            continue
        reason = card.get("weakest_metrics") or card.get("bottom_decile_reasons") or DEFAULT_REASON
        for supplier_id in platform.get(card["supplier_key"], []):
            rows[supplier_id] = {
                "supplier_id": supplier_id, "supplier_key": card["supplier_key"],
                "group_supplier_id": card.get("group_supplier_id"), "supplier_name": card.get("supplier_name"),
                "scorecard_month": card.get("scorecard_month"),
                "overall_score": None if card.get("overall_score") is None else float(card["overall_score"]),
                "reason": reason, "weakest_metrics": card.get("weakest_metrics"),
            }
    return pa.Table.from_pylist([rows[k] for k in sorted(rows)], schema=SCHEMA)
