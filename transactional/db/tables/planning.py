"""The sourcing plans (#16): a requisition of a business unit solved by the exact optimiser.

* ``sourcing_plans``: one row per ``POST /sourcing/plans``: the requisition, the optimiser's
  input built from the live offers (with a SHA-256 ``input_hash`` of it and the offer
  versions it was built from), the plan (status, total in the group currency, allocations,
  explanation) and, once accepted, who accepted it and the orders it became.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table

from transactional.db.tables.base import Id, metadata
from transactional.db.types import JSONDocument, MoneyType, UtcDateTime

sourcing_plans = Table(
    "sourcing_plans", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False),
    Column("status", String(16), nullable=False),  # optimal | infeasible | time_limit | accepted
    Column("total", MoneyType()),  # group currency; None unless a plan was found
    Column("currency", String(3), nullable=False),
    Column("requisition", JSONDocument, nullable=False),  # lines, ship-to, caps as posted
    Column("input", JSONDocument, nullable=False),  # the optimiser's input and its sources
    Column("input_hash", String(64), nullable=False),
    Column("result", JSONDocument, nullable=False),  # allocations, explanation, exclusions
    Column("created_by", Id, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("accepted_by", Id),
    Column("accepted_at", UtcDateTime()),
    Column("order_ids", JSONDocument),
    CheckConstraint("status IN ('optimal', 'infeasible', 'time_limit', 'accepted')",
                    name="status_known"),
    Index("ix_sourcing_plans_unit_created", "business_unit", "created_at"),
    sqlite_autoincrement=True,
)
