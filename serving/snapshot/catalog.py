"""Which gold tables the serving snapshot copies, and how each is laid out for the API.

Every served table is a published gold mart (``<lake>/gold/<mart>``, asset
``["gold", <mart>]``). A table absent from the lake (its mart not built yet) is simply not
in the snapshot; the endpoints that need it answer 503 ``mart_unavailable`` naming it.
Inside the snapshot file each table keeps its gold name in schema ``gold``
(``gold.supplier_master``), sorted for the API's access path, with ART indexes on the
columns looked up by key.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServedTable:
    """A gold table copied into the snapshot.

    Args:
        mart: gold table name (``<lake>/gold/<mart>``).
        order_by: physical order in the snapshot (columns absent from the table are skipped).
        indexes: columns (or column tuples) given an ART index for point lookups.
    """

    mart: str
    order_by: tuple[str, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()

    @property
    def relative_path(self) -> str:
        return f"gold/{self.mart}"

    @property
    def sql_name(self) -> str:
        return f"gold.{self.mart}"


SERVED_TABLES: tuple[ServedTable, ...] = (
    # suppliers (identity)
    ServedTable("supplier_master", ("supplier_key",), (("supplier_key",), ("group_supplier_id",))),
    ServedTable("supplier_source_records", ("supplier_key", "record_id"),
                (("supplier_key",), ("source_record_id",))),
    ServedTable("supplier_review_queue", ("left_record_id", "right_record_id"),
                (("left_supplier_key",), ("right_supplier_key",))),
    # supplier performance
    ServedTable("supplier_scorecards", ("supplier_key", "scorecard_month"), (("supplier_key",),)),
    ServedTable("supplier_scorecards_current", ("supplier_key",), (("supplier_key",),)),
    ServedTable("supplier_price_history", ("supplier_key",), (("supplier_key",),)),
    ServedTable("supplier_spend_by_bu", ("supplier_key",), (("supplier_key",),)),
    ServedTable("stock_reconciliation", ("warehouse_code", "snapshot_date", "sku")),
    ServedTable("inventory_accuracy", ("warehouse_code", "snapshot_date")),
    ServedTable("shipment_tracking", ("supplier_key",), (("supplier_key",),)),
    # sourcing and contracts
    ServedTable("sourcing_savings", ("business_unit_code", "category_code")),
    ServedTable("contract_compliance", ("business_unit_code", "category_code")),
    ServedTable("contract_utilisation", ("contract_id",), (("contract_id",),)),
    ServedTable("contracts_expiring", ("valid_to", "contract_id")),
    # supplier onboarding (#22)
    ServedTable("onboarding_cycle_time_summary", ("business_unit_code", "check_outcome")),
    # customers
    ServedTable("customer_rfm", ("scope", "customer_id"), (("customer_id",),)),
    ServedTable("customer_ltv", ("scope", "customer_id"), (("customer_id",),)),
    # models
    ServedTable("ml_fraud_risk", ("risk_rank",), (("vendor_id",),)),
    ServedTable("ml_recommendations", ("business_unit_code", "buyer_id", "rank"), (("buyer_id",),)),
    ServedTable("ml_delivery_risk", ("vendor_id", "material_id"), (("vendor_id",),)),
)

#: served table by mart name.
BY_MART: dict[str, ServedTable] = {table.mart: table for table in SERVED_TABLES}


def served_marts() -> list[str]:
    """Names of every gold table the snapshot copies (when present)."""
    return [table.mart for table in SERVED_TABLES]
