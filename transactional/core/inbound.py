"""The inbound door: how the lake's decisions enter the transactional service.

One door for every feature (``DESIGN.md``, "Closing the loop"). The lake publishes a
decision snapshot (a gold table, its content hash is the version); an apply asset hands its
rows here as plain data (dicts of str / int / float / Decimal / date / datetime / None, no
lake types). :func:`apply_snapshot` then, in ONE write transaction:

1. refuses a snapshot older than the version in force (``stale``) and does nothing for a
   version already applied (``already_applied``): re-runs and replays are idempotent;
2. runs the feature's *applier* (``transactional/<context>/inbound.py``), which writes the
   rows into its service tables with the version on every row and removes what the new
   version no longer holds;
3. records the version in ``applied_snapshots`` and one audit row.

Any exception rolls all three back: a crash mid-apply leaves the previous version in force,
whole. The request path reads the service tables only and asks :func:`current_snapshot`
which version they hold and how old it is, so it keeps working (on the last version) while
the lake is down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from transactional.core import audit
from transactional.db.tables.decisions import applied_snapshots
from transactional.db.types import utcnow
from transactional.domain.errors import ValidationFailedError
from transactional.domain.principal import SYSTEM

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Snapshot:
    """One version of a decision snapshot, as plain data.

    Attributes:
        kind: what it decides (``"supplier_suspensions"``, ``"recommendations"`` …); one
            applier per kind.
        version: the content hash of the published gold table (hex, ≤ 64 characters).
        produced_at: when the lake produced it (aware); orders versions of one kind.
        source: where it came from, for the registry (``gold/<table>@v<delta version>``).
        rows: the rows, plain Python values.
    """

    kind: str
    version: str
    produced_at: dt.datetime
    source: str
    rows: Sequence[Row] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.kind or len(self.kind) > 64:
            raise ValidationFailedError("snapshot kind must be 1-64 characters", code="invalid_snapshot")
        if not self.version or len(self.version) > 64:
            raise ValidationFailedError("snapshot version must be 1-64 characters", code="invalid_snapshot")
        if self.produced_at.tzinfo is None:
            raise ValidationFailedError("snapshot produced_at must be timezone-aware", code="invalid_snapshot")


@dataclass(frozen=True)
class Applied:
    """What an applier did: rows inserted or updated, and rows the new version removed."""

    written: int
    removed: int = 0


#: A feature's applier: writes ``snapshot.rows`` into its tables in the given transaction.
Applier = Callable[[Session, Snapshot], Applied]


@dataclass(frozen=True)
class AppliedSnapshot:
    """A version in force (or recorded): the registry row."""

    kind: str
    version: str
    source: str
    produced_at: dt.datetime
    applied_at: dt.datetime
    row_count: int
    rows_written: int
    rows_removed: int

    def age(self, now: dt.datetime | None = None) -> dt.timedelta:
        """How old the decisions are: now minus the time the lake produced them."""
        return (now or utcnow()) - self.produced_at


@dataclass(frozen=True)
class ApplyOutcome:
    """The result of one :func:`apply_snapshot` call.

    Attributes:
        status: ``applied`` (this call wrote the version), ``already_applied`` (the same
            version was applied before: nothing done) or ``stale`` (a newer version is in
            force: nothing done).
        in_force: the version in force after the call.
    """

    status: Literal["applied", "already_applied", "stale"]
    in_force: AppliedSnapshot
    written: int = 0
    removed: int = 0


def _row(mapping: Mapping[str, Any]) -> AppliedSnapshot:
    return AppliedSnapshot(**{k: mapping[k] for k in AppliedSnapshot.__dataclass_fields__})


# Built once: read on every recommendation request (the version keys their caches).
_IN_FORCE = (select(applied_snapshots).where(applied_snapshots.c.kind == bindparam("kind"))
             .order_by(applied_snapshots.c.produced_at.desc(), applied_snapshots.c.id.desc()).limit(1))


def current_snapshot(session: Session, kind: str) -> AppliedSnapshot | None:
    """The version of ``kind`` in force (the latest produced that was applied), or None."""
    found = session.execute(_IN_FORCE, {"kind": kind}).mappings().first()
    return _row(found) if found else None


def snapshots_in_force(session: Session) -> list[AppliedSnapshot]:
    """Every kind's version in force, by kind."""
    kinds = session.execute(select(applied_snapshots.c.kind).distinct()).scalars().all()
    found = [current_snapshot(session, kind) for kind in sorted(kinds)]
    return [snapshot for snapshot in found if snapshot is not None]


def apply_in_session(session: Session, snapshot: Snapshot, applier: Applier) -> ApplyOutcome:
    """Apply ``snapshot`` inside the caller's write transaction (see the module docstring).

    Use :func:`apply_snapshot` unless you already hold the transaction.
    """
    in_force = current_snapshot(session, snapshot.kind)
    if in_force is not None and in_force.version == snapshot.version:
        return ApplyOutcome("already_applied", in_force)
    seen = session.execute(
        select(applied_snapshots).where(applied_snapshots.c.kind == snapshot.kind,
                                        applied_snapshots.c.version == snapshot.version)
    ).mappings().first()
    if seen is not None or (in_force is not None and snapshot.produced_at <= in_force.produced_at):
        # an older version (or one superseded since): re-applying it would undo newer decisions
        return ApplyOutcome("stale", in_force or _row(seen))
    done = applier(session, snapshot)
    record = {
        "kind": snapshot.kind, "version": snapshot.version, "source": snapshot.source[:200],
        "produced_at": snapshot.produced_at, "applied_at": utcnow(), "row_count": len(snapshot.rows),
        "rows_written": done.written, "rows_removed": done.removed,
    }
    session.execute(insert(applied_snapshots), record)
    audit.record(session, SYSTEM, "snapshot.apply", "decision_snapshot", f"{snapshot.kind}@{snapshot.version[:16]}",
                 details={"source": snapshot.source, "rows": len(snapshot.rows), "written": done.written,
                          "removed": done.removed,
                          "replaces": in_force.version if in_force is not None else None})
    return ApplyOutcome("applied", _row(record), done.written, done.removed)


def apply_snapshot(database: Any, snapshot: Snapshot, applier: Applier) -> ApplyOutcome:
    """Apply one decision snapshot version through the door, in one write transaction.

    Args:
        database: the service's :class:`transactional.db.database.Database`.
        snapshot: the version to apply, as plain data.
        applier: the feature's function writing the rows (``transactional/<context>/inbound.py``).

    Returns:
        Whether it was applied, already applied, or stale, and the version now in force.

    Raises:
        Whatever the applier raises (for rows it refuses); nothing is written then.
    """
    return database.run_write(lambda session: apply_in_session(session, snapshot, applier))
