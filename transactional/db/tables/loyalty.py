"""The loyalty tables: points (rules, accounts, earned lots, movements) and group-buying deals.

Invariants the database enforces:

* ``points_accounts.balance >= 0`` (``CHECK``): whatever the concurrency, a customer never
  owes points; spending is one conditional update (``… WHERE balance >= :n``).
* ``points_lots.remaining`` stays within ``0 .. points`` (``CHECK``): a lot is never spent
  twice; the balance is the sum of the remaining points of the account's lots.
* one movement per (kind, order, reference) (unique): an order earns once, redeems once, is
  reversed once per cause.
* ``group_buy_deals``: the joined quantity / participants never exceed the target
  (``CHECK``); one participation per deal and buyer (unique).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from transactional.db.tables.base import Id, metadata
from transactional.db.types import JSONDocument, MoneyType, UtcDateTime

points_rules = Table(
    "points_rules", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("points_per_unit", MoneyType(), nullable=False),  # points per 1 currency unit paid
    Column("rounding", String(8), nullable=False),  # down | half_up
    Column("multipliers", JSONDocument, nullable=False),  # {segment: multiplier}
    Column("point_value", MoneyType(), nullable=False),  # currency per point redeemed
    Column("expiry_months", Integer(), nullable=False),
    Column("max_redeem_percent", MoneyType(), nullable=False),  # of the order's total
    Column("note", String(500)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", Id, nullable=False),
    CheckConstraint("rounding IN ('down', 'half_up')", name="rounding"),
    CheckConstraint("expiry_months > 0", name="positive"),  # amounts: checked in parse_rule
    Index("uq_points_rules_business_unit_version", "business_unit", "version", unique=True),
)

points_accounts = Table(
    "points_accounts", metadata,
    Column("dealer_account_id", Id, ForeignKey("dealer_accounts.id"), primary_key=True),
    Column("business_unit", String(32), nullable=False),
    Column("balance", Integer(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint("balance >= 0", name="balance_not_negative"),
)

points_lots = Table(
    "points_lots", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dealer_account_id", Id, ForeignKey("dealer_accounts.id"), nullable=False),
    Column("business_unit", String(32), nullable=False),
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False),
    Column("rule_version", Integer(), nullable=False),
    Column("points", Integer(), nullable=False),
    Column("remaining", Integer(), nullable=False),
    Column("point_value", MoneyType(), nullable=False),  # the liability per point
    Column("currency", String(3), nullable=False),
    Column("earned_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    CheckConstraint("remaining >= 0 AND remaining <= points", name="remaining_within_points"),
    Index("uq_points_lots_order_id", "order_id", unique=True),
    Index("ix_points_lots_dealer_expires", "dealer_account_id", "expires_at"),
)

points_movements = Table(
    "points_movements", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dealer_account_id", Id, ForeignKey("dealer_accounts.id"), nullable=False),
    Column("business_unit", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("points", Integer(), nullable=False),  # signed: + earned/restored, - spent/expired
    Column("amount", MoneyType(), nullable=False),  # money value (redemption: the discount)
    Column("currency", String(3), nullable=False),
    Column("order_id", Id, ForeignKey("orders.id")),
    Column("lot_id", Id, ForeignKey("points_lots.id")),
    Column("reference", String(64), nullable=False),  # '' | cancel | refund:<id> | expiry
    Column("detail", JSONDocument, nullable=False),  # lots consumed {lot id: points}, shortfall …
    Column("journal_entry_id", Id),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint("kind IN ('earn', 'redeem', 'expire', 'reverse_earn', 'reverse_redeem')",
                    name="kind"),
    Index("uq_points_movements_kind_order_reference", "kind", "order_id", "reference", unique=True),
    Index("ix_points_movements_dealer_account_id", "dealer_account_id"),
)

group_buy_deals = Table(
    "group_buy_deals", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("offer_id", Id, ForeignKey("offers.id"), nullable=False),
    Column("sku_id", Id, nullable=False),
    Column("supplier_id", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("group_price", MoneyType(), nullable=False),
    Column("target_kind", String(16), nullable=False),  # quantity | participants
    Column("target", Integer(), nullable=False),
    Column("max_per_buyer", Integer(), nullable=False),
    Column("joined_quantity", Integer(), nullable=False),
    Column("joined_count", Integer(), nullable=False),
    Column("deadline", UtcDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", Id, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("settled_at", UtcDateTime()),
    CheckConstraint("status IN ('open', 'filled', 'completed', 'releasing', 'failed')", name="status"),
    CheckConstraint("target_kind IN ('quantity', 'participants')", name="target_kind"),
    CheckConstraint("target > 0 AND max_per_buyer > 0", name="positive"),
    CheckConstraint("joined_quantity >= 0 AND joined_count >= 0 AND "
                    "(target_kind <> 'quantity' OR joined_quantity <= target) AND "
                    "(target_kind <> 'participants' OR joined_count <= target)", name="within_target"),
    Index("ix_group_buy_deals_status_deadline", "status", "deadline"),
)

group_buy_participants = Table(
    "group_buy_participants", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("deal_id", Id, ForeignKey("group_buy_deals.id"), nullable=False),
    Column("buyer_user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("business_unit", String(32), nullable=False),
    Column("quantity", Integer(), nullable=False),
    Column("status", String(16), nullable=False),  # reserved | ordered | released
    Column("order_id", Id, ForeignKey("orders.id")),
    Column("note", String(300)),
    Column("joined_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint("status IN ('reserved', 'ordered', 'released')", name="status"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    Index("uq_group_buy_participants_deal_buyer", "deal_id", "buyer_user_id", unique=True),
)

group_buy_holds = Table(
    "group_buy_holds", metadata,
    Column("participant_id", Id, ForeignKey("group_buy_participants.id"), primary_key=True),
    Column("warehouse_id", Id, ForeignKey("warehouses.id"), primary_key=True),
    Column("sku_id", Id, primary_key=True),
    Column("quantity", Integer(), nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)
