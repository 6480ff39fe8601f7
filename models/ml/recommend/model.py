"""Supplier recommendations for buyers: implicit-feedback collaborative filtering x supplier quality.

The feedback matrix ``X`` holds, per buyer (row) and vendor record (column), ``ln(1 + orders)``.
A buyer's history vector ``x`` is scored against every vendor of the buyer's business unit:

* ``popularity`` — how much the unit's buyers order from the vendor (``sum_u X[u, v]``);
* ``item_knn`` — item-based CF: ``(x Xn^T) Xn`` with ``Xn`` the column-normalised matrix, i.e.
  the sum of cosine similarities between the vendor and the buyer's vendors;
* ``svd`` — implicit matrix factorisation (:class:`~sklearn.decomposition.TruncatedSVD`),
  the buyer folded in: ``(x V^T) V``.

The CF score (scaled to [0, 1] among the candidates, mixed with the scaled popularity by
``popularity_blend``) is multiplied by the vendor's quality
``q^quality_weight``, with ``q = on_time_rate * (1 - defect_rate)^defect_penalty``, both rates
shrunk towards the group's rate by a prior (a vendor with three deliveries is not perfect).
Vendors the buyer already uses are left out (the recommendation is a supplier to consider);
new vendor records appear once the model is retrained.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

METHODS: tuple[str, ...] = ("popularity", "item_knn", "svd")
#: bumped whenever a fitted model from older code cannot be used by this code (retrain).
RECIPE_VERSION = 1
RECOMMENDATION_COLUMNS = [
    "business_unit_code", "buyer_id", "rank", "vendor_id", "vendor_name", "score", "cf_score",
    "quality_score", "on_time_rate", "defect_rate", "unit_buyers", "reason",
]


@dataclass(frozen=True)
class RecommenderParams:
    """Hyperparameters (logged to MLflow).

    Args:
        method: ``popularity``, ``item_knn`` or ``svd``.
        n_components: SVD rank.
        popularity_blend: share of the unit popularity mixed into the CF score (0: pure CF).
        quality_weight: exponent on the quality multiplier (0 ignores quality).
        prior_deliveries: pseudo-deliveries at the group's on-time rate added to each vendor.
        prior_units: pseudo-inspected units at the group's defect rate added to each vendor.
        defect_penalty: exponent of ``(1 - defect_rate)`` in the quality multiplier.
        top_n: recommendations per buyer.
        seed: random state of the SVD.
    """

    method: str = "item_knn"
    n_components: int = 16
    popularity_blend: float = 0.5
    quality_weight: float = 1.0
    prior_deliveries: float = 20.0
    prior_units: float = 2000.0
    defect_penalty: float = 10.0
    top_n: int = 10
    seed: int = 42


def quality_scores(quality: pd.DataFrame, params: RecommenderParams) -> pd.DataFrame:
    """Shrunk on-time and defect rates and the quality multiplier of every vendor in ``quality``.

    Args:
        quality: ``vendor_id, deliveries, on_time, inspected_units, defective_units``.

    Returns:
        ``vendor_id, on_time_rate, defect_rate, quality_score``.
    """
    q = quality.copy()
    total_deliveries = max(float(q["deliveries"].sum()), 1.0)
    total_units = max(float(q["inspected_units"].sum()), 1.0)
    on_time_prior = float(q["on_time"].sum()) / total_deliveries if len(q) else 0.9
    defect_prior = float(q["defective_units"].sum()) / total_units if len(q) else 0.01
    q["on_time_rate"] = (q["on_time"] + params.prior_deliveries * on_time_prior) / (
        q["deliveries"] + params.prior_deliveries)
    q["defect_rate"] = (q["defective_units"] + params.prior_units * defect_prior) / (
        q["inspected_units"] + params.prior_units)
    q["quality_score"] = q["on_time_rate"] * (1 - q["defect_rate"]).clip(lower=0) ** params.defect_penalty
    return q[["vendor_id", "on_time_rate", "defect_rate", "quality_score"]]


@dataclass
class SupplierRecommender:
    """A fitted recommender (see the module docstring)."""

    params: RecommenderParams
    vendor_ids: np.ndarray
    buyer_ids: np.ndarray
    matrix: np.ndarray  # buyers x vendors, ln(1 + orders), training period
    components: np.ndarray | None = None  # svd: k x vendors
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)
    default_quality: float = 1.0
    trained_until: str = ""
    catalogue: pd.DataFrame = field(default_factory=pd.DataFrame)  # the vendor records at fit time
    recipe_version: int = RECIPE_VERSION

    @property
    def vendor_index(self) -> dict[str, int]:
        return {v: i for i, v in enumerate(self.vendor_ids)}

    def history_vectors(self, events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(buyer ids, buyers x vendors matrix ``ln(1 + orders)``) of ``events`` on the model's vendors."""
        index = self.vendor_index
        known = events[events["vendor_id"].isin(index)]
        buyers = np.array(sorted(events["buyer_id"].unique()), dtype=object)
        row = {b: i for i, b in enumerate(buyers)}
        matrix = np.zeros((len(buyers), len(self.vendor_ids)))
        counts = known.groupby(["buyer_id", "vendor_id"]).size()
        for (buyer, vendor), n in counts.items():
            matrix[row[buyer], index[vendor]] = np.log1p(n)
        return buyers, matrix

    def cf_scores(self, history: np.ndarray) -> np.ndarray:
        """Raw CF scores (buyers x vendors) for history vectors."""
        if self.params.method == "popularity":
            return np.tile(self.matrix.sum(axis=0), (len(history), 1))
        if self.params.method == "svd":
            return (history @ self.components.T) @ self.components
        norms = np.linalg.norm(self.matrix, axis=0)
        normalised = self.matrix / np.where(norms > 0, norms, 1.0)
        return (history @ normalised.T) @ normalised

    def recommend(
        self, events: pd.DataFrame, catalogue: pd.DataFrame | None = None, top_n: int | None = None
    ) -> pd.DataFrame:
        """Top vendors for every buyer in ``events`` (their history), among ``catalogue``'s active
        vendors of the buyer's unit that the buyer has not ordered from.

        Args:
            events: purchase events (``buyer_id, business_unit_code, vendor_id``).
            catalogue: vendor records (``vendor_id, business_unit_code, vendor_name, status``);
                default: the records the model was fitted with.
            top_n: recommendations per buyer (default ``params.top_n``).

        Returns:
            :data:`RECOMMENDATION_COLUMNS`, sorted by unit, buyer, rank.
        """
        if getattr(self, "recipe_version", 0) != RECIPE_VERSION:
            raise ValueError(f"recommender recipe v{getattr(self, 'recipe_version', 0)} cannot be used by this "
                             f"code (v{RECIPE_VERSION}): retrain it (grouplake ml train --model recommender)")
        top_n = top_n or self.params.top_n
        catalogue = self.catalogue if catalogue is None else catalogue
        if events.empty:
            return pd.DataFrame(columns=RECOMMENDATION_COLUMNS)
        buyers, history = self.history_vectors(events)
        scores = self.cf_scores(history)
        popularity = self.matrix.sum(axis=0)
        unit_of = events.groupby("buyer_id")["business_unit_code"].agg(lambda s: s.mode().iloc[0])
        active = catalogue[catalogue["status"].fillna("active") == "active"]
        names = catalogue.set_index("vendor_id")["vendor_name"].to_dict()
        quality = self.quality.set_index("vendor_id") if len(self.quality) else pd.DataFrame()
        seen = events.groupby("buyer_id")["vendor_id"].agg(set)
        unit_buyers = dict(zip(self.vendor_ids, (self.matrix > 0).sum(axis=0), strict=True))  # at training
        index = self.vendor_index
        rows = []
        for b, buyer in enumerate(buyers):
            unit = unit_of[buyer]
            candidates = [v for v in active.loc[active["business_unit_code"] == unit, "vendor_id"]
                          if v in index and v not in seen[buyer]]
            if not candidates:
                continue
            cols = np.array([index[v] for v in candidates])
            cf = _scaled(scores[b, cols])
            if self.params.popularity_blend and self.params.method != "popularity":
                cf = (1 - self.params.popularity_blend) * cf + self.params.popularity_blend * _scaled(popularity[cols])
            q = np.array([quality["quality_score"].get(v, self.default_quality) if len(quality)
                          else self.default_quality for v in candidates])
            final = cf * q ** self.params.quality_weight
            order = np.lexsort((np.array(candidates), -final))[:top_n]
            for rank, j in enumerate(order, start=1):
                vendor = candidates[j]
                on_time = float(quality["on_time_rate"].get(vendor, np.nan)) if len(quality) else np.nan
                defect = float(quality["defect_rate"].get(vendor, np.nan)) if len(quality) else np.nan
                users = int(unit_buyers.get(vendor, 0))
                rows.append((unit, buyer, rank, vendor, names.get(vendor, ""), float(final[j]), float(cf[j]),
                             float(q[j]), on_time, defect, users, _reason(users, on_time, defect)))
        return pd.DataFrame(rows, columns=RECOMMENDATION_COLUMNS)


def _scaled(values: np.ndarray) -> np.ndarray:
    top = values.max() if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values, dtype=float)


def _reason(users: int, on_time: float, defect: float) -> str:
    used = f"used by {users} buyer(s) of the unit" if users else "not yet used in the unit"
    if np.isnan(on_time):
        return f"{used}; no delivery record yet"
    return f"{used}; on time {on_time:.0%}, defect rate {defect:.2%}"


def fit_recommender(
    events: pd.DataFrame,
    catalogue: pd.DataFrame,
    quality: pd.DataFrame | None,
    params: RecommenderParams | None = None,
    trained_until: str = "",
) -> SupplierRecommender:
    """Fit on purchase events (the training period) and the vendor catalogue.

    Args:
        events: ``buyer_id, business_unit_code, vendor_id`` rows (one per order).
        catalogue: vendor records (the model's vendor index: every vendor id in it).
        quality: raw delivery/inspection counts (:func:`models.ml.features.interactions.vendor_quality`)
            as of the end of ``events``; ``None`` ignores quality.
        params: hyperparameters.

    Example:
        >>> model = fit_recommender(events, catalogue, quality)  # doctest: +SKIP
        >>> model.recommend(events, catalogue).head()  # doctest: +SKIP
    """
    params = params or RecommenderParams()
    if params.method not in METHODS:
        raise ValueError(f"unknown method {params.method!r}; choose one of {', '.join(METHODS)}")
    model = SupplierRecommender(
        params=params, vendor_ids=np.array(sorted(catalogue["vendor_id"].unique()), dtype=object),
        buyer_ids=np.zeros(0, dtype=object), matrix=np.zeros((0, 0)), trained_until=trained_until,
        catalogue=catalogue[[c for c in ("vendor_id", "business_unit_code", "vendor_name", "status")
                             if c in catalogue]].reset_index(drop=True),
    )
    model.buyer_ids, model.matrix = model.history_vectors(events)
    if params.method == "svd":
        from sklearn.decomposition import TruncatedSVD

        k = max(1, min(params.n_components, min(model.matrix.shape) - 1))
        model.components = TruncatedSVD(n_components=k, random_state=params.seed).fit(model.matrix).components_
    if quality is not None and len(quality):
        model.quality = quality_scores(quality, params)
        model.default_quality = float(model.quality["quality_score"].median())
    return model
