"""The inbound door (transactional/core/inbound.py): each snapshot version applied once, in
one transaction with its rows; older versions refused; a crash leaves the previous version
whole; the version in force and its age are visible through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import exc, select, text

from transactional.core.inbound import Applied, Snapshot, apply_snapshot, current_snapshot
from transactional.db.tables.core import audit_log
from transactional.db.tables.decisions import applied_snapshots
from transactional.domain.errors import ValidationFailedError

T0 = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)


def _probe(session, snapshot: Snapshot) -> Applied:
    """A feature's applier in miniature: full replacement, the version on every row."""
    session.execute(text("create table if not exists door_probe (key text primary key, value integer, version text)"))
    removed = session.execute(text("delete from door_probe")).rowcount
    for row in snapshot.rows:
        session.execute(text("insert into door_probe values (:key, :value, :version)"),
                        {**row, "version": snapshot.version})
    return Applied(written=len(snapshot.rows), removed=removed)


def _crashing(session, snapshot: Snapshot) -> Applied:
    _probe(session, snapshot)
    raise RuntimeError("process killed mid-apply")


def _snapshot(version: str, hours: int, rows: list[dict]) -> Snapshot:
    return Snapshot(kind="probe", version=version, produced_at=T0 + dt.timedelta(hours=hours),
                    source=f"gold/probe@v{hours}", rows=rows)


def _probe_rows(db) -> list[tuple]:
    with db.read() as session:
        return [tuple(r) for r in session.execute(text("select key, value, version from door_probe order by key"))]


def test_each_version_applies_once_and_older_versions_are_refused(db) -> None:
    v1 = _snapshot("a" * 64, 0, [{"key": "SUP-1", "value": 1}, {"key": "SUP-2", "value": 2}])
    v2 = _snapshot("b" * 64, 24, [{"key": "SUP-2", "value": 20}])

    first = apply_snapshot(db, v1, _probe)
    assert (first.status, first.written, first.removed) == ("applied", 2, 0)
    again = apply_snapshot(db, v1, _probe)
    assert (again.status, again.written, again.in_force.version) == ("already_applied", 0, "a" * 64)
    second = apply_snapshot(db, v2, _probe)
    assert (second.status, second.written, second.removed) == ("applied", 1, 2)
    replay = apply_snapshot(db, v1, _probe)  # an old version re-delivered must not undo v2
    assert (replay.status, replay.in_force.version) == ("stale", "b" * 64)
    late = apply_snapshot(db, _snapshot("c" * 64, 12, [{"key": "SUP-9", "value": 9}]), _probe)
    assert late.status == "stale"  # produced before the version in force

    assert _probe_rows(db) == [("SUP-2", 20, "b" * 64)]
    with db.read() as session:
        registry = session.execute(select(applied_snapshots.c.version, applied_snapshots.c.row_count,
                                          applied_snapshots.c.rows_removed)
                                   .order_by(applied_snapshots.c.id)).all()
        assert [tuple(r) for r in registry] == [("a" * 64, 2, 0), ("b" * 64, 1, 2)]
        audits = session.execute(select(audit_log.c.object_id, audit_log.c.details)
                                 .where(audit_log.c.action == "snapshot.apply").order_by(audit_log.c.id)).all()
        assert [a.object_id for a in audits] == ["probe@" + "a" * 16, "probe@" + "b" * 16]
        assert audits[1].details["replaces"] == "a" * 64
        in_force = current_snapshot(session, "probe")
    assert in_force.source == "gold/probe@v24"
    assert in_force.age(T0 + dt.timedelta(hours=30)) == dt.timedelta(hours=6)


def test_a_crash_mid_apply_leaves_the_previous_version_whole(db) -> None:
    v1 = _snapshot("a" * 64, 0, [{"key": "SUP-1", "value": 1}])
    apply_snapshot(db, v1, _probe)
    with pytest.raises(RuntimeError, match="killed"):
        apply_snapshot(db, _snapshot("b" * 64, 1, [{"key": "SUP-1", "value": 5}, {"key": "SUP-3", "value": 3}]),
                       _crashing)
    assert _probe_rows(db) == [("SUP-1", 1, "a" * 64)]
    with db.read() as session:
        assert current_snapshot(session, "probe").version == "a" * 64
        assert session.execute(select(applied_snapshots.c.id)).all().__len__() == 1
    # the same version applies cleanly once the fault is gone
    retry = apply_snapshot(db, _snapshot("b" * 64, 1, [{"key": "SUP-1", "value": 5}]), _probe)
    assert retry.status == "applied" and _probe_rows(db) == [("SUP-1", 5, "b" * 64)]


def test_the_registry_cannot_be_rewritten(db) -> None:
    apply_snapshot(db, _snapshot("a" * 64, 0, []), _probe)
    for statement in ("update applied_snapshots set version = 'x'", "delete from applied_snapshots"):
        with pytest.raises(exc.DatabaseError, match="append-only"), db.write() as session:
            session.execute(text(statement))


@pytest.mark.parametrize(("field", "value", "message"), [
    ("kind", "", "kind"), ("version", "v" * 65, "version"),
    ("produced_at", dt.datetime(2026, 12, 1), "timezone"),
])
def test_a_malformed_snapshot_is_refused_before_it_reaches_the_database(field, value, message) -> None:
    fields = {"kind": "probe", "version": "a" * 64, "produced_at": T0, "source": "gold/probe"}
    with pytest.raises(ValidationFailedError, match=message):
        Snapshot(**{**fields, field: value})


def test_the_version_in_force_and_its_age_are_visible_to_procurement(client, world, db) -> None:
    apply_snapshot(db, _snapshot("a" * 64, 0, [{"key": "SUP-1", "value": 1}]), _probe)
    response = client.get("/api/v1/decisions", headers=world.headers("procurement_coal"))
    assert response.status_code == 200
    [probe] = response.json()
    assert (probe["kind"], probe["version"], probe["row_count"], probe["source"]) == ("probe", "a" * 64, 1,
                                                                                       "gold/probe@v0")
    now = dt.datetime.now(dt.UTC)
    assert abs(probe["age_seconds"] - (now - T0).total_seconds()) < 60
    refused = client.get("/api/v1/decisions", headers=world.headers("buyer_coal"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
