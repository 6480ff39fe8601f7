"""Parameter recovery: data simulated from known BG/NBD x Gamma-Gamma parameters are fitted back."""

from __future__ import annotations

import pytest

from models.clv import fit_clv_models, score_customers
from tests.models.clv.simulate import simulate_summary

TRUTH = {"r": 0.5, "alpha": 10.0, "a": 0.8, "b": 3.0, "p": 5.0, "q": 4.0, "gamma": 20.0}


@pytest.fixture(scope="module")
def simulated():
    return simulate_summary(3000, max_age=60.0, seed=7, **TRUTH)


def test_fitted_parameters_are_within_three_standard_errors_of_the_truth(simulated):
    fit = fit_clv_models(simulated)
    assert not fit.fallback_used
    estimates = {**vars(fit.bgnbd.params), **vars(fit.gamma_gamma.params)}
    errors = {**fit.bgnbd.std_errors, **fit.gamma_gamma.std_errors}
    for name, true_value in TRUTH.items():
        assert abs(estimates[name] - true_value) < 3 * errors[name], name
    # the simulator draws spend independently of frequency
    assert fit.gamma_gamma.independence_ok


def test_scores_are_deterministic_for_a_seed(simulated):
    first = score_customers(simulated, time_unit="weeks")
    again = score_customers(
        simulate_summary(3000, max_age=60.0, seed=7, **TRUTH), time_unit="weeks"
    )
    assert first.equals(again)
