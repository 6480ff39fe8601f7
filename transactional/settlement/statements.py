"""Reading supplier statements, and the ``payable.exported`` payload the ERP imports.

Visibility: finance, procurement and admins of the statement's business unit (group admins:
all); a supplier its own statements. Everyone else: 403 for the role, 404 for the id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.accounting import ledger
from transactional.core.jsonable import jsonable
from transactional.core.paging import fetch_page
from transactional.db.tables.settlement import statement_lines, statements
from transactional.domain.principal import Principal, Role, not_found

READERS = (Role.FINANCE, Role.PROCUREMENT, Role.ADMIN, Role.SUPPLIER)
HEADER = ("id", "business_unit", "supplier_id", "kind", "corrects_statement_id",
          "period_start", "period_end", "currency", "gross_amount", "promotion_amount",
          "refund_amount", "rebate_amount", "adjustment_amount", "net_amount", "line_count",
          "due_date", "journal_entry_id", "issued_at", "issued_by")
LINE = ("line_no", "line_type", "order_id", "reference_type", "reference_id", "event_date",
        "description", "source_amount", "source_currency", "fx_rate", "fx_rate_date",
        "fx_source", "amount")


def _visible(actor: Principal, row: Any) -> bool:
    if actor.role is Role.SUPPLIER:
        return row.supplier_id == actor.supplier_id
    return actor.role in READERS and actor.can_see_business_unit(row.business_unit)


def load_statement(session: Session, statement_id: int, *, actor: Principal | None = None) -> Any:
    """A ``statements`` row (checked against ``actor``'s scope when given)."""
    if actor is not None:
        actor.require(*READERS)
    row = session.execute(select(statements).where(statements.c.id == statement_id)).first()
    if row is None or (actor is not None and not _visible(actor, row)):
        raise not_found("statement", statement_id)
    return row


def lines_of(session: Session, statement_id: int) -> list[dict[str, Any]]:
    """A statement's lines, in order."""
    rows = session.execute(select(statement_lines).where(
        statement_lines.c.statement_id == statement_id).order_by(statement_lines.c.line_no))
    return [{k: r._mapping[k] for k in LINE} for r in rows]


def statement_json(session: Session, row: Any, *, with_journal: bool = True) -> dict[str, Any]:
    """JSON-ready statement with its lines (and its journal entry's lines)."""
    body = {k: row._mapping[k] for k in HEADER}
    body["lines"] = lines_of(session, row.id)
    if with_journal:
        body["journal"] = ledger.entry_lines(session, row.journal_entry_id)
    return jsonable(body)


def get_statement(session: Session, actor: Principal, statement_id: int) -> dict[str, Any]:
    """One statement visible to ``actor``."""
    return statement_json(session, load_statement(session, statement_id, actor=actor))


def list_statements(session: Session, actor: Principal, page: PageRequest, *,
                    supplier_id: str | None = None, period_start: dt.date | None = None
                    ) -> Page[dict[str, Any]]:
    """Statements visible to ``actor``, newest first (headers only)."""
    actor.require(*READERS)
    query = select(statements).order_by(statements.c.id.desc())
    if actor.role is Role.SUPPLIER:
        query = query.where(statements.c.supplier_id == actor.supplier_id)
    elif not actor.is_group_admin:
        query = query.where(statements.c.business_unit == actor.business_unit)
    if supplier_id:
        query = query.where(statements.c.supplier_id == supplier_id)
    if period_start:
        query = query.where(statements.c.period_start == period_start)
    rows, total = fetch_page(session, query, page)
    return Page.of([jsonable({k: r._mapping[k] for k in HEADER}) for r in rows], total, page)


def payable_payload(session: Session, row: Any, supplier: Any) -> dict[str, Any]:
    """The ``payable.exported`` event: what the unit's ERP needs to book and pay it.

    Example shape::

        {"statement_id": 7, "kind": "regular", "corrects_statement_id": null,
         "business_unit": "COAL", "supplier": {"supplier_id", "name", "uscc", "bank_name",
         "bank_account"}, "period_start": "2026-11-01", "period_end": "2026-12-01",
         "currency": "CNY", "gross_amount": "…", "promotion_amount": "…",
         "refund_amount": "…", "rebate_amount": "…", "adjustment_amount": "…",
         "net_amount": "…", "due_date": "2026-12-31", "issued_at": "…Z",
         "journal_entry_id": 93, "lines": [{line_no, line_type, order_id, reference_type,
         reference_id, event_date, source_amount, source_currency, fx_rate, fx_rate_date,
         fx_source, amount}, …]}
    """
    header = {k: row._mapping[k] for k in HEADER if k not in ("id", "supplier_id", "issued_by",
                                                              "line_count")}
    return jsonable({
        "statement_id": row.id, **header,
        "supplier": {"supplier_id": supplier.id, "name": supplier.name,
                     "uscc": supplier.credit_code, "bank_name": supplier.bank_name,
                     "bank_account": supplier.bank_account_enc or supplier.bank_account},
        "line_count": row.line_count,
        "lines": [{k: v for k, v in line.items() if k != "description"}
                  for line in lines_of(session, row.id)],
    })
