"""Supplier 360: the golden record, the source records merged into it, spend by business
unit, quality and delivery history, price history against the category median, shipments.

Unit scoping inside a supplier: a unit-scoped caller sees the source records of its unit
(and platform registrations, which belong to no unit or to its unit) and its unit's spend;
prices and scorecards are the supplier's group-level figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from infra.http.pages import Page, PageRequest
from serving.repository.paging import Where, contains_pattern, fetch_page, one, rows

MASTER_COLUMNS = (
    "supplier_key, group_supplier_id, golden_name, uscc, uscc_is_valid, province, city, address, "
    "phone, bank_account, industry, member_count, erp_record_count, platform_record_count, "
    "business_units, source_systems, platform_supplier_ids, min_match_confidence, first_seen_at, "
    "founding_record_id"
)
RECORD_COLUMNS = (
    "record_id, source_system, source_record_id, business_unit_code, recorded_name, "
    "recorded_uscc, uscc_status, source_status, match_confidence, match_evidence, "
    "linked_record_id, is_founding_record, source_created_at, source_updated_at"
)
PERFORMANCE_COLUMNS = (
    "scorecard_month, is_ranked, overall_score, quality_score, delivery_score, price_score, "
    "service_score, group_rank, is_bottom_decile, on_time_delivery_rate, on_time_in_full_rate, "
    "avg_days_late, avg_lead_time_days, quantity_accuracy_rate, quality_pass_rate, defect_ppm, "
    "return_rate, complaint_rate, due_line_count, inspection_count, receipt_count"
)
IN_UNIT = "supplier_key IN (SELECT supplier_key FROM serving.supplier_units WHERE business_unit_code = ?)"


def existing_columns(cursor: Any, table: str, wanted: str) -> str:
    """``wanted`` (a column list) restricted to the columns ``table`` has, in order."""
    schema, name = table.split(".")
    have = {r[0] for r in cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND "
        "table_name = ?", [schema, name]).fetchall()}
    return ", ".join(c.strip() for c in wanted.split(",") if c.strip() in have)


def suppliers(cursor: Any, page: PageRequest, *, unit: str | None, query: str | None,
              uscc: str | None) -> Page:
    """Golden suppliers, by group supplier id."""
    where = Where().add_if(unit, IN_UNIT).add_if(uscc, "uscc = ?")
    if query:
        pattern = contains_pattern(query)
        where.add("(golden_name ILIKE ? ESCAPE '\\' OR group_supplier_id ILIKE ? ESCAPE '\\' "
                  "OR supplier_key = ?)", pattern, pattern, query)
    return fetch_page(cursor, f"SELECT {MASTER_COLUMNS} FROM gold.supplier_master{where.sql}",
                      where.params, "group_supplier_id", page)


def golden_record(cursor: Any, supplier_key: str) -> dict[str, Any] | None:
    """The supplier_master row."""
    return one(cursor, f"SELECT {MASTER_COLUMNS} FROM gold.supplier_master WHERE supplier_key = ?",
               [supplier_key])


def source_records(cursor: Any, supplier_key: str, *, unit: str | None) -> list[dict[str, Any]]:
    """The records (and their recorded names: the aliases) merged into the supplier."""
    where = Where().add("supplier_key = ?", supplier_key)
    if unit is not None:
        where.add("(business_unit_code = ? OR (source_system = 'platform' AND business_unit_code IS NULL))",
                  unit)
    return rows(cursor, f"SELECT {existing_columns(cursor, 'gold.supplier_source_records', RECORD_COLUMNS)} "
                f"FROM gold.supplier_source_records{where.sql} ORDER BY record_id", where.params)


def spend_summary(cursor: Any, supplier_key: str, *, unit: str | None) -> list[dict[str, Any]]:
    """Spend per business unit over every month in the snapshot."""
    where = Where().add("supplier_key = ?", supplier_key).add_if(unit, "business_unit_code = ?")
    return rows(cursor, f"""
        SELECT business_unit_code, any_value(currency) AS currency, min(spend_month) AS first_month,
               max(spend_month) AS last_month, count(*) AS months, sum(po_count) AS po_count,
               sum(ordered_amount) AS ordered_amount, sum(received_amount) AS received_amount,
               sum(invoiced_amount) AS invoiced_amount
        FROM gold.supplier_spend_by_bu{where.sql}
        GROUP BY business_unit_code ORDER BY ordered_amount DESC NULLS LAST, business_unit_code""",
                where.params)


def spend(cursor: Any, supplier_key: str, page: PageRequest, *, unit: str | None,
          from_month: dt.date | None, to_month: dt.date | None) -> Page:
    """Monthly spend per business unit, newest first."""
    where = (Where().add("supplier_key = ?", supplier_key).add_if(unit, "business_unit_code = ?")
             .add_if(from_month, "spend_month >= ?").add_if(to_month, "spend_month <= ?"))
    return fetch_page(cursor, f"SELECT * FROM gold.supplier_spend_by_bu{where.sql}", where.params,
                      "spend_month DESC, business_unit_code", page)


def performance(cursor: Any, supplier_key: str, *, last: int) -> list[dict[str, Any]]:
    """Quality and delivery per month (the last ``last`` scorecard months), newest first."""
    columns = existing_columns(cursor, "gold.supplier_scorecards", PERFORMANCE_COLUMNS)
    return rows(cursor, f"SELECT {columns} FROM gold.supplier_scorecards WHERE supplier_key = ? "
                "ORDER BY scorecard_month DESC LIMIT ?", [supplier_key, last])


def price_trend(cursor: Any, supplier_key: str, *, last: int) -> list[dict[str, Any]]:
    """Per month: spend-weighted deviation of the prices paid (and quoted) from the SKU median."""
    return rows(cursor, """
        SELECT price_month, count(*) AS skus, sum(spend_group) AS spend_group, any_value(currency) AS currency,
               round(sum(price_paid_vs_median_pct * spend_group) / nullif(sum(spend_group)
                     FILTER (WHERE price_paid_vs_median_pct IS NOT NULL), 0), 4) AS price_paid_vs_median_pct,
               round(avg(quote_vs_median_pct), 4) AS quote_vs_median_pct
        FROM gold.supplier_price_history WHERE supplier_key = ?
        GROUP BY price_month ORDER BY price_month DESC LIMIT ?""", [supplier_key, last])


def price_history(cursor: Any, supplier_key: str, page: PageRequest, *, material_id: str | None,
                  category_id: str | None, from_month: dt.date | None,
                  to_month: dt.date | None) -> Page:
    """Price per SKU and month against the SKU's median across the category's suppliers."""
    where = (Where().add("supplier_key = ?", supplier_key).add_if(material_id, "material_id = ?")
             .add_if(category_id, "category_id = ?").add_if(from_month, "price_month >= ?")
             .add_if(to_month, "price_month <= ?"))
    return fetch_page(cursor, f"SELECT * FROM gold.supplier_price_history{where.sql}", where.params,
                      "price_month DESC, material_id", page)


def shipments(cursor: Any, supplier_key: str, page: PageRequest, *, unit: str | None,
              from_date: dt.date | None, before: dt.date | None) -> Page:
    """Inbound shipments of the supplier (promised, ASN and GPS ETAs, arrival), newest first."""
    where = (Where().add("shipments.supplier_key = ?", supplier_key)
             .add_if(from_date, "shipments.promised_date >= ?")
             .add_if(before, "shipments.promised_date < ?"))
    if unit is not None:
        where.add("shipments.vendor_id IN (SELECT vendor_id FROM serving.erp_vendors "
                  "WHERE business_unit_code = ?)", unit)
    return fetch_page(cursor, f"SELECT shipments.* FROM gold.shipment_tracking AS shipments{where.sql}",
                      where.params, "promised_date DESC NULLS LAST, shipment_id", page)


DELIVERY_RISK_COLUMNS = ("risk.vendor_id, risk.business_unit_code, risk.material_id, risk.sku, risk.late_probability, "
                         "risk.historical_late_rate, risk.pair_lines, risk.open_lines, risk.overdue_open_lines, "
                         "risk.model_version, risk.as_of")


def delivery_risk(cursor: Any, supplier_key: str, *, unit: str | None, limit: int) -> list[dict[str, Any]]:
    """Late-delivery risk of the supplier's ERP vendor records per SKU (``gold.ml_delivery_risk``
    through the ERP crosswalk), riskiest first; a unit-scoped caller sees its unit's records."""
    where = Where().add("vendors.supplier_key = ?", supplier_key).add_if(unit, "vendors.business_unit_code = ?")
    return rows(cursor, f"SELECT {DELIVERY_RISK_COLUMNS} FROM gold.ml_delivery_risk AS risk "
                f"JOIN serving.erp_vendors AS vendors ON vendors.vendor_id = risk.vendor_id{where.sql} "
                "ORDER BY risk.late_probability DESC, risk.vendor_id, risk.material_id LIMIT ?",
                [*where.params, limit])


REVIEW_COLUMNS = ("left_record_id, right_record_id, probability, left_name, right_name, "
                  "left_supplier_key, right_supplier_key, same_supplier")


def review_queue(cursor: Any, page: PageRequest, *, unit: str | None) -> Page:
    """Supplier pairs waiting for a data steward, most uncertain first; a unit-scoped caller
    sees the pairs that touch a supplier of its unit."""
    where = Where()
    if unit is not None:
        where.add(f"({IN_UNIT.replace('supplier_key IN', 'left_supplier_key IN')} OR "
                  f"{IN_UNIT.replace('supplier_key IN', 'right_supplier_key IN')})", unit, unit)
    return fetch_page(cursor, f"SELECT {REVIEW_COLUMNS} FROM gold.supplier_review_queue{where.sql}",
                      where.params, "abs(probability - 0.5), left_record_id, right_record_id", page)
