"""Migrations: create exactly the tables the code declares; the audit log is append-only."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError

from transactional.db.tables.base import metadata
from transactional.migrations import head_revision, upgrade_database


def _diff(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return diff


def test_sqlite_migration_matches_tables_and_is_idempotent(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'a' / 'tx.db'}"
    assert upgrade_database(url) == head_revision()
    assert upgrade_database(url) == head_revision()
    assert _diff(url) == []


def test_audit_log_refuses_update_and_delete(db) -> None:
    with db.engine.begin() as connection:
        assert connection.execute(text("select count(*) from audit_log")).scalar() > 0
    for statement in ("update audit_log set action = 'x'", "delete from audit_log"):
        with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as c:
            c.execute(text(statement))


@pytest.mark.postgres
def test_postgres_migration_matches_tables(fresh_pg_url: str) -> None:
    assert upgrade_database(fresh_pg_url) == head_revision()
    assert _diff(fresh_pg_url) == []
    engine = create_engine(fresh_pg_url)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as c:
        c.execute(text("truncate audit_log"))
    engine.dispose()
