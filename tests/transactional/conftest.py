"""Fixtures of the transactional tests: a migrated SQLite database holding the standard
world (built once per session, copied per test), an app and a client on it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.transactional.factories import World, build_world


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    """A migrated SQLite file with the standard world, built once."""
    from infra.settings import reset_settings_cache
    from transactional.db.database import Database
    from transactional.migrations import upgrade_database

    saved = os.environ.get("ENV")
    os.environ.setdefault("ENV", "local")
    reset_settings_cache()
    path = tmp_path_factory.mktemp("tx-template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    db = Database(url)
    world = build_world(db)
    db.dispose()
    if saved is None:
        os.environ.pop("ENV", None)
    reset_settings_cache()
    return path, world


@pytest.fixture
def tx_settings(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                world_template: tuple[Path, World]):
    """Settings whose OLTP database is a fresh copy of the world template."""
    from infra.settings import get_settings, reset_settings_cache

    db_path = tmp_path / "oltp.db"
    shutil.copyfile(world_template[0], db_path)
    monkeypatch.setenv("OLTP__DATABASE_URL", f"sqlite:///{db_path}")
    reset_settings_cache()
    return get_settings()


@pytest.fixture
def world(world_template: tuple[Path, World]) -> World:
    return world_template[1]


@pytest.fixture
def db(tx_settings) -> Iterator[object]:
    from transactional.db.database import Database

    database = Database.from_settings(tx_settings)
    yield database
    database.dispose()


@pytest.fixture
def app(tx_settings):
    from transactional.main import create_app

    return create_app(tx_settings)


@pytest.fixture
def client(app) -> Iterator[object]:
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def fresh_pg_url(postgres_url: str) -> Iterator[str]:
    """An empty PostgreSQL database, dropped afterwards."""
    from tests.transactional.servers import create_pg_database, drop_pg_database

    url = create_pg_database(postgres_url)
    yield url
    drop_pg_database(postgres_url, url)


@pytest.fixture
def docs_on(settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The API docs served whatever the profile (``ENV=ci`` turns them off by default);
    list it before ``client`` so the app is built with it."""
    from infra.settings import reset_settings_cache

    monkeypatch.setenv("SERVICES__API_DOCS", "true")
    reset_settings_cache()
