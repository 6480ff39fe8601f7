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

import importlib
from typing import Any

#: public name -> submodule (imported on first use, so ``grouplake --help`` stays fast)
_EXPORTS = {
    "BgNbdFit": "bgnbd",
    "BgNbdParams": "bgnbd",
    "ClvFitError": "errors",
    "ClvInputError": "errors",
    "ClvModelFit": "fit",
    "GammaGammaFit": "gamma_gamma",
    "GammaGammaParams": "gamma_gamma",
    "PERIODS_PER_MONTH": "clv",
    "calibration_and_holdout": "summary",
    "conditional_expected_average_spend": "gamma_gamma",
    "conditional_expected_purchases": "bgnbd",
    "discounted_clv": "clv",
    "expected_purchases_new_customer": "bgnbd",
    "fit_bgnbd": "bgnbd",
    "fit_clv_models": "fit",
    "fit_gamma_gamma": "gamma_gamma",
    "probability_alive": "bgnbd",
    "purchases_column": "clv",
    "score_customers": "clv",
    "summarize_transactions": "summary",
}

__all__ = sorted(_EXPORTS)  # noqa: PLE0605 - the lazy exports are the public names


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
