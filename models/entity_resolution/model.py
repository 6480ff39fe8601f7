"""The match model: gradient-boosted trees on pair features, calibrated, learned per input.

Training pairs come from two places, neither of them the hand-labelled set:

1. **The input itself.** Candidate pairs whose two records both carry a *valid* unified
   social credit code are labelled for free: same code → same company, different codes →
   different companies. Blocking puts near-twins (same brand, another region or industry)
   in the candidate set, so these include the hard negatives that matter.
2. **A prior** from :mod:`synthetic` (seeded, independent of the demo simulator), so that
   an input with few codes — or a single pair — is still scored sensibly, and so that
   evidence that valid-coded pairs never show (mistyped codes) is learned.

The classifier is a ``HistGradientBoostingClassifier`` with monotonic constraints (a higher
brand similarity or a shared phone can never *lower* the match probability), which keeps
it from learning quirks of either source. Its scores are then Platt-calibrated on held-out
pairs, so ``p ≥ 0.5`` means "more likely the same company than not" — the decision rule
follows from calibration, not from a hand-picked threshold.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.entity_resolution.features import FEATURES, MONOTONIC, pair_features

#: size of the synthetic prior and the minimum of in-input labels to learn from.
PRIOR_COMPANIES = 4000
PRIOR_SEED = 20240601
MIN_INPUT_LABELS = 50
MAX_INPUT_PAIRS = 30_000


@dataclass
class MatchModel:
    """A fitted, calibrated pair classifier."""

    estimator: object
    calibrator: object
    info: dict = field(default_factory=dict)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probability that each pair is the same company."""
        if len(X) == 0:
            return np.empty(0)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):  # OpenMP threads contend badly with monotonic trees here
            raw = self.estimator.predict_proba(X[list(FEATURES)])[:, 1]
        return self.calibrator.predict_proba(_logit(raw)[:, None])[:, 1]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@functools.lru_cache(maxsize=2)
def prior_training_set(n_companies: int = PRIOR_COMPANIES, seed: int = PRIOR_SEED) -> tuple[pd.DataFrame, np.ndarray]:
    """Features and labels of candidate pairs in the synthetic prior (cached per process)."""
    from models.entity_resolution.blocking import candidate_pairs
    from models.entity_resolution.records import prepare
    from models.entity_resolution.synthetic import generate

    records, truth = generate(n_companies, seed)
    prep = prepare(records)
    pairs = candidate_pairs(prep)
    company = truth["company_id"].to_numpy()
    y = (company[pairs[:, 0]] == company[pairs[:, 1]]).astype(int)
    X = pair_features(prep, pairs)
    decisive = prep.uscc_valid[pairs[:, 0]] & prep.uscc_valid[pairs[:, 1]]
    return X[~decisive].reset_index(drop=True), y[~decisive]


def input_training_index(prep, pairs: np.ndarray, seed: int = 0) -> np.ndarray:
    """Positions of the pairs :func:`input_training_set` learns from (both codes valid, sampled)."""
    both = prep.uscc_valid[pairs[:, 0]] & prep.uscc_valid[pairs[:, 1]]
    idx = np.flatnonzero(both)
    if len(idx) > MAX_INPUT_PAIRS:
        idx = np.sort(np.random.default_rng(seed).choice(idx, MAX_INPUT_PAIRS, replace=False))
    return idx


def input_training_set(prep, pairs: np.ndarray, X: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Pairs of the input labelled by valid codes (features with the code relation masked).

    Only the rows of ``X`` at :func:`input_training_index` are read.
    """
    idx = input_training_index(prep, pairs, seed)
    y = (prep.uscc[pairs[idx, 0]] == prep.uscc[pairs[idx, 1]]).astype(int)
    Xi = X.iloc[idx].reset_index(drop=True).copy()
    Xi["code_rel"] = 0.0
    return Xi, y


def fit_model(X_input: pd.DataFrame | None = None, y_input: np.ndarray | None = None,
              *, seed: int = 0, prior_companies: int = PRIOR_COMPANIES) -> MatchModel:
    """Fit the classifier on the prior plus (when there are enough) the input's code labels.

    Args:
        X_input, y_input: pairs labelled by valid codes in the input (may be None/empty).
        seed: random seed of the fit and of the calibration split.
        prior_companies: size of the synthetic prior (smaller = faster, for tests).

    Returns:
        A :class:`MatchModel`; ``info`` says how many pairs of each source it learned from.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    Xp, yp = prior_training_set(prior_companies)
    frames, labels, weights = [Xp], [yp], [np.ones(len(yp))]
    n_in = 0 if y_input is None else len(y_input)
    use_input = n_in and min(int(np.sum(y_input)), int(n_in - np.sum(y_input))) >= MIN_INPUT_LABELS
    if use_input:
        frames.append(X_input[list(FEATURES)])
        labels.append(np.asarray(y_input))
        weights.append(np.full(n_in, max(1.0, len(yp) / n_in)))  # the input weighs as much as the prior
    X = pd.concat(frames, ignore_index=True)
    y = np.concatenate(labels)
    w = np.concatenate(weights)
    rng = np.random.default_rng(seed)
    calib = rng.random(len(y)) < 0.25
    est = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.1, max_leaf_nodes=31, l2_regularization=1.0,
        monotonic_cst=[MONOTONIC.get(f, 0) for f in FEATURES], random_state=seed,
    )
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # 2 OpenMP threads are ~5x slower than 1 with monotonic constraints
        est.fit(X.loc[~calib, list(FEATURES)], y[~calib], sample_weight=w[~calib])
        raw = est.predict_proba(X.loc[calib, list(FEATURES)])[:, 1]
    cal = LogisticRegression(C=1e6).fit(_logit(raw)[:, None], y[calib], sample_weight=w[calib])
    info = {"prior_pairs": len(yp), "input_pairs": int(n_in if use_input else 0),
            "input_labels_available": int(n_in), "learned_from_input": bool(use_input)}
    return MatchModel(est, cal, info)
