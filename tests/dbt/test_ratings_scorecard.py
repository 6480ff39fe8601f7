"""A buyer's rating reaches the supplier's scorecard on the next dbt run (#28 item 4).

On copies of the small demo lake's platform database, outbox table and dbt file (the shared
lake is left untouched): a dealer changes the quality score of a rated demo order through
the transactional service, the outbox is ingested into the copied bronze table, and
``dbt run`` of the ratings lineage (``stg_tx__outbox_events`` and the 7 models downstream of
``int_order_ratings__current`` to the scorecard marts; the session's build ran their tests) moves the
supplier's quality mean by exactly the changed points over its ratings, and its shrunk
``buyer_quality_rating`` the same way. No whole-graph run: about 20 s on top of
the session's demo lake.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.slow

SELECT = "stg_tx__outbox_events int_order_ratings__current+"
CARD = ("select supplier_key, rating_count, quality_rating_mean, buyer_quality_rating, is_ranked "
        "from marts.supplier_scorecards_current where supplier_key = ?")


def _card(path: Path, supplier_key: str) -> tuple:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(CARD, [supplier_key]).fetchone()


def _rated_order(dbt_file: Path, oltp_url: str) -> tuple[int, int, str, int]:
    """A rated demo order of a supplier whose current scorecard counts ratings:
    (order id, buyer user id, supplier key, quality score)."""
    with duckdb.connect(str(dbt_file), read_only=True) as con:
        rated = con.execute(
            "select r.order_id, r.supplier_key, r.quality_score from intermediate.int_order_ratings__current r "
            "join marts.supplier_scorecards_current c using (supplier_key) "
            "where c.rating_count > 0 order by c.is_ranked desc, r.order_id").fetchall()
    assert rated, "the demo run rates platform orders of suppliers with a scorecard"
    order_id, supplier_key, quality = rated[0]
    engine = sa.create_engine(oltp_url)
    with engine.connect() as con:
        buyer = con.execute(sa.text("select buyer_user_id from orders where id = :i"), {"i": order_id}).scalar_one()
    engine.dispose()
    return order_id, buyer, supplier_key, quality


def test_a_changed_rating_moves_the_scorecard_on_the_next_dbt_run(demo_lake, tmp_path):
    from dbt_project.runner import dbt_env, dbt_executable, project_dir, target_path
    from lake.storage import LakeStorage
    from pipelines.ingest import ingest_entity
    from pipelines.sources.tx.outbox import OUTBOX_SPEC, OutboxExtractor
    from transactional.db.database import Database
    from transactional.db.tables.identity import users
    from transactional.feedback.ratings import RatingInput, change_rating
    from transactional.identity.users import principal_of

    settings = demo_lake.settings
    home = Path(settings.dbt.duckdb_path).parent
    dbt_file = tmp_path / "dbt" / "grouplake.duckdb"
    dbt_file.parent.mkdir()
    shutil.copyfile(settings.dbt.duckdb_path, dbt_file)
    oltp = tmp_path / "oltp.db"
    shutil.copyfile(settings.oltp.database_url.removeprefix("sqlite:///"), oltp)
    lake_root = tmp_path / "lake"
    source_root = Path(settings.lake.root.removeprefix("file://"))
    for part in (OUTBOX_SPEC.relative_path, "_meta/watermarks/tx"):
        shutil.copytree(source_root / part, lake_root / part)
    lake = LakeStorage(str(lake_root))

    order_id, buyer_id, supplier_key, quality = _rated_order(dbt_file, f"sqlite:///{oltp}")
    before = _card(dbt_file, supplier_key)
    assert before[1] >= 1 and before[2] is not None
    changed_to = 1 if quality >= 3 else 5

    db = Database(f"sqlite:///{oltp}")
    try:
        with db.read() as session:
            buyer = principal_of(session.execute(sa.select(users).where(users.c.id == buyer_id)).one())
        rating = db.run_write(lambda s: change_rating(s, buyer, order_id, RatingInput(quality_score=changed_to)))
        assert rating["quality_score"] == changed_to and rating["version"] == 2
        engine = sa.create_engine(f"sqlite:///{oltp}")
        landed = ingest_entity(lake, OUTBOX_SPEC, OutboxExtractor(engine))
        engine.dispose()
    finally:
        db.dispose()
    assert landed.inserted >= 1 and landed.quarantined == 0  # only the new event(s)

    env = {**os.environ, **dbt_env(settings), "GROUPLAKE_LAKE_ROOT": str(lake_root),
           "GROUPLAKE_DBT_DUCKDB_PATH": str(dbt_file)}
    target = tmp_path / "target"  # the shared run's parse state, so dbt parses only what changed
    shutil.copytree(target_path(settings), target, ignore=shutil.ignore_patterns("run", "compiled"))
    result = subprocess.run(  # models only: the unit and data tests ran in the session's build
        [dbt_executable(), "run", "--select", SELECT, "--project-dir", str(project_dir(settings)),
         "--profiles-dir", str(project_dir(settings)), "--target-path", str(target)],
        env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-4000:]
    assert str(target_path(settings)).startswith(str(home))  # the shared run's artifacts untouched

    after = _card(dbt_file, supplier_key)
    assert after[1] == before[1]  # the same ratings, one changed
    assert after[2] == pytest.approx(before[2] + (changed_to - quality) / before[1], abs=1e-6)
    moved = after[3] - before[3]
    assert moved != 0 and (moved > 0) == (changed_to > quality)
    assert _card(Path(settings.dbt.duckdb_path), supplier_key) == before  # the shared lake is as it was
