"""The data steward's review loop: uncertain pairs out, must-link / cannot-link decisions in.

A run of :func:`resolve.resolve_suppliers` scores candidate pairs; those whose probability
falls in an uncertain band (``settings.suppliers.review_low`` ≤ p < ``review_high``) and that
no steward has decided yet form the **review queue** (:func:`review_queue`), most uncertain
first. A steward answers a pair with a **decision** (:func:`new_decision`):

- ``must_link``: the two records are one company — merged in every later run;
- ``cannot_link``: they are different companies — never in one cluster again, even when the
  model (or a shared valid code) would put them together.

Decisions are an append-only log (the latest per pair wins, so a steward can revise one);
every run reads the whole log (:func:`latest_decisions`), applies it as clustering
constraints and learns from the decided pairs as labelled training pairs. Pure functions:
storage is :mod:`models.entity_resolution.steward_store`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

MUST_LINK = "must_link"
CANNOT_LINK = "cannot_link"
DECISIONS = (MUST_LINK, CANNOT_LINK)
DECISION_COLUMNS = ("left_record_id", "right_record_id", "decision", "decided_by", "decided_at", "note")
QUEUE_COLUMNS = ("left_record_id", "right_record_id", "probability", "left_name", "right_name",
                 "left_supplier_key", "right_supplier_key", "same_supplier")
MAX_ID = 200  # characters of a record id / steward name
MAX_NOTE = 500


def new_decision(left: str, right: str, decision: str, decided_by: str, note: str = "",
                 now: dt.datetime | None = None) -> dict:
    """One validated decision row (pair in canonical order, UTC time stamp).

    Raises:
        ValueError: unknown decision, a record paired with itself, empty or too long ids.

    Example:
        >>> d = new_decision("b", "a", "cannot_link", "steward1", now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        >>> d["left_record_id"], d["right_record_id"], d["decided_at"]
        ('a', 'b', '2026-01-01T00:00:00+00:00')
    """
    left, right, decided_by = str(left).strip(), str(right).strip(), str(decided_by).strip()
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    for what, value in (("left record id", left), ("right record id", right), ("decided_by", decided_by)):
        if not value or len(value) > MAX_ID:
            raise ValueError(f"{what} must be 1..{MAX_ID} characters")
    if left == right:
        raise ValueError("a record cannot be paired with itself")
    if len(note) > MAX_NOTE:
        raise ValueError(f"note is longer than {MAX_NOTE} characters")
    left, right = sorted((left, right))
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat()
    return {"left_record_id": left, "right_record_id": right, "decision": decision,
            "decided_by": decided_by, "decided_at": stamp, "note": note}


def latest_decisions(log: pd.DataFrame | None) -> pd.DataFrame:
    """The decision in force per pair: the latest of the log (pairs in canonical order).

    Unknown decision values are ignored (never guessed).
    """
    if log is None or not len(log):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DECISION_COLUMNS})
    t = log.astype({"left_record_id": str, "right_record_id": str}).copy()
    for c in DECISION_COLUMNS:
        if c not in t.columns:
            t[c] = ""
    lo = np.minimum(t["left_record_id"].to_numpy(), t["right_record_id"].to_numpy())
    hi = np.maximum(t["left_record_id"].to_numpy(), t["right_record_id"].to_numpy())
    t["left_record_id"], t["right_record_id"] = lo, hi
    t = t[t["decision"].isin(DECISIONS) & (t["left_record_id"] != t["right_record_id"])]
    t = t.reset_index(drop=True).reset_index(names="_order")
    t = t.sort_values(["decided_at", "_order"], kind="stable")
    t = t.drop_duplicates(["left_record_id", "right_record_id"], keep="last")
    return t[list(DECISION_COLUMNS)].sort_values(["left_record_id", "right_record_id"], ignore_index=True)


def decision_positions(record_ids: np.ndarray, decisions: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """(must-link, cannot-link) pairs of record positions; decisions on absent records are skipped."""
    empty = np.empty((0, 2), dtype=np.int64)
    d = latest_decisions(decisions)
    if not len(d):
        return empty, empty
    pos = pd.Series(np.arange(len(record_ids)), index=pd.Index(record_ids))
    i = pos.reindex(d["left_record_id"]).to_numpy()
    j = pos.reindex(d["right_record_id"]).to_numpy()
    ok = ~(np.isnan(i) | np.isnan(j))
    pairs = np.stack([np.minimum(i, j), np.maximum(i, j)], axis=1)[ok].astype(np.int64)
    kind = d["decision"].to_numpy()[ok]
    return pairs[kind == MUST_LINK], pairs[kind == CANNOT_LINK]


def review_queue(pairs: pd.DataFrame, source_records: pd.DataFrame, *, low: float, high: float,
                 limit: int, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Undecided pairs scored in ``[low, high)``, most uncertain first, at most ``limit``.

    Args:
        pairs: scored pairs (``left, right, probability``: record ids), ``Resolution.pairs``.
        source_records: ``Resolution.source_records`` (names and supplier keys).
        low, high: the uncertain band.
        limit: most rows returned.
        decisions: the decision log; pairs decided already are left out.

    Returns:
        Columns :data:`QUEUE_COLUMNS`.
    """
    p = pairs[(pairs["probability"] >= low) & (pairs["probability"] < high)].copy()
    lo = np.minimum(p["left"].to_numpy(dtype=object), p["right"].to_numpy(dtype=object)) if len(p) else []
    hi = np.maximum(p["left"].to_numpy(dtype=object), p["right"].to_numpy(dtype=object)) if len(p) else []
    p["left_record_id"], p["right_record_id"] = lo, hi
    p = p.drop_duplicates(["left_record_id", "right_record_id"])
    d = latest_decisions(decisions)
    if len(d):
        decided = set(zip(d["left_record_id"], d["right_record_id"], strict=True))
        p = p[[(a, b) not in decided for a, b in zip(p["left_record_id"], p["right_record_id"], strict=True)]]
    p["uncertainty"] = (p["probability"] - 0.5).abs()
    p = p.sort_values(["uncertainty", "left_record_id", "right_record_id"]).head(limit)
    src = source_records.set_index("record_id")
    out = pd.DataFrame({
        "left_record_id": p["left_record_id"].to_numpy(), "right_record_id": p["right_record_id"].to_numpy(),
        "probability": p["probability"].round(4).to_numpy(),
        "left_name": src["name"].reindex(p["left_record_id"]).to_numpy(),
        "right_name": src["name"].reindex(p["right_record_id"]).to_numpy(),
        "left_supplier_key": src["supplier_key"].reindex(p["left_record_id"]).to_numpy(),
        "right_supplier_key": src["supplier_key"].reindex(p["right_record_id"]).to_numpy(),
    })
    out["same_supplier"] = out["left_supplier_key"] == out["right_supplier_key"]
    return out[list(QUEUE_COLUMNS)].reset_index(drop=True)
