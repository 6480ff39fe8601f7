"""Shared test fixtures: isolated settings, service requirements, and a per-marker time summary.

Tests that need a real service (PostgreSQL, MariaDB, MQTT, Spark/Java, S3) carry the marker
of the same name and call :func:`require_service`. Locally a missing service skips the test;
with ``CI=true`` it fails it, so CI can never go green by skipping. S3 is the tests' own moto
server (``tests/s3_support.py``), so it is available wherever the dev extra is installed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

#: fixtures shared as a plugin: ``s3_server`` / ``s3_bucket`` (a moto S3 server of the session's own)
pytest_plugins = ["tests.s3_support"]

SERVICE_MARKERS = ("postgres", "mariadb", "mqtt", "spark", "s3", "e2e", "slow")

#: host, port of each network service on the project's machines.
SERVICE_ADDRESSES = {
    "postgres": ("127.0.0.1", 5432),
    "mariadb": ("127.0.0.1", 3306),
    "mqtt": ("127.0.0.1", 1883),
}

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MARIADB_URL = os.environ.get("TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
MQTT_URL = os.environ.get("TEST_MQTT_URL", "mqtt://127.0.0.1:1883")


def in_ci() -> bool:
    """True when running under CI, where a missing service is a failure."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def service_available(name: str) -> bool:
    """Whether the named service answers on this machine."""
    if name in SERVICE_ADDRESSES:
        return _port_open(*SERVICE_ADDRESSES[name])
    if name == "spark":
        try:
            import pyspark  # noqa: F401
        except ImportError:
            return False
        return shutil.which("java") is not None
    if name == "s3":  # the tests start their own moto S3 server (tests/s3_support.py)
        return all(importlib.util.find_spec(m) is not None for m in ("moto", "flask", "boto3"))
    return True


def require_service(name: str) -> None:
    """Skip (locally) or fail (CI) the current test when ``name`` is not available."""
    if service_available(name):
        return
    message = f"service {name!r} is not available on this machine"
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing service is a failure)")
    pytest.skip(message)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Isolated settings: every local default under ``tmp_path/home``.

    Yields the :class:`infra.settings.Settings` object the code under test will see.
    """
    from infra.settings import get_settings, reset_settings_cache

    for key in list(os.environ):
        if "__" in key and key.split("__")[0] in {
            "LAKE", "ERP", "CRM", "WMS", "IOT", "OLTP", "AUTH", "DBT", "MLFLOW",
            "SERVING", "SERVICES", "DEMO",
        }:
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("GROUPLAKE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home" / "dagster"))
    monkeypatch.setenv("ENV", "ci" if in_ci() else "local")
    reset_settings_cache()
    yield get_settings()
    reset_settings_cache()


@pytest.fixture
def postgres_url() -> str:
    """SQLAlchemy URL of the machine's PostgreSQL test database."""
    require_service("postgres")
    return POSTGRES_URL


@pytest.fixture
def mariadb_url() -> str:
    """SQLAlchemy URL of the machine's MariaDB test database."""
    require_service("mariadb")
    return MARIADB_URL


@pytest.fixture
def mqtt_url() -> str:
    """URL of the machine's MQTT broker."""
    require_service("mqtt")
    return MQTT_URL


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Apply service requirements by marker, so a marked test cannot forget them."""
    for item in items:
        for name in ("postgres", "mariadb", "mqtt", "spark", "s3"):
            if item.get_closest_marker(name) is not None:
                item.add_marker(pytest.mark.usefixtures(f"_requires_{name}"))


def _make_requirement(name: str):
    @pytest.fixture
    def _fixture() -> None:
        require_service(name)

    _fixture.__name__ = f"_requires_{name}"
    return _fixture


_requires_postgres = _make_requirement("postgres")
_requires_mariadb = _make_requirement("mariadb")
_requires_mqtt = _make_requirement("mqtt")
_requires_spark = _make_requirement("spark")
_requires_s3 = _make_requirement("s3")

_durations: dict[str, float] = defaultdict(float)
_counts: dict[str, int] = defaultdict(int)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    markers = [m for m in SERVICE_MARKERS if item.get_closest_marker(m) is not None]
    for marker in markers or ["unit"]:
        _durations[marker] += elapsed
        _counts[marker] += 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the time spent per marker (CI keeps an eye on its 20-minute budget)."""
    if not _durations:
        return
    terminalreporter.section("time per marker")
    for marker, seconds in sorted(_durations.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(f"{marker:>10}: {seconds:8.1f}s  ({_counts[marker]} tests)")
