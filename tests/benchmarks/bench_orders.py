"""Order placement throughput on PostgreSQL: the HTTP service against a raw SQL loop.

Same run, same fresh database, same reservation transaction:

* ``app``: ``POST /api/v1/orders`` against uvicorn (``WORKERS`` processes) with a minimal
  keep-alive HTTP/1.1 client per concurrent buyer (so the load generator stays cheap);
  each request carries a bearer token and an Idempotency-Key, as a real client's would.
* ``raw``: one psycopg connection per concurrent buyer running exactly the statements the
  service runs for a one-line order, in the same order (idempotency advisory lock and lookup,
  offer, tiers and SKU category, active price promotions, the unit's approval limit, order,
  line, ``SELECT … FOR UPDATE`` of the stock rows, conditional stock update, allocation,
  idempotency record, outbox lock and event, commit).

Two load shapes at 16 and 64 concurrent clients: ``spread`` (each order picks one of
``SKUS`` SKUs, round-robin, so row locks rarely collide) and ``hot`` (every order reserves
the same SKU, serialised on its row lock). **Same connection pool**: the server runs
``WORKERS`` processes with a fixed pool of ``POOL_SIZE`` connections each (no overflow); the
raw loop shares ``WORKERS`` pools of ``POOL_SIZE`` psycopg connections among its client
threads (client ``n`` uses pool ``n % WORKERS``), so both sides put at most the same number of
transactions in flight on PostgreSQL.

Per case the sides run interleaved (harness, order rotating), ``ROUNDS`` rounds (default 5)
of ``PHASE_SECONDS`` each after a 1 s untimed warm-up inside every phase (**warm** figures).
Per round: orders/s, p50/p99 latency
(ms), errors, and the CPU each side spends per order (load generator, server, PostgreSQL
backends of the benchmark database; read from ``/proc``); ratios per round:
``ratio_app_to_raw`` = app orders/s ÷ raw orders/s (target ≥ 0.5) and
``cpu_efficiency_app_to_raw`` = raw CPU/order ÷ app CPU/order (other work on the machine
disturbs CPU far less than throughput); reported as median with min–max. The 16-client
cases also run ``app_sqlalchemy``, a second server with ``OLTP__FAST_PATH=false`` (the same
placement through SQLAlchemy instead of the psycopg fast path): ``fast_path_cpu_saving`` =
1 − app CPU/order ÷ app_sqlalchemy CPU/order. Server workers default to the number of cores:
on a 2-core machine PostgreSQL, the server and the load generator share them, and more
workers only add contention.

**Risk scoring cost** (issue #14, case ``risk_c16``, ``spread`` shape, 16 clients): two more
servers on the same database and load, ``app_risk_off`` (``RISK__ENABLED=false``: placement
skips the guard) and ``app_risk_on`` (the default guard: the buyer's recent orders and burst
count, the history profiles of a ``risk_profiles`` snapshot applied through the inbound door
for every bench SKU, the rules, and the ``grouplake_fraud_online`` **champion** registered in
the run's MLflow store — a logistic regression fitted on seeded synthetic examples — and the
``order_risk`` row). They run on a database and home of their own (the other cases' servers
never see the profiles or the champion). Both set ``RISK__REVIEW_THRESHOLD`` /
``RISK__BLOCK_THRESHOLD`` out of reach so every bench order is an ordinary, allowed order (the
look-back query, the profiles and the model still run; a held order would take another path).
**Buyer mix**: the risk case's unit has ``RISK_BUYERS`` (4096) buyers and each of the 16
clients rotates through them (client n's i-th order is placed by buyer n + 16 i), so a buyer
places a few orders per minute of the run, as in a group with many buyers; with one buyer per
client (the other cases) every buyer would place ~25 orders a second, thousands inside the
split and velocity windows, which no real buyer does. Both sides get the same rotation. The
champion is
loaded by untimed orders before the first round (every worker process loads it once). Per round:
``risk_throughput_on_to_off`` = on orders/s ÷ off orders/s (target ≥ 0.9),
``risk_p99_added_ms`` = on p99 − off p99 (target ≤ 5 ms) and ``risk_cpu_ms_per_order_added`` =
on − off CPU per order (load generator + server + PostgreSQL: less disturbed by other work on
the machine than throughput); ``result/risk_scoring`` holds their medians next to the targets.

Run: ``make bench BENCH=orders`` (``BENCH_QUICK=1``: the 16-client cases, 2 s phases, 2
rounds). Needs PostgreSQL
(``TEST_POSTGRES_URL``, default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import shutil
import threading
import time
from typing import Any

from tests.benchmarks import harness, measure

#: ``BENCH_ORDERS_CASES=risk_c16`` (comma-separated): run only these cases. For diagnosis: the
#: result then holds only those cases (``cases_filter`` says so); commit full runs only
CASES = tuple(c for c in os.environ.get("BENCH_ORDERS_CASES", "").split(",") if c)
PHASE_SECONDS = float(os.environ.get("BENCH_ORDERS_SECONDS") or harness.by_mode(6, 2))
ROUNDS = int(os.environ.get("BENCH_ORDERS_ROUNDS") or harness.rounds(5, quick=2))
WARMUP_SECONDS = 1.0
CONCURRENCY = harness.by_mode((16, 64), (16,))
#: the cases that also run the SQLAlchemy path (OLTP__FAST_PATH=false)
FAST_PATH_CASES = ("spread_c16", "hot_c16")
SKUS = 256
WORKERS = int(os.environ.get("BENCH_ORDERS_WORKERS", str(max(2, os.cpu_count() or 2))))
#: connections per server worker (fixed pool, no overflow); the raw loop has as many pools
POOL_SIZE = 8
STOCK = 100_000_000
BASE_URL = os.environ.get("TEST_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _world(url: str, buyers: int | None = None) -> dict[str, Any]:
    """The bench catalogue, and ``buyers`` buyer accounts (default: one per client of the
    largest case). With more buyers than clients the HTTP clients rotate through them
    (``rotate_buyers``), as many buyers' orders interleave in a real group."""
    from tests.transactional.factories import auth_headers, password_hash
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
        bulk_load,
    )
    from transactional.db.database import Database
    from transactional.domain.principal import SYSTEM, Principal, Role

    codes = [f"B-{i:04d}" for i in range(SKUS)] + ["B-HOT"]
    clients = buyers or max(CONCURRENCY)
    load = BulkLoad(
        business_units=[BusinessUnitSpec("BENCH", "Bench unit")],
        suppliers=[SupplierSpec("SUP-BENCH", "Bench supplier")],
        categories=[CategorySpec("bench", "Bench goods", [{"name": "grade", "type": "string"}])],
        skus=[SkuSpec(c, "bench", c, "t", {"grade": "A"}) for c in codes],
        warehouses=[WarehouseSpec("WH-BENCH", "Bench yard", "SUP-BENCH", latitude=30.0,
                                  longitude=120.0, handling_cost="1", cost_per_km="0.01")],
        offers=[OfferSpec("SUP-BENCH", c, "CNY", 1, [(1, "10.5"), (100, "9.75")])
                for c in codes],
        stock=[StockSpec("WH-BENCH", c, STOCK) for c in codes],
        users=[UserSpec(f"bench_{i:03d}", "buyer", password_hash=password_hash(),
                        business_unit="BENCH") for i in range(clients)],
    )
    db = Database(url, pool_size=2)
    report = db.run_write(lambda s: bulk_load(s, SYSTEM, load))
    db.dispose()
    users = [report.user_ids[f"bench_{i:03d}"] for i in range(clients)]
    return {
        "user_ids": users,
        "headers": [auth_headers(Principal(u, Role.BUYER, "BENCH"))["Authorization"]
                    for u in users],
        "spread_offers": [report.offer_ids[("SUP-BENCH", c)] for c in codes[:-1]],
        "hot_offer": report.offer_ids[("SUP-BENCH", "B-HOT")],
        "rotate_buyers": buyers is not None,
    }


# --------------------------------------------------------------------------- raw SQL loop
RAW_STATEMENTS = {
    "claim": "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
    "idem": "SELECT request_hash FROM idempotency_keys WHERE user_id = %s AND key = %s",
    "offer": (
        "SELECT o.id, o.supplier_id, o.sku_id, o.currency, o.moq, o.order_multiple, o.version,"
        " t.min_quantity, t.unit_price, k.category_id FROM offers o JOIN offer_price_tiers t"
        " ON t.offer_id = o.id JOIN skus k ON k.id = o.sku_id WHERE o.id = ANY(%s)"
        " AND o.is_active IS true ORDER BY o.id, t.min_quantity"),
    "promotions": (
        "SELECT id, version, code, kind, priority, stacking, stacks_with, category_id, currency,"
        " rules FROM promotions WHERE kind IN ('full_reduction', 'percentage')"
        " AND is_active IS true AND (business_unit IS NULL OR business_unit = %s)"
        " AND (supplier_id IS NULL OR supplier_id = %s) AND valid_from <= %s"
        " AND (valid_to IS NULL OR valid_to > %s) ORDER BY priority, id"),
    "approval_limit": "SELECT amount, currency FROM approval_limits WHERE business_unit = %s",
    "lock": (
        "SELECT s.warehouse_id, s.sku_id, s.available, w.handling_cost, w.cost_per_km,"
        " w.latitude, w.longitude, w.currency FROM stock s JOIN warehouses w"
        " ON w.id = s.warehouse_id WHERE s.sku_id = ANY(%s) AND w.supplier_id = %s"
        " AND s.available > 0 ORDER BY s.sku_id, s.warehouse_id FOR UPDATE OF s"),
    "reserve": (
        "UPDATE stock SET available = available - %s, reserved = reserved + %s,"
        " updated_at = %s WHERE warehouse_id = %s AND sku_id = %s AND available >= %s"),
    "order": (
        "INSERT INTO orders (business_unit, buyer_user_id, supplier_id, status, currency,"
        " total_amount, gross_amount, discount_amount, placed_at, updated_at) VALUES"
        " (%s, %s, %s, 'placed', %s, %s, %s, 0, %s, %s) RETURNING id"),
    "line": (
        "INSERT INTO order_lines (order_id, line_no, offer_id, offer_version, sku_id,"
        " quantity, unit_price, line_amount, currency, discount_amount, net_amount) VALUES"
        " (%s, 1, %s, %s, %s, %s, %s, %s, %s, 0, %s)"),
    "alloc": (
        "INSERT INTO order_allocations (order_id, line_no, warehouse_id, sku_id, quantity,"
        " distance_km, unit_shipping_cost, shipping_currency) VALUES (%s, 1, %s, %s, %s, 0,"
        " %s, %s)"),
    "remember": (
        "INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response,"
        " resource_type, resource_id, created_at) VALUES (%s, %s, %s, 201, %s, 'order', %s,"
        " %s)"),
    "outbox_lock": "SELECT pg_advisory_xact_lock(%s)",
    "outbox": (
        "INSERT INTO outbox_events (event_id, event_type, aggregate_type, aggregate_id,"
        " business_unit, supplier_id, payload, occurred_at, schema_version) VALUES"
        " (%s, 'order.placed', 'order', %s, 'BENCH', %s, %s, %s, 1)"),
}


def _raw_order(conn: Any, user_id: int, offer_id: int, key: str) -> None:
    import datetime as dt
    import hashlib
    import uuid
    from decimal import Decimal

    from transactional.db.outbox import OUTBOX_LOCK_KEY

    now = dt.datetime.now(dt.UTC)
    s = RAW_STATEMENTS
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(s["claim"], (f"idempotency:{user_id}:{key}",))
        if not cur.fetchone()[0]:
            raise RuntimeError("in flight")
        cur.execute(s["idem"], (user_id, key))
        if cur.fetchone() is not None:
            raise RuntimeError("key reused")
        cur.execute(s["offer"], ([offer_id],))
        tiers = cur.fetchall()
        offer = tiers[0]
        price = max((t for t in tiers if t[7] <= 1), key=lambda t: t[7])[8]
        cur.execute(s["promotions"], ("BENCH", offer[1], now, now))
        if cur.fetchall():
            raise RuntimeError("the bench world has no promotions")
        cur.execute(s["approval_limit"], ("BENCH",))
        cur.fetchone()  # none set: the default limit applies, far above 10.5
        cur.execute(s["order"], ("BENCH", user_id, offer[1], offer[3], price, price, now, now))
        order_id = cur.fetchone()[0]
        cur.execute(s["line"], (order_id, offer_id, offer[6], offer[2], 1, price, price, offer[3],
                                price))
        cur.execute(s["lock"], ([offer[2]], offer[1]))
        rows = cur.fetchall()
        chosen = next(r for r in rows if r[2] >= 1)
        cost = (chosen[3] + chosen[4] * Decimal(0)).quantize(Decimal("0.0001"))
        cur.execute(s["reserve"], (1, 1, now, chosen[0], offer[2], 1))
        if cur.rowcount != 1:
            raise RuntimeError("oversold")
        cur.execute(s["alloc"], (order_id, chosen[0], offer[2], 1, cost, chosen[7]))
        snapshot = json.dumps({
            "id": order_id, "business_unit": "BENCH", "buyer_user_id": user_id,
            "supplier_id": offer[1], "status": "placed", "currency": offer[3],
            "gross_amount": str(price), "discount_amount": "0.0000",
            "total_amount": str(price), "placed_at": now.isoformat(), "approval": None,
            "lines": [{
                "line_no": 1, "offer_id": offer_id, "offer_version": offer[6],
                "sku_id": offer[2], "quantity": 1, "unit_price": str(price),
                "line_amount": str(price), "discount_amount": "0.0000",
                "net_amount": str(price), "currency": offer[3], "promotions": [],
                "rebates": [], "allocations": [{
                    "warehouse_id": chosen[0], "quantity": 1, "distance_km": 0.0,
                    "unit_shipping_cost": str(cost), "shipping_currency": chosen[7]}]}]})
        request_hash = hashlib.sha256(key.encode()).hexdigest()
        cur.execute(s["remember"], (user_id, key, request_hash, snapshot, str(order_id), now))
        cur.execute(s["outbox_lock"], (OUTBOX_LOCK_KEY,))
        cur.execute(s["outbox"], (str(uuid.uuid4()), str(order_id), offer[1], snapshot, now))


def _dsn(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _raw_phase(url: str, world: dict[str, Any], clients: int, hot: bool, tag: str,
               db_cpu: measure.DatabaseCpu) -> dict[str, Any]:
    """``clients`` threads placing orders through ``WORKERS`` pools of ``POOL_SIZE``
    connections (client ``n`` borrows from pool ``n % WORKERS`` per order), as the server's
    workers do."""
    import psycopg

    dsn = _dsn(url)
    offers = world["spread_offers"]
    pools: list[queue.Queue] = []
    for _ in range(WORKERS):
        pool: queue.Queue = queue.Queue()
        for _ in range(POOL_SIZE):
            pool.put(psycopg.connect(dsn))
        pools.append(pool)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    done = [0] * clients
    errors: dict[str, int] = {}
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    bounds: dict[str, float] = {}

    def client(n: int) -> None:
        pool = pools[n % WORKERS]
        start_gate.wait()
        i = 0
        while time.perf_counter() < bounds["end"]:
            offer = world["hot_offer"] if hot else offers[(n * 7919 + i) % len(offers)]
            t0 = time.perf_counter()
            conn = pool.get()
            try:
                _raw_order(conn, world["user_ids"][n], offer, f"{tag}-{n}-{i}")
                done[n] += 1
                if t0 >= bounds["measure"]:
                    latencies[n].append(time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                with lock:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            finally:
                pool.put(conn)
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    try:
        while start_gate.n_waiting < clients:  # every thread is ready
            time.sleep(0.01)
        db0, client0 = db_cpu(), time.process_time()
        begin = time.perf_counter()
        bounds["measure"] = begin + WARMUP_SECONDS
        bounds["end"] = bounds["measure"] + PHASE_SECONDS
        start_gate.wait()
        for t in threads:
            t.join()
        # read while every pooled connection (its backend) is still alive
        cpu = measure.cpu_per_order(sum(done), client=time.process_time() - client0,
                                     database=measure.cpu_delta(db0, db_cpu()))
    finally:
        for pool in pools:
            while not pool.empty():
                pool.get().close()
    return {**measure.summary([x for per in latencies for x in per], errors, PHASE_SECONDS),
            "cpu_ms_per_order": cpu}


# ------------------------------------------------------------------------------ HTTP load
async def _http_client(port: int, n: int, world: dict[str, Any], hot: bool, tag: str,
                       bounds: dict[str, float], out: list[float], errors: dict[str, int],
                       done: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    offers = world["spread_offers"]
    headers, clients = world["headers"], bounds["clients"]
    i = 0
    try:
        while time.perf_counter() < bounds["end"]:
            offer = world["hot_offer"] if hot else offers[(n * 7919 + i) % len(offers)]
            body = json.dumps({"lines": [{"offer_id": offer, "quantity": 1}]}).encode()
            # one buyer per client, or (rotate_buyers) client n's i-th order by buyer n + i * clients
            buyer = (n + i * clients) % len(headers) if world.get("rotate_buyers") else n
            request = (
                f"POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: {headers[buyer]}\r\nIdempotency-Key: {tag}-{n}-{i}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            if status == 201:
                done[0] += 1
                if t0 >= bounds["measure"]:
                    out.append(time.perf_counter() - t0)
            else:
                errors[str(status)] = errors.get(str(status), 0) + 1
            i += 1
    finally:
        writer.close()


async def _http_phase_async(port: int, world: dict[str, Any], clients: int, hot: bool,
                            tag: str, done: list[int]) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    begin = time.perf_counter()
    bounds = {"measure": begin + WARMUP_SECONDS, "end": begin + WARMUP_SECONDS + PHASE_SECONDS,
              "clients": clients}
    await asyncio.gather(*(
        _http_client(port, n, world, hot, tag, bounds, latencies, errors, done)
        for n in range(clients)))
    return measure.summary(latencies, errors, PHASE_SECONDS)


def _http_phase(port: int, server_pids: list[int], world: dict[str, Any], clients: int,
                hot: bool, tag: str, db_cpu: measure.DatabaseCpu) -> dict[str, Any]:
    done = [0]
    db0, server0, client0 = db_cpu(), measure.proc_cpu(server_pids), time.process_time()
    try:
        import uvloop

        result = uvloop.run(_http_phase_async(port, world, clients, hot, tag, done))
    except ImportError:  # pragma: no cover
        result = asyncio.run(_http_phase_async(port, world, clients, hot, tag, done))
    cpu = measure.cpu_per_order(done[0], client=time.process_time() - client0,
                                 server=measure.proc_cpu(server_pids) - server0,
                                 database=measure.cpu_delta(db0, db_cpu()))
    return {**result, "cpu_ms_per_order": cpu}


def _sample(figures: dict[str, Any]) -> harness.Sample:
    """One phase as a harness sample: throughput, latency and CPU per order as metrics."""
    cpu = figures["cpu_ms_per_order"]
    return harness.Sample(PHASE_SECONDS, metrics={
        "orders_per_s": figures["orders_per_s"], "p50_ms": figures["p50_ms"],
        "p99_ms": figures["p99_ms"], "mean_ms": figures["mean_ms"],
        **{f"cpu_ms_per_order_{part}": v for part, v in cpu.items() if v is not None}},
        info={"orders": figures["orders"], "errors": figures["errors"]})


def _fast_path_saving(samples: dict[str, harness.Sample]) -> float | None:
    fast = samples["app"].metrics.get("cpu_ms_per_order_total")
    orm = samples["app_sqlalchemy"].metrics.get("cpu_ms_per_order_total")
    return 1 - fast / orm if fast and orm else None


def _risk_world(url: str, world: dict[str, Any], home: str) -> None:
    """A ``risk_profiles`` snapshot for every bench SKU and supplier, and an online champion."""
    import datetime as dt

    import numpy as np
    import pandas as pd
    from sqlalchemy import text

    from infra.settings import Settings
    from models.ml.fraud.online import fit_online, register_online
    from transactional.core.inbound import Snapshot, apply_snapshot
    from transactional.db.database import Database
    from transactional.risk.inbound import KIND, apply_risk_profiles

    db = Database(url, pool_size=1)
    try:
        with db.read() as session:
            sku_ids = [r[0] for r in session.execute(text("select id from skus order by id"))]
        now = dt.datetime.now(dt.UTC)
        rows = [{"subject": "supplier:SUP-BENCH", "scope": "supplier", "supplier_id": "SUP-BENCH",
                 "order_count": 500, "first_order_at": now - dt.timedelta(days=700)},
                {"subject": "bu_supplier:BENCH:SUP-BENCH", "scope": "bu_supplier", "business_unit": "BENCH",
                 "supplier_id": "SUP-BENCH", "currency": "CNY", "order_count": 500, "amount_median": "10.5",
                 "amount_p95": "105"}]
        for sku in sku_ids:
            rows.append({"subject": f"sku:{sku}", "scope": "sku", "sku_id": sku, "currency": "CNY",
                         "order_count": 40, "unit_price_median": "10.5", "quantity_median": 1.0,
                         "quantity_p95": 5.0})
            rows.append({"subject": f"bu_sku:BENCH:{sku}", "scope": "bu_sku", "business_unit": "BENCH",
                         "sku_id": sku, "currency": "CNY", "order_count": 12, "quantity_median": 1.0,
                         "quantity_p95": 5.0})
        apply_snapshot(db, Snapshot(kind=KIND, version="bench", produced_at=now, source="bench", rows=rows),
                       apply_risk_profiles)
    finally:
        db.dispose()
    rng = np.random.default_rng(14)
    n = 600
    frame = pd.DataFrame({
        "log_amount": rng.normal(11.0, 1.5, n), "amount_to_limit": rng.uniform(0.0, 1.0, n),
        # the split look-back reads at most SPLIT_ROWS orders; the velocity count stops at its cap
        "split_count": rng.integers(1, 51, n).astype(float), "split_sum_to_limit": rng.uniform(0.0, 1.8, n),
        "velocity_count": rng.integers(1, 33, n).astype(float), "quantity_to_history": rng.uniform(0.0, 2.0, n),
        "amount_to_history": rng.uniform(0.0, 2.0, n), "price_to_market": rng.uniform(0.8, 1.6, n),
        "new_supplier": (rng.random(n) < 0.1).astype(float), "has_history": np.ones(n)})
    frame["label"] = ((frame["split_sum_to_limit"] > 1.0) | (frame["price_to_market"] > 1.4)).astype(int)
    estimator, metrics = fit_online(frame, frame)
    _, promoted, reason = register_online(Settings(_env_file=None, GROUPLAKE_HOME=home), estimator, metrics)
    if not promoted:
        raise RuntimeError(f"the bench's online model was not promoted: {reason}")


def _p99_added(samples: dict[str, harness.Sample]) -> float | None:
    on, off = samples["app_risk_on"].metrics.get("p99_ms"), samples["app_risk_off"].metrics.get("p99_ms")
    return on - off if on is not None and off is not None else None


#: the risk case's servers: every bench order stays an ordinary, allowed order (the velocity
#: rule keeps its default limit and cap; a burst would only add a reason, never hold the order)
RISK_ENV = {"RISK__REVIEW_THRESHOLD": "2", "RISK__BLOCK_THRESHOLD": "2"}
#: buyers of the risk case's unit: the 16 clients rotate through them, so a buyer places a few
#: orders a minute (a group's many buyers), not the ~25 orders/s one buyer per client would
RISK_BUYERS = int(os.environ.get("BENCH_ORDERS_RISK_BUYERS", "4096"))
def _cpu_added(samples: dict[str, harness.Sample]) -> float | None:
    on = samples["app_risk_on"].metrics.get("cpu_ms_per_order_total")
    off = samples["app_risk_off"].metrics.get("cpu_ms_per_order_total")
    return on - off if on is not None and off is not None else None


RISK_RATIOS = {
    "risk_throughput_on_to_off": harness.metric_ratio("orders_per_s", "app_risk_on", "app_risk_off"),
    "risk_p99_added_ms": _p99_added,
    "risk_cpu_ms_per_order_added": _cpu_added,
}


RATIOS = {
    "ratio_app_to_raw": harness.metric_ratio("orders_per_s", "app", "raw"),
    "cpu_efficiency_app_to_raw": harness.metric_ratio("cpu_ms_per_order_total", "raw", "app"),
}


def _risk_run(env: dict[str, str]) -> dict[str, Any]:
    """The risk case on its own database and GroupLake home (its profiles and champion never
    reach the other cases' servers): same bench world, two servers, rounds interleaved."""
    from tests.transactional.servers import ApiServer, create_pg_database, drop_pg_database
    from transactional.migrations import upgrade_database

    url = create_pg_database(BASE_URL, prefix="grouplake_tx_bench_risk")
    home = f"/tmp/grouplake-bench-risk-{os.getpid()}"
    try:
        upgrade_database(url)
        world = _world(url, buyers=RISK_BUYERS)
        _risk_world(url, world, home)
        risk_env = {**env, **RISK_ENV, "OLTP__DATABASE_URL": url, "GROUPLAKE_HOME": home}
        db_cpu = measure.DatabaseCpu(_dsn(url))
        try:
            with ApiServer(risk_env, workers=WORKERS) as on, \
                    ApiServer({**risk_env, "RISK__ENABLED": "false"}, workers=WORKERS) as off:
                _load_champion(on, world)
                return _risk_case(world, db_cpu, on, off)
        finally:
            db_cpu.close()
    finally:
        drop_pg_database(BASE_URL, url)
        shutil.rmtree(home, ignore_errors=True)


def _load_champion(server: Any, world: dict[str, Any]) -> None:
    """Untimed: batches of concurrent orders until a whole batch is scored by the champion, i.e.
    every worker has loaded it from MLflow (the first scored order of a process imports
    scikit-learn and MLflow: tens of seconds on a loaded machine)."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    def one(i: int) -> str | None:
        try:
            response = httpx.post(f"{server.base_url}/api/v1/orders",
                                  json={"lines": [{"offer_id": world["spread_offers"][i % SKUS], "quantity": 1}]},
                                  headers={"Authorization": world["headers"][i % len(world["headers"])],
                                           "Idempotency-Key": f"load-champion-{i}"}, timeout=600)
        except httpx.TransportError:  # a worker busy importing MLflow on a loaded machine can miss
            return None  # uvicorn's health check and be restarted: try again with the next batch
        return ((response.json().get("risk") or {}).get("model_version") if response.status_code == 201 else None)

    batch = 8 * WORKERS
    with ThreadPoolExecutor(max_workers=4 * WORKERS) as pool:
        for attempt in range(30):  # while a worker loads, its other requests are scored by the rules
            versions = list(pool.map(one, range(attempt * batch, (attempt + 1) * batch)))
            if all(v and v != "rules" for v in versions):
                return
            time.sleep(1.0)
    raise RuntimeError(f"the risk-on server did not score every order with the champion: {versions}")


def _risk_case(world: dict[str, Any], db_cpu: measure.DatabaseCpu, on: Any, off: Any) -> dict[str, Any]:
    """``app_risk_off`` vs ``app_risk_on``, spread shape, 16 clients, rounds interleaved (one
    untimed warm-up round: the first scored order loads the champion from MLflow)."""
    def side(server: Any, tag: str) -> harness.Side:
        pids = measure.process_tree(server.process.pid)
        return harness.Side(tag, lambda r: _sample(_http_phase(server.port, pids, world, 16, False,
                                                               f"{tag}-{r}", db_cpu)))

    comparison = harness.compare(
        "risk_c16", sides=[side(off, "app_risk_off"), side(on, "app_risk_on")], anchor="app_risk_off",
        rounds=ROUNDS, temperature="warm", ratios=RISK_RATIOS, warmup=1,
        note=f"16 clients, spread, {PHASE_SECONDS:g} s per phase; risk guard off vs on (rules + profiles + "
             "online champion)")
    return comparison.to_dict()


def run() -> dict[str, Any]:
    """Every case, sides interleaved per round; returns the figures and the ratios."""
    from tests.transactional.servers import ApiServer, create_pg_database, drop_pg_database
    from transactional.migrations import upgrade_database

    url = create_pg_database(BASE_URL, prefix="grouplake_tx_bench")
    cases: dict[str, dict[str, Any]] = {}
    home = f"/tmp/grouplake-bench-{os.getpid()}"
    try:
        upgrade_database(url)
        world = _world(url)
        env = {"OLTP__DATABASE_URL": url, "OLTP__ORDER_RATE_PER_MINUTE": "100000000",
               # a fixed pool (no overflow connections that close and take their CPU
               # figures with them); the raw loop gets as many pools of as many connections
               "OLTP__POOL_SIZE": str(POOL_SIZE), "OLTP__MAX_OVERFLOW": "0",
               "GROUPLAKE_HOME": home}
        if not CASES or "risk_c16" in CASES:
            cases["risk_c16"] = _risk_run(env)
            print(f"   risk_c16: on/off {cases['risk_c16']['ratios']['risk_throughput_on_to_off']}, "
                  f"p99 added {cases['risk_c16']['ratios']['risk_p99_added_ms']}", flush=True)
        if CASES and not set(CASES) - {"risk_c16"}:
            return _result(cases)
        db_cpu = measure.DatabaseCpu(_dsn(url))
        with ApiServer(env, workers=WORKERS) as server, \
                ApiServer({**env, "OLTP__FAST_PATH": "false"}, workers=WORKERS) as orm_server:
            pids = measure.process_tree(server.process.pid)
            orm_pids = measure.process_tree(orm_server.process.pid)
            for shape in ("spread", "hot"):
                for clients in CONCURRENCY:
                    case = f"{shape}_c{clients}"
                    hot = shape == "hot"
                    if CASES and case not in CASES:
                        continue

                    def raw(r: int, case: str = case, clients: int = clients,
                            hot: bool = hot) -> harness.Sample:
                        return _sample(_raw_phase(url, world, clients, hot, f"raw-{case}-{r}",
                                                  db_cpu))

                    def app(r: int, case: str = case, clients: int = clients, hot: bool = hot,
                            port: int = server.port, pids: list[int] = pids,
                            tag: str = "app") -> harness.Sample:
                        return _sample(_http_phase(port, pids, world, clients, hot,
                                                   f"{tag}-{case}-{r}", db_cpu))

                    sides = [harness.Side("raw", raw), harness.Side("app", app)]
                    ratios = dict(RATIOS)
                    if case in FAST_PATH_CASES:
                        sides.append(harness.Side("app_sqlalchemy", lambda r, app=app: app(
                            r, port=orm_server.port, pids=orm_pids, tag="orm")))
                        ratios["fast_path_cpu_saving"] = _fast_path_saving
                    comparison = harness.compare(
                        case, sides=sides, anchor="raw", rounds=ROUNDS, temperature="warm",
                        ratios=ratios, note=f"{clients} clients, {PHASE_SECONDS:g} s per phase")
                    cases[case] = comparison.to_dict()
                    print(f"   {case}: app/raw {cases[case]['ratios']['ratio_app_to_raw']}",
                          flush=True)
        db_cpu.close()
    finally:
        drop_pg_database(BASE_URL, url)
        shutil.rmtree(home, ignore_errors=True)
    return _result(cases)


def _result(cases: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "database": "postgresql",
        "server_workers": WORKERS,
        "pool_size_per_worker": POOL_SIZE,
        "phase_seconds": PHASE_SECONDS,
        "rounds": ROUNDS,
        "warmup_seconds": WARMUP_SECONDS,
        "spread_skus": SKUS,
        "risk_buyers": RISK_BUYERS,
        "cases_filter": list(CASES) or None,
        "cases": cases,
        "target_ratio": 0.5,
        "meets_target": all((c["ratios"]["ratio_app_to_raw"]["median"] or 0) >= 0.5
                            for k, c in cases.items() if k != "risk_c16"),
        "risk_scoring": _risk_summary(cases.get("risk_c16")),
    }


def _risk_summary(case: dict[str, Any] | None) -> dict[str, Any] | None:
    """The risk case's headline figures next to the targets (issue #14)."""
    if case is None:
        return None
    throughput = case["ratios"]["risk_throughput_on_to_off"]["median"]
    added = case["ratios"]["risk_p99_added_ms"]["median"]
    return {
        "on_orders_per_s": case["figures"]["app_risk_on"]["orders_per_s"]["median"],
        "off_orders_per_s": case["figures"]["app_risk_off"]["orders_per_s"]["median"],
        "on_p99_ms": case["figures"]["app_risk_on"]["p99_ms"]["median"],
        "off_p99_ms": case["figures"]["app_risk_off"]["p99_ms"]["median"],
        "throughput_on_to_off": throughput, "p99_added_ms": added,
        "cpu_ms_per_order_added": case["ratios"]["risk_cpu_ms_per_order_added"]["median"],
        "target_throughput_on_to_off": 0.9, "target_p99_added_ms": 5.0,
        "meets_target": throughput is not None and added is not None and throughput >= 0.9 and added <= 5.0,
    }


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(run(), indent=2))
