"""Abnormal-return maths on stacked arrays (firm-event x relative day).

Pure functions, vectorised over all firm-events: one closed-form OLS fit per row of the
stack, abnormal returns, cumulative abnormal returns and their exact finite-sample
variances (Campbell, Lo & MacKinlay 1997, section 4.4). No Python loop runs over
firm-events. Missing values are NaN; a mask says which estimation days are usable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]


@dataclass(frozen=True)
class StackFit:
    """OLS fits of many firm-events, one per row.

    Slopes are estimated on regressors centred at their estimation-window means, which
    keeps the normal equations well conditioned.

    Attributes
    ----------
    alpha
        Intercepts, shape ``(n,)`` (zero for a model without intercept).
    coef
        Slopes, shape ``(n, k)``.
    sigma2
        Residual variance SSR / df, shape ``(n,)``.
    nobs
        Estimation observations M, shape ``(n,)``.
    df
        Residual degrees of freedom (M - number of mean parameters), shape ``(n,)``.
    xbar
        Estimation-window means of the regressors, shape ``(n, k)``.
    s_inv
        Inverse centred cross-product matrices, shape ``(n, k, k)``.
    intercept
        Whether the intercept was estimated.
    """

    alpha: Array
    coef: Array
    sigma2: Array
    nobs: Array
    df: Array
    xbar: Array
    s_inv: Array
    intercept: bool


def fit_stack(y: Array, x: Array, est: Mask, *, intercept: bool = True) -> StackFit:
    """Fit ``y = alpha + x @ coef + e`` by OLS on the estimation days of each row.

    Parameters
    ----------
    y
        Returns to explain, shape ``(n, T)``.
    x
        Regressors, shape ``(n, T, k)``; ``k`` may be 0.
    est
        Usable estimation days, shape ``(n, T)``. Rows must have ``y`` and every
        regressor finite wherever ``est`` is true.
    intercept
        Estimate an intercept. Without intercept and regressors nothing is fitted and
        ``sigma2`` is the sample variance of ``y`` over the estimation days (M - 1).

    Returns
    -------
    StackFit
    """
    n, _, k = x.shape
    w = est.astype(np.float64)
    m = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = np.where(est, y, 0.0).sum(axis=1) / m
        xbar = np.where(est[..., None], x, 0.0).sum(axis=1) / m[:, None]
    yc = np.where(est, y - ybar[:, None], 0.0)
    xc = np.where(est[..., None], x - xbar[:, None, :], 0.0)
    if k:
        s = np.einsum("ntk,ntj->nkj", xc, xc)
        sxy = np.einsum("ntk,nt->nk", xc, yc)
        ok = m > k + int(intercept)
        # A constant or collinear regressor makes S singular: that row gets no fit (NaN), not an error.
        diag = np.prod(np.diagonal(s, axis1=1, axis2=2), axis=1)
        with np.errstate(invalid="ignore", over="ignore"):
            ok &= np.isfinite(diag) & (np.abs(np.linalg.det(np.where(ok[:, None, None], s, np.eye(k)))) > 1e-10 * diag)
        s_safe = np.where(ok[:, None, None], s, np.eye(k))
        s_inv = np.linalg.inv(s_safe)
        coef = np.einsum("nkj,nj->nk", s_inv, sxy)
        coef[~ok] = np.nan
        s_inv[~ok] = np.nan
    else:
        coef = np.zeros((n, 0))
        s_inv = np.zeros((n, 0, 0))
    resid = yc - np.einsum("ntk,nk->nt", xc, np.nan_to_num(coef))
    ssr = (resid**2).sum(axis=1)
    # Without intercept or regressors nothing is estimated but the variance still uses
    # the sample mean, hence M - 1 (the market-adjusted convention).
    n_params = int(intercept) + k if (intercept or k) else 1
    df = m - n_params
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.where(df > 0, ssr / df, np.nan)
    alpha = ybar - (xbar * coef).sum(axis=1) if intercept else np.zeros(n)
    return StackFit(alpha, coef, sigma2, m, df, xbar, s_inv, intercept)


def expected(fit: StackFit, x: Array) -> Array:
    """Return normal returns ``alpha + x @ coef`` over the whole grid, shape ``(n, T)``."""
    return fit.alpha[:, None] + np.einsum("ntk,nk->nt", x, fit.coef)


def car_variance(fit: StackFit, x: Array, cols: NDArray[np.intp], length: Array | None = None) -> Array:
    """Exact variance of the CAR over relative-day columns ``cols``.

    ``Var(CAR) = sigma^2 [L + L^2/M + (g - L xbar)' S^-1 (g - L xbar)]`` where ``g`` sums
    the regressors over the window and ``S`` is the centred cross-product matrix of the
    estimation window (CLM 1997 eq. 4.4.13 written for a centred design). For one day it
    is the prediction-error-corrected variance
    ``sigma^2 [1 + 1/M + (x_t - xbar)^2 / S]``. Without intercept or regressors it is
    ``L sigma^2``. ``L`` is the number of columns unless ``length`` gives one per firm-event.
    """
    days = np.broadcast_to(np.asarray(len(cols) if length is None else length, dtype=np.float64), fit.sigma2.shape)
    if not fit.intercept and fit.coef.shape[1] == 0:
        return fit.sigma2 * days
    g = x[:, cols, :].sum(axis=1) - days[:, None] * fit.xbar
    quad = np.einsum("nk,nkj,nj->n", g, fit.s_inv, g)
    with np.errstate(divide="ignore", invalid="ignore"):  # no estimation returns: undefined, left out later
        return fit.sigma2 * (days + days**2 / fit.nobs + quad)


def ar_variance(fit: StackFit, x: Array) -> Array:
    """Prediction-error-corrected variance of every single-day AR, shape ``(n, T)``."""
    if not fit.intercept and fit.coef.shape[1] == 0:
        return np.repeat(fit.sigma2[:, None], x.shape[1], axis=1)
    g = x - fit.xbar[:, None, :]
    quad = np.einsum("ntk,nkj,ntj->nt", g, fit.s_inv, g)
    with np.errstate(divide="ignore", invalid="ignore"):  # no estimation returns: undefined, left out later
        return fit.sigma2[:, None] * (1.0 + 1.0 / fit.nobs[:, None] + quad)


def bhar(ret: Array, normal: Array, cols: NDArray[np.intp]) -> Array:
    """Buy-and-hold abnormal return: prod(1 + R) - prod(1 + E[R]) over ``cols``."""
    return np.prod(1.0 + ret[:, cols], axis=1) - np.prod(1.0 + normal[:, cols], axis=1)
