"""Supplier offers: a supplier's price tiers, MOQ, order multiple, currency and lead time
for one SKU.

Offers are readable by every authenticated user (it is the group's marketplace); only the
owning supplier (its ``supplier_id`` comes from the token, never from a body) or an admin
creates or changes one, and only once the supplier is approved (onboarding). Every change bumps ``version`` and emits ``offer.changed``; order
lines record the version they were priced at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import datetime as dt

from sqlalchemy import Numeric, bindparam, case, cast, delete, func, insert, select, update
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.catalogue.skus import attribute_conditions, require_known_attributes
from transactional.core import audit, events
from transactional.core.paging import fetch_page
from transactional.db.tables.accounting import fx_rates
from transactional.db.tables.catalogue import offer_price_tiers, offers, skus, stock, warehouses
from transactional.db.tables.identity import suppliers
from transactional.db.tables.supply import supplier_scores
from transactional.db.types import utcnow
from transactional.domain.attributes import AttributeFilter
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.pricing import PriceTier, validate_terms
from transactional.domain.principal import Principal, Role, not_found

MUTABLE = ("currency", "moq", "order_multiple", "lead_time_days", "is_active", "tiers")

_SKU_EXISTS = select(skus.c.id).where(skus.c.id == bindparam("sku_id"))
_SUPPLIER_EXISTS = select(suppliers.c.id, suppliers.c.status).where(
    suppliers.c.id == bindparam("supplier_id"))
_EXISTING = select(offers.c.id).where(offers.c.supplier_id == bindparam("supplier_id"),
                                      offers.c.sku_id == bindparam("sku_id"))
_INSERT = insert(offers).returning(offers.c.id)
_DELETE_TIERS = delete(offer_price_tiers).where(offer_price_tiers.c.offer_id == bindparam("o"))
_INSERT_TIERS = insert(offer_price_tiers)


def _owner(actor: Principal, supplier_id: str | None) -> str:
    actor.require(Role.SUPPLIER, Role.ADMIN)
    if actor.role is Role.SUPPLIER:
        return str(actor.supplier_id)
    if not supplier_id:
        raise ValidationFailedError("an admin must say which supplier the offer is for")
    return supplier_id


def _tiers(raw: Sequence[Mapping[str, Any] | PriceTier]) -> list[PriceTier]:
    return [t if isinstance(t, PriceTier) else PriceTier(int(t["min_quantity"]), t["unit_price"])
            for t in raw]


def create_offer(
    session: Session, actor: Principal, *, sku_id: int, currency: str, moq: int,
    order_multiple: int, lead_time_days: int, tiers: Sequence[Mapping[str, Any] | PriceTier],
    supplier_id: str | None = None,
) -> dict[str, Any]:
    """Create an offer for the calling supplier (or, for an admin, ``supplier_id``)."""
    owner = _owner(actor, supplier_id)
    clean = validate_terms(currency, moq, order_multiple, _tiers(tiers))
    if lead_time_days < 0:
        raise ValidationFailedError("lead_time_days must not be negative")
    connection = session.connection()
    if connection.execute(_SKU_EXISTS, {"sku_id": sku_id}).first() is None:
        raise ValidationFailedError(f"unknown SKU {sku_id}")
    supplier = connection.execute(_SUPPLIER_EXISTS, {"supplier_id": owner}).first()
    if supplier is None:
        raise ValidationFailedError(f"unknown supplier {owner!r}")
    if supplier.status != "approved":
        raise ConflictError(f"supplier {owner} is {supplier.status}: only approved suppliers "
                            "publish offers", code="supplier_not_approved")
    existing = connection.execute(_EXISTING, {"supplier_id": owner, "sku_id": sku_id}).first()
    if existing is not None:
        raise ConflictError(f"supplier {owner} already offers SKU {sku_id} (offer "
                            f"{existing.id}); change that offer instead", code="duplicate")
    now = utcnow()
    offer_id = connection.execute(_INSERT, {
        "supplier_id": owner, "sku_id": sku_id, "currency": currency, "moq": moq,
        "order_multiple": order_multiple, "lead_time_days": lead_time_days, "is_active": True,
        "version": 1, "created_at": now, "updated_at": now,
    }).scalar_one()
    _write_tiers(session, offer_id, clean)
    snapshot = get_offer(session, offer_id)
    audit.record(session, actor, "offer.create", "offer", offer_id,
                 details={"supplier_id": owner, "sku_id": sku_id})
    events.emit(session, "offer.created", "offer", offer_id, snapshot, supplier_id=owner)
    return snapshot


def _write_tiers(session: Session, offer_id: int, tiers: Sequence[PriceTier]) -> None:
    connection = session.connection()
    connection.execute(_DELETE_TIERS, {"o": offer_id})
    connection.execute(_INSERT_TIERS, [
        {"offer_id": offer_id, "min_quantity": t.min_quantity, "unit_price": t.unit_price}
        for t in tiers
    ])


def update_offer(
    session: Session, actor: Principal, offer_id: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Change an offer's terms (owner supplier or admin); bumps ``version``.

    Args:
        changes: any of :data:`MUTABLE`; ``tiers`` replaces every tier.
    """
    actor.require(Role.SUPPLIER, Role.ADMIN)
    row = session.execute(select(offers).where(offers.c.id == offer_id)).first()
    if row is None or not actor.can_see_supplier(row.supplier_id):
        raise not_found("offer", offer_id)
    unknown = set(changes) - set(MUTABLE)
    if unknown:
        raise ValidationFailedError(f"cannot change {', '.join(sorted(unknown))}")
    current = get_offer(session, offer_id)
    merged = {**current, **{k: v for k, v in changes.items() if v is not None}}
    tiers = _tiers(changes["tiers"]) if changes.get("tiers") is not None else _tiers(
        current["price_tiers"])
    clean = validate_terms(merged["currency"], merged["moq"], merged["order_multiple"], tiers)
    if merged["lead_time_days"] < 0:
        raise ValidationFailedError("lead_time_days must not be negative")
    session.execute(
        update(offers).where(offers.c.id == offer_id).values(
            currency=merged["currency"], moq=merged["moq"],
            order_multiple=merged["order_multiple"], lead_time_days=merged["lead_time_days"],
            is_active=bool(merged["is_active"]), version=offers.c.version + 1,
            updated_at=utcnow(),
        )
    )
    if changes.get("tiers") is not None:
        _write_tiers(session, offer_id, clean)
    snapshot = get_offer(session, offer_id)
    audit.record(session, actor, "offer.update", "offer", offer_id,
                 details={"changed": sorted(k for k, v in changes.items() if v is not None),
                          "version": snapshot["version"]})
    events.emit(session, "offer.changed", "offer", offer_id, snapshot,
                supplier_id=row.supplier_id)
    return snapshot


#: Stock the offer's supplier holds for the offer's SKU (a correlated scalar subquery).
_AVAILABLE = (
    select(func.coalesce(func.sum(stock.c.available), 0))
    .select_from(stock.join(warehouses, warehouses.c.id == stock.c.warehouse_id))
    .where(stock.c.sku_id == offers.c.sku_id, warehouses.c.supplier_id == offers.c.supplier_id)
    .correlate(offers)
    .scalar_subquery()
    .label("available_quantity")
)
_SUPPLIER_NAME = (
    select(suppliers.c.name).where(suppliers.c.id == offers.c.supplier_id).correlate(offers)
    .scalar_subquery().label("supplier_name")
)
_GET = select(offers, _AVAILABLE, _SUPPLIER_NAME).where(offers.c.id == bindparam("offer_id"))

#: ``sort`` values of :func:`list_offers` (a leading ``-`` reverses; ties by offer id).
SORTS = ("price", "-price", "lead_time", "-lead_time", "score", "-score")


def _base_price_in(group_currency: str, on: dt.date):
    """The offer's base-tier unit price in the group currency: the lowest tier's price times the
    latest direct rate on or before ``on`` (NULL, sorted last, when no rate is recorded)."""
    base = (select(cast(offer_price_tiers.c.unit_price, Numeric(18, 4)))
            .where(offer_price_tiers.c.offer_id == offers.c.id)
            .order_by(offer_price_tiers.c.min_quantity).limit(1).correlate(offers).scalar_subquery())
    rate = (select(cast(fx_rates.c.rate, Numeric(18, 8)))
            .where(fx_rates.c.from_currency == offers.c.currency, fx_rates.c.to_currency == group_currency,
                   fx_rates.c.rate_date <= on)
            .order_by(fx_rates.c.rate_date.desc()).limit(1).correlate(offers).scalar_subquery())
    return case((offers.c.currency == group_currency, base), else_=base * rate)


def _score():
    return (select(supplier_scores.c.overall_score).where(supplier_scores.c.supplier_id == offers.c.supplier_id)
            .correlate(offers).scalar_subquery())


def _ordering(sort: str | None, group_currency: str, on: dt.date) -> list[Any]:
    if sort is None:
        return [offers.c.id]
    if sort not in SORTS:
        raise ValidationFailedError(f"unknown sort {sort!r}; one of {', '.join(SORTS)}", code="unknown_sort")
    key = sort.lstrip("-")
    column = {"price": lambda: _base_price_in(group_currency, on), "lead_time": lambda: offers.c.lead_time_days,
              "score": _score}[key]()
    # best first by default: cheapest, fastest, highest score; "-" reverses
    descending = (key == "score") != sort.startswith("-")
    return [(column.desc() if descending else column.asc()).nulls_last(), offers.c.id]


def _publics(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    ids = [r.id for r in rows]
    tiers: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for t in session.execute(
            select(offer_price_tiers).where(offer_price_tiers.c.offer_id.in_(ids))
            .order_by(offer_price_tiers.c.offer_id, offer_price_tiers.c.min_quantity)
        ):
            tiers[t.offer_id].append({"min_quantity": t.min_quantity, "unit_price": t.unit_price})
    return [
        {"id": r.id, "supplier_id": r.supplier_id, "supplier_name": r.supplier_name, "sku_id": r.sku_id,
         "currency": r.currency,
         "moq": r.moq, "order_multiple": r.order_multiple, "lead_time_days": r.lead_time_days,
         "is_active": r.is_active, "version": r.version, "price_tiers": tiers[r.id],
         "available_quantity": int(r.available_quantity), "created_at": r.created_at,
         "updated_at": r.updated_at}
        for r in rows
    ]


def get_offer(session: Session, offer_id: int) -> dict[str, Any]:
    """One offer with its tiers and the stock its supplier holds for the SKU."""
    row = session.connection().execute(_GET, {"offer_id": offer_id}).first()
    if row is None:
        raise not_found("offer", offer_id)
    return _publics(session, [row])[0]


def list_offers(
    session: Session, page: PageRequest, *, sku_id: int | None = None,
    category_id: int | None = None, supplier_id: str | None = None,
    is_active: bool | None = True, filters: Sequence[AttributeFilter] = (),
    sort: str | None = None, group_currency: str = "CNY", on: dt.date | None = None,
) -> Page[dict[str, Any]]:
    """Offers filtered by SKU, category, supplier, activity and SKU attribute values (a filter
    on an attribute no template declares is a 422), in offer-id order or sorted by ``sort``
    (:data:`SORTS`): ``price`` the base tier's unit price in ``group_currency`` at the latest
    rate on or before ``on`` (today), ``lead_time``, ``score`` the supplier's served overall
    score (highest first); offers without the value come last.

    Raises:
        ValidationFailedError: an unknown attribute or sort (``unknown_sort``).
    """
    require_known_attributes(session, filters, category_id)
    ordering = _ordering(sort, group_currency, on or utcnow().date())
    query = select(offers, _AVAILABLE, _SUPPLIER_NAME).order_by(*ordering)
    if sku_id is not None:
        query = query.where(offers.c.sku_id == sku_id)
    if supplier_id is not None:
        query = query.where(offers.c.supplier_id == supplier_id)
    if is_active is not None:
        query = query.where(offers.c.is_active.is_(is_active))
    if category_id is not None:
        query = query.where(
            offers.c.sku_id.in_(select(skus.c.id).where(skus.c.category_id == category_id))
        )
    for condition in attribute_conditions(offers.c.sku_id, filters):
        query = query.where(condition)
    rows, total = fetch_page(session, query, page)
    return Page.of(_publics(session, rows), total, page)
