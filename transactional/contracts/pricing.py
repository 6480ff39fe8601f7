"""The contract prices the catalogue shows a business unit next to each offer.

For every offer (supplier, SKU) the caller's unit sees the lines of the signed contracts in
force today that cover its unit: contract id, agreed tiers, remaining quantity and end of
validity. Ordering at that price is a call-off (``POST /orders`` with ``contract_id``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from transactional.contracts.queries import SIGNED
from transactional.core.jsonable import jsonable
from transactional.db.tables.contracts import contract_lines, contract_units, contracts


def contract_prices(session: Session, business_unit: str | None,
                    pairs: Iterable[tuple[str, int]], today: dt.date
                    ) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """Contract terms in force for ``business_unit``, per ``(supplier_id, sku_id)`` asked.

    Returns:
        ``{(supplier, sku): [{contract_id, contract_line_id, currency, price_tiers,
        remaining_quantity, valid_to}]}`` (pairs without a contract are absent); nothing for
        a caller without a unit.
    """
    wanted = set(pairs)
    if not business_unit or not wanted:
        return {}
    rows = session.execute(
        select(contracts.c.id, contracts.c.supplier_id, contracts.c.currency, contracts.c.valid_to,
               contract_lines.c.id.label("line_id"), contract_lines.c.sku_id,
               contract_lines.c.price_tiers, contract_lines.c.remaining_quantity)
        .join(contract_lines, contract_lines.c.contract_id == contracts.c.id)
        .join(contract_units, contract_units.c.contract_id == contracts.c.id)
        .where(contract_units.c.business_unit == business_unit, contracts.c.status == SIGNED,
               contracts.c.valid_from <= today, contracts.c.valid_to >= today,
               contract_lines.c.sku_id.in_(sorted({s for _, s in wanted})),
               contracts.c.supplier_id.in_(sorted({p for p, _ in wanted})))
        .order_by(contracts.c.id, contract_lines.c.id)).all()
    found: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in rows:
        if (r.supplier_id, r.sku_id) in wanted:
            found.setdefault((r.supplier_id, r.sku_id), []).append(jsonable({
                "contract_id": r.id, "contract_line_id": r.line_id, "currency": r.currency,
                "price_tiers": r.price_tiers, "remaining_quantity": r.remaining_quantity,
                "valid_to": r.valid_to}))
    return found


def mark_contract_prices(session: Session, offers: list[dict[str, Any]],
                         business_unit: str | None, today: dt.date) -> None:
    """Set ``contract_prices`` on offer dicts (with ``supplier_id``, ``sku_id``): the contract
    terms in force for the caller's unit (an empty list when none)."""
    found = contract_prices(session, business_unit,
                            [(o["supplier_id"], o["sku_id"]) for o in offers], today)
    for offer in offers:
        offer["contract_prices"] = found.get((offer["supplier_id"], offer["sku_id"]), [])
