"""Fit both CLV models at once, turning "cannot fit" into a recorded fallback reason.

:func:`fit_clv_models` validates the summary once (bad input still raises
:class:`ClvInputError`), then fits BG/NBD and Gamma-Gamma independently: a
:class:`ClvFitError` from either is kept as that model's ``error`` so the caller can use the
historical fallback for that half only. The CLI and :func:`models.clv.score_customers` share it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from models.clv._validation import validate_summary
from models.clv.bgnbd import MIN_CUSTOMERS, BgNbdFit, fit_bgnbd
from models.clv.errors import ClvFitError
from models.clv.gamma_gamma import MIN_SPENDERS, GammaGammaFit, fit_gamma_gamma


@dataclass(frozen=True)
class ClvModelFit:
    """Both fits (``None`` where the model could not be fitted, with the reason)."""

    bgnbd: BgNbdFit | None
    gamma_gamma: GammaGammaFit | None
    n_customers: int
    n_repeat_customers: int
    bgnbd_error: str | None = None
    gamma_gamma_error: str | None = None

    @property
    def fallback_used(self) -> bool:
        """Whether either half falls back to the historical rules."""
        return self.bgnbd is None or self.gamma_gamma is None

    @property
    def fallback_reason(self) -> str:
        """Why, as ``"bgnbd: …; gamma_gamma: …"`` ("" when both models fitted)."""
        parts = []
        if self.bgnbd_error:
            parts.append(f"bgnbd: {self.bgnbd_error}")
        if self.gamma_gamma_error:
            parts.append(f"gamma_gamma: {self.gamma_gamma_error}")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        """JSON-ready view: each model's parameters, likelihood, convergence, or its error."""
        return {
            "n_customers": self.n_customers,
            "n_repeat_customers": self.n_repeat_customers,
            "bgnbd": self.bgnbd.to_dict()
            if self.bgnbd
            else {"converged": False, "error": self.bgnbd_error},
            "gamma_gamma": (
                self.gamma_gamma.to_dict()
                if self.gamma_gamma
                else {"converged": False, "error": self.gamma_gamma_error}
            ),
            "fallback_used": self.fallback_used,
            "fallback_reason": self.fallback_reason,
        }


def fit_clv_models(
    summary: pd.DataFrame, *, min_customers: int = MIN_CUSTOMERS, min_spenders: int = MIN_SPENDERS
) -> ClvModelFit:
    """Fit BG/NBD (purchases) and Gamma-Gamma (spend) to an RFM summary.

    Args:
        summary: ``customer_id, frequency, recency, T, monetary_value`` (see
            :func:`models.clv.summarize_transactions`).
        min_customers: fewest customers for BG/NBD.
        min_spenders: fewest repeat buyers with positive spend for Gamma-Gamma.

    Returns:
        A :class:`ClvModelFit`; a model that cannot be fitted is ``None`` with its error.

    Raises:
        ClvInputError: the summary is malformed.

    Example:
        >>> fit = fit_clv_models(summary)               # doctest: +SKIP
        >>> fit.bgnbd.params.r, fit.fallback_used       # doctest: +SKIP
        (0.2426, False)
    """
    clean = validate_summary(summary, require_monetary=True)
    n_repeat = int((clean["frequency"] > 0).sum())
    bgnbd = gamma_gamma = None
    bgnbd_error = gamma_gamma_error = None
    try:
        bgnbd = fit_bgnbd(clean, min_customers=min_customers)
    except ClvFitError as exc:
        bgnbd_error = str(exc)
    try:
        gamma_gamma = fit_gamma_gamma(clean, min_spenders=min_spenders)
    except ClvFitError as exc:
        gamma_gamma_error = str(exc)
    return ClvModelFit(bgnbd, gamma_gamma, len(clean), n_repeat, bgnbd_error, gamma_gamma_error)
