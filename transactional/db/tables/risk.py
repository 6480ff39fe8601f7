"""The risk guard's tables: the lake's history profiles, and each order's risk verdict.

* ``risk_profiles``: the compact per-buyer / per-supplier / per-SKU history the lake
  publishes as the ``risk_profiles`` decision snapshot and applies through the inbound door
  (``transactional/risk/inbound.py``); one row per ``subject`` (``sku:<id>``,
  ``supplier:<id>``, ``bu_sku:<unit>:<sku id>``, ``bu_supplier:<unit>:<supplier id>``), the
  snapshot version on every row. Replaced whole by each version.
* ``order_risk``: the verdict of each order scored at placement (score, level, decision,
  model version, reasons) and, for an order held for review, the review's outcome
  (``cleared`` / ``confirmed_fraud``), who decided and when.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table

from transactional.db.tables.base import Id, metadata
from transactional.db.types import JSONDocument, MoneyType, UtcDateTime

risk_profiles = Table(
    "risk_profiles", metadata,
    Column("subject", String(160), primary_key=True),
    Column("scope", String(16), nullable=False),  # sku | supplier | bu_sku | bu_supplier
    Column("business_unit", String(32)),
    Column("supplier_id", String(64)),
    Column("sku_id", Id),
    Column("currency", String(3)),
    Column("order_count", Integer(), nullable=False),
    Column("quantity_median", Float()),
    Column("quantity_p95", Float()),
    Column("unit_price_median", MoneyType()),
    Column("amount_median", MoneyType()),
    Column("amount_p95", MoneyType()),
    Column("first_order_at", UtcDateTime()),
    Column("last_order_at", UtcDateTime()),
    Column("snapshot_version", String(64), nullable=False),
)

order_risk = Table(
    "order_risk", metadata,
    Column("order_id", Id, ForeignKey("orders.id"), primary_key=True),
    Column("score", Float(), nullable=False),
    Column("level", String(8), nullable=False),  # low | medium | high
    Column("decision", String(8), nullable=False),  # allow | review | block
    Column("model_version", String(64), nullable=False),  # "rules" or <model>@<version>
    Column("profile_version", String(64)),  # the risk_profiles snapshot in force, if any
    Column("reasons", JSONDocument, nullable=False),  # [{code, text}]
    Column("scored_at", UtcDateTime(), nullable=False),
    Column("review_outcome", String(16)),  # cleared | confirmed_fraud
    Column("reviewed_by", Id),
    Column("reviewed_at", UtcDateTime()),
    Column("review_reason", String(500)),
    Index("ix_order_risk_decision_outcome", "decision", "review_outcome"),
)
