"""``resolve_suppliers``: one call from a table of supplier records to golden suppliers.

This is the function a dbt Python model or the ``grouplake suppliers dedup`` command calls:
prepare → block → score (model learned on this input's valid codes + the synthetic prior) →
cluster (average linkage, code rules, then score the pairs clustering put together and
cluster again) → golden records → stable keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.entity_resolution.blocking import candidate_pairs
from models.entity_resolution.cluster import cluster, unscored_pairs
from models.entity_resolution.features import FEATURES, pair_features
from models.entity_resolution.golden import golden_records
from models.entity_resolution.keys import assign_keys
from models.entity_resolution.model import (
    MatchModel,
    fit_model,
    input_training_index,
    input_training_set,
)
from models.entity_resolution.records import Prepared, prepare
from models.entity_resolution.review import decision_positions

Progress = Callable[[str, int, int], None]

SOURCE_COLUMNS = ("record_id", "supplier_key", "group_supplier_id", "match_confidence",
                  "match_evidence", "linked_record_id", "uscc_status", "business_unit",
                  "source_system", "name")
GOLDEN_COLUMNS = ("supplier_key", "group_supplier_id", "golden_name", "uscc", "city", "phone",
                  "address", "bank_account", "member_count", "founding_record_id",
                  "name_source_record_id", "uscc_source_record_id", "city_source_record_id",
                  "phone_source_record_id", "address_source_record_id",
                  "bank_account_source_record_id")


@dataclass
class Resolution:
    """Result of :func:`resolve_suppliers`."""

    source_records: pd.DataFrame  # one row per input record, columns SOURCE_COLUMNS
    golden: pd.DataFrame  # one row per golden supplier, columns GOLDEN_COLUMNS
    pairs: pd.DataFrame  # scored pairs: left, right (record_id), probability
    stats: dict = field(default_factory=dict)

    def review_queue(self, *, low: float = 0.35, high: float = 0.65, limit: int = 500,
                     decisions: pd.DataFrame | None = None) -> pd.DataFrame:
        """Undecided pairs scored in ``[low, high)`` for a data steward (see :mod:`review`)."""
        from models.entity_resolution.review import review_queue

        return review_queue(self.pairs, self.source_records, low=low, high=high, limit=limit,
                            decisions=decisions)


def score_pairs(prep: Prepared, pairs: np.ndarray, model: MatchModel,
                X: pd.DataFrame | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """Match probability per pair: valid codes decide, the model scores the rest.

    ``X``, when given, is ``pair_features(prep, pairs)`` already computed (it is not recomputed).
    """
    vi, vj = prep.uscc_valid[pairs[:, 0]], prep.uscc_valid[pairs[:, 1]]
    both = vi & vj
    if X is None:
        X = _features_where(prep, pairs, ~both)
    same = prep.uscc[pairs[:, 0]] == prep.uscc[pairs[:, 1]]
    p = same.astype(float)
    p[~both] = model.predict_proba(X[~both])  # rows are scored independently of each other
    return p, X


def _features_where(prep: Prepared, pairs: np.ndarray, need: np.ndarray) -> pd.DataFrame:
    """``pair_features`` of the pairs where ``need``; NaN rows elsewhere (never read there).

    Pair features are computed row by row, so a subset gives the same rows as the whole.
    """
    if need.all():
        return pair_features(prep, pairs)
    full = np.full((len(pairs), len(FEATURES)), np.nan, dtype=np.float32)
    if need.any():
        full[need] = pair_features(prep, pairs[need])[list(FEATURES)].to_numpy(dtype=np.float32)
    return pd.DataFrame(full, columns=list(FEATURES))


#: self-training: pairs the first model scores beyond these become labels of the second fit.
SELF_TRAIN_CONFIDENT = (0.02, 0.98)


def _self_trained(prep: Prepared, pairs: np.ndarray, X: pd.DataFrame, need: np.ndarray,
                  model: MatchModel, Xi: pd.DataFrame, yi: np.ndarray) -> MatchModel:
    """Self-training on the input: the first model (prior + code and steward labels) scores
    the pairs without valid codes on both sides; the confident ones (p ≤ 0.02 or ≥ 0.98)
    join the labels and the model is fitted again, so this input's own noise is learned.
    Off by default: measured no gain (``dedup.json`` → ``self_training``).
    """
    scored = np.flatnonzero(need & ~(prep.uscc_valid[pairs[:, 0]] & prep.uscc_valid[pairs[:, 1]]))
    if not len(scored):
        return model
    p = model.predict_proba(X.iloc[scored])
    lo, hi = SELF_TRAIN_CONFIDENT
    sure = (p <= lo) | (p >= hi)
    pick, y = scored[sure], (p[sure] >= hi).astype(int)
    from models.entity_resolution.model import MAX_INPUT_PAIRS

    if len(pick) > MAX_INPUT_PAIRS:
        keep = np.sort(np.random.default_rng(0).choice(len(pick), MAX_INPUT_PAIRS, replace=False))
        pick, y = pick[keep], y[keep]
    refit = fit_model(pd.concat([Xi, X.iloc[pick]], ignore_index=True), np.concatenate([yi, y]))
    refit.info["self_training_pairs"] = len(pick)
    return refit


def _decided_rows(pairs: np.ndarray, must: np.ndarray, cannot: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``pairs`` a steward decided, and their labels (1 must-link, 0 cannot-link)."""
    if not len(must) and not len(cannot):
        return np.empty(0, dtype=np.int64), np.empty(0)
    code = pairs[:, 0].astype(np.int64) * n + pairs[:, 1]
    label = {int(a) * n + int(b): 1.0 for a, b in must}
    label.update({int(a) * n + int(b): 0.0 for a, b in cannot})
    idx = np.flatnonzero(np.isin(code, np.fromiter(label, dtype=np.int64)))
    return idx, np.array([label[int(c)] for c in code[idx]])


def _evidence(X: pd.DataFrame, decisive: np.ndarray) -> np.ndarray:
    checks = (("brand", X["brand_ratio"] >= 0.9), ("name", X["full_ratio"] >= 0.9),
              ("industry", X["industry_jaccard"] >= 0.99), ("region", X["region_rel"] >= 1),
              ("phone", X["phone_eq"] == 1), ("bank_account", X["bank_eq"] == 1),
              ("address", X["address_ratio"] >= 0.9), ("code_typo", X["code_rel"] == 1),
              ("cross_script", X["cross_script"] == 1))
    code = np.zeros(len(X), dtype=np.int64)
    for bit, (_, mask) in enumerate(checks):
        code |= mask.to_numpy().astype(np.int64) << bit
    uniq, inverse = np.unique(code, return_inverse=True)  # join the names once per combination
    text = np.array(["+".join(name for bit, (name, _) in enumerate(checks) if c >> bit & 1) for c in uniq],
                    dtype=object)
    joined = text[inverse.reshape(-1)] if len(X) else np.empty(0, dtype=object)
    return np.where(decisive, "uscc", joined)


def resolve_suppliers(records: pd.DataFrame, *, previous: pd.DataFrame | None = None,
                      group_code: str = "GL", progress: Progress | None = None,
                      model: MatchModel | None = None, decisions: pd.DataFrame | None = None,
                      self_train: bool = False) -> Resolution:
    """Resolve supplier records of any number of sources into golden suppliers.

    Args:
        records: ``record_id, name`` and optionally ``uscc, city, phone, address,
            bank_account, business_unit, source_system, updated_at`` (strings; "" = missing).
        previous: the previous run's crosswalk (``record_id, supplier_key,
            group_supplier_id``) so existing suppliers keep their keys and ids.
        group_code: first part of new group supplier ids.
        progress: optional ``(stage, done, total)`` callback.
        model: a fitted model to use instead of fitting one on this input.
        decisions: the data steward's decision log (``left_record_id, right_record_id,
            decision, decided_at``; :mod:`review`): must-link pairs are merged, cannot-link
            pairs never share a cluster, and both are labelled training pairs of the model
            fitted here. Decisions on records absent from ``records`` are ignored.
        self_train: refit once on this input's own confident pairs (see :func:`_self_trained`).

    Returns:
        :class:`Resolution` with ``source_records`` and ``golden``.

    Example:
        >>> df = pd.DataFrame({"record_id": ["a", "b", "c"],
        ...     "name": ["山西华阳煤业有限公司", "Shanxi Huayang Coal Co., Ltd.", "内蒙古华阳煤业有限公司"],
        ...     "city": ["阳泉", "Yangquan", "鄂尔多斯"]})
        >>> res = resolve_suppliers(df)
        >>> res.source_records["supplier_key"].nunique()
        2
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    prep = prepare(records, progress)
    n = len(prep)
    timings["prepare_s"] = time.perf_counter() - t0
    t = time.perf_counter()
    pairs = candidate_pairs(prep)
    must, cannot = decision_positions(prep.frame["record_id"].to_numpy(), decisions)
    decided = np.concatenate([must, cannot])
    if len(decided):  # decided pairs are scored too, even when blocking never proposed them
        pairs = np.unique(np.concatenate([pairs, decided]), axis=0)
    timings["block_s"] = time.perf_counter() - t
    if progress:
        progress("block", len(pairs), len(pairs))
    t = time.perf_counter()
    # features only where they are read: pairs the model scores (not both codes valid) and
    # the code-labelled pairs it learns from
    need = ~(prep.uscc_valid[pairs[:, 0]] & prep.uscc_valid[pairs[:, 1]])
    decided_idx, decided_y = _decided_rows(pairs, must, cannot, n)
    if model is None:
        need[input_training_index(prep, pairs)] = True
        need[decided_idx] = True
    X = _features_where(prep, pairs, need)
    if model is None:
        Xi, yi = input_training_set(prep, pairs, X)
        if len(decided_idx):  # the steward's decisions are labels of this input too
            Xi = pd.concat([Xi, X.iloc[decided_idx]], ignore_index=True)
            yi = np.concatenate([yi, decided_y])
        model = fit_model(Xi, yi)
        if self_train:
            model = _self_trained(prep, pairs, X, need, model, Xi, yi)
    timings["fit_s"] = time.perf_counter() - t
    t = time.perf_counter()
    probs, X = score_pairs(prep, pairs, model, X) if len(pairs) else (np.empty(0), X)
    probs[decided_idx] = decided_y  # a decision overrides the model on its pair
    if progress:
        progress("score", len(pairs), len(pairs))
    valid_code = np.where(prep.uscc_valid, prep.uscc, "").astype(object)
    labels = cluster(n, pairs, probs, valid_code, must_link=must, cannot_link=cannot)
    for _ in range(2):  # score pairs that clustering put together but blocking never proposed
        extra = unscored_pairs(labels, pairs)
        if not len(extra):
            break
        p2, X2 = score_pairs(prep, extra, model)
        pairs = np.concatenate([pairs, extra])
        probs = np.concatenate([probs, p2])
        X = pd.concat([X, X2], ignore_index=True)
        labels = cluster(n, pairs, probs, valid_code, must_link=must, cannot_link=cannot)
    timings["score_cluster_s"] = time.perf_counter() - t
    if progress:
        progress("cluster", n, n)
    t = time.perf_counter()
    golden = golden_records(prep, labels)
    keys = assign_keys(prep, labels, previous=previous, group_code=group_code)
    golden = golden.join(keys)
    steward = np.zeros(len(pairs), dtype=bool)
    steward[decided_idx] = True  # rows of the first pairs; re-scored extras come after them
    source = _source_records(prep, labels, pairs, probs, X, keys, steward)
    timings["golden_s"] = time.perf_counter() - t
    rid = prep.frame["record_id"].to_numpy()
    pair_table = pd.DataFrame({"left": rid[pairs[:, 0]], "right": rid[pairs[:, 1]], "probability": probs})
    stats = {"records": n, "pairs_compared": len(pairs), "golden": len(golden),
             "must_link": len(must), "cannot_link": len(cannot),
             "model": model.info, **{k: round(v, 3) for k, v in timings.items()}}
    return Resolution(source, golden.reset_index(drop=True)[list(GOLDEN_COLUMNS)], pair_table, stats)


def _source_records(prep: Prepared, labels: np.ndarray, pairs: np.ndarray, probs: np.ndarray,
                    X: pd.DataFrame, keys: pd.DataFrame, steward: np.ndarray | None = None) -> pd.DataFrame:
    n = len(prep)
    same = labels[pairs[:, 0]] == labels[pairs[:, 1]]
    decisive = (prep.uscc_valid[pairs[:, 0]] & prep.uscc_valid[pairs[:, 1]])
    evidence = _evidence(X, decisive)
    if steward is not None:
        evidence = np.where(steward, "steward", evidence)
    both = np.concatenate([pairs[:, 0], pairs[:, 1]])
    other = np.concatenate([pairs[:, 1], pairs[:, 0]])
    pr = np.concatenate([probs, probs])
    ev = np.concatenate([evidence, evidence])
    inside = np.concatenate([same, same])
    t = pd.DataFrame({"rec": both, "other": other, "p": pr, "ev": ev, "inside": inside})
    ins = t[t["inside"]]
    mean_in = ins.groupby("rec")["p"].mean()
    top = ins.sort_values(["rec", "p"], ascending=[True, False]).groupby("rec").first()
    max_out = t[~t["inside"]].groupby("rec")["p"].max()
    conf = np.ones(n)
    size = pd.Series(labels).map(pd.Series(labels).value_counts()).to_numpy()
    idx = mean_in.index.to_numpy()
    conf[idx] = mean_in.to_numpy()
    single = size == 1
    out_idx = max_out.index.to_numpy()
    conf[out_idx[single[out_idx]]] = 1 - max_out.to_numpy()[single[out_idx]]
    rid = prep.frame["record_id"].to_numpy()
    linked = np.full(n, "", dtype=object)
    evid = np.where(single, "singleton", "").astype(object)
    linked[top.index.to_numpy()] = rid[top["other"].to_numpy()]
    evid[top.index.to_numpy()] = top["ev"].to_numpy()
    status = np.where(prep.uscc_valid, "valid", np.where(prep.uscc == "", "empty", "invalid"))
    k = keys.reindex(labels)
    f = prep.frame
    return pd.DataFrame({
        "record_id": rid, "supplier_key": k["supplier_key"].to_numpy(),
        "group_supplier_id": k["group_supplier_id"].to_numpy(), "match_confidence": np.round(conf, 4),
        "match_evidence": evid, "linked_record_id": linked, "uscc_status": status,
        "business_unit": f["business_unit"].to_numpy(), "source_system": f["source_system"].to_numpy(),
        "name": f["name"].to_numpy(),
    })
