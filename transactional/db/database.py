"""Engine and transaction setup, per backend, so that concurrent writers stay correct.

SQLite (the embedded default): WAL journal (readers never block the writer), a busy timeout
(a writer waits for the lock instead of failing), foreign keys on, and every *write*
transaction opened with ``BEGIN IMMEDIATE``: it takes the database's write lock first, so a
read-check-write sequence (stock, idempotency keys) can never interleave with another
writer. Read-only transactions use a plain deferred ``BEGIN`` and run concurrently.

PostgreSQL: READ COMMITTED with explicit row locks (``SELECT … FOR UPDATE`` in a fixed order,
see ``ordering/reservation.py``), a ``lock_timeout`` so nothing waits forever, and a bounded
retry of the whole transaction on deadlock / serialization failure.

Every write transaction flushes the session's pending outbox events just before commit
(``db/outbox.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from infra.fieldcrypt import FieldCipher
from infra.settings import Settings
from transactional.db.fastpath import FAST_PATH_OPTION
from transactional.db.outbox import discard_pending_events, flush_pending_events
from transactional.db.types import CIPHER_ATTRIBUTE
from transactional.domain.errors import ConflictError, DomainError

log = logging.getLogger(__name__)
T = TypeVar("T")

#: PostgreSQL SQLSTATEs after which the whole transaction is retried.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
#: PostgreSQL SQLSTATE of an expired lock_timeout.
LOCK_TIMEOUT_SQLSTATE = "55P03"


class ServiceBusyError(DomainError):
    """The database stayed locked beyond the configured timeout (HTTP 503, retry later)."""

    code = "busy"


def _sqlstate(exc: BaseException) -> str | None:
    """SQLSTATE of a driver error, wrapped by SQLAlchemy or raised by the fast path."""
    return getattr(getattr(exc, "orig", exc), "sqlstate", None)


class Database:
    """One engine plus read and write session factories.

    Example:
        >>> db = Database("sqlite:////tmp/example.db")  # doctest: +SKIP
        >>> with db.write() as session:  # BEGIN IMMEDIATE … COMMIT  # doctest: +SKIP
        ...     session.execute(text("select 1"))
    """

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 8,
        max_overflow: int = 4,
        busy_timeout_ms: int = 30_000,
        lock_timeout_ms: int = 10_000,
        fast_path: bool = True,
        field_cipher: FieldCipher | None = None,
    ) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.busy_timeout_ms = busy_timeout_ms
        if self.is_sqlite:
            if self.url.database and self.url.database != ":memory:":
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(
                self.url,
                connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
                pool_size=pool_size,
                max_overflow=max_overflow,
            )
            _install_sqlite_behaviour(self.engine, busy_timeout_ms)
        else:
            connect_args: dict[str, Any] = {}
            if self.url.get_backend_name() == "postgresql":
                connect_args["options"] = f"-c lock_timeout={int(lock_timeout_ms)}"
            self.engine = create_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_recycle=3600,
                connect_args=connect_args,
            )
        # encrypted columns (db/types.EncryptedText) find their key on the dialect
        setattr(self.engine.dialect, CIPHER_ATTRIBUTE, field_cipher)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE",
                                          **{FAST_PATH_OPTION: fast_path}),
            expire_on_commit=False,
        )
        event.listen(self._writer, "before_commit", flush_pending_events)
        event.listen(self._writer, "after_rollback", discard_pending_events)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """Build from ``settings.oltp``."""
        oltp = settings.oltp
        return cls(
            oltp.database_url,
            pool_size=oltp.pool_size,
            max_overflow=oltp.max_overflow,
            busy_timeout_ms=oltp.busy_timeout_ms,
            lock_timeout_ms=oltp.lock_timeout_ms,
            fast_path=oltp.fast_path,
            field_cipher=FieldCipher.from_secret(oltp.field_encryption_key.get_secret_value(),
                                                 oltp.field_key_id)
            if oltp.field_encryption_key else None,
        )

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (deferred transaction, rolled back at the end)."""
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any exception."""
        with self._writer() as session, session.begin():
            yield session

    def run_write(self, fn: Callable[[Session], T], *, attempts: int = 4) -> T:
        """Run ``fn`` in a write transaction, retrying the whole of it on deadlock /
        serialization failure, and translating lock timeouts and constraint violations.

        Raises:
            ServiceBusyError: the database stayed locked (HTTP 503).
            ConflictError: a constraint the database enforces was violated (HTTP 409).
        """
        for attempt in range(1, attempts + 1):
            try:
                with self.write() as session:
                    return fn(session)
            except DomainError:
                raise
            except Exception as exc:
                state = _sqlstate(exc)
                if isinstance(exc, IntegrityError) or (state or "").startswith("23"):
                    log.info("constraint violation: %s", exc)
                    raise ConflictError(
                        "the change conflicts with existing data", code="constraint_violation"
                    ) from exc
                if (self.is_sqlite and isinstance(exc, OperationalError)
                        and "locked" in str(exc.orig).lower()):
                    raise ServiceBusyError("database is busy; retry shortly") from exc
                if state == LOCK_TIMEOUT_SQLSTATE:
                    raise ServiceBusyError("a row stayed locked too long; retry shortly") from exc
                if state in RETRYABLE_SQLSTATES and attempt < attempts:
                    time.sleep(0.005 * attempt)
                    continue
                if state in RETRYABLE_SQLSTATES:
                    raise ServiceBusyError("too many concurrent conflicts; retry") from exc
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def ping(self) -> None:
        """Run ``SELECT 1`` (raises when the database is unreachable)."""
        with self.engine.connect() as connection:
            connection.execute(text("select 1"))

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _install_sqlite_behaviour(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event (below) issue BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")
