"""What a suite remembers between runs: its accepted baseline, in ``<lake>/_meta/expectations/``.

Row-count drift compares with the row count of the last *passing* run, and the quarantine
suite with the quarantined rows accepted then. A baseline moves only when its suite passes
(or when a person accepts the current state: ``grouplake expectations accept <suite>``), so
bad data that failed a check keeps failing it on the next run instead of becoming the new
normal. It sits next to the ingest watermarks, in the lake, so it travels with the data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lake.storage import LakeStorage

STATE_DIR = "_meta/expectations"


def state_path(suite: str) -> str:
    """Relative path of a suite's baseline file below the lake root."""
    return f"{STATE_DIR}/{suite}.json"


def read_state(storage: LakeStorage, suite: str) -> dict[str, Any]:
    """The suite's accepted baseline (``{}`` before its first passing run)."""
    return storage.read_json(state_path(suite)) or {}


def write_state(storage: LakeStorage, suite: str, state: dict[str, Any], *, reason: str) -> None:
    """Record ``state`` as the suite's baseline, with when and why."""
    payload = dict(state)
    payload["_accepted_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    payload["_reason"] = reason
    storage.write_json(state_path(suite), payload)
