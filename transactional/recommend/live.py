"""The live catalogue the business rules judge recommendations on, read at request time.

The snapshot may be hours old; what a buyer can order is what the service holds *now*:
offers (active or not, with the stock their supplier holds for the SKU), the suppliers'
standing (approval, and the elimination list less the unit's overrides) and the SKUs
themselves. :func:`load_live` reads all of it in **one** statement, built once at import
(expanding ``IN`` parameter, no per-request query construction). Values come back as the
plain types of :mod:`models.ml.recommend.rules`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from models.ml.recommend.rules import OfferState, SupplierState
from transactional.db.tables.catalogue import offers, skus, stock, warehouses
from transactional.db.tables.identity import suppliers
from transactional.db.tables.supply import supplier_overrides, supplier_suspensions
from transactional.db.types import utcnow


@dataclass(frozen=True)
class SkuInfo:
    """What a buyer sees of a SKU next to a recommendation."""

    sku_id: int
    code: str
    name: str
    unit: str


@dataclass
class LiveCatalogue:
    """Offers by SKU, supplier standings (with suspensions) and SKU facts, as held now."""

    offers_by_sku: dict[int, list[OfferState]] = field(default_factory=dict)
    suppliers: dict[str, SupplierState] = field(default_factory=dict)
    supplier_names: dict[str, str] = field(default_factory=dict)
    skus: dict[int, SkuInfo] = field(default_factory=dict)

    def offer(self, sku_id: int, supplier_id: str) -> OfferState | None:
        """The supplier's offer of the SKU (one per supplier and SKU), or None."""
        return next((o for o in self.offers_by_sku.get(sku_id, ()) if o.supplier_id == supplier_id), None)


_AVAILABLE = (
    select(func.coalesce(func.sum(stock.c.available), 0))
    .select_from(stock.join(warehouses, warehouses.c.id == stock.c.warehouse_id))
    .where(stock.c.sku_id == offers.c.sku_id, warehouses.c.supplier_id == offers.c.supplier_id)
    .correlate(offers)
    .scalar_subquery()
    .label("available")
)

# Suspended and not covered by an override in force for the caller's unit (or group-wide):
# the condition of ``standing.enforcement.blocked_suppliers`` / ``active_override_condition``,
# with the unit and the moment as parameters so the statement is built once. Recommendations
# skip such suppliers whether or not ``OLTP__ENFORCE_ELIMINATION`` refuses their orders:
# suggesting a supplier the group is phasing out is never good advice.
_OVERRIDDEN = exists().where(
    supplier_overrides.c.supplier_id == offers.c.supplier_id,
    supplier_overrides.c.confirmed_at.is_not(None), supplier_overrides.c.revoked_at.is_(None),
    supplier_overrides.c.expires_at > bindparam("now"),
    or_(supplier_overrides.c.business_unit.is_(None),  # a NULL unit matches group-wide ones only
        supplier_overrides.c.business_unit == bindparam("unit")))
_BLOCKED = exists().where(supplier_suspensions.c.supplier_id == offers.c.supplier_id, ~_OVERRIDDEN).label("blocked")

#: One row per (SKU, offer), a SKU without offers once with NULL offer columns.
LIVE = (
    select(skus.c.id.label("sku_id"), skus.c.code, skus.c.name, skus.c.unit,
           offers.c.id.label("offer_id"), offers.c.supplier_id, offers.c.is_active, offers.c.lead_time_days,
           _AVAILABLE, suppliers.c.name.label("supplier_name"), suppliers.c.status.label("supplier_status"),
           _BLOCKED)
    .select_from(skus.outerjoin(offers, offers.c.sku_id == skus.c.id)
                 .outerjoin(suppliers, suppliers.c.id == offers.c.supplier_id))
    .where(skus.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(skus.c.id, offers.c.id)
)


def load_live(session: Session, sku_ids: Collection[int], suspended: Collection[str] | None = None, *,
              business_unit: str | None = None, now: dt.datetime | None = None) -> LiveCatalogue:
    """The live state of ``sku_ids``: their offers with stock, the offers' suppliers, the SKUs.

    Args:
        session: a read session.
        sku_ids: the SKUs judged (recommended, related, or the subject SKU).
        suspended: supplier ids to treat as suspended; None (default): the elimination list
            less the overrides in force for ``business_unit`` at ``now``, read in the same
            statement.
        business_unit: the caller's unit (whose overrides lift a suspension).
        now: the moment overrides are judged at (default: now).
    """
    live = LiveCatalogue()
    ids = sorted(set(sku_ids))
    if not ids:
        return live
    rows = session.execute(LIVE, {"ids": ids, "unit": business_unit, "now": now or utcnow()})
    skus_seen, by_sku, standing, names = live.skus, live.offers_by_sku, live.suppliers, live.supplier_names
    for (sku_id, code, name, unit, offer_id, supplier_id, is_active, lead_time, available, supplier_name,
         status, blocked) in rows:
        if sku_id not in skus_seen:
            skus_seen[sku_id] = SkuInfo(sku_id, code, name, unit)
        if offer_id is None:
            continue
        by_sku.setdefault(sku_id, []).append(OfferState(offer_id, supplier_id, sku_id, bool(is_active),
                                                        int(available), lead_time))
        if supplier_id not in standing and status is not None:
            suspended_now = bool(blocked) if suspended is None else supplier_id in suspended
            standing[supplier_id] = SupplierState(supplier_id, status, suspended=suspended_now)
            names[supplier_id] = supplier_name
    return live
