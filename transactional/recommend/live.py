"""The live catalogue the business rules judge recommendations on, read at request time.

The snapshot may be hours old; what a buyer can order is what the service holds *now*:
offers (active or not, with the stock their supplier holds for the SKU), the suppliers'
standing and the SKUs themselves. Values come back as the plain types of
:mod:`models.ml.recommend.rules`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.ml.recommend.rules import OfferState, SupplierState
from transactional.db.tables.catalogue import offers, skus, stock, warehouses
from transactional.db.tables.identity import suppliers


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


def suspended_suppliers(session: Session, business_unit: str | None) -> frozenset[str]:
    """Ids of the suppliers recommendations must skip for ``business_unit``: on the applied
    elimination list (``standing``) without an active override for that unit.

    Recommendations skip them whether or not ``OLTP__ENFORCE_ELIMINATION`` refuses their
    orders: suggesting a supplier the group is phasing out is never good advice.
    """
    from transactional.db.tables.supply import supplier_suspensions
    from transactional.standing.enforcement import blocked_suppliers

    listed = session.execute(select(supplier_suspensions.c.supplier_id)).scalars().all()
    return frozenset(blocked_suppliers(session, listed, business_unit))


_AVAILABLE = (
    select(func.coalesce(func.sum(stock.c.available), 0))
    .select_from(stock.join(warehouses, warehouses.c.id == stock.c.warehouse_id))
    .where(stock.c.sku_id == offers.c.sku_id, warehouses.c.supplier_id == offers.c.supplier_id)
    .correlate(offers)
    .scalar_subquery()
    .label("available")
)


def load_live(session: Session, sku_ids: Collection[int], suspended: Collection[str] = ()) -> LiveCatalogue:
    """The live state of ``sku_ids``: their offers with stock, the offers' suppliers, the SKUs.

    Args:
        session: a read session.
        sku_ids: the SKUs judged (recommended, related, or the subject SKU).
        suspended: supplier ids suspended now (:func:`suspended_suppliers`).
    """
    live = LiveCatalogue()
    ids = sorted(set(sku_ids))
    if not ids:
        return live
    for r in session.execute(select(skus.c.id, skus.c.code, skus.c.name, skus.c.unit).where(skus.c.id.in_(ids))):
        live.skus[r.id] = SkuInfo(r.id, r.code, r.name, r.unit)
    rows = session.execute(
        select(offers.c.id, offers.c.supplier_id, offers.c.sku_id, offers.c.is_active, offers.c.lead_time_days,
               _AVAILABLE).where(offers.c.sku_id.in_(ids)).order_by(offers.c.sku_id, offers.c.id)
    ).all()
    for r in rows:
        live.offers_by_sku.setdefault(r.sku_id, []).append(OfferState(
            offer_id=r.id, supplier_id=r.supplier_id, sku_id=r.sku_id, is_active=bool(r.is_active),
            available_quantity=int(r.available), lead_time_days=r.lead_time_days))
    supplier_ids = sorted({r.supplier_id for r in rows})
    if supplier_ids:
        for s in session.execute(select(suppliers.c.id, suppliers.c.name, suppliers.c.status)
                                 .where(suppliers.c.id.in_(supplier_ids))):
            live.suppliers[s.id] = SupplierState(s.id, s.status, suspended=s.id in suspended)
            live.supplier_names[s.id] = s.name
    return live
