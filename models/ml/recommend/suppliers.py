"""Which supplier a business unit should buy a SKU from: a model of the supplier that will be
chosen, with price and the served delivery/quality record, explained.

Candidates for (unit, SKU): the unit's vendor records with an offer for the SKU or an order
line of it — suppliers already used included. Features as of a cutoff date ``C``:

* ``unit_share`` — share of the unit's order lines of the SKU that went to the vendor before
  ``C`` (``recent_share``: in the last 180 days); ``vendor_unit_share`` — the vendor's share of
  all the unit's lines (how much the unit works with it);
* ``price_ratio`` — the vendor's offer price valid at ``C`` (first tier, group currency) over
  the cheapest candidate's; ``lead_time_days`` and ``lead_ratio`` likewise;
* ``on_time_rate``, ``defect_rate`` — deliveries on time and inspected units defective before
  ``C``, shrunk towards the group's rates (20 deliveries / 2,000 units of prior): the
  scorecard's delivery and quality components.

A :class:`~sklearn.ensemble.HistGradientBoostingClassifier` learns P(chosen) from the lines
ordered in the 90 days after a cutoff; the score is that probability normalised over the
candidates. Judged on the following 90 days against "the unit's most used" and "the
cheapest" (top-1 accuracy, MRR).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

FEATURES = ("unit_share", "recent_share", "unit_lines", "vendor_unit_share", "price_ratio", "lead_time_days",
            "lead_ratio", "on_time_rate", "defect_rate")
RANKING_COLUMNS = ["business_unit_code", "sku", "rank", "vendor_id", "vendor_name", "score", "unit_share",
                   "price_cny", "price_ratio", "lead_time_days", "on_time_rate", "defect_rate", "reason"]
DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class SupplierParams:
    """Windows and priors (logged with the model)."""

    label_days: int = 90
    recent_days: int = 180
    prior_deliveries: float = 20.0
    prior_units: float = 2000.0
    seed: int = 42


def _quality(quality: pd.DataFrame, params: SupplierParams) -> pd.DataFrame:
    q = quality.copy()
    on_time_prior = q["on_time"].sum() / max(q["deliveries"].sum(), 1) if len(q) else 0.9
    defect_prior = q["defective_units"].sum() / max(q["inspected_units"].sum(), 1) if len(q) else 0.01
    q["on_time_rate"] = (q["on_time"] + params.prior_deliveries * on_time_prior) / (q["deliveries"]
                                                                                  + params.prior_deliveries)
    q["defect_rate"] = (q["defective_units"] + params.prior_units * defect_prior) / (q["inspected_units"]
                                                                                    + params.prior_units)
    return q.set_index("vendor_id")[["on_time_rate", "defect_rate"]]


def candidate_features(lines: pd.DataFrame, offers: pd.DataFrame, quality: pd.DataFrame, at: pd.Timestamp,
                       params: SupplierParams) -> pd.DataFrame:
    """One row per (unit, SKU, candidate vendor) with :data:`FEATURES` as of ``at``.

    Args:
        lines: ``group_id, item_id, vendor_id, ordered_at`` (ERP order lines; only those before ``at`` count).
        offers: ``vendor_id, business_unit_code, sku, valid_from, price_cny, lead_time_days``.
        quality: ``vendor_id, deliveries, on_time, inspected_units, defective_units`` before ``at``.
        at: the cutoff (UTC).
    """
    before = lines[lines["ordered_at"] < at]
    used = before.groupby(["group_id", "item_id", "vendor_id"]).size().rename("unit_lines").reset_index()
    valid = offers[pd.to_datetime(offers["valid_from"]).dt.tz_localize("UTC") <= at]
    valid = valid.sort_values("valid_from").drop_duplicates(["vendor_id", "sku"], keep="last")
    offered = valid.rename(columns={"business_unit_code": "group_id", "sku": "item_id"})[
        ["group_id", "item_id", "vendor_id", "price_cny", "lead_time_days"]]
    cand = offered.merge(used, on=["group_id", "item_id", "vendor_id"], how="outer")
    cand["unit_lines"] = cand["unit_lines"].fillna(0.0)
    totals = cand.groupby(["group_id", "item_id"])["unit_lines"].transform("sum")
    cand["unit_share"] = np.where(totals > 0, cand["unit_lines"] / totals.where(totals > 0, 1), np.nan)
    recent = before[before["ordered_at"] >= at - params.recent_days * DAY]
    recent = recent.groupby(["group_id", "item_id", "vendor_id"]).size().rename("recent_lines").reset_index()
    cand = cand.merge(recent, on=["group_id", "item_id", "vendor_id"], how="left")
    cand["recent_lines"] = cand["recent_lines"].fillna(0.0)
    rtot = cand.groupby(["group_id", "item_id"])["recent_lines"].transform("sum")
    cand["recent_share"] = np.where(rtot > 0, cand["recent_lines"] / rtot.where(rtot > 0, 1), np.nan)
    vendor_lines = before.groupby(["group_id", "vendor_id"]).size()
    unit_lines = before.groupby("group_id").size()
    key = pd.MultiIndex.from_arrays([cand["group_id"], cand["vendor_id"]])
    cand["vendor_unit_share"] = (vendor_lines.reindex(key).fillna(0).to_numpy()
                                 / unit_lines.reindex(cand["group_id"]).fillna(1).clip(lower=1).to_numpy())
    cheapest = cand.groupby(["group_id", "item_id"])["price_cny"].transform("min")
    cand["price_ratio"] = cand["price_cny"] / cheapest
    fastest = cand.groupby(["group_id", "item_id"])["lead_time_days"].transform("min").clip(lower=1)
    cand["lead_ratio"] = cand["lead_time_days"] / fastest
    q = _quality(quality, params)
    cand["on_time_rate"] = cand["vendor_id"].map(q["on_time_rate"])
    cand["defect_rate"] = cand["vendor_id"].map(q["defect_rate"])
    return cand.reset_index(drop=True)


def labelled(lines: pd.DataFrame, cand: pd.DataFrame, start: pd.Timestamp, days: int) -> pd.DataFrame:
    """Candidates of each line ordered in ``[start, start + days)``: ``line`` id and ``label`` (chosen)."""
    window = lines[(lines["ordered_at"] >= start) & (lines["ordered_at"] < start + days * DAY)]
    window = window.reset_index(drop=True).reset_index(names="line")[["line", "group_id", "item_id", "vendor_id"]]
    rows = window.rename(columns={"vendor_id": "chosen"}).merge(cand, on=["group_id", "item_id"], how="inner")
    rows["label"] = (rows["vendor_id"] == rows["chosen"]).astype(int)
    return rows[rows.groupby("line")["label"].transform("max") == 1]  # the chosen vendor is a candidate


@dataclass
class SupplierRanker:
    """A fitted supplier-choice model (see the module docstring)."""

    params: SupplierParams
    model: object
    evaluation: dict[str, float] = field(default_factory=dict)

    def score(self, cand: pd.DataFrame) -> np.ndarray:
        """P(chosen) normalised over each (unit, SKU)'s candidates."""
        from models.ml.recommend.ranker import single_thread

        if not len(cand):
            return np.zeros(0)
        with single_thread():
            p = self.model.predict_proba(cand[list(FEATURES)].to_numpy(dtype=float))[:, 1]
        total = pd.Series(p).groupby([cand["group_id"].to_numpy(), cand["item_id"].to_numpy()]).transform("sum")
        return p / total.clip(lower=1e-12).to_numpy()

    def rank(self, cand: pd.DataFrame, vendor_names: dict[str, str] | None = None) -> pd.DataFrame:
        """Ranked suppliers per (unit, SKU) with reasons (:data:`RANKING_COLUMNS`)."""
        names = vendor_names or {}
        out = cand.assign(score=self.score(cand))
        out = out.sort_values(["group_id", "item_id", "score", "vendor_id"], ascending=[True, True, False, True],
                              kind="stable")
        out["rank"] = out.groupby(["group_id", "item_id"], sort=False).cumcount() + 1
        out["vendor_name"] = out["vendor_id"].map(names)
        out["reason"] = [supplier_reason(r) for r in out.to_dict("records")]
        out = out.rename(columns={"group_id": "business_unit_code", "item_id": "sku"})
        return out[RANKING_COLUMNS].reset_index(drop=True)


def _known(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def supplier_reason(row: dict) -> str:
    """One sentence: usage by the unit, price vs the cheapest, delivery and quality record.

    Example:
        >>> supplier_reason({"unit_share": 0.62, "price_ratio": 1.031, "on_time_rate": 0.96,
        ...                  "defect_rate": 0.004, "lead_time_days": 12})
        "chosen for 62% of your unit's orders of it; price 3.1% above the cheapest offer; on time 96%, defects 0.40%; lead time 12 days"
    """
    parts = []
    share = row.get("unit_share")
    parts.append(f"chosen for {share:.0%} of your unit's orders of it" if _known(share) and share
                 else "not used by your unit for it yet")
    ratio = row.get("price_ratio")
    if _known(ratio):
        parts.append("the cheapest offer" if ratio <= 1.0005 else f"price {ratio - 1:.1%} above the cheapest offer")
    else:
        parts.append("no current offer price")
    on_time, defect = row.get("on_time_rate"), row.get("defect_rate")
    if _known(on_time) and _known(defect):
        parts.append(f"on time {on_time:.0%}, defects {defect:.2%}")
    lead = row.get("lead_time_days")
    if _known(lead):
        parts.append(f"lead time {lead:.0f} days")
    return "; ".join(parts)


def _top1(rows: pd.DataFrame, column: str) -> tuple[float, float]:
    """(top-1 accuracy, mean reciprocal rank) of ranking each line's candidates by ``column`` (desc)."""
    if rows.empty:
        return float("nan"), float("nan")
    ranked = rows.assign(_v=rows[column].fillna(-np.inf)).sort_values(["line", "_v", "vendor_id"],
                                                                       ascending=[True, False, True])
    ranked["_r"] = ranked.groupby("line").cumcount() + 1
    chosen = ranked[ranked["label"] == 1]
    return float((chosen["_r"] == 1).mean()), float((1.0 / chosen["_r"]).mean())


def fit_supplier_ranker(lines: pd.DataFrame, offers: pd.DataFrame, quality_at, end: pd.Timestamp,
                        params: SupplierParams | None = None) -> SupplierRanker:
    """Train on cutoff ``end - 2w`` (labels: the next ``w`` days), judge on cutoff ``end - w``,
    refit on that last window; ``w`` = ``label_days``. ``quality_at(cutoff)`` gives the
    delivery/quality counts before a cutoff."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from models.ml.recommend.ranker import single_thread

    params = params or SupplierParams()
    w = params.label_days
    t1, t2 = end - 2 * w * DAY, end - w * DAY

    def examples(cutoff: pd.Timestamp) -> pd.DataFrame:
        return labelled(lines, candidate_features(lines, offers, quality_at(cutoff), cutoff, params), cutoff, w)

    train, test = examples(t1), examples(t2)

    def booster() -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(max_iter=150, learning_rate=0.08, max_leaf_nodes=15,
                                              min_samples_leaf=20, early_stopping=False, random_state=params.seed)

    evaluation: dict[str, float] = {"train_lines": float(train["line"].nunique()) if len(train) else 0.0,
                                    "test_lines": float(test["line"].nunique()) if len(test) else 0.0}
    model = booster()
    if len(train) and train["label"].nunique() == 2 and len(test):
        with single_thread():
            model.fit(train[list(FEATURES)].to_numpy(dtype=float), train["label"].to_numpy())
            test = test.assign(model=model.predict_proba(test[list(FEATURES)].to_numpy(dtype=float))[:, 1])
        for name, column in (("model", "model"), ("most_used", "unit_share")):
            evaluation[f"{name}_top1"], evaluation[f"{name}_mrr"] = _top1(test, column)
        evaluation["cheapest_top1"], evaluation["cheapest_mrr"] = _top1(test.assign(cheap=-test["price_ratio"]),
                                                                        "cheap")
    final = test if len(test) and test["label"].nunique() == 2 else train
    model = booster()
    if len(final) and final["label"].nunique() == 2:
        with single_thread():
            model.fit(final[list(FEATURES)].to_numpy(dtype=float), final["label"].to_numpy())
    else:
        model = _ShareScorer()
    return SupplierRanker(params, model, {k: round(v, 4) for k, v in evaluation.items()})


class _ShareScorer:
    """Fallback without enough labelled lines: the unit's share, then the cheaper offer."""

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        share = np.nan_to_num(x[:, FEATURES.index("unit_share")])
        price = np.nan_to_num(x[:, FEATURES.index("price_ratio")], nan=2.0)
        p = 0.5 * share + 0.5 / np.maximum(price, 1.0) * 0.1
        return np.column_stack([1 - p, p])
