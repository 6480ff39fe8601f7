"""Write the rows that became visible or changed between two cutoffs.

Given full-lifecycle frames, the previous cutoff (None on the first run) and the new one,
:func:`apply_frames` inserts rows created in between and updates the mutable columns of
older rows whose ``updated_at`` moved into the new interval; it returns the rows that can
still change (to keep as pending state).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from demo.dbwriter import insert_frame, update_frame
from demo.lifecycle import Lifecycle, lifecycle_of, pending_mask, project


@dataclass
class ApplyResult:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    pending: dict[str, pd.DataFrame] = field(default_factory=dict)
    visible: dict[str, pd.DataFrame] = field(default_factory=dict)  # a sample of the rows written


def sample_rows(frame: pd.DataFrame, n: int = 5_000) -> pd.DataFrame:
    """A deterministic sample of written rows (what dirty-row injection picks from)."""
    return frame if len(frame) <= n else frame.iloc[np.linspace(0, len(frame) - 1, n).astype(int)]


def mutable_columns(rules: Lifecycle) -> list[str]:
    cols = list(rules.nullable) + list(rules.dependent)
    cols += [c for _, mapping in rules.versioned for c, _ in mapping]
    if rules.status:
        cols.append(rules.status_column)
    return list(dict.fromkeys(cols))


def derive(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Columns computed from the projection (e.g. ``is_current`` of a bank account)."""
    if name == "vendor_bank_accounts":
        frame["is_current"] = ~np.isfinite(frame["valid_to"].to_numpy(dtype=float))
    return frame


def apply_frame(conn: sa.Connection, table: sa.Table, name: str, frame: pd.DataFrame, c_old: float | None,
                c_new: float, result: ApplyResult, *, keep_pending: bool = True, extra_mutable: tuple[str, ...] = (),
                transform: Callable[[pd.DataFrame], pd.DataFrame] | None = None) -> None:
    """Project ``frame`` at ``c_new`` and write what is new or changed since ``c_old``.

    ``transform`` converts the projected rows just before writing (e.g. to ISO strings).
    """
    rules = lifecycle_of(name)
    proj = derive(name, project(frame, rules, c_new))
    created = proj[rules.created].to_numpy(dtype=float)
    if c_old is None:
        new_rows, changed = proj, proj.iloc[0:0]
    else:
        new_rows = proj[created >= c_old]
        changed = proj[(created < c_old) & (proj["updated_at"].to_numpy(dtype=float) >= c_old)]
    result.visible[name] = sample_rows(new_rows)
    if transform is not None:
        new_rows, changed = transform(new_rows.copy()), transform(changed.copy())
    result.inserted[name] = result.inserted.get(name, 0) + insert_frame(conn, table, new_rows)
    cols = mutable_columns(rules) + list(extra_mutable)
    result.updated[name] = result.updated.get(name, 0) + (update_frame(conn, table, changed, cols) if cols else 0)
    if keep_pending:
        result.pending[name] = frame[pending_mask(frame, rules, c_new)]
