"""Cross-source reconciliation: ERP goods receipts against WMS receipt movements.

Warehouses that run a WMS book every receipt twice: the ERP goods receipt and a WMS
``receipt`` movement referencing it (``reference_type = 'goods_receipt'``). Over the period
the WMS drops cover, each receipt is matched by id and quantity; a small share of
differences is normal (counting, late bookings), more means one side lost or changed data.
A receipt whose WMS movement was rejected at ingest (a malformed file or line, kept in
``bronze.quarantine`` with the reason) counts as explained, not missing. Applies once the
WMS bronze tables exist (``bronze/wms/movements``).
"""

from __future__ import annotations

from typing import Any

from expectations.data import SuiteData
from expectations.suite import Part, Suite

#: Share of receipts that must match between ERP and WMS (id and quantity).
MIN_MATCHED_SHARE = 0.95
#: Statuses that count as reconciled: matched, or the WMS row is in bronze.quarantine (the
#: file or line was rejected at ingest, with its reason: known and reported, not lost).
EXPLAINED = ("matched", "quarantined_in_wms")
#: Quantities match within this relative difference.
QUANTITY_TOLERANCE = 0.001

RECONCILIATION_SQL = f"""
with covered as (
    select min(moved_at) as first_at, max(moved_at) as last_at from bronze.wms__movements
),
receipts as (
    select r.goods_receipt_id, cast(r.quantity as double) as erp_quantity
    from bronze.erp__goods_receipts as r
    join bronze.erp__warehouses as w on w.warehouse_id = r.warehouse_id
    cross join covered
    where w.has_wms and r.received_at between covered.first_at and covered.last_at
),
wms as (
    select reference_id as goods_receipt_id, sum(cast(quantity as double)) as wms_quantity
    from bronze.wms__movements
    where movement_type = 'receipt' and reference_type = 'goods_receipt'
    group by reference_id
),
quarantined as (
    select distinct json_extract_string(raw_record, '$.reference_id') as goods_receipt_id
    from bronze.quarantine
    where source = 'wms' and entity = 'movements'
        and json_extract_string(raw_record, '$.reference_type') = 'goods_receipt'
)
select
    coalesce(receipts.goods_receipt_id, wms.goods_receipt_id) as goods_receipt_id,
    receipts.erp_quantity,
    wms.wms_quantity,
    case
        when receipts.goods_receipt_id is null then 'extra_in_wms'
        when wms.goods_receipt_id is null and quarantined.goods_receipt_id is not null
            then 'quarantined_in_wms'
        when wms.goods_receipt_id is null then 'missing_in_wms'
        when abs(receipts.erp_quantity - wms.wms_quantity)
            > {QUANTITY_TOLERANCE} * greatest(abs(receipts.erp_quantity), 1) then 'quantity_mismatch'
        else 'matched'
    end as status
from receipts
full outer join wms on receipts.goods_receipt_id = wms.goods_receipt_id
left join quarantined on receipts.goods_receipt_id = quarantined.goods_receipt_id
"""


def build_wms_receipts(data: SuiteData, baseline: dict[str, Any]) -> list[Part]:
    """One row per goods receipt seen by either side, with its match status."""
    import great_expectations.expectations as gxe

    frame, rows = data.lake_frame(RECONCILIATION_SQL)
    return [
        Part("receipts", frame, rows, [
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            gxe.ExpectColumnValuesToBeInSet(
                column="status", value_set=list(EXPLAINED), mostly=MIN_MATCHED_SHARE),
        ]),
    ]


WMS_RECEIPTS = Suite(
    name="wms_receipts_reconciliation",
    assets=(("bronze", "wms", "movements"),),
    description=f"ERP goods receipts at WMS warehouses vs WMS receipt movements: at least "
    f"{MIN_MATCHED_SHARE:.0%} match by id and quantity (±{QUANTITY_TOLERANCE:.1%}) or were "
    "quarantined at WMS ingest",
    build=build_wms_receipts,
    reads=(("bronze", "erp", "goods_receipts"), ("bronze", "erp", "warehouses")),
    requires=("bronze/wms/movements", "bronze/erp/goods_receipts", "bronze/erp/warehouses",
              "bronze/quarantine"),
)
