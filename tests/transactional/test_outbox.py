"""The outbox: events exist iff their transaction committed; ``sequence_id`` readers never
skip an event, even while writers commit concurrently (PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from transactional.core.events import emit
from transactional.db.database import Database
from transactional.db.outbox import read_events
from transactional.db.tables.core import outbox_events
from transactional.migrations import upgrade_database


def _count(db: Database) -> int:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(outbox_events)).scalar_one()


def test_events_commit_and_roll_back_with_their_transaction(db) -> None:
    before = _count(db)
    with pytest.raises(RuntimeError), db.write() as session:
        emit(session, "thing.happened", "thing", 1, {"n": 1})
        raise RuntimeError("business change failed")
    assert _count(db) == before
    with db.write() as session:
        emit(session, "thing.happened", "thing", 2, {"amount": Decimal("1.50")},
             business_unit="COAL", supplier_id="SUP-1")
    with db.read() as session:
        events = read_events(session, after_sequence_id=before)
    assert len(events) == 1
    event = events[0]
    assert (event["event_type"], event["aggregate_id"], event["business_unit"]) == (
        "thing.happened", "2", "COAL")
    assert event["payload"] == {"amount": "1.50"}  # exact decimal string
    assert event["sequence_id"] > before and len(event["event_id"]) == 36


def test_read_events_pages_by_sequence(db) -> None:
    with db.write() as session:
        for i in range(5):
            emit(session, "tick", "clock", i, {"i": i})
    with db.read() as session:
        everything = read_events(session)
        assert [e["sequence_id"] for e in everything] == sorted(
            e["sequence_id"] for e in everything)
        page = read_events(session, after_sequence_id=everything[-3]["sequence_id"], limit=1)
    assert page == [everything[-2]]


@pytest.mark.postgres
def test_a_polling_reader_never_skips_events_under_concurrent_commits(fresh_pg_url: str) -> None:
    upgrade_database(fresh_pg_url)
    db = Database(fresh_pg_url, pool_size=10)
    writers, per_writer = 8, 40
    done = threading.Event()
    seen: dict[int, str] = {}

    def write(n: int) -> None:
        for i in range(per_writer):
            with db.write() as session:
                emit(session, "tick", "writer", n, {"i": i})

    def poll() -> None:
        watermark = 0
        while True:
            finished = done.is_set()
            with db.read() as session:
                batch = read_events(session, after_sequence_id=watermark)
            for event in batch:
                seen[event["sequence_id"]] = event["event_id"]
                watermark = event["sequence_id"]
            if finished and not batch:
                return

    reader = threading.Thread(target=poll)
    reader.start()
    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    reader.join()
    with db.read() as session:
        committed = {e["sequence_id"]: e["event_id"] for e in read_events(session, 0, 100_000)}
    db.dispose()
    assert len(committed) == writers * per_writer
    assert seen == committed  # an incremental reader saw every event exactly as committed
