"""Fixtures of the serving tests on the session's demo lake (``tests/demo_lake.py``): the snapshot
the asset graph serves, the serving app over it, demo users logged in through the
transactional API, and suppliers chosen from gold. Module-scoped: each module re-runs the
snapshot asset (a no-op unless an earlier test changed gold), so modules do not depend on
each other's order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.serving.conftest import bearer
from tests.serving.demo.oracle import USERS, gold, units_of


@pytest.fixture(scope="module")
def served(demo_lake):
    """The snapshot the asset graph serves (the snapshot asset re-run: a no-op unless some
    earlier test changed gold)."""
    from serving.snapshot.pointer import read_pointer

    outcome = demo_lake.run("key:serving/snapshot")
    assert outcome.success, outcome.ledger.step_failures
    return read_pointer(demo_lake.settings.serving.snapshot_dir)

@pytest.fixture(scope="module")
def api(demo_lake, served) -> Iterator:
    """The serving app (``create_app``) over the demo home, looking at the pointer every request."""
    from fastapi.testclient import TestClient

    from serving.main import create_app

    settings = demo_lake.settings.model_copy(deep=True)
    settings.serving.poll_interval_s = 0
    with TestClient(create_app(settings)) as client:
        yield client

@pytest.fixture(scope="module")
def users(demo_lake) -> dict[str, dict[str, Any]]:
    """Demo users and their ``Authorization`` headers, logged in through the transactional API."""
    from fastapi.testclient import TestClient
    from sqlalchemy import create_engine, text

    from demo.platform_seed import DEMO_PASSWORD
    from transactional.main import create_app as transactional_app

    engine = create_engine(demo_lake.settings.oltp.database_url)
    with engine.connect() as con:
        found = [dict(r._mapping) for r in con.execute(text(
            "SELECT username, role, business_unit, supplier_id FROM users ORDER BY username"))]
    engine.dispose()
    wanted = [u for u in found if u["username"] in USERS or u["role"] == "supplier"]
    wanted.append(next(u for u in found if u["role"] == "buyer"))
    with TestClient(transactional_app(demo_lake.settings)) as tx:
        for user in wanted:
            response = tx.post("/api/v1/auth/token", data={"username": user["username"],
                                                           "password": DEMO_PASSWORD})
            assert response.status_code == 200, response.text
            user["headers"] = bearer(response.json()["access_token"])
    return {u["username"]: u for u in wanted}

@pytest.fixture(scope="module")
def auth(users) -> dict[str, dict[str, str]]:
    """``Authorization`` headers by demo username."""
    return {name: user["headers"] for name, user in users.items()}

@pytest.fixture(scope="module")
def members(demo_lake) -> dict[str, set[str]]:
    """Golden suppliers in each business unit (see :func:`units_of`)."""
    return units_of(demo_lake)

@pytest.fixture(scope="module")
def multi_unit(demo_lake) -> str:
    """A supplier with a current scorecard and spend in COAL and POWER (most spend rows)."""
    return gold(demo_lake, """
        SELECT supplier_key FROM gold.supplier_spend_by_bu
        WHERE supplier_key IN (SELECT supplier_key FROM gold.supplier_scorecards_current)
        GROUP BY supplier_key
        HAVING count(*) FILTER (WHERE business_unit_code = 'COAL') > 0
           AND count(*) FILTER (WHERE business_unit_code = 'POWER') > 0
        ORDER BY count(*) DESC, supplier_key LIMIT 1""")[0]["supplier_key"]

@pytest.fixture(scope="module")
def outside_coal(demo_lake, members) -> str:
    """A supplier with a current scorecard that is not in COAL at all."""
    return min(r["supplier_key"] for r in gold(demo_lake, "SELECT supplier_key FROM "
                                               "gold.supplier_scorecards_current")
               if r["supplier_key"] not in members["COAL"])

@pytest.fixture(scope="module")
def latest(demo_lake) -> dt.date:
    """The latest scorecard month in gold."""
    return gold(demo_lake, "SELECT max(scorecard_month) AS m FROM gold.supplier_scorecards")[0]["m"]
