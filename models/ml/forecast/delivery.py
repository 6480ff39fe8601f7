"""Late-delivery risk per supplier (ERP vendor) x SKU: the probability that the next order
line arrives after its promised date.

**Outcome of a line, as known on a date a** (point in time, no look-ahead): *late* when its
promised date is before a and nothing was received by the promised date (first receipt
after it, or none yet); *on time* when its first receipt is on or before both the promised
date and a; otherwise unknown (not due yet) and not used.

**Features of (vendor, SKU) as of a** (:func:`pair_features`), from the lines known by then:
the vendor's late rate (lines, late, and the rate shrunk toward the group's rate with
``prior_weight`` pseudo-lines), the same over the last 180 days, for the vendor x SKU
(shrunk toward the vendor's) and for the company behind the vendor (every ERP vendor record
with the same USCC, in any unit: a late company is late everywhere); the SKU's late rate across
vendors; the mean days late of its late lines; lead time (order to first receipt) mean, spread
and coefficient of variation; the promised lead time; and shipment telemetry from the ASNs
shipped before a: share by sea and rail, share GPS-tracked, the mean and 90th percentile
slip of delivery against the ASN's expected arrival.

**Model**: ``HistGradientBoostingClassifier`` (log loss) on the lines ordered in
``windows`` consecutive ``window_days`` periods, each labelled with what was known at the end
of the training period and featured as of its own start.

**Baseline**: the vendor's historical late rate (raw share of its known lines, the group's
rate when it has none) — what a scorecard's on-time rate says. Evaluation
(:func:`evaluate_delivery`): lines ordered in the last ``holdout_days`` days, featured as of
the hold-out start, judged by log loss, Brier score and PR-AUC.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class DeliveryParams:
    """The delivery-risk model's settings (logged as MLflow params)."""

    prior_weight: float = 5.0
    recent_days: int = 180
    window_days: int = 60
    windows: int = 6
    holdout_days: int = 90
    max_iter: int = 150
    learning_rate: float = 0.05
    max_leaf_nodes: int = 8
    min_samples_leaf: int = 40
    l2_regularization: float = 1.0
    seed: int = 0
    baseline_clip: float = 0.005  # a raw rate of 0 or 1 would give an infinite log loss

    def as_params(self) -> dict[str, Any]:
        """Flat dict for MLflow."""
        return {f"delivery_{k}": v for k, v in asdict(self).items()}


FEATURES = (
    "vendor_lines", "vendor_late_rate", "vendor_late_rate_raw", "vendor_recent_lines", "vendor_recent_late_rate",
    "pair_lines", "pair_late_rate", "company_lines", "company_late_rate", "sku_late_rate",
    "vendor_mean_days_late", "lead_time_mean", "lead_time_std", "lead_time_cv", "promised_lead_mean",
    "ship_sea_share", "ship_rail_share", "ship_gps_share", "eta_slip_mean", "eta_slip_p90", "shipments",
)


def data_end(lines: pd.DataFrame) -> pd.Timestamp:
    """The latest date the history knows (order or receipt)."""
    dates = [pd.to_datetime(lines["order_date"]).max(), pd.to_datetime(lines["first_received_date"]).max()]
    return max(d for d in dates if pd.notna(d))


def outcome_as_of(lines: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Per line: 1.0 late, 0.0 on time, NaN not known on ``as_of`` (see the module docstring)."""
    promised = pd.to_datetime(lines["promised_date"])
    received = pd.to_datetime(lines["first_received_date"])
    seen = received.notna() & (received <= as_of)
    late = (promised < as_of) & (~seen | (received > promised))
    on_time = seen & (received <= promised)
    return pd.Series(np.where(late, 1.0, np.where(on_time, 0.0, np.nan)), index=lines.index)


def _shrunk(late: pd.Series, n: pd.Series, prior: pd.Series | float, weight: float) -> pd.Series:
    return (late + weight * prior) / (n + weight)


def pair_features(lines: pd.DataFrame, shipments: pd.DataFrame | None, as_of: pd.Timestamp,
                  pairs: pd.DataFrame, params: DeliveryParams) -> pd.DataFrame:
    """Features of each (vendor_id, material_id) in ``pairs`` from the history known on ``as_of``.

    Args:
        lines: order lines (:func:`models.ml.forecast.history.order_lines`).
        shipments: ASNs with telemetry (or None).
        as_of: the knowledge date.
        pairs: ``vendor_id, material_id`` (plus ``vendor_uscc`` when known) to describe.
        params: shrinkage weight and recent window.

    Returns:
        ``pairs`` with the :data:`FEATURES` columns and ``baseline`` (the vendor's raw rate).
    """
    w = params.prior_weight
    known = lines.assign(late=outcome_as_of(lines, as_of))
    known = known[known["late"].notna() & (pd.to_datetime(known["order_date"]) < as_of)].copy()
    group_rate = float(known["late"].mean()) if len(known) else 0.1
    known["received"] = pd.to_datetime(known["first_received_date"])
    known["lead"] = (known["received"] - pd.to_datetime(known["order_date"])).dt.days.where(known["received"] <= as_of)
    known["promised_lead"] = (pd.to_datetime(known["promised_date"]) - pd.to_datetime(known["order_date"])).dt.days
    known["days_late"] = np.where(known["late"] == 1.0,
                                  ((known["received"].where(known["received"] <= as_of, as_of))
                                   - pd.to_datetime(known["promised_date"])).dt.days, np.nan)
    recent = known[pd.to_datetime(known["promised_date"]) >= as_of - params.recent_days * DAY]

    vendor = known.groupby("vendor_id").agg(vendor_lines=("late", "size"), vendor_late=("late", "sum"),
                                            vendor_mean_days_late=("days_late", "mean"),
                                            lead_time_mean=("lead", "mean"), lead_time_std=("lead", "std"),
                                            promised_lead_mean=("promised_lead", "mean"))
    vendor_recent = recent.groupby("vendor_id").agg(vendor_recent_lines=("late", "size"),
                                                    vendor_recent_late=("late", "sum"))
    pair = known.groupby(["vendor_id", "material_id"]).agg(pair_lines=("late", "size"), pair_late=("late", "sum"))
    sku = known.groupby("material_id").agg(sku_lines=("late", "size"), sku_late=("late", "sum"))
    uscc = known.dropna(subset=["vendor_uscc"]).groupby("vendor_uscc").agg(company_lines=("late", "size"),
                                                                          company_late=("late", "sum"))
    out = pairs[["vendor_id", "material_id"] + (["vendor_uscc"] if "vendor_uscc" in pairs else [])].copy()
    if "vendor_uscc" not in out:
        out = out.merge(lines[["vendor_id", "vendor_uscc"]].drop_duplicates("vendor_id"), on="vendor_id", how="left")
    out = (out.merge(vendor, left_on="vendor_id", right_index=True, how="left")
           .merge(vendor_recent, left_on="vendor_id", right_index=True, how="left")
           .merge(pair, left_on=["vendor_id", "material_id"], right_index=True, how="left")
           .merge(sku, left_on="material_id", right_index=True, how="left")
           .merge(uscc, left_on="vendor_uscc", right_index=True, how="left"))
    for col in ("vendor_lines", "vendor_late", "vendor_recent_lines", "vendor_recent_late", "pair_lines",
                "pair_late", "sku_lines", "sku_late", "company_lines", "company_late"):
        out[col] = out[col].fillna(0.0).astype(float)
    out["company_late_rate"] = _shrunk(out["company_late"], out["company_lines"], group_rate, w)
    out["vendor_late_rate"] = _shrunk(out["vendor_late"], out["vendor_lines"], out["company_late_rate"], w)
    out["vendor_late_rate_raw"] = np.where(out["vendor_lines"] > 0, out["vendor_late"] / out["vendor_lines"].clip(lower=1),
                                           np.nan)
    out["vendor_recent_late_rate"] = _shrunk(out["vendor_recent_late"], out["vendor_recent_lines"],
                                             out["vendor_late_rate"], w)
    out["pair_late_rate"] = _shrunk(out["pair_late"], out["pair_lines"], out["vendor_late_rate"], w)
    out["sku_late_rate"] = _shrunk(out["sku_late"], out["sku_lines"], group_rate, w)
    out["lead_time_cv"] = out["lead_time_std"] / out["lead_time_mean"].where(out["lead_time_mean"] > 0)
    ship = _telemetry(shipments, as_of)
    out = out.merge(ship, left_on="vendor_id", right_index=True, how="left")
    out["shipments"] = out["shipments"].fillna(0.0)
    out["baseline"] = out["vendor_late_rate_raw"].fillna(group_rate)
    out["group_late_rate"] = group_rate
    return out


def _telemetry(shipments: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.DataFrame:
    cols = ["ship_sea_share", "ship_rail_share", "ship_gps_share", "eta_slip_mean", "eta_slip_p90", "shipments"]
    if shipments is None or not len(shipments):
        return pd.DataFrame(columns=cols, index=pd.Index([], name="vendor_id"), dtype=float)
    s = shipments[pd.to_datetime(shipments["shipped_date"]) < as_of].copy()
    # the slip is known once delivered (delivered before as_of: shipped + slip + transit is close enough)
    s["sea"] = (s["transport_mode"] == "sea").astype(float)
    s["rail"] = (s["transport_mode"] == "rail").astype(float)
    s["gps"] = s["gps_tracked"].astype(float)
    grouped = s.groupby("vendor_id")
    out = grouped[["sea", "rail", "gps", "eta_slip_days"]].mean().set_axis(
        ["ship_sea_share", "ship_rail_share", "ship_gps_share", "eta_slip_mean"], axis=1)
    out["eta_slip_p90"] = grouped["eta_slip_days"].quantile(0.9)
    out["shipments"] = grouped.size()
    return out.astype(float)


@dataclass
class DeliveryModel:
    """A fitted delivery-risk model (what the bundle holds)."""

    params: DeliveryParams
    estimator: Any
    trained_through: str = ""
    empty: tuple[int, ...] = ()  # feature columns without any value at fit (set to 0)

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Late probability per row of :func:`pair_features`."""
        if not len(features):
            return np.empty(0)
        from models.ml.forecast.demand import fill_columns, one_thread

        X = fill_columns(features[list(FEATURES)].to_numpy(dtype=float), self.empty)
        with one_thread():
            return self.estimator.predict_proba(X)[:, 1]


def labelled_window(lines: pd.DataFrame, shipments: pd.DataFrame | None, start: pd.Timestamp, end: pd.Timestamp,
                    known_on: pd.Timestamp, params: DeliveryParams) -> pd.DataFrame:
    """Lines ordered in ``[start, end)`` whose outcome is known on ``known_on``, with the
    features of their (vendor, SKU) as of ``start`` and ``late`` (0/1)."""
    ordered = pd.to_datetime(lines["order_date"])
    window = lines[(ordered >= start) & (ordered < end)].copy()
    window["late"] = outcome_as_of(window, known_on)
    window = window[window["late"].notna()]
    if not len(window):
        return window.assign(**{f: pd.Series(dtype=float) for f in FEATURES})
    pairs = window[["vendor_id", "material_id", "vendor_uscc"]].drop_duplicates(["vendor_id", "material_id"])
    feats = pair_features(lines, shipments, start, pairs, params).drop(columns=["vendor_uscc"])
    return window.merge(feats, on=["vendor_id", "material_id"], how="left")


def training_set(lines: pd.DataFrame, shipments: pd.DataFrame | None, until: pd.Timestamp,
                 params: DeliveryParams) -> pd.DataFrame:
    """``windows`` consecutive windows ending at ``until``, outcomes as known on ``until``."""
    frames = []
    for k in range(params.windows, 0, -1):
        start = until - k * params.window_days * DAY
        frames.append(labelled_window(lines, shipments, start, start + params.window_days * DAY, until, params))
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def fit_delivery(train: pd.DataFrame, params: DeliveryParams, trained_through: str = "") -> DeliveryModel:
    """Fit the classifier on a :func:`training_set`."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    if len(train) == 0 or train["late"].nunique() < 2:
        raise ValueError("delivery history has no late and on-time lines to learn from")
    estimator = HistGradientBoostingClassifier(
        max_iter=params.max_iter, learning_rate=params.learning_rate, max_leaf_nodes=params.max_leaf_nodes,
        min_samples_leaf=params.min_samples_leaf, l2_regularization=params.l2_regularization,
        random_state=params.seed, early_stopping=False)
    from models.ml.forecast.demand import empty_columns, fill_columns, one_thread

    X = train[list(FEATURES)].to_numpy(dtype=float)
    empty = empty_columns(X)
    with one_thread():
        estimator.fit(fill_columns(X, empty), train["late"].to_numpy(dtype=int))
    return DeliveryModel(params, estimator, trained_through, empty)


def probability_metrics(y: np.ndarray, p: np.ndarray, clip: float = 1e-6) -> dict[str, float]:
    """Log loss, Brier score, PR-AUC (average precision) and the late share."""
    from sklearn.metrics import average_precision_score, brier_score_loss, log_loss

    p = np.clip(p, clip, 1 - clip)
    both = len(np.unique(y)) == 2
    return {"log_loss": float(log_loss(y, p, labels=[0, 1])), "brier": float(brier_score_loss(y, p)),
            "pr_auc": float(average_precision_score(y, p)) if both else float("nan"),
            "late_share": float(np.mean(y)) if len(y) else float("nan")}


def evaluate_delivery(lines: pd.DataFrame, shipments: pd.DataFrame | None,
                      params: DeliveryParams | None = None) -> dict[str, Any]:
    """Fit before the hold-out, judge on lines ordered in it against the vendor's late rate."""
    params = params or DeliveryParams()
    started = time.perf_counter()
    end = data_end(lines)
    split = end - params.holdout_days * DAY
    train = training_set(lines, shipments, split, params)
    model = fit_delivery(train, params, str(split.date()))
    held = labelled_window(lines, shipments, split, end + DAY, end, params)
    y = held["late"].to_numpy(dtype=int)
    p_model = model.predict(held)
    p_base = np.clip(held["baseline"].to_numpy(dtype=float), params.baseline_clip, 1 - params.baseline_clip)
    p_shrunk = held["pair_late_rate"].to_numpy(dtype=float)
    report = {
        "model": probability_metrics(y, p_model),
        "vendor_late_rate": probability_metrics(y, p_base),
        "shrunk_rate": probability_metrics(y, p_shrunk),
        "holdout_from": str(split.date()), "holdout_lines": len(held), "training_lines": len(train),
        "holdout_vendors": int(held["vendor_id"].nunique()) if len(held) else 0,
        "seconds": round(time.perf_counter() - started, 3),
    }
    report["log_loss_gain"] = report["vendor_late_rate"]["log_loss"] - report["model"]["log_loss"]
    report["brier_gain"] = report["vendor_late_rate"]["brier"] - report["model"]["brier"]
    return report


def score_pairs(model: DeliveryModel, lines: pd.DataFrame, shipments: pd.DataFrame | None,
                offers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Late probability of every (vendor, SKU) ordered or offered, as of the history's end,
    with the vendor's raw rate and the open (not yet received) lines of the pair."""
    end = data_end(lines)
    pairs = lines[["vendor_id", "material_id", "sku", "business_unit_code", "vendor_uscc"]].drop_duplicates(
        ["vendor_id", "material_id"])
    if offers is not None and len(offers):
        extra = offers[["vendor_id", "material_id", "sku", "business_unit_code"]].drop_duplicates(["vendor_id", "material_id"])
        extra = extra.merge(lines[["vendor_id", "vendor_uscc"]].drop_duplicates("vendor_id"), on="vendor_id", how="left")
        pairs = pd.concat([pairs, extra], ignore_index=True).drop_duplicates(["vendor_id", "material_id"])
    feats = pair_features(lines, shipments, end + DAY, pairs.reset_index(drop=True), model.params)
    feats = feats.merge(pairs[["vendor_id", "material_id", "sku", "business_unit_code"]],
                        on=["vendor_id", "material_id"], how="left")
    feats["late_probability"] = model.predict(feats)
    received = pd.to_datetime(lines["first_received_date"])
    open_lines = lines[received.isna()].assign(
        open=1, overdue=lambda f: (pd.to_datetime(f["promised_date"]) <= end).astype(int))
    counts = open_lines.groupby(["vendor_id", "material_id"]).agg(open_lines=("open", "sum"),
                                                                   overdue_open_lines=("overdue", "sum"))
    feats = feats.merge(counts, left_on=["vendor_id", "material_id"], right_index=True, how="left")
    feats[["open_lines", "overdue_open_lines"]] = feats[["open_lines", "overdue_open_lines"]].fillna(0).astype(int)
    feats["as_of"] = end
    return feats
