"""Alembic environment: migrates the database given by ``transactional.migrations``.

The URL comes from ``config.attributes["url"]`` (set by :func:`upgrade_database`), never from
the environment at import time. On PostgreSQL a session advisory lock makes concurrent
migrators (``grouplake setup`` and a starting server) take turns.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from transactional.db.tables.base import metadata

MIGRATION_LOCK_KEY = 0x67726F75706C6B  # "grouplk"

config = context.config


def run_migrations_offline() -> None:
    context.configure(url=config.attributes["url"], target_metadata=metadata,
                      literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.attributes["url"], poolclass=pool.NullPool)
    with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            connection.commit()
        try:
            _run(connection)
        finally:
            if postgres:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                connection.commit()
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
