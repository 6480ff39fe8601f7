"""Measured uplift of a benefit campaign: repurchase rate per segment, treated vs holdout.

A campaign (a coupon sent to some segments) keeps a random *holdout* of the targeted
customers who receive nothing. Per segment and overall, :func:`uplift_by_segment` reports
the repurchase rate *before* the campaign (both arms untreated: a balance check) and
*after* it, treated vs holdout, and the uplift as an A/B test: the difference of the two
after-rates with a normal (Wald) confidence interval for a difference of two proportions,
``p_t - p_h ± z · sqrt(p_t(1-p_t)/n_t + p_h(1-p_h)/n_h)``. The difference-in-differences
(after − before, treated minus holdout) is shown beside it; the headline is the A/B
difference, which randomisation makes unbiased. Input is one row per targeted customer:
``segment``, ``arm`` (``treated`` | ``holdout``), ``before`` and ``after`` (0/1: bought in the
window before / after the campaign), whatever produced them (the demo's response model,
``demo/campaign.py``, or real orders).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from statistics import NormalDist

import pandas as pd

ALL = "ALL"


@dataclass(frozen=True)
class Uplift:
    """One segment's (or ``ALL``'s) rates and uplift."""

    segment: str
    n_treated: int
    n_holdout: int
    before_treated: float
    before_holdout: float
    after_treated: float
    after_holdout: float
    uplift: float
    ci_low: float
    ci_high: float
    diff_in_diff: float

    def covers(self, value: float) -> bool:
        """Whether the interval contains ``value``."""
        return self.ci_low <= value <= self.ci_high


def two_proportion_ci(x_t: int, n_t: int, x_h: int, n_h: int, confidence: float = 0.95
                      ) -> tuple[float, float, float]:
    """``(p_t - p_h, low, high)``: the difference of two proportions and its Wald interval.

    Example:
        >>> d, lo, hi = two_proportion_ci(60, 200, 40, 200)
        >>> round(d, 3), round(lo, 4), round(hi, 4)
        (0.1, 0.0157, 0.1843)
    """
    if n_t <= 0 or n_h <= 0:
        raise ValueError("both arms need at least one customer")
    p_t, p_h = x_t / n_t, x_h / n_h
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    half = z * math.sqrt(p_t * (1 - p_t) / n_t + p_h * (1 - p_h) / n_h)
    return p_t - p_h, p_t - p_h - half, p_t - p_h + half


def _one(segment: str, frame: pd.DataFrame, confidence: float) -> Uplift:
    treated, holdout = frame[frame["arm"] == "treated"], frame[frame["arm"] == "holdout"]
    diff, low, high = two_proportion_ci(int(treated["after"].sum()), len(treated), int(holdout["after"].sum()),
                                        len(holdout), confidence)
    before_t, before_h = float(treated["before"].mean()), float(holdout["before"].mean())
    return Uplift(segment, len(treated), len(holdout), before_t, before_h, float(treated["after"].mean()),
                  float(holdout["after"].mean()), diff, low, high, diff - (before_t - before_h))


def uplift_by_segment(frame: pd.DataFrame, confidence: float = 0.95) -> list[Uplift]:
    """Rates and uplift per segment (sorted), then ``ALL``; segments lacking an arm are skipped.

    Args:
        frame: one row per targeted customer: ``segment``, ``arm``, ``before``, ``after``.
    """
    rows = []
    for segment, part in sorted(frame.groupby("segment"), key=lambda item: str(item[0])):
        if part["arm"].nunique() == 2:
            rows.append(_one(str(segment), part, confidence))
    if frame["arm"].nunique() == 2:
        rows.append(_one(ALL, frame, confidence))
    return rows


def as_frame(rows: list[Uplift]) -> pd.DataFrame:
    """The report as a table (one row per segment, ``ALL`` last)."""
    return pd.DataFrame([asdict(r) for r in rows])
