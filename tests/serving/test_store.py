"""The API's snapshot store: follows the pointer between requests, keeps a leased snapshot open
until its last request ends, per-thread cursors."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from lake.storage import LakeStorage
from serving.errors import NotReadyError
from serving.snapshot.build import build_snapshot
from serving.snapshot.store import SnapshotStore


def test_no_snapshot_means_not_ready(settings):
    store = SnapshotStore(settings.serving.snapshot_dir, poll_interval_s=0)
    assert store.current() is None
    with pytest.raises(NotReadyError):
        store.acquire()


def test_a_new_pointer_is_followed_and_a_leased_snapshot_stays_open(settings, tiny_snapshot):
    store = SnapshotStore(settings.serving.snapshot_dir, poll_interval_s=0)
    first = store.acquire()
    assert first.snapshot_id == tiny_snapshot.info.snapshot_id
    rebuilt = build_snapshot(LakeStorage(settings.lake.root), settings.serving.snapshot_dir,
                             force=True, grace_s=0, keep=0)
    with store.lease() as second:  # the next request switches
        assert second.snapshot_id == rebuilt.info.snapshot_id != first.snapshot_id
    # the first request is still reading its snapshot, even with its file already deleted
    assert not (Path(settings.serving.snapshot_dir) / first.info.file).exists()
    assert first.retired and not first.closed
    assert first.cursor().execute("SELECT count(*) FROM gold.supplier_master").fetchall() == [(3,)]
    store.release(first)
    assert first.closed and store.switches == 2
    store.close()


def test_the_pointer_is_looked_at_only_when_the_poll_interval_has_passed(settings, tiny_snapshot):
    store = SnapshotStore(settings.serving.snapshot_dir, poll_interval_s=3600)
    before = store.current()
    build_snapshot(LakeStorage(settings.lake.root), settings.serving.snapshot_dir, force=True)
    assert store.current() is before
    assert store.refresh() is not before
    store.close()


def test_each_thread_reads_on_its_own_cursor_and_documents_are_mapped(settings, tiny_snapshot):
    store = SnapshotStore(settings.serving.snapshot_dir, poll_interval_s=0)
    snapshot = store.acquire()
    cursors, results = [], []

    def read() -> None:
        cursors.append(snapshot.cursor())
        results.append(snapshot.cursor().execute("SELECT count(*) FROM gold.customer_rfm").fetchall())

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(c) for c in cursors}) == 4 and results == [[(3,)]] * 4
    document = snapshot.document("SUP-A")
    assert document == snapshot.document("SUP-A") and document.units == frozenset({"COAL"})
    assert json.loads(document.body)["supplier_key"] == "SUP-A"
    assert snapshot.document("SUP-UNKNOWN") is None
    assert snapshot.platform_keys == {"P-1": "SUP-A"}
    store.release(snapshot)
    store.close()
