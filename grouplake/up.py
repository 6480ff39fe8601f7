"""``grouplake up``: start every registered service, wait for health, stop them all cleanly.

Busy ports are refused before anything starts. Each service runs in its own process group
with its output in ``<home>/logs/<name>.log``; Ctrl-C or SIGTERM stops every child (TERM,
then KILL after a grace period). If any service dies or never becomes healthy, the others
are stopped and the exit code is non-zero.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console

from infra.services import ServiceSpec


class PortBusyError(RuntimeError):
    """A service's port is already taken."""


@dataclass
class RunningService:
    spec: ServiceSpec
    process: subprocess.Popen
    log_path: Path


def port_is_free(host: str, port: int) -> bool:
    """Whether nothing listens on ``host:port`` (and we could bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def check_ports(specs: Sequence[ServiceSpec]) -> None:
    """Refuse to start if any port is busy, naming the service and the setting to change."""
    busy = [s for s in specs if not port_is_free(s.host, s.port)]
    if busy:
        lines = [
            f"port {s.port} on {s.host} is already in use (needed by {s.name}); stop what uses it "
            f"or set SERVICES__{_port_setting(s.name)}"
            for s in busy
        ]
        raise PortBusyError("\n".join(lines))


def _port_setting(name: str) -> str:
    return {
        "dagster": "DAGSTER_PORT",
        "transactional-api": "TRANSACTIONAL_PORT",
        "serving-api": "SERVING_PORT",
        "mlflow": "MLFLOW_PORT",
    }.get(name, f"{name.upper().replace('-', '_')}_PORT")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start(spec: ServiceSpec, log_dir: Path, cwd: Path) -> RunningService:
    """Start one service in its own process group, logging to ``log_dir``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{spec.name}.log"
    log = log_path.open("ab")
    env = {**os.environ, **spec.env}
    process = subprocess.Popen(
        spec.command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    return RunningService(spec, process, log_path)


def wait_healthy(service: RunningService, timeout_s: float) -> None:
    """Poll the health URL until it answers 2xx; raise if the process dies or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(
                f"{service.spec.name} exited with code {service.process.returncode}; "
                f"last log lines ({service.log_path}):\n{_tail(service.log_path)}"
            )
        try:
            if httpx.get(service.spec.health_url, timeout=2.0).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(
        f"{service.spec.name} did not become healthy at {service.spec.health_url} within "
        f"{timeout_s:.0f}s; last log lines ({service.log_path}):\n{_tail(service.log_path)}"
    )


def stop_all(services: Sequence[RunningService], grace_s: float = 10.0) -> None:
    """TERM every service's process group, then KILL what is still alive after ``grace_s``."""
    for service in services:
        if service.process.poll() is None:
            try:
                os.killpg(service.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace_s
    for service in services:
        remaining = max(0.1, deadline - time.monotonic())
        try:
            service.process.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(service.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def run_services(
    specs: Sequence[ServiceSpec],
    *,
    log_dir: Path,
    cwd: Path,
    health_timeout_s: float,
    console: Console | None = None,
    block: bool = True,
) -> list[RunningService]:
    """Start ``specs``, wait for health, print URLs, then block until a signal.

    With ``block=False`` the started services are returned once healthy (tests stop them
    with :func:`stop_all`).
    """
    console = console or Console()
    check_ports(specs)
    running: list[RunningService] = []
    stopping = False

    def _on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    previous = {
        s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGINT)
    } if block else {}
    try:
        for spec in specs:
            console.print(f"starting [bold]{spec.name}[/bold] on {spec.host}:{spec.port} …")
            running.append(start(spec, log_dir, cwd))
        for service in running:
            wait_healthy(service, health_timeout_s)
            console.print(f"[green]✓[/green] {service.spec.name} healthy ({service.spec.health_url})")
        for service in running:
            for label, url in service.spec.urls.items():
                console.print(f"  {label}: [link={url}]{url}[/link]")
        for service in running:
            if service.spec.examples:
                console.print(f"\n[bold]Try the {service.spec.name}:[/bold]")
                for command in service.spec.examples:
                    console.print(command, soft_wrap=True, highlight=False, markup=False)
        if not block:
            return running
        console.print("All services are up. Ctrl-C stops them.")
        while True:
            for service in running:
                if service.process.poll() is not None:
                    raise RuntimeError(
                        f"{service.spec.name} exited with code {service.process.returncode}; "
                        f"see {service.log_path}:\n{_tail(service.log_path)}"
                    )
            time.sleep(1.0)
    except KeyboardInterrupt:
        console.print("stopping services …")
        stop_all(running)
        return running
    except BaseException:
        stop_all(running)
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
