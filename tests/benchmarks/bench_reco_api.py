"""Recommendation reads where buyers meet them: the HTTP service against the raw SQL read.

Issue #15's figure: ``GET /api/v1/recommendations?limit=10``, ``GET /api/v1/skus/{id}/related``
and ``GET /api/v1/skus/{id}/suppliers`` read what the lake applied through the inbound door
(no model in the request path); target p99 ≤ 20 ms.

Setup (seeded, ``SEED``): a migrated SQLite database with ``UNITS`` business units,
``SUPPLIERS`` suppliers (one warehouse each), ``SKUS`` SKUs each offered by three suppliers
(two of them holding stock), ``BUYERS`` buyers; a ``recommendations`` snapshot applied through
``transactional.core.inbound.apply_snapshot`` with ``apply_recommendations``: 10 items per
buyer, 10 per unit, 5 related SKUs per SKU and a 3-supplier ranking per unit and SKU.

Sides, per endpoint, concurrency (1, 4 and 8 clients) and server workers (1, as deployed by
default, and 2: ``OLTP__WORKERS=2``), interleaved per round (harness, order rotating),
**warm** (one untimed pass first):

* ``raw`` (anchor): the same read as one SQL statement through the same kind of SQLAlchemy
  engine, in-process: the caller's rows of ``recommendations`` (``related_skus``,
  ``sku_supplier_rankings``) joined to ``skus`` and ``offers`` with each offer's stock summed
  over its supplier's warehouses, as :mod:`transactional.recommend.live` reads it (no
  business rules, no JSON, no HTTP);
* ``app``: the real app (``uvicorn transactional.main:create_app``, 1 or 2 workers) in a
  subprocess, ``REQUESTS`` requests per round over keep-alive ``httpx`` connections, bearer
  tokens of ``TOKENS`` buyers of every unit rotated. The server's CPU time (user + system,
  from ``/proc`` over the uvicorn process and its workers) per request is recorded
  (``server_cpu_ms``): on a 2-core machine shared with the load generator, the p99 at 8
  clients is bounded below by queueing behind that CPU.

Per round: p50/p99 latency (ms) and requests/s of each side; ratios per round
``p50_speed`` = raw p50 ÷ app p50 and ``p99_speed`` = raw p99 ÷ app p99 (the service's speed
as a share of the bare read). The absolute app p99 is judged against 20 ms, with the load
average of every round recorded (the machine is shared: say it when quoting).

Run: ``make bench BENCH=reco_api`` (``BENCH_QUICK=1``: 100 requests, 2 rounds).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tests.benchmarks import harness

SEED = 42
UNITS = 4
SUPPLIERS = 10
SKUS = 500
BUYERS = 200
ITEMS_PER_BUYER = 10
RELATED_PER_SKU = 5
TOKENS = 16
REQUESTS = harness.by_mode(400, 100)
ROUNDS = harness.rounds(5, quick=2)
CONCURRENCY = (1, 4, 8)
#: uvicorn worker processes (``oltp.workers`` of ``grouplake tx serve``, 1 by default)
WORKERS = (1, 2)
TARGET_P99_MS = 20.0
ENDPOINTS = ("recommendations", "related", "suppliers")


def _load_spec() -> Any:
    from tests.transactional.factories import password_hash
    from transactional.catalogue.bulk import (
        BulkLoad,
        BusinessUnitSpec,
        CategorySpec,
        OfferSpec,
        SkuSpec,
        StockSpec,
        SupplierSpec,
        UserSpec,
        WarehouseSpec,
    )

    skus = [f"R-{i:04d}" for i in range(SKUS)]
    suppliers = [f"SUP-{s:02d}" for s in range(SUPPLIERS)]
    offers, stock = [], []
    for i, code in enumerate(skus):
        for k, shift in enumerate((0, 3, 7)):
            supplier = suppliers[(i + shift) % SUPPLIERS]
            offers.append(OfferSpec(supplier, code, "CNY", 1, [(1, "10.5")], lead_time_days=k + 2))
            if k < 2:
                stock.append(StockSpec(f"WH-{supplier}", code, 100 + i))
    return BulkLoad(
        business_units=[BusinessUnitSpec(f"U{u}", f"Unit {u}") for u in range(UNITS)],
        suppliers=[SupplierSpec(s, f"Supplier {s}") for s in suppliers],
        categories=[CategorySpec("reco", "Bench goods", [{"name": "grade", "type": "string"}])],
        skus=[SkuSpec(c, "reco", f"Item {c}", "t", {"grade": "A"}) for c in skus],
        warehouses=[WarehouseSpec(f"WH-{s}", f"Yard {s}", s) for s in suppliers],
        offers=offers, stock=stock,
        users=[UserSpec(f"reco_{b:03d}", "buyer", password_hash=password_hash(),
                        business_unit=f"U{b % UNITS}") for b in range(BUYERS)],
    )


def _row(section: str, sku: int, rank: int, score: float, *, unit: str | None = None,
         buyer: int | None = None, related: int | None = None, supplier: str | None = None,
         offer: int | None = None, kind: str = "repeat") -> dict[str, Any]:
    return {"section": section, "business_unit": unit, "buyer_user_id": buyer, "sku_id": sku,
            "rank": rank, "related_sku_id": related, "supplier_id": supplier, "offer_id": offer,
            "score": score, "reason_kind": kind, "reason": f"bench {kind} #{rank}",
            "model_version": "1", "history_through": dt.date(2026, 12, 1)}


def _snapshot_rows(report: Any, spec: Any) -> list[dict[str, Any]]:
    """Seeded rows of every section naming the loaded ids."""
    rng = random.Random(SEED)
    codes = [s.code for s in spec.skus]
    by_sku: dict[str, list[str]] = {}
    for o in spec.offers:
        by_sku.setdefault(o.sku_code, []).append(o.supplier_id)
    units = {u.username: u.business_unit for u in spec.users}

    def item(section: str, code: str, rank: int, **kw: Any) -> dict[str, Any]:
        supplier = by_sku[code][0]
        return _row(section, report.sku_ids[code], rank, round(1 - rank / 20, 3), supplier=supplier,
                    offer=report.offer_ids[(supplier, code)], **kw)

    rows = []
    for user, unit in units.items():
        for rank, code in enumerate(rng.sample(codes, ITEMS_PER_BUYER), start=1):
            rows.append(item("buyer_items", code, rank, unit=unit, buyer=report.user_ids[user]))
    for u in range(UNITS):
        for rank, code in enumerate(rng.sample(codes, ITEMS_PER_BUYER), start=1):
            rows.append(item("unit_items", code, rank, unit=f"U{u}", kind="unit"))
    for code in codes:
        others = rng.sample([c for c in codes if c != code], RELATED_PER_SKU)
        for rank, other in enumerate(others, start=1):
            rows.append(_row("related_items", report.sku_ids[code], rank, round(0.5 / rank, 3),
                             related=report.sku_ids[other], kind="together"))
        for u in range(UNITS):
            for rank, supplier in enumerate(rng.sample(by_sku[code], 3), start=1):
                rows.append(_row("sku_suppliers", report.sku_ids[code], rank, round(1 - rank / 4, 3),
                                 unit=f"U{u}", supplier=supplier,
                                 offer=report.offer_ids[(supplier, code)], kind="model"))
    return rows


def _world(url: str) -> dict[str, Any]:
    """Load the world, apply the snapshot through the door; the ids and tokens the bench uses."""
    from tests.transactional.factories import auth_headers
    from transactional.catalogue.bulk import bulk_load
    from transactional.core.inbound import Snapshot, apply_snapshot
    from transactional.db.database import Database
    from transactional.domain.principal import SYSTEM, Principal, Role
    from transactional.recommend.inbound import KIND, apply_recommendations

    spec = _load_spec()
    db = Database(url, pool_size=2)
    try:
        report = db.run_write(lambda s: bulk_load(s, SYSTEM, spec))
        rows = _snapshot_rows(report, spec)
        started = time.perf_counter()
        applied = apply_snapshot(db, Snapshot(kind=KIND, version="b" * 64,
                                              produced_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                                              source="bench", rows=rows), apply_recommendations)
        apply_seconds = time.perf_counter() - started
    finally:
        db.dispose()
    step = BUYERS // TOKENS
    buyers = [spec.users[b] for b in range(0, BUYERS, step)][:TOKENS]
    principals = [Principal(report.user_ids[u.username], Role.BUYER, u.business_unit) for u in buyers]
    sku_ids = [report.sku_ids[s.code] for s in spec.skus]
    return {
        "principals": [(p.user_id, p.business_unit) for p in principals],
        "headers": [auth_headers(p)["Authorization"] for p in principals],
        "sku_ids": sku_ids,
        "snapshot": {"status": applied.status, "rows": len(rows), "apply_seconds": round(apply_seconds, 3)},
    }


def _paths(endpoint: str, world: dict[str, Any], count: int) -> list[str]:
    skus = world["sku_ids"]
    if endpoint == "recommendations":
        return ["/api/v1/recommendations?limit=10"] * count
    return [f"/api/v1/skus/{skus[(i * 7919) % len(skus)]}/{endpoint}" for i in range(count)]


# ------------------------------------------------------------------------- the raw read
_STOCK = ("(SELECT coalesce(sum(s.available), 0) FROM stock s JOIN warehouses w ON w.id = s.warehouse_id"
          " WHERE s.sku_id = o.sku_id AND w.supplier_id = o.supplier_id)")
RAW_SQL = {
    "recommendations": (
        "SELECT r.rank, r.sku_id, r.score, r.reason, r.supplier_id, k.code, k.name, k.unit, o.id,"
        " o.supplier_id, o.is_active, o.lead_time_days, " + _STOCK + " AS available"
        " FROM recommendations r JOIN skus k ON k.id = r.sku_id JOIN offers o ON o.sku_id = r.sku_id"
        " WHERE r.audience = 'buyer' AND r.buyer_user_id = :user ORDER BY r.rank, o.id"),
    "related": (
        "SELECT r.rank, r.related_sku_id, r.score, r.reason, k.code, k.name, k.unit, o.id,"
        " o.supplier_id, o.is_active, o.lead_time_days, " + _STOCK + " AS available"
        " FROM related_skus r JOIN skus k ON k.id = r.related_sku_id"
        " JOIN offers o ON o.sku_id = r.related_sku_id WHERE r.sku_id = :sku ORDER BY r.rank, o.id"),
    "suppliers": (
        "SELECT r.rank, r.supplier_id, r.score, r.reason, o.id, o.is_active, o.lead_time_days, "
        + _STOCK + " AS available FROM sku_supplier_rankings r JOIN offers o"
        " ON o.sku_id = r.sku_id AND o.supplier_id = r.supplier_id"
        " WHERE r.business_unit = :unit AND r.sku_id = :sku ORDER BY r.rank"),
}


def _raw(engine: Any, endpoint: str, world: dict[str, Any], clients: int) -> harness.Sample:
    """``REQUESTS`` reads by ``clients`` threads sharing the engine's pool."""
    from sqlalchemy import text

    statement = text(RAW_SQL[endpoint])
    skus, principals = world["sku_ids"], world["principals"]
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(REQUESTS))
    rows = [0]

    def client() -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            user, unit = principals[i % len(principals)]
            params = {"user": user, "unit": unit, "sku": skus[(i * 7919) % len(skus)]}
            t0 = time.perf_counter()
            with engine.connect() as con:
                got = con.execute(statement, params).all()
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                rows[0] += len(got)

    begin = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - begin
    return harness.Sample(seconds, metrics=harness.latency_metrics(latencies, seconds),
                          info={"rows_read": rows[0]})


# ------------------------------------------------------------------------ the HTTP side
async def _http_async(base_url: str, paths: list[str], headers: list[str],
                      clients: int) -> tuple[list[float], dict[str, int]]:
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    counter = iter(range(len(paths)))

    async def client(http: httpx.AsyncClient) -> None:
        for i in counter:
            t0 = time.perf_counter()
            response = await http.get(paths[i], headers={"Authorization": headers[i % len(headers)]})
            elapsed = time.perf_counter() - t0
            if response.status_code == 200:
                latencies.append(elapsed)
            else:
                errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30.0) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return latencies, errors


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its children (uvicorn's workers), from /proc."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def _app(base_url: str, endpoint: str, world: dict[str, Any], clients: int, pid: int) -> harness.Sample:
    paths = _paths(endpoint, world, REQUESTS)
    cpu = _cpu_seconds(pid)
    begin = time.perf_counter()
    latencies, errors = asyncio.run(_http_async(base_url, paths, world["headers"], clients))
    seconds = time.perf_counter() - begin
    cpu = _cpu_seconds(pid) - cpu
    if errors:
        raise RuntimeError(f"{endpoint}: non-200 answers {errors}")
    metrics = {**harness.latency_metrics(latencies, seconds), "server_cpu_ms": cpu / len(paths) * 1000}
    return harness.Sample(seconds, metrics=metrics, info={"errors": errors})


RATIOS = {
    "p50_speed": harness.metric_ratio("p50_ms", "raw", "app"),
    "p99_speed": harness.metric_ratio("p99_ms", "raw", "app"),
}


def _serve_cases(server: Any, workers: int, engine: Any, world: dict[str, Any], cases: dict[str, Any]) -> None:
    import httpx

    check = httpx.get(f"{server.base_url}/api/v1/recommendations?limit=10",
                      headers={"Authorization": world["headers"][0]}).json()
    if check["audience"] != "buyer" or len(check["items"]) != ITEMS_PER_BUYER:
        raise RuntimeError(f"the world does not read back as built: {check}")
    pid = server.process.pid
    for endpoint in ENDPOINTS:
        for clients in CONCURRENCY:
            case = f"{endpoint}_c{clients}" + ("" if workers == 1 else f"_w{workers}")
            sides = [
                harness.Side("raw", lambda r, e=endpoint, c=clients: _raw(engine, e, world, c)),
                harness.Side("app", lambda r, e=endpoint, c=clients: _app(server.base_url, e, world, c, pid)),
            ]
            comparison = harness.compare(
                case, sides=sides, anchor="raw", rounds=ROUNDS, temperature="warm",
                warmup=1, ratios=RATIOS,
                note=f"{REQUESTS} requests per side and round, {clients} client(s), {workers} worker(s)")
            cases[case] = comparison.to_dict()
            app = cases[case]["figures"]["app"]
            print(f"   {case}: app p50 {app['p50_ms']['median']} ms, p99 {app['p99_ms']['median']} ms, "
                  f"server CPU {app['server_cpu_ms']['median']} ms/request; raw/app p99 "
                  f"{cases[case]['ratios']['p99_speed']['median']}", flush=True)


def run() -> dict[str, Any]:
    """Every endpoint at every concurrency, sides interleaved per round (module docstring)."""
    from sqlalchemy import create_engine

    from tests.transactional.servers import ApiServer
    from transactional.migrations import upgrade_database

    home = Path(tempfile.mkdtemp(prefix="grouplake-bench-reco-"))
    url = f"sqlite:///{home / 'oltp.db'}"
    cases: dict[str, Any] = {}
    try:
        upgrade_database(url)
        world = _world(url)
        env = {"OLTP__DATABASE_URL": url, "GROUPLAKE_HOME": str(home)}
        engine = create_engine(url, connect_args={"check_same_thread": False},
                               pool_size=8, max_overflow=4)
        for workers in WORKERS:
            with ApiServer(env, workers=workers) as server:
                _serve_cases(server, workers, engine, world, cases)
        engine.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    p99 = {case: c["figures"]["app"]["p99_ms"]["median"] for case, c in cases.items()}
    cpu = {case: c["figures"]["app"]["server_cpu_ms"]["median"] for case, c in cases.items()}
    return {
        "database": "sqlite (file, WAL as the service configures it)",
        "server": "uvicorn transactional.main:create_app, 1 and 2 workers (cases suffixed _w2), same "
                  "machine (2 cores) as the load generator",
        "load_generator": "asyncio + httpx keep-alive connections, in the bench process",
        "world": {"units": UNITS, "suppliers": SUPPLIERS, "skus": SKUS, "offers_per_sku": 3,
                  "buyers": BUYERS, "items_per_buyer": ITEMS_PER_BUYER,
                  "related_per_sku": RELATED_PER_SKU, "tokens_rotated": TOKENS, "seed": SEED},
        "snapshot": world["snapshot"],
        "requests_per_round": REQUESTS,
        "rounds": ROUNDS,
        "concurrency": list(CONCURRENCY),
        "workers": list(WORKERS),
        "server_cpu_ms_per_request": cpu,
        "target_p99_ms": TARGET_P99_MS,
        "app_p99_ms": p99,
        "worst_app_p99_ms": max(p99.values()),
        "meets_target": all(v is not None and v <= TARGET_P99_MS for v in p99.values()),
        "cases": cases,
    }
