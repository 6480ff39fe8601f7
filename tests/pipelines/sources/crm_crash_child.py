"""Run the CRM ingest in a child process that dies after its Nth page request (crash tests).

Usage: python -m tests.pipelines.sources.crm_crash_child BASE_URL TOKEN LAKE N PAGE_SIZE PAGES_PER_BATCH
N = 0 never dies. The process prints one JSON line per page request (entity, cursor sent)
and ends with ``os._exit(137)`` at the chosen request — no clean-up, like SIGKILL.
"""

from __future__ import annotations

import json
import os
import sys

from lake.storage import LakeStorage
from pipelines.ingest import ingest_entity
from pipelines.sources.crm.client import CrmClient, RetryPolicy
from pipelines.sources.crm.extract import CrmExtractor
from pipelines.sources.crm.specs import crm_specs


def main(base_url: str, token: str, lake: str, die_at: int, page_size: int, pages_per_batch: int) -> None:
    calls = {"n": 0}
    original = CrmClient.page

    def page(self, entity, **kwargs):
        calls["n"] += 1
        if calls["n"] == die_at:
            os._exit(137)
        print(json.dumps({"entity": entity, "cursor": kwargs.get("cursor"),
                          "updated_since": kwargs.get("updated_since")}), flush=True)
        return original(self, entity, **kwargs)

    CrmClient.page = page
    retry = RetryPolicy(max_retries=60, initial_s=0.005, max_s=0.03)
    with CrmClient(base_url, token, retry=retry, seed=1) as client:
        extractor = CrmExtractor(client, page_size=page_size, pages_per_batch=pages_per_batch)
        for spec in crm_specs():
            ingest_entity(LakeStorage(lake), spec, extractor)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
