"""The audit log's hash chain: drop the trigger, rewrite the log, re-create the trigger —
``grouplake audit verify`` names the first broken row (edit, deletion, reordering)."""

from __future__ import annotations

import importlib
import itertools
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from transactional.core import audit
from transactional.core.audit_chain import GENESIS, row_hash, verify
from transactional.db.tables.core import audit_log
from transactional.domain.principal import SYSTEM

INITIAL = importlib.import_module("transactional.db.migrations.versions.0001_initial_schema")
COLUMNS = ("occurred_at", "actor_user_id", "actor_role", "action", "object_type", "object_id",
           "business_unit", "details", "prev_hash", "row_hash")


def _write(db, n: int, start: int = 0) -> list[int]:
    for i in range(start, start + n):
        db.run_write(lambda s, i=i: audit.record(
            s, SYSTEM, "test.event", "thing", i, business_unit="COAL",
            details={"n": i, "amount": Decimal("12.5"), "名": "煤"}))
    with db.read() as session:
        return list(session.execute(select(audit_log.c.id).where(
            audit_log.c.action == "test.event").order_by(audit_log.c.id)).scalars())


def _tamper(db, statements: list[str]) -> None:
    """What someone with database access could do: lift the triggers, rewrite, restore."""
    with db.engine.begin() as c:
        if db.engine.dialect.name == "sqlite":
            c.execute(text("DROP TRIGGER audit_log_no_update"))
            c.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            c.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        for statement in statements:
            c.execute(text(statement))
        if db.engine.dialect.name == "sqlite":
            for create in INITIAL.SQLITE_APPEND_ONLY:
                c.execute(text(create))
        else:
            c.execute(text(INITIAL.POSTGRES_APPEND_ONLY[1]))


def _verify(db):
    with db.read() as session:
        return verify(session)


def _cli(url: str):
    from grouplake.cli import app

    return CliRunner().invoke(app, ["audit", "verify", "--database-url", url])


def test_an_untouched_log_verifies_and_every_row_is_chained(db, client, world) -> None:
    ids = _write(db, 5)
    assert client.post("/api/v1/auth/token", data={"username": "admin", "password": "x" * 12}
                       ).status_code == 401  # a login failure is chained like any row
    verdict = _verify(db)
    with db.read() as session:
        total = session.execute(select(func.count()).select_from(audit_log)).scalar_one()
        rows = session.execute(select(audit_log).order_by(audit_log.c.id)).all()
    assert verdict.ok and verdict.unchained == 0 and verdict.checked == total >= 6
    assert rows[0].prev_hash == GENESIS and verdict.head == rows[-1].row_hash
    assert all(b.prev_hash == a.row_hash for a, b in itertools.pairwise(rows))
    assert rows[-1].action == "auth.login_failed" and rows[-2].id == ids[-1]
    result = _cli(str(db.url))
    assert result.exit_code == 0, result.output
    assert f"audit chain intact: {total} chained row(s), 0 written before the chain" in \
        result.output


def test_an_edited_row_is_named(db) -> None:
    ids = _write(db, 5)
    _tamper(db, [f"UPDATE audit_log SET object_id = '999' WHERE id = {ids[2]}"])
    verdict = _verify(db)
    assert (verdict.broken_id, verdict.problem) == (
        ids[2], "row_hash does not match the row's content (edited)")
    result = _cli(str(db.url))
    assert result.exit_code == 1
    assert f"audit chain broken at row {ids[2]}" in result.output


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(db) -> None:
    ids = _write(db, 4)
    with db.read() as session:
        row = dict(session.execute(select(audit_log).where(audit_log.c.id == ids[1])).one()
                   ._mapping)
    row["business_unit"] = "POWER"
    forged = row_hash(row, row["prev_hash"])
    _tamper(db, [f"UPDATE audit_log SET business_unit = 'POWER', row_hash = '{forged}' "
                 + f"WHERE id = {ids[1]}"])
    verdict = _verify(db)
    assert (verdict.broken_id, verdict.problem) == (
        ids[2], "prev_hash does not match the previous row (deleted or reordered)")


def test_a_deleted_row_is_named_by_its_successor(db) -> None:
    ids = _write(db, 5)
    _tamper(db, [f"DELETE FROM audit_log WHERE id = {ids[1]}"])
    verdict = _verify(db)
    assert verdict.broken_id == ids[2] and "deleted or reordered" in verdict.problem
    assert _cli(str(db.url)).exit_code == 1


def test_reordered_rows_are_named(db) -> None:
    ids = _write(db, 5)
    a, b = ids[1], ids[3]
    sets = ", ".join(f"{c} = (SELECT {c} FROM saved WHERE id = {{other}})" for c in COLUMNS)
    _tamper(db, [
        "CREATE TEMPORARY TABLE saved AS SELECT * FROM audit_log",
        f"UPDATE audit_log SET {sets.format(other=b)} WHERE id = {a}",
        f"UPDATE audit_log SET {sets.format(other=a)} WHERE id = {b}",
        "DROP TABLE saved",
    ])
    with db.read() as session:
        moved = session.execute(select(audit_log.c.object_id).where(audit_log.c.id == a)).scalar()
    assert moved == "3"  # row 3's content now sits where row 1's was
    verdict = _verify(db)
    assert verdict.broken_id == a and "deleted or reordered" in verdict.problem


def test_rows_from_before_the_chain_are_counted_and_must_come_first(db) -> None:
    ids = _write(db, 3)
    _tamper(db, [f"UPDATE audit_log SET prev_hash = NULL, row_hash = NULL WHERE id = {ids[1]}"])
    verdict = _verify(db)
    assert verdict.broken_id == ids[1] and "no hash" in verdict.problem


@pytest.mark.postgres
def test_concurrent_writers_never_fork_the_chain_on_postgres(fresh_pg_url: str) -> None:
    from transactional.db.database import Database
    from transactional.migrations import upgrade_database

    upgrade_database(fresh_pg_url)
    db = Database(fresh_pg_url, pool_size=8)
    try:
        errors: list[BaseException] = []

        def writer(w: int) -> None:
            try:
                _write(db, 25, start=w * 100)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        verdict = _verify(db)
        with db.read() as session:
            prevs = session.execute(select(audit_log.c.prev_hash)).scalars().all()
        assert verdict.ok and verdict.checked == 200 == len(prevs) == len(set(prevs))
        ids = _write(db, 3, start=1000)
        _tamper(db, [f"UPDATE audit_log SET details = '{{\"n\": 1}}' WHERE id = {ids[1]}"])
        assert _verify(db).broken_id == ids[1]
        assert _cli(fresh_pg_url).exit_code == 1
    finally:
        db.dispose()
