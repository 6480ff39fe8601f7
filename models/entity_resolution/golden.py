"""Golden supplier records: survivorship (which source wins each field, and why) and lineage.

Records of one cluster are first *ranked*; the rank breaks every tie below:
1. holds a valid credit code (a registered identity beats an unverified one),
2. name in Chinese script when the cluster has one (the legal name of a PRC company is
   Chinese; a foreign company's stays Latin),
3. name without ERP annotations such as （停用） / "(DO NOT USE)",
4. most complete (most non-empty fields), 5. most recently updated (``updated_at``),
6. smallest ``record_id`` (deterministic).

Field rules:

| field | survivor | why |
|---|---|---|
| uscc | the cluster's valid code (a cluster never has two) | only a valid code is an identity; invalid ones stay in the source records |
| name | best-ranked record's name, cleaned (width folded, annotations, trailing punctuation and a doubled region prefix dropped) | see rank |
| city | most frequent normalised city; tie → rank | several units agreeing beats one |
| phone | most frequent normalised phone; tie → rank | same |
| bank_account | most frequent normalised account; tie → rank | same |
| address | best-ranked non-empty address in the golden city, else any | completeness with consistency |

Every golden field has a ``<field>_source_record_id`` column: the record it came from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.entity_resolution import vocab
from models.entity_resolution.normalise import clean_display
from models.entity_resolution.records import Prepared

FIELDS = ("name", "uscc", "city", "phone", "address", "bank_account")


def _rank(prep: Prepared, labels: np.ndarray) -> pd.DataFrame:
    f = prep.frame
    script_cjk = np.array([p.script == "cjk" for p in prep.parts])
    cluster_has_cjk = pd.Series(script_cjk).groupby(labels).transform("max").to_numpy()
    notes = tuple(vocab.ANNOTATIONS_CN) + ("DO NOT USE", "do not use", "停用", "作废")
    annotated = np.array([any(a in n for a in notes if len(a) > 1) for n in f["name"]])
    complete = sum((f[c] != "").astype(int) for c in ("uscc", "city", "phone", "address", "bank_account"))
    return pd.DataFrame({
        "pos": np.arange(len(f)), "cluster": labels, "record_id": f["record_id"].to_numpy(),
        "r_valid": ~prep.uscc_valid, "r_script": ~(script_cjk == cluster_has_cjk),
        "r_note": annotated, "r_complete": -complete.to_numpy(),
        "r_recent": f["updated_at"].to_numpy(), "r_id": f["record_id"].to_numpy(),
    })


def _display(prep: Prepared, pos: int) -> str:
    p = prep.parts[pos]
    name = clean_display(p.display)
    if p.script == "cjk":
        return name.replace("(", "（").replace(")", "）").replace(" ", "")
    return name


def golden_records(prep: Prepared, labels: np.ndarray) -> pd.DataFrame:
    """One row per cluster (indexed by cluster label) with golden fields and lineage.

    Args:
        prep: prepared records.
        labels: cluster label per record (see :func:`cluster.cluster`).

    Returns:
        DataFrame indexed by cluster label with ``golden_name, uscc, city, phone, address,
        bank_account, member_count`` and ``<field>_source_record_id`` for each field.
    """
    r = _rank(prep, labels)
    r["recent_key"] = r["r_recent"].astype(str)
    r = r.sort_values(["cluster", "r_valid", "r_script", "r_note", "r_complete", "recent_key", "r_id"],
                      ascending=[True, True, True, True, True, False, True], kind="stable")
    r["rank"] = np.arange(len(r))
    best = r.groupby("cluster", sort=True).first()
    out = pd.DataFrame(index=best.index)
    out["golden_name"] = [_display(prep, int(p)) for p in best["pos"]]
    out["name_source_record_id"] = best["record_id"]
    out["member_count"] = r.groupby("cluster").size()
    raw = prep.frame
    values = {
        "uscc": np.where(prep.uscc_valid, prep.uscc, ""),
        "city": prep.city, "phone": prep.phone, "bank_account": prep.bank,
    }
    display_value = {"uscc": values["uscc"], "city": np.array([_city_display(c, raw_c) for c, raw_c in
                                                               zip(prep.city, raw["city"])], dtype=object),
                     "phone": raw["phone"].to_numpy(), "bank_account": raw["bank_account"].to_numpy()}
    golden_key: dict[str, pd.Series] = {}
    for field, key in values.items():
        t = pd.DataFrame({"cluster": r["cluster"].to_numpy(), "key": key[r["pos"].to_numpy()],
                          "rank": r["rank"].to_numpy(), "pos": r["pos"].to_numpy()})
        t = t[t["key"] != ""]
        stats = t.groupby(["cluster", "key"]).agg(n=("rank", "size"), rank=("rank", "min"), pos=("pos", "first"))
        stats = stats.reset_index().sort_values(["cluster", "n", "rank"], ascending=[True, False, True])
        win = stats.groupby("cluster").first()
        golden_key[field] = win["key"]
        out[field] = pd.Series(display_value[field][win["pos"].to_numpy()], index=win.index)
        out[f"{field}_source_record_id"] = pd.Series(raw["record_id"].to_numpy()[win["pos"].to_numpy()], index=win.index)
    addr = pd.DataFrame({"cluster": r["cluster"].to_numpy(), "pos": r["pos"].to_numpy(),
                         "addr": raw["address"].to_numpy()[r["pos"].to_numpy()]})
    city_key = golden_key["city"].reindex(addr["cluster"]).fillna("").to_numpy()
    addr["in_city"] = prep.city[addr["pos"].to_numpy()] == city_key
    addr = addr[addr["addr"].str.strip() != ""].sort_values(["cluster", "in_city"], ascending=[True, False], kind="stable")
    win = addr.groupby("cluster").first()
    out["address"] = win["addr"]
    out["address_source_record_id"] = pd.Series(raw["record_id"].to_numpy()[win["pos"].to_numpy()], index=win.index)
    return out.fillna("")


def _city_display(norm: str, raw: str) -> str:
    if norm.startswith(("C:", "P:")):
        return norm[2:]
    return str(raw).strip()
