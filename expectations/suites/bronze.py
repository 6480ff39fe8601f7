"""Suites on the bronze tables most prone to bad data: ranges, distributions, drift and
cross-table reconciliation, queried from the lake (``grouplake sql`` names).

Legacy sources hold a few bad rows (the governed layer quarantines them), so value rules
here use ``mostly``: they fail when a feed goes wrong (a broken extract, a unit change), not
on the odd dirty row. Bronze tables only grow (merge by key), so any drop in rows is drift.
They run as blocking checks on the bronze assets: the dbt models wait for them.
"""

from __future__ import annotations

from typing import Any

from expectations.data import SuiteData
from expectations.suite import Part, Suite, drift_bounds, previous_rows

#: Share of rows that must satisfy a value rule on a bronze table.
MOSTLY = 0.999
#: A reference rate may move at most this much from one publication to the next.
MAX_DAILY_RATE_MOVE = 0.10
#: Header total and the sum of its lines must agree to this (currency units).
AMOUNT_TOLERANCE = 0.01


def _gx():
    import great_expectations.expectations as gxe

    return gxe


def _no_drop(baseline: dict[str, Any], part: str) -> Any:
    low, high = drift_bounds(previous_rows(baseline, part), max_drop=0.0, max_growth=None)
    return _gx().ExpectTableRowCountToBeBetween(min_value=low, max_value=high)


def build_erp_sales(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Sales order lines: value ranges; headers reconcile with the sum of their lines."""
    gxe = _gx()
    lines, line_rows = data.lake_frame(
        "select sales_order_line_id, quantity, unit_price, line_amount, currency "
        "from bronze.erp__sales_order_lines"
    )
    reconciliation, orders = data.lake_frame(
        """
        select o.sales_order_id, o.total_amount,
               coalesce(sum(l.line_amount), 0) as lines_amount,
               abs(o.total_amount - coalesce(sum(l.line_amount), 0)) as abs_difference
        from bronze.erp__sales_orders as o
        left join bronze.erp__sales_order_lines as l on l.sales_order_id = o.sales_order_id
        group by o.sales_order_id, o.total_amount
        """
    )
    return [
        Part("lines", lines, line_rows, [
            _no_drop(baseline, "lines"),
            gxe.ExpectColumnValuesToBeBetween(column="quantity", min_value=0, strict_min=True, mostly=MOSTLY),
            gxe.ExpectColumnValuesToBeBetween(column="unit_price", min_value=0, strict_min=True, mostly=MOSTLY),
            gxe.ExpectColumnValuesToBeBetween(column="line_amount", min_value=0, mostly=MOSTLY),
            gxe.ExpectColumnValuesToMatchRegex(column="currency", regex=r"^[A-Z]{3}$"),
        ]),
        Part("headers_vs_lines", reconciliation, orders, [
            _no_drop(baseline, "headers_vs_lines"),
            gxe.ExpectColumnValuesToBeBetween(
                column="abs_difference", min_value=0, max_value=AMOUNT_TOLERANCE, mostly=MOSTLY),
        ]),
    ]


def build_erp_goods_receipts(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Goods receipts: positive quantities, received on or after the order date."""
    gxe = _gx()
    receipts, rows = data.lake_frame(
        """
        select r.goods_receipt_id, r.quantity, r.received_date, o.order_date
        from bronze.erp__goods_receipts as r
        left join bronze.erp__purchase_orders as o on o.purchase_order_id = r.purchase_order_id
        """
    )
    return [
        Part("receipts", receipts, rows, [
            _no_drop(baseline, "receipts"),
            gxe.ExpectColumnValuesToBeBetween(column="quantity", min_value=0, strict_min=True, mostly=MOSTLY),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="received_date", column_B="order_date", or_equal=True, mostly=MOSTLY,
                ignore_row_if="either_value_is_missing"),
            gxe.ExpectColumnValuesToNotBeNull(column="order_date", mostly=MOSTLY),
        ]),
    ]


def build_erp_fx_rates(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Reference rates: positive, into the group currency, no jump between publications."""
    gxe = _gx()
    group = data.settings.group_currency
    rates, rows = data.lake_frame(
        """
        select fx_rate_id, from_currency, to_currency, rate_date, rate,
               abs(rate / lag(rate) over (partition by from_currency, to_currency order by rate_date) - 1)
                   as relative_move
        from bronze.erp__fx_rates
        """
    )
    return [
        Part("rates", rates, rows, [
            _no_drop(baseline, "rates"),
            gxe.ExpectColumnValuesToBeBetween(column="rate", min_value=0, strict_min=True),
            gxe.ExpectColumnValuesToBeInSet(column="to_currency", value_set=[group]),
            gxe.ExpectColumnValuesToMatchRegex(column="from_currency", regex=r"^[A-Z]{3}$"),
            gxe.ExpectColumnValuesToBeBetween(column="relative_move", min_value=0, max_value=MAX_DAILY_RATE_MOVE),
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["from_currency", "to_currency", "rate_date"]),
        ]),
    ]


ERP_SALES = Suite(
    name="erp_sales",
    assets=(("bronze", "erp", "sales_order_lines"),),
    description=f"Sales lines: quantity and price > 0, amount ≥ 0 (mostly {MOSTLY}); each order's "
    f"total equals the sum of its lines within {AMOUNT_TOLERANCE} (mostly {MOSTLY}); no row lost "
    "since the last accepted run",
    build=build_erp_sales,
    reads=(("bronze", "erp", "sales_orders"),),
)

ERP_GOODS_RECEIPTS = Suite(
    name="erp_goods_receipts",
    assets=(("bronze", "erp", "goods_receipts"),),
    description=f"Goods receipts: quantity > 0 and received on or after the order date (mostly {MOSTLY}); "
    "no row lost since the last accepted run",
    build=build_erp_goods_receipts,
    reads=(("bronze", "erp", "purchase_orders"),),
)

ERP_FX_RATES = Suite(
    name="erp_fx_rates",
    assets=(("bronze", "erp", "fx_rates"),),
    description="Reference rates: > 0, into the group currency, one per currency and day, at most "
    f"{MAX_DAILY_RATE_MOVE:.0%} move between publications; no row lost since the last accepted run",
    build=build_erp_fx_rates,
)
