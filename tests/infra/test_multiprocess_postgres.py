"""Scale-out of the transactional API as deployed (two pods / two compose replicas): two
separate server processes behind ONE PostgreSQL database, requests spread over both at once.
No oversell (row locks in the database, not in a process) and an Idempotency-Key holds
across processes (the key's row is the arbiter), as the HPA in
``infra/deploy/k8s/20-transactional.yaml`` assumes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import POSTGRES_URL, require_service
from tests.transactional import concurrency
from tests.transactional.servers import ApiServer, create_pg_database, drop_pg_database
from transactional.db.database import Database
from transactional.migrations import upgrade_database

# one worker builds the world and starts the two servers once (module fixture)
pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.slow,
              pytest.mark.xdist_group("infra_two_processes")]


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[tuple[list[str], Database, concurrency.HotWorld]]:
    """Two one-worker API processes (own homes, like two pods) on one fresh database."""
    require_service("postgres")
    url = create_pg_database(POSTGRES_URL, "grouplake_two_processes")
    try:
        upgrade_database(url)  # the migrations Job, once, before the pods start
        db = Database(url, pool_size=2)
        world = concurrency.build_hot_world(db)
        servers = []
        try:
            for name in ("pod-a", "pod-b"):
                home = tmp_path_factory.mktemp(name)
                servers.append(ApiServer(
                    {"GROUPLAKE_HOME": str(home), "OLTP__DATABASE_URL": url,
                     "OLTP__ORDER_RATE_PER_MINUTE": "1000000", "OLTP__POOL_SIZE": "4",
                     "OLTP__MAX_OVERFLOW": "2"},
                    workers=1, log=home / "server.log"))
            for server in servers:
                server.wait_ready()
            yield [s.base_url for s in servers], db, world
        finally:
            for server in servers:
                server.stop()
            db.dispose()
    finally:
        drop_pg_database(POSTGRES_URL, url)


async def _fire_spread(urls: list[str], requests: list[tuple[dict[str, str], dict[str, Any]]]
                       ) -> list[tuple[str, httpx.Response]]:
    """Send every request at once, request i to process i mod len(urls)."""
    gate = asyncio.Event()
    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=120.0) as client:
        async def one(url: str, headers: dict[str, str], body: dict[str, Any]):
            await gate.wait()
            return url, await client.post(f"{url}/api/v1/orders", json=body, headers=headers)

        tasks = [asyncio.create_task(one(urls[i % len(urls)], h, b))
                 for i, (h, b) in enumerate(requests)]
        await asyncio.sleep(0.05)
        gate.set()
        return await asyncio.gather(*tasks)


def fire_spread(urls, requests):
    return asyncio.run(_fire_spread(urls, requests))


def test_no_oversell_across_two_processes(two_servers) -> None:
    urls, db, world = two_servers
    body = {"lines": [{"offer_id": world.offers["HOT-A"], "quantity": 1}]}
    answers = fire_spread(urls, [({**h, "Idempotency-Key": f"mp-a-{i}"}, body)
                                 for i, h in enumerate(world.buyers)])
    responses = [r for _, r in answers]
    statuses = concurrency._assert_clean_refusals(responses, "out_of_stock")
    assert statuses[201] == concurrency.HOT_STOCK
    assert statuses[409] == concurrency.BUYERS - concurrency.HOT_STOCK
    sold_by = {url: sum(1 for u, r in answers if u == url and r.status_code == 201)
               for url in urls}
    assert all(sold_by.values()), sold_by  # both processes sold: the race was real
    assert concurrency._sku_state(db, world.skus["HOT-A"]) == (
        0, concurrency.HOT_STOCK, concurrency.HOT_STOCK, concurrency.HOT_STOCK)


def test_one_idempotency_key_makes_one_order_across_two_processes(two_servers) -> None:
    urls, db, world = two_servers
    headers = {**world.buyers[0], "Idempotency-Key": "mp-one-and-only"}
    body = {"lines": [{"offer_id": world.offers["HOT-E"], "quantity": 3}]}
    answers = fire_spread(urls, [(headers, body)] * 40)
    responses = [r for _, r in answers]
    statuses = concurrency._assert_clean_refusals(responses, "idempotency_in_flight")
    assert statuses[201] >= 1
    assert len({r.json()["id"] for r in responses if r.status_code == 201}) == 1
    assert concurrency._sku_state(db, world.skus["HOT-E"]) == (997, 3, 1, 3)
    # a retry reaching either process replays the one order
    for url in urls:
        replay = fire_spread([url], [(headers, body)])[0][1]
        assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
        assert replay.json()["id"] == next(r.json()["id"] for r in responses
                                           if r.status_code == 201)
