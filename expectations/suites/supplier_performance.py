"""Suites on the supplier-performance marts: ranges, the elimination list's share, and
reconciliation of the spend they report with the order lines they come from.

They read dbt's DuckDB file (read-only) once the marts are built and run as blocking checks
on ``["dbt", <mart>]``: a failure keeps the gold tables at their previous version.
The scorecard suite checks the rule procurement relies on: every month, exactly
round(10 % x ranked suppliers) are on the elimination list (so its share is 10 % within
half a supplier), each with its reasons, and no unranked supplier is on it.
"""

from __future__ import annotations

from typing import Any

from expectations.data import SuiteData
from expectations.suite import Part, Suite, drift_bounds, previous_rows

#: Row-count drift tolerated between accepted runs (suppliers come and go).
MART_MAX_DROP = 0.2
MART_MAX_GROWTH = 0.5
#: The elimination list's share of the ranked suppliers (var scorecard_bottom_share).
BOTTOM_SHARE = 0.10
#: Amounts reconcile to this many group-currency units per row summed (rounding to 4 decimals).
AMOUNT_TOLERANCE = 0.01

RATE_COLUMNS = (
    "on_time_delivery_rate", "on_time_in_full_rate", "quantity_accuracy_rate", "asn_eta_accuracy_rate",
    "quality_pass_rate", "return_rate", "invoice_accuracy_rate", "duplicate_invoice_rate",
    "invoice_mismatch_rate", "po_ack_rate", "price_override_rate",
)
NON_NEGATIVE_COLUMNS = (
    "avg_days_late", "avg_lead_time_days", "lead_time_cv", "defect_ppm", "complaint_rate",
    "avg_ticket_response_hours", "avg_ticket_resolution_days", "avg_po_ack_hours", "price_volatility_pct",
)
SCORE_COLUMNS = ("quality_score", "delivery_score", "price_score", "service_score", "overall_score")
#: Buyer ratings (1-5): the window's means and the means shrunk toward the category mean.
RATING_COLUMNS = ("delivery_rating_mean", "quality_rating_mean", "service_rating_mean",
                  "buyer_delivery_rating", "buyer_quality_rating", "buyer_service_rating")


def _gx():
    import great_expectations.expectations as gxe

    return gxe


def _row_count(baseline: dict[str, Any], part: str) -> Any:
    low, high = drift_bounds(previous_rows(baseline, part), max_drop=MART_MAX_DROP, max_growth=MART_MAX_GROWTH)
    return _gx().ExpectTableRowCountToBeBetween(min_value=low, max_value=high)


def _between(columns: tuple[str, ...], low: float | None, high: float | None) -> list[Any]:
    gxe = _gx()
    return [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=low, max_value=high) for c in columns]


def build_supplier_scorecards(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Metric and score ranges, the decile share per month, spend reconciliation."""
    gxe = _gx()
    mart, rows = data.dbt_frame(
        f"select supplier_scorecard_id, is_ranked, group_spend_share_pct, "
        f"{', '.join(RATE_COLUMNS + NON_NEGATIVE_COLUMNS + SCORE_COLUMNS + RATING_COLUMNS)} "
        "from marts.supplier_scorecards"
    )
    deciles, months = data.dbt_frame(
        f"""
        select
            scorecard_month,
            count(*) filter (where is_ranked) as ranked,
            count(*) filter (where is_bottom_decile) as listed,
            count(*) filter (where is_bottom_decile) - round({BOTTOM_SHARE} * count(*) filter (where is_ranked))
                as listed_minus_expected,
            count(*) filter (where is_bottom_decile and not is_ranked) as listed_unranked,
            count(*) filter (where is_bottom_decile and bottom_decile_reasons is null) as listed_without_reasons,
            count(*) filter (where is_ranked and overall_score is null) as ranked_without_score,
            count(*) filter (where not is_ranked and overall_score is not null) as unranked_with_score
        from marts.supplier_scorecards
        group by scorecard_month
        """
    )
    spend, _ = data.dbt_frame(
        """
        with latest as (
            select min(window_start_month) as first_month, max(scorecard_month) as last_month,
                   sum(spend_group) as scorecard_spend
            from marts.supplier_scorecards
            where scorecard_month = (select max(scorecard_month) from marts.supplier_scorecards)
        ),
        by_unit as (
            select sum(ordered_amount) as spend_by_bu
            from marts.supplier_spend_by_bu, latest
            where spend_month between latest.first_month and latest.last_month
        )
        select abs(scorecard_spend - spend_by_bu) as abs_difference from latest, by_unit
        """
    )
    return [
        Part("mart", mart, rows, [
            _row_count(baseline, "mart"),
            *_between(RATE_COLUMNS, 0, 1),
            *_between(NON_NEGATIVE_COLUMNS, 0, None),
            *_between(SCORE_COLUMNS, 0, 100),
            *_between(RATING_COLUMNS, 1, 5),
            *_between(("group_spend_share_pct",), 0, 100),
        ]),
        Part("decile", deciles, months, [
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=0) for c in (
                "listed_minus_expected", "listed_unranked", "listed_without_reasons",
                "ranked_without_score", "unranked_with_score")],
        ]),
        Part("spend", spend, len(spend), [
            gxe.ExpectTableRowCountToEqual(value=1),
            gxe.ExpectColumnValuesToBeBetween(column="abs_difference", min_value=0, max_value=AMOUNT_TOLERANCE * 100),
        ]),
    ]


def build_supplier_scorecards_current(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """The current list: the latest month of supplier_scorecards, with exactly its share listed."""
    gxe = _gx()
    current, _ = data.dbt_frame(
        f"""
        with current_month as (
            select count(*) as suppliers, count(*) filter (where is_ranked) as ranked,
                   count(*) filter (where is_bottom_decile) as listed,
                   count(*) filter (where is_bottom_decile and (not is_ranked or bottom_decile_reasons is null))
                       as listed_invalid,
                   count(distinct scorecard_month) as months
            from marts.supplier_scorecards_current
        ),
        latest as (
            select count(*) as suppliers from marts.supplier_scorecards
            where scorecard_month = (select max(scorecard_month) from marts.supplier_scorecards)
        )
        select current_month.months, current_month.listed_invalid,
               current_month.listed - round({BOTTOM_SHARE} * current_month.ranked) as listed_minus_expected,
               current_month.suppliers - latest.suppliers as suppliers_minus_latest_month
        from current_month, latest
        """
    )
    return [
        Part("current", current, len(current), [
            gxe.ExpectColumnValuesToBeBetween(column="months", min_value=1, max_value=1),
            *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=0) for c in (
                "listed_invalid", "listed_minus_expected", "suppliers_minus_latest_month")],
        ]),
    ]


def build_supplier_spend(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Amount and share ranges; ordered spend reconciles with the order lines, shares add to 100."""
    gxe = _gx()
    mart, rows = data.dbt_frame(
        "select supplier_spend_id, ordered_amount, received_amount, invoiced_amount, duplicate_invoiced_amount, "
        "business_unit_spend_share_pct, group_spend_share_pct from marts.supplier_spend_by_bu"
    )
    reconciliation, _ = data.dbt_frame(
        f"""
        with mart as (
            select sum(ordered_amount) as amount, count(*) as rows from marts.supplier_spend_by_bu
        ),
        lines as (
            select sum(lines.line_amount_group) as amount
            from intermediate.int_purchase_order_lines__delivered as lines
            inner join marts.supplier_source_records as crosswalk
                on crosswalk.source_system = 'erp' and crosswalk.source_record_id = lines.vendor_id
            where not lines.is_excluded and not lines.is_cancelled
        )
        select abs(mart.amount - lines.amount) as abs_difference, {AMOUNT_TOLERANCE} * mart.rows as tolerance
        from mart, lines
        """
    )
    shares, months = data.dbt_frame(
        "select spend_month, sum(group_spend_share_pct) as share_sum from marts.supplier_spend_by_bu "
        "group by spend_month having sum(ordered_amount) > 0"
    )
    tolerance = float(reconciliation["tolerance"].iloc[0]) if len(reconciliation) else AMOUNT_TOLERANCE
    return [
        Part("mart", mart, rows, [
            _row_count(baseline, "mart"),
            *_between(("ordered_amount", "received_amount", "invoiced_amount", "duplicate_invoiced_amount"), 0, None),
            *_between(("business_unit_spend_share_pct", "group_spend_share_pct"), 0, 100),
        ]),
        Part("reconciliation", reconciliation, len(reconciliation), [
            gxe.ExpectTableRowCountToEqual(value=1),
            gxe.ExpectColumnValuesToBeBetween(column="abs_difference", min_value=0, max_value=tolerance),
        ]),
        Part("shares", shares, months, [
            gxe.ExpectColumnValuesToBeBetween(column="share_sum", min_value=99.999, max_value=100.001),
        ]),
    ]


def build_supplier_price_history(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Prices positive, deviations plausible, paid rows carry a median."""
    gxe = _gx()
    mart, rows = data.dbt_frame(
        "select supplier_price_month_id, purchase_line_count, avg_price_paid_group, sku_median_price_paid_group, "
        "quoted_base_price_group, quoted_best_price_group, price_paid_vs_median_pct, quote_vs_median_pct "
        "from marts.supplier_price_history"
    )
    return [
        Part("mart", mart, rows, [
            _row_count(baseline, "mart"),
            *_between(("avg_price_paid_group", "sku_median_price_paid_group", "quoted_base_price_group",
                       "quoted_best_price_group"), 0, None),
            gxe.ExpectColumnValuesToBeBetween(column="purchase_line_count", min_value=0),
            # a paid price or quote more than 10x / under a tenth of the SKU's median is a unit or FX error
            *_between(("price_paid_vs_median_pct", "quote_vs_median_pct"), -90, 900),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="quoted_base_price_group", column_B="quoted_best_price_group", or_equal=True,
                ignore_row_if="either_value_is_missing"),
        ]),
    ]


def build_shipment_tracking(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """GPS-derived values in physical ranges; the GPS ETA close to the arrival."""
    gxe = _gx()
    mart, rows = data.dbt_frame(
        "select shipment_id, gps_fix_count, remaining_road_km, recent_speed_kmh, eta_error_hours, "
        "asn_eta_error_hours from marts.shipment_tracking"
    )
    return [
        Part("mart", mart, rows, [
            _row_count(baseline, "mart"),
            gxe.ExpectColumnValuesToBeBetween(column="gps_fix_count", min_value=0),
            # the group's hauls run from north-west China to its Singapore warehouse (5,238 road km
            # left for a just-departed truck in the demo at scale 1); a fix at (0, 0) is > 10,000 km off
            gxe.ExpectColumnValuesToBeBetween(column="remaining_road_km", min_value=0, max_value=8000),
            gxe.ExpectColumnValuesToBeBetween(column="recent_speed_kmh", min_value=0, max_value=150),
            # from the last fix before arrival the ETA is at most a night's rest off
            gxe.ExpectColumnValuesToBeBetween(column="eta_error_hours", min_value=-24, max_value=24, mostly=0.95),
        ]),
    ]


SUPPLIER_SCORECARDS = Suite(
    name="supplier_scorecards",
    assets=(("dbt", "supplier_scorecards"),),
    description=f"Scorecards: rates in [0, 1], scores in [0, 100], non-negative times and ppm, row-count drift; "
    f"every month exactly round({BOTTOM_SHARE:.0%} x ranked) suppliers on the elimination list, all ranked and "
    "with reasons, every ranked supplier scored and no unranked one; the latest month's window spend equals "
    "supplier_spend_by_bu over the same months",
    build=build_supplier_scorecards,
    reads=(("dbt", "supplier_spend_by_bu"),),
)

SUPPLIER_SCORECARDS_CURRENT = Suite(
    name="supplier_scorecards_current",
    assets=(("dbt", "supplier_scorecards_current"),),
    description=f"Current scorecards: one month, the same suppliers as supplier_scorecards' latest month, exactly "
    f"round({BOTTOM_SHARE:.0%} x ranked) on the elimination list, all ranked and with reasons",
    build=build_supplier_scorecards_current,
    reads=(("dbt", "supplier_scorecards"),),
)

SUPPLIER_SPEND = Suite(
    name="supplier_spend_by_bu",
    assets=(("dbt", "supplier_spend_by_bu"),),
    description="Spend by business unit: non-negative amounts, shares in [0, 100] adding to 100 % per month, "
    "ordered spend equals the valid order lines of the crosswalked vendors, row-count drift",
    build=build_supplier_spend,
    reads=(("dbt", "int_purchase_order_lines__delivered"), ("dbt", "supplier_source_records")),
)

SUPPLIER_PRICE_HISTORY = Suite(
    name="supplier_price_history",
    assets=(("dbt", "supplier_price_history"),),
    description="Price history: positive prices, best tier <= base tier, deviations from the SKU median "
    "within -90 % .. +900 %, row-count drift",
    build=build_supplier_price_history,
)

SHIPMENT_TRACKING = Suite(
    name="shipment_tracking",
    assets=(("dbt", "shipment_tracking"),),
    description="Shipment tracking: remaining distance and speed in physical ranges, the GPS ETA within "
    "24 h of the arrival for 95 % of tracked shipments, row-count drift",
    build=build_shipment_tracking,
)

__all__ = ["SHIPMENT_TRACKING", "SUPPLIER_PRICE_HISTORY", "SUPPLIER_SCORECARDS", "SUPPLIER_SCORECARDS_CURRENT",
           "SUPPLIER_SPEND"]
