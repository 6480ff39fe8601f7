"""BG/NBD: the published CDNOW fit, agreement with lifetimes, numerics, degenerate data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.clv import (
    BgNbdParams,
    ClvFitError,
    ClvInputError,
    conditional_expected_purchases,
    expected_purchases_new_customer,
    fit_bgnbd,
    probability_alive,
)
from models.clv._quadrature import expected_if_alive

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # Fader, Hardie & Lee 2005


@pytest.fixture(scope="module")
def cdnow_fit(cdnow_summary: pd.DataFrame):
    return fit_bgnbd(cdnow_summary)


@pytest.fixture(scope="module")
def lifetimes_bgnbd(cdnow_fit):
    """lifetimes' BetaGeoFitter carrying *our* parameters, to compare the prediction formulas."""
    from lifetimes import BetaGeoFitter

    fitter = BetaGeoFitter()
    fitter.params_ = pd.Series(
        {
            "r": cdnow_fit.params.r,
            "alpha": cdnow_fit.params.alpha,
            "a": cdnow_fit.params.a,
            "b": cdnow_fit.params.b,
        }
    )
    return fitter


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_cdnow_parameters_match_the_published_fit_within_1_percent(cdnow_fit, name):
    assert getattr(cdnow_fit.params, name) == pytest.approx(PUBLISHED[name], rel=0.01)


def test_cdnow_fit_diagnostics(cdnow_fit):
    assert cdnow_fit.converged
    assert cdnow_fit.n_customers == 2357
    assert cdnow_fit.n_repeat_customers == 946
    assert cdnow_fit.log_likelihood == pytest.approx(
        -9582.4, abs=0.1
    )  # FHL 2005 report LL = -9582.4
    assert set(cdnow_fit.std_errors) == set(PUBLISHED)
    for name, se in cdnow_fit.std_errors.items():
        assert 0 < se < getattr(cdnow_fit.params, name)


def test_fit_matches_lifetimes_own_fit(cdnow_summary, cdnow_fit):
    from lifetimes import BetaGeoFitter

    theirs = BetaGeoFitter().fit(
        cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"]
    )
    for name in PUBLISHED:
        assert getattr(cdnow_fit.params, name) == pytest.approx(theirs.params_[name], rel=1e-4)


def test_predictions_match_lifetimes_on_a_handful_of_customers(
    cdnow_summary, cdnow_fit, lifetimes_bgnbd
):
    rows = cdnow_summary.iloc[[0, 1, 2, 17, 155, 1000, 2356]]
    top = cdnow_summary.nlargest(3, "frequency")
    sample = pd.concat([rows, top])
    x, t_x, T = sample["frequency"], sample["recency"], sample["T"]
    for t in (1.0, 10.0, 39.0, 52.0):
        ours = conditional_expected_purchases(cdnow_fit.params, t, x, t_x, T)
        theirs = lifetimes_bgnbd.conditional_expected_number_of_purchases_up_to_time(t, x, t_x, T)
        np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-9)
    np.testing.assert_allclose(
        probability_alive(cdnow_fit.params, x, t_x, T),
        np.asarray(lifetimes_bgnbd.conditional_probability_alive(x, t_x, T)),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        expected_purchases_new_customer(cdnow_fit.params, [1.0, 39.0, 78.0]),
        np.asarray(
            lifetimes_bgnbd.expected_number_of_purchases_up_to_time(np.array([1.0, 39.0, 78.0]))
        ),
        rtol=1e-9,
    )


def test_published_customer_examples():
    params = BgNbdParams(**PUBLISHED)
    # customer 1 of the sample: 2 repeats, last at 30.43 weeks, age 38.86 weeks
    assert probability_alive(params, [2], [30.43], [38.86])[0] == pytest.approx(0.7266, abs=1e-4)
    assert probability_alive(params, [0], [0.0], [38.86])[0] == 1.0
    assert conditional_expected_purchases(params, 0.0, [2], [30.43], [38.86])[0] == 0.0


@pytest.mark.parametrize(
    "params",
    [
        BgNbdParams(0.243, 4.414, 0.793, 2.426),
        BgNbdParams(5.0, 20.0, 3.0, 50.0),
        BgNbdParams(0.1, 100.0, 0.05, 0.05),
        BgNbdParams(1.0, 30.0, 2.0, 0.3),
    ],
)
def test_closed_form_agrees_with_direct_integration(params):
    cases = [
        (0, 0.0, 10.0, 365.0),
        (3, 2.0, 700.0, 30.0),
        (50, 10.0, 700.0, 365.0),
        (500, 99.0, 100.0, 365.0),
    ]
    for x, t_x, T, t in cases:
        closed = conditional_expected_purchases(params, t, [x], [t_x], [T])[0]
        alive = probability_alive(params, [x], [t_x], [T])[0]
        integrated = expected_if_alive(params.r, params.alpha, params.a, params.b, t, x, T) * alive
        assert closed == pytest.approx(integrated, rel=1e-7, abs=1e-300)


def test_heavy_buyers_stay_finite_where_hyp2f1_fails():
    # scipy's hyp2f1 returns NaN for these (direct and Euler-transformed): quadrature takes over.
    params = BgNbdParams(50.0, 0.5, 10.0, 200.0)
    from scipy.special import hyp2f1

    assert np.isnan(hyp2f1(159.0, 9.0, 209.0, 365.0 / 375.5))
    values = conditional_expected_purchases(
        params, 365.0, [0, 1, 1000], [0.0, 1.0, 700.0], [10.0, 1.0, 730.0]
    )
    assert np.all(np.isfinite(values))
    assert values[0] == pytest.approx(23.2222221440, rel=1e-8)


def test_a_equal_to_one_is_continuous():
    at_one = BgNbdParams(0.5, 10.0, 1.0, 2.0)
    below, above = BgNbdParams(0.5, 10.0, 0.999, 2.0), BgNbdParams(0.5, 10.0, 1.001, 2.0)
    args = (52.0, [0, 4], [0.0, 20.0], [40.0, 40.0])
    mid = conditional_expected_purchases(at_one, *args)
    assert np.all(np.isfinite(mid))
    lo, hi = (
        conditional_expected_purchases(below, *args),
        conditional_expected_purchases(above, *args),
    )
    assert np.all((np.minimum(lo, hi) <= mid) & (mid <= np.maximum(lo, hi)))
    assert np.all(np.isfinite(expected_purchases_new_customer(at_one, [10.0, 100.0])))


def _summary(frequency, recency, T) -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": range(len(T)), "frequency": frequency, "recency": recency, "T": T}
    )


def test_all_one_time_buyers_is_a_clear_fit_error():
    data = _summary([0] * 50, [0.0] * 50, np.linspace(1, 50, 50))
    with pytest.raises(ClvFitError, match="repeat buyers.*got 0 of 50"):
        fit_bgnbd(data)


def test_too_few_customers_is_a_clear_fit_error():
    with pytest.raises(ClvFitError, match="at least 20 customers, got 3"):
        fit_bgnbd(_summary([1, 2, 0], [3.0, 5.0, 0.0], [6.0, 6.0, 6.0]))


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            pd.DataFrame({"customer_id": [1], "frequency": [1], "T": [2.0]}),
            r"missing column\(s\) \['recency'\]",
        ),
        (_summary([1], [np.nan], [2.0]), "recency is null, NaN or infinite"),
        (_summary([1.5], [1.0], [2.0]), "frequency is not a whole number"),
        (_summary([1], [3.0], [2.0]), "recency is greater than T"),
        (_summary([0], [1.0], [2.0]), "not 0 for a one-time buyer"),
        (_summary([1], [1.0], [-2.0]), "T is negative"),
        (_summary(["x"], [1.0], [2.0]), "'frequency' must be numeric"),
    ],
)
def test_bad_summaries_are_input_errors(frame, message):
    with pytest.raises(ClvInputError, match=message):
        fit_bgnbd(frame)


def test_duplicate_customers_are_rejected():
    frame = _summary([1, 1], [1.0, 1.0], [2.0, 2.0])
    frame["customer_id"] = ["a", "a"]
    with pytest.raises(ClvInputError, match="duplicate customer_id"):
        fit_bgnbd(frame)


def test_little_dropout_heterogeneity_uses_gauss_jacobi_and_stays_accurate():
    # a, b in the thousands: hyp2f1 fails for most rows; the Gauss-Jacobi rule takes over.
    from models.clv._quadrature import beta_gauss_nodes
    from models.clv.bgnbd import _bracket_over_a_minus_1

    params = BgNbdParams(0.2, 1.0, 2090.0, 3057.0)
    x, T, t = np.array([0.0, 171.0, 40.0]), np.array([5.0, 855.3, 300.0]), np.full(3, 371.9)
    with np.errstate(all="ignore"):
        assert not np.all(np.isfinite(_bracket_over_a_minus_1(params, params.a, t, x, T)))
    got = conditional_expected_purchases(params, t, x, np.minimum(T, [0.0, 800.0, 250.0]), T)
    alive = probability_alive(params, x, np.minimum(T, [0.0, 800.0, 250.0]), T)
    for i in range(3):  # reference: 256-node rule
        p, w = beta_gauss_nodes(params.a, params.b + x[i], 256)
        g = -np.expm1(-(params.r + x[i]) * np.log1p(p * t[i] / (params.alpha + T[i]))) / p
        assert got[i] == pytest.approx(float(w @ g) * alive[i], rel=1e-9)


def test_homogeneous_buyers_hit_a_bound_and_are_refused():
    # every customer buys exactly every 10 days and never drops out: no heterogeneity to fit
    T = np.arange(30, 330, 10, dtype="float64")
    x = np.floor(T / 10) - 1
    data = _summary(x, x * 10, T)
    with pytest.raises(ClvFitError, match="did not converge"):
        fit_bgnbd(data)
