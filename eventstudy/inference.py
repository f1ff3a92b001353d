"""Test statistics as small objects, computed by pure functions on arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]


@dataclass(frozen=True)
class TestStatistic:
    """A test's statistic, p-value, reference distribution and null hypothesis (scipy's names).

    Examples
    --------
    >>> print(TestStatistic(-2.5, 0.0124, "N(0,1)", "AAR = 0"))
    -2.5000 (p = 0.0124, N(0,1); H0: AAR = 0)
    """

    __test__ = False  # a result type, not a pytest test class

    statistic: float
    pvalue: float
    distribution: str
    null: str = "no abnormal return"

    def __str__(self) -> str:
        return f"{self.statistic:.4f} (p = {self.pvalue:.4g}, {self.distribution}; H0: {self.null})"


@dataclass(frozen=True)
class InvalidTestStatistic:
    """A test that does not apply, with the reason; its statistic and p-value are NaN."""

    __test__ = False

    reason: str
    statistic: float = float("nan")
    pvalue: float = float("nan")
    distribution: str = ""
    null: str = ""

    def __str__(self) -> str:
        return f"not applicable: {self.reason}"


def t_test(car: Array, variance: Array, df: Array) -> tuple[Array, Array]:
    """Two-sided t-test of CAR = 0 with ``t = CAR / sqrt(Var(CAR))`` on ``df`` degrees of freedom.

    Returns
    -------
    stat, pval
        Arrays of the same shape as ``car``.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = car / np.sqrt(variance)
        pval = 2.0 * stats.t.sf(np.abs(stat), df)
    return stat, pval


def sq_test(ar: Array, est: Mask, car: Array, length: int) -> tuple[Array, Array, Array]:
    """SQ test of Gelbach, Helland & Klick (2013) for a single firm-event.

    The event CAR over ``length`` days is compared with the empirical distribution of
    all overlapping ``length``-day sums of estimation-window abnormal returns. No
    normality is assumed.

    Parameters
    ----------
    ar
        Abnormal returns over the grid, shape ``(n, T)``.
    est
        Usable estimation days, shape ``(n, T)``.
    car
        Event CARs, shape ``(n,)``.
    length
        Window length L.

    Returns
    -------
    quantile, pval, n_sums
        The event CAR's empirical quantile (share of estimation sums at or below it),
        the two-sided p-value ``min(1, 2 min(k_le + 1, k_ge + 1) / (N + 1))`` where
        ``k_le``/``k_ge`` count sums at or below/above the CAR among ``N`` sums (a rank
        p-value that is never exactly zero), and ``N`` per row.
    """
    vals = np.where(est, ar, np.nan)
    n, t = vals.shape
    if length > t:
        nan = np.full(n, np.nan)
        return nan, nan, np.zeros(n)
    windows = np.lib.stride_tricks.sliding_window_view(vals, length, axis=1).sum(axis=2)
    ok = np.isfinite(windows)
    n_sums = ok.sum(axis=1).astype(np.float64)
    le = (ok & (windows <= car[:, None])).sum(axis=1)
    ge = (ok & (windows >= car[:, None])).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        quantile = le / n_sums
        pval = np.minimum(1.0, 2.0 * (np.minimum(le, ge) + 1.0) / (n_sums + 1.0))
    bad = (n_sums == 0) | ~np.isfinite(car)
    quantile[bad] = np.nan
    pval[bad] = np.nan
    return quantile, pval, n_sums
