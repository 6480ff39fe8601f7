"""Never oversell on PostgreSQL: 200 concurrent buyers against uvicorn with four worker
processes on a fresh database (row locks in a fixed order + conditional updates)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, require_service
from tests.transactional import concurrency
from tests.transactional.servers import ApiServer, create_pg_database, drop_pg_database
from transactional.db.database import Database
from transactional.migrations import upgrade_database

pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[str, Database, concurrency.HotWorld]]:
    require_service("postgres")
    home = tmp_path_factory.mktemp("tx-pg-e2e")
    url = create_pg_database(POSTGRES_URL)
    try:
        upgrade_database(url)
        db = Database(url, pool_size=2)
        world = concurrency.build_hot_world(db)
        env = {"GROUPLAKE_HOME": str(home), "OLTP__DATABASE_URL": url,
               "OLTP__ORDER_RATE_PER_MINUTE": "1000000", "OLTP__POOL_SIZE": "6",
               "OLTP__MAX_OVERFLOW": "2"}
        with ApiServer(env, workers=4, log=home / "server.log") as server:
            yield server.base_url, db, world
        db.dispose()
    finally:
        drop_pg_database(POSTGRES_URL, url)


def test_one_hot_sku(pg_server) -> None:
    concurrency.one_hot_sku(*pg_server)


def test_bundles_sharing_a_sku(pg_server) -> None:
    concurrency.bundles_sharing_a_sku(*pg_server)


def test_same_idempotency_key_fifty_times(pg_server) -> None:
    concurrency.same_key_fifty_times(*pg_server)


def test_server_log_has_no_errors(pg_server, tmp_path_factory) -> None:
    logs = list(Path(tmp_path_factory.getbasetemp()).glob("tx-pg-e2e*/server.log"))
    assert logs and "Traceback" not in logs[0].read_text()
