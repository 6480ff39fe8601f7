"""The demo CRM's REST API: a real HTTP server over ``crm.db``, with realistic misbehaviour.

``GET /api/v1/<entity>?updated_since=<iso>&cursor=<opaque>&limit=<n>`` for ``customers``,
``contacts``, ``interactions`` and ``tickets`` returns ``{"data": [...], "next_cursor": ...}``,
keyset-paginated on ``(updated_at, <entity>_id)`` so pages stay stable while data changes;
``updated_since`` is inclusive. ``GET /api/v1/<entity>/<id>`` returns one row. Bearer-token
auth (401), a token-bucket rate limit (429 with ``Retry-After``) and seeded 5xx failures
(:class:`CrmChaos`) make clients prove their retries. ``GET /healthz`` needs no token.

Checks run in this order: route (404/405), auth (401), rate limit (429), chaos (5xx), query (400).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from demo.crm_data import CRM_ENTITIES

MAX_LIMIT = 1000
#: Token of the demo CRM when ``CRM__TOKEN`` is not set (local demo only; not a secret).
DEMO_CRM_TOKEN = "grouplake-demo-crm-token"
DEFAULT_LIMIT = 100
_BOOL_COLUMNS = {"is_primary"}


@dataclass(frozen=True)
class CrmChaos:
    """How badly the CRM behaves.

    Attributes:
        error_rate: probability (seeded, per authenticated request) of an ``error_status`` reply.
        error_status: the 5xx status used for failures.
        fail_first: the first N authenticated requests fail with ``error_status``.
        rate_limit_per_s: token-bucket refill rate per token; None = no limit.
        burst: bucket size (requests allowed back to back).
        retry_after_s: value of the ``Retry-After`` header on 429.
        seed: seed of the failure draws.
        throttle_first: the first N authenticated requests get 429 (deterministic, for tests).
        throttle_every: every Nth authenticated request gets 429 (0 = never; deterministic,
            unlike the token bucket, which depends on how fast the client is).
    """

    error_rate: float = 0.0
    error_status: int = 503
    fail_first: int = 0
    rate_limit_per_s: float | None = None
    burst: int = 10
    retry_after_s: int = 1
    seed: int = 0
    throttle_first: int = 0
    throttle_every: int = 0

    @classmethod
    def from_profile(cls, seed: int = 0, profile: str = "benchmark") -> CrmChaos:
        """The chaos rates of a profile's ``[crm]`` section."""
        from demo.profile import load_profile

        crm = load_profile(profile).crm
        return cls(error_rate=crm.error_rate, rate_limit_per_s=crm.rate_limit_per_s, burst=crm.burst, seed=seed)


class _State:
    def __init__(self, db_path: Path, token: str, chaos: CrmChaos) -> None:
        self.db_path, self.token, self.chaos = db_path, token, chaos
        self.lock = threading.Lock()
        self.requests = 0
        self.rng = random.Random(chaos.seed)
        self.tokens = float(chaos.burst)
        self.refilled = time.monotonic()
        self.statuses: dict[int, int] = {}

    def admit(self) -> tuple[int, dict[str, str]]:
        """(status, headers) for an authenticated request: 0 = serve it."""
        with self.lock:
            self.requests += 1
            c = self.chaos
            n = self.requests
            if n <= c.throttle_first or (c.throttle_every and n % c.throttle_every == 0):
                return 429, {"Retry-After": str(c.retry_after_s)}
            if c.rate_limit_per_s is not None:
                now = time.monotonic()
                self.tokens = min(float(c.burst), self.tokens + (now - self.refilled) * c.rate_limit_per_s)
                self.refilled = now
                if self.tokens < 1.0:
                    return 429, {"Retry-After": str(c.retry_after_s)}
                self.tokens -= 1.0
            if n <= c.fail_first + c.throttle_first:
                return c.error_status, {}
            if c.error_rate > 0 and self.rng.random() < c.error_rate:
                return c.error_status, {}
            return 0, {}


def _normalise_since(value: str) -> str:
    text = value.strip().replace("Z", "+00:00").replace(" ", "+", 1) if "T" in value else value.strip()
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode_cursor(updated_at: str, row_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([updated_at, row_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    updated_at, row_id = json.loads(raw)
    return str(updated_at), str(row_id)


def _row(cursor_row: sqlite3.Row) -> dict:
    out = dict(cursor_row)
    for col in _BOOL_COLUMNS & out.keys():
        out[col] = None if out[col] is None else bool(out[col])
    return out


class _Handler(BaseHTTPRequestHandler):
    server_version = "GroupLakeDemoCRM/1.0"
    state: _State

    def log_message(self, format: str, *args: object) -> None:
        return

    def _send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        with self.state.lock:
            self.state.statuses[status] = self.state.statuses.get(status, 0) + 1
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self._send(405, {"error": "method not allowed"}, {"Allow": "GET"})

    do_PUT = do_DELETE = do_PATCH = do_POST

    def do_GET(self) -> None:
        url = urlparse(self.path)
        parts = [p for p in url.path.split("/") if p]
        if parts in (["healthz"], ["readyz"]):
            self._send(200, {"status": "ok"})
            return
        if len(parts) not in (3, 4) or parts[:2] != ["api", "v1"] or parts[2] not in CRM_ENTITIES:
            self._send(404, {"error": f"no such resource: {url.path}"})
            return
        if self.headers.get("Authorization", "") != f"Bearer {self.state.token}":
            self._send(401, {"error": "missing or invalid bearer token"}, {"WWW-Authenticate": "Bearer"})
            return
        status, headers = self.state.admit()
        if status == 429:
            self._send(429, {"error": "rate limit exceeded"}, headers)
            return
        if status:
            self._send(status, {"error": "the CRM is temporarily unavailable"})
            return
        entity, id_column = parts[2], CRM_ENTITIES[parts[2]]
        try:
            if len(parts) == 4:
                self._one(entity, id_column, parts[3])
            else:
                self._page(entity, id_column, parse_qs(url.query))
        except ValueError as exc:
            self._send(400, {"error": str(exc)})

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{self.state.db_path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        return conn

    def _one(self, entity: str, id_column: str, row_id: str) -> None:
        with contextlib.closing(self._connect()) as conn:
            row = conn.execute(f"SELECT * FROM {entity} WHERE {id_column} = ?", (row_id,)).fetchone()
        if row is None:
            self._send(404, {"error": f"{entity} {row_id} not found"})
        else:
            self._send(200, {"data": _row(row)})

    def _page(self, entity: str, id_column: str, query: dict[str, list[str]]) -> None:
        try:
            limit = int(query.get("limit", [DEFAULT_LIMIT])[0])
        except ValueError:
            raise ValueError("limit must be an integer") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        where, params = [], []
        if "updated_since" in query:
            try:
                since = _normalise_since(query["updated_since"][0])
            except ValueError:
                raise ValueError("updated_since must be an ISO-8601 timestamp") from None
            where.append("updated_at >= ?")
            params.append(since)
        if query.get("cursor", [""])[0]:
            try:
                updated_at, last_id = decode_cursor(query["cursor"][0])
            except (ValueError, TypeError, json.JSONDecodeError):
                raise ValueError("invalid cursor") from None
            where.append(f"(updated_at, {id_column}) > (?, ?)")
            params += [updated_at, last_id]
        sql = f"SELECT * FROM {entity}" + (f" WHERE {' AND '.join(where)}" if where else "")
        sql += f" ORDER BY updated_at, {id_column} LIMIT ?"
        with contextlib.closing(self._connect()) as conn:
            rows = conn.execute(sql, (*params, limit + 1)).fetchall()
        data = [_row(r) for r in rows[:limit]]
        next_cursor = encode_cursor(data[-1]["updated_at"], data[-1][id_column]) if len(rows) > limit else None
        self._send(200, {"data": data, "next_cursor": next_cursor})


def _make_server(db_path: str | Path, token: str, chaos: CrmChaos | None, host: str, port: int) -> ThreadingHTTPServer:
    path = Path(db_path)
    if not path.exists():
        raise FileNotFoundError(f"CRM database not found: {path} (generate the demo group first)")
    handler = type("CrmHandler", (_Handler,), {"state": _State(path, token, chaos or CrmChaos())})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


@contextlib.contextmanager
def serve_crm(db_path: str | Path, *, token: str, chaos: CrmChaos | None = None, host: str = "127.0.0.1",
              port: int = 0) -> Iterator[str]:
    """Serve the CRM in a background thread; yields its base URL (``http://127.0.0.1:<port>``).

    Args:
        db_path: the CRM SQLite file (``<demo dir>/crm.db``).
        token: the bearer token clients must send.
        chaos: failures to inject (default: none).
        host: interface to bind.
        port: 0 picks a free port.

    Example:
        >>> with serve_crm("crm.db", token="t") as base_url:  # doctest: +SKIP
        ...     httpx.get(f"{base_url}/api/v1/customers", headers={"Authorization": "Bearer t"})
    """
    server = _make_server(db_path, token, chaos, host, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="demo-crm", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def run_crm_server(db_path: str | Path, *, token: str, chaos: CrmChaos | None = None, host: str = "127.0.0.1",
                   port: int = 0, ready: threading.Event | None = None) -> None:
    """Serve the CRM in the foreground until interrupted (the ``grouplake demo crm-serve`` command)."""
    server = _make_server(db_path, token, chaos, host, port)
    print(f"CRM API at http://{host}:{server.server_address[1]}  (Authorization: Bearer <token>)", flush=True)
    if ready is not None:
        ready.set()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
