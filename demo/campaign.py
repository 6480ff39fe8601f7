"""How the demo's customers respond to a benefit campaign: a documented, seeded response model.

The campaign: the unit's benefit policy sends a coupon to the segments in ``TARGETED``; a
random ``holdout_share`` of those customers (drawn per customer, seeded) receives nothing.
Each customer then repurchases, or not, in the ``window_days`` before and after the
campaign. The model (all of it is here, nothing else is assumed):

* **baseline** — a customer's repurchase probability in a window of ``W`` days follows its
  buying process as the lake sees it (``gold.customer_rfm``): rate ``λ = frequency /
  horizon_days`` orders a day, still active with probability ``exp(-recency_days /
  horizon_days)``, so ``p0 = exp(-recency/H) · (1 - exp(-λ·W))``; the same before and after.
* **coupon** — a treated customer's probability after the campaign is ``p1 = p0 + (1 - p0)
  · lift[segment]``: the coupon converts a share ``lift`` of those who would not have
  bought (``LIFT``: larger for customers slipping away, smaller for champions).
* **outcomes** — Bernoulli draws from a generator seeded by ``(seed, "campaign")``.

The true effect of a segment is the mean of ``p1 - p0`` over its customers (reported as
``true_uplift``): what :func:`models.uplift.uplift_by_segment` should recover from the outcomes
alone, within its interval. Nothing here feeds the demo's order history (the demo build is
unchanged): the campaign is simulated over the customers and segments the lake holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from demo.rng import substream

#: Segments the demo campaign's coupon goes to (the policy's ``campaigns`` of these segments).
TARGETED = ("need_attention", "about_to_sleep", "cannot_lose", "at_risk", "hibernating")
#: Share of non-buyers a coupon converts, per segment.
LIFT: Mapping[str, float] = {
    "champions": 0.02, "loyal": 0.03, "potential_loyalists": 0.05, "new_customers": 0.06, "promising": 0.06,
    "need_attention": 0.08, "about_to_sleep": 0.10, "cannot_lose": 0.15, "at_risk": 0.12, "hibernating": 0.06,
    "lost": 0.02,
}


@dataclass(frozen=True)
class ResponseModel:
    """The response model's parameters (see the module doc)."""

    window_days: int = 90
    horizon_days: int = 365
    lift: Mapping[str, float] = field(default_factory=lambda: dict(LIFT))

    def base_probability(self, frequency: np.ndarray, recency_days: np.ndarray) -> np.ndarray:
        """``p0``: repurchase in a window without the coupon."""
        rate = np.asarray(frequency, dtype=float) / self.horizon_days
        active = np.exp(-np.asarray(recency_days, dtype=float) / self.horizon_days)
        return active * (1.0 - np.exp(-rate * self.window_days))

    def treated_probability(self, p0: np.ndarray, segments: Sequence[str]) -> np.ndarray:
        """``p1``: repurchase in a window with the coupon."""
        lift = np.array([self.lift.get(s, 0.0) for s in segments])
        return p0 + (1.0 - p0) * lift


def simulate_campaign(customers: pd.DataFrame, seed: int, *, holdout_share: float = 0.2,
                      model: ResponseModel | None = None, targeted: Sequence[str] = TARGETED) -> pd.DataFrame:
    """One campaign over ``customers`` (``customer_id``, ``segment``, ``frequency``,
    ``recency_days``): the targeted ones, their arm and outcomes.

    Returns:
        One row per targeted customer: ``customer_id``, ``segment``, ``arm``, ``p_before``,
        ``p_after`` (its probabilities), ``before``, ``after`` (0/1 outcomes).
    """
    model = model or ResponseModel()
    rng = substream(seed, "campaign")
    frame = customers[customers["segment"].isin(targeted)].sort_values("customer_id").reset_index(drop=True)
    n = len(frame)
    arm = np.where(rng.random(n) < holdout_share, "holdout", "treated")
    p0 = model.base_probability(frame["frequency"].to_numpy(), frame["recency_days"].to_numpy())
    p1 = model.treated_probability(p0, frame["segment"].tolist())
    p_after = np.where(arm == "treated", p1, p0)
    before = (rng.random(n) < p0).astype(int)
    after = (rng.random(n) < p_after).astype(int)
    return pd.DataFrame({"customer_id": frame["customer_id"], "segment": frame["segment"], "arm": arm,
                         "p_before": p0, "p_after": p_after, "p_treated": p1, "before": before, "after": after})


def true_uplift(campaign: pd.DataFrame) -> dict[str, float]:
    """The model's true effect per segment and ``ALL``: mean of ``p1 - p0`` over its customers."""
    effect = campaign["p_treated"] - campaign["p_before"]
    truth = {str(s): float(v) for s, v in effect.groupby(campaign["segment"]).mean().items()}
    return {**truth, "ALL": float(effect.mean())}


def synthetic_customers(n: int, seed: int, segments: Sequence[str] = TARGETED) -> pd.DataFrame:
    """A seeded population shaped like ``gold.customer_rfm`` rows (for tests and for a lake
    without segments): gamma-distributed yearly order counts, exponential recency."""
    rng = substream(seed, "campaign-customers")
    return pd.DataFrame({
        "customer_id": [f"SYN-{i:06d}" for i in range(n)],
        "segment": np.array(segments, dtype=object)[rng.integers(0, len(segments), n)],
        "frequency": rng.gamma(2.0, 2.0, n).round().astype(int) + 1,
        "recency_days": rng.exponential(120.0, n).round().astype(int),
    })


def customers_from_lake(sql: Callable[[str], pd.DataFrame], scope: str = "GROUP") -> pd.DataFrame:
    """The lake's customers and segments (``gold.customer_rfm`` of ``scope``, a unit code or
    ``GROUP``); ``sql`` runs a query over the lake (``grouplake sql`` names) into pandas."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", scope):
        raise ValueError(f"not a scope: {scope!r}")
    return sql("SELECT customer_id, segment, frequency, recency_days FROM gold.customer_rfm "
               f"WHERE scope = '{scope}' ORDER BY customer_id")
