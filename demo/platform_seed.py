"""Seed the transactional service from the demo group's ERP, then show a working order.

The demo simulator (``demo``) writes the group's consolidated ERP at
``settings.erp.database_url`` following the contract in ``pipelines/sources/erp/tables.py``.
This loader reads business units, material categories (attribute templates), materials,
vendors and their current supplier offers, maps them to the transactional service's bulk
API (``transactional.catalogue.bulk``; transactional never imports pipelines, so the
mapping lives here) and loads them idempotently: a second run changes nothing.

What the ERP does not hold is made up deterministically (seeded by ``settings.demo.seed``)
and said so: each supplier gets one dispatch warehouse (located at its city when the city is
known) holding sellable stock for every SKU it offers; demo users share one password and
exist only in ``env=local|ci``. ERP records the platform would refuse (a vendor without a
name, a SKU that breaks its template, an offer without usable tiers) are counted in
``SeedReport.rejected``, never silently dropped.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from infra.settings import Settings, get_settings

#: Password of every demo user (local / CI only).
DEMO_PASSWORD = "grouplake-demo"
#: How many supplier accounts to create (the first suppliers by id).
DEMO_SUPPLIER_USERS = 5


@dataclass
class SeedReport:
    """What the seed did and how to try it."""

    database_url: str
    created: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    users: list[dict[str, str | None]] = field(default_factory=list)
    password: str = DEMO_PASSWORD
    example_token: str = ""
    example_order: dict[str, Any] = field(default_factory=dict)
    example_commands: list[str] = field(default_factory=list)


def _erp_engine(url: str) -> Any:
    """An engine on the ERP; on SQLite, undecodable text (the demo injects mis-encoded names)
    reads as U+FFFD instead of failing the whole read."""
    from sqlalchemy import create_engine, event

    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _lenient(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.text_factory = lambda b: b.decode("utf-8", "replace")
    return engine


def _garbled(*texts: Any) -> bool:
    return any(isinstance(t, str) and "\ufffd" in t for t in texts)


def _rows(engine: Any, table: Any) -> list[dict[str, Any]]:
    from sqlalchemy import select

    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(table))]


def convert_template(template: Any) -> list[dict[str, Any]]:
    """The ERP's attribute template (``{"attributes": [...]}`` with ``min``/``max``/``allowed``)
    in the transactional service's form (``minimum``/``maximum``/``allowed_values``)."""
    if isinstance(template, str):
        template = json.loads(template)
    specs = template.get("attributes", template) if isinstance(template, Mapping) else template
    out = []
    for spec in specs:
        kind = spec.get("type", "string")
        out.append({
            "name": spec["name"],
            "type": kind if kind in ("number", "integer", "string", "enum", "boolean") else "string",
            "unit": spec.get("unit") or None,
            "minimum": spec.get("min", spec.get("minimum")),
            "maximum": spec.get("max", spec.get("maximum")),
            "allowed_values": [str(v) for v in spec.get("allowed", spec.get("allowed_values")) or []],
            "required": bool(spec.get("required", True)),
            "description": spec.get("label") or spec.get("description"),
            "pattern": spec.get("pattern") if kind == "string" else None,
        })
    return out


def _attributes(values: Any, template: list[dict[str, Any]]) -> dict[str, Any]:
    values = json.loads(values) if isinstance(values, str) else dict(values or {})
    enums = {a["name"] for a in template if a["type"] == "enum"}
    return {k: (str(v) if k in enums and v is not None else v) for k, v in values.items()}


def _current_offers(offers: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The latest quotation per (vendor, material): one live offer per pair on the platform."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for offer in offers:
        key = (offer["vendor_id"], offer["material_id"])
        if key not in latest or str(offer["valid_from"]) > str(latest[key]["valid_from"]):
            latest[key] = offer
    return [latest[k] for k in sorted(latest)]


def _tiers(offer: dict[str, Any]) -> tuple[int, int, list[tuple[int, Decimal]]] | None:
    raw = offer["price_tiers"]
    raw = json.loads(raw) if isinstance(raw, str) else raw
    try:
        moq = max(1, math.ceil(float(offer["moq"])))
        multiple = max(1, math.ceil(float(offer["order_multiple"] or 1)))
        tiers = sorted({max(1, math.ceil(float(t["min_qty"]))): Decimal(str(t["unit_price"]))
                        .quantize(Decimal("0.0001")) for t in raw}.items())
    except (KeyError, TypeError, ValueError):
        return None
    if not tiers or any(p <= 0 for _, p in tiers):
        return None
    tiers[0] = (min(tiers[0][0], moq), tiers[0][1])
    return moq, multiple, tiers


def _stock_level(seed: int, supplier_id: str, sku: str, moq: int, multiple: int) -> int:
    """Deterministic sellable stock: 5 to 44 times the MOQ, a whole number of multiples."""
    k = 5 + zlib.crc32(f"{seed}:{supplier_id}:{sku}".encode()) % 40
    quantity = k * moq
    return quantity + (-quantity) % multiple


def company_data(vendor: Mapping[str, Any]) -> dict[str, str | None]:
    """An ERP vendor's company data as the platform keeps it (carried by ``supplier.approved``
    so the lake's supplier dedup can link the platform supplier to its golden record)."""
    def clean(key: str, limit: int) -> str | None:
        value = vendor.get(key)
        return None if value is None or _garbled(value) else str(value)[:limit]

    return {"city": clean("city", 100), "province": clean("province", 100),
            "address": clean("address", 300), "phone": clean("phone", 40),
            "bank_name": clean("bank_name", 120), "bank_account": clean("bank_account", 60),
            "settlement_currency": clean("currency", 3),
            "business_unit": clean("business_unit_code", 32)}


def build_load(erp_url: str, seed: int) -> tuple[Any, dict[str, int]]:
    """Read the demo ERP and map it to a ``BulkLoad`` (plus counts of rejected records)."""
    from pipelines.sources.erp import tables as erp
    from transactional.catalogue import bulk
    from transactional.domain.attributes import parse_template, validate_attributes
    from transactional.domain.errors import ValidationFailedError
    from transactional.identity.directory import CODE, CREDIT_CODE
    from transactional.identity.users import hash_password

    engine = _erp_engine(erp_url)
    try:
        units = _rows(engine, erp.business_units)
        categories = _rows(engine, erp.material_categories)
        materials = _rows(engine, erp.materials)
        vendors = {v["vendor_id"]: v for v in _rows(engine, erp.vendors)}
        offers = _current_offers(_rows(engine, erp.supplier_offers))
        places = {(w["city"], w["province"]): (w["latitude"], w["longitude"])
                  for w in _rows(engine, erp.warehouses) if w["city"]}
    finally:
        engine.dispose()
    rejected: dict[str, int] = {}

    def reject(kind: str) -> None:
        rejected[kind] = rejected.get(kind, 0) + 1

    load = bulk.BulkLoad()
    load.business_units = [bulk.BusinessUnitSpec(u["business_unit_code"], u["name_en"] or u["name"])
                           for u in sorted(units, key=lambda u: u["business_unit_code"])]
    templates: dict[str, list[dict[str, Any]]] = {}
    for c in sorted(categories, key=lambda c: c["category_id"]):
        template = convert_template(c["attribute_template"])
        try:
            parse_template(template)
        except ValidationFailedError:
            reject("categories")
            continue
        templates[c["category_id"]] = template
        load.categories.append(bulk.CategorySpec(c["category_id"], c["name_en"] or c["name"],
                                                 template))
    sku_of: dict[str, str] = {}
    for m in sorted(materials, key=lambda m: m["material_id"]):
        template = templates.get(m["category_id"])
        attributes = _attributes(m["attributes"], template or [])
        try:
            if (template is None or not m["is_active"] or not CODE.match(m["sku"] or "")
                    or _garbled(m["name"], m["uom"])):
                raise ValidationFailedError("unusable material")
            validate_attributes(parse_template(template), attributes)
        except ValidationFailedError:
            reject("skus")
            continue
        sku_of[m["material_id"]] = m["sku"]
        load.skus.append(bulk.SkuSpec(m["sku"], m["category_id"], m["name"], m["uom"], attributes))
    suppliers: dict[str, dict[str, Any]] = {}
    for offer in offers:
        vendor = vendors.get(offer["vendor_id"])
        terms = _tiers(offer)
        if vendor is not None and vendor["status"] != "active":
            reject("offers_vendor_not_active")
            continue
        if (vendor is None or not vendor["name"] or _garbled(vendor["name"])
                or not CODE.match(vendor["vendor_id"]) or offer["material_id"] not in sku_of
                or terms is None):
            reject("offers_invalid")
            continue
        suppliers.setdefault(vendor["vendor_id"], vendor)
        moq, multiple, tiers = terms
        sku = sku_of[offer["material_id"]]
        load.offers.append(bulk.OfferSpec(vendor["vendor_id"], sku, offer["currency"], moq, tiers,
                                          multiple, int(offer["lead_time_days"])))
        load.stock.append(bulk.StockSpec(f"WH-{vendor['vendor_id']}", sku,
                                         _stock_level(seed, vendor["vendor_id"], sku, moq, multiple)))
    for vendor_id, v in sorted(suppliers.items()):
        uscc = v["uscc"] if v["uscc"] and CREDIT_CODE.match(v["uscc"]) else None
        load.suppliers.append(bulk.SupplierSpec(vendor_id, v["name"], uscc,
                                                company=company_data(v)))
        lat, lon = places.get((v["city"], v["province"]), (None, None))
        load.warehouses.append(bulk.WarehouseSpec(
            f"WH-{vendor_id}", f"{v['name']} dispatch yard", vendor_id, v["city"], lat, lon,
            "5", "0.02", "CNY"))
    digest = hash_password(DEMO_PASSWORD)
    load.users.append(bulk.UserSpec("admin", "admin", password_hash=digest))
    for unit in load.business_units:
        for role in ("buyer", "procurement", "finance"):
            load.users.append(bulk.UserSpec(f"{role}.{unit.code.lower()}", role,
                                            password_hash=digest, business_unit=unit.code))
    for vendor_id in sorted(suppliers)[:DEMO_SUPPLIER_USERS]:
        load.users.append(bulk.UserSpec(f"supplier.{vendor_id.lower()}", "supplier",
                                        password_hash=digest, supplier_id=vendor_id))
    return load, rejected


def seed_transactional_from_demo(settings: Settings | None = None, *,
                                 echo: bool = True) -> SeedReport:
    """Load the demo ERP into the transactional database (idempotent) and print an example.

    Args:
        settings: defaults to :func:`infra.settings.get_settings`.
        echo: print the users, a token and a ready-to-run order command.

    Returns:
        A :class:`SeedReport`.

    Raises:
        RuntimeError: outside ``env=local|ci`` (demo users share a known password).
        FileNotFoundError: the demo ERP has not been generated yet.

    Example:
        >>> seed_transactional_from_demo()  # doctest: +SKIP
    """
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from infra.tokens import issue_token
    from transactional.catalogue.bulk import bulk_load
    from transactional.db.database import Database
    from transactional.domain.principal import SYSTEM
    from transactional.migrations import upgrade_database

    settings = settings or get_settings()
    if not settings.is_dev:
        raise RuntimeError("the demo seed creates users with a shared password: local/CI only")
    erp_url = make_url(settings.erp.database_url)
    if erp_url.get_backend_name() == "sqlite" and not Path(erp_url.database or "").exists():
        raise FileNotFoundError(f"no demo ERP at {erp_url.database}; generate the demo group first")
    load, rejected = build_load(settings.erp.database_url, settings.demo.seed)
    upgrade_database(settings.oltp.database_url)
    db = Database.from_settings(settings)
    try:
        result = db.run_write(lambda s: bulk_load(s, SYSTEM, load))
    finally:
        db.dispose()
    report = SeedReport(settings.oltp.database_url, result.created, result.skipped, rejected)
    report.users = [{"username": u.username, "role": u.role, "business_unit": u.business_unit,
                     "supplier_id": u.supplier_id} for u in load.users]
    _example(report, load, result, settings, issue_token)
    if echo:
        print(render(report))
    return report


def _example(report: SeedReport, load: Any, result: Any, settings: Settings,
             issue_token: Any) -> None:
    if not load.offers or not load.business_units:
        return
    offer = load.offers[0]
    unit = load.business_units[0].code.lower()
    buyer = f"buyer.{unit}"
    report.example_token = issue_token(
        str(result.user_ids[buyer]), "buyer", load.business_units[0].code,
        extra_claims={"name": buyer}, settings=settings)
    quantity = offer.moq + (-offer.moq) % offer.order_multiple  # MOQ, rounded to the multiple
    report.example_order = {"lines": [{"offer_id": result.offer_ids[(offer.supplier_id,
                                                                      offer.sku_code)],
                                       "quantity": quantity}]}
    base = f"http://{settings.services.host}:{settings.services.transactional_port}"
    report.example_commands = [
        f"curl -s -X POST {base}/api/v1/auth/token -d 'username={buyer}&password={DEMO_PASSWORD}'",
        f"TOKEN={report.example_token}",
        (f"curl -s -X POST {base}/api/v1/orders -H \"Authorization: Bearer $TOKEN\" "
         f"-H 'Idempotency-Key: demo-order-1' -H 'Content-Type: application/json' "
         f"-d '{json.dumps(report.example_order)}'"),
    ]


def render(report: SeedReport) -> str:
    """A human summary of a seed run with the example commands."""
    counts = ", ".join(f"{k} {v}" for k, v in sorted(report.created.items()))
    lines = [f"transactional seed -> {report.database_url}",
             f"  created: {counts or 'nothing (already seeded)'}"]
    if report.rejected:
        lines.append("  rejected ERP records: " + ", ".join(
            f"{k} {v}" for k, v in sorted(report.rejected.items())))
    lines.append(f"  demo users (password {report.password!r}): " + ", ".join(
        u["username"] for u in report.users[:8]) + (" …" if len(report.users) > 8 else ""))
    if report.example_commands:
        lines.append("  try it (1: log in, 2: a token for the same buyer, 3: place an order):")
        lines.extend(f"    {c}" for c in report.example_commands)
    return "\n".join(lines)
