"""The learned ranker: which candidate items will be in a customer's next order.

Training examples come from the history itself, one level per held-back order: at level
``b`` (1, 2, …) each customer's ``b``-th order from the end is the target and everything
before it (for every customer) the history the signals and features are computed from —
exactly the situation the model faces when it predicts the next order, never a look ahead.
A scikit-learn :class:`~sklearn.ensemble.HistGradientBoostingClassifier` learns P(item in
the next order | features); candidates are ranked by it.

``cross=False`` gives the negative control: own-history candidates and features only.
Recommendations carry their reason (:mod:`.reasons`).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.ml.recommend.candidates import CandidateParams, build_candidates, feature_names
from models.ml.recommend.reasons import reason_for
from models.ml.recommend.signals import HistorySignals, SignalParams, build_signals
from models.ml.recommend.transactions import split_last_order

#: bumped whenever a fitted model from older code cannot be used by this code (retrain).
RECIPE_VERSION = 2


@dataclass(frozen=True)
class RankerParams:
    """Hyperparameters (logged to MLflow).

    Args:
        levels: held-back orders used as training targets (1 = each customer's last one);
            0 = enough levels for ``min_target_orders`` target orders (3 to ``max_levels``).
        min_target_orders: target orders wanted when ``levels`` is 0.
        max_levels: the most levels used when ``levels`` is 0.
        negatives_per_target: candidate non-purchases kept per target order (all positives kept).
        max_iter: boosting rounds.
        learning_rate: boosting learning rate.
        max_leaf_nodes: tree size.
        min_samples_leaf: smallest leaf (lowered to 1/200 of the examples, at least 5, on small data).
        l2_regularization: L2 on leaf values.
        cross: use cross-buyer signals (False = negative control).
        seed: random state (negative sampling and the booster).
    """

    levels: int = 0
    min_target_orders: int = 2000
    max_levels: int = 12
    negatives_per_target: int = 40
    max_iter: int = 200
    learning_rate: float = 0.08
    max_leaf_nodes: int = 31
    min_samples_leaf: int = 40
    l2_regularization: float = 1.0
    cross: bool = True
    seed: int = 42


def single_thread():
    """Run scikit-learn's OpenMP code on one thread.

    On a shared 2-core machine the booster's OpenMP threads spin-wait for each other: a fit
    measured 1.7 s on one thread took 76 s on two under load. One thread is also deterministic.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, "openmp")


def _progress(message: str, enabled: bool) -> None:
    if enabled:
        print(message, file=sys.stderr, flush=True)


@dataclass
class ProductRecommender:
    """A fitted ranker plus the history it recommends from (see the module docstring)."""

    params: RankerParams
    signal_params: SignalParams
    candidate_params: CandidateParams
    model: object
    features: tuple[str, ...]
    training: dict[str, float] = field(default_factory=dict)
    recipe_version: int = RECIPE_VERSION

    def score(self, candidates: pd.DataFrame) -> np.ndarray:
        """P(next order holds the item) for candidate rows."""
        if not len(candidates):
            return np.zeros(0)
        with single_thread():
            return self.model.predict_proba(candidates[list(self.features)].to_numpy(dtype=float))[:, 1]

    def recommend(self, signals: HistorySignals, targets: pd.DataFrame, k: int = 10, *,
                  reasons: bool = True, names: dict[str, str] | None = None) -> pd.DataFrame:
        """The top ``k`` items per target customer, with scores and reasons.

        Args:
            signals: signals of the history to recommend from (same ``cross`` as the model).
            targets: ``customer_id, at`` [, ``group_id``] (see :func:`.candidates.build_candidates`).
            k: items per customer.
            reasons: add the reason columns (slower: one lookup per row).
            names: item id -> display name for reason texts.

        Returns:
            ``customer_id, rank, item_id, score`` plus the features, and with ``reasons``:
            ``reason_kind, reason``.
        """
        if getattr(self, "recipe_version", 0) != RECIPE_VERSION:
            raise ValueError(f"recommender recipe v{getattr(self, 'recipe_version', 0)} cannot be used by this "
                             f"code (v{RECIPE_VERSION}): retrain it")
        cand = build_candidates(signals, targets, self.candidate_params)
        if not len(cand):
            return pd.DataFrame(columns=["customer_id", "rank", "item_id", "score"])
        cand["score"] = self.score(cand)
        cand = cand.sort_values(["customer_id", "score", "item_id"], ascending=[True, False, True], kind="stable")
        top = cand.groupby("customer_id", sort=False).head(k).copy()
        top["rank"] = top.groupby("customer_id", sort=False).cumcount() + 1
        if reasons:
            kinds, texts, anchors = [], [], []
            for row in top.itertuples(index=False):
                kind, text, anchor = reason_for(signals, row._asdict(), names or {})
                kinds.append(kind)
                texts.append(text)
                anchors.append(anchor)
            top["reason_kind"], top["reason"], top["anchor_item_id"] = kinds, texts, anchors
        return top.reset_index(drop=True)


def n_levels(tx: pd.DataFrame, params: RankerParams) -> int:
    """How many held-back orders become training targets (see :class:`RankerParams`)."""
    if params.levels:
        return params.levels
    customers = max(int(tx["customer_id"].nunique()), 1)
    return int(np.clip(math.ceil(params.min_target_orders / customers), 3, params.max_levels))


def training_examples(tx: pd.DataFrame, params: RankerParams, signal_params: SignalParams,
                      candidate_params: CandidateParams, *, progress: bool = False) -> pd.DataFrame:
    """Labelled candidate rows from ``params.levels`` held-back orders of ``tx`` (see module doc)."""
    rng = np.random.default_rng(params.seed)
    frames = []
    for level in range(n_levels(tx, params)):
        split = split_last_order(tx, back=level)
        if split.target.empty or split.history.empty:
            break
        signals = build_signals(split.history, signal_params, cross=params.cross)
        targets = split.target.drop_duplicates("order_id")[["customer_id", "ordered_at", "group_id"]]
        targets = targets.rename(columns={"ordered_at": "at"})
        cand = build_candidates(signals, targets, candidate_params)
        bought = set(zip(split.target["customer_id"], split.target["item_id"], strict=True))
        cand["label"] = [(c, i) in bought for c, i in zip(cand["customer_id"], cand["item_id"], strict=True)]
        negatives = cand.index[~cand["label"]].to_numpy()
        keep_n = params.negatives_per_target * len(targets)
        if len(negatives) > keep_n:
            negatives = rng.choice(negatives, size=keep_n, replace=False)
        cand = cand.loc[np.sort(np.concatenate([cand.index[cand["label"]].to_numpy(), negatives]))]
        cand["level"] = level + 1
        frames.append(cand)
        _progress(f"reco: level {level + 1}: {len(targets)} target orders, {len(cand)} examples, "
                  f"{int(cand['label'].sum())} positives", progress)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def fit_ranker(tx: pd.DataFrame, params: RankerParams | None = None, *, signal_params: SignalParams | None = None,
               candidate_params: CandidateParams | None = None, progress: bool = False) -> ProductRecommender:
    """Fit the ranker on a transactions frame (every order in it is training data).

    Example:
        >>> model = fit_ranker(tx)  # doctest: +SKIP
        >>> model.recommend(build_signals(tx), targets)  # doctest: +SKIP
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    params = params or RankerParams()
    signal_params = signal_params or SignalParams()
    candidate_params = candidate_params or CandidateParams()
    features = feature_names(params.cross)
    examples = training_examples(tx, params, signal_params, candidate_params, progress=progress)
    booster = HistGradientBoostingClassifier(
        max_iter=params.max_iter, learning_rate=params.learning_rate, max_leaf_nodes=params.max_leaf_nodes,
        min_samples_leaf=min(params.min_samples_leaf, max(5, len(examples) // 200)),
        l2_regularization=params.l2_regularization,
        early_stopping=False, random_state=params.seed)
    if examples.empty or examples["label"].nunique() < 2:
        booster = _ConstantScorer(features)  # too little history to learn anything: own frequency
        info = {"examples": float(len(examples)), "positives": float(examples["label"].sum()) if len(examples) else 0.0}
    else:
        with single_thread():
            booster.fit(examples[list(features)].to_numpy(dtype=float), examples["label"].to_numpy(dtype=int))
        info = {"examples": float(len(examples)), "positives": float(examples["label"].sum()),
                "levels": float(examples["level"].max())}
    _progress(f"reco: ranker fitted on {int(info['examples'])} examples", progress)
    return ProductRecommender(params, signal_params, candidate_params, booster, features, info)


class _ConstantScorer:
    """Fallback "model" for histories too short to train on: own purchases, then popularity."""

    def __init__(self, features: tuple[str, ...]) -> None:
        self.features = features

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        own = x[:, self.features.index("own_n")]
        pop = x[:, self.features.index("customer_share")] if "customer_share" in self.features else 0.0
        score = np.nan_to_num(own) + np.nan_to_num(pop) / 10.0
        p = 1.0 - np.exp(-score)
        return np.column_stack([1.0 - p, p])


def nan_safe(value: float) -> float | None:
    """A float for JSON/Arrow, None for NaN."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
