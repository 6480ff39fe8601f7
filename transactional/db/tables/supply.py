"""The supply loop's tables: what the lake's decisions did to suppliers and stock.

* ``supplier_suspensions``: the suppliers on the elimination list in force (one row each,
  the snapshot version on every row); a supplier a later version drops loses its row.
* ``supplier_overrides``: procurement's exemption of one supplier from enforcement for its
  business unit (a group admin's: group-wide), with a reason and an expiry, confirmed by a
  different user (maker ≠ checker, ``CHECK``).
* ``stock_observations``: the last applied count per warehouse × SKU (its id and
  ``observed_at``): an older or repeated observation changes nothing.
* ``stock_discrepancies``: a count below what open orders reserve, with those orders.
* ``supplier_scores``: the served scorecard summary per supplier (score, category rank,
  badge) that offers show and sort by.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Float, ForeignKey, Index, Integer, String, Table

from transactional.db.tables.base import Id, metadata
from transactional.db.types import JSONDocument, UtcDateTime

supplier_suspensions = Table(
    "supplier_suspensions", metadata,
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), primary_key=True),
    Column("reason", String(1000), nullable=False),
    Column("weakest_metrics", String(1000)),
    Column("scorecard_month", String(10)),  # YYYY-MM-DD, the scorecard the list came from
    Column("supplier_key", String(64)),  # the lake's golden supplier
    Column("snapshot_version", String(64), nullable=False),
    Column("since", UtcDateTime(), nullable=False),  # first applied version listing it
    Column("updated_at", UtcDateTime(), nullable=False),
)

supplier_overrides = Table(
    "supplier_overrides", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), nullable=False),
    Column("business_unit", String(32), ForeignKey("business_units.code")),  # None: group-wide
    Column("reason", String(1000), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("requested_by", Id, nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("confirmed_by", Id),
    Column("confirmed_at", UtcDateTime()),
    Column("revoked_by", Id),
    Column("revoked_at", UtcDateTime()),
    CheckConstraint("confirmed_by IS NULL OR confirmed_by <> requested_by", name="maker_checker"),
    Index("ix_supplier_overrides_supplier_expires", "supplier_id", "expires_at"),
    sqlite_autoincrement=True,
)

stock_observations = Table(
    "stock_observations", metadata,
    Column("warehouse_id", Id, ForeignKey("warehouses.id"), primary_key=True),
    Column("sku_id", Id, ForeignKey("skus.id"), primary_key=True),
    Column("observation_id", String(128), nullable=False),
    Column("observed_at", UtcDateTime(), nullable=False),
    Column("on_hand", Integer(), nullable=False),
    Column("source", String(200), nullable=False),  # wms snapshot version, iot device …
    Column("applied_at", UtcDateTime(), nullable=False),
    CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
)

stock_discrepancies = Table(
    "stock_discrepancies", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("warehouse_id", Id, ForeignKey("warehouses.id"), nullable=False),
    Column("sku_id", Id, ForeignKey("skus.id"), nullable=False),
    Column("observation_id", String(128), nullable=False),
    Column("observed_at", UtcDateTime(), nullable=False),
    Column("on_hand", Integer(), nullable=False),
    Column("reserved", Integer(), nullable=False),
    Column("shortfall", Integer(), nullable=False),  # reserved - on_hand
    Column("order_ids", JSONDocument, nullable=False),  # open orders holding the reservation
    Column("recorded_at", UtcDateTime(), nullable=False),
    CheckConstraint("shortfall > 0", name="shortfall_positive"),
    Index("ix_stock_discrepancies_wh_sku", "warehouse_id", "sku_id"),
    sqlite_autoincrement=True,
)

#: The served supplier scores in force (#24: offers show them and sort by them): one row per
#: platform supplier of the applied ``supplier_scores`` snapshot, replaced whole per version.
supplier_scores = Table(
    "supplier_scores", metadata,
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), primary_key=True),
    Column("overall_score", Float),
    Column("overall_score_low", Float),
    Column("overall_score_high", Float),
    Column("category_name", String(200)),
    Column("category_rank", Integer),
    Column("category_ranked_count", Integer),
    Column("list_status", String(16)),
    Column("badge", String(16)),
    Column("unranked_reason", String(200)),
    Column("scorecard_month", String(10)),  # YYYY-MM-DD
    Column("snapshot_version", String(64), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
