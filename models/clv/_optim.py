"""Maximum likelihood on log-parameters: multi-start L-BFGS-B, a Nelder-Mead polish, and
standard errors from a finite-difference Hessian.

Both CLV models have strictly positive parameters, so they are optimised on ``log θ``
(unconstrained, better scaled) within wide box bounds; a solution on a bound means the
likelihood runs off to a degenerate limit (the data cannot identify the model) and is
reported as not converged. Standard errors use the delta method:
``se(θ_k) = θ_k · sqrt([H⁻¹]_kk)`` with ``H`` the Hessian of the total negative
log-likelihood in log space.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

#: Box on log-parameters: 1e-8 … 1e8 covers every sensible BG/NBD and Gamma-Gamma fit.
LOG_BOUND = 8.0 * np.log(10.0)
#: A solution closer than this to the box (in log units) is treated as a degenerate limit.
_BOUND_MARGIN = 1e-3
#: Largest gradient of the mean negative log-likelihood (log space) taken as stationary.
_GRAD_TOL = 1e-4


@dataclass(frozen=True)
class OptimResult:
    """Outcome of :func:`maximise`: point estimate, fit quality and uncertainty."""

    params: np.ndarray
    log_likelihood: float
    converged: bool
    message: str
    std_errors: np.ndarray | None


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Central-difference gradient of ``f`` at ``x``."""
    grad = np.empty_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / (2.0 * h)
    return grad


def numerical_hessian(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-4
) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``x`` (symmetric by construction)."""
    n = x.size
    hess = np.empty((n, n))
    f0 = f(x)
    eye = np.eye(n) * h
    for i in range(n):
        hess[i, i] = (f(x + eye[i]) - 2.0 * f0 + f(x - eye[i])) / h**2
        for j in range(i + 1, n):
            value = (
                f(x + eye[i] + eye[j])
                - f(x + eye[i] - eye[j])
                - f(x - eye[i] + eye[j])
                + f(x - eye[i] - eye[j])
            ) / (4.0 * h**2)
            hess[i, j] = hess[j, i] = value
    return hess


def _std_errors(
    total_nll: Callable[[np.ndarray], float], log_params: np.ndarray
) -> np.ndarray | None:
    hess = numerical_hessian(total_nll, log_params)
    if not np.all(np.isfinite(hess)):
        return None
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return None
    variances = np.diag(cov)
    if np.any(variances <= 0) or not np.all(np.isfinite(variances)):
        return None
    return np.exp(log_params) * np.sqrt(variances)


def maximise(
    mean_nll: Callable[[np.ndarray], float],
    starts: Sequence[Sequence[float]],
    n_obs: float,
) -> OptimResult:
    """Maximise a likelihood over positive parameters from several starting points.

    Args:
        mean_nll: mean negative log-likelihood as a function of ``log θ`` (returns ``inf``
            where undefined).
        starts: starting parameter vectors on the natural (positive) scale.
        n_obs: number of observations (turns the mean into the total for the Hessian).

    Returns:
        The best :class:`OptimResult`; ``converged`` is False when no start reached a
        finite stationary point inside the bounds.

    Example:
        >>> r = maximise(lambda z: float(np.sum((z - 1.0) ** 2)), [[1.0, 1.0]], 1)
        >>> np.round(r.params, 4).tolist(), r.converged
        ([2.7183, 2.7183], True)
    """
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(starts[0])
    best = None
    for start in starts:
        x0 = np.log(np.asarray(start, dtype="float64"))
        if not np.isfinite(mean_nll(x0)):
            continue
        res = minimize(
            mean_nll,
            x0,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9},
        )
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
    if best is None:
        return OptimResult(
            np.full(len(starts[0]), np.nan), float("-inf"), False, "no finite starting point", None
        )
    polish = minimize(
        mean_nll,
        best.x,
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000},
    )
    x = polish.x if np.isfinite(polish.fun) and polish.fun <= best.fun else best.x
    fun = float(mean_nll(x))
    grad = numerical_gradient(mean_nll, x)
    on_bound = bool(np.any(np.abs(x) >= LOG_BOUND - _BOUND_MARGIN))
    stationary = bool(np.all(np.isfinite(grad)) and np.max(np.abs(grad)) < _GRAD_TOL)
    converged = stationary and not on_bound
    if on_bound:
        message = "a parameter ran to its bound (the likelihood has no interior maximum)"
    elif not stationary:
        message = f"no stationary point reached (max |gradient| {np.max(np.abs(grad)):.2e})"
    else:
        message = "converged"
    std_errors = _std_errors(lambda z: n_obs * mean_nll(z), x) if converged else None
    return OptimResult(np.exp(x), -fun * n_obs, converged, message, std_errors)
