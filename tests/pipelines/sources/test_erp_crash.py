"""A run killed mid-ingest, then re-run, leaves tables equal to a clean run's."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lake.storage import LakeStorage
from pipelines.sources.erp.specs import erp_specs
from tests.pipelines.sources import erp_helpers as h

REPO = Path(__file__).resolve().parents[3]
BATCH_ROWS = 400  # several batches per large table, so kills land between batches


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    home = tmp_path_factory.mktemp("crash") / "home"
    settings = h.make_settings(home)
    h.generate(settings)
    clean = LakeStorage(str(home.parent / "clean-lake"))
    h.ingest_all(settings, clean, batch_rows=BATCH_ROWS)
    return home, clean


def _child(home: Path, lake: Path, point: str, n: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.pipelines.sources.crash_ingest", str(home), str(lake), point, str(n), str(BATCH_ROWS)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


def assert_same_lake(a: LakeStorage, b: LakeStorage) -> None:
    for spec in erp_specs():
        assert h.table_rows(a, spec) == h.table_rows(b, spec), spec.entity
    assert h.quarantine_rows(a) == h.quarantine_rows(b)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["before_merge", "before_watermark"])
def test_kill_at_every_commit_boundary_then_rerun_equals_clean_run(source, tmp_path, point):
    home, clean = source
    lake = tmp_path / "lake"
    kills = 0
    n = 3
    while True:
        proc = _child(home, lake, point, n)
        out, _ = proc.communicate(timeout=300)
        if proc.returncode == 0:
            break
        assert proc.returncode == 137, out.decode(errors="replace")
        kills += 1
        n += 15  # the next attempt dies later on; each attempt resumes where the last one stopped
    assert kills >= 3
    assert_same_lake(LakeStorage(str(lake)), clean)


def _landed_rows(lake: Path) -> int:
    """Rows in the ERP bronze tables of ``lake`` (0 for a table not created yet)."""
    from lake.tables import open_table

    storage = LakeStorage(str(lake))
    total = 0
    for spec in erp_specs():
        if open_table(storage, spec.relative_path) is not None:
            total += len(h.table_rows(storage, spec))
    return total


@pytest.mark.slow
def test_sigkill_mid_write_at_sentinel_batches_then_rerun_equals_clean_run(source, tmp_path):
    """Each attempt pauses at its 4th data commit and is SIGKILLed there (a real signal): the
    process is alive at that point, and the lake holds more rows than before the attempt and
    fewer than a clean run's, so the kill lands mid-run, between committed batches."""
    home, clean = source
    lake = tmp_path / "lake"
    clean_rows = sum(len(h.table_rows(clean, spec)) for spec in erp_specs())
    landed = [0]
    for _ in range(3):
        proc = _child(home, lake, "pause_before_merge", 4)
        lines = []
        for raw in proc.stdout:  # the sentinel, printed at the pause
            lines.append(raw.decode(errors="replace"))
            if lines[-1].startswith("PAUSED 4"):
                break
        assert lines and lines[-1].startswith("PAUSED 4"), "".join(lines)[-2000:]
        assert proc.poll() is None  # still running, held at the 4th data commit
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
        proc.stdout.close()
        landed.append(_landed_rows(lake))
        assert landed[-2] < landed[-1] < clean_rows, landed  # progress, and not finished
    proc = _child(home, lake, "none", 0)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out.decode(errors="replace")
    assert_same_lake(LakeStorage(str(lake)), clean)
