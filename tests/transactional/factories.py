"""Test worlds for the transactional service, built through its own bulk loader.

Two business units (COAL, POWER), two suppliers (SUP-1, SUP-2), one user per role and unit,
a coal category with a template, SKUs, warehouses, offers and stock. Every number is fixed
so tests can assert exact results.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from infra.tokens import issue_token
from transactional.catalogue.bulk import (
    BulkLoad,
    BusinessUnitSpec,
    CategorySpec,
    OfferSpec,
    SkuSpec,
    StockSpec,
    SupplierSpec,
    UserSpec,
    WarehouseSpec,
    bulk_load,
)
from transactional.db.database import Database
from transactional.domain.principal import SYSTEM, Principal, Role
from transactional.identity.users import hash_password

PASSWORD = "correct-horse-battery"

COAL_TEMPLATE = [
    {"name": "calorific_value", "type": "integer", "unit": "kcal/kg", "minimum": 3000,
     "maximum": 7500},
    {"name": "sulphur", "type": "number", "unit": "%", "minimum": 0, "maximum": 5},
    {"name": "ash", "type": "number", "unit": "%", "minimum": 0, "maximum": 60,
     "required": False},
    {"name": "origin", "type": "string"},
]
TILE_TEMPLATE = [
    {"name": "size", "type": "enum", "allowed_values": ["600x600", "800x800"]},
    {"name": "colour", "type": "string"},
    {"name": "brand", "type": "string"},
]

#: (username, role, business unit, supplier)
USERS = (
    ("admin", "admin", None, None),
    ("admin_coal", "admin", "COAL", None),
    ("buyer_coal", "buyer", "COAL", None),
    ("buyer_coal2", "buyer", "COAL", None),
    ("procurement_coal", "procurement", "COAL", None),
    ("finance_coal", "finance", "COAL", None),
    ("admin_power", "admin", "POWER", None),
    ("buyer_power", "buyer", "POWER", None),
    ("procurement_power", "procurement", "POWER", None),
    ("finance_power", "finance", "POWER", None),
    ("supplier_1", "supplier", None, "SUP-1"),
    ("supplier_2", "supplier", None, "SUP-2"),
)


@functools.lru_cache(maxsize=1)
def password_hash() -> str:
    """One Argon2 hash shared by every test user (hashing is deliberately slow)."""
    return hash_password(PASSWORD)


@dataclass
class World:
    """Ids of everything :func:`build_world` created."""

    users: dict[str, Principal] = field(default_factory=dict)
    category_ids: dict[str, int] = field(default_factory=dict)
    sku_ids: dict[str, int] = field(default_factory=dict)
    warehouse_ids: dict[str, int] = field(default_factory=dict)
    offer_ids: dict[tuple[str, str], int] = field(default_factory=dict)

    def headers(self, username: str, **extra: str) -> dict[str, str]:
        return {**auth_headers(self.users[username]), **extra}


def auth_headers(principal: Principal) -> dict[str, str]:
    token = issue_token(str(principal.user_id), principal.role.value, principal.business_unit,
                        principal.supplier_id, extra_claims={"name": principal.username})
    return {"Authorization": f"Bearer {token}"}


def world_load() -> BulkLoad:
    """The records of the standard test world."""
    return BulkLoad(
        business_units=[BusinessUnitSpec("COAL", "Coal"), BusinessUnitSpec("POWER", "Power")],
        suppliers=[SupplierSpec("SUP-1", "Shanxi Jinhua Coal"),
                   SupplierSpec("SUP-2", "Foshan Tiles")],
        categories=[CategorySpec("coal", "Thermal coal", COAL_TEMPLATE),
                    CategorySpec("tiles", "Floor tiles", TILE_TEMPLATE)],
        skus=[
            SkuSpec("COAL-5500", "coal", "Coal 5500 Datong", "t",
                    {"calorific_value": 5500, "sulphur": 0.8, "ash": 18.5, "origin": "Datong"}),
            SkuSpec("COAL-6000", "coal", "Coal 6000 Ordos", "t",
                    {"calorific_value": 6000, "sulphur": 0.5, "origin": "Ordos"}),
            SkuSpec("COAL-4500", "coal", "Coal 4500 Yulin", "t",
                    {"calorific_value": 4500, "sulphur": 1.6, "origin": "Yulin"}),
            SkuSpec("TILE-600-W", "tiles", "Tile 600 white", "m2",
                    {"size": "600x600", "colour": "white", "brand": "Dongpeng"}),
        ],
        warehouses=[
            WarehouseSpec("W-TAIYUAN", "Taiyuan yard", "SUP-1", "Taiyuan", 37.87, 112.55,
                          "10", "0.30"),
            WarehouseSpec("W-DATONG", "Datong yard", "SUP-1", "Datong", 40.08, 113.30,
                          "12", "0.30"),
            WarehouseSpec("W-FOSHAN", "Foshan depot", "SUP-2", "Foshan", 23.02, 113.12,
                          "2", "0.01"),
        ],
        offers=[
            OfferSpec("SUP-1", "COAL-5500", "CNY", 10, [(10, "800"), (100, "780.50")],
                      order_multiple=5, lead_time_days=3),
            OfferSpec("SUP-1", "COAL-6000", "CNY", 1, [(1, "900")]),
            OfferSpec("SUP-1", "COAL-4500", "CNY", 1, [(1, "600")]),
            OfferSpec("SUP-2", "TILE-600-W", "CNY", 50, [(50, "45.00"), (500, "41.00")],
                      order_multiple=10, lead_time_days=10),
        ],
        stock=[
            StockSpec("W-TAIYUAN", "COAL-5500", 300), StockSpec("W-DATONG", "COAL-5500", 200),
            StockSpec("W-TAIYUAN", "COAL-6000", 1000), StockSpec("W-DATONG", "COAL-4500", 1000),
            StockSpec("W-FOSHAN", "TILE-600-W", 5000),
        ],
        users=[UserSpec(u, r, password_hash=password_hash(), business_unit=b, supplier_id=s)
               for u, r, b, s in USERS],
    )


def build_world(db: Database) -> World:
    """Load the standard world into a migrated database."""
    report = db.run_write(lambda s: bulk_load(s, SYSTEM, world_load()))
    world = World(category_ids=report.category_ids, sku_ids=report.sku_ids,
                  warehouse_ids=report.warehouse_ids, offer_ids=report.offer_ids)
    for username, role, bu, supplier in USERS:
        world.users[username] = Principal(report.user_ids[username], Role(role), bu, supplier,
                                          username)
    return world


def order_body(offer_id: int, quantity: int, **extra: Any) -> dict[str, Any]:
    return {"lines": [{"offer_id": offer_id, "quantity": quantity}], **extra}
