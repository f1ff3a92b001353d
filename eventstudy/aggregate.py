"""Many-firm tests of the average abnormal return (AAR) and its cumulation (CAAR).

The work is split like a map-reduce so that any number of firm-events can be tested in
bounded memory: :func:`partial` turns one chunk of firm-events into small per-row
arrays (values on the event days and windows only) and additive sums per relative day;
:meth:`Partial.merge` combines chunks; :func:`aggregate_tests` computes every statistic
from the merged parts. All functions are pure.

Test names: ``csect_t``, ``bw1980``, ``bw1985``, ``patell``, ``bmp``, ``kp_patell``,
``kp_bmp``, ``lamb``, ``sign``, ``gen_sign``, ``corrado_sign``, ``rank``,
``modified_rank``, ``wilcoxon``.

References: Brown & Warner (1980, 1985); Patell (1976); Boehmer, Musumeci & Poulsen
(1991); Kolari & Pynnonen (2010); Lamb (1995); Cowan (1992); Corrado (1989); Corrado &
Zivney (1992); Wilcoxon (1945).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special, stats

from eventstudy.conventions import Convention
from eventstudy.inference import InvalidTestStatistic, TestStatistic
from eventstudy.windows import Window

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

AGGREGATE_TESTS = (
    "csect_t",
    "bw1980",
    "bw1985",
    "patell",
    "bmp",
    "kp_patell",
    "kp_bmp",
    "lamb",
    "sign",
    "gen_sign",
    "corrado_sign",
    "rank",
    "modified_rank",
    "wilcoxon",
)

_ROW_KEYS = ("ar", "sar", "mkt", "sign_g", "rank_dev", "mrank_dev", "car", "scar", "csar")
_ROW_SCALARS = ("sigma", "sd_sample", "nobs", "df", "pos_frac", "n_full")
_SUM_KEYS = (
    "est_sum",
    "est_cnt",
    "full_cnt",
    "g_sum",
    "rank_sum",
    "mrank_sum",
    "mkt_sum",
    "mkt_cnt",
    "u_sum",
    "est_pos",
    "est_all",
    "n_u",
)


@dataclass(frozen=True)
class Partial:
    """Inputs of the many-firm tests for a set of usable firm-events.

    Attributes
    ----------
    rows
        Per firm-event arrays: values on the test days, shape ``(n, D)`` (``ar``,
        ``sar``, ``mkt``, ``sign_g``, ``rank_dev``, ``mrank_dev``), per window, shape
        ``(n, W)`` (``car``, ``scar``, ``csar``), and scalars, shape ``(n,)``.
    sums
        Sums over firm-events per relative day, shape ``(T,)`` (or ``(1,)`` for totals).
    """

    rows: dict[str, Array]
    sums: dict[str, Array]

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
    order = np.argsort(vals, axis=1)  # NaN sorts last
    srt = np.take_along_axis(vals, order, axis=1)
    k = counts.astype(np.intp)
    lo = np.clip((k - 1) // 2, 0, t - 1)
    hi = np.clip(k // 2, 0, t - 1)
    rows = np.arange(n)
    median = np.where(k > 0, 0.5 * (srt[rows, lo] + srt[rows, hi]), np.nan)
    avg = np.broadcast_to(np.arange(1.0, t + 1.0), (n, t)).copy()
    tied = (srt[:, 1:] == srt[:, :-1]).any(axis=1)
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
        avg[tied] = (first + last) / 2.0 + 1.0
    ranks = np.empty((n, t))
    np.put_along_axis(ranks, order, avg, axis=1)
    ranks[np.isnan(vals)] = np.nan
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
    mkt: Array,
    sigma: Array,
    nobs: Array,
    df: Array,
    usable: Mask,
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
    mkt
        Market returns on the grid, shape ``(n, T)``.
    sigma, nobs, df
        Residual standard deviation, estimation observations and residual degrees of
        freedom per firm-event.
    usable
        Firm-events that enter the tests.

    Returns
    -------
    Partial
    """
    keep = usable & np.isfinite(sigma)
    ar, est, car, mkt = ar[keep], est[keep], car[keep], mkt[keep]
    day_scale, window_scale = day_scale[keep], window_scale[keep]
    sigma, nobs, df = sigma[keep], nobs[keep], df[keep]
    n, t = ar.shape
    col = {int(r): i for i, r in enumerate(rel)}
    dcols = np.array([col[d] for d in days], dtype=np.intp)
    in_days = np.zeros(t, dtype=bool)
    in_days[dcols] = True

    est_ar = np.where(est, ar, np.nan)
    m = est.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        est_mean = np.nansum(est_ar, axis=1) / m
        dev = np.where(est, ar - est_mean[:, None], 0.0)
        ss = (dev**2).sum(axis=1)
        sd_sample = np.sqrt(ss / (m - 1.0))
        pos_frac = np.where(est, ar > 0, False).sum(axis=1) / m
        u = dev / np.sqrt(ss)[:, None]
    u = np.where(np.isfinite(u), u, 0.0)

    # Ranks and signs use the estimation and test days together (Corrado 1989).
    full = (est | in_days[None, :]) & np.isfinite(ar)
    vals = np.where(full, ar, np.nan)
    n_full = full.sum(axis=1).astype(np.float64)
    median, ranks = row_medians_and_ranks(vals, n_full)
    sign_g = np.where(full, np.sign(vals - median[:, None]), np.nan)
    rank_dev = np.where(full, ranks - (n_full[:, None] + 1.0) / 2.0, np.nan)
    mrank_dev = np.where(full, ranks / (n_full[:, None] + 1.0) - 0.5, np.nan)

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
    rows = {
        "ar": ar_d,
        "sar": sar,
        "mkt": mkt[:, dcols],
        "sign_g": sign_g[:, dcols],
        "rank_dev": rank_dev[:, dcols],
        "mrank_dev": mrank_dev[:, dcols],
        "car": car,
        "scar": scar,
        "csar": csar,
        "sigma": sigma,
        "sd_sample": sd_sample,
        "nobs": nobs,
        "df": df,
        "pos_frac": pos_frac,
        "n_full": n_full,
    }
    sums = {
        "est_sum": np.nansum(est_ar, axis=0),
        "est_cnt": est.sum(axis=0).astype(np.float64),
        "full_cnt": full.sum(axis=0).astype(np.float64),
        "g_sum": np.nansum(sign_g, axis=0),
        "rank_sum": np.nansum(rank_dev, axis=0),
        "mrank_sum": np.nansum(mrank_dev, axis=0),
        "mkt_sum": np.where(mkt_est, mkt, 0.0).sum(axis=0),
        "mkt_cnt": mkt_est.sum(axis=0).astype(np.float64),
        "u_sum": u.sum(axis=0),
        "est_pos": np.array([float(np.where(est, ar > 0, False).sum())]),
        "est_all": np.array([float(m.sum())]),
        "n_u": np.array([float((ss > 0).sum())]),
    }
    return Partial(rows, sums)


def mean_residual_correlation(part: Partial) -> float:
    """Mean pairwise correlation of estimation-window abnormal returns (Kolari & Pynnonen 2010).

    Residuals are aligned by relative day, which is calendar alignment for events on one
    date; each firm-event's residuals are centred and scaled to unit length, so the sum
    of all pairwise correlations is ``|sum of scaled residuals|^2 - n``.
    """
    n_u = float(part.sums["n_u"][0])
    if n_u < 2:
        return float("nan")
    u = part.sums["u_sum"]
    return (float(u @ u) - n_u) / (n_u * (n_u - 1.0))


def _t(stat: float, df: float, null: str = "AAR = 0") -> TestStatistic | InvalidTestStatistic:
    if not np.isfinite(stat):
        return InvalidTestStatistic("the statistic is undefined (no variation or too few firm-events)")
    if not df > 0:
        return InvalidTestStatistic(f"needs at least two firm-events (degrees of freedom {df:g})")
    # special.stdtr is the t CDF without scipy.stats' per-call overhead (same values)
    return TestStatistic(float(stat), float(2 * special.stdtr(df, -abs(stat))), f"t({df:g})", null)


def _z(stat: float, null: str = "AAR = 0") -> TestStatistic | InvalidTestStatistic:
    if not np.isfinite(stat):
        return InvalidTestStatistic("the statistic is undefined (no variation or too few firm-events)")
    return TestStatistic(float(stat), float(2 * special.ndtr(-abs(stat))), "N(0,1)", null)


def _csect(x: Array, null: str) -> TestStatistic | InvalidTestStatistic:
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return InvalidTestStatistic(f"needs at least two firm-events with a value, has {len(x)}")
    sd = x.std(ddof=1)
    if sd == 0:
        return InvalidTestStatistic("all firm-events have the same value; the cross-sectional sd is zero")
    return _t(x.mean() / (sd / np.sqrt(len(x))), len(x) - 1, null)


def _wilcoxon(x: Array, null: str) -> TestStatistic | InvalidTestStatistic:
    x = x[np.isfinite(x) & (x != 0)]
    if len(x) < 1:
        return InvalidTestStatistic("no non-zero values to rank")
    ranks = stats.rankdata(np.abs(x))
    w_plus = float(ranks[x > 0].sum())
    res = stats.wilcoxon(x, zero_method="wilcox")
    dist = "exact signed-rank" if len(x) <= 50 and len(np.unique(np.abs(x))) == len(x) else "normal approximation"
    return TestStatistic(w_plus, float(res.pvalue), f"W+ ({dist}, n={len(x)})", null)


def aggregate_tests(
    part: Partial,
    days: Sequence[int],
    windows: Sequence[Window],
    in_est: Mask,
    convention: Convention,
) -> dict[tuple[str, str], TestStatistic | InvalidTestStatistic]:
    """Compute every many-firm test for each test day (AAR) and window (CAAR).

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
        The convention profile (standardisation, sums, generalized sign share).

    Returns
    -------
    dict
        ``{(window label, test name): statistic}``; a day ``d`` is labelled like the window ``[d,d]``.
    """
    r, s = part.rows, part.sums
    n_all = part.n
    out: dict[tuple[str, str], TestStatistic | InvalidTestStatistic] = {}
    if n_all == 0:
        for label in dict.fromkeys([*(str(Window(d, d)) for d in days), *(str(w) for w in windows)]):
            for name in AGGREGATE_TESTS:
                out[(label, name)] = InvalidTestStatistic("no usable firm-event")
        return out
    sample = convention.standardise == "sample"
    quirk = convention.cross_sums == "mean_times_n"
    sigma = r["sd_sample"] if sample else r["sigma"]
    mbar = float(np.mean(r["nobs"]))
    bw_df = mbar - 1.0

    # Time series of the estimation-window AAR (Brown & Warner 1985 crude dependence).
    with np.errstate(invalid="ignore", divide="ignore"):
        est_aar = s["est_sum"] / s["est_cnt"]
    est_aar = est_aar[np.isfinite(est_aar)]
    sd_aar = float(est_aar.std(ddof=1)) if len(est_aar) > 1 else float("nan")

    # Lamb (1995): the market's estimation moments from the mean market series.
    with np.errstate(invalid="ignore", divide="ignore"):
        mkt_series = s["mkt_sum"] / s["mkt_cnt"]
    mkt_series = mkt_series[in_est & np.isfinite(mkt_series)]
    m_mean = float(mkt_series.mean()) if len(mkt_series) else float("nan")
    m_sxx = float(((mkt_series - m_mean) ** 2).sum()) if len(mkt_series) else float("nan")

    rbar = mean_residual_correlation(part)

    # Expected share of positive ARs for the generalized sign test.
    if convention.gen_sign_p == "pooled":
        p_hat = float(s["est_pos"][0] / s["est_all"][0])
    else:
        p_hat = float(np.nanmean(r["pos_frac"]))

    # Corrado sign and rank standard deviations over estimation and test days.
    cnt = s["full_cnt"]
    has = cnt > 0
    scale_n = np.where(has, n_all / np.where(has, cnt, 1.0), np.nan) if quirk else np.ones_like(cnt)
    mean_tfull = float(np.mean(r["n_full"]))
    with np.errstate(invalid="ignore", divide="ignore"):
        g_day = s["g_sum"] * scale_n / np.sqrt(cnt)
        r_day = s["rank_sum"] * scale_n / cnt
        mr_day = s["mrank_sum"] * scale_n / np.sqrt(cnt)
    sd_g = float(np.sqrt(np.nansum(g_day[has] ** 2) / mean_tfull))
    sd_r = float(np.sqrt(np.nansum(r_day[has] ** 2) / mean_tfull))
    sd_mr = float(np.sqrt(np.nansum(mr_day[has] ** 2) / mean_tfull))

    def kp(base: TestStatistic | InvalidTestStatistic, n: int, dist: str) -> TestStatistic | InvalidTestStatistic:
        if isinstance(base, InvalidTestStatistic):
            return base
        if not np.isfinite(rbar):
            return InvalidTestStatistic("needs at least two firm-events with estimation residuals")
        factor = np.sqrt((1.0 - rbar) / (1.0 + (n - 1.0) * rbar))
        stat = base.stat * factor
        if dist == "z":
            return _z(stat, base.null)
        return _t(stat, n - 1, base.null)

    groups: list[tuple[str, list[int], int | None]] = [(str(Window(d, d)), [i], i) for i, d in enumerate(days)]
    labels = {g[0] for g in groups}
    for w in windows:
        if str(w) not in labels:
            groups.append((str(w), [days.index(d) for d in range(w.start, w.end + 1)], None))
    win_index = {str(w): j for j, w in enumerate(windows)}

    for label, cols, day_col in groups:
        length = len(cols)
        null = "AAR = 0" if day_col is not None else "CAAR = 0"
        if day_col is not None:
            x = r["ar"][:, day_col]
            sx = r["sar"][:, day_col]
        else:
            j = win_index[label]
            x = r["car"][:, j]
            sx = r["csar"][:, j] / np.sqrt(length) if convention.patell_window == "csar" else r["scar"][:, j]
        present = np.isfinite(x)
        n = int(present.sum())
        if n == 0:
            for name in AGGREGATE_TESTS:
                out[(label, name)] = InvalidTestStatistic("no firm-event has a value on this day or window")
            continue
        mult = n_all / n if quirk else 1.0
        mean_x = float(x[present].mean())

        out[(label, "csect_t")] = _csect(x, null)
        # estudy2 sums the variances of all firms and divides by their number.
        sel_sigma = sigma if quirk else sigma[present]
        n_var = n_all if quirk else n
        var_sum = float(np.nansum(sel_sigma**2))
        out[(label, "bw1980")] = _t(mean_x / (np.sqrt(length * var_sum) / n_var), bw_df, null)
        out[(label, "bw1985")] = _t(mean_x / (np.sqrt(length) * sd_aar), bw_df, null)

        ok = present & np.isfinite(sx)
        df_i = r["df"] if quirk else r["df"][ok]
        with np.errstate(invalid="ignore", divide="ignore"):
            patell_var = float(np.sum(df_i / (df_i - 2.0)))
        if np.any(df_i <= 2):
            patell: TestStatistic | InvalidTestStatistic = InvalidTestStatistic(
                "needs more than four estimation returns per firm-event"
            )
        else:
            patell = _z(float(sx[ok].sum()) * (n_all / ok.sum() if quirk else 1.0) / np.sqrt(patell_var), null)
        out[(label, "patell")] = patell
        bmp = _csect(sx, null)
        out[(label, "bmp")] = bmp
        out[(label, "kp_patell")] = kp(patell, int(ok.sum()), "z")
        out[(label, "kp_bmp")] = kp(bmp, int(ok.sum()), "t")

        mkt_dev = float(np.sum([np.nanmean(r["mkt"][:, c]) - m_mean for c in cols]))
        lamb_sd = sd_aar * np.sqrt(length + length**2 / mbar + mkt_dev**2 / m_sxx)
        out[(label, "lamb")] = _t(mean_x / lamb_sd, bw_df, null)

        pos = float((x[present] > 0).sum()) * mult
        out[(label, "sign")] = _z((pos - n * 0.5) / np.sqrt(n * 0.25), null)
        if 0 < p_hat < 1:
            out[(label, "gen_sign")] = _z((pos - n * p_hat) / np.sqrt(n * p_hat * (1 - p_hat)), null)
        else:
            out[(label, "gen_sign")] = InvalidTestStatistic(
                f"the estimation-window share of positive ARs is {p_hat:g}; it must lie strictly between 0 and 1"
            )

        def daily(key: str, root: bool, cols: list[int] = cols, length: int = length) -> float:
            total = 0.0
            for c in cols:
                v = r[key][:, c]
                k = np.isfinite(v)
                nk = int(k.sum())
                if nk == 0:
                    return float("nan")
                sm = float(v[k].sum()) * (n_all / nk if quirk else 1.0)
                total += sm / (np.sqrt(nk) if root else nk)
            return total / np.sqrt(length)

        out[(label, "corrado_sign")] = _z(daily("sign_g", True) / sd_g, null)
        out[(label, "rank")] = _z(daily("rank_dev", False) / sd_r, null)
        out[(label, "modified_rank")] = _z(daily("mrank_dev", True) / sd_mr, null)
        out[(label, "wilcoxon")] = _wilcoxon(x, null)
    return out


def estimates(part: Partial, days: Sequence[int], windows: Sequence[Window], convention: Convention) -> pd.DataFrame:
    """AAR per test day and CAAR per window: equal-weighted and precision-weighted.

    Precision weights are proportional to ``1 / sigma`` (``inv_sigma``) or ``1 / sigma^2``.
    """
    r = part.rows
    rows = []
    w_inv = 1.0 / r["sigma"]
    w_inv2 = 1.0 / r["sigma"] ** 2
    for i, d in enumerate(days):
        x = r["ar"][:, i]
        rows.append(_estimate_row(str(Window(d, d)), "day", x, w_inv, w_inv2))
    for j, w in enumerate(windows):
        rows.append(_estimate_row(str(w), "window", r["car"][:, j], w_inv, w_inv2))
    frame = pd.DataFrame(rows).drop_duplicates("window").set_index("window")
    frame["headline"] = frame["pw_mean"] if convention.caar_weights == "inv_sigma" else frame["mean"]
    return frame


def _estimate_row(label: str, kind: str, x: Array, w1: Array, w2: Array) -> dict[str, object]:
    k = np.isfinite(x) & np.isfinite(w1)
    n = int(k.sum())
    if n == 0:
        return {"window": label, "kind": kind, "n": 0, "mean": np.nan, "pw_mean": np.nan, "iv_mean": np.nan}
    return {
        "window": label,
        "kind": kind,
        "n": n,
        "mean": float(x[k].mean()),
        "pw_mean": float((w1[k] * x[k]).sum() / w1[k].sum()),
        "iv_mean": float((w2[k] * x[k]).sum() / w2[k].sum()),
    }
