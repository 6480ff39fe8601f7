"""Historical fallback rules: exact values on small cases, always finite."""

from __future__ import annotations

import numpy as np
import pytest

from models.clv.fallback import (
    historical_average_spend,
    historical_expected_purchases,
    historical_probability_alive,
    historical_rate,
)


def test_probability_alive_uses_own_rate_for_repeaters_and_pooled_rate_for_the_rest():
    # repeaters: 2 purchases over 10 days active (rate 0.2), 4 over 40 (rate 0.1); pooled 6/50
    alive = historical_probability_alive([2, 4, 0], [10.0, 40.0, 0.0], [15.0, 40.0, 5.0])
    assert alive.tolist() == pytest.approx([np.exp(-0.2 * 5), 1.0, np.exp(-6 / 50 * 5)])


def test_no_repeat_buyers_means_no_evidence_of_churn():
    alive = historical_probability_alive([0, 0], [0.0, 0.0], [3.0, 300.0])
    assert alive.tolist() == [1.0, 1.0]
    assert historical_expected_purchases(30.0, [0, 0], [0.0, 0.0], [3.0, 300.0]).tolist() == [0, 0]


def test_rate_and_expected_purchases_handle_zero_age():
    assert historical_rate([0, 3], [0.0, 30.0]).tolist() == [0.0, 0.1]
    expected = historical_expected_purchases(10.0, [0, 3], [0.0, 30.0], [0.0, 30.0])
    assert expected.tolist() == pytest.approx([0.0, 1.0])


def test_average_spend_is_own_for_repeaters_and_their_average_for_the_rest():
    assert historical_average_spend([2, 0, 1], [10.0, 0.0, 0.0]).tolist() == [10.0, 5.0, 0.0]
    assert historical_average_spend([0, 1], [0.0, 0.0]).tolist() == [0.0, 0.0]
    assert historical_average_spend([0, 0], [0.0, 0.0]).tolist() == [0.0, 0.0]
