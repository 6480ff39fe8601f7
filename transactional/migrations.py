"""Run the transactional database's Alembic migrations, explicitly, never on import.

Called by ``grouplake setup`` (``grouplake/setup_steps.py``), ``grouplake tx migrate``
and ``grouplake tx serve`` (before starting the server processes), and by tests on their
own throw-away databases.
"""

from __future__ import annotations

from pathlib import Path

SCRIPT_LOCATION = Path(__file__).resolve().parent / "db" / "migrations"


def _config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["url"] = url
    return config


def _url(database_url: str | None) -> str:
    if database_url:
        return database_url
    from infra.settings import get_settings

    return get_settings().oltp.database_url


def upgrade_database(database_url: str | None = None) -> str:
    """Bring the database to the newest schema (idempotent; quick when already there).

    Args:
        database_url: SQLAlchemy URL; default ``get_settings().oltp.database_url``.

    Returns:
        The head revision now applied.

    Example:
        >>> upgrade_database("sqlite:////tmp/grouplake-example.db")  # doctest: +SKIP
        '0001'
    """
    from alembic import command
    from sqlalchemy.engine import make_url

    url = _url(database_url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(_config(url), "head")
    return head_revision()


def head_revision() -> str:
    """The newest revision the code knows."""
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory(str(SCRIPT_LOCATION)).get_current_head())


def current_revision(connection) -> str | None:
    """The revision a database is at (``None`` when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()
