"""Measuring the matcher: pairwise precision/recall/F1 against ground truth, and pair sets.

Pairwise metrics count record *pairs*: a predicted pair is two records given the same
supplier key; a true pair is two records of the same company. These helpers are used by
the benchmark and the tests; they never feed anything back into the matcher.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _pairs_in_groups(groups: pd.Series) -> int:
    sizes = groups.value_counts().to_numpy()
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_scores(predicted: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1 of predicted clusters against true clusters (same record order).

    Example:
        >>> pairwise_scores(np.array([1, 1, 2]), np.array(["a", "a", "a"]))
        {'precision': 1.0, 'recall': 0.3333, 'f1': 0.5, 'true_pairs': 3, 'predicted_pairs': 1}
    """
    df = pd.DataFrame({"p": predicted, "t": truth})
    tp = _pairs_in_groups(df["p"].astype(str) + "\x00" + df["t"].astype(str))
    pp = _pairs_in_groups(df["p"])
    ap = _pairs_in_groups(df["t"])
    precision = tp / pp if pp else 1.0
    recall = tp / ap if ap else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "true_pairs": ap, "predicted_pairs": pp}


def recall_by_variant(predicted: np.ndarray, truth: pd.DataFrame) -> dict[str, dict]:
    """Recall of true pairs that involve a record carrying each variant type.

    Args:
        predicted: supplier key per record.
        truth: ``company_id`` and ``variant_types`` (";"-joined) per record, same order.
    """
    df = truth[["company_id", "variant_types"]].copy().reset_index(drop=True)
    df["pred"] = predicted
    df["variant_types"] = df["variant_types"].fillna("")
    out: dict[str, dict] = {}
    by_company = df.groupby("company_id").indices
    types = sorted({t for v in df["variant_types"] for t in v.split(";") if t})
    for vt in types:
        found = total = 0
        for idx in by_company.values():
            if len(idx) < 2:
                continue
            has = df["variant_types"].to_numpy()[idx]
            flag = np.array([vt in h.split(";") for h in has])
            if not flag.any():
                continue
            pred = df["pred"].to_numpy()[idx]
            for a in np.flatnonzero(flag):
                for b in range(len(idx)):
                    if b == a or (flag[b] and b < a):
                        continue
                    total += 1
                    found += pred[a] == pred[b]
        out[vt] = {"true_pairs": total, "recall": round(found / total, 4) if total else None}
    return out


def twin_false_merges(predicted: np.ndarray, truth: pd.DataFrame) -> dict[str, dict]:
    """Per near-twin type: record pairs of a twin and its original that were merged (should be 0)."""
    df = truth.reset_index(drop=True)
    if "near_twin_of_company_id" not in df.columns:
        return {}
    pred = pd.Series(predicted)
    out: dict[str, dict] = {}
    comp_keys = df.groupby("company_id").indices
    for kind, g in df[df["near_twin_of_company_id"].fillna("") != ""].groupby(df.get("near_twin_type", "twin")):
        total = merged = 0
        for company, orig in g[["company_id", "near_twin_of_company_id"]].drop_duplicates().itertuples(index=False):
            a = comp_keys.get(company, [])
            b = comp_keys.get(orig, [])
            pa, pb = set(pred.iloc[a]), pred.iloc[b]
            total += len(a) * len(b)
            merged += sum(int((pred.iloc[i] == pb).sum()) for i in a)
        out[str(kind)] = {"pairs": total, "merged": merged}
        del pa
    return out
