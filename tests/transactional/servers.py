"""Real processes for end-to-end tests: throw-away PostgreSQL databases and a uvicorn server
of the transactional API on a free port (never 8000)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Self

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[2]


def create_pg_database(base_url: str, prefix: str = "grouplake_tx_test") -> str:
    """Create an empty database next to ``base_url``'s; return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(base_url: str, url: str) -> None:
    """Drop a database made by :func:`create_pg_database` (closing its connections)."""
    name = make_url(url).database
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shared_secrets() -> dict[str, str]:
    """The test process's secrets as environment variables, so a server started with another
    ``GROUPLAKE_HOME`` verifies the tokens and signatures the test makes (a deployment shares
    its secrets the same way)."""
    from infra.settings import get_settings

    settings = get_settings()
    secrets = {"AUTH__JWT_SECRET": settings.auth.jwt_secret,
               "OLTP__PAYMENT_PROVIDER_SECRET": settings.oltp.payment_provider_secret,
               "OLTP__FIELD_ENCRYPTION_KEY": settings.oltp.field_encryption_key}
    return {name: value.get_secret_value() for name, value in secrets.items() if value}


class ApiServer:
    """``uvicorn transactional.main:create_app --factory --workers N`` in a subprocess."""

    def __init__(self, env: Mapping[str, str], workers: int = 1, log: Path | None = None) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "transactional.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
             "--no-access-log", "--log-level", "warning"],
            cwd=REPO, env={**os.environ, **shared_secrets(), **env}, stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 180.0) -> None:  # a loaded 2-core CI box starts slowly
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError("transactional API did not become ready")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not subprocess.DEVNULL:
            self._log.close()

    def __enter__(self) -> Self:
        try:
            self.wait_ready()
        except Exception:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
