"""Honest evaluation of the fraud model: schemes it was not trained on, a later period, baselines.

The held-out figures of :mod:`models.ml.fraud.train` judge the model on the same injected
schemes its features were written for. This module asks harder questions, on one lake:

* **leave-one-scheme-out** — for every fraud kind K among the labels: fit the champion's
  recipe on the training period *without any document of K* (:func:`without_scheme`), score
  the held-out period, and report the **recall of K at precision 0.8** (:data:`PRECISION`,
  what the review team can afford) in K's pool: K's held-out documents are the positives, the
  unlabelled documents of K's document type the negatives, other kinds left out (as in
  :func:`models.ml.fraud.evaluate.kind_metrics`). Recall at precision p = the largest recall
  of any score threshold whose precision is >= p (0 when none reaches p);
* **all schemes** — the same figure with K in training (for the unseen-by-design kinds: what
  labelling them would give; production leaves them out, :data:`EVALUATION_ONLY_KINDS`);
* **current** — the held-out figures of :func:`models.ml.fraud.train.train_fraud` (production
  labels); ``overall`` pools every kind, the unseen ones included;
* **later period** — fitted on the first :data:`LATER_TRAIN_SHARE` of the history, judged on
  the last :data:`LATER_TEST_SHARE` (the months between are skipped: the world has drifted);
* **baselines** in the same run, on the same held-out documents: ``rules_online`` (the order
  path's rules replayed on ERP purchase orders, :mod:`models.ml.fraud.online_rules`; orders
  only, ``null`` for invoice and payment kinds), ``rules_redflags`` (the batch model's
  label-free fallback: red-flag surprisal + anomaly) and ``isolation_forest`` (the anomaly
  percentile alone).

Seeds (three simulated groups) are the caller's loop (``grouplake ml evaluate --seeds``);
:func:`summarise` pools per-seed reports. Labels are evaluation data only, never features.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from models.ml.fraud.evaluate import average_precision, evaluate_scores, split_date
from models.ml.fraud.labels import EVALUATION_ONLY_KINDS
from models.ml.fraud.model import FraudModelParams, fit_fraud_model
from models.ml.fraud.online_rules import RuleInputs

#: the precision the review team can afford.
PRECISION = 0.8
#: later-period split: train on the first share of the history, test on the last share.
LATER_TRAIN_SHARE = 0.5
LATER_TEST_SHARE = 0.25
#: kinds no feature was written for (``demo/fraud_unseen.py``): not training labels in production.
UNSEEN_KINDS = EVALUATION_ONLY_KINDS
MODELS = ("model", "rules_online", "rules_redflags", "isolation_forest")
KEYS = ["document_type", "document_id"]


def recall_at_precision(labels: np.ndarray, scores: np.ndarray, precision: float = PRECISION) -> float:
    """The largest recall over score thresholds (``score >= t``) whose precision is >= ``precision``.

    Tied scores are taken together. 0 when no threshold reaches the precision; NaN without
    positives.

    Example:
        >>> recall_at_precision(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.7, 0.1]), 0.6)
        1.0
        >>> recall_at_precision(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.7, 0.1]), 0.8)
        0.5
    """
    labels, scores = np.asarray(labels, dtype=int), np.asarray(scores, dtype=float)
    positives = labels.sum()
    if positives == 0:
        return math.nan
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    hits = np.cumsum(y)
    # the last position of every distinct score: thresholds take ties together
    last = np.r_[np.flatnonzero(s[1:] != s[:-1]), len(s) - 1]
    tp = hits[last]
    ok = tp / (last + 1) >= precision
    return float(tp[ok].max() / positives) if ok.any() else 0.0


def kind_sets(frame: pd.DataFrame) -> pd.Series:
    """The set of fraud kinds of each document (from the ``kinds`` column)."""
    return pd.Series([frozenset(k for k in str(ks).split(";") if k) for ks in frame["kinds"]], index=frame.index)


def without_scheme(frames: Mapping[str, pd.DataFrame], kind: str) -> dict[str, pd.DataFrame]:
    """The training frames with every document of ``kind`` removed (other documents unchanged)."""
    return {t: f[~kind_sets(f).apply(lambda ks: kind in ks)] if len(f) else f for t, f in frames.items()}


def all_kinds(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    """Every fraud kind labelled in ``frames``, sorted."""
    found: set[str] = set()
    for frame in frames.values():
        if len(frame):
            found |= set().union(*kind_sets(frame))
    return sorted(found)


def scheme_figures(scored: pd.DataFrame, kind: str, column: str) -> dict[str, Any]:
    """Recall at :data:`PRECISION` and PR-AUC of ``column`` for ``kind`` in its own pool."""
    sets = kind_sets(scored)
    has = sets.apply(lambda ks: kind in ks)
    if not has.any():
        return {"positives": 0, "recall_at_precision": None, "pr_auc": None}
    document_type = scored.loc[has, "document_type"].iloc[0]
    pool = scored[(scored["document_type"] == document_type) & (has | (scored["kinds"] == ""))]
    pool = pool[pool[column].notna()]
    labels = has[pool.index].to_numpy().astype(int)
    if labels.sum() == 0:
        return {"positives": int(has.sum()), "recall_at_precision": None, "pr_auc": None, "scored": False}
    scores = pool[column].to_numpy(float)
    return {"positives": int(labels.sum()), "documents": len(pool),
            "recall_at_precision": _r(recall_at_precision(labels, scores)),
            "pr_auc": _r(average_precision(labels, scores))}


def _r(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 4)


def rules_online_scores(inputs: RuleInputs | None, before: pd.Timestamp, orders: pd.DataFrame) -> pd.Series:
    """The online rules' score of the purchase orders in ``orders`` (by ``document_id``), with
    history profiles built from the orders placed before ``before``."""
    if inputs is None or orders.empty:
        return pd.Series(dtype=float)
    from models.ml.fraud.online_rules import rule_flags, rule_scores
    from models.ml.fraud.profiles import build_profiles

    history = inputs.profile_lines[pd.to_datetime(inputs.profile_lines["ordered_at"], utc=True)
                                   < before.tz_localize("UTC")]
    codes = sorted(set(inputs.profile_lines["sku_code"].dropna().astype(str)))
    sku_ids = {code: i + 1 for i, code in enumerate(codes)}
    profiles = build_profiles(history, sku_ids)
    flags = rule_flags(inputs.orders, inputs.lines, profiles, sku_ids)
    scores = pd.Series(rule_scores(flags), index=flags["order_id"].to_numpy())
    return scores.reindex(orders["document_id"].to_numpy())


def _dates(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["document_date"])


def _score_split(train: dict[str, pd.DataFrame], test: dict[str, pd.DataFrame], rules: RuleInputs | None,
                 train_end: pd.Timestamp, params: FraudModelParams) -> pd.DataFrame:
    """Held-out documents with the champion's and every baseline's score (:data:`MODELS`)."""
    champion = fit_fraud_model(train, params)
    unlabelled = {t: f.drop(columns=["label"], errors="ignore") for t, f in train.items()}
    fallback = fit_fraud_model(unlabelled, params)
    held = champion.score(test)[[*KEYS, "risk_score"]].rename(columns={"risk_score": "model"})
    base = fallback.score(test)[[*KEYS, "risk_score", "anomaly"]].rename(
        columns={"risk_score": "rules_redflags", "anomaly": "isolation_forest"})
    truth = pd.concat([f[[*KEYS, "label", "kinds"]] for f in test.values() if len(f)], ignore_index=True)
    held = held.merge(base, on=KEYS).merge(truth, on=KEYS, how="left")
    orders = test.get("purchase_order", pd.DataFrame(columns=KEYS))
    online = rules_online_scores(rules, train_end, orders)
    held["rules_online"] = np.nan
    is_po = (held["document_type"] == "purchase_order").to_numpy()
    if len(online):
        held.loc[is_po, "rules_online"] = held.loc[is_po, "document_id"].map(online.to_dict()).to_numpy(float)
    return held


def production_labels(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The frames as production trains on them: documents whose only kinds are
    :data:`UNSEEN_KINDS` are unlabelled (``label`` 0, ``kinds`` '')."""
    out = {}
    for t, f in frames.items():
        f = f.copy()
        unseen = kind_sets(f).apply(lambda ks: bool(ks) and ks <= set(UNSEEN_KINDS)).to_numpy(bool)
        f.loc[unseen, "label"], f.loc[unseen, "kinds"] = 0, ""
        out[t] = f
    return out


def _current(train: dict[str, pd.DataFrame], test: dict[str, pd.DataFrame], held: pd.DataFrame,
             params: FraudModelParams) -> dict[str, Any]:
    """The current held-out figures (:func:`models.ml.fraud.train.train_fraud`'s): the champion
    fitted with the production labels, judged on the held-out documents with them."""
    prod_test = production_labels(test)
    scored = fit_fraud_model(production_labels(train), params).score(prod_test)[[*KEYS, "risk_score"]]
    truth = pd.concat([f[[*KEYS, "label", "kinds"]] for f in prod_test.values() if len(f)], ignore_index=True)
    scored = scored.merge(truth, on=KEYS).merge(held[[*KEYS, "rules_redflags", "isolation_forest"]], on=KEYS)
    return {"labels": "production (unseen-by-design kinds unlabelled)",
            "model": evaluate_scores(scored, "risk_score"),
            "baselines": {"rules": evaluate_scores(scored, "rules_redflags"),
                          "isolation_forest": evaluate_scores(scored, "isolation_forest")}}


def _overall(held: pd.DataFrame) -> dict[str, dict[str, Any]]:
    out = {}
    for name in MODELS:
        pool = held[held[name].notna()]
        labels, scores = pool["label"].to_numpy(int), pool[name].to_numpy(float)
        out[name] = {"documents": len(pool), "positives": int(labels.sum()),
                     "pr_auc": _r(average_precision(labels, scores)),
                     "recall_at_precision": _r(recall_at_precision(labels, scores))}
    return out


def _split(frames: Mapping[str, pd.DataFrame], train_end: pd.Timestamp, test_start: pd.Timestamp
           ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    train = {t: f[_dates(f) < train_end] for t, f in frames.items()}
    test = {t: f[_dates(f) >= test_start] for t, f in frames.items()}
    return train, test


def evaluate_honestly(labelled: Mapping[str, pd.DataFrame], rules: RuleInputs | None = None, *,
                      holdout_months: int = 8, params: FraudModelParams | None = None,
                      kinds: list[str] | None = None) -> dict[str, Any]:
    """The honest report of one lake (one simulated group).

    Args:
        labelled: feature frames with ``label`` and ``kinds`` (:func:`attach_labels`).
        rules: inputs of the ``rules_online`` baseline (None: that baseline is ``null``).
        holdout_months: the standard split's held-out months (as :func:`train_fraud`).
        params: model hyperparameters.
        kinds: the schemes to leave out one at a time (default: every labelled kind).

    Returns:
        ``{"split_date", "current", "overall", "by_scheme", "later_period", "training_excluded",
        "seconds"}`` — ``by_scheme[K]`` holds ``all_schemes`` and ``leave_one_out`` figures of the
        model and the baselines' figures.
    """
    params = params or FraudModelParams()
    started = time.perf_counter()
    dates = pd.concat([_dates(f) for f in labelled.values() if len(f)])
    first_holdout = split_date(dates, holdout_months)
    train, test = _split(labelled, first_holdout, first_holdout)
    held = _score_split(train, test, rules, first_holdout, params)
    kinds = kinds if kinds is not None else all_kinds(labelled)
    current = _current(train, test, held, params)
    by_scheme: dict[str, dict[str, Any]] = {}
    excluded: dict[str, int] = {}
    for kind in kinds:
        left_out = without_scheme(train, kind)
        excluded[kind] = sum(len(train[t]) - len(left_out[t]) for t in train)
        loso = fit_fraud_model(left_out, params).score(test)[[*KEYS, "risk_score"]].rename(
            columns={"risk_score": "leave_one_out"})
        scored = held.merge(loso, on=KEYS)
        by_scheme[kind] = {
            "unseen_by_design": kind in UNSEEN_KINDS,
            "training_documents_left_out": excluded[kind],
            "leave_one_out": scheme_figures(scored, kind, "leave_one_out"),
            **{("all_schemes" if name == "model" else name): scheme_figures(held, kind, name) for name in MODELS},
        }
    # later period: first half of the history -> last quarter
    start, end = dates.min().normalize(), dates.max().normalize()
    span = end - start
    later_train_end = start + span * LATER_TRAIN_SHARE
    later_test_start = end - span * LATER_TEST_SHARE
    l_train, l_test = _split(labelled, later_train_end, later_test_start)
    later = _score_split(l_train, l_test, rules, later_train_end, params)
    later_period = {
        "train_until": str(later_train_end.date()), "test_from": str(later_test_start.date()),
        "overall": _overall(later),
        "by_scheme": {kind: {name: scheme_figures(later, kind, name) for name in MODELS} for kind in kinds},
    }
    return {
        "split_date": str(first_holdout.date()), "holdout_months": holdout_months, "precision": PRECISION,
        "documents": {t: len(f) for t, f in labelled.items()},
        "current": current, "overall": _overall(held), "by_scheme": by_scheme,
        "later_period": later_period, "seconds": round(time.perf_counter() - started, 2),
    }


def _stats(values: list[float | None]) -> dict[str, float] | None:
    values = [v for v in values if v is not None and not math.isnan(v)]
    if not values:
        return None
    return {"mean": round(float(np.mean(values)), 4), "min": round(min(values), 4), "max": round(max(values), 4),
            "seeds": len(values)}


def summarise(per_seed: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """Mean / min / max over seeds of every per-scheme and overall figure, and summed positives."""
    runs = list(per_seed.values())
    kinds = sorted({k for r in runs for k in r["by_scheme"]})
    columns = ("leave_one_out", "all_schemes", "rules_online", "rules_redflags", "isolation_forest")
    by_scheme = {}
    for kind in kinds:
        rows = [r["by_scheme"][kind] for r in runs if kind in r["by_scheme"]]
        by_scheme[kind] = {
            "unseen_by_design": kind in UNSEEN_KINDS,
            "held_out_positives": sum(row["leave_one_out"]["positives"] for row in rows),
            **{c: {"recall_at_precision": _stats([row[c].get("recall_at_precision") for row in rows]),
                   "pr_auc": _stats([row[c].get("pr_auc") for row in rows])} for c in columns},
            "later_period": {name: _stats([r["later_period"]["by_scheme"][kind][name].get("recall_at_precision")
                                           for r in runs if kind in r["later_period"]["by_scheme"]])
                             for name in MODELS},
        }
    overall = {name: {m: _stats([r["overall"][name][m] for r in runs]) for m in ("pr_auc", "recall_at_precision")}
               for name in MODELS}
    later = {name: {m: _stats([r["later_period"]["overall"][name][m] for r in runs])
                    for m in ("pr_auc", "recall_at_precision")} for name in MODELS}
    current = _stats([r["current"]["model"]["overall"]["pr_auc"] for r in runs])
    return {"seeds": list(per_seed), "precision": PRECISION, "current_holdout_pr_auc": current,
            "overall": overall, "later_period": later, "by_scheme": by_scheme}
