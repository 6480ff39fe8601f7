"""The double-entry ledger: accounts created on first use, balanced journal entries.

:func:`post` writes one journal entry and its lines in the caller's transaction after
checking that it balances per currency (:func:`transactional.domain.ledger.check_balanced`).
Entries and lines are append-only in the database (triggers): a mistake is corrected by a
new entry, never by editing one. Which business event posts what is in
:mod:`transactional.accounting.postings`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from transactional.db.tables.accounting import journal_entries, journal_lines, ledger_accounts
from transactional.db.types import utcnow
from transactional.domain.ledger import Posting, check_balanced
from transactional.domain.money import to_decimal
from transactional.domain.principal import Principal

_ACCOUNT_CACHE = "grouplake_ledger_accounts"
_INSERT_IGNORE = {
    "sqlite": sqlite.insert(ledger_accounts).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(ledger_accounts).on_conflict_do_nothing(),
}


def account_ids(session: Session, codes: dict[str, str]) -> dict[str, int]:
    """Ids of accounts by code (``code -> currency``), creating the missing ones."""
    cache: dict[str, int] = session.info.setdefault(_ACCOUNT_CACHE, {})
    missing = sorted(c for c in codes if c not in cache)
    if missing:
        found = dict(session.execute(select(ledger_accounts.c.code, ledger_accounts.c.id)
                                     .where(ledger_accounts.c.code.in_(missing))).all())
        absent = [c for c in missing if c not in found]
        if absent:
            statement = _INSERT_IGNORE.get(session.connection().dialect.name,
                                           insert(ledger_accounts))
            now = utcnow()
            session.execute(statement, [{"code": c, "currency": codes[c], "created_at": now}
                                        for c in absent])
            found.update(session.execute(select(ledger_accounts.c.code, ledger_accounts.c.id)
                                         .where(ledger_accounts.c.code.in_(absent))).all())
        cache.update(found)
    return {c: cache[c] for c in codes}


def post(
    session: Session, actor: Principal, entry_type: str, reference_type: str,
    reference_id: str | int, postings: Sequence[Posting], *, business_unit: str | None = None,
    supplier_id: str | None = None, description: str | None = None,
) -> int:
    """Write a balanced journal entry; returns its id.

    Args:
        entry_type: e.g. ``"payment"``, ``"refund"``, ``"delivery"``, ``"statement"``.
        reference_type, reference_id: what caused it (``"order"``, ``42``).
        postings: debit/credit lines (zero lines are dropped).

    Raises:
        ValueError: the entry does not balance per currency (a programming error: nothing
            is written and the transaction fails).
    """
    lines = check_balanced(postings)
    entry_id = session.execute(insert(journal_entries).values(
        entry_type=entry_type, reference_type=reference_type, reference_id=str(reference_id),
        business_unit=business_unit, supplier_id=supplier_id,
        description=(description or None) and description[:500], posted_at=utcnow(),
        posted_by=actor.user_id,
    ).returning(journal_entries.c.id)).scalar_one()
    ids = account_ids(session, {p.account: p.currency for p in lines})
    if lines:
        session.execute(insert(journal_lines), [
            {"entry_id": entry_id, "account_id": ids[p.account], "currency": p.currency,
             "debit": p.debit, "credit": p.credit} for p in lines])
    return int(entry_id)


def balances(session: Session, prefix: str | None = None) -> dict[str, Decimal]:
    """Balance (Σ debit − Σ credit) per account code, optionally for codes with ``prefix``.

    Sums in Python: on SQLite amounts are exact decimal strings that SQL would add as
    floats.
    """
    query = (select(ledger_accounts.c.code, journal_lines.c.debit, journal_lines.c.credit)
             .join(journal_lines, journal_lines.c.account_id == ledger_accounts.c.id))
    if prefix:
        query = query.where(ledger_accounts.c.code.startswith(prefix))
    totals: dict[str, Decimal] = {}
    for code, debit_amount, credit_amount in session.execute(query):
        totals[code] = totals.get(code, Decimal(0)) + debit_amount - credit_amount
    return {k: to_decimal(v) for k, v in sorted(totals.items())}


def entry_lines(session: Session, entry_id: int) -> list[dict[str, Any]]:
    """The lines of one entry with their account codes."""
    rows = session.execute(
        select(ledger_accounts.c.code, journal_lines.c.currency, journal_lines.c.debit,
               journal_lines.c.credit)
        .join(ledger_accounts, ledger_accounts.c.id == journal_lines.c.account_id)
        .where(journal_lines.c.entry_id == entry_id).order_by(journal_lines.c.id))
    return [{"account": r.code, "currency": r.currency, "debit": r.debit, "credit": r.credit}
            for r in rows]


def entry_count(session: Session, entry_type: str, reference_type: str,
                reference_id: str | int) -> int:
    """How many entries of a type reference an object (used by invariant checks)."""
    return int(session.execute(select(func.count()).select_from(journal_entries).where(
        journal_entries.c.entry_type == entry_type,
        journal_entries.c.reference_type == reference_type,
        journal_entries.c.reference_id == str(reference_id))).scalar_one())
