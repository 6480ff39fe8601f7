"""Gamma-Gamma: published CDNOW fit, lifetimes' predictions, independence, degenerate spend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.clv import (
    ClvFitError,
    ClvInputError,
    GammaGammaParams,
    conditional_expected_average_spend,
    fit_gamma_gamma,
)

PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}  # Fader, Hardie & Lee 2005 (RFM and CLV)


@pytest.fixture(scope="module")
def cdnow_fit(cdnow_summary: pd.DataFrame):
    return fit_gamma_gamma(cdnow_summary)


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_cdnow_parameters_match_the_published_fit_within_1_percent(cdnow_fit, name):
    assert getattr(cdnow_fit.params, name) == pytest.approx(PUBLISHED[name], rel=0.01)


def test_cdnow_fit_diagnostics(cdnow_fit):
    assert cdnow_fit.converged
    assert cdnow_fit.n_customers == 946  # repeat buyers only
    assert cdnow_fit.frequency_monetary_corr == pytest.approx(0.1139, abs=1e-4)  # FHL: 0.11
    assert cdnow_fit.independence_ok
    assert cdnow_fit.params.population_mean_spend == pytest.approx(35.171, abs=1e-3)
    assert all(0 < se for se in cdnow_fit.std_errors.values())


def test_fit_and_predictions_match_lifetimes(cdnow_summary, cdnow_fit):
    from lifetimes import GammaGammaFitter

    repeat = cdnow_summary[cdnow_summary["frequency"] > 0]
    theirs = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    assert cdnow_fit.params.p == pytest.approx(theirs.params_["p"], rel=1e-4)
    assert cdnow_fit.params.q == pytest.approx(theirs.params_["q"], rel=1e-4)
    assert cdnow_fit.params.gamma == pytest.approx(theirs.params_["v"], rel=1e-4)
    theirs.params_ = pd.Series(
        {"p": cdnow_fit.params.p, "q": cdnow_fit.params.q, "v": cdnow_fit.params.gamma}
    )
    sample = cdnow_summary.iloc[[0, 1, 2, 17, 155, 1000]]
    np.testing.assert_allclose(
        conditional_expected_average_spend(
            cdnow_fit.params, sample["frequency"], sample["monetary_value"]
        ),
        np.asarray(
            theirs.conditional_expected_average_profit(
                sample["frequency"], sample["monetary_value"]
            )
        ),
        rtol=1e-12,
    )


def test_one_time_buyers_get_the_population_mean_and_free_repeaters_shrink_to_zero():
    params = GammaGammaParams(6.25, 3.74, 15.44)
    spend = conditional_expected_average_spend(params, [0, 1, 10], [0.0, 0.0, 0.0])
    assert spend[0] == pytest.approx(params.population_mean_spend)
    assert spend[1] == pytest.approx(15.44 * 6.25 / (6.25 + 2.74))
    assert spend[2] < spend[1] < spend[0]


def _spend_summary(frequency, monetary) -> pd.DataFrame:
    n = len(frequency)
    return pd.DataFrame(
        {
            "customer_id": range(n),
            "frequency": frequency,
            "recency": [5.0 if f else 0.0 for f in frequency],
            "T": [10.0] * n,
            "monetary_value": monetary,
        }
    )


def test_zero_spend_everywhere_is_a_clear_fit_error():
    with pytest.raises(ClvFitError, match="monetary_value > 0, got 0"):
        fit_gamma_gamma(_spend_summary([1, 2, 3] * 10, [0.0] * 30))


def test_constant_spend_is_a_clear_fit_error():
    with pytest.raises(ClvFitError, match="same mean spend"):
        fit_gamma_gamma(_spend_summary([1, 2, 3] * 10, [25.0] * 30))


def test_one_time_buyers_and_zero_spenders_are_left_out_of_the_fit():
    rng = np.random.default_rng(7)
    frequency = rng.integers(1, 6, 200)
    monetary = rng.gamma(4.0, 10.0, 200)
    base = fit_gamma_gamma(_spend_summary(frequency, monetary))
    padded = _spend_summary(
        np.r_[frequency, [0] * 50, [2] * 20], np.r_[monetary, [0.0] * 50, [0.0] * 20]
    )
    again = fit_gamma_gamma(padded)
    assert again.n_customers == base.n_customers == 200
    assert again.params == base.params


def test_strong_frequency_spend_correlation_is_flagged():
    # Gamma-Gamma spend whose scale grows with frequency: heavy buyers spend more per order.
    rng = np.random.default_rng(11)
    frequency = rng.integers(1, 15, 300)
    nu = rng.gamma(6.0, 1.0, 300) / frequency  # rate falls as frequency rises
    monetary = np.array([rng.gamma(3.0, 1.0 / v, x).mean() for v, x in zip(nu, frequency)])
    fit = fit_gamma_gamma(_spend_summary(frequency, monetary))
    assert fit.frequency_monetary_corr > 0.5
    assert not fit.independence_ok


def test_negative_spend_is_an_input_error():
    with pytest.raises(ClvInputError, match="monetary_value is negative"):
        fit_gamma_gamma(_spend_summary([1] * 12, [-1.0] + [5.0] * 11))
