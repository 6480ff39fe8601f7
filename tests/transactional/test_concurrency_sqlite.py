"""Never oversell on SQLite: 200 concurrent buyers against a real uvicorn server with two
worker processes sharing one SQLite file (WAL, BEGIN IMMEDIATE, busy timeout)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.transactional import concurrency
from tests.transactional.servers import ApiServer
from transactional.db.database import Database
from transactional.migrations import upgrade_database

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[tuple[str, Database, concurrency.HotWorld]]:
    home = tmp_path_factory.mktemp("tx-sqlite-e2e")
    url = f"sqlite:///{home / 'oltp.db'}"
    upgrade_database(url)
    db = Database(url)
    world = concurrency.build_hot_world(db)
    env = {"GROUPLAKE_HOME": str(home), "OLTP__DATABASE_URL": url,
           "OLTP__ORDER_RATE_PER_MINUTE": "1000000"}
    with ApiServer(env, workers=2, log=home / "server.log") as server:
        yield server.base_url, db, world
    db.dispose()


def test_one_hot_sku(sqlite_server) -> None:
    concurrency.one_hot_sku(*sqlite_server)


def test_bundles_sharing_a_sku(sqlite_server) -> None:
    concurrency.bundles_sharing_a_sku(*sqlite_server)


def test_same_idempotency_key_fifty_times(sqlite_server) -> None:
    concurrency.same_key_fifty_times(*sqlite_server)


def test_server_log_has_no_errors(sqlite_server, tmp_path_factory) -> None:
    logs = list(Path(tmp_path_factory.getbasetemp()).glob("tx-sqlite-e2e*/server.log"))
    assert logs and "Traceback" not in logs[0].read_text()
