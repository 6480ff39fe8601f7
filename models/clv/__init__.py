"""Customer lifetime value: BG/NBD purchases x Gamma-Gamma spend, fitted by maximum likelihood.

The public surface (see each module for the maths and conventions)::

    summary = summarize_transactions(transactions, observation_end="2024-12-31")
    scores = score_customers(summary, horizon_months=12, discount_rate_monthly=0.01)

``summarize_transactions`` builds the RFM summary, ``fit_bgnbd`` / ``fit_gamma_gamma`` fit the
models, ``probability_alive`` / ``conditional_expected_purchases`` /
``conditional_expected_average_spend`` / ``discounted_clv`` predict, and ``score_customers``
does all of it with documented fallbacks for degenerate data (``models.clv.fallback``).
No ``lifetimes`` import here: it is a test-only reference.
"""

from models.clv.bgnbd import (
    BgNbdFit,
    BgNbdParams,
    conditional_expected_purchases,
    expected_purchases_new_customer,
    fit_bgnbd,
    probability_alive,
)
from models.clv.clv import PERIODS_PER_MONTH, discounted_clv, purchases_column, score_customers
from models.clv.errors import ClvFitError, ClvInputError
from models.clv.fit import ClvModelFit, fit_clv_models
from models.clv.gamma_gamma import (
    GammaGammaFit,
    GammaGammaParams,
    conditional_expected_average_spend,
    fit_gamma_gamma,
)
from models.clv.summary import calibration_and_holdout, summarize_transactions

__all__ = [
    "PERIODS_PER_MONTH",
    "BgNbdFit",
    "BgNbdParams",
    "ClvFitError",
    "ClvInputError",
    "ClvModelFit",
    "GammaGammaFit",
    "GammaGammaParams",
    "calibration_and_holdout",
    "conditional_expected_average_spend",
    "conditional_expected_purchases",
    "discounted_clv",
    "expected_purchases_new_customer",
    "fit_bgnbd",
    "fit_clv_models",
    "fit_gamma_gamma",
    "probability_alive",
    "purchases_column",
    "score_customers",
    "summarize_transactions",
]
