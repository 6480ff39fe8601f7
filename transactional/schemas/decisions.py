"""The inbound door's status body."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class DecisionSnapshotPublic(BaseModel):
    """One decision kind's version in force."""

    kind: str
    version: str
    source: str
    produced_at: dt.datetime
    applied_at: dt.datetime
    age_seconds: float
    row_count: int
    rows_written: int
    rows_removed: int
