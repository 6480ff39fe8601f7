"""The transactional database's tables (SQLAlchemy Core), one module per bounded context.

Importing any of them loads them all, so the shared ``metadata`` (``base.py``) always holds
the whole schema: foreign keys name their targets by string and resolve across modules.
Invariants the database itself enforces, whatever the code does, are listed in each module.
"""

from transactional.db.tables import (  # noqa: F401
    accounting,
    benefits,
    catalogue,
    contracts,
    core,
    decisions,
    feedback,
    identity,
    loyalty,
    onboarding,
    ordering,
    planning,
    rebates,
    recommend,
    risk,
    settlement,
    supply,
    tendering,
)
