"""BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each
repeat purchase they drop out with probability p ~ Beta(a, b). Fitted by maximum likelihood
on an RFM summary (``frequency`` x, ``recency`` t_x, ``T``), all in one time unit; the
predictions are in that same unit.

Numerics: the likelihood is evaluated in log space (``gammaln``, ``betaln``,
``logaddexp``); identical (x, t_x, T) rows are collapsed with weights, so the cost scales
with distinct summaries, not customers; the gradient is analytic. The conditional
expectation uses Gauss's hypergeometric function (FHL eq. 10) after Euler's
transformation, which keeps heavy buyers finite; its ``(a-1)`` denominator has a removable
singularity at a = 1, bridged by averaging a ± 1e-6. Values that are not finite or break
``0 <= E <= (r+x) t / (α+T)`` are recomputed by numerical integration
(:mod:`models.clv._quadrature`), which matters when a and b reach the hundreds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from models.clv._optim import maximise
from models.clv._quadrature import expected_if_alive, expected_if_alive_gauss
from models.clv._validation import validate_summary
from models.clv.errors import ClvFitError

PARAM_NAMES = ("r", "alpha", "a", "b")
#: Fewest customers, and fewest repeat buyers, the fitter accepts.
MIN_CUSTOMERS = 20
MIN_REPEAT_CUSTOMERS = 3
_A_ONE_GAP = 1e-6


@dataclass(frozen=True)
class BgNbdParams:
    """Fitted BG/NBD parameters (λ ~ Gamma(r, alpha), p ~ Beta(a, b))."""

    r: float
    alpha: float
    a: float
    b: float

    def as_array(self) -> np.ndarray:
        return np.array([self.r, self.alpha, self.a, self.b], dtype="float64")


@dataclass(frozen=True)
class BgNbdFit:
    """A BG/NBD fit: parameters, log-likelihood, convergence and Hessian standard errors."""

    params: BgNbdParams
    log_likelihood: float
    converged: bool
    n_customers: int
    n_repeat_customers: int
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
            "n_repeat_customers": self.n_repeat_customers,
            "message": self.message,
        }


def _log_terms(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray):
    """Common part, 'still alive at T' and 'dropped after the last purchase' log terms."""
    r, alpha, a, b = params
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    survived = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1.0, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return common, survived, dropped


def log_likelihood_terms(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (FHL 2005 eq. 6) for ``params = (r, alpha, a, b)``."""
    common, survived, dropped = _log_terms(params, x, t_x, T)
    return common + np.logaddexp(survived, dropped)


def log_likelihood_gradient(
    params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-customer gradient of :func:`log_likelihood_terms` in (r, alpha, a, b), shape (n, 4)."""
    r, alpha, a, b = params
    _, survived, dropped = _log_terms(params, x, t_x, T)
    w_alive = expit(survived - dropped)  # weight of the "still alive" branch (1 when x = 0)
    w_dropped = 1.0 - w_alive
    b_x1 = np.where(x > 0, b + x - 1.0, 1.0)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha)
    d_r -= w_alive * np.log(alpha + T) + w_dropped * np.log(alpha + t_x)
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + T) + w_dropped / (alpha + t_x))
    d_a = digamma(a + b) - digamma(a + b + x) + w_dropped / a
    d_b = digamma(b + x) - digamma(a + b + x) - digamma(b) + digamma(a + b) - w_dropped / b_x1
    return np.column_stack([d_r, d_alpha, d_a, d_b])


def _arrays(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (summary["frequency"].to_numpy(), summary["recency"].to_numpy(), summary["T"].to_numpy())


def fit_bgnbd(
    summary: pd.DataFrame,
    *,
    min_customers: int = MIN_CUSTOMERS,
    min_repeat_customers: int = MIN_REPEAT_CUSTOMERS,
) -> BgNbdFit:
    """Fit the BG/NBD model by maximum likelihood.

    Args:
        summary: RFM summary with ``customer_id, frequency, recency, T`` (one time unit).
        min_customers: fewest customers accepted.
        min_repeat_customers: fewest repeat buyers (frequency > 0) accepted.

    Returns:
        A converged :class:`BgNbdFit`.

    Raises:
        ClvInputError: malformed summary.
        ClvFitError: fewer than ``min_customers`` customers or ``min_repeat_customers``
            repeat buyers (e.g. all one-time buyers: the likelihood then has no maximum),
            or the optimiser found no interior maximum.

    Example:
        >>> fit = fit_bgnbd(summary)            # doctest: +SKIP
        >>> fit.params.r, fit.params.alpha      # doctest: +SKIP
        (0.2426, 4.4135)
    """
    clean = validate_summary(summary)
    x, t_x, T = _arrays(clean)
    n, n_repeat = len(clean), int(np.sum(x > 0))
    if n < min_customers:
        raise ClvFitError(f"BG/NBD needs at least {min_customers} customers, got {n}")
    if n_repeat < max(min_repeat_customers, 1):
        raise ClvFitError(
            f"BG/NBD needs at least {max(min_repeat_customers, 1)} repeat buyers (frequency > 0), "
            f"got {n_repeat} of {n} customers: without repeat purchases the purchase rate and "
            "dropout are not identifiable"
        )
    rows, weights = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
    ux, ut, uT = rows[:, 0], rows[:, 1], rows[:, 2]
    w = weights / weights.sum()

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        with np.errstate(over="ignore", invalid="ignore"):
            value = -float(np.dot(w, log_likelihood_terms(params, ux, ut, uT)))
            grad = -(w @ log_likelihood_gradient(params, ux, ut, uT)) * params
        if not (np.isfinite(value) and np.all(np.isfinite(grad))):
            return np.inf, np.zeros_like(log_params)
        return value, grad

    rate = max(float(x.sum() / T.sum()), 1e-6)
    starts = [
        (1.0, 1.0, 1.0, 1.0),
        (0.5, 0.5 / rate, 0.5, 2.0),
        (1.0, 1.0 / rate, 1.0, 5.0),
        (2.0, 2.0 / rate, 2.0, 2.0),
    ]
    result = maximise(objective, starts, float(n))
    if not result.converged:
        raise ClvFitError(f"BG/NBD fit did not converge: {result.message}")
    params = BgNbdParams(*(float(v) for v in result.params))
    errors = (
        None
        if result.std_errors is None
        else dict(zip(PARAM_NAMES, map(float, result.std_errors), strict=True))
    )
    return BgNbdFit(params, result.log_likelihood, True, n, n_repeat, errors, result.message)


def probability_alive(params: BgNbdParams, frequency, recency, T) -> np.ndarray:
    """P(alive at T | x, t_x, T) (FHL 2005 eq. 8; 1 for one-time buyers by construction).

    Example:
        >>> p = BgNbdParams(0.243, 4.414, 0.793, 2.426)
        >>> float(np.round(probability_alive(p, [2], [30.43], [38.86])[0], 4))
        0.7266
    """
    x, t_x, T = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
    r, alpha, a, b = params.as_array()
    with np.errstate(divide="ignore"):
        log_odds_dead = (
            np.log(a)
            - np.log(np.maximum(b + x - 1.0, 1e-300))
            + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        )
    return np.where(x > 0, expit(-log_odds_dead), 1.0)


def _bracket_over_a_minus_1(params: BgNbdParams, a: float, t, x, T) -> np.ndarray:
    """(a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x-1; z)], z = t/(α+T+t).

    Evaluated after Euler's transformation 2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z),
    which turns the bracket into ``1 - (1-z)^(a-1) · 2F1(a+b-1-r, a-1; a+b+x-1; z)``: the
    upper parameters no longer grow with x, so heavy buyers neither overflow nor lose
    precision (the direct form gives NaN from about x = 300).
    """
    r, alpha, b = params.r, params.alpha, params.b
    z = t / (alpha + T + t)
    log_one_minus_z = np.log(alpha + T) - np.log(alpha + T + t)
    c = a + b + x - 1.0
    bracket = 1.0 - np.exp((a - 1.0) * log_one_minus_z) * hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
    return c / (a - 1.0) * bracket


def _integrate(params: BgNbdParams, t: np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Numerical integration for the rows the closed form got wrong (see ``_quadrature``)."""
    r, alpha, a, b = (float(v) for v in params.as_array())
    out = np.full(t.shape, np.nan)
    if a >= 1.0:
        for value in np.unique(x[b + x >= 1.0]):
            rows = x == value
            out[rows] = expected_if_alive_gauss(r, alpha, a, b, t[rows], value, T[rows])
    cache: dict[tuple[float, float, float], float] = {}
    for i in np.flatnonzero(~np.isfinite(out)):
        key = (float(t[i]), float(x[i]), float(T[i]))
        if key not in cache:
            cache[key] = expected_if_alive(r, alpha, a, b, *key)
        out[i] = cache[key]
    return out


def _expected_if_alive(params: BgNbdParams, t, x, T) -> np.ndarray:
    """Expected purchases in (T, T+t] given alive: closed form, quadrature where it fails.

    A closed-form value that is not finite or breaks the bounds ``0 <= E <= (r+x) t / (α+T)``
    (the expectation with no dropout at all) is recomputed by direct integration.
    """
    t, x, T = np.broadcast_arrays(*(np.asarray(v, dtype="float64") for v in (t, x, T)))
    with np.errstate(all="ignore"):
        if abs(params.a - 1.0) < _A_ONE_GAP:
            lo = _bracket_over_a_minus_1(params, 1.0 - _A_ONE_GAP, t, x, T)
            hi = _bracket_over_a_minus_1(params, 1.0 + _A_ONE_GAP, t, x, T)
            out = 0.5 * (lo + hi)
        else:
            out = _bracket_over_a_minus_1(params, params.a, t, x, T)
        ceiling = (params.r + x) * t / (params.alpha + T)
        suspect = ~np.isfinite(out) | (out < -1e-12 * ceiling) | (out > ceiling * (1 + 1e-9))
    if suspect.any():
        out = np.array(out, dtype="float64")
        out[suspect] = _integrate(params, t[suspect], x[suspect], T[suspect])
    return np.clip(out, 0.0, None)


def conditional_expected_purchases(params: BgNbdParams, t, frequency, recency, T) -> np.ndarray:
    """Expected repeat purchases in (T, T + t] given (x, t_x, T) (FHL 2005 eq. 10).

    Args:
        params: fitted parameters.
        t: horizon in the summary's time unit (scalar or per customer, >= 0).
        frequency, recency, T: the customers' summary (array-likes of equal length).

    Returns:
        Array of expected purchases (0 at ``t = 0``).

    Example:
        >>> p = BgNbdParams(0.243, 4.414, 0.793, 2.426)
        >>> float(np.round(conditional_expected_purchases(p, 39, [2], [30.43], [38.86])[0], 3))
        1.226
    """
    x, t_x, T = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
    t = np.broadcast_to(np.asarray(t, dtype="float64"), x.shape)
    out = _expected_if_alive(params, t, x, T) * probability_alive(params, x, t_x, T)
    return np.where(t > 0, out, 0.0)


def expected_purchases_new_customer(params: BgNbdParams, t) -> np.ndarray:
    """E[X(t)]: expected repeat purchases in (0, t] of a customer just acquired (FHL 2005 eq. 9)."""
    t = np.asarray(t, dtype="float64")
    zeros = np.zeros_like(t)
    return np.where(t > 0, _expected_if_alive(params, t, zeros, zeros), 0.0)
