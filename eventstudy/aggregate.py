"""Many-firm tests of the average abnormal return (AAR) and its cumulation (CAAR).

The work is split like a map-reduce so that any number of firm-events can be tested in
bounded memory: :func:`partial` turns one chunk of firm-events into small per-row
arrays (values on the event days and windows only) and additive sums per relative day;
:meth:`Partial.merge` combines chunks; :func:`aggregate_tests` computes every statistic
from the merged parts. All functions are pure.

Test names: ``csect_t``, ``bw1980``, ``bw1985``, ``patell``, ``bmp``, ``kp_patell``,
``kp_bmp``, ``lamb``, ``sign``, ``gen_sign``, ``corrado_sign``, ``rank``,
``modified_rank``, ``grank_t``, ``grank_z``, ``wilcoxon``.

References: Brown & Warner (1980, 1985); Patell (1976); Boehmer, Musumeci & Poulsen
(1991); Kolari & Pynnonen (2010); Lamb (1995); Cowan (1992); Corrado (1989); Corrado &
Zivney (1992); Kolari & Pynnonen (2011); Wilcoxon (1945).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from eventstudy.conventions import Convention, CorrelationPairs, PositionSums, RankLength, pooled_patell_z
from eventstudy.inference import InvalidTestStatistic, TestStatistic
from eventstudy.windows import Window

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]
Result = TestStatistic | InvalidTestStatistic

ESTIMATION_ROWS = ("est_ar",)
"""Per firm-event arrays over the estimation days, kept only for the generalized rank test."""


@dataclass(frozen=True)
class Partial:
    """Inputs of the many-firm tests for a set of usable firm-events.

    Attributes
    ----------
    rows
        Per firm-event arrays: values on the test days, shape ``(n, D)`` (``ar``,
        ``sar``, ``mkt``, ``day_scale``: the sd that standardises the AR, ``sign_g``,
        ``rank_dev``, ``mrank_dev``), per window, shape
        ``(n, W)`` (``car``, ``scar``, ``csar``), on the estimation days, shape
        ``(n, E)`` (``est_ar``), and scalars, shape ``(n,)`` (among them ``pos_frac``, each
        firm-event's share of positive estimation ARs).
    sums
        Sums over firm-events per relative day, shape ``(T,)`` (or ``(1,)`` for totals).
    """

    rows: dict[str, Array]
    sums: dict[str, Array]

    def without_estimation_rows(self) -> Partial:
        """Return these inputs without the per-day estimation arrays (the generalized rank test's).

        They are the only inputs that grow with the estimation window; a partitioned run
        leaves them with its partitions, so its client holds a few values per firm-event.
        """
        return Partial({k: v for k, v in self.rows.items() if k not in ESTIMATION_ROWS}, self.sums)

    @classmethod
    def merge(cls, parts: Sequence[Partial]) -> Partial:
        """Concatenate the rows and add the sums of several chunks."""
        rows = {k: np.concatenate([p.rows[k] for p in parts]) for k in parts[0].rows}
        sums = {k: np.sum([p.sums[k] for p in parts], axis=0) for k in parts[0].sums}
        return cls(rows, sums)

    @property
    def n(self) -> int:
        """Number of firm-events."""
        return int(self.rows["ar"].shape[0])


def row_medians_and_ranks(vals: Array, counts: Array) -> tuple[Array, Array]:
    """Median and average ranks (ties share the mean rank) of each row's finite values.

    One sort per row serves both; NaN stays NaN. Equal to ``numpy.nanmedian`` and
    ``scipy.stats.rankdata(..., nan_policy="omit")`` row by row.

    Examples
    --------
    >>> m, r = row_medians_and_ranks(np.array([[3.0, np.nan, 1.0, 3.0]]), np.array([3.0]))
    >>> m.tolist(), r.tolist()
    ([3.0], [[2.5, nan, 1.0, 2.5]])
    """
    n, t = vals.shape
    if n == 0:
        return np.zeros(0), np.zeros((0, t))
    missing = np.isnan(vals)
    # NaN sorts last; as +inf it sorts there too, and numpy's vectorised sort, which gives
    # up on arrays holding NaN, sorts the rows several times faster (unless inf is a value).
    key = vals if not missing.any() or np.isinf(vals).any() else np.where(missing, np.inf, vals)
    order = np.argsort(key, axis=1)
    srt = np.take_along_axis(key, order, axis=1)
    k = counts.astype(np.intp)
    lo = np.clip((k - 1) // 2, 0, t - 1)
    hi = np.clip(k // 2, 0, t - 1)
    rows = np.arange(n)
    with np.errstate(invalid="ignore"):  # -inf and +inf in the middle: NaN, as numpy.nanmedian gives
        median = np.where(k > 0, 0.5 * (srt[rows, lo] + srt[rows, hi]), np.nan)
    avg = np.arange(1.0, t + 1.0)[None, :]  # every row's ranks in sorted order, unless it ties
    # Ties among the values only: the missing cells sorted last may be equal to each other.
    tied = ((srt[:, 1:] == srt[:, :-1]) & (np.arange(1, t)[None, :] < k[:, None])).any(axis=1)
    if tied.any():
        # Average rank of each run of equal values: (first + last position) / 2 + 1;
        # only rows with ties pay for it (continuous returns rarely tie).
        sub = srt[tied]
        idx = np.broadcast_to(np.arange(t), sub.shape)
        new_run = np.ones(sub.shape, dtype=bool)
        new_run[:, 1:] = sub[:, 1:] != sub[:, :-1]
        first = np.maximum.accumulate(np.where(new_run, idx, 0), axis=1)
        end_run = np.ones(sub.shape, dtype=bool)
        end_run[:, :-1] = new_run[:, 1:]
        last = np.flip(np.minimum.accumulate(np.flip(np.where(end_run, idx, t), axis=1), axis=1), axis=1)
        avg = np.broadcast_to(avg, (n, t)).copy()
        avg[tied] = (first + last) / 2.0 + 1.0
    ranks = np.empty((n, t))
    np.put_along_axis(ranks, order, avg, axis=1)
    ranks[missing] = np.nan
    return median, ranks


def event_days(event_window: Window, windows: Sequence[Window]) -> list[int]:
    """Relative days on which per-day tests are needed: the union of all windows."""
    days: set[int] = set()
    for w in [event_window, *windows]:
        days.update(range(w.start, w.end + 1))
    return sorted(days)


def partial(
    *,
    ar: Array,
    est: Mask,
    in_est: Mask,
    rel: NDArray[np.int64],
    days: Sequence[int],
    windows: Sequence[Window],
    car: Array,
    day_scale: Array,
    window_scale: Array,
    car_days: Array,
    mkt: Array,
    sigma: Array,
    nobs: Array,
    df: Array,
    usable: Mask,
    positions: NDArray[np.int64] | None = None,
    cluster: NDArray[np.int64] | None = None,
    n_clusters: int = 1,
    n_sessions: int | None = None,
    rank_length: RankLength,
) -> Partial:
    """Reduce one chunk of firm-events to the inputs of the many-firm tests.

    Parameters
    ----------
    ar
        Abnormal returns on the grid, shape ``(n, T)``.
    est
        Usable estimation days, shape ``(n, T)``.
    in_est
        Relative days inside the estimation window, shape ``(T,)``.
    rel
        Relative day of each grid column, shape ``(T,)``.
    days
        Relative days with per-day tests (see :func:`event_days`).
    windows
        Windows with CAAR tests.
    car
        CARs, shape ``(n, W)``.
    day_scale, window_scale
        Standard deviations that standardise ARs on ``days`` (``(n, D)``) and CARs
        (``(n, W)``), as the convention says.
    car_days
        Days each CAR counts, shape ``(n, W)`` (NaN where it is missing).
    mkt
        Market returns on the grid, shape ``(n, T)``.
    sigma, nobs, df
        Residual standard deviation, estimation observations and residual degrees of
        freedom per firm-event.
    usable
        Firm-events that enter the tests.
    positions, cluster, n_clusters, n_sessions
        Session position of every grid cell, shape ``(n, T)``, and each firm-event's
        cluster of calendar-overlapping event windows (see :func:`overlap_clusters`):
        estimation residuals are summed per cluster on the calendar, for the
        Kolari-Pynnonen correlation (by default all firm-events form one cluster and
        relative days stand for sessions).
    rank_length
        The estimation length ``M`` a firm-event's Corrado ranks are centred on, with its
        ``D`` test days: ``(M + D + 1) / 2`` (its own ``M``, or the requested one).

    Returns
    -------
    Partial
    """
    keep = usable & np.isfinite(sigma)
    if positions is None:
        positions = np.broadcast_to(np.arange(len(rel), dtype=np.int64), ar.shape)
    if cluster is None:
        cluster = np.zeros(len(ar), dtype=np.int64)
    if not keep.all():  # (a copy of every input otherwise)
        positions, cluster = positions[keep], cluster[keep]
        ar, est, car, mkt = ar[keep], est[keep], car[keep], mkt[keep]
        day_scale, window_scale, car_days = day_scale[keep], window_scale[keep], car_days[keep]
        sigma, nobs, df = sigma[keep], nobs[keep], df[keep]
    n, t = ar.shape
    col = {int(r): i for i, r in enumerate(rel)}
    dcols = np.array([col[d] for d in days], dtype=np.intp)
    in_days = np.zeros(t, dtype=bool)
    in_days[dcols] = True

    # Every estimation day's AR is finite (est marks them), so sums over est0 are the
    # NaN-skipping sums of the estimation ARs; fewer full-size temporaries, same values.
    est0 = np.where(est, ar, 0.0)
    m = est.sum(axis=1).astype(np.float64)
    positive = est & (ar > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        est_mean = est0.sum(axis=1) / m
        dev = np.where(est, ar - est_mean[:, None], 0.0)
        ss = (dev**2).sum(axis=1)
        sd_sample = np.sqrt(ss / (m - 1.0))
        pos_frac = positive.sum(axis=1) / m
        root_ss = np.sqrt(ss)

    # Ranks and signs use the estimation and test days together (Corrado 1989).
    full = (est | in_days[None, :]) & np.isfinite(ar)
    vals = np.where(full, ar, np.nan)
    n_full = full.sum(axis=1).astype(np.float64)
    median, ranks = row_medians_and_ranks(vals, n_full)
    # Each is 0 off its days, so its column sums are the NaN-skipping ones; rows keep NaN there.
    sign_g = np.where(full, np.sign(vals - median[:, None]), 0.0)
    # Centred on (T + 1)/2 of the count the profile says: the firm-event's own, or the requested window's.
    centre_n = rank_length.length(m, int(in_est.sum())) + (n_full - m)
    rank_dev = np.where(full, ranks - (centre_n[:, None] + 1.0) / 2.0, 0.0)
    mrank_dev = np.where(full, ranks / (n_full[:, None] + 1.0) - 0.5, 0.0)
    full_d = full[:, dcols]

    ar_d = ar[:, dcols]
    with np.errstate(invalid="ignore", divide="ignore"):
        sar = ar_d / day_scale
        scar = car / window_scale
    csar = (
        np.column_stack(
            [np.nansum(np.where(np.isin(days, range(w.start, w.end + 1)), sar, 0.0), axis=1) for w in windows]
        )
        if windows
        else np.zeros((n, 0))
    )

    mkt_est = in_est[None, :] & np.isfinite(mkt)
    # Scaled residuals summed per cluster on each session: |sum|^2 - count = the sum of the
    # pairwise correlations of the cluster's firm-events (exact for pairs that share their
    # estimation days).
    width = int(n_sessions) if n_sessions is not None else len(rel)
    on = est & (positions >= 0)
    flat = np.broadcast_to(cluster[:, None], on.shape)[on] * width + positions[on]
    with np.errstate(invalid="ignore"):
        u = dev[on] / np.broadcast_to(root_ss[:, None], on.shape)[on]  # scaled residuals, on their days only
    u = np.where(np.isfinite(u), u, 0.0)
    u_cluster = np.bincount(flat, weights=u, minlength=n_clusters * width).reshape(n_clusters, width)
    n_cluster = np.bincount(cluster[ss > 0], minlength=n_clusters).astype(np.float64)
    rows = {
        "ar": ar_d,
        "sar": sar,
        "mkt": mkt[:, dcols],
        "day_scale": day_scale,
        "sign_g": np.where(full_d, sign_g[:, dcols], np.nan),
        "rank_dev": np.where(full_d, rank_dev[:, dcols], np.nan),
        "mrank_dev": np.where(full_d, mrank_dev[:, dcols], np.nan),
        "car": car,
        "scar": scar,
        "csar": csar,
        "car_days": car_days,
        "sigma": sigma,
        "sd_sample": sd_sample,
        "nobs": nobs,
        "df": df,
        "pos_frac": pos_frac,
        "n_full": n_full,
        "est_ar": np.where(est[:, in_est], ar[:, in_est], np.nan),
    }
    sums = {
        "est_sum": est0.sum(axis=0),
        "est_cnt": est.sum(axis=0).astype(np.float64),
        "full_cnt": full.sum(axis=0).astype(np.float64),
        "g_sum": sign_g.sum(axis=0),
        "rank_sum": rank_dev.sum(axis=0),
        "mrank_sum": mrank_dev.sum(axis=0),
        "mkt_sum": np.where(mkt_est, mkt, 0.0).sum(axis=0),
        "mkt_cnt": mkt_est.sum(axis=0).astype(np.float64),
        "u_cluster": u_cluster,
        "n_cluster": n_cluster,
        "est_pos": np.array([float(positive.sum())]),
        "est_all": np.array([float(m.sum())]),
    }
    return Partial(rows, sums)


def overlap_clusters(start: NDArray[np.int64], end: NDArray[np.int64]) -> NDArray[np.int64]:
    """Group firm-events whose event windows overlap in calendar time.

    ``start`` and ``end`` are each firm-event's first and last session position of its
    windows. Windows that overlap, directly or through a chain of others, share a
    cluster id (0, 1, ...); events on one date form one cluster.

    Examples
    --------
    >>> overlap_clusters(np.array([10, 11, 40, 12]), np.array([12, 13, 42, 14])).tolist()
    [0, 0, 1, 0]
    """
    order = np.argsort(start, kind="stable")
    s, e = start[order], end[order]
    reach = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] > reach[:-1]
    out = np.empty(len(s), dtype=np.int64)
    out[order] = np.cumsum(new) - 1
    return out


@dataclass(frozen=True)
class CrossCorrelation:
    """Cross-correlation of firm-events' abnormal returns, for the Kolari-Pynnonen adjustment.

    Attributes
    ----------
    mean
        Mean pairwise correlation of estimation-window residuals over the pairs the
        convention correlates: those whose event windows are linked in calendar time
        (overlapping, directly or through a chain of others; see :func:`overlap_clusters`;
        NaN if none are), or every pair when residuals are paired by position.
    effective
        The ``r`` of ``1 + (N - 1) r``, the variance inflation of a sum of N standardised
        ARs: on the calendar, the same sum over all pairs, pairs not linked counting zero.
    overlapping_pairs, pairs
        Ordered pairs whose event windows are linked in calendar time, and all ordered pairs ``N (N - 1)``.
    paired
        How residuals are paired: ``calendar`` or ``position`` (see :mod:`eventstudy.conventions`).
    """

    mean: float
    effective: float
    overlapping_pairs: int
    pairs: int
    paired: str = "calendar"

    @property
    def applies(self) -> bool:
        """Whether there is a correlation to adjust for."""
        if self.paired == "position":
            return self.pairs > 0 and np.isfinite(self.effective)
        return self.overlapping_pairs > 0 and np.isfinite(self.effective)


def cross_correlation(part: Partial, rule: CorrelationPairs, position: PositionSums | None = None) -> CrossCorrelation:
    """Mean residual correlation of firm-events (Kolari & Pynnonen 2010), pairs formed by ``rule``.

    ``position`` are the sums of estimation ARs paired by position where they were computed
    elsewhere (a partitioned run's partitions keep their estimation ARs).
    """
    counts = part.sums["n_cluster"]
    total = float(counts.sum())
    mean, effective = rule.correlation(part.rows.get("est_ar"), part.sums["u_cluster"], counts, position)
    return CrossCorrelation(mean, effective, int((counts * (counts - 1)).sum()), int(total * (total - 1)), rule.name)


def _t(stat: float, df: float, null: str = "AAR = 0") -> Result:
    if not np.isfinite(stat):
        return InvalidTestStatistic("the statistic is undefined (no variation or too few firm-events)")
    if not df > 0:
        return InvalidTestStatistic(f"needs at least two firm-events (degrees of freedom {df:g})")
    # special.stdtr is the t CDF without scipy.stats' per-call overhead (same values)
    return TestStatistic(float(stat), float(2 * special.stdtr(df, -abs(stat))), f"t({df:g})", null)


def _z(stat: float, null: str = "AAR = 0") -> Result:
    if not np.isfinite(stat):
        return InvalidTestStatistic("the statistic is undefined (no variation or too few firm-events)")
    return TestStatistic(float(stat), float(2 * special.ndtr(-abs(stat))), "N(0,1)", null)


def _csect(x: Array, null: str, mean: Callable[[float], float] | None = None) -> Result:
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return InvalidTestStatistic(f"needs at least two firm-events with a value, has {len(x)}")
    sd = x.std(ddof=1)
    if sd == 0:
        return InvalidTestStatistic("all firm-events have the same value; the cross-sectional sd is zero")
    centre = float(x.mean()) if mean is None else mean(float(x.mean()))
    return _t(centre / (sd / np.sqrt(len(x))), len(x) - 1, null)


def standardising_sd(part: Partial, convention: Convention) -> Array:
    """Each firm-event's residual sd as the profile standardises with it (sigma, or the sample sd)."""
    return convention.standardise.residual_sd(part.rows["sigma"], part.rows["sd_sample"])


@dataclass(frozen=True)
class Common:
    """Quantities every test of one study shares, computed once from the merged inputs."""

    part: Partial
    convention: Convention
    n_all: int
    sigma: Array  # per firm-event residual sd under the convention's standardisation
    mbar: float  # mean estimation length
    sd_aar: float  # sd of the estimation-window AAR series (Brown & Warner 1985)
    m_mean: float  # market mean and centred sum of squares over the estimation window (Lamb 1995)
    m_sxx: float
    correlation: CrossCorrelation  # residual cross-correlation (Kolari & Pynnonen 2010)
    p_hat: float  # expected share of positive ARs (generalized sign)
    sd_sign: float  # sds of the daily Corrado sign, rank and modified-rank sums
    sd_rank: float
    sd_mrank: float
    grank: Mapping[Window, GrankParts | InvalidTestStatistic] = field(default_factory=dict)  # by tested window

    @classmethod
    def of(cls, part: Partial, in_est: Mask, convention: Convention, position: PositionSums | None = None) -> Common:
        """Compute the shared quantities (``position``: see :func:`cross_correlation`)."""
        r, s = part.rows, part.sums
        n_all = part.n
        with np.errstate(invalid="ignore", divide="ignore"):
            mkt_series = s["mkt_sum"] / s["mkt_cnt"]
        est_aar = estimation_aar(part, range(len(s["est_sum"]))).to_numpy()
        mkt_series = mkt_series[in_est & np.isfinite(mkt_series)]
        m_mean = float(mkt_series.mean()) if len(mkt_series) else float("nan")
        cnt = s["full_cnt"]
        has = cnt > 0
        scale = np.array([convention.cross_sums.scale(n_all, c) if c > 0 else np.nan for c in cnt])
        mean_tfull = float(np.mean(r["n_full"]))
        with np.errstate(invalid="ignore", divide="ignore"):
            g_day = s["g_sum"] * scale / np.sqrt(cnt)
            r_day = s["rank_sum"] * scale / cnt
            mr_day = s["mrank_sum"] * scale / np.sqrt(cnt)
        return cls(
            part=part,
            convention=convention,
            n_all=n_all,
            sigma=standardising_sd(part, convention),
            mbar=float(np.mean(r["nobs"])),
            sd_aar=float(est_aar.std(ddof=1)) if len(est_aar) > 1 else float("nan"),
            m_mean=m_mean,
            m_sxx=float(((mkt_series - m_mean) ** 2).sum()) if len(mkt_series) else float("nan"),
            correlation=cross_correlation(part, convention.correlation, position),
            p_hat=convention.gen_sign.compute(r["pos_frac"], float(s["est_pos"][0]), float(s["est_all"][0])),
            sd_sign=float(np.sqrt(np.nansum(g_day[has] ** 2) / mean_tfull)),
            sd_rank=float(np.sqrt(np.nansum(r_day[has] ** 2) / mean_tfull)),
            sd_mrank=float(np.sqrt(np.nansum(mr_day[has] ** 2) / mean_tfull)),
        )


@dataclass(frozen=True)
class Sample:
    """One day (AAR) or window (CAAR) to test: each firm-event's value and standardised value."""

    window: Window
    cols: list[int]  # positions of its days among the test days
    x: Array  # AR or CAR per firm-event (NaN where missing)
    sx: Array  # standardised AR or CAR, as Patell's test sums it
    null: str
    sx_cross: Array | None = None  # the standardised value BMP tests, where the profile takes another
    sx_ranked: Array | None = None  # the standardised value the generalized rank test ranks, where another
    daily_sd: Array | None = None  # the day's sd, or over a window the root of the sum of its days' variances

    @property
    def cross(self) -> Array:
        """The standardised values the cross-sectional tests (BMP and its Kolari-Pynnonen version) use."""
        return self.sx if self.sx_cross is None else self.sx_cross

    @property
    def ranked(self) -> Array:
        """The standardised values the generalized rank test ranks (by default those BMP tests)."""
        return self.cross if self.sx_ranked is None else self.sx_ranked

    @property
    def length(self) -> int:
        """Number of days."""
        return len(self.cols)

    @property
    def kind(self) -> str:
        """``day`` for an AAR, ``window`` for a CAAR."""
        return "day" if self.null == "AAR = 0" else "window"

    @property
    def present(self) -> Mask:
        """Firm-events with a value."""
        return np.isfinite(self.x)

    @property
    def n(self) -> int:
        """Number of firm-events with a value."""
        return int(self.present.sum())

    @property
    def mean(self) -> float:
        """Mean value over the firm-events present."""
        return float(self.x[self.present].mean())


TestFunction = Callable[[Sample, Common], Result]


def csect_t(s: Sample, c: Common) -> Result:
    """Cross-sectional t: mean / (sd / sqrt(N)), t(N - 1) (a day's mean as the profile rounds it)."""
    return _csect(s.x, s.null, c.convention.rounding.day_mean if s.length == 1 else None)


def bw1980(s: Sample, c: Common) -> Result:
    """Brown & Warner (1980): mean / (sqrt(L sum sigma_i^2) / N), t(mean M - 1)."""
    rows = c.convention.cross_sums.rows(s.present)
    var_sum = float(np.nansum(c.sigma[rows] ** 2))
    return _t(s.mean / (np.sqrt(s.length * var_sum) / int(rows.sum())), c.mbar - 1.0, s.null)


def estimation_aar(part: Partial, rel: Iterable[int]) -> pd.Series:
    """Return the average estimation-window abnormal return on each relative day that has one (Brown-Warner 1985).

    ``rel`` labels the relative days the sums run over. The series' sd is what the
    crude-dependence test divides by: the correlation of the firm-events is in it.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        aar = part.sums["est_sum"] / part.sums["est_cnt"]
    series = pd.Series(aar, index=pd.Index(list(rel), name="rel_day"), name="est_aar")
    return series[np.isfinite(series.to_numpy())]


def crude_difference_t(
    x: Array, y: Array, est_x: pd.Series, est_y: pd.Series, length: int, null: str = "mean(A) = mean(B)"
) -> Result:
    """Brown and Warner's (1985) crude-dependence t of the difference of two groups' mean ARs or CARs.

    The difference of the means over ``length`` days is divided by ``sqrt(length)`` times the sd
    of the difference of the groups' estimation-window AAR series (``est_x - est_y``, on the
    relative days both have), a long-short portfolio whose variance holds the firm-events'
    correlation within and across the groups; t with one less degree of freedom than those days.

    Examples
    --------
    >>> est_a = pd.Series([0.01, -0.01, 0.02, 0.0]); est_b = pd.Series([0.0, 0.0, 0.01, 0.01])
    >>> r = crude_difference_t(np.array([0.05, 0.03]), np.array([0.0, 0.02]), est_a, est_b, 1)
    >>> round(r.statistic, 4), r.distribution  # 0.03 / sd([0.01, -0.01, 0.01, -0.01])
    (2.5981, 't(3)')
    """
    diff = (est_x - est_y).dropna()
    if len(x) < 1 or len(y) < 1 or len(diff) < 2:
        return InvalidTestStatistic(
            f"needs a firm-event in each group and two estimation days both groups have, has {len(x)}, {len(y)} "
            f"and {len(diff)}"
        )
    sd = float(diff.std(ddof=1))
    return _t((float(np.mean(x)) - float(np.mean(y))) / (np.sqrt(length) * sd), float(len(diff) - 1), null)


def bw1985(s: Sample, c: Common) -> Result:
    """Brown & Warner (1985) crude dependence: mean / (sqrt(L) sd of the estimation AAR)."""
    return _t(s.mean / (np.sqrt(s.length) * c.sd_aar), c.mbar - 1.0, s.null)


def _patell_parts(s: Sample, c: Common) -> tuple[Mask, Array]:
    ok = s.present & np.isfinite(s.sx)
    return ok, c.part.rows["df"][c.convention.cross_sums.rows(ok)]


def patell(s: Sample, c: Common) -> Result:
    """Patell (1976): sum of standardised values / sqrt(sum (M_i - k)/(M_i - k - 2)), N(0,1)."""
    ok, df_i = _patell_parts(s, c)
    if np.any(df_i <= 2):
        return InvalidTestStatistic("needs more than four estimation returns per firm-event")
    var = df_i / (df_i - 2.0)
    scale = c.convention.cross_sums.scale(c.n_all, ok.sum())
    if s.kind == "window":
        return _z(c.convention.patell_window.patell_z(s.sx[ok], var, scale), s.null)
    return _z(pooled_patell_z(s.sx[ok], var, scale), s.null)


def bmp(s: Sample, c: Common) -> Result:
    """Boehmer, Musumeci & Poulsen (1991): cross-sectional t of the standardised values."""
    return _csect(s.cross, s.null)


def kp_patell(s: Sample, c: Common) -> Result:
    """Kolari & Pynnonen (2010) Patell test: ``z / sqrt(1 + (N - 1) r)``.

    Patell estimates no cross-sectional variance, so unlike BMP there is no ``(1 - r)`` term.
    """
    base = patell(s, c)
    why = _kp_inapplicable(base, c)
    if why is not None:
        return why
    n = int(_patell_parts(s, c)[0].sum())
    inflation = 1.0 + (n - 1.0) * c.correlation.effective
    if not inflation > 0:
        return _kp_undefined(c, n)
    return _z(base.statistic / np.sqrt(inflation), base.null)


def kp_bmp(s: Sample, c: Common) -> Result:
    """Kolari & Pynnonen (2010) BMP test: ``t sqrt((1 - r) / (1 + (N - 1) r))``, t(N - 1)."""
    base = bmp(s, c)
    why = _kp_inapplicable(base, c)
    if why is not None:
        return why
    n = int(_patell_parts(s, c)[0].sum())
    r = c.correlation.effective
    if not 1.0 + (n - 1.0) * r > 0:
        return _kp_undefined(c, n)
    return _t(base.statistic * np.sqrt((1.0 - r) / (1.0 + (n - 1.0) * r)), n - 1, base.null)


def kp_csect_t(s: Sample, c: Common) -> Result:
    """Cross-sectional t with Kolari & Pynnonen's (2010) factor ``sqrt((1 - r) / (1 + (N - 1) r))``, t(N - 1).

    The same correction as :func:`kp_bmp`, applied to the unstandardised values: ``r`` is the
    mean residual correlation of calendar-overlapping firm-events.
    """
    base = csect_t(s, c)
    why = _kp_inapplicable(base, c)
    if why is not None:
        return why
    n = s.n
    r = c.correlation.effective
    if not 1.0 + (n - 1.0) * r > 0:
        return _kp_undefined(c, n)
    return _t(base.statistic * np.sqrt((1.0 - r) / (1.0 + (n - 1.0) * r)), n - 1, base.null)


def _kp_undefined(c: Common, n: int) -> InvalidTestStatistic:
    return InvalidTestStatistic(
        f"the residual correlation r = {c.correlation.effective:.3g} makes 1 + (N - 1) r = "
        f"{1 + (n - 1) * c.correlation.effective:.3g} not positive (too few estimation returns to estimate r)"
    )


def _kp_inapplicable(base: Result, c: Common) -> InvalidTestStatistic | None:
    if isinstance(base, InvalidTestStatistic):
        return base
    cc = c.correlation
    if cc.pairs == 0 or not np.isfinite(cc.effective):
        return InvalidTestStatistic("needs at least two firm-events with estimation residuals")
    if not cc.applies:
        return InvalidTestStatistic(
            "no two event windows overlap in calendar time, so there is no cross-correlation to adjust for "
            "(the unadjusted test applies)"
        )
    return None


def lamb(s: Sample, c: Common) -> Result:
    """Lamb (1995): the BW1985 test with the market model's prediction error."""
    mkt = c.part.rows["mkt"]
    if not all(np.isfinite(mkt[:, col]).any() for col in s.cols) or not np.isfinite(c.m_mean):
        return InvalidTestStatistic("needs the market's series on the estimation and test days")
    mkt_dev = float(np.sum([np.nanmean(mkt[:, col]) - c.m_mean for col in s.cols]))
    sd = c.sd_aar * np.sqrt(s.length + s.length**2 / c.mbar + mkt_dev**2 / c.m_sxx)
    return _t(s.mean / sd, c.mbar - 1.0, s.null)


def skew_t(s: Sample, c: Common) -> Result:
    """Skewness-corrected t (Hall 1992), as EventStudyTools and Lyon, Barber & Tsai (1999) use it.

    With ``S = mean / sd`` and the sample skewness ``g = N / ((N - 1)(N - 2)) sum((x - mean)^3) / sd^3``,
    ``t = sqrt(N) (S + g S^2 / 3 + g^2 S^3 / 27 + g / (6 N))``, referred to t(N - 1). The
    correction matters when values are skewed, as long-window CARs and BHARs are.
    """
    x = s.x[s.present]
    n = len(x)
    if n < 3:
        return InvalidTestStatistic(f"needs at least three firm-events with a value (skewness), has {n}")
    sd = x.std(ddof=1)
    if sd == 0:
        return InvalidTestStatistic("all firm-events have the same value; the cross-sectional sd is zero")
    ratio = x.mean() / sd
    g = n / ((n - 1.0) * (n - 2.0)) * float(((x - x.mean()) ** 3).sum()) / sd**3
    return _t(np.sqrt(n) * (ratio + g * ratio**2 / 3 + g**2 * ratio**3 / 27 + g / (6 * n)), n - 1, s.null)


def _positives(s: Sample, c: Common) -> float:
    return float((s.x[s.present] > 0).sum()) * c.convention.cross_sums.scale(c.n_all, s.n)


def _binomial(positives: float, n: int, p: float, null: str, c: Common) -> Result:
    """Return the z of ``positives`` among ``n`` against ``n p``; the p-value exact where the profile says so."""
    out = _z((positives - n * p) / np.sqrt(n * p * (1 - p)), null)
    exact = c.convention.sign_pvalues.pvalue(out.statistic, positives, n, p) if isinstance(out, TestStatistic) else None
    return TestStatistic(out.statistic, exact[0], exact[1], null) if exact else out


def sign(s: Sample, c: Common) -> Result:
    """Sign test: positives against N / 2."""
    return _binomial(_positives(s, c), s.n, 0.5, s.null, c)


def gen_sign(s: Sample, c: Common) -> Result:
    """Generalized sign test (Cowan 1992): positives against N p-hat."""
    p = c.p_hat
    if not 0 < p < 1:
        return InvalidTestStatistic(
            f"the estimation-window share of positive ARs is {p:g}; it must lie strictly between 0 and 1"
        )
    return _binomial(_positives(s, c), s.n, p, s.null, c)


def _daily(s: Sample, c: Common, key: str, root: bool) -> float:
    total = 0.0
    for col in s.cols:
        v = c.part.rows[key][:, col]
        k = np.isfinite(v)
        nk = int(k.sum())
        if nk == 0:
            return float("nan")
        sm = float(v[k].sum()) * c.convention.cross_sums.scale(c.n_all, nk)
        total += sm / (np.sqrt(nk) if root else nk)
    return total / np.sqrt(s.length)


def corrado_sign(s: Sample, c: Common) -> Result:
    """Corrado sign test: signs of ARs about each firm's median, over estimation and test days.

    On one day the signs of the firm-events are fair coins under the null, so where the
    profile takes exact p-values the count above the median is binomial(N, 1/2); over a
    window the statistic sums days and keeps the normal approximation.
    """
    out = _z(_daily(s, c, "sign_g", True) / c.sd_sign, s.null)
    if s.length > 1 or not isinstance(out, TestStatistic):
        return out
    g = c.part.rows["sign_g"][:, s.cols[0]]
    g = g[np.isfinite(g) & (g != 0)]
    exact = c.convention.sign_pvalues.pvalue(out.statistic, float((g > 0).sum()), len(g), 0.5)
    return TestStatistic(out.statistic, exact[0], exact[1], s.null) if exact else out


def rank(s: Sample, c: Common) -> Result:
    """Corrado (1989) rank test."""
    return _z(_daily(s, c, "rank_dev", False) / c.sd_rank, s.null)


def modified_rank(s: Sample, c: Common) -> Result:
    """Corrado & Zivney (1992) rank test on standardised ranks."""
    return _z(_daily(s, c, "mrank_dev", True) / c.sd_mrank, s.null)


GRANK_BLOCK = 8192
"""Firm-events ranked at a time by the generalized rank test (bounds its temporary memory)."""


@dataclass(frozen=True)
class GrankParts:
    """What the generalized rank tests of one day or window are computed from (Kolari & Pynnonen 2011).

    Attributes
    ----------
    u0
        Mean demeaned standardised rank of the event observation, ``U = rank / (T_i + 1) - 1/2``.
    sd
        ``S_U``: root mean square over all ``T`` time points of the mean ranks, each weighted
        by its share of firm-events.
    t_points
        ``T``: the estimation days and the event observation.
    null_sd
        The sd of ``u0`` if each firm-event's ranks were uniform and independent of the others.
    """

    u0: float
    sd: float
    t_points: float
    null_sd: float


@dataclass(frozen=True)
class GrankSums:
    """Additive parts of the generalized rank tests over a set of firm-events (one tested day or window).

    ``sums`` and ``counts`` hold, per estimation day, the firm-events' demeaned standardised
    ranks and how many there are; ``u0_sum`` the event observations' ranks; ``null_var``
    the sum of their null variances ``(T_i - 1) / (12 (T_i + 1))``.
    """

    sums: Array
    counts: Array
    u0_sum: float
    null_var: float

    def __add__(self, other: GrankSums) -> GrankSums:
        return GrankSums(
            self.sums + other.sums,
            self.counts + other.counts,
            self.u0_sum + other.u0_sum,
            self.null_var + other.null_var,
        )


GrankEvents = dict[Window, tuple[Mask, Array]]
"""Per tested window: the firm-events ranked and each one's event observation (over its cross-sectional sd)."""


def grank_events(samples: Sequence[Sample], usable: Mask) -> tuple[GrankEvents, dict[Window, InvalidTestStatistic]]:
    """Each sample's event observations: the standardised AR or CAR over their cross-sectional sd.

    A window's observation is the CAR over its own sd (SCAR), as Kolari and Pynnonen (2011)
    define it, unless the profile standardises it otherwise (:attr:`Sample.ranked`).

    Dividing by the cross-sectional sd keeps event-induced volatility from moving the ranks.
    ``usable`` marks the firm-events with estimation returns and a positive sigma.
    """
    events: GrankEvents = {}
    invalid: dict[Window, InvalidTestStatistic] = {}
    for s in samples:
        sx = s.ranked
        ok = usable & np.isfinite(sx)
        if ok.sum() < 2:
            invalid[s.window] = InvalidTestStatistic(
                f"needs at least two firm-events with a value, has {int(ok.sum())}"
            )
            continue
        scale = float(sx[ok].std(ddof=1))
        if not scale > 0:
            invalid[s.window] = InvalidTestStatistic(
                "all firm-events have the same value; the cross-sectional sd is zero"
            )
            continue
        events[s.window] = (ok, sx / scale)
    return events, invalid


def grank_sums(est_ar: Array, sigma: Array, events: GrankEvents, rank_length: RankLength) -> dict[Window, GrankSums]:
    """Rank each firm-event's event observation among its estimation SARs (AR / sigma) and add up the ranks.

    Rows of ``est_ar`` and ``sigma`` are the rows of ``events``' masks and values; the ranks
    are scaled by ``T + 1``, ``T = M + 1`` with ``M`` as ``rank_length`` says.
    Firm-events are ranked a block at a time, each block's estimation ranks serving every
    window; sums over disjoint sets of firm-events add up to the sums over all of them.
    """
    width = est_ar.shape[1]
    out = {w: GrankSums(np.zeros(width), np.zeros(width), 0.0, 0.0) for w in events}
    m = np.isfinite(est_ar).sum(axis=1).astype(np.float64)
    for start in range(0, len(est_ar), GRANK_BLOCK):
        block = slice(start, start + GRANK_BLOCK)
        with np.errstate(invalid="ignore", divide="ignore"):
            sar = est_ar[block] / sigma[block, None]
        ranks = row_medians_and_ranks(sar, m[block])[1]
        missing = np.isnan(ranks)  # no SAR that day
        t_i = rank_length.length(m[block], width) + 1.0
        for w, (ok, g_all) in events.items():
            sel = ok[block]
            if not sel.any():
                continue
            every = bool(sel.all())  # (no copies of the block then)
            sr, rk, gone = (sar, ranks, missing) if every else (sar[sel], ranks[sel], missing[sel])
            g, ti = g_all[block][sel][:, None], t_i[sel]
            tie = sr == g
            # (rank + above + tie / 2) / (T_i + 1) - 1/2, built in place; 0 where no SAR, for the sums
            u = rk + (sr > g).astype(np.float64)  # (numpy adds a float to a bool slowly)
            np.add(u, 0.5, out=u, where=tie)
            u /= ti[:, None] + 1.0
            u -= 0.5
            u[gone] = 0.0
            u0 = ((sr < g).sum(axis=1) + 1.0 + 0.5 * tie.sum(axis=1)) / (ti + 1.0) - 0.5
            out[w] = out[w] + GrankSums(
                u.sum(axis=0),
                (~gone).sum(axis=0).astype(np.float64),
                float(u0.sum()),
                float(((ti - 1.0) / (12.0 * (ti + 1.0))).sum()),
            )
    return out


def grank_parts(sums: GrankSums, n: int) -> GrankParts:
    """Finish the generalized rank tests of ``n`` firm-events from their summed ranks."""
    has = sums.counts > 0
    u0 = sums.u0_sum / n
    t_points = float(has.sum() + 1)
    ms = (float(np.sum(sums.counts[has] / n * (sums.sums[has] / sums.counts[has]) ** 2)) + u0**2) / t_points
    return GrankParts(u0, float(np.sqrt(ms)), t_points, float(np.sqrt(sums.null_var) / n))


def grank_usable(part: Partial, sigma: Array) -> Mask:
    """Firm-events the generalized rank tests can rank: estimation returns and a positive sigma."""
    return np.asarray((part.rows["nobs"] > 0) & np.isfinite(sigma) & (sigma > 0), dtype=bool)


def generalized_ranks(
    part: Partial, samples: Sequence[Sample], sigma: Array, rank_length: RankLength
) -> dict[Window, GrankParts | InvalidTestStatistic]:
    """Return the generalized rank tests' parts of every sample, from inputs that hold the estimation ARs."""
    if "est_ar" not in part.rows:
        why = InvalidTestStatistic(
            "needs every firm-event's estimation-window ARs, which these inputs do not hold (see "
            "Partial.without_estimation_rows)"
        )
        return {s.window: why for s in samples}
    events, out = grank_events(samples, grank_usable(part, sigma))
    sums = grank_sums(part.rows["est_ar"], sigma, events, rank_length)
    done: dict[Window, GrankParts | InvalidTestStatistic] = dict(out)
    done.update({w: grank_parts(sums[w], int(ok.sum())) for w, (ok, _) in events.items()})
    return done


def _grank(s: Sample, c: Common) -> GrankParts | InvalidTestStatistic:
    found = c.grank.get(s.window)
    if found is None:
        found = generalized_ranks(c.part, [s], c.sigma, c.convention.rank_length)[s.window]
    return found


def grank_t(s: Sample, c: Common) -> Result:
    """Kolari & Pynnonen (2011) generalized rank t: ``Z sqrt((T - 2)/(T - 1 - Z^2))``, ``Z = U0 / S_U``, t(T - 2).

    The day, or the whole window, is one observation among the estimation days: its
    standardised AR or CAR as the profile standardises it (the SCAR under ``mackinlay``),
    re-standardised by the cross-sectional sd so event-induced volatility does not bias
    the ranks.
    """
    parts = _grank(s, c)
    if isinstance(parts, InvalidTestStatistic):
        return parts
    z = parts.u0 / parts.sd
    t_points = parts.t_points
    if not t_points - 1.0 - z**2 > 0:
        return InvalidTestStatistic("the estimation window is too short for the t form (T - 1 <= Z^2)")
    return _t(z * np.sqrt((t_points - 2.0) / (t_points - 1.0 - z**2)), t_points - 2.0, s.null)


def grank_z(s: Sample, c: Common) -> Result:
    """Kolari & Pynnonen (2011) generalized rank z: U0 over its null sd ``sqrt(sum (T_i - 1)/(12 (T_i + 1))) / N``, N(0,1)."""
    parts = _grank(s, c)
    if isinstance(parts, InvalidTestStatistic):
        return parts
    return _z(parts.u0 / parts.null_sd, s.null)


def wilcoxon(s: Sample, c: Common) -> Result:
    """Wilcoxon signed-rank test; the statistic is W+ (sum of ranks of positive values).

    The p-value is scipy's (``scipy.stats.wilcoxon``, zeros dropped, no continuity
    correction): exact for up to 50 values without ties, a permutation test for up to 13
    values with ties, otherwise the normal approximation with the tie correction, computed
    here so that large studies do not pay scipy.stats' half-second import.
    """
    x = s.x[np.isfinite(s.x) & (s.x != 0)]
    if len(x) < 1:
        return InvalidTestStatistic("no non-zero values to rank")
    n = len(x)
    ranks = row_medians_and_ranks(np.abs(x)[None, :], np.array([float(n)]))[1][0]
    w_plus = float(ranks[x > 0].sum())
    counts = np.unique(np.abs(x), return_counts=True)[1].astype(np.float64)
    ties = float((counts**3 - counts).sum())
    if n > 50 or (ties and n > 13):
        mean = n * (n + 1) / 4
        sd = np.sqrt((n * (n + 1) * (2 * n + 1) - ties / 2) / 24)
        p = float(2 * special.ndtr(-abs(w_plus - mean) / sd))
        return TestStatistic(w_plus, p, f"W+ (normal approximation, n={n})", s.null)
    from scipy import stats  # loaded for small samples only, not at import

    dist = "permutation" if ties else "exact signed-rank"
    return TestStatistic(w_plus, float(stats.wilcoxon(x).pvalue), f"W+ ({dist}, n={n})", s.null)


TESTS: dict[str, TestFunction] = {
    "csect_t": csect_t,
    "kp_csect_t": kp_csect_t,
    "skew_t": skew_t,
    "bw1980": bw1980,
    "bw1985": bw1985,
    "patell": patell,
    "bmp": bmp,
    "kp_patell": kp_patell,
    "kp_bmp": kp_bmp,
    "lamb": lamb,
    "sign": sign,
    "gen_sign": gen_sign,
    "corrado_sign": corrado_sign,
    "rank": rank,
    "modified_rank": modified_rank,
    "grank_t": grank_t,
    "grank_z": grank_z,
    "wilcoxon": wilcoxon,
}
"""The many-firm tests: name -> pure function of a :class:`Sample` and the :class:`Common` inputs."""

AGGREGATE_TESTS = tuple(TESTS)


BOOTSTRAP_RESAMPLES = 1000
"""Resamples of the bootstrapped skewness-adjusted t (Lyon, Barber & Tsai 1999 use 1,000)."""
BOOTSTRAP_SEED = 0
"""Seed of those resamples, so every run of the same study prints the same p-value."""
BHAR_TESTS = ("csect_t", "skew_t", "boot_skew_t")
"""Tests of the average buy-and-hold abnormal return (ABHAR) over each window."""


def bhar_tests(bhar: Array, window: Window) -> dict[str, Result]:
    """Test that the ABHAR over ``window`` is zero, from each firm-event's BHAR.

    ``csect_t`` and ``skew_t`` are the cross-sectional and Hall (1992) skewness-corrected t of
    the BHARs; ``boot_skew_t`` is Lyon, Barber & Tsai's (1999) bootstrapped skewness-adjusted t.
    """
    sample = Sample(window, [], bhar, bhar, "ABHAR = 0")
    return {
        "csect_t": _csect(bhar, sample.null),
        "skew_t": skew_t(sample, None),  # type: ignore[arg-type]  # it uses no shared quantity
        "boot_skew_t": boot_skew_t(bhar, sample.null),
    }


def _lbt_t(x: Array, centre: Array | float, n: int) -> Array:
    """Lyon, Barber & Tsai's (1999) skewness-adjusted t of each row of ``x`` about ``centre``."""
    mean = x.mean(axis=-1)
    deviation = x - mean[..., None]
    squared = deviation * deviation  # products, not ** 3: numpy's general power is five times slower
    sd = np.sqrt(squared.sum(axis=-1) / (n - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (mean - centre) / sd
        gamma = (squared * deviation).sum(axis=-1) / (n * sd**3)
        return np.sqrt(n) * (ratio + gamma * ratio**2 / 3 + gamma / (6 * n))


def boot_skew_t(x: Array, null: str, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> Result:
    """Bootstrapped skewness-adjusted t (Lyon, Barber & Tsai 1999).

    The statistic is ``sqrt(N) (S + g S^2 / 3 + g / (6 N))`` with ``S = mean / sd`` and
    ``g = sum((x - mean)^3) / (N sd^3)``. Its null distribution is bootstrapped: ``resamples``
    draws of ``N / 4`` values with replacement, each centred on the full-sample mean; the
    two-sided p-value is twice the smaller tail share beyond the observed statistic.
    """
    x = x[np.isfinite(x)]
    n = len(x)
    size = n // 4
    if size < 3:
        return InvalidTestStatistic(f"needs at least 12 firm-events (resamples of N/4 >= 3 values), has {n}")
    if x.std(ddof=1) == 0:
        return InvalidTestStatistic("all firm-events have the same value; the cross-sectional sd is zero")
    stat = float(_lbt_t(x[None, :], 0.0, n)[0])
    rng = np.random.default_rng(seed)
    # A block of resamples at a time bounds memory; the draws are the same stream as in one call.
    block = max(1, 2_000_000 // size)
    boot = np.concatenate(
        [
            _lbt_t(x[rng.integers(0, n, size=(min(block, resamples - done), size))], float(x.mean()), size)
            for done in range(0, resamples, block)
        ]
    )
    boot = boot[np.isfinite(boot)]  # a resample of identical values has no sd
    p = min(1.0, 2 * min(float((boot <= stat).mean()), float((boot >= stat).mean())))
    return TestStatistic(stat, p, f"bootstrap ({len(boot)} resamples of N/4 = {size}, seed {seed})", null)


def test_windows(days: Sequence[int], windows: Sequence[Window]) -> list[Window]:
    """Every test day as a one-day window, then each longer window not already there."""
    return list(dict.fromkeys([*(Window(d, d) for d in days), *windows]))


def aggregate_tests(
    part: Partial,
    days: Sequence[int],
    windows: Sequence[Window],
    in_est: Mask,
    convention: Convention,
    grank: Mapping[Window, GrankParts | InvalidTestStatistic] | None = None,
    position: PositionSums | None = None,
) -> dict[tuple[Window, str], Result]:
    """Compute every test of :data:`TESTS` for each test day (AAR) and window (CAAR).

    Parameters
    ----------
    part
        Merged inputs of all usable firm-events.
    days
        The relative days of ``part`` (see :func:`event_days`).
    windows
        The windows of ``part``.
    in_est
        Relative days inside the estimation window, shape ``(T,)``.
    convention
        The convention profile (its strategy objects).
    grank
        The generalized rank tests' parts, when computed elsewhere (where the estimation
        ARs are, in a partitioned run); by default from ``part``.
    position
        The sums of estimation ARs paired by position (see :func:`cross_correlation`), when
        computed elsewhere; by default from ``part``.

    Returns
    -------
    dict
        ``{(window, test name): statistic}``; a day ``d`` is the window ``[d,d]``.
    """
    labels = test_windows(days, windows)
    if part.n == 0:
        why = InvalidTestStatistic("no usable firm-event")
        return {(w, name): why for w in labels for name in TESTS}
    samples = {s.window: s for s in test_samples(part, days, windows, convention)}
    common = Common.of(part, in_est, convention, position)
    if grank is None:
        grank = generalized_ranks(part, list(samples.values()), common.sigma, convention.rank_length)
    common = replace(common, grank=grank)
    out: dict[tuple[Window, str], Result] = {}
    for w in labels:
        sample = samples[w]
        if sample.n == 0:
            why = InvalidTestStatistic("no firm-event has a value on this day or window")
            out.update({(w, name): why for name in TESTS})
            continue
        out.update({(w, name): test(sample, common) for name, test in TESTS.items()})
    return out


def test_samples(part: Partial, days: Sequence[int], windows: Sequence[Window], convention: Convention) -> list[Sample]:
    """Every day (AAR) and window (CAAR) the many-firm tests test, with each firm-event's values."""
    win_index = {w: j for j, w in enumerate(windows)}
    return [_sample(part, days, w, win_index, convention) for w in test_windows(days, windows)]


def _sample(part: Partial, days: Sequence[int], w: Window, win_index: dict[Window, int], conv: Convention) -> Sample:
    r = part.rows
    if w.length == 1 and w.start in days:
        col = list(days).index(w.start)
        return Sample(w, [col], r["ar"][:, col], r["sar"][:, col], "AAR = 0", daily_sd=r["day_scale"][:, col])
    j = win_index[w]
    cols = [list(days).index(d) for d in range(w.start, w.end + 1)]
    sx = conv.patell_window.compute(r["scar"][:, j], r["csar"][:, j], r["car_days"][:, j])
    cross = conv.patell_window.cross(r["scar"][:, j], r["csar"][:, j], r["car_days"][:, j])
    daily_sd = np.sqrt((r["day_scale"][:, cols] ** 2).sum(axis=1))
    ranked = conv.patell_window.ranked(r["scar"][:, j], r["car"][:, j], daily_sd)
    return Sample(w, cols, r["car"][:, j], sx, "CAAR = 0", cross, ranked, daily_sd)


def estimates(part: Partial, days: Sequence[int], windows: Sequence[Window], convention: Convention) -> pd.DataFrame:
    """AAR per test day and CAAR per window: plain, and precision-weighted beside it.

    Index: the windows of :func:`test_windows`. Columns ``kind`` (``day`` or
    ``window``), ``n``, ``mean`` (plain: the AAR or CAAR under every profile), ``pw_mean``
    (weights 1/sigma), ``iv_mean`` (weights 1/sigma^2) and ``weighted`` (weighted as the
    profile's ``caar_weights`` says).
    """
    r = part.rows
    sigma = r["sigma"]
    rows = []
    for sample in test_samples(part, days, windows, convention):
        k = sample.present & np.isfinite(sigma)
        row: dict[str, object] = {
            "window": sample.window,
            "kind": sample.kind,
            "n": int(k.sum()),
        }
        assert sample.daily_sd is not None  # every day and window sample carries it
        weights = {
            "mean": np.ones_like(sigma),
            "pw_mean": 1.0 / sigma,
            "iv_mean": 1.0 / sigma**2,
            "weighted": convention.caar_weights.weights(sigma, sample.daily_sd),
        }
        for name, wt in weights.items():
            row[name] = float((wt[k] * sample.x[k]).sum() / wt[k].sum()) if k.any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows).set_index("window")
