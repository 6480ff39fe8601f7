"""An approved sourcing award becomes framework contracts: one per awarded supplier.

``contracts_from_award`` reads the award back (``awards.approved_award_lines``), groups it by
supplier and draws up one contract each through ``contracts.authoring.create_contract``:
the supplier's own all-units bid tiers as the agreed prices, the awarded quantity as the
committed quantity, the event's business unit as the unit that calls off, the bid's currency,
and ``source = ("sourcing_award", <award id>)``. The contracts start unsigned: the supplier
signs and a second person approves each one, as for any contract.

Refused, nothing written: free-text lines (a contract line needs a catalogue SKU — add the
SKU and run a new event), fractional awarded quantities, a window that starts before today,
and an award that already has contracts (409 ``contracts_exist``, with their ids).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from transactional.contracts.authoring import ContractLineSpec, ContractSource, create_contract
from transactional.core.policy import Action, authorize
from transactional.db.tables.contracts import contracts
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.pricing import PriceTier
from transactional.domain.principal import Principal
from transactional.tendering.awards import AwardedLine, approved_award_lines
from transactional.tendering.events import visible_event

SOURCE_TYPE = "sourcing_award"


def _whole(quantity: Decimal, line: AwardedLine) -> int:
    if quantity != quantity.to_integral_value():
        raise ValidationFailedError(
            f"line {line.line_no} of {line.supplier_id} is awarded {quantity} units: a contract "
            "commits whole units", code="fractional_quantity")
    return int(quantity)


def _spec(line: AwardedLine) -> ContractLineSpec:
    tiers = tuple(PriceTier(_whole(q, line) if q > 0 else 1, price) for q, price in line.tiers)
    return ContractLineSpec(sku_id=int(line.sku_id), committed_quantity=_whole(line.quantity, line),
                            tiers=tiers)


def contracts_from_award(session: Session, actor: Principal, event_id: int, *,
                         valid_from: dt.date, valid_to: dt.date,
                         today: dt.date | None = None) -> list[dict[str, Any]]:
    """Draw up one framework contract per supplier of ``event_id``'s approved award.

    Args:
        actor: procurement or an admin whose scope holds the event's unit (the contracts'
            maker: someone else approves them).
        valid_from, valid_to: the contracts' call-off window (inclusive UTC dates).

    Returns:
        The contracts' snapshots, by supplier id.

    Raises:
        NotFoundError: no such event in scope, or no award.
        ConflictError: ``award_not_approved``, ``contracts_exist``.
        ValidationFailedError: ``free_text_line``, ``fractional_quantity``, a bad window.
        ForbiddenError: the role may not draw up contracts.
    """
    authorize(actor, Action.CONTRACT_CREATE)
    visible_event(session, actor, event_id, for_update=True)
    lines = approved_award_lines(session, event_id)
    today = today or dt.datetime.now(dt.UTC).date()
    if valid_from < today:
        raise ValidationFailedError(f"valid_from {valid_from} is in the past", code="invalid_window")
    award_id = str(lines[0].award_id) if lines else None
    existing = session.execute(select(contracts.c.id).where(
        contracts.c.source_type == SOURCE_TYPE, contracts.c.source_ref == award_id)).scalars().all()
    if existing:
        raise ConflictError(f"the award of event {event_id} already has contracts {sorted(existing)}",
                            code="contracts_exist", details={"contract_ids": sorted(existing)})
    free_text = [x.line_no for x in lines if x.sku_id is None]
    if free_text:
        raise ValidationFailedError(
            f"line(s) {sorted(set(free_text))} are free-text items: a contract line needs a catalogue SKU",
            code="free_text_line")
    by_supplier: dict[str, list[AwardedLine]] = defaultdict(list)
    for line in lines:
        by_supplier[line.supplier_id].append(line)
    made = []
    for supplier_id, own in sorted(by_supplier.items()):
        currencies = {x.currency for x in own}
        if len(currencies) != 1:  # one bid per supplier: cannot happen, but never mix silently
            raise ConflictError(f"{supplier_id}'s awarded lines are in {sorted(currencies)}",
                                code="mixed_currencies")
        made.append(create_contract(
            session, supplier_id=supplier_id, lines=[_spec(x) for x in own],
            valid_from=valid_from, valid_to=valid_to, units=[own[0].business_unit],
            created_by=actor, source=ContractSource(SOURCE_TYPE, award_id),
            currency=currencies.pop(), title=f"Sourcing event {event_id}: framework contract"))
    return made
