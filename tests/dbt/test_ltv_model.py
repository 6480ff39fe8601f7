"""The LTV dbt Python model's own logic (fit groups, unit sums, degenerate data), called
directly: dbt unit tests cannot test Python models."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

MODEL = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "intermediate" / "customers" / \
    "int_customers__ltv_scored.py"


@pytest.fixture(scope="module")
def ltv():
    spec = importlib.util.spec_from_file_location("int_customers__ltv_scored", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _orders(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["business_unit_code", "customer_id", "order_date", "order_amount_group"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def test_big_units_get_their_own_fit_and_small_ones_are_pooled(ltv):
    orders = _orders([("A", f"c{i}", "2026-01-01", 1.0) for i in range(3)]
                     + [("B", "x", "2026-01-01", 1.0), ("C", "y", "2026-01-01", 1.0)])
    assert ltv.fit_groups(orders, 3) == [("A", ["A"]), ("POOLED_SMALL_UNITS", ["B", "C"])]
    assert ltv.fit_groups(orders, 1) == [("A", ["A"]), ("B", ["B"]), ("C", ["C"])]


def test_group_value_sums_the_units(ltv):
    units = pd.DataFrame({
        "customer_id": ["c1", "c1", "c2"], "p_alive": [0.5, 0.2, 0.9],
        "expected_purchases": [2.0, 1.0, 0.0], "expected_avg_spend": [10.0, 40.0, 5.0],
        "clv": [20.0, 40.0, 0.0], "fallback_used": [False, True, False],
        "fallback_reason": ["", "gamma_gamma: too few", ""], "bgnbd_converged": [True, True, True],
        "gamma_gamma_converged": [True, False, True], "fitted_on": ["A", "POOLED_SMALL_UNITS", "A"],
    })
    summary = pd.DataFrame({"customer_id": ["c1", "c2"], "frequency": [3.0, 0.0], "recency": [5.0, 0.0],
                            "T": [9.0, 4.0], "monetary_value": [7.0, 0.0]})
    group = ltv.sum_of_units(units, summary).set_index("customer_id")
    assert group.loc["c1", "p_alive"] == pytest.approx(1 - 0.5 * 0.8)
    assert group.loc["c1", "expected_purchases"] == 3.0 and group.loc["c1", "clv"] == 60.0
    assert group.loc["c1", "expected_avg_spend"] == pytest.approx((2 * 10 + 1 * 40) / 3)
    assert group.loc["c2", "expected_avg_spend"] == 5.0  # no expected purchase: mean spend
    assert bool(group.loc["c1", "fallback_used"]) and group.loc["c1", "fallback_reason"] == "gamma_gamma: too few"
    assert group.loc["c1", "fitted_on"] == "A,POOLED_SMALL_UNITS" and set(group["scope"]) == {"GROUP"}


def test_all_one_time_buyers_fall_back_without_nan(ltv):
    orders = _orders([("A", f"c{i}", f"2026-01-{1 + i % 28:02d}", 100.0 + i) for i in range(40)])
    out = ltv.score_all(orders, pd.Timestamp("2026-02-28"), 12, 0.01, 10, "sum_of_units")
    assert len(out) == 80 and set(out["scope"]) == {"A", "GROUP"}
    numeric = out[["p_alive", "expected_purchases", "expected_avg_spend", "clv"]].to_numpy(dtype=float)
    assert np.isfinite(numeric).all()
    assert out["fallback_used"].all() and (out["clv"] == 0).all()
    assert (out.loc[out["scope"] == "A", "model"] == "historical+historical").all()


def test_an_unknown_group_method_is_a_clear_error(ltv):
    orders = _orders([("A", "c1", "2026-01-01", 1.0), ("A", "c1", "2026-01-05", 2.0)])
    with pytest.raises(ValueError, match="ltv_group_method must be sum_of_units or pooled_fit"):
        ltv.score_all(orders, pd.Timestamp("2026-01-31"), 12, 0.01, 10, "median")
