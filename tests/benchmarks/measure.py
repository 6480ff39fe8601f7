"""Measurement helpers for benchmarks: latency summaries and CPU accounting from ``/proc``.

CPU per unit of work (user + system time of the load generator, the server processes and
the database backends) is far less disturbed by other work on a shared machine than
throughput, so benchmarks that compare two ways of doing the same work report both.
"""

from __future__ import annotations

import os
import statistics
from typing import Any


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(latencies: list[float], errors: dict[str, int], seconds: float) -> dict[str, Any]:
    """Throughput and latency percentiles (ms) of ``latencies`` measured over ``seconds``."""
    return {
        "orders_per_s": round(len(latencies) / seconds, 1),
        "orders": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
        "errors": errors,
    }


def proc_cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """Seconds of CPU (user + system) each of the given processes has used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return out


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two snapshots by the processes alive at the second one."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def proc_cpu(pids: list[int]) -> float:
    """Total CPU seconds of ``pids``."""
    return sum(proc_cpu_by_pid(pids).values())


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants (uvicorn's master and workers)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree.extend(frontier)
    return tree


class DatabaseCpu:
    """CPU used by the PostgreSQL backends serving the benchmark database."""

    def __init__(self, dsn: str) -> None:
        import psycopg

        self.connection = psycopg.connect(dsn, autocommit=True)

    def __call__(self) -> dict[int, float]:
        rows = self.connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()").fetchall()
        return proc_cpu_by_pid([r[0] for r in rows])

    def close(self) -> None:
        self.connection.close()


def cpu_per_order(orders: int, **seconds: float) -> dict[str, float | None]:
    """Milliseconds of CPU per order for each named part, and their total."""
    if not orders:
        return {k: None for k in (*seconds, "total")}
    out = {k: round(v * 1000 / orders, 3) for k, v in seconds.items()}
    out["total"] = round(sum(seconds.values()) * 1000 / orders, 3)
    return out
