"""The served shape of a supplier scorecard, built from a ``gold.supplier_scorecards`` row.

The mart is one wide row per supplier and month (metrics, their 0-100 scores, group
scores, ranks, the elimination flag and its reasons). The API groups it: activity, the
four SAP-style groups with each metric's value, score and **definition** (the mart's dbt
column description, carried into the snapshot — see :mod:`serving.snapshot.derived`),
ranking. A column this layout does not know yet is still served, under ``other``, so a new
metric in the mart shows up before anyone edits this module.

Pure functions over plain dicts: used at snapshot build time (the current scorecards are
pre-rendered with their ETags) and per request (monthly history).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

#: metrics of each group, in the order the mart lists them.
METRIC_GROUPS: dict[str, tuple[str, ...]] = {
    "quality": ("quality_pass_rate", "defect_ppm", "return_rate", "complaint_rate",
                "buyer_quality_rating"),
    "delivery": ("on_time_delivery_rate", "on_time_in_full_rate", "quantity_accuracy_rate",
                 "avg_days_late", "avg_lead_time_days", "lead_time_cv", "asn_eta_accuracy_rate",
                 "buyer_delivery_rating"),
    "price": ("price_vs_market_pct", "price_volatility_pct", "price_override_rate"),
    "service": ("invoice_accuracy_rate", "duplicate_invoice_rate", "invoice_mismatch_rate",
                "po_ack_rate", "avg_po_ack_hours", "avg_ticket_response_hours",
                "avg_ticket_resolution_days", "buyer_service_rating"),
}
IDENTITY = ("supplier_key", "group_supplier_id", "supplier_name", "scorecard_month",
            "window_start_month", "window_end_date", "main_category_id", "main_category_name",
            "main_business_unit_code", "erp_vendor_record_count")
ACTIVITY = ("spend_group", "currency", "group_spend_share_pct", "po_count", "po_line_count",
            "receipt_count", "active_months", "business_units_served", "due_line_count",
            "inspection_count", "invoice_count", "ticket_count", "gps_tracked_shipment_count",
            "rating_count")
GROUP_SCORES = ("quality_score", "delivery_score", "price_score", "service_score")
RANKING = ("is_ranked", "unranked_reason", "ranked_supplier_count", "group_rank",
           "category_rank", "category_ranked_count", "business_unit_rank",
           "business_unit_ranked_count", "is_bottom_decile", "bottom_decile_reasons",
           "weakest_metrics")
#: columns that are not served at all (the row id repeats supplier_key and month).
HIDDEN = ("supplier_scorecard_id",)
METRIC_OF_GROUP = {metric: group for group, metrics in METRIC_GROUPS.items() for metric in metrics}


def plain(value: Any) -> Any:
    """A JSON-ready value: money as a string, dates ISO, NaN as null."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def metric_columns(columns: list[str]) -> list[str]:
    """The metrics present in a scorecard table's columns, in served order."""
    known = [m for metrics in METRIC_GROUPS.values() for m in metrics if m in columns]
    layout = set(IDENTITY) | set(ACTIVITY) | set(GROUP_SCORES) | set(RANKING) | set(HIDDEN)
    layout |= {"overall_score"}
    extra = [c for c in columns if c not in layout and c not in known
             and not c.endswith("_score") and f"{c}_score" in columns]
    return known + extra


def metric_entries(row: Mapping[str, Any], metrics: list[str],
                   definitions: Mapping[str, str] | None) -> list[dict[str, Any]]:
    """Each metric's value and score (and definition, when ``definitions`` is given)."""
    entries = []
    for metric in metrics:
        entry = {"metric": metric, "group": METRIC_OF_GROUP.get(metric, "other"),
                 "value": plain(row.get(metric)), "score": plain(row.get(f"{metric}_score"))}
        if definitions is not None:
            entry["definition"] = definitions.get(metric)
        entries.append(entry)
    return entries


def scorecard_body(row: Mapping[str, Any], definitions: Mapping[str, str] | None,
                   units: list[str] | None = None) -> dict[str, Any]:
    """The served scorecard of one supplier-month row.

    Args:
        row: a ``gold.supplier_scorecards`` row (column → value).
        definitions: metric → definition; ``None`` leaves definitions out (history pages
            carry them once, at the top).
        units: business units the supplier is in (served as ``business_units``).

    Returns:
        A JSON-ready dict (see the module docstring).
    """
    columns = list(row)
    metrics = metric_columns(columns)
    body: dict[str, Any] = {c: plain(row[c]) for c in IDENTITY if c in row}
    if units is not None:
        body["business_units"] = units
    body["overall_score"] = plain(row.get("overall_score"))
    body["group_scores"] = {c.removesuffix("_score"): plain(row[c]) for c in GROUP_SCORES if c in row}
    body["ranking"] = {c: plain(row[c]) for c in RANKING if c in row}
    body["activity"] = {c: plain(row[c]) for c in ACTIVITY if c in row}
    body["metrics"] = metric_entries(row, metrics, definitions)
    served = (set(IDENTITY) | set(ACTIVITY) | set(GROUP_SCORES) | set(RANKING) | set(HIDDEN)
              | {"overall_score"} | set(metrics) | {f"{m}_score" for m in metrics})
    other = {c: plain(row[c]) for c in columns if c not in served}
    if other:
        body["other"] = other
    return body


def encode(body: Any) -> bytes:
    """Compact, deterministic JSON (UTF-8, keys in layout order)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def etag_of(payload: bytes) -> str:
    """A strong ETag of a response body."""
    return '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header matches ``etag`` (weak comparison, ``*`` too)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))
