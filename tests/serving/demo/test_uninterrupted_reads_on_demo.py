"""Reads during a republication (this module sorts last among the serving tests on the demo
lake: it republishes, then restores): four readers on a real uvicorn process while the supplier
marts' gold assets and the snapshot run again; every response is a 200 whose body is
exactly that of the snapshot its header names. The changed score is restored and
republished afterwards (later tests read the same gold)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

import pytest

from tests.serving.demo.oracle import (
    API,
    REPUBLISH,
)

pytestmark = pytest.mark.slow


@dataclass
class Read:
    """One response seen by a reader thread."""

    reader: str
    path: str
    status: int
    snapshot: str | None
    body: bytes
    started: float
    ended: float

class Reader(threading.Thread):
    """Reads ``paths`` round after round from a real server until told to stop."""

    def __init__(self, name: str, base_url: str, headers: dict[str, str], paths: list[str]) -> None:
        super().__init__(name=f"reader-{name}", daemon=True)
        self.who, self.base_url, self.headers, self.paths = name, base_url, headers, paths
        self.reads: list[Read] = []
        self.first_round = threading.Event()
        self.round_after_publication = threading.Event()
        self.published_at: float | None = None  # set by the main thread
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        import httpx

        try:
            with httpx.Client(base_url=self.base_url, headers=self.headers, timeout=60) as client:
                while not self.stop.is_set():
                    round_started = time.monotonic()
                    for path in self.paths:
                        started = time.monotonic()
                        response = client.get(path)
                        self.reads.append(Read(self.who, path, response.status_code,
                                               response.headers.get("X-Serving-Snapshot"),
                                               response.content, started, time.monotonic()))
                    self.first_round.set()
                    published_at = self.published_at
                    if published_at is not None and round_started > published_at:
                        self.round_after_publication.set()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.failure = exc
            self.first_round.set()
            self.round_after_publication.set()

def set_latest_score(lake, supplier_key: str, score: float) -> float:
    """Set a supplier's latest overall score in dbt's marts (as a dbt rebuild on new data
    would leave them); returns the previous score."""
    import duckdb

    with duckdb.connect(lake.settings.dbt.duckdb_path) as con:
        before = con.execute("SELECT overall_score FROM marts.supplier_scorecards_current "
                             "WHERE supplier_key = ?", [supplier_key]).fetchall()[0][0]
        con.execute("UPDATE marts.supplier_scorecards_current SET overall_score = ? "
                    "WHERE supplier_key = ?", [score, supplier_key])
        con.execute("UPDATE marts.supplier_scorecards SET overall_score = ? WHERE supplier_key = ? "
                    "AND scorecard_month = (SELECT max(scorecard_month) FROM marts.supplier_scorecards)",
                    [score, supplier_key])
    return before

def _fetch(base_url: str, headers: dict[str, str], paths: list[str]) -> dict[str, tuple[str, bytes]]:
    import httpx

    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
        found = {}
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            found[path] = (response.headers["X-Serving-Snapshot"], response.content)
        return found

def _read_during(demo_lake, base_url: str, callers: dict[str, dict[str, str]],
                 paths: list[str]) -> tuple[list[Read], float, float]:
    """Readers on every path while :data:`REPUBLISH` runs; returns their reads and the run's
    start and end (monotonic)."""
    readers = [Reader(who, base_url, headers, paths) for who, headers in (*callers.items(),
                                                                           *callers.items())]
    try:
        for reader in readers:
            reader.start()
        for reader in readers:
            assert reader.first_round.wait(120) and reader.failure is None, reader.failure
        run_started = time.monotonic()
        outcome = demo_lake.run(REPUBLISH)
        run_ended = time.monotonic()
        assert outcome.success, (outcome.ledger.step_failures, outcome.ledger.failed_checks)
        for reader in readers:
            reader.published_at = run_ended
        for reader in readers:
            assert reader.round_after_publication.wait(120), "no full round of reads after the run"
    finally:
        for reader in readers:
            reader.stop.set()
        for reader in readers:
            reader.join(120)
    for reader in readers:
        assert reader.failure is None, reader.failure
    return [read for reader in readers for read in reader.reads], run_started, run_ended

def test_reads_stay_consistent_while_a_run_republishes_the_marts(demo_lake, served, auth, multi_unit):
    """Four readers (admin and COAL procurement) on seven routes of a real uvicorn process
    while the supplier marts' gold assets and the snapshot run. The new data: one supplier's
    latest overall score changed in dbt's marts (what a dbt rebuild on new source data leaves
    behind), so the old and the new snapshot differ in the scorecard, the lists and the
    360. Every response must be a 200 whose body equals, byte for byte, that route's body in
    the snapshot its ``X-Serving-Snapshot`` names; after the run only the new one is served.
    The score is restored and republished afterwards (later tests read the same gold)."""
    from serving.snapshot.pointer import read_pointer
    from tests.serving.loadgen import ServingServer

    snapshot_dir = demo_lake.settings.serving.snapshot_dir
    scorecard = f"{API}/scorecards/{multi_unit}"
    paths = ["/readyz", f"{API}/snapshot", scorecard, f"{API}/scorecards?limit=500",
             f"{API}/rankings?limit=500", f"{API}/elimination-list?limit=500",
             f"{API}/suppliers/{multi_unit}"]
    callers = {"admin": auth["admin"], "coal": auth["procurement.coal"]}
    old = read_pointer(snapshot_dir).snapshot_id
    with ServingServer("serving.main:create_app", {"SERVING__POLL_INTERVAL_S": "0"}) as server:
        expected: dict[tuple[str, str, str], bytes] = {}

        def remember(snapshot_id: str) -> None:
            for who, headers in callers.items():
                for path, (snapshot, body) in _fetch(server.base_url, headers, paths).items():
                    assert snapshot == snapshot_id, path
                    expected[(who, snapshot, path)] = body

        remember(old)
        previous_score = set_latest_score(demo_lake, multi_unit, 99.5)
        try:
            reads, run_started, run_ended = _read_during(demo_lake, server.base_url, callers, paths)
            new = read_pointer(snapshot_dir).snapshot_id
            assert new != old
            remember(new)  # afterwards the API serves the new snapshot

            assert [(r.path, r.status) for r in reads if r.status != 200] == []
            torn = [(r.reader, r.path, r.snapshot) for r in reads
                    if expected.get((r.reader, r.snapshot, r.path)) != r.body]
            assert torn == []  # every body is exactly that of the snapshot its header names
            assert [r for r in reads if r.started >= run_started and r.ended <= run_ended]
            assert {r.snapshot for r in reads} == {old, new}
            assert {r.snapshot for r in reads if r.started > run_ended} == {new}
            assert json.loads(expected[("admin", old, scorecard)])["overall_score"] == previous_score
            assert json.loads(expected[("admin", new, scorecard)])["overall_score"] == 99.5
            assert json.loads(expected[("coal", new, "/readyz")])["snapshot_id"] == new
        finally:
            set_latest_score(demo_lake, multi_unit, previous_score)
            restored = demo_lake.run(REPUBLISH)
            assert restored.success, restored.ledger.step_failures
        current, body = _fetch(server.base_url, auth["admin"], [scorecard])[scorecard]
        assert current == read_pointer(snapshot_dir).snapshot_id and current not in (old, new)
        assert body == expected[("admin", old, scorecard)]  # the same data, the same document
