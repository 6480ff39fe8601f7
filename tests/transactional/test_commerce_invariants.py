"""The commerce invariant test: random concurrent orders, payments (duplicated and replayed
callbacks), refunds, cancellations, approvals and settlement runs against a real server →
every journal entry and statement balances, no payment is applied twice, stock and
reservations reconcile (``commerce_scenario.check_invariants``), every response was the one
the state machine predicts (checked call by call in the scenario), and the final orders agree
exactly with the successful calls (``commerce_scenario.reconcile``). On SQLite (two server
processes on one file) and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, require_service
from tests.transactional import commerce_scenario
from tests.transactional.servers import ApiServer, create_pg_database, drop_pg_database
from transactional.db.database import Database
from transactional.migrations import upgrade_database

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SEED = 20261125
ROUNDS = 30
ENV = {"OLTP__ORDER_RATE_PER_MINUTE": "1000000"}


def _run(url: str, home: Path, db: Database) -> dict[str, int]:
    world = commerce_scenario.build_world(db)
    env = {"GROUPLAKE_HOME": str(home), "OLTP__DATABASE_URL": url, **ENV}
    with ApiServer(env, workers=2, log=home / "server.log") as server:
        calls = commerce_scenario.run_scenario(server.base_url, world, seed=SEED,
                                               rounds=ROUNDS)
    counts = commerce_scenario.check_invariants(db)
    commerce_scenario.reconcile(db, calls)
    assert "Traceback" not in (home / "server.log").read_text()
    # the run covered what it is meant to (its outcomes were checked call by call above)
    for call in ("place", "approve", "ship", "deliver", "cancel"):
        assert calls[(call, 201 if call == "place" else 200)] > 0, (call, calls)
    assert calls[("illegal", 409)] > 0 and calls[("refund", 201)] > 0
    assert counts["statements"] >= 2 and counts.get("status_settled", 0) > 0
    return counts


def test_invariants_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'oltp.db'}"
    upgrade_database(url)
    db = Database(url)
    try:
        _run(url, tmp_path, db)
    finally:
        db.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    require_service("postgres")
    url = create_pg_database(POSTGRES_URL)
    yield url
    drop_pg_database(POSTGRES_URL, url)


@pytest.mark.postgres
def test_invariants_on_postgres(pg_url: str, tmp_path: Path) -> None:
    upgrade_database(pg_url)
    db = Database(pg_url, pool_size=2)
    try:
        _run(pg_url, tmp_path, db)
    finally:
        db.dispose()
