"""Shared test fixtures: isolated settings, service requirements, and a per-marker time summary.

Tests that need a real service (PostgreSQL, MariaDB, MQTT, Spark/Java, S3) carry the marker
of the same name and call :func:`require_service`. Locally a missing service skips the test;
with ``CI=true`` it fails it, so CI can never go green by skipping. S3 is the tests' own moto
server (``tests/s3_support.py``), so it is available wherever the dev extra is installed.

The suite runs on pytest-xdist workers (``make test``: ``-n 2 --dist loadgroup``; see
tests/README.md). Each worker has its own PostgreSQL and MariaDB database
(``<TEST_*_URL database>_<worker>``, created on first use), tmp homes and free ports; the
end-to-end tests on the session's demo lake (``tests/demo_lake.py``) share one worker.
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
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

#: Property tests are deterministic (a fixed derivation of examples, like every seeded
#: generator here) and judged on their assertions, not on the speed of a loaded CI machine.
hypothesis_settings.register_profile("grouplake", derandomize=True, deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("grouplake")

#: fixtures shared as a plugin: ``s3_server`` / ``s3_bucket`` (a moto S3 server of the session's own)
pytest_plugins = ["tests.s3_support", "tests.demo_lake", "tests.xdist_groups"]

SERVICE_MARKERS = ("postgres", "mariadb", "mqtt", "spark", "s3", "browser", "e2e", "slow")

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
    if name == "browser":  # Debian's chromium (infra/install_chromium.sh)
        from tests.browser.chromium import chromium_binary

        return chromium_binary() is not None
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
            "SERVING", "SERVICES", "DEMO", "RISK", "SUPPLIERS", "DAGSTER",
        }:
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("GROUPLAKE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home" / "dagster"))
    monkeypatch.setenv("ENV", "ci" if in_ci() else "local")
    reset_settings_cache()
    yield get_settings()
    reset_settings_cache()


def worker_id() -> str | None:
    """The pytest-xdist worker running this process (``gw0`` …), None without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def worker_database_url(base_url: str) -> str:
    """``base_url`` with this xdist worker's own database (created if missing); ``base_url``
    itself without xdist. Workers never share a database, so their tests cannot collide."""
    worker = worker_id()
    if worker is None:
        return base_url
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    name = f"{url.database}_{worker}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if url.get_backend_name() == "postgresql":
                exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                            {"n": name}).first()
                if not exists:
                    connection.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                connection.execute(text(f"CREATE DATABASE IF NOT EXISTS `{name}`"))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _postgres_worker_url() -> str:
    require_service("postgres")
    return worker_database_url(POSTGRES_URL)


@pytest.fixture(scope="session")
def _mariadb_worker_url() -> str:
    require_service("mariadb")
    return worker_database_url(MARIADB_URL)


@pytest.fixture
def postgres_url(_postgres_worker_url: str) -> str:
    """SQLAlchemy URL of this worker's PostgreSQL test database."""
    return _postgres_worker_url


@pytest.fixture
def mariadb_url(_mariadb_worker_url: str) -> str:
    """SQLAlchemy URL of this worker's MariaDB test database."""
    return _mariadb_worker_url


@pytest.fixture
def mqtt_url() -> str:
    """URL of the machine's MQTT broker."""
    require_service("mqtt")
    return MQTT_URL


#: Markers whose tests share one xdist worker: one Spark JVM (2 cores, ~1 GB each) and one
#: set of MQTT client ids / topics on the broker at a time.
SERIAL_MARKERS = ("spark", "mqtt")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (it suffixes node ids with them)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Apply service requirements by marker, so a marked test cannot forget them; keep the tests
    of a :data:`SERIAL_MARKERS` service on one xdist worker (``--dist loadgroup``)."""
    for item in items:
        for name in ("postgres", "mariadb", "mqtt", "spark", "s3", "browser"):
            if item.get_closest_marker(name) is not None:
                item.add_marker(pytest.mark.usefixtures(f"_requires_{name}"))
        serial = [m for m in SERIAL_MARKERS if item.get_closest_marker(m) is not None]
        if serial and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(serial[0]))


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
_requires_browser = _make_requirement("browser")

_durations: dict[str, float] = defaultdict(float)
_counts: dict[str, int] = defaultdict(int)
_session_started = time.perf_counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add each phase's time to the test's markers (runs where reports arrive: in the xdist
    controller too, so the summary covers every worker)."""
    markers = [m for m in SERVICE_MARKERS if m in report.keywords] or ["unit"]
    for marker in markers:
        _durations[marker] += report.duration
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            _counts[marker] += 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the time spent per marker (test time summed over workers; CI's budget is 12
    minutes of wall time, printed last)."""
    if not _durations:
        return
    terminalreporter.section("time per marker")
    for marker, seconds in sorted(_durations.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(f"{marker:>10}: {seconds:8.1f}s  ({_counts[marker]} tests)")
    workers = getattr(config.option, "numprocesses", None) or 1
    terminalreporter.write_line(f"{'wall':>10}: {time.perf_counter() - _session_started:8.1f}s  "
                                f"({workers} worker(s))")
