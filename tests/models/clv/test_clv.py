"""score_customers and discounted CLV: lifetimes agreement on CDNOW, fallbacks, never NaN/inf."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.clv import (
    ClvFitError,
    ClvInputError,
    discounted_clv,
    fit_clv_models,
    purchases_column,
    score_customers,
)
from models.clv.clv import DIAGNOSTIC_COLUMNS

SCORE_COLUMNS = ["p_alive", "expected_purchases_12m", "expected_avg_spend", "clv"]


@pytest.fixture(scope="module")
def cdnow_scores(cdnow_summary: pd.DataFrame) -> pd.DataFrame:
    return score_customers(cdnow_summary, time_unit="weeks")


def test_cdnow_clv_matches_lifetimes(cdnow_summary, cdnow_scores):
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    params = json.loads(cdnow_scores["model_params"].iloc[0])
    bg, gg = params["bgnbd"]["params"], params["gamma_gamma"]["params"]
    bgf, ggf = BetaGeoFitter(), GammaGammaFitter()
    bgf.params_ = pd.Series(bg)
    bgf.predict = bgf.conditional_expected_number_of_purchases_up_to_time  # set by lifetimes' fit()
    ggf.params_ = pd.Series({"p": gg["p"], "q": gg["q"], "v": gg["gamma"]})
    s = cdnow_summary.set_index("customer_id")
    theirs = ggf.customer_lifetime_value(
        bgf, s["frequency"], s["recency"], s["T"], s["monetary_value"],
        time=12, discount_rate=0.01, freq="W",
    )  # fmt: skip
    np.testing.assert_allclose(cdnow_scores["clv"], theirs.to_numpy(), rtol=1e-9)
    horizon = bgf.conditional_expected_number_of_purchases_up_to_time(
        12 * 4.345, s["frequency"], s["recency"], s["T"]
    )
    np.testing.assert_allclose(
        cdnow_scores["expected_purchases_12m"], horizon.to_numpy(), rtol=1e-9
    )


def test_output_shape_and_diagnostics(cdnow_summary, cdnow_scores):
    assert list(cdnow_scores.columns) == ["customer_id", *SCORE_COLUMNS, *DIAGNOSTIC_COLUMNS]
    assert cdnow_scores["customer_id"].tolist() == cdnow_summary["customer_id"].tolist()
    row = cdnow_scores.iloc[0]
    assert row["model"] == "bgnbd+gamma_gamma"
    assert row["bgnbd_converged"] and row["gamma_gamma_converged"]
    assert not row["fallback_used"] and row["fallback_reason"] == ""
    assert row["n_customers"] == 2357
    details = json.loads(row["model_params"])
    assert details["bgnbd"]["params"]["r"] == pytest.approx(0.243, rel=0.01)
    assert details["gamma_gamma"]["frequency_monetary_corr"] == pytest.approx(0.1139, abs=1e-4)
    assert details["time_unit"] == "weeks" and details["periods_per_month"] == 4.345
    # customer 1: 2 repeats, last at 30.43 weeks of 38.86, mean repeat spend 22.35
    first = cdnow_scores.iloc[0]
    assert first["p_alive"] == pytest.approx(0.72661, abs=1e-5)
    assert first["expected_avg_spend"] == pytest.approx(24.6586, abs=1e-4)
    assert first["clv"] == pytest.approx(36.2785, abs=1e-4)
    assert cdnow_scores["clv"].sum() == pytest.approx(71509.9, abs=0.1)


def test_horizon_and_discount_behave(cdnow_summary):
    sample = cdnow_summary.head(300)
    base = score_customers(sample, time_unit="weeks", min_customers=20)
    longer = score_customers(sample, time_unit="weeks", horizon_months=24, min_customers=20)
    undiscounted = score_customers(sample, time_unit="weeks", discount_rate_monthly=0.0)
    assert purchases_column(24) in longer.columns
    assert (longer["clv"] >= base["clv"]).all()
    assert (undiscounted["clv"] >= base["clv"]).all()
    # with no discounting CLV is exactly expected purchases x expected spend
    np.testing.assert_allclose(
        undiscounted["clv"],
        undiscounted["expected_purchases_12m"] * undiscounted["expected_avg_spend"],
        rtol=1e-12,
    )


def test_discounted_clv_by_hand():
    # one purchase a month at 100, 1% a month, 3 months: 100/1.01 + 100/1.01^2 + 100/1.01^3
    value = discounted_clv(lambda t: np.array([t / 30.0]), np.array([100.0]), horizon_months=3)
    assert value[0] == pytest.approx(294.0985, abs=1e-4)


def _summary(frequency, recency, T, monetary) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:03d}" for i in range(len(T))],
            "frequency": frequency,
            "recency": recency,
            "T": T,
            "monetary_value": monetary,
        }
    )


def _assert_clean(scores: pd.DataFrame) -> None:
    values = scores.iloc[:, 1:5].to_numpy(dtype="float64")  # p_alive … clv, any horizon
    assert np.all(np.isfinite(values))
    assert np.all(values >= 0)
    assert np.all(scores["p_alive"] <= 1)
    assert not scores.isna().any().any()
    json.loads(scores["model_params"].iloc[0])


def test_all_one_time_buyers_fall_back_with_zero_clv():
    data = _summary([0] * 40, [0.0] * 40, np.linspace(5, 200, 40), [0.0] * 40)
    scores = score_customers(data)
    _assert_clean(scores)
    assert scores["fallback_used"].all()
    assert scores["model"].iloc[0] == "historical+historical"
    reason = scores["fallback_reason"].iloc[0]
    assert "bgnbd: BG/NBD needs at least 3 repeat buyers" in reason
    assert "gamma_gamma: Gamma-Gamma needs at least 10" in reason
    assert (scores["p_alive"] == 1.0).all()  # no evidence of churn, as BG/NBD for x = 0
    assert (scores["expected_purchases_12m"] == 0).all() and (scores["clv"] == 0).all()
    assert not scores["bgnbd_converged"].any()


def test_zero_spend_falls_back_for_spend_only(cdnow_summary):
    data = cdnow_summary.assign(monetary_value=0.0)
    scores = score_customers(data, time_unit="weeks")
    _assert_clean(scores)
    assert scores["model"].iloc[0] == "bgnbd+historical"
    assert scores["bgnbd_converged"].all() and not scores["gamma_gamma_converged"].any()
    assert (scores["clv"] == 0).all() and (scores["expected_purchases_12m"] > 0).all()


def test_too_few_customers_fall_back_to_history():
    data = _summary([2, 0, 1], [20.0, 0.0, 5.0], [30.0, 10.0, 40.0], [50.0, 0.0, 10.0])
    scores = score_customers(data, horizon_months=1, discount_rate_monthly=0.0)
    _assert_clean(scores)
    assert (
        scores["fallback_reason"]
        .iloc[0]
        .startswith("bgnbd: BG/NBD needs at least 20 customers, got 3")
    )
    # customer 0: own rate 2/20 a day, silent 10 days -> p_alive e^-1; 2/30 a day over 30 days
    assert scores["p_alive"].iloc[0] == pytest.approx(np.exp(-1.0))
    assert scores["expected_purchases_1m"].iloc[0] == pytest.approx(np.exp(-1.0) * 2.0)
    assert scores["expected_avg_spend"].tolist() == [50.0, 30.0, 10.0]
    assert scores["clv"].iloc[0] == pytest.approx(np.exp(-1.0) * 2.0 * 50.0)
    # one-time buyer: pooled active rate 3/25 a day over 10 days of age
    assert scores["p_alive"].iloc[1] == pytest.approx(np.exp(-1.2))
    assert scores["clv"].iloc[1] == 0.0


def test_raise_instead_of_fallback():
    data = _summary([0] * 40, [0.0] * 40, [10.0] * 40, [0.0] * 40)
    with pytest.raises(ClvFitError, match="repeat buyers"):
        score_customers(data, on_degenerate="raise")


def test_empty_summary_gives_an_empty_typed_frame():
    scores = score_customers(_summary([], [], [], []))
    assert scores.empty
    assert list(scores.columns) == ["customer_id", *SCORE_COLUMNS, *DIAGNOSTIC_COLUMNS]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon_months": 0}, "horizon_months must be a whole number"),
        ({"horizon_months": 1.5}, "horizon_months must be a whole number"),
        ({"discount_rate_monthly": -0.1}, "discount_rate_monthly must be in"),
        ({"discount_rate_monthly": float("nan")}, "discount_rate_monthly must be in"),
        ({"time_unit": "months"}, "time_unit must be one of"),
    ],
)
def test_bad_arguments_are_input_errors(kwargs, message):
    data = _summary([1], [1.0], [2.0], [3.0])
    with pytest.raises(ClvInputError, match=message):
        score_customers(data, **kwargs)


def test_missing_monetary_value_is_an_input_error():
    data = _summary([1], [1.0], [2.0], [3.0]).drop(columns="monetary_value")
    with pytest.raises(ClvInputError, match="monetary_value"):
        score_customers(data)


def test_reusing_a_fit_of_another_summary_is_refused(cdnow_summary):
    fitted = fit_clv_models(cdnow_summary)
    with pytest.raises(ClvInputError, match="fitted on 2357 customers"):
        score_customers(cdnow_summary.head(10), fitted=fitted)


@st.composite
def summaries(draw) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=60))
    rows = []
    for _ in range(n):
        T = draw(st.floats(min_value=0.0, max_value=500.0, allow_nan=False))
        x = draw(st.integers(min_value=0, max_value=300)) if T > 0.01 else 0
        recency = draw(st.floats(min_value=0.01, max_value=T)) if x else 0.0
        spend = draw(st.sampled_from([0.0, 1e-3, 25.0, 1e6])) if x else 0.0
        rows.append((x, recency, T, spend))
    frequency, recency, T, monetary = zip(*rows, strict=True)
    return _summary(list(frequency), list(recency), list(T), list(monetary))


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=summaries(), horizon=st.integers(min_value=1, max_value=36))
def test_never_nan_or_inf(data, horizon):
    scores = score_customers(data, horizon_months=horizon, min_customers=5, min_spenders=3)
    assert len(scores) == len(data)
    _assert_clean(scores)
