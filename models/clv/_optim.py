"""Maximum likelihood on log-parameters: multi-start L-BFGS-B with analytic gradients, and
standard errors from the Hessian.

Both CLV models have strictly positive parameters, so they are optimised on ``log θ``
(unconstrained, better scaled) within wide box bounds; a solution on a bound means the
likelihood runs off to a degenerate limit (e.g. no heterogeneity in purchase rates, so
r, α → ∞) and is reported as not converged. Standard errors use the delta method,
``se(θ_k) = θ_k · sqrt([H⁻¹]_kk)``, with ``H`` the Hessian of the total negative
log-likelihood in log space, from central differences of the analytic gradient.

L-BFGS-B makes many tiny BLAS calls; a multi-threaded OpenBLAS spends most of its time
waking threads for them (8x slower on two cores), so the optimisation runs with BLAS
limited to one thread (``threadpoolctl``, already locked as a scikit-learn dependency).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

#: ``log θ -> (mean negative log-likelihood, its gradient in log θ)``; ``inf`` where undefined.
Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]

#: Box on log-parameters: 1e-8 … 1e8 covers every sensible BG/NBD and Gamma-Gamma fit.
LOG_BOUND = 8.0 * np.log(10.0)
#: A solution closer than this to the box (in log units) is treated as a degenerate limit.
_BOUND_MARGIN = 1e-2
#: Largest gradient of the mean negative log-likelihood (log space) taken as stationary.
_GRAD_TOL = 1e-5


@dataclass(frozen=True)
class OptimResult:
    """Outcome of :func:`maximise`: point estimate, fit quality and uncertainty."""

    params: np.ndarray
    log_likelihood: float
    converged: bool
    message: str
    std_errors: np.ndarray | None


def hessian_from_gradient(objective: Objective, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences of the analytic gradient, symmetrised."""
    n = x.size
    hess = np.empty((n, n))
    for i in range(n):
        step = np.zeros(n)
        step[i] = h
        hess[i] = (objective(x + step)[1] - objective(x - step)[1]) / (2.0 * h)
    return 0.5 * (hess + hess.T)


def _std_errors(objective: Objective, log_params: np.ndarray, n_obs: float) -> np.ndarray | None:
    hess = n_obs * hessian_from_gradient(objective, log_params)
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


def maximise(objective: Objective, starts: Sequence[Sequence[float]], n_obs: float) -> OptimResult:
    """Maximise a likelihood over positive parameters from several starting points.

    Args:
        objective: mean negative log-likelihood and its gradient, as functions of ``log θ``.
        starts: starting parameter vectors on the natural (positive) scale.
        n_obs: number of observations (turns the mean into the total).

    Returns:
        The best :class:`OptimResult`; ``converged`` is False when no start reached a
        finite stationary point inside the bounds.

    Example:
        >>> f = lambda z: (float(np.sum((z - 1.0) ** 2)), 2.0 * (z - 1.0))
        >>> r = maximise(f, [[1.0, 1.0]], 1)
        >>> np.round(r.params, 4).tolist(), r.converged
        ([2.7183, 2.7183], True)
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _maximise(objective, starts, n_obs)


def _maximise(objective: Objective, starts: Sequence[Sequence[float]], n_obs: float) -> OptimResult:
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(starts[0])
    best = None
    for start in starts:
        x0 = np.log(np.asarray(start, dtype="float64"))
        if not np.isfinite(objective(x0)[0]):
            continue
        res = minimize(
            objective, x0, jac=True, method="L-BFGS-B", bounds=bounds,
            options={"maxiter": 1000, "ftol": 1e-15, "gtol": 1e-9},
        )  # fmt: skip
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
    if best is None:
        nan = np.full(len(starts[0]), np.nan)
        return OptimResult(nan, float("-inf"), False, "no finite starting point", None)
    fun, grad = objective(best.x)
    on_bound = bool(np.any(np.abs(best.x) >= LOG_BOUND - _BOUND_MARGIN))
    stationary = bool(np.all(np.isfinite(grad)) and np.max(np.abs(grad)) < _GRAD_TOL)
    if on_bound:
        message = "a parameter ran to its bound (the likelihood has no interior maximum)"
    elif not stationary:
        message = f"no stationary point reached (max |gradient| {np.max(np.abs(grad)):.2e})"
    else:
        message = "converged"
    converged = stationary and not on_bound
    std_errors = _std_errors(objective, best.x, n_obs) if converged else None
    return OptimResult(np.exp(best.x), -float(fun) * n_obs, converged, message, std_errors)
