"""Stable supplier keys and group supplier ids across runs.

``supplier_key`` is derived from the cluster's *anchor*, so the same company gets the same
key in every run without any state: the valid credit code when the cluster has one
(``SUP-`` + 12 hex of sha1 of ``uscc:<code>``), else the earliest member's record id
(smallest ``updated_at``, then smallest ``record_id``; ``rec:<record_id>``).

When a ``previous`` crosswalk (``record_id, supplier_key, group_supplier_id``) is given,
a cluster keeps the key most of its previously-known members had, so keys survive a new
code arriving or members being added; when a previous cluster splits, the part with most of
its members keeps the key and the others get anchor keys. Inherited keys keep their group
supplier id; new keys get ``<group code>-<business unit of the founding record>-<000001>``
with the sequence continuing after the highest one already issued for that prefix.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from models.entity_resolution.records import Prepared


def anchor_key(anchor: str) -> str:
    """``SUP-`` + the first 12 hex digits of sha1(anchor), upper case."""
    return "SUP-" + hashlib.sha1(anchor.encode("utf-8")).hexdigest()[:12].upper()


def assign_keys(prep: Prepared, labels: np.ndarray, *, previous: pd.DataFrame | None = None,
                group_code: str = "GL") -> pd.DataFrame:
    """``supplier_key``, ``group_supplier_id`` and ``founding_record_id`` per cluster label."""
    f = prep.frame
    t = pd.DataFrame({"cluster": labels, "record_id": f["record_id"].to_numpy(),
                      "updated_at": f["updated_at"].to_numpy(), "bu": f["business_unit"].to_numpy(),
                      "code": np.where(prep.uscc_valid, prep.uscc, "")})
    t["missing_time"] = t["updated_at"] == ""
    t = t.sort_values(["cluster", "missing_time", "updated_at", "record_id"], kind="stable")
    first = t.groupby("cluster").first()
    codes = t[t["code"] != ""].groupby("cluster")["code"].first()
    out = pd.DataFrame(index=first.index)
    out["founding_record_id"] = first["record_id"]
    out["anchor"] = ["uscc:" + codes[c] if c in codes.index else "rec:" + first.at[c, "record_id"]
                     for c in out.index]
    out["supplier_key"] = out["anchor"].map(anchor_key)
    out["bu"] = first["bu"].replace("", "XX").str.upper()
    out["group_supplier_id"] = ""
    taken: dict[str, str] = {}
    if previous is not None and len(previous):
        prev = previous[["record_id", "supplier_key", "group_supplier_id"]].astype(str)
        m = t[["cluster", "record_id"]].merge(prev, on="record_id", how="inner")
        votes = m.groupby(["cluster", "supplier_key", "group_supplier_id"]).size().reset_index(name="n")
        votes = votes.sort_values(["n", "supplier_key", "cluster"], ascending=[False, True, True])
        for row in votes.itertuples(index=False):
            if row.supplier_key in taken or out.at[row.cluster, "group_supplier_id"]:
                continue
            taken[row.supplier_key] = row.group_supplier_id
            out.at[row.cluster, "supplier_key"] = row.supplier_key
            out.at[row.cluster, "group_supplier_id"] = row.group_supplier_id
        issued = set(prev["supplier_key"]) | set(prev["group_supplier_id"])
    else:
        prev, issued = None, set()
    fresh = out["group_supplier_id"] == ""
    for c in out.index[fresh]:  # a fresh anchor key must not reuse a key already issued
        key, salt = out.at[c, "supplier_key"], 0
        while key in issued or key in taken:
            salt += 1
            key = anchor_key(f"{out.at[c, 'anchor']}#{salt}")
        out.at[c, "supplier_key"] = key
        taken[key] = ""
    next_seq: dict[str, int] = {}
    if prev is not None:
        for gid in prev["group_supplier_id"]:
            prefix, _, seq = gid.rpartition("-")
            if seq.isdigit():
                next_seq[prefix] = max(next_seq.get(prefix, 0), int(seq))
    for c in out[fresh].sort_values("supplier_key").index:
        prefix = f"{group_code}-{out.at[c, 'bu']}"
        next_seq[prefix] = next_seq.get(prefix, 0) + 1
        out.at[c, "group_supplier_id"] = f"{prefix}-{next_seq[prefix]:06d}"
    return out[["supplier_key", "group_supplier_id", "founding_record_id"]]
