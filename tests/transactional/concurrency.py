"""Concurrency scenarios run against a real server (SQLite or PostgreSQL behind it).

World: unit HOT, supplier SUP-H with two warehouses, 200 buyers, and SKUs
``HOT-A`` (50 units: 30 + 20, so orders also split across warehouses), ``HOT-D`` (50 units,
for bundles with ``HOT-B`` / ``HOT-C``, 1000 each) and ``HOT-E`` (idempotency).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select

from tests.transactional.factories import auth_headers, password_hash
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
from transactional.db.tables.catalogue import stock
from transactional.db.tables.ordering import order_lines
from transactional.domain.principal import SYSTEM, Principal, Role

BUYERS = 200
HOT_STOCK = 50


@dataclass
class HotWorld:
    buyers: list[dict[str, str]]  # auth headers per buyer
    offers: dict[str, int]  # sku code -> offer id
    skus: dict[str, int]


def build_hot_world(db: Database) -> HotWorld:
    skus = ["HOT-A", "HOT-B", "HOT-C", "HOT-D", "HOT-E"]
    load = BulkLoad(
        business_units=[BusinessUnitSpec("HOT", "Hot unit")],
        suppliers=[SupplierSpec("SUP-H", "Hot supplier")],
        categories=[CategorySpec("hot", "Hot goods", [{"name": "grade", "type": "string"}])],
        skus=[SkuSpec(code, "hot", code, "t", {"grade": "A"}) for code in skus],
        warehouses=[WarehouseSpec("WH-H1", "Hot 1", "SUP-H", handling_cost="1"),
                    WarehouseSpec("WH-H2", "Hot 2", "SUP-H", handling_cost="2")],
        offers=[OfferSpec("SUP-H", code, "CNY", 1, [(1, "10")]) for code in skus],
        stock=[StockSpec("WH-H1", "HOT-A", 30), StockSpec("WH-H2", "HOT-A", 20),
               StockSpec("WH-H1", "HOT-D", 30), StockSpec("WH-H2", "HOT-D", 20),
               StockSpec("WH-H1", "HOT-B", 1000), StockSpec("WH-H2", "HOT-C", 1000),
               StockSpec("WH-H1", "HOT-E", 1000)],
        users=[UserSpec(f"hot_buyer_{i:03d}", "buyer", password_hash=password_hash(),
                        business_unit="HOT") for i in range(BUYERS)],
    )
    report = db.run_write(lambda s: bulk_load(s, SYSTEM, load))
    buyers = [auth_headers(Principal(report.user_ids[f"hot_buyer_{i:03d}"], Role.BUYER, "HOT"))
              for i in range(BUYERS)]
    return HotWorld(buyers, {c: report.offer_ids[("SUP-H", c)] for c in skus}, report.sku_ids)


async def _fire(base_url: str, requests: list[tuple[dict[str, str], dict[str, Any]]]
                ) -> list[httpx.Response]:
    """Send every request at once (a gate opens after all are ready)."""
    gate = asyncio.Event()
    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120.0) as client:
        async def one(headers: dict[str, str], body: dict[str, Any]) -> httpx.Response:
            await gate.wait()
            return await client.post("/api/v1/orders", json=body, headers=headers)

        tasks = [asyncio.create_task(one(h, b)) for h, b in requests]
        await asyncio.sleep(0.05)
        gate.set()
        return await asyncio.gather(*tasks)


def fire(base_url: str, requests: list[tuple[dict[str, str], dict[str, Any]]]
         ) -> list[httpx.Response]:
    return asyncio.run(_fire(base_url, requests))


def _sku_state(db: Database, sku_id: int) -> tuple[int, int, int, int]:
    """(available, reserved, orders with the SKU, units ordered)."""
    with db.read() as session:
        available, reserved = session.execute(
            select(func.sum(stock.c.available), func.sum(stock.c.reserved))
            .where(stock.c.sku_id == sku_id)).one()
        n_orders, units = session.execute(
            select(func.count(func.distinct(order_lines.c.order_id)),
                   func.coalesce(func.sum(order_lines.c.quantity), 0))
            .where(order_lines.c.sku_id == sku_id)).one()
    return int(available), int(reserved), int(n_orders), int(units)


def _assert_clean_refusals(responses: list[httpx.Response], code: str) -> Counter:
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, statuses  # in particular: no 5xx
    for r in responses:
        if r.status_code == 409:
            assert r.json()["error"]["code"] == code, r.text
    return statuses


def one_hot_sku(base_url: str, db: Database, world: HotWorld) -> None:
    """200 buyers × 1 unit of a SKU with 50 in stock → exactly 50 sold."""
    body = {"lines": [{"offer_id": world.offers["HOT-A"], "quantity": 1}]}
    responses = fire(base_url, [({**h, "Idempotency-Key": f"a-{i}"}, body)
                                for i, h in enumerate(world.buyers)])
    statuses = _assert_clean_refusals(responses, "out_of_stock")
    assert statuses[201] == HOT_STOCK and statuses[409] == BUYERS - HOT_STOCK
    refusal = next(r for r in responses if r.status_code == 409).json()["error"]["message"]
    assert refusal.startswith(f"insufficient stock: SKU {world.skus['HOT-A']}: requested 1")
    assert _sku_state(db, world.skus["HOT-A"]) == (0, HOT_STOCK, HOT_STOCK, HOT_STOCK)


def bundles_sharing_a_sku(base_url: str, db: Database, world: HotWorld) -> None:
    """Bundles [B, D] and [D, C] (lines in opposite orders) share D (50 in stock)."""
    o = world.offers
    requests = []
    for i, headers in enumerate(world.buyers):
        lines = ([o["HOT-B"], o["HOT-D"]] if i % 2 == 0 else [o["HOT-D"], o["HOT-C"]])
        requests.append(({**headers, "Idempotency-Key": f"d-{i}"},
                         {"lines": [{"offer_id": x, "quantity": 1} for x in lines]}))
    responses = fire(base_url, requests)
    statuses = _assert_clean_refusals(responses, "out_of_stock")
    assert statuses[201] == HOT_STOCK
    with_b = sum(1 for i, r in enumerate(responses) if r.status_code == 201 and i % 2 == 0)
    assert _sku_state(db, world.skus["HOT-D"]) == (0, HOT_STOCK, HOT_STOCK, HOT_STOCK)
    assert _sku_state(db, world.skus["HOT-B"]) == (1000 - with_b, with_b, with_b, with_b)
    with_c = HOT_STOCK - with_b
    assert _sku_state(db, world.skus["HOT-C"]) == (1000 - with_c, with_c, with_c, with_c)
    assert all(len(r.json()["lines"]) == 2 for r in responses if r.status_code == 201)


def same_key_fifty_times(base_url: str, db: Database, world: HotWorld) -> None:
    """The same order with one Idempotency-Key, 50× at once → one order."""
    headers = {**world.buyers[0], "Idempotency-Key": "one-and-only"}
    body = {"lines": [{"offer_id": world.offers["HOT-E"], "quantity": 3}]}
    responses = fire(base_url, [(headers, body)] * 50)
    statuses = _assert_clean_refusals(responses, "idempotency_in_flight")
    assert statuses[201] >= 1
    assert len({r.json()["id"] for r in responses if r.status_code == 201}) == 1
    assert _sku_state(db, world.skus["HOT-E"]) == (997, 3, 1, 3)
    replay = fire(base_url, [(headers, body)])[0]
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"

