"""CRM ingest against the demo CRM's real HTTP API: every row exactly once, whatever the API does."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from demo.crm_server import CrmChaos, serve_crm
from lake.storage import LakeStorage
from lake.watermarks import read_watermark
from pipelines.ingest import ingest_entity
from pipelines.sources.crm.client import CrmClient, RetryPolicy
from pipelines.sources.crm.extract import CrmExtractor
from pipelines.sources.crm.specs import CRM_SPECS, crm_specs
from tests.pipelines.sources import source_demo as demo

REPO = Path(__file__).resolve().parents[3]
TOKEN = "crm-test-token"
PAGE_SIZE = 29  # several pages per entity, a partial last page
PAGES_PER_BATCH = 2
FAST_RETRY = RetryPolicy(max_retries=60, initial_s=0.005, max_s=0.03)


@pytest.fixture(scope="module")
def crm_db(tmp_path_factory) -> Path:
    return Path(demo.make_settings(demo.demo_home(tmp_path_factory)).demo.dir) / "crm.db"


def ingest(db: Path, lake: LakeStorage, chaos: CrmChaos | None = None) -> tuple[dict, CrmClient]:
    with serve_crm(db, token=TOKEN, chaos=chaos) as url, CrmClient(url, TOKEN, retry=FAST_RETRY, seed=3) as client:
        extractor = CrmExtractor(client, page_size=PAGE_SIZE, pages_per_batch=PAGES_PER_BATCH)
        reports = {spec.entity: ingest_entity(lake, spec, extractor) for spec in crm_specs()}
    return reports, client


@pytest.fixture(scope="module")
def clean(crm_db, tmp_path_factory) -> LakeStorage:
    lake = LakeStorage(str(tmp_path_factory.mktemp("crm-clean") / "lake"))
    ingest(crm_db, lake)
    return lake


def _source_rows(db: Path, entity: str) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        id_column = CRM_SPECS[entity].key[0]
        return {r[id_column]: dict(r) for r in conn.execute(f"SELECT * FROM {entity}")}
    finally:
        conn.close()


def test_every_crm_row_lands_once_with_lake_types(crm_db, clean):
    for spec in crm_specs():
        source = _source_rows(crm_db, spec.entity)
        landed = demo.rows(clean, spec)
        assert [r[spec.key[0]] for r in landed] == sorted(source), spec.entity
        for row in landed[:50]:
            raw = source[row[spec.key[0]]]
            assert row["updated_at"].strftime("%Y-%m-%dT%H:%M:%SZ") == raw["updated_at"]
            assert row["_source"] == "crm" and row["_batch_id"].startswith(f"crm.{spec.entity}.")
    customer = demo.rows(clean, CRM_SPECS["customers"])[0]
    assert isinstance(customer["credit_limit"], Decimal) and customer["credit_limit"] == customer["credit_limit"].quantize(Decimal(1))
    assert demo.quarantine(clean) == []


def test_watermark_holds_the_last_committed_row_and_the_end_of_paging(crm_db, clean):
    for spec in crm_specs():
        mark = read_watermark(clean, "crm", spec.entity)
        last = max(_source_rows(crm_db, spec.entity).values(), key=lambda r: (r["updated_at"], r[spec.key[0]]))
        assert mark == {"updated_at": last["updated_at"], "id": last[spec.key[0]], "cursor": None}


def test_429s_and_5xx_give_exactly_the_rows_of_a_clean_run(crm_db, clean, tmp_path):
    lake = LakeStorage(str(tmp_path / "lake"))
    # two 429s for certain (the token bucket's depend on how fast a loaded machine's client is)
    chaos = CrmChaos(error_rate=0.25, error_status=503, fail_first=3, rate_limit_per_s=150.0, burst=2,
                     retry_after_s=1, seed=5, throttle_first=2)
    _, client = ingest(crm_db, lake, chaos)
    assert client.stats.statuses[429] > 0 and client.stats.statuses[503] >= 3
    assert client.stats.retries == client.stats.statuses[429] + client.stats.statuses[503]
    for spec in crm_specs():
        assert demo.rows(lake, spec) == demo.rows(clean, spec), spec.entity


def test_rerun_with_nothing_new_fetches_one_page_and_commits_nothing(crm_db, clean):
    before = {s.entity: demo.version(clean, s) for s in crm_specs()}
    reports, client = ingest(crm_db, clean)
    assert {s.entity: demo.version(clean, s) for s in crm_specs()} == before
    assert all(r.batches == [] for r in reports.values())
    assert client.stats.requests == len(crm_specs())  # one page per entity: "anything after the watermark?"


def test_advance_lands_exactly_the_new_and_changed_rows(tmp_path_factory, tmp_path):
    from demo import advance_demo_group

    settings = demo.demo_copy(tmp_path_factory, tmp_path)
    db = Path(settings.demo.dir) / "crm.db"
    lake = LakeStorage(str(tmp_path / "lake"))
    ingest(db, lake)
    step = advance_demo_group(settings, 3).advances[-1]
    reports, _ = ingest(db, lake)
    for spec in crm_specs():
        expected = (step["inserted"].get(f"crm.{spec.entity}", 0), step["updated"].get(f"crm.{spec.entity}", 0))
        assert (reports[spec.entity].inserted, reports[spec.entity].updated) == expected, spec.entity
        assert sorted(r[spec.key[0]] for r in demo.rows(lake, spec)) == sorted(_source_rows(db, spec.entity))
    assert sum(r.updated for r in reports.values()) > 0


def _child(url: str, lake: Path, die_at: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tests.pipelines.sources.crm_crash_child", url, TOKEN, str(lake), str(die_at),
         str(PAGE_SIZE), str(PAGES_PER_BATCH)],
        check=False, cwd=REPO, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.slow
def test_crash_mid_pagination_resumes_from_the_committed_cursor(crm_db, clean, tmp_path):
    """Killed (os._exit) at its 6th, 7th, 9th, 11th page request, under 429s and 5xx: each restarted
    child resumes from the cursor of the last committed batch and the tables equal a clean run."""
    lake = tmp_path / "lake"
    chaos = CrmChaos(error_rate=0.2, fail_first=2, rate_limit_per_s=200.0, burst=3, seed=9)
    attempts: list[list[dict]] = []
    with serve_crm(crm_db, token=TOKEN, chaos=chaos) as url:
        for die_at in (6, 7, 9, 11, 0):
            done = _child(url, lake, die_at)
            attempts.append([json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")])
            if die_at:
                assert done.returncode == 137, done.stderr
            else:
                assert done.returncode == 0, done.stderr
    for spec in crm_specs():
        assert demo.rows(LakeStorage(str(lake)), spec) == demo.rows(clean, spec), spec.entity
    # a restart resumes an interrupted entity from the cursor of its last committed batch
    resumed = []
    for attempt in attempts[1:]:
        firsts: dict[str, dict] = {}
        for request in attempt:
            firsts.setdefault(request["entity"], request)
        resumed += [r for r in firsts.values() if r["cursor"]]
    assert resumed
    clean_pages = sum(-(-len(_source_rows(crm_db, s.entity)) // PAGE_SIZE) for s in crm_specs())
    fetched = sum(len(a) for a in attempts)
    assert fetched <= clean_pages + len(crm_specs()) * len(attempts) + PAGES_PER_BATCH * len(attempts)
