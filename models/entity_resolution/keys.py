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
    clusters = first.index.to_numpy()
    founding = first["record_id"].to_numpy()
    code_of = codes.to_dict()
    anchors = [("uscc:" + code_of[c]) if c in code_of else ("rec:" + r) for c, r in zip(clusters, founding)]
    key = [anchor_key(a) for a in anchors]
    bu = first["bu"].replace("", "XX").str.upper().to_numpy()
    gid = [""] * len(clusters)
    pos = {c: k for k, c in enumerate(clusters)}
    taken: dict[str, str] = {}
    issued: set[str] = set()
    next_seq: dict[str, int] = {}
    if previous is not None and len(previous):
        prev = previous[["record_id", "supplier_key", "group_supplier_id"]].astype(str)
        m = t[["cluster", "record_id"]].merge(prev, on="record_id", how="inner")
        votes = m.groupby(["cluster", "supplier_key", "group_supplier_id"]).size().reset_index(name="n")
        votes = votes.sort_values(["n", "supplier_key", "cluster"], ascending=[False, True, True])
        for c, k, g in zip(votes["cluster"], votes["supplier_key"], votes["group_supplier_id"]):
            if k in taken or gid[pos[c]]:
                continue
            taken[k] = g
            key[pos[c]], gid[pos[c]] = k, g
        issued = set(prev["supplier_key"]) | set(prev["group_supplier_id"])
        for g in prev["group_supplier_id"]:
            prefix, _, seq = g.rpartition("-")
            if seq.isdigit():
                next_seq[prefix] = max(next_seq.get(prefix, 0), int(seq))
    fresh = [k for k in range(len(clusters)) if not gid[k]]
    for k in fresh:  # a fresh anchor key must not reuse a key already issued
        salt = 0
        while key[k] in issued or key[k] in taken:
            salt += 1
            key[k] = anchor_key(f"{anchors[k]}#{salt}")
        taken[key[k]] = ""
    for k in sorted(fresh, key=lambda k: key[k]):
        prefix = f"{group_code}-{bu[k]}"
        next_seq[prefix] = next_seq.get(prefix, 0) + 1
        gid[k] = f"{prefix}-{next_seq[prefix]:06d}"
    out = pd.DataFrame({"supplier_key": key, "group_supplier_id": gid, "founding_record_id": founding},
                       index=first.index)
    return out[["supplier_key", "group_supplier_id", "founding_record_id"]]
