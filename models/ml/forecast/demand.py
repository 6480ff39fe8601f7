"""Weekly demand per business unit x SKU for the next weeks (gradient boosting on lags).

**Series.** Demand is the quantity ordered on purchase-order lines (orders not cancelled),
summed per business unit, SKU and ISO week (weeks start on Monday; a week with no line is 0).
A SKU ordered in fewer than ``min_active_weeks`` of the unit's last 52 weeks before the
forecast origin is *thin*: its lines are pooled into one series per unit and category
(``level = 'category'``, ``series = 'category:<id>'``), forecast as a whole.

**Features** (per series, origin week t = the last week seen, horizon h = 1..4; every
quantity divided by the series' scale = its mean over the 52 weeks up to t, so a tonne of
coal and a box of gloves share one model): the last ``lags`` weeks, rolling means over
``windows``, the same week a year before the target (seasonal), the share of active weeks
and weeks since the last order, the target's week of the year (sin/cos), the horizon, the
unit, the category and the level (categorical). Target: the week t+h over the scale.

**Model**: one ``HistGradientBoostingRegressor`` (squared error: the forecast is a mean, what
a requisition needs) over every series, origin and horizon. Interval: the forecast ±
the ``interval`` quantile of the held-out absolute errors per horizon, relative to the scale.

**Evaluation** (:func:`evaluate_demand`): the model is fitted on origins whose targets end
before the held-out period (the last ``holdout_weeks`` weeks), then forecasts 1-4 weeks
ahead from every origin inside it; the same cells are forecast by ``last_value`` (the week
t), ``seasonal_naive`` (the same week a year before the target) and ``moving_average``
(the mean of the last 12 weeks: a stronger naive). Metrics: MAE and WAPE = Σ|error| / Σ actual.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

HORIZON = 4
CATEGORY_PREFIX = "category:"
MOVING_AVERAGE_WEEKS = 12


def empty_columns(X: np.ndarray) -> tuple[int, ...]:
    """Columns with no value at all (e.g. no week a year back yet): the boosting cannot bin
    them, so they are set to 0 at fit and at prediction alike."""
    return tuple(int(i) for i in np.flatnonzero(np.isnan(X).all(axis=0))) if len(X) else ()


def fill_columns(X: np.ndarray, columns: tuple[int, ...]) -> np.ndarray:
    """``X`` with ``columns`` set to 0 (a copy when there are any)."""
    if not columns:
        return X
    X = X.copy()
    X[:, list(columns)] = 0.0
    return X


def one_thread() -> Any:
    """OpenMP limited to one thread: on a shared 2-core machine the boosting's threads spin
    against each other (10x slower on these small matrices)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, "openmp")


@dataclass(frozen=True)
class DemandParams:
    """The demand model's settings (logged as MLflow params)."""

    horizon: int = HORIZON
    lags: tuple[int, ...] = (1, 2, 3, 4, 6, 8, 13)
    windows: tuple[int, ...] = (4, 8, 13, 26, 52)
    min_active_weeks: int = 6
    holdout_weeks: int = 12
    min_origin_week: int = 8  # first origin (weeks of history) used for training
    origin_stride: int = 2  # every other origin week: half the rows, same quality on the demo
    max_iter: int = 100
    learning_rate: float = 0.06
    max_leaf_nodes: int = 7
    min_samples_leaf: int = 100
    l2_regularization: float = 10.0
    interval: float = 0.8
    best_sellers_per_category: int = 3
    volume_weighted: bool = True  # rows drawn in proportion to the series' scale (see fit_demand)
    seed: int = 0

    def as_params(self) -> dict[str, Any]:
        """Flat dict for MLflow."""
        return {f"demand_{k}": v for k, v in asdict(self).items()}


@dataclass
class Panel:
    """Weekly series as a matrix: ``values[i, j]`` = quantity of series i in week j."""

    keys: pd.DataFrame  # business_unit_code, series, level, sku, category_id (one row per series)
    weeks: pd.DatetimeIndex  # Mondays
    values: np.ndarray  # float (n_series, n_weeks)


def week_start(dates: pd.Series) -> pd.Series:
    """The Monday of each date's ISO week (naive timestamps)."""
    d = pd.to_datetime(dates).dt.tz_localize(None).dt.normalize()
    return d - pd.to_timedelta(d.dt.day_of_week, unit="D")


def thin_skus(lines: pd.DataFrame, through: pd.Timestamp, min_active_weeks: int) -> set[tuple[str, str]]:
    """(unit, SKU) pairs ordered in fewer than ``min_active_weeks`` distinct weeks among the 52
    weeks ending with the week of ``through`` (only lines up to that week count)."""
    week = week_start(lines["order_date"])
    recent = lines[(week <= through) & (week > through - pd.Timedelta(weeks=52))]
    active = recent.assign(week=week).groupby(["business_unit_code", "sku"])["week"].nunique()
    every = set(map(tuple, lines[["business_unit_code", "sku"]].drop_duplicates().to_numpy()))
    thick = {k for k, n in active.items() if n >= min_active_weeks}
    return every - thick


def build_panel(lines: pd.DataFrame, *, through: pd.Timestamp | None = None, thin_through: pd.Timestamp | None = None,
                min_active_weeks: int = 6) -> Panel:
    """Weekly series from order lines (``business_unit_code, sku, category_id, order_date, quantity``).

    Args:
        lines: order lines.
        through: last week of the panel (default: the week of the latest order date).
        thin_through: the week up to which thinness is judged (default ``through``); an
            evaluation passes its cutoff so the held-out period does not decide the pooling.
        min_active_weeks: see the module docstring.
    """
    frame = lines[["business_unit_code", "sku", "category_id", "order_date", "quantity"]].copy()
    frame["week"] = week_start(frame["order_date"])
    last = frame["week"].max() if through is None else pd.Timestamp(through)
    frame = frame[frame["week"] <= last]
    thin = thin_skus(lines, thin_through if thin_through is not None else last, min_active_weeks)
    pair = list(zip(frame["business_unit_code"], frame["sku"], strict=True))
    is_thin = np.fromiter((p in thin for p in pair), dtype=bool, count=len(pair))
    frame["level"] = np.where(is_thin, "category", "sku")
    frame["series"] = np.where(is_thin, CATEGORY_PREFIX + frame["category_id"].astype(str), frame["sku"].astype(str))
    frame["sku_out"] = np.where(is_thin, None, frame["sku"])
    weeks = pd.date_range(frame["week"].min(), last, freq="7D") if len(frame) else pd.DatetimeIndex([])
    grouped = frame.groupby(["business_unit_code", "series", "week"], sort=True)["quantity"].sum()
    keys = (frame.drop_duplicates(["business_unit_code", "series"])
            [["business_unit_code", "series", "level", "sku_out", "category_id"]]
            .rename(columns={"sku_out": "sku"}).sort_values(["business_unit_code", "series"]).reset_index(drop=True))
    values = np.zeros((len(keys), len(weeks)))
    if len(grouped):
        index = pd.MultiIndex.from_frame(keys[["business_unit_code", "series"]])
        row = index.get_indexer(grouped.index.droplevel("week"))
        col = weeks.get_indexer(grouped.index.get_level_values("week"))
        values[row, col] = grouped.to_numpy()
    return Panel(keys, weeks, values)


# --- features ---------------------------------------------------------------------------------

def _trailing_mean(values: np.ndarray, t: int, window: int) -> np.ndarray:
    lo = max(0, t - window + 1)
    return values[:, lo:t + 1].mean(axis=1)


def feature_names(params: DemandParams) -> list[str]:
    """Column order of :func:`origin_features`."""
    return ([f"lag_{lag}" for lag in params.lags] + [f"mean_{w}" for w in params.windows]
            + ["seasonal", "seasonal_3", "active_share_26", "weeks_since_order", "orders_due", "history_weeks",
               "woy_sin", "woy_cos", "horizon", "unit", "category", "level"])


def origin_features(panel: Panel, t: int, params: DemandParams, codes: dict[str, dict[str, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Features of every series at origin week index ``t`` for horizons 1..H, and the scales.

    Returns:
        ``(X, scale)``: X has ``n_series * H`` rows, horizon-major (all series for h=1, then
        h=2 …); ``scale`` (n_series) is the mean of the 52 weeks up to t (0: nothing ordered).
    """
    v = panel.values
    n = v.shape[0]
    scale = _trailing_mean(v, t, 52)
    safe = np.where(scale > 0, scale, 1.0)
    cols = []
    for lag in params.lags:
        cols.append(v[:, t - lag + 1] / safe if t - lag + 1 >= 0 else np.full(n, np.nan))
    for w in params.windows:
        cols.append(_trailing_mean(v, t, w) / safe)
    active = (v[:, max(0, t - 25):t + 1] > 0).mean(axis=1)
    weeks_since = _weeks_since(v, t)
    unit = panel.keys["business_unit_code"].map(codes["unit"]).fillna(-1).to_numpy(dtype=float)
    category = panel.keys["category_id"].astype(str).map(codes["category"]).fillna(-1).to_numpy(dtype=float)
    level = (panel.keys["level"] == "category").to_numpy(dtype=float)
    blocks = []
    for h in range(1, params.horizon + 1):
        target = t + h
        season = target - 52
        seasonal = v[:, season] / safe if 0 <= season <= t else np.full(n, np.nan)
        lo, hi = season - 1, season + 1
        seasonal3 = v[:, lo:hi + 1].mean(axis=1) / safe if lo >= 0 and hi <= t else np.full(n, np.nan)
        target_week = panel.weeks[0] + pd.Timedelta(weeks=target)
        woy = target_week.isocalendar()[1]
        angle = 2 * np.pi * woy / 52.0
        due = (weeks_since + h) * active  # orders expected since the last one, at the target week
        block = np.column_stack([*cols, seasonal, seasonal3, active, weeks_since, due, np.full(n, float(t + 1)),
                                 np.full(n, np.sin(angle)), np.full(n, np.cos(angle)), np.full(n, float(h)),
                                 unit, category, level])
        blocks.append(block)
    return np.vstack(blocks), scale


def _weeks_since(v: np.ndarray, t: int) -> np.ndarray:
    ordered = v[:, :t + 1] > 0
    any_ = ordered.any(axis=1)
    last = ordered.shape[1] - 1 - np.argmax(ordered[:, ::-1], axis=1)
    return np.where(any_, t - last, 104.0).astype(float)


def encodings(panel: Panel) -> dict[str, dict[str, int]]:
    """Integer codes of units and categories (stable: sorted names)."""
    return {"unit": {u: i for i, u in enumerate(sorted(panel.keys["business_unit_code"].unique()))},
            "category": {c: i for i, c in enumerate(sorted(panel.keys["category_id"].astype(str).unique()))}}


def training_rows(panel: Panel, origins: list[int], params: DemandParams,
                  codes: dict[str, dict[str, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, y, scale)`` over ``origins`` (targets must lie inside the panel); series with no
    order in the 52 weeks up to an origin are left out (forecast 0, nothing to learn)."""
    xs, ys, ss = [], [], []
    for t in origins:
        X, scale = origin_features(panel, t, params, codes)
        y = np.concatenate([panel.values[:, t + h] for h in range(1, params.horizon + 1)])
        s = np.tile(scale, params.horizon)
        keep = s > 0
        xs.append(X[keep])
        ys.append(y[keep] / s[keep])
        ss.append(s[keep])
    if not xs:
        width = len(feature_names(params))
        return np.empty((0, width)), np.empty(0), np.empty(0)
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ss)


@dataclass
class DemandModel:
    """A fitted demand model (what the bundle holds)."""

    params: DemandParams
    codes: dict[str, dict[str, int]]
    estimator: Any
    interval_halfwidth: dict[int, float] = field(default_factory=dict)  # horizon -> |error| / scale quantile
    trained_through: str = ""
    empty: tuple[int, ...] = ()  # feature columns without any value at fit (set to 0)
    method: str = "gbm"  # or "moving_average": chosen on the held-out period (see evaluate_demand)

    def predict(self, panel: Panel, t: int) -> pd.DataFrame:
        """Forecasts of every series of ``panel`` from origin week index ``t``: one row per
        series and horizon (``business_unit_code, series, level, sku, category_id, week,
        horizon, forecast, forecast_low, forecast_high``)."""
        X, scale = origin_features(panel, t, self.params, self.codes)
        s = np.tile(scale, self.params.horizon)
        if self.method == "moving_average":
            forecast = np.tile(_trailing_mean(panel.values, t, MOVING_AVERAGE_WEEKS), self.params.horizon)
        else:
            with one_thread():
                raw = np.clip(self.estimator.predict(fill_columns(X, self.empty)), 0.0, None) if len(X) else np.empty(0)
            forecast = raw * s
        horizon = np.repeat(np.arange(1, self.params.horizon + 1), len(scale))
        half = np.array([self.interval_halfwidth.get(int(h), np.nan) for h in horizon]) * s
        out = pd.concat([panel.keys] * self.params.horizon, ignore_index=True)
        out["horizon"] = horizon
        out["week"] = [panel.weeks[0] + pd.Timedelta(weeks=t + int(h)) for h in horizon]
        out["forecast"] = forecast
        out["forecast_low"] = np.clip(forecast - half, 0.0, None)
        out["forecast_high"] = forecast + half
        return out


def fit_estimator(X: np.ndarray, y: np.ndarray, params: DemandParams) -> Any:
    """The gradient-boosted regressor on scaled targets."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    names = feature_names(params)
    categorical = [names.index(c) for c in ("unit", "category")]
    estimator = HistGradientBoostingRegressor(
        loss="squared_error", max_iter=params.max_iter, learning_rate=params.learning_rate,
        max_leaf_nodes=params.max_leaf_nodes, min_samples_leaf=params.min_samples_leaf,
        l2_regularization=params.l2_regularization, categorical_features=categorical,
        random_state=params.seed, early_stopping=False)
    y = np.clip(y, 0.0, 20.0)  # a single huge week should not steer the whole model
    with one_thread():
        return estimator.fit(X, y)


def _origins(first: int, last: int, stride: int) -> list[int]:
    return list(range(last, first - 1, -max(1, stride)))[::-1]


def fit_demand(panel: Panel, params: DemandParams | None = None, *, last_origin: int | None = None,
               halfwidth_from: dict[int, float] | None = None) -> DemandModel:
    """Fit on every origin from ``min_origin_week`` to ``last_origin`` (default: the last whose
    targets are inside the panel)."""
    params = params or DemandParams()
    n_weeks = panel.values.shape[1]
    last = n_weeks - 1 - params.horizon if last_origin is None else last_origin
    codes = encodings(panel)
    X, y, scale = training_rows(panel, _origins(params.min_origin_week, last, params.origin_stride), params, codes)
    if len(X) == 0:
        raise ValueError("no demand history to learn from (fewer weeks than the first origin)")
    empty = empty_columns(X)
    X = fill_columns(X, empty)
    if params.volume_weighted:
        # rows drawn with probability proportional to the series' volume (seeded), so the loss
        # counts units of demand as MAE and WAPE do; a weighted fit would be the same in
        # expectation, but scikit-learn bins weighted features one percentile at a time (10x slower)
        rng = np.random.default_rng(params.seed)
        rows = rng.choice(len(y), size=len(y), p=scale / scale.sum())
        X, y = X[rows], y[rows]
    estimator = fit_estimator(X, y, params)
    return DemandModel(params, codes, estimator, dict(halfwidth_from or {}),
                       str(panel.weeks[min(last + params.horizon, n_weeks - 1)].date()), empty)


# --- evaluation -------------------------------------------------------------------------------

def _metrics(actual: np.ndarray, forecast: np.ndarray) -> dict[str, float]:
    err = np.abs(actual - forecast)
    total = float(actual.sum())
    return {"mae": float(err.mean()) if len(err) else float("nan"),
            "wape": float(err.sum() / total) if total > 0 else float("nan"),
            "bias": float((forecast - actual).sum() / total) if total > 0 else float("nan")}


def baseline_forecasts(panel: Panel, t: int, horizon: int) -> dict[str, np.ndarray]:
    """The naive forecasts from origin t for horizons 1..H (horizon-major like the model)."""
    v = panel.values
    last = np.tile(v[:, t], horizon)
    seasonal = np.concatenate([v[:, t + h - 52] if t + h - 52 >= 0 else v[:, t] for h in range(1, horizon + 1)])
    moving = np.tile(_trailing_mean(v, t, MOVING_AVERAGE_WEEKS), horizon)
    return {"last_value": last, "seasonal_naive": seasonal, "moving_average": moving}


def evaluate_demand(lines: pd.DataFrame, params: DemandParams | None = None) -> dict[str, Any]:
    """Fit before the held-out period, forecast inside it, compare with the naive forecasts.

    Returns:
        ``{"model"|"last_value"|"seasonal_naive"|"moving_average": {mae, wape, bias},
        "by_horizon": …, "cells", "series", "sku_series", "category_series", "holdout_from",
        "origins", "interval_halfwidth", "interval_coverage", "seconds"}``.
    """
    params = params or DemandParams()
    started = time.perf_counter()
    full = build_panel(lines, min_active_weeks=params.min_active_weeks)
    n_weeks = len(full.weeks)
    cutoff = n_weeks - params.holdout_weeks  # first held-out week index
    if cutoff - params.horizon < params.min_origin_week + 4:
        raise ValueError(f"{n_weeks} weeks of demand history: too short for a {params.holdout_weeks}-week hold-out")
    panel = build_panel(lines, thin_through=full.weeks[cutoff - 1], min_active_weeks=params.min_active_weeks)
    model = fit_demand(panel, params, last_origin=cutoff - 1 - params.horizon)
    fit_seconds = time.perf_counter() - started
    rows: dict[str, list[np.ndarray]] = {k: [] for k in ("actual", "model", "last_value", "seasonal_naive",
                                                          "moving_average", "horizon", "scale")}
    for t in range(cutoff - 1, n_weeks - 1 - params.horizon + 1):
        targets = [t + h for h in range(1, params.horizon + 1)]
        if targets[-1] >= n_weeks:
            break
        scored = model.predict(panel, t)
        rows["model"].append(scored["forecast"].to_numpy())
        for name, values in baseline_forecasts(panel, t, params.horizon).items():
            rows[name].append(values)
        rows["actual"].append(np.concatenate([panel.values[:, t + h] for h in range(1, params.horizon + 1)]))
        rows["horizon"].append(scored["horizon"].to_numpy())
        rows["scale"].append(np.tile(_trailing_mean(panel.values, t, 52), params.horizon))
    cat = {k: np.concatenate(v) if v else np.empty(0) for k, v in rows.items()}
    # cells of series with some history at the origin (a series born in the hold-out has no forecast)
    keep = cat["scale"] > 0
    cat = {k: v[keep] for k, v in cat.items()}
    report: dict[str, Any] = {name: _metrics(cat["actual"], cat[name])
                              for name in ("model", "last_value", "seasonal_naive", "moving_average")}
    report["by_horizon"] = {
        str(h): {name: _metrics(cat["actual"][cat["horizon"] == h], cat[name][cat["horizon"] == h])["wape"]
                 for name in ("model", "last_value", "seasonal_naive", "moving_average")}
        for h in range(1, params.horizon + 1)}
    # model selection: the boosted model unless the moving average did better on the hold-out
    # (thin histories, e.g. the scale-0.05 test lake); the interval follows the method kept
    selected = "gbm" if report["model"]["wape"] <= report["moving_average"]["wape"] else "moving_average"
    chosen = cat["model"] if selected == "gbm" else cat["moving_average"]
    rel = np.abs(cat["actual"] - chosen) / cat["scale"]
    halfwidth = {h: float(np.quantile(rel[cat["horizon"] == h], params.interval)) if (cat["horizon"] == h).any()
                 else float("nan") for h in range(1, params.horizon + 1)}
    report.update({
        "cells": int(keep.sum()), "series": len(panel.keys),
        "sku_series": int((panel.keys["level"] == "sku").sum()),
        "category_series": int((panel.keys["level"] == "category").sum()),
        "weeks": n_weeks, "holdout_from": str(panel.weeks[cutoff].date()),
        "origins": len(rows["model"]), "interval_halfwidth": halfwidth, "selected": selected,
        "selected_wape": report["model" if selected == "gbm" else "moving_average"]["wape"],
        "fit_seconds": round(fit_seconds, 3), "seconds": round(time.perf_counter() - started, 3),
        "wape_gain_vs_last_value": report["last_value"]["wape"] - report["model"]["wape"],
        "wape_gain_vs_seasonal_naive": report["seasonal_naive"]["wape"] - report["model"]["wape"],
    })
    return report


# --- the gold rows ----------------------------------------------------------------------------

def forecast_rows(model: DemandModel, lines: pd.DataFrame, stock: pd.DataFrame | None = None) -> pd.DataFrame:
    """The next ``horizon`` weeks of every series from the last complete week of ``lines``,
    with stock, the proposed requisition and the best-seller flag.

    ``cumulative_forecast`` = forecast through the week; ``proposed_requisition`` =
    max(0, cumulative_forecast − stock_on_hand) where stock is known (SKU rows of units with
    WMS stock), else null. ``is_likely_best_seller``: among the SKU series of a unit and
    category, the ``best_sellers_per_category`` largest 4-week forecasts (value = forecast ×
    latest unit price), when the forecast is above the SKU's last-12-week pace.
    """
    p = model.params
    panel = build_panel(lines, min_active_weeks=p.min_active_weeks)
    if not len(panel.keys):
        return pd.DataFrame()
    t = len(panel.weeks) - 1
    out = model.predict(panel, t)
    out = out.sort_values(["business_unit_code", "series", "week"]).reset_index(drop=True)
    out["cumulative_forecast"] = out.groupby(["business_unit_code", "series"])["forecast"].cumsum()
    pace = pd.DataFrame({"business_unit_code": panel.keys["business_unit_code"], "series": panel.keys["series"],
                         "recent_weekly_mean": _trailing_mean(panel.values, t, 12)})
    out = out.merge(pace, on=["business_unit_code", "series"], how="left")
    price = (lines.sort_values("order_date").groupby(["business_unit_code", "sku"])["unit_price"].last()
             .rename("unit_price").reset_index())
    out = out.merge(price, on=["business_unit_code", "sku"], how="left")
    total = out.groupby(["business_unit_code", "series"])["forecast"].transform("sum")
    value = total * out["unit_price"].fillna(0.0)
    out["forecast_value_4w"] = np.where(out["level"] == "sku", value, np.nan)
    rising = total > out["recent_weekly_mean"] * p.horizon
    ranked = (out[out["level"] == "sku"].drop_duplicates(["business_unit_code", "series"])
              .assign(value=lambda f: f["forecast_value_4w"])
              .sort_values(["business_unit_code", "category_id", "value", "series"], ascending=[True, True, False, True]))
    ranked["rank"] = ranked.groupby(["business_unit_code", "category_id"]).cumcount() + 1
    top = set(map(tuple, ranked.loc[ranked["rank"] <= p.best_sellers_per_category,
                                    ["business_unit_code", "series"]].to_numpy()))
    is_top = np.fromiter(((u, s) in top for u, s in zip(out["business_unit_code"], out["series"], strict=True)),
                         dtype=bool, count=len(out))
    out["is_likely_best_seller"] = is_top & rising.to_numpy() & (out["level"] == "sku").to_numpy()
    stock = stock if stock is not None else pd.DataFrame(columns=["business_unit_code", "sku", "stock_on_hand"])
    out = out.merge(stock[["business_unit_code", "sku", "stock_on_hand"]], on=["business_unit_code", "sku"], how="left")
    out["proposed_requisition"] = np.where(out["stock_on_hand"].notna(),
                                           np.clip(out["cumulative_forecast"] - out["stock_on_hand"], 0.0, None), np.nan)
    out["history_through"] = panel.weeks[-1] + pd.Timedelta(days=6)
    return out
