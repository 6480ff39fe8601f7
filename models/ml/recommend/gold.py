"""Contracts of the recommender's gold tables (names, types, order fixed; every write is cast).

* ``gold.ml_recommendations`` — per buyer (ERP buyer or platform user) the top SKUs with reason;
* ``gold.ml_related_items`` — per SKU the SKUs often ordered with it;
* ``gold.ml_supplier_recommendations`` — per unit × SKU the ranked suppliers with reason;
* ``gold.reco_decision_snapshot`` — what the transactional service applies, keyed by the
  platform's ids (see :mod:`.snapshot`); its content hash is the snapshot version.
"""

from __future__ import annotations

import pyarrow as pa

RECOMMENDATIONS_SCHEMA = pa.schema([
    pa.field("business_unit_code", pa.string(), nullable=False),
    pa.field("buyer_id", pa.string(), nullable=False),  # ERP buyer id, or platform:<user id>
    pa.field("buyer_source", pa.string(), nullable=False),  # erp | platform
    pa.field("platform_user_id", pa.int64()),
    pa.field("rank", pa.int32(), nullable=False),  # 1 = best
    pa.field("sku", pa.string(), nullable=False),
    pa.field("sku_name", pa.string()),
    pa.field("platform_sku_id", pa.int64()),  # null: the SKU is not on the platform
    pa.field("score", pa.float64(), nullable=False),  # P(in the next order), ranker
    pa.field("reason_kind", pa.string(), nullable=False),  # due | regular | together | similar_buyers | …
    pa.field("reason", pa.string(), nullable=False),
    pa.field("anchor_sku", pa.string()),  # "often ordered with" this SKU
    pa.field("preferred_vendor_id", pa.string()),  # the unit's top-ranked supplier for the SKU
    pa.field("orders_with_item", pa.int32()),  # the buyer's orders holding it
    pa.field("interval_days", pa.float64()),  # the buyer's mean days between purchases of it
    pa.field("days_since_last", pa.float64()),
    pa.field("due_ratio", pa.float64()),  # days_since_last / interval_days
    pa.field("model_name", pa.string(), nullable=False),
    pa.field("model_version", pa.string(), nullable=False),
    pa.field("history_through", pa.date32()),
])

RELATED_ITEMS_SCHEMA = pa.schema([
    pa.field("sku", pa.string(), nullable=False),
    pa.field("rank", pa.int32(), nullable=False),
    pa.field("related_sku", pa.string(), nullable=False),
    pa.field("related_sku_name", pa.string()),
    pa.field("orders_together", pa.int64(), nullable=False),
    pa.field("orders_with_sku", pa.int64(), nullable=False),
    pa.field("support", pa.float64(), nullable=False),
    pa.field("confidence", pa.float64(), nullable=False),
    pa.field("lift", pa.float64(), nullable=False),
    pa.field("reason", pa.string(), nullable=False),
    pa.field("model_version", pa.string(), nullable=False),
    pa.field("history_through", pa.date32()),
])

SUPPLIER_RECOMMENDATIONS_SCHEMA = pa.schema([
    pa.field("business_unit_code", pa.string(), nullable=False),
    pa.field("sku", pa.string(), nullable=False),
    pa.field("rank", pa.int32(), nullable=False),
    pa.field("vendor_id", pa.string(), nullable=False),
    pa.field("vendor_name", pa.string()),
    pa.field("score", pa.float64(), nullable=False),  # P(chosen), normalised over the candidates
    pa.field("unit_share", pa.float64()),
    pa.field("price_cny", pa.float64()),
    pa.field("price_ratio", pa.float64()),  # vs the cheapest candidate
    pa.field("lead_time_days", pa.float64()),
    pa.field("on_time_rate", pa.float64()),
    pa.field("defect_rate", pa.float64()),
    pa.field("reason", pa.string(), nullable=False),
    pa.field("model_name", pa.string(), nullable=False),
    pa.field("model_version", pa.string(), nullable=False),
    pa.field("history_through", pa.date32()),
])

DECISION_SNAPSHOT_SCHEMA = pa.schema([
    pa.field("section", pa.string(), nullable=False),  # buyer_items | unit_items | related_items | sku_suppliers
    pa.field("business_unit", pa.string()),  # buyer_items, unit_items, sku_suppliers
    pa.field("buyer_user_id", pa.int64()),  # buyer_items: the platform user
    pa.field("sku_id", pa.int64(), nullable=False),  # the recommended SKU, or the subject SKU
    pa.field("rank", pa.int32(), nullable=False),
    pa.field("related_sku_id", pa.int64()),  # related_items
    pa.field("supplier_id", pa.string()),  # the offer's supplier (buyer/unit items: preferred)
    pa.field("offer_id", pa.int64()),
    pa.field("score", pa.float64(), nullable=False),
    pa.field("reason_kind", pa.string(), nullable=False),
    pa.field("reason", pa.string(), nullable=False),
    pa.field("model_version", pa.string(), nullable=False),
    pa.field("history_through", pa.date32()),
])

#: row order of each table (its key), so the content hash is deterministic.
ORDER = {
    "ml_recommendations": ["business_unit_code", "buyer_id", "rank"],
    "ml_related_items": ["sku", "rank"],
    "ml_supplier_recommendations": ["business_unit_code", "sku", "rank"],
    "reco_decision_snapshot": ["section", "business_unit", "buyer_user_id", "sku_id", "rank"],
}
