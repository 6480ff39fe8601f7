"""The ordering tables: orders, lines, stock allocations, approvals, applied promotions,
payment intents, provider events and refunds.

An order line has a positive quantity (``CHECK``); ``payment_events`` is append-only
(triggers, migration 0002).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
)

from transactional.db.tables.base import Id, conversion_columns, metadata
from transactional.db.types import MoneyType, UtcDateTime

orders = Table(
    "orders", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False),
    Column("buyer_user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), nullable=False, index=True),
    Column("status", String(24), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("total_amount", MoneyType(), nullable=False),  # payable: gross - discount
    Column("gross_amount", MoneyType(), nullable=False, server_default="0.0000"),
    Column("discount_amount", MoneyType(), nullable=False, server_default="0.0000"),
    Column("ship_to_address", String(500)),
    Column("ship_to_latitude", Float()),
    Column("ship_to_longitude", Float()),
    Column("note", String(1000)),
    Column("placed_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("paid_at", UtcDateTime()),
    Column("shipped_at", UtcDateTime()),
    Column("delivered_at", UtcDateTime()),
    Column("cancelled_at", UtcDateTime()),
    Column("approved_at", UtcDateTime()),
    Column("rejected_at", UtcDateTime()),
    Column("expired_at", UtcDateTime()),
    Column("settled_at", UtcDateTime()),
    Column("statement_id", Id),  # the supplier statement that settled it
    Index("ix_orders_bu_placed", "business_unit", "placed_at"),
    Index("ix_orders_supplier_status", "supplier_id", "status"),
    # the risk guard's per-order look-backs (ordering/screening.py): a buyer's orders since a
    # time (velocity), and to one supplier within the split window
    Index("ix_orders_buyer_placed", "buyer_user_id", "placed_at"),
    # ... and the buyer's latest orders to one supplier (the split look-back reads at most
    # SPLIT_ROWS index entries, newest first, instead of every order of the buyer's window)
    Index("ix_orders_buyer_supplier_placed", "buyer_user_id", "supplier_id", "placed_at"),
)

order_lines = Table(
    "order_lines", metadata,
    Column("order_id", Id, ForeignKey("orders.id"), primary_key=True),
    Column("line_no", Integer(), primary_key=True),
    Column("offer_id", Id, ForeignKey("offers.id"), nullable=False),
    Column("offer_version", Integer(), nullable=False),
    Column("sku_id", Id, ForeignKey("skus.id"), nullable=False, index=True),
    Column("quantity", Integer(), nullable=False),
    Column("unit_price", MoneyType(), nullable=False),
    Column("line_amount", MoneyType(), nullable=False),  # gross: quantity x unit price
    Column("currency", String(3), nullable=False),
    Column("discount_amount", MoneyType(), nullable=False, server_default="0.0000"),
    Column("net_amount", MoneyType(), nullable=False, server_default="0.0000"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)

order_allocations = Table(
    "order_allocations", metadata,
    Column("order_id", Id, primary_key=True),
    Column("line_no", Integer(), primary_key=True),
    Column("warehouse_id", Id, ForeignKey("warehouses.id"), primary_key=True),
    Column("sku_id", Id, nullable=False),
    Column("quantity", Integer(), nullable=False),
    Column("distance_km", Float(), nullable=False),
    Column("unit_shipping_cost", MoneyType(), nullable=False),
    Column("shipping_currency", String(3), nullable=False),
    ForeignKeyConstraint(
        ["order_id", "line_no"], ["order_lines.order_id", "order_lines.line_no"],
        name="fk_order_allocations_line",
    ),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)

approval_limits = Table(
    "approval_limits", metadata,
    Column("business_unit", String(32), ForeignKey("business_units.code"), primary_key=True),
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("updated_by", Id, nullable=False),
)

#: Requested changes of a unit's approval limit: a second person of another role confirms
#: (or rejects) each before it applies (``ordering/limit_changes.py``).
approval_limit_changes = Table(
    "approval_limit_changes", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False),
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),  # pending|confirmed|rejected|superseded
    Column("requested_by", Id, nullable=False),
    Column("requested_role", String(16), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("decided_by", Id),
    Column("decided_role", String(16)),
    Column("decided_at", UtcDateTime()),
    Column("reason", String(500)),
    Index("ix_approval_limit_changes_bu_status", "business_unit", "status"),
)

order_approvals = Table(
    "order_approvals", metadata,
    Column("order_id", Id, ForeignKey("orders.id"), primary_key=True),
    Column("status", String(16), nullable=False),  # pending | approved | rejected | expired
    Column("order_amount", MoneyType(), nullable=False),
    Column("order_currency", String(3), nullable=False),
    Column("limit_amount", MoneyType(), nullable=False),
    Column("limit_currency", String(3), nullable=False),
    Column("converted_amount", MoneyType()),  # order amount in the limit's currency
    *conversion_columns(),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("decided_at", UtcDateTime()),
    Column("decided_by", Id),
    Column("reason", String(500)),
    Index("ix_order_approvals_status_expires", "status", "expires_at"),
)

order_line_promotions = Table(
    "order_line_promotions", metadata,
    Column("order_id", Id, primary_key=True),
    Column("line_no", Integer(), primary_key=True),
    Column("sequence", Integer(), primary_key=True),
    Column("promotion_id", Id, ForeignKey("promotions.id"), nullable=False),
    Column("promotion_version", Integer(), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
)

payment_intents = Table(
    "payment_intents", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False, unique=True),
    Column("provider", String(32), nullable=False),
    Column("provider_reference", String(64), nullable=False, unique=True),
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),  # requires_payment | succeeded | failed | canceled
    Column("captured_amount", MoneyType(), nullable=False),
    Column("refunded_amount", MoneyType(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("succeeded_at", UtcDateTime()),
)

payment_events = Table(
    "payment_events", metadata,
    Column("provider_event_id", String(128), primary_key=True),
    Column("payment_intent_id", Id, ForeignKey("payment_intents.id"), nullable=False),
    Column("event_type", String(32), nullable=False),
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("body_sha256", String(64), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)

refunds = Table(
    "refunds", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False, index=True),
    Column("payment_intent_id", Id, ForeignKey("payment_intents.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # refund | cancellation | late_payment
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", String(500)),
    Column("business_unit", String(32), nullable=False),
    Column("supplier_id", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("actor_user_id", Id, nullable=False),
    Column("journal_entry_id", Id, nullable=False),
    Column("statement_id", Id),  # set when a supplier statement recovers it
    Index("ix_refunds_supplier_open", "supplier_id", "statement_id"),
)
