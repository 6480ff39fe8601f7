"""Suites on the stock marts: reconciliation totals against the staged WMS, RFID and ERP
rows they summarise, accuracy ranges, and the group's inventory accuracy level.

``stock_reconciliation`` must account for every WMS movement, RFID read and ERP goods
receipt of the periods it covers (totals equal to the staged rows, so nothing is lost
between staging and the mart), and its book must be opening + movements on every line.
``inventory_accuracy`` holds rates in [0, 1] and, group-wide, at least
:data:`MIN_MEAN_ACCURACY` of lines within tolerance: below that a feed lost movements
(a whole WMS file quarantined, a stuck drop folder) and the figure operations track is
not to be published as is.
"""

from __future__ import annotations

from typing import Any

from expectations.data import SuiteData
from expectations.suite import Part, Suite, drift_bounds, previous_rows

#: Tolerated row-count drift between accepted runs.
MART_MAX_DROP = 0.2
MART_MAX_GROWTH = 0.5
#: Quantities reconcile to this (the WMS and RFID round to 3 decimals, per line summed).
QUANTITY_TOLERANCE = 0.01
#: Mean inventory accuracy over every warehouse-period below which the mart is held back.
MIN_MEAN_ACCURACY = 0.90

TOTALS_SQL = """
with periods as (
    select distinct warehouse_code, snapshot_date, previous_snapshot_date from marts.stock_reconciliation
),
mart as (
    select sum(net_movement_quantity) as movements, sum(coalesce(rfid_in_quantity, 0)) as rfid_in,
           sum(coalesce(rfid_out_quantity, 0)) as rfid_out, sum(erp_receipt_quantity) as erp_receipts,
           sum(erp_receipt_count) as erp_receipt_count, count(*) as lines
    from marts.stock_reconciliation
),
movements as (
    select sum(movements.quantity) as movements
    from staging.stg_wms__movements as movements
    inner join periods on movements.warehouse_code = periods.warehouse_code
        and cast(movements.moved_at as date) > periods.previous_snapshot_date
        and cast(movements.moved_at as date) <= periods.snapshot_date
),
reads as (
    select coalesce(sum(reads.quantity) filter (where reads.direction = 'in'), 0) as rfid_in,
           coalesce(sum(reads.quantity) filter (where reads.direction = 'out'), 0) as rfid_out
    from staging.stg_iot__rfid as reads
    inner join staging.stg_erp__warehouses as warehouses
        on reads.warehouse_code = warehouses.warehouse_code and warehouses.has_rfid
    inner join periods on reads.warehouse_code = periods.warehouse_code
        and cast(reads.recorded_at as date) > periods.previous_snapshot_date
        and cast(reads.recorded_at as date) <= periods.snapshot_date
),
receipts as (
    select sum(receipts.quantity) as erp_receipts, count(*) as erp_receipt_count
    from staging.stg_erp__goods_receipts as receipts
    inner join staging.stg_erp__warehouses as warehouses on receipts.warehouse_id = warehouses.warehouse_id
    inner join staging.stg_erp__materials as materials on receipts.material_id = materials.material_id
    inner join periods on warehouses.warehouse_code = periods.warehouse_code
        and cast(receipts.received_at as date) > periods.previous_snapshot_date
        and cast(receipts.received_at as date) <= periods.snapshot_date
)
select 'movements' as total, abs(mart.movements - coalesce(movements.movements, 0)) as abs_difference
from mart, movements
union all select 'rfid_in', abs(mart.rfid_in - reads.rfid_in) from mart, reads
union all select 'rfid_out', abs(mart.rfid_out - reads.rfid_out) from mart, reads
union all select 'erp_receipts', abs(mart.erp_receipts - coalesce(receipts.erp_receipts, 0)) from mart, receipts
union all select 'erp_receipt_count', abs(mart.erp_receipt_count - receipts.erp_receipt_count) from mart, receipts
"""


def _gx():
    import great_expectations.expectations as gxe

    return gxe


def _row_count(baseline: dict[str, Any], part: str) -> Any:
    low, high = drift_bounds(previous_rows(baseline, part), max_drop=MART_MAX_DROP, max_growth=MART_MAX_GROWTH)
    return _gx().ExpectTableRowCountToBeBetween(min_value=low, max_value=high)


def build_stock_reconciliation(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Totals equal the staged rows; book = opening + movements on every line."""
    gxe = _gx()
    totals, _ = data.dbt_frame(TOTALS_SQL)
    book, rows = data.dbt_frame(
        "select stock_reconciliation_id, "
        "abs(book_quantity - opening_quantity - net_movement_quantity) as book_error, "
        "abs(stock_difference - (snapshot_quantity - book_quantity)) as difference_error "
        "from marts.stock_reconciliation"
    )
    return [
        Part("totals", totals, len(totals), [
            gxe.ExpectTableRowCountToEqual(value=5),
            gxe.ExpectColumnValuesToBeBetween(column="abs_difference", min_value=0, max_value=QUANTITY_TOLERANCE),
        ]),
        Part("lines", book, rows, [
            _row_count(baseline, "lines"),
            gxe.ExpectColumnValuesToBeBetween(column="book_error", min_value=0, max_value=0.0001),
            gxe.ExpectColumnValuesToBeBetween(column="difference_error", min_value=0, max_value=0.0001),
        ]),
    ]


def build_inventory_accuracy(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """Rates in [0, 1]; the group's mean accuracy at least MIN_MEAN_ACCURACY."""
    gxe = _gx()
    mart, rows = data.dbt_frame(
        "select inventory_accuracy_id, inventory_accuracy_rate, rfid_accuracy_rate, receipt_match_rate "
        "from marts.inventory_accuracy"
    )
    return [
        Part("mart", mart, rows, [
            _row_count(baseline, "mart"),
            *[gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1)
              for c in ("inventory_accuracy_rate", "rfid_accuracy_rate", "receipt_match_rate")],
            gxe.ExpectColumnMeanToBeBetween(column="inventory_accuracy_rate", min_value=MIN_MEAN_ACCURACY, max_value=1),
        ]),
    ]


STOCK_RECONCILIATION = Suite(
    name="stock_reconciliation",
    assets=(("dbt", "stock_reconciliation"),),
    description="Stock reconciliation: net movements, RFID reads in/out and ERP goods receipts of the covered "
    f"periods equal the staged rows (±{QUANTITY_TOLERANCE}), book = opening + movements and difference = "
    "snapshot - book on every line, row-count drift",
    build=build_stock_reconciliation,
    reads=(("dbt", "stg_wms__movements"), ("dbt", "stg_iot__rfid"), ("dbt", "stg_erp__goods_receipts")),
)

INVENTORY_ACCURACY = Suite(
    name="inventory_accuracy",
    assets=(("dbt", "inventory_accuracy"),),
    description=f"Inventory accuracy: rates in [0, 1], the group's mean accuracy >= {MIN_MEAN_ACCURACY:.0%}, "
    "row-count drift",
    build=build_inventory_accuracy,
)

__all__ = ["INVENTORY_ACCURACY", "STOCK_RECONCILIATION"]
