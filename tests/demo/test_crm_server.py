"""The demo CRM REST API: keyset paging, auth, rate limiting and injected failures (exact counts)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import httpx
import pytest

from demo.crm_server import CrmChaos, decode_cursor, serve_crm

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def crm_db(demo_settings: object) -> Path:
    return Path(demo_settings.demo.dir) / "crm.db"


def _count(db: Path, entity: str, where: str = "", params: tuple = ()) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {entity} {where}", params).fetchone()[0]
    finally:
        conn.close()


def _pages(client: httpx.Client, entity: str, **params: object) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = client.get(f"/api/v1/{entity}", params=query, headers=AUTH).raise_for_status().json()
        pages.append(body["data"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


@pytest.mark.parametrize("entity, id_column", [("customers", "customer_id"), ("contacts", "contact_id"),
                                               ("interactions", "interaction_id"), ("tickets", "ticket_id")])
def test_keyset_paging_returns_every_row_once_in_order(crm_db: Path, entity: str, id_column: str) -> None:
    total = _count(crm_db, entity)
    assert total > 0
    with serve_crm(crm_db, token=TOKEN) as url, httpx.Client(base_url=url) as client:
        pages = _pages(client, entity, limit=37)
    rows = [r for page in pages for r in page]
    assert len(rows) == total
    assert len(pages) == -(-total // 37)
    keys = [(r["updated_at"], r[id_column]) for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == total


def test_updated_since_is_inclusive_and_cursor_is_opaque_keyset(crm_db: Path) -> None:
    since = "2026-06-01T00:00:00Z"
    expected = _count(crm_db, "customers", "WHERE updated_at >= ?", (since,))
    with serve_crm(crm_db, token=TOKEN) as url, httpx.Client(base_url=url) as client:
        rows = [r for p in _pages(client, "customers", updated_since="2026-06-01T08:00:00+08:00", limit=5) for r in p]
        first = client.get("/api/v1/customers", params={"limit": 2}, headers=AUTH).json()
    assert len(rows) == expected and all(r["updated_at"] >= since for r in rows)
    last = first["data"][-1]
    assert decode_cursor(first["next_cursor"]) == (last["updated_at"], last["customer_id"])


def test_auth_routes_and_validation(crm_db: Path) -> None:
    with serve_crm(crm_db, token=TOKEN) as url, httpx.Client(base_url=url) as client:
        assert client.get("/api/v1/customers").status_code == 401
        assert client.get("/api/v1/customers", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/v1/suppliers", headers=AUTH).status_code == 404
        assert client.post("/api/v1/customers", headers=AUTH).status_code == 405
        assert client.get("/api/v1/customers", params={"limit": 0}, headers=AUTH).status_code == 400
        assert client.get("/api/v1/customers", params={"limit": 5000}, headers=AUTH).status_code == 400
        assert client.get("/api/v1/customers", params={"cursor": "garbage"}, headers=AUTH).status_code == 400
        assert client.get("/api/v1/customers", params={"updated_since": "yesterday"}, headers=AUTH).status_code == 400
        one = client.get("/api/v1/customers/CUST-000001", headers=AUTH)
        assert one.status_code == 200 and one.json()["data"]["customer_id"] == "CUST-000001"
        assert client.get("/api/v1/customers/CUST-999999", headers=AUTH).status_code == 404


def test_rate_limit_answers_429_with_retry_after(crm_db: Path) -> None:
    chaos = CrmChaos(rate_limit_per_s=0.001, burst=3, retry_after_s=7)
    with serve_crm(crm_db, token=TOKEN, chaos=chaos) as url, httpx.Client(base_url=url) as client:
        statuses = [client.get("/api/v1/customers", params={"limit": 1}, headers=AUTH) for _ in range(5)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
    assert statuses[3].headers["Retry-After"] == "7"


def test_deterministic_throttling(crm_db: Path) -> None:
    chaos = CrmChaos(throttle_first=1, throttle_every=4, retry_after_s=2, fail_first=1)
    with serve_crm(crm_db, token=TOKEN, chaos=chaos) as url, httpx.Client(base_url=url) as client:
        replies = [client.get("/api/v1/customers", params={"limit": 1}, headers=AUTH) for _ in range(9)]
    assert [r.status_code for r in replies] == [429, 503, 200, 429, 200, 200, 200, 429, 200]
    assert replies[0].headers["Retry-After"] == "2"


def test_forced_failures_then_recovery(crm_db: Path) -> None:
    chaos = CrmChaos(fail_first=3, error_status=502)
    with serve_crm(crm_db, token=TOKEN, chaos=chaos) as url, httpx.Client(base_url=url) as client:
        codes = [client.get("/api/v1/tickets", params={"limit": 1}, headers=AUTH).status_code for _ in range(5)]
    assert codes == [502, 502, 502, 200, 200]


def test_seeded_error_rate_is_reproducible(crm_db: Path) -> None:
    chaos = CrmChaos(error_rate=0.3, seed=11)
    draws = random.Random(11)
    expected = [503 if draws.random() < 0.3 else 200 for _ in range(40)]
    with serve_crm(crm_db, token=TOKEN, chaos=chaos) as url, httpx.Client(base_url=url) as client:
        codes = [client.get("/api/v1/contacts", params={"limit": 1}, headers=AUTH).status_code for _ in range(40)]
    assert codes == expected
    assert codes.count(503) == expected.count(503) > 0


def test_profile_chaos_matches_the_profile() -> None:
    chaos = CrmChaos.from_profile(seed=3)
    assert (chaos.error_rate, chaos.rate_limit_per_s, chaos.burst) == (0.02, 20.0, 40)


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), serve_crm(tmp_path / "nope.db", token=TOKEN):
        pass
