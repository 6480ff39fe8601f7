"""HTTP load for the serving benchmark: a uvicorn server process and a load generator process.

The load generator is ``wrk`` (Debian package ``wrk``; C, so the 2-core machine's CPU goes to
the server, not to the client) driven by a Lua script that walks a pre-drawn request sequence
(paths and bearer tokens), or, where ``wrk`` is absent, a subprocess of asyncio clients with
httpx (costlier per request, which compresses the server-side difference). Both report
requests/s and latency percentiles for a fixed duration and number of connections.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Self

import httpx

REPO = Path(__file__).resolve().parents[2]

_LUA = """
local paths = {%(paths)s}
local tokens = {%(tokens)s}
local counter = 0
request = function()
  counter = counter + 1
  local path = paths[(counter %% #paths) + 1]
  local token = tokens[(counter %% #tokens) + 1]
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "bytes": %%d, "errors": {"connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d}, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, ' ..
    '"mean_us": %%.1f, "max_us": %%d}\\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
"""


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: prefixes of the environment variables that are GroupLake settings (``LAKE__ROOT`` …).
SETTINGS_PREFIXES = frozenset({"LAKE", "ERP", "CRM", "WMS", "IOT", "OLTP", "AUTH", "DBT", "MLFLOW",
                               "SERVING", "SERVICES", "DEMO"})


def settings_free_environ() -> dict[str, str]:
    """This process's environment without GroupLake settings variables (nor ``GROUPLAKE_HOME``)."""
    return {key: value for key, value in os.environ.items() if key != "GROUPLAKE_HOME"
            and not ("__" in key and key.split("__")[0] in SETTINGS_PREFIXES)}


class ServingServer:
    """``uvicorn <factory> --factory`` on a free port, one worker unless told otherwise.

    The server inherits this process's environment plus ``env``; with ``isolated`` the
    inherited GroupLake settings variables are dropped first, so ``env`` alone configures it
    (what a benchmark built with :func:`infra.settings.isolated_settings` needs).
    """

    def __init__(self, factory: str, env: Mapping[str, str], *, workers: int = 1,
                 cpus: str | None = None, isolated: bool = False) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1",
                   "--port", str(self.port), "--workers", str(workers), "--no-access-log",
                   "--log-level", "warning"]
        if cpus and shutil.which("taskset"):
            command = ["taskset", "-c", cpus, *command]
        inherited = settings_free_environ() if isolated else dict(os.environ)
        self.process = subprocess.Popen(command, cwd=REPO, env={**inherited, **env},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60.0) -> None:
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
        raise TimeoutError("serving API did not become ready")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Self:
        self.wait_ready()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _lua_strings(values: Sequence[str]) -> str:
    return ",".join(json.dumps(v) for v in values)


def run_wrk(base_url: str, paths: Sequence[str], tokens: Sequence[str], *, connections: int,
            seconds: float, threads: int = 1, cpus: str | None = None) -> dict[str, Any]:
    """Drive ``paths`` (cycled) with ``connections`` keep-alive connections for ``seconds``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_LUA % {"paths": _lua_strings(paths), "tokens": _lua_strings(tokens)})
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
               "--timeout", "10s", "-s", script.name, base_url]
    if cpus and shutil.which("taskset"):
        command = ["taskset", "-c", cpus, *command]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    finally:
        os.unlink(script.name)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    seconds_measured = summary["duration_us"] / 1e6
    return {
        "generator": "wrk",
        "requests_per_s": round(summary["requests"] / seconds_measured, 1),
        "requests": summary["requests"],
        "p50_ms": round(summary["p50_us"] / 1000, 3),
        "p90_ms": round(summary["p90_us"] / 1000, 3),
        "p99_ms": round(summary["p99_us"] / 1000, 3),
        "mean_ms": round(summary["mean_us"] / 1000, 3),
        "bytes_per_response": round(summary["bytes"] / max(1, summary["requests"]), 1),
        "errors": summary["errors"],
    }


_HTTPX_CLIENT = r"""
import asyncio, json, sys, time
import httpx
spec = json.loads(sys.stdin.read())
async def client(i, paths, tokens, stop, latencies, errors):
    async with httpx.AsyncClient(base_url=spec["base_url"], timeout=10) as http:
        n = i
        while time.monotonic() < stop:
            n += spec["connections"]
            start = time.perf_counter()
            response = await http.get(paths[n % len(paths)],
                                      headers={"Authorization": "Bearer " + tokens[n % len(tokens)]})
            latencies.append(time.perf_counter() - start)
            if response.status_code >= 400:
                errors.append(response.status_code)
async def main():
    latencies, errors = [], []
    stop = time.monotonic() + spec["seconds"]
    started = time.monotonic()
    await asyncio.gather(*(client(i, spec["paths"], spec["tokens"], stop, latencies, errors)
                           for i in range(spec["connections"])))
    print(json.dumps({"latencies": latencies, "errors": len(errors), "seconds": time.monotonic() - started}))
asyncio.run(main())
"""


def run_httpx(base_url: str, paths: Sequence[str], tokens: Sequence[str], *, connections: int,
              seconds: float) -> dict[str, Any]:
    """The same measurement with asyncio + httpx clients in a subprocess (no ``wrk``)."""
    spec = json.dumps({"base_url": base_url, "paths": list(paths), "tokens": list(tokens),
                       "connections": connections, "seconds": seconds})
    done = subprocess.run([sys.executable, "-c", _HTTPX_CLIENT], input=spec, capture_output=True,
                          text=True, check=True)
    result = json.loads(done.stdout)
    latencies = sorted(result["latencies"])

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 3)

    return {"generator": "httpx", "requests_per_s": round(len(latencies) / result["seconds"], 1),
            "requests": len(latencies), "p50_ms": pct(0.5), "p90_ms": pct(0.9), "p99_ms": pct(0.99),
            "errors": {"status": result["errors"]}}
