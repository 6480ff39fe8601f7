"""Evaluation feedback: the buyer's rating of a delivered order (``transactional/feedback``).

* ``order_ratings``: at most one per order (the order id is the key), given by the buyer who
  placed it after delivery: delivery, quality and service scores 1-5 (the database refuses
  anything else, ``CHECK``) and an optional comment; ``version`` counts the changes (1 when
  given), each allowed until ``editable_until``. Supplier and unit are copied from the order
  so the supplier's aggregate reads one table (``ix_order_ratings_supplier_id_business_unit``).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
)

from transactional.db.tables.base import Id, metadata
from transactional.db.types import UtcDateTime

#: The longest comment kept (characters).
COMMENT_MAX_CHARS = 1000

order_ratings = Table(
    "order_ratings", metadata,
    Column("order_id", Id, ForeignKey("orders.id"), primary_key=True),
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), nullable=False),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False),
    Column("buyer_user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("delivery_score", SmallInteger(), nullable=False),
    Column("quality_score", SmallInteger(), nullable=False),
    Column("service_score", SmallInteger(), nullable=False),
    Column("comment", String(COMMENT_MAX_CHARS)),
    Column("version", Integer(), nullable=False),
    Column("rated_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("editable_until", UtcDateTime(), nullable=False),
    CheckConstraint("delivery_score between 1 and 5", name="delivery_score_range"),
    CheckConstraint("quality_score between 1 and 5", name="quality_score_range"),
    CheckConstraint("service_score between 1 and 5", name="service_score_range"),
    CheckConstraint("version >= 1", name="version_positive"),
    Index("ix_order_ratings_supplier_id_business_unit", "supplier_id", "business_unit"),
)
