"""Test statistics as small objects, computed by pure functions on arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special  # the distribution functions alone: scipy.stats takes half a second to import

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
        pval = 2.0 * special.stdtr(df, -np.abs(stat))
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


def adjust_pvalues(pvalues: NDArray[np.float64] | list[float], method: str) -> NDArray[np.float64]:
    """Adjust a family of p-values for multiple testing; NaN stays NaN and is not counted.

    Parameters
    ----------
    pvalues
        The family's raw p-values.
    method
        ``holm`` (Holm 1979, family-wise error rate) or ``bh`` (Benjamini and Hochberg
        1995, false discovery rate).

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, np.nan, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, nan, 0.06]
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(pvalues, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method={"holm": "holm", "bh": "fdr_bh"}[method])[1]
    return out


@dataclass(frozen=True)
class VarianceCheck:
    """Cross-sectional spread of standardised abnormal returns on one day.

    Under the null of no event-induced variance the standardised ARs have variance 1;
    ``(N - 1) s^2`` is then chi-square with N - 1 degrees of freedom.
    """

    __test__ = False

    sd: float
    n: int
    pvalue: float

    @property
    def event_induced(self) -> bool:
        """Whether the spread differs from 1 at the 5% level (two-sided)."""
        return bool(self.pvalue < 0.05)


def variance_check(standardised: NDArray[np.float64]) -> VarianceCheck:
    """Test whether standardised ARs have variance 1 (event-induced variance; Boehmer et al. 1991).

    Examples
    --------
    >>> round(variance_check(np.array([2.0, -2.0, 2.0, -2.0])).sd, 3)
    2.309
    """
    x = np.asarray(standardised, dtype=np.float64)
    x = x[np.isfinite(x)]
    n = len(x)
    if n < 3:
        return VarianceCheck(float("nan"), n, float("nan"))
    s2 = float(x.var(ddof=1))
    stat = (n - 1) * s2
    p = 2 * min(special.chdtr(n - 1, stat), special.chdtrc(n - 1, stat))
    return VarianceCheck(float(np.sqrt(s2)), n, float(min(1.0, p)))


def variance_ratio(ar: Array, sigma2: Array, df: Array) -> tuple[Array, Array]:
    """F-test of event-induced variance: the event window's mean squared AR over the estimation variance.

    Under the null (the event leaves the variance unchanged and ARs are normal),
    ``F = mean(AR_t^2) / sigma^2`` over the L event-window days is F(L, M - k).

    Parameters
    ----------
    ar
        Abnormal returns over the window, shape ``(n, L)``.
    sigma2, df
        Estimation-window residual variance and its degrees of freedom, shape ``(n,)``.

    Returns
    -------
    statistic, pvalue
        One-sided (variance increased) p-values.

    Examples
    --------
    >>> f, p = variance_ratio(np.array([[0.03, -0.03]]), np.array([0.0001]), np.array([238.0]))
    >>> round(float(f[0]), 1), bool(p[0] < 0.001)
    (9.0, True)
    """
    length = ar.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = np.mean(ar**2, axis=1) / sigma2
        pval = special.fdtrc(length, df, stat)
    return stat, pval
