"""``grouplake up``: busy ports are refused, every registered service becomes healthy, all stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from grouplake.services import registered_services
from grouplake.up import PortBusyError, check_ports, port_is_free
from infra.services import ServiceSpec

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_busy_port_is_refused_with_the_setting_to_change():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert not port_is_free("127.0.0.1", port)
        spec = ServiceSpec(name="dagster", command=["true"], port=port, health_url="http://x")
        with pytest.raises(PortBusyError, match=f"port {port} .* SERVICES__DAGSTER_PORT"):
            check_ports([spec])


def _service_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SERVICES__", "LAKE__"))}
    env.update(
        GROUPLAKE_HOME=str(tmp_path / "home"),
        DAGSTER_HOME=str(tmp_path / "home" / "dagster"),
        SERVICES__DAGSTER_PORT=str(free_port()),
        SERVICES__TRANSACTIONAL_PORT=str(free_port()),
        SERVICES__SERVING_PORT=str(free_port()),
        SERVICES__MLFLOW_PORT=str(free_port()),
        SERVICES__HEALTH_TIMEOUT_S="180",
    )
    return env


@pytest.mark.e2e
@pytest.mark.slow
def test_up_starts_every_registered_service_and_stops_them_on_sigterm(tmp_path, settings, monkeypatch):
    env = _service_env(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from infra.settings import get_settings, reset_settings_cache

    reset_settings_cache()
    specs = registered_services(get_settings())
    assert {s.name for s in specs} >= {"dagster"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "grouplake.cli", "up"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    output: list[str] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            output.append(line)
            if "All services are up" in line:
                break
        assert any("All services are up" in line for line in output), "".join(output)
        for spec in specs:
            assert httpx.get(spec.health_url, timeout=5).is_success, spec.name
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    for spec in specs:
        deadline = time.monotonic() + 15
        while not port_is_free(spec.host, spec.port) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert port_is_free(spec.host, spec.port), f"{spec.name} still listening after stop"
