"""Bulk loading of reference data from plain dataclasses: idempotent, validated, audited.

The demo seed (``demo/platform_seed.py``) reads the demo group's ERP and hands the
result to :func:`bulk_load`; tests build their worlds with it too. Every record goes
through the same service function an API call would use (template validation, offer term
checks, audit log, outbox events). Records are matched on their natural key (codes, ids,
usernames): an existing one is left as it is and counted as skipped, so loading twice
changes nothing. Initial stock is applied only to stock rows that do not exist yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from transactional.catalogue.offers import create_offer
from transactional.catalogue.skus import create_category, create_sku
from transactional.catalogue.stock import adjust_stock, create_warehouse
from transactional.db.tables.catalogue import categories, offers, skus, stock, warehouses
from transactional.db.tables.identity import business_units, suppliers, users
from transactional.domain.principal import Principal
from transactional.identity.directory import create_business_unit, create_supplier
from transactional.identity.users import create_user


@dataclass(frozen=True)
class BusinessUnitSpec:
    code: str
    name: str


@dataclass(frozen=True)
class SupplierSpec:
    id: str
    name: str
    credit_code: str | None = None
    company: Mapping[str, str | None] = field(default_factory=dict)  # COMPANY_FIELDS


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    attributes: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class SkuSpec:
    code: str
    category_code: str
    name: str
    unit: str
    attributes: Mapping[str, Any]


@dataclass(frozen=True)
class OfferSpec:
    supplier_id: str
    sku_code: str
    currency: str
    moq: int
    tiers: Sequence[tuple[int, Decimal | str]]
    order_multiple: int = 1
    lead_time_days: int = 0


@dataclass(frozen=True)
class WarehouseSpec:
    code: str
    name: str
    supplier_id: str
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    handling_cost: Decimal | str = "0"
    cost_per_km: Decimal | str = "0"
    currency: str = "CNY"


@dataclass(frozen=True)
class StockSpec:
    warehouse_code: str
    sku_code: str
    quantity: int


@dataclass(frozen=True)
class UserSpec:
    username: str
    role: str
    password: str | None = None
    password_hash: str | None = None  # precomputed Argon2 hash (fast loads of many users)
    business_unit: str | None = None
    supplier_id: str | None = None


@dataclass
class BulkLoad:
    """Everything to load; any list may be empty. Loaded in dependency order."""

    business_units: list[BusinessUnitSpec] = field(default_factory=list)
    suppliers: list[SupplierSpec] = field(default_factory=list)
    categories: list[CategorySpec] = field(default_factory=list)
    skus: list[SkuSpec] = field(default_factory=list)
    warehouses: list[WarehouseSpec] = field(default_factory=list)
    offers: list[OfferSpec] = field(default_factory=list)
    stock: list[StockSpec] = field(default_factory=list)
    users: list[UserSpec] = field(default_factory=list)


@dataclass
class LoadReport:
    """Counts per kind, and the database ids of every loaded record by natural key."""

    created: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    category_ids: dict[str, int] = field(default_factory=dict)
    sku_ids: dict[str, int] = field(default_factory=dict)
    warehouse_ids: dict[str, int] = field(default_factory=dict)
    offer_ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (supplier, sku code)
    user_ids: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.skipped
        bucket[kind] = bucket.get(kind, 0) + 1


def _ids(session: Session, table: Any, key: str, value_column: str = "id") -> dict[Any, Any]:
    rows = session.execute(select(table.c[key], table.c[value_column]))
    return {k: v for k, v in rows}


def bulk_load(session: Session, actor: Principal, load: BulkLoad) -> LoadReport:
    """Load reference data idempotently in the caller's transaction.

    Args:
        session: a write session (``Database.run_write``).
        actor: who loads (the seed uses :data:`transactional.domain.principal.SYSTEM`).
        load: the records.

    Returns:
        A :class:`LoadReport`.

    Example:
        >>> db.run_write(lambda s: bulk_load(s, SYSTEM, BulkLoad(  # doctest: +SKIP
        ...     business_units=[BusinessUnitSpec("COAL", "Coal")])))
    """
    report = LoadReport()
    existing_bus = set(_ids(session, business_units, "code", "code"))
    for bu in load.business_units:
        new = bu.code not in existing_bus
        if new:
            create_business_unit(session, actor, bu.code, bu.name)
            existing_bus.add(bu.code)
        report.count("business_units", new)
    existing_sup = set(_ids(session, suppliers, "id", "id"))
    for sup in load.suppliers:
        new = sup.id not in existing_sup
        if new:
            create_supplier(session, actor, sup.id, sup.name, sup.credit_code,
                                      **sup.company)
            existing_sup.add(sup.id)
        report.count("suppliers", new)
    report.category_ids = _ids(session, categories, "code")
    for cat in load.categories:
        new = cat.code not in report.category_ids
        if new:
            created = create_category(session, actor, cat.code, cat.name,
                                                cat.attributes)
            report.category_ids[cat.code] = created["id"]
        report.count("categories", new)
    report.sku_ids = _ids(session, skus, "code")
    for sku in load.skus:
        new = sku.code not in report.sku_ids
        if new:
            created = create_sku(
                session, actor, code=sku.code, category_id=report.category_ids[sku.category_code],
                name=sku.name, unit=sku.unit, attributes=sku.attributes)
            report.sku_ids[sku.code] = created["id"]
        report.count("skus", new)
    report.warehouse_ids = _ids(session, warehouses, "code")
    for wh in load.warehouses:
        new = wh.code not in report.warehouse_ids
        if new:
            created = create_warehouse(
                session, actor, code=wh.code, name=wh.name, city=wh.city,
                latitude=wh.latitude, longitude=wh.longitude, handling_cost=wh.handling_cost,
                cost_per_km=wh.cost_per_km, currency=wh.currency, supplier_id=wh.supplier_id)
            report.warehouse_ids[wh.code] = created["id"]
        report.count("warehouses", new)
    _load_offers(session, actor, load.offers, report)
    _load_stock(session, actor, load.stock, report)
    report.user_ids = _ids(session, users, "username")
    for user in load.users:
        new = user.username not in report.user_ids
        if new:
            created = create_user(
                session, actor, username=user.username, password=user.password or "",
                role=user.role, business_unit=user.business_unit,
                supplier_id=user.supplier_id, password_hash=user.password_hash)
            report.user_ids[user.username] = created["id"]
        report.count("users", new)
    return report


def _load_offers(session: Session, actor: Principal, specs: Sequence[OfferSpec],
                 report: LoadReport) -> None:
    code_of = {v: k for k, v in report.sku_ids.items()}
    for supplier_id, sku_id, offer_id in session.execute(
        select(offers.c.supplier_id, offers.c.sku_id, offers.c.id)
    ):
        report.offer_ids[(supplier_id, code_of.get(sku_id, str(sku_id)))] = offer_id
    for spec in specs:
        key = (spec.supplier_id, spec.sku_code)
        new = key not in report.offer_ids
        if new:
            created = create_offer(
                session, actor, sku_id=report.sku_ids[spec.sku_code], currency=spec.currency,
                moq=spec.moq, order_multiple=spec.order_multiple,
                lead_time_days=spec.lead_time_days,
                tiers=[{"min_quantity": q, "unit_price": p} for q, p in spec.tiers],
                supplier_id=spec.supplier_id)
            report.offer_ids[key] = created["id"]
        report.count("offers", new)


def _load_stock(session: Session, actor: Principal, specs: Sequence[StockSpec],
                report: LoadReport) -> None:
    present = {(w, s) for w, s in session.execute(select(stock.c.warehouse_id, stock.c.sku_id))}
    for spec in specs:
        key = (report.warehouse_ids[spec.warehouse_code], report.sku_ids[spec.sku_code])
        new = key not in present and spec.quantity > 0
        if new:
            adjust_stock(session, actor, key[0], sku_id=key[1],
                                       delta=spec.quantity, reason="receipt",
                                       note="initial load")
            present.add(key)
        report.count("stock", new)
