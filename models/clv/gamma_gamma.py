"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013 note).

A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, so
the mean spend per transaction is p/ν. Only repeat buyers (x >= 1) with a positive mean
repeat spend ``monetary_value`` inform the fit. The model assumes spend is independent of
purchase frequency: the fit reports the Pearson correlation between ``frequency`` and
``monetary_value`` over those customers (CDNOW: 0.11) and flags it above
``INDEPENDENCE_CORRELATION``. The population mean spend p·γ/(q-1) exists only for q > 1,
so a fit with q <= 1 is refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from models.clv._optim import maximise
from models.clv._validation import validate_summary
from models.clv.errors import ClvFitError

PARAM_NAMES = ("p", "q", "gamma")
#: Fewest repeat buyers with positive spend the fitter accepts.
MIN_SPENDERS = 10
#: |corr(frequency, monetary_value)| above which the independence assumption is flagged.
INDEPENDENCE_CORRELATION = 0.3
#: Coefficient of variation of monetary_value below which spend is treated as constant.
_MIN_SPEND_CV = 1e-6


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters (shape p; ν ~ Gamma(q, gamma))."""

    p: float
    q: float
    gamma: float

    @property
    def population_mean_spend(self) -> float:
        """E[mean spend] over customers, p·γ/(q-1)."""
        return self.p * self.gamma / (self.q - 1.0)


@dataclass(frozen=True)
class GammaGammaFit:
    """A Gamma-Gamma fit with its independence check."""

    params: GammaGammaParams
    log_likelihood: float
    converged: bool
    n_customers: int
    frequency_monetary_corr: float
    independence_ok: bool
    std_errors: dict[str, float] | None
    message: str

    def to_dict(self) -> dict:
        """JSON-ready view (used by the CLI and the mart's diagnostics)."""
        return {
            "params": asdict(self.params),
            "std_errors": self.std_errors,
            "log_likelihood": self.log_likelihood,
            "converged": self.converged,
            "n_customers": self.n_customers,
            "population_mean_spend": self.params.population_mean_spend,
            "frequency_monetary_corr": self.frequency_monetary_corr,
            "independence_ok": self.independence_ok,
            "message": self.message,
        }


def log_likelihood_terms(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer log density of the mean spend ``m`` over ``x`` transactions."""
    p, q, gamma = params
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m * x)
    )


def log_likelihood_gradient(params: np.ndarray, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer gradient of :func:`log_likelihood_terms` in (p, q, gamma), shape (n, 3)."""
    p, q, gamma = params
    px = p * x
    log_tail = np.log(gamma + m * x)
    d_p = x * (digamma(px + q) - digamma(px) + np.log(m) + np.log(x) - log_tail)
    d_q = digamma(px + q) - digamma(q) + np.log(gamma) - log_tail
    d_gamma = q / gamma - (px + q) / (gamma + m * x)
    return np.column_stack([d_p, d_q, d_gamma])


def spenders(summary: pd.DataFrame) -> pd.DataFrame:
    """The rows the Gamma-Gamma model learns from: frequency > 0 and monetary_value > 0."""
    return summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]


def fit_gamma_gamma(summary: pd.DataFrame, *, min_spenders: int = MIN_SPENDERS) -> GammaGammaFit:
    """Fit the Gamma-Gamma spend model by maximum likelihood.

    Args:
        summary: RFM summary with ``monetary_value`` (mean repeat spend, 0 for one-time
            buyers); rows with frequency 0 or zero spend are ignored by the fit.
        min_spenders: fewest repeat buyers with positive spend accepted (at least 2).

    Returns:
        A converged :class:`GammaGammaFit`.

    Raises:
        ClvInputError: malformed summary.
        ClvFitError: fewer than ``min_spenders`` repeat buyers with positive spend, constant
            spend (no heterogeneity to fit), no interior maximum, or q <= 1.

    Example:
        >>> fit = fit_gamma_gamma(summary)                  # doctest: +SKIP
        >>> round(fit.params.p, 2), round(fit.params.q, 2)  # doctest: +SKIP
        (6.25, 3.74)
    """
    clean = spenders(validate_summary(summary, require_monetary=True))
    n = len(clean)
    if n < max(min_spenders, 2):
        raise ClvFitError(
            f"Gamma-Gamma needs at least {max(min_spenders, 2)} repeat buyers with "
            f"monetary_value > 0, got {n}"
        )
    x, m = clean["frequency"].to_numpy(), clean["monetary_value"].to_numpy()
    if np.std(m) <= _MIN_SPEND_CV * np.mean(m):
        raise ClvFitError(
            "every repeat buyer has the same mean spend: Gamma-Gamma has nothing to fit"
        )
    corr = float(np.corrcoef(x, m)[0, 1]) if np.std(x) > 0 else 0.0

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        with np.errstate(over="ignore", invalid="ignore"):
            value = -float(np.mean(log_likelihood_terms(params, x, m)))
            grad = -np.mean(log_likelihood_gradient(params, x, m), axis=0) * params
        if not (np.isfinite(value) and np.all(np.isfinite(grad))):
            return np.inf, np.zeros_like(log_params)
        return value, grad

    mean_m = float(np.mean(m))
    starts = [(1.0, 1.0, 1.0)] + [
        (p0, q0, mean_m * (q0 - 1.0) / p0) for p0, q0 in ((1.0, 3.0), (5.0, 3.0), (2.0, 10.0))
    ]
    result = maximise(objective, starts, float(n))
    if not result.converged:
        raise ClvFitError(f"Gamma-Gamma fit did not converge: {result.message}")
    params = GammaGammaParams(*(float(v) for v in result.params))
    if params.q <= 1.0:
        raise ClvFitError(
            f"Gamma-Gamma fit gives q = {params.q:.4g} <= 1: mean spend has no finite "
            "population mean (spend is too heavy-tailed for the model)"
        )
    errors = (
        None
        if result.std_errors is None
        else dict(zip(PARAM_NAMES, map(float, result.std_errors), strict=True))
    )
    return GammaGammaFit(
        params,
        result.log_likelihood,
        True,
        n,
        corr,
        abs(corr) <= INDEPENDENCE_CORRELATION,
        errors,
        result.message,
    )


def conditional_expected_average_spend(
    params: GammaGammaParams, frequency, monetary_value
) -> np.ndarray:
    """E[mean spend | x, m]: a credibility blend of the population and the customer's mean.

    ``(γ + m x) p / (p x + q - 1)``, i.e. weight ``p x / (p x + q - 1)`` on the customer's
    ``m`` (as lifetimes' ``conditional_expected_average_profit``). One-time buyers (x = 0)
    get the population mean p·γ/(q-1); a repeat buyer whose repeat purchases were all free
    (m = 0, left out of the fit) is shrunk towards 0 by the same formula.

    Example:
        >>> g = GammaGammaParams(6.25, 3.74, 15.44)
        >>> spend = conditional_expected_average_spend(g, [0, 2, 2], [0.0, 22.35, 0.0])
        >>> np.round(spend, 2).tolist()
        [35.22, 24.66, 6.33]
    """
    x = np.asarray(frequency, dtype="float64")
    m = np.asarray(monetary_value, dtype="float64")
    return (params.gamma + m * x) * params.p / (params.p * x + params.q - 1.0)
