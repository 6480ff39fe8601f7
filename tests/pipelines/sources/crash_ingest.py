"""Run ERP ingest in a child process that dies at a chosen point (used by the crash tests).

Usage: python -m tests.pipelines.sources.crash_ingest HOME LAKE POINT N BATCH_ROWS
POINT is ``before_merge`` (after the batch's quarantine commit, before its data commit),
``before_watermark`` (after the data commit, before the watermark moves) or ``none``: at the
N-th call the process ends with ``os._exit(137)`` — no cleanup, like SIGKILL. POINT
``pause_before_merge`` instead prints ``PAUSED <N>`` and waits at the N-th data commit, so the
test can send a real SIGKILL at that deterministic point while the run is mid-write.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from lake.storage import LakeStorage
from pipelines import ingest
from tests.pipelines.sources import erp_helpers as h


def main(home: str, lake: str, point: str, n: int, batch_rows: int) -> None:
    calls = {"count": 0}

    def dying(original):
        def wrapper(*args, **kwargs):
            calls["count"] += 1
            if calls["count"] == n:
                os._exit(137)
            return original(*args, **kwargs)

        return wrapper

    def pausing(original):
        def wrapper(*args, **kwargs):
            calls["count"] += 1
            if calls["count"] == n:
                print(f"PAUSED {n}", flush=True)
                while True:  # until the test kills the process
                    time.sleep(60)
            return original(*args, **kwargs)

        return wrapper

    if point == "pause_before_merge":
        ingest.merge_batch = pausing(ingest.merge_batch)
    elif point == "before_merge":
        ingest.merge_batch = dying(ingest.merge_batch)
    elif point == "before_watermark":
        ingest.write_watermark = dying(ingest.write_watermark)
    settings = h.make_settings(Path(home))
    h.ingest_all(settings, LakeStorage(lake), batch_rows=batch_rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
