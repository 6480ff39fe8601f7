"""Scorecards, rankings and the elimination list (``gold.supplier_scorecards[_current]``).

Unit scoping: a unit-scoped caller's lists hold the suppliers *in* its unit
(``serving.supplier_units``); rankings by business unit rank within the suppliers whose
main unit it is (the mart's ``business_unit_rank``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from infra.http.pages import Page, PageRequest
from serving.repository.paging import Where, contains_pattern, fetch_page, one, rows

SUMMARY_COLUMNS = (
    "supplier_key, group_supplier_id, supplier_name, scorecard_month, main_category_id, "
    "main_category_name, main_business_unit_code, spend_group, currency, overall_score, "
    "quality_score, delivery_score, price_score, service_score, is_ranked, unranked_reason, "
    "ranked_supplier_count, group_rank, category_rank, category_ranked_count, "
    "business_unit_rank, business_unit_ranked_count, is_bottom_decile"
)
IN_UNIT = "supplier_key IN (SELECT supplier_key FROM serving.supplier_units WHERE business_unit_code = ?)"
#: "metric 0.8123 vs peer median 0.95 (score 12)", as the mart writes its reasons.
REASON = re.compile(r"^\s*(?P<metric>[a-z0-9_]+) (?P<value>\S+) vs peer median (?P<median>\S+) "
                    r"\(score (?P<score>[^)]+)\)\s*$")


def latest_month(cursor: Any) -> dt.date | None:
    """The latest scorecard month in the snapshot."""
    return cursor.execute("SELECT max(scorecard_month) FROM gold.supplier_scorecards").fetchall()[0][0]


def in_unit(cursor: Any, supplier_key: str) -> frozenset[str]:
    """Business units supplier ``supplier_key`` is in."""
    return frozenset(r[0] for r in cursor.execute(
        "SELECT business_unit_code FROM serving.supplier_units WHERE supplier_key = ?",
        [supplier_key]).fetchall())


def history(cursor: Any, supplier_key: str, page: PageRequest, *,
            from_month: dt.date | None, to_month: dt.date | None) -> Page:
    """A supplier's monthly scorecards (every column), newest first."""
    where = (Where().add("supplier_key = ?", supplier_key)
             .add_if(from_month, "scorecard_month >= ?").add_if(to_month, "scorecard_month <= ?"))
    return fetch_page(cursor, f"SELECT * FROM gold.supplier_scorecards{where.sql}", where.params,
                      "scorecard_month DESC", page)


def current_list(cursor: Any, page: PageRequest, *, unit: str | None, category_id: str | None,
                 ranked_only: bool, bottom_decile: bool | None, query: str | None) -> Page:
    """Current scorecards (summary columns), best overall score first."""
    where = (Where().add_if(unit, IN_UNIT).add_if(category_id, "main_category_id = ?")
             .add_if(bottom_decile, "is_bottom_decile = ?"))
    if ranked_only:
        where.add("is_ranked")
    if query:
        pattern = contains_pattern(query)
        where.add("(supplier_name ILIKE ? ESCAPE '\\' OR group_supplier_id ILIKE ? ESCAPE '\\')",
                  pattern, pattern)
    return fetch_page(cursor, f"SELECT {SUMMARY_COLUMNS} FROM gold.supplier_scorecards_current"
                      f"{where.sql}", where.params,
                      "overall_score DESC NULLS LAST, supplier_key", page)


def rankings(cursor: Any, page: PageRequest, *, by: str, month: dt.date, unit: str | None,
             category_id: str | None) -> Page:
    """Ranked suppliers of ``month``.

    Args:
        cursor: a snapshot cursor.
        page: which rows.
        by: ``group`` (group rank; a unit-scoped caller sees its unit's suppliers),
            ``category`` (rank within the main category) or ``business_unit`` (rank within
            the main business unit).
        month: the scorecard month.
        unit: the caller's unit filter (``None``: group-wide).
        category_id: one category.
    """
    where = Where().add("scorecard_month = ?", month).add("is_ranked")
    where.add_if(category_id, "main_category_id = ?")
    if by == "business_unit":
        where.add_if(unit, "main_business_unit_code = ?")
        order = "main_business_unit_code, business_unit_rank, supplier_key"
    elif by == "category":
        where.add_if(unit, IN_UNIT)
        order = "main_category_id, category_rank, supplier_key"
    else:
        where.add_if(unit, IN_UNIT)
        order = "group_rank, supplier_key"
    return fetch_page(cursor, f"SELECT {SUMMARY_COLUMNS} FROM gold.supplier_scorecards{where.sql}",
                      where.params, order, page)


def parse_reasons(text: str | None) -> list[dict[str, Any]]:
    """The mart's ``bottom_decile_reasons`` as structured entries (metric, value, median, score)."""
    entries = []
    for part in (text or "").split(";"):
        match = REASON.match(part)
        if match is None:
            if part.strip():
                entries.append({"metric": None, "text": part.strip()})
            continue
        entries.append({"metric": match["metric"], "value": _number(match["value"]),
                        "peer_median": _number(match["median"]), "score": _number(match["score"]),
                        "text": part.strip()})
    return entries


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def elimination_list(cursor: Any, page: PageRequest, *, month: dt.date, unit: str | None,
                     category_id: str | None) -> Page:
    """The bottom decile of ``month``, lowest overall score first, with its reasons."""
    where = (Where().add("scorecard_month = ?", month).add("is_bottom_decile")
             .add_if(unit, IN_UNIT).add_if(category_id, "main_category_id = ?"))
    return fetch_page(cursor, f"SELECT * FROM gold.supplier_scorecards{where.sql}", where.params,
                      "overall_score, spend_group, supplier_key", page)


def has_scorecards(cursor: Any, supplier_key: str) -> bool:
    """Whether the supplier has a scorecard in any month."""
    return one(cursor, "SELECT 1 AS found FROM gold.supplier_scorecards WHERE supplier_key = ?",
               [supplier_key]) is not None


def month_exists(cursor: Any, month: dt.date) -> bool:
    """Whether any scorecard exists for ``month``."""
    return one(cursor, "SELECT 1 AS found FROM gold.supplier_scorecards WHERE scorecard_month = ?",
               [month]) is not None


def months(cursor: Any) -> list[dt.date]:
    """Every scorecard month, newest first."""
    return [r["scorecard_month"] for r in rows(
        cursor, "SELECT DISTINCT scorecard_month FROM gold.supplier_scorecards ORDER BY 1 DESC")]
