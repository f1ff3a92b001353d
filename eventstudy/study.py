"""The orchestration: config -> prices -> returns -> sessions -> stacked fit -> results.

All firm-events are stacked into arrays (firm-event x relative day) and computed
together, in chunks of bounded size. This module only moves data between the stages;
the numbers come from :mod:`eventstudy.abnormal` and :mod:`eventstudy.inference`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from eventstudy import abnormal, aggregate, inference
from eventstudy._options import validate_literal
from eventstudy.backends import Backend, run_chunks
from eventstudy.calendar import sessions_between, to_sessions
from eventstudy.config import Event, StudyConfig, parse_date
from eventstudy.conventions import CONVENTIONS, Convention, get_convention
from eventstudy.data.factors import load_factors, read_factor_file
from eventstudy.data.panel import PricePanel
from eventstudy.data.returns import SplitJump, compute_returns, find_split_jumps
from eventstudy.data.sources import BundledSource, CsvSource, Source
from eventstudy.errors import (
    EventDateError,
    EventExcludedWarning,
    InsufficientEstimationDataError,
    MissingReturnsWarning,
    NoUsableEventsError,
    ShortEstimationWindowWarning,
    SplitJumpError,
    SplitJumpWarning,
    warn,
)
from eventstudy.models import MARKET, ReturnModel, factor_model, get_model
from eventstudy.results import EventStudyResults
from eventstudy.windows import Window

DEFAULT_CHUNK = 5_000
Paths = Literal["full", "windows"]


def make_source(config: StudyConfig, *, offline: bool = False) -> Source:
    """Return the price source a config asks for (``offline``: Yahoo from the cache only)."""
    if config.source == "csv" or config.prices:
        if not config.prices:
            from eventstudy.errors import ConfigError

            raise ConfigError("source='csv' needs prices = \"PATH\" in [data].")
        return CsvSource(config.prices)
    if config.source == "yahoo":
        from eventstudy.data.yahoo import YahooSource

        last = max(e.event_date for e in config.events) + dt.timedelta(days=30)
        first = min(e.event_date for e in config.events) - dt.timedelta(days=int(-config.estimation.start * 1.6) + 30)
        return YahooSource(first, last, offline=offline)
    return BundledSource()


@dataclass(frozen=True)
class Stack:
    """Inputs of the stacked engine for a set of firm-events."""

    rel: NDArray[np.int64]
    ret: NDArray[np.float64]  # firm returns (n, T)
    mkt: NDArray[np.float64]  # market returns (n, T)
    factors: NDArray[np.float64]  # (n, T, f) factor columns incl. rf last, or (n, T, 0)
    factor_names: tuple[str, ...]
    positions: NDArray[np.int64]  # session positions (n, T), -1 outside data
    usable: NDArray[np.bool_] | None = None  # firm-events allowed into the tests (None: all)


def grid_positions(event_pos: NDArray[np.int64], rel: NDArray[np.int64], n_sessions: int) -> NDArray[np.int64]:
    """Session position of every relative day of every firm-event; -1 outside the data."""
    pos = event_pos[:, None] + rel[None, :]
    return np.where((pos >= 0) & (pos < n_sessions), pos, -1)


def pair_returns(
    prices: NDArray[np.float64],
    firm_cols: NDArray[np.int64],
    mkt_cols: NDArray[np.int64],
    kind: str,
    names: Sequence[str],
) -> tuple[NDArray[np.float64], list[str], NDArray[np.int64], NDArray[np.int64]]:
    """Compute each firm's and its market's returns over the days on which both have a price.

    On this calendar a day the firm does not trade is skipped for both series, so the
    next return spans the gap for both (the EventStudyTools convention).

    Returns
    -------
    values, columns, firm_cols, mkt_cols
        Sessions x (2 x pairs) returns (firm then market for each distinct pair), their
        names, and each firm-event's two columns in ``values``.
    """
    pairs = list(dict.fromkeys(zip(firm_cols.tolist(), mkt_cols.tolist(), strict=True)))
    slot = {pair: j for j, pair in enumerate(pairs)}
    values = np.full((prices.shape[0], 2 * len(pairs)), np.nan)
    for (f, m), j in slot.items():
        common = np.flatnonzero(np.isfinite(prices[:, f]) & np.isfinite(prices[:, m]))
        for col, dest in ((f, 2 * j), (m, 2 * j + 1)):
            p = prices[common, col]
            values[common[1:], dest] = np.log(p[1:] / p[:-1]) if kind == "log" else p[1:] / p[:-1] - 1.0
    columns = [names[c] for pair in pairs for c in pair]
    index = np.array([slot[(f, m)] for f, m in zip(firm_cols.tolist(), mkt_cols.tolist(), strict=True)])
    return values, columns, 2 * index, 2 * index + 1


def pair_positions(
    values: NDArray[np.float64],
    event_pos: NDArray[np.int64],
    firm_cols: NDArray[np.int64],
    mkt_cols: NDArray[np.int64],
    rel: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Like :func:`grid_positions`, counting only days where firm and market both have a return.

    The event day is the first such day on or after the event session.
    """
    out = np.full((len(event_pos), len(rel)), -1, dtype=np.int64)
    pairs: dict[tuple[int, int], NDArray[np.intp]] = {}
    for i, (f, m) in enumerate(zip(firm_cols.tolist(), mkt_cols.tolist(), strict=True)):
        if (f, m) not in pairs:
            pairs[(f, m)] = np.flatnonzero(np.isfinite(values[:, f]) & np.isfinite(values[:, m]))
        days = pairs[(f, m)]
        k = int(np.searchsorted(days, event_pos[i])) + rel
        inside = (k >= 0) & (k < len(days))
        out[i, inside] = days[k[inside]]
    return out


def take(values: NDArray[np.float64], pos: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.float64]:
    """Pick ``values[pos, col]`` for every firm-event and relative day; NaN where ``pos`` is -1."""
    out = values[np.where(pos >= 0, pos, 0), cols[:, None]]
    return np.where(pos >= 0, out, np.nan)


@dataclass(frozen=True)
class Grid:
    """Returns of every series on one session grid, and the model's factors on it."""

    sessions: pd.DatetimeIndex
    values: NDArray[np.float64]  # sessions x series
    columns: list[str]
    factors: NDArray[np.float64]  # sessions x factors
    factor_names: tuple[str, ...]


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk of firm-events yields: per-row arrays and the many-firm test inputs."""

    arrays: dict[str, NDArray[np.float64]]
    partial: aggregate.Partial


def compute_chunk(
    stack: Stack,
    model: ReturnModel,
    estimation: Window,
    windows: Sequence[Window],
    *,
    event_window: Window | None = None,
    convention: Convention = CONVENTIONS["mackinlay"],
    min_obs: int = 3,
    keep_from: int | None = None,
) -> ChunkResult:
    """Fit the model and compute ARs, CARs and tests for one chunk of firm-events.

    A pure function of arrays: the same rows give the same numbers whatever the chunk
    they are computed in. Per-day paths (returns, ARs, variances) are returned from
    relative day ``keep_from`` on (all days when None), which bounds the memory of
    large batches; every statistic is computed from the full paths first.
    """
    rel = stack.rel
    y = stack.ret
    names = stack.factor_names
    if model.excess:
        y = y - stack.factors[:, :, names.index("rf")]
    if model.offset_market:
        y = y - stack.mkt
    cols = [stack.mkt if r == MARKET else stack.factors[:, :, names.index(r)] for r in model.regressors]
    x = np.stack(cols, axis=2) if cols else np.zeros((*y.shape, 0))
    in_est = (rel >= estimation.start) & (rel <= estimation.end)
    est = in_est[None, :] & np.isfinite(y) & np.isfinite(x).all(axis=2)
    fit = abnormal.fit_stack(y, x, est, intercept=model.intercept)
    ar = y - abnormal.expected(fit, x)
    expected_ret = stack.ret - ar
    sigma = np.sqrt(fit.sigma2)
    ar_var = abnormal.ar_variance(fit, x)
    # Some tools round before testing; the stored ARs stay exact.
    digits = convention.rounding
    ar_t: NDArray[np.float64] = np.round(ar, digits) if digits is not None else ar
    sigma_t = np.asarray(np.round(sigma, digits) if digits is not None else sigma, dtype=np.float64)
    exact = convention.single_variance == "exact"
    keep = slice(None) if keep_from is None else slice(int(np.searchsorted(rel, keep_from)), None)
    est_pos = np.where(est, stack.positions, -1)
    out: dict[str, NDArray[np.float64]] = {
        "ar": ar[:, keep],
        "expected": expected_ret[:, keep],
        "ar_var": (ar_var if exact else np.broadcast_to((sigma_t**2)[:, None], ar.shape))[:, keep],
        "t_ar": (ar_t / np.sqrt(ar_var if exact else (sigma_t**2)[:, None]))[:, keep],
        "est": est[:, keep].astype(np.float64),
        "ret": stack.ret[:, keep],
        "mkt": stack.mkt[:, keep],
        "positions": stack.positions[:, keep].astype(np.float64),
        "est_first": np.where(est.any(axis=1), np.where(est, est_pos, np.iinfo(np.int64).max).min(axis=1), -1).astype(
            np.float64
        ),
        "est_last": est_pos.max(axis=1).astype(np.float64),
        "alpha": fit.alpha,
        "coef": fit.coef,
        "sigma": sigma,
        "nobs": fit.nobs,
        "df": fit.df,
    }
    scale_fit = fit
    if convention.standardise == "sample":
        # Sample sd (M - 1) of the estimation ARs, with the regressors' moments over
        # every estimation date (also where the firm has no return).
        x_days = in_est[None, :] & np.isfinite(x).all(axis=2)
        moments = abnormal.fit_stack(np.zeros_like(y), x, x_days, intercept=model.intercept)
        est_ar = np.where(est, ar, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            s2 = np.nanvar(est_ar, axis=1, ddof=1) if est_ar.shape[1] else np.zeros(len(ar))
        scale_fit = replace(moments, sigma2=s2, nobs=fit.nobs)
    days = aggregate.event_days(event_window or windows[0], windows)
    col = {int(r): i for i, r in enumerate(rel)}
    dcols = np.array([col[d] for d in days], dtype=np.intp)
    day_scale = np.sqrt(abnormal.ar_variance(scale_fit, x)[:, dcols])
    cars, scales = [], []
    for w in windows:
        idx = np.flatnonzero((rel >= w.start) & (rel <= w.end))
        car = abnormal.window_sum(ar_t, idx)
        var = abnormal.car_variance(fit, x, idx) if exact else sigma_t**2 * float(w.length)
        t, p = inference.t_test(car, var, fit.df)
        q, sq_p, _n_sums = inference.sq_test(ar, est, car, w.length)
        out[f"car:{w}"] = car
        out[f"var:{w}"] = var
        out[f"t:{w}"] = t
        out[f"p:{w}"] = p
        out[f"sq_q:{w}"] = q
        out[f"sq_p:{w}"] = sq_p
        out[f"bhar:{w}"] = abnormal.bhar(stack.ret, expected_ret, idx)
        cars.append(car)
        scales.append(np.sqrt(abnormal.car_variance(scale_fit, x, idx)))
    n = len(ar)
    part = aggregate.partial(
        ar=ar_t,
        est=est,
        in_est=in_est,
        rel=rel,
        days=days,
        windows=windows,
        car=np.column_stack(cars) if cars else np.zeros((n, 0)),
        day_scale=day_scale,
        window_scale=np.column_stack(scales) if scales else np.zeros((n, 0)),
        mkt=stack.mkt,
        sigma=sigma_t,
        nobs=fit.nobs,
        df=fit.df,
        usable=(fit.nobs >= min_obs) & (stack.usable if stack.usable is not None else True),
    )
    return ChunkResult(out, part)


class EventStudy:
    """An event study: a configuration and a price source.

    Parameters
    ----------
    config
        The frozen study configuration.
    source
        Where prices come from; by default the one the config names (the bundled
        snapshot unless told otherwise).
    strict
        Raise instead of leaving out a firm-event whose data is unusable.
    chunk_size
        Firm-events computed together; bounds peak memory.
    backend
        ``local`` (this process) or ``dask`` (a ``dask.distributed`` cluster; see
        :mod:`eventstudy.backends`). Results are identical.
    progress
        Show a progress bar (default: only for long runs on a terminal, never in CI).
    allow_jumps
        Do not look for prices that move by an exact split factor (1/2, 1/3, 2, ...) in
        one day. Otherwise such a jump is taken for a split missing from the adjusted
        closes: the firm-event is left out (an error with ``strict``), or kept with a
        warning under a convention that reproduces a tool which keeps them.
    paths
        ``full`` keeps every relative day's returns and ARs in the results (estimation
        window included); ``windows`` keeps them from the day before the first window
        on, which is what large batches need (every statistic is the same).

    Examples
    --------
    >>> from eventstudy import EventStudy, StudyConfig
    >>> from eventstudy.cli import default_study_path
    >>> res = EventStudy(StudyConfig.from_toml(default_study_path())).fit()  # doctest: +SKIP
    """

    def __init__(
        self,
        config: StudyConfig,
        source: Source | None = None,
        *,
        strict: bool = False,
        chunk_size: int = DEFAULT_CHUNK,
        backend: str = "local",
        progress: bool | None = None,
        paths: str = "full",
        allow_jumps: bool = False,
    ) -> None:
        validate_literal("backend", backend, Backend)
        validate_literal("paths", paths, Paths)
        self.config = config
        self.source = source if source is not None else make_source(config)
        self.strict = strict
        self.chunk_size = max(1, int(chunk_size))
        self.custom_factors = (
            read_factor_file(config.factors, config.factor_columns)
            if config.model == "custom" and config.factors
            else None
        )
        self.model = (
            factor_model(config.factor_columns, excess="rf" in self.custom_factors.columns)
            if self.custom_factors is not None
            else get_model(config.model)
        )
        self.convention = get_convention(config.convention)
        self.backend = backend
        self.progress = progress
        self.paths = paths
        self.allow_jumps = allow_jumps

    def load_prices(self) -> PricePanel:
        """Load every series the study needs from the source."""
        names = list(dict.fromkeys([*self.config.tickers, *self.config.markets]))
        return self.source.load(names)

    def fit(self, prices: PricePanel | None = None) -> EventStudyResults:
        """Run the study and return its immutable results."""
        cfg = self.config
        panel = prices if prices is not None else self.load_prices()
        grid = self._grid(panel)
        windows = list(dict.fromkeys([cfg.event_window, *cfg.car_windows]))
        lo = min(cfg.estimation.start, *(w.start for w in windows))
        hi = max(cfg.estimation.end, *(w.end for w in windows))
        rel = np.arange(lo, hi + 1, dtype=np.int64)

        rows = self._place_events(grid.sessions)
        event_pos = grid.sessions.get_indexer(pd.DatetimeIndex([r[1] for r in rows])).astype(np.int64)
        col_of = {name: i for i, name in enumerate(grid.columns)}
        firm_cols = np.array([col_of[r[0].ticker] for r in rows], dtype=np.int64)
        mkt_cols = np.array([col_of[r[0].market] for r in rows], dtype=np.int64)
        pair_pos = None
        if self.convention.calendar == "pair":
            levels = panel.adj_close.reindex(grid.sessions)[grid.columns].to_numpy(dtype="float64")
            values, columns, firm_cols, mkt_cols = pair_returns(levels, firm_cols, mkt_cols, cfg.returns, grid.columns)
            grid = replace(grid, values=values, columns=columns)
            pair_pos = pair_positions(grid.values, event_pos, firm_cols, mkt_cols, rel)
            # The event day is the first day on which firm and market both trade.
            day0 = pair_pos[:, int(np.flatnonzero(rel == 0)[0])]
            rows = [(ev, grid.sessions[int(p)] if p >= 0 else s) for (ev, s), p in zip(rows, day0, strict=True)]
            spans = np.column_stack(
                [np.where(pair_pos >= 0, pair_pos, pair_pos.max()).min(axis=1), pair_pos.max(axis=1)]
            )
        else:
            spans = np.clip(np.column_stack([event_pos + rel[0], event_pos + rel[-1]]), 0, len(grid.sessions) - 1)

        jumps: dict[int, SplitJump] = {}
        if not self.allow_jumps:
            jumps = find_split_jumps(
                grid.values, cfg.returns, grid.columns, grid.sessions, spans, (firm_cols, mkt_cols)
            )
        keep_jumps = self.convention.split_jumps == "keep"
        if jumps and self.strict and not keep_jumps:
            i = min(jumps)
            raise SplitJumpError(rows[i][0].event_id, jumps[i].describe())
        clean = np.ones(len(rows), dtype=bool)
        if not keep_jumps:
            clean[list(jumps)] = False
        # An event window that runs off the data cannot be measured at all (unlike a
        # missing price inside it): such firm-events are left out with the reason.
        ew = (rel >= cfg.event_window.start) & (rel <= cfg.event_window.end)
        off_data: NDArray[np.bool_]
        if pair_pos is not None:
            off_data = np.asarray((pair_pos[:, ew] < 0).any(axis=1), dtype=bool)
        else:
            last = len(grid.sessions) - 1
            off_data = np.asarray(
                (event_pos + cfg.event_window.start < 0) | (event_pos + cfg.event_window.end > last), dtype=bool
            )
        if off_data.any() and self.strict:
            i = int(np.argmax(off_data))
            raise EventDateError(
                f"event_date of {rows[i][0].event_id}",
                str(rows[i][1].date()),
                f"leaves the event window {cfg.event_window} outside the price data "
                f"({grid.sessions[0].date()} to {grid.sessions[-1].date()})",
                "choose an earlier date or a shorter window, or load more data",
            )
        clean &= ~off_data

        def stack(sl: slice) -> Stack:
            pos = pair_pos[sl] if pair_pos is not None else grid_positions(event_pos[sl], rel, len(grid.sessions))
            fac = (
                np.stack([take(grid.factors, pos, np.full(len(pos), j)) for j in range(len(grid.factor_names))], axis=2)
                if grid.factor_names
                else np.zeros((*pos.shape, 0))
            )
            firm, mkt = take(grid.values, pos, firm_cols[sl]), take(grid.values, pos, mkt_cols[sl])
            return Stack(rel, firm, mkt, fac, grid.factor_names, pos, clean[sl])

        keep_from = None if self.paths == "full" else min(w.start for w in windows) - 1
        slices = [slice(a, a + self.chunk_size) for a in range(0, len(rows), self.chunk_size)]
        compute = functools.partial(
            compute_chunk,
            model=self.model,
            estimation=cfg.estimation,
            windows=windows,
            event_window=cfg.event_window,
            convention=self.convention,
            min_obs=cfg.min_estimation_obs,
            keep_from=keep_from,
        )
        sizes = [len(range(*sl.indices(len(rows)))) for sl in slices]
        results = run_chunks(compute, map(stack, slices), sizes, self.backend, progress=self.progress)
        arrays = {k: np.concatenate([c.arrays[k] for c in results]) for k in results[0].arrays}
        part = aggregate.Partial.merge([c.partial for c in results])
        days = aggregate.event_days(cfg.event_window, windows)
        in_est = (rel >= cfg.estimation.start) & (rel <= cfg.estimation.end)

        status = self._statuses(rows, arrays, windows, jumps, keep_jumps, off_data, grid.sessions)
        return EventStudyResults.build(
            config=cfg,
            model=self.model,
            events=[r[0] for r in rows],
            sessions=grid.sessions,
            event_sessions=[r[1] for r in rows],
            rel=rel if keep_from is None else rel[rel >= keep_from],
            positions=arrays["positions"].astype(np.int64),
            ret=arrays["ret"],
            market_ret=arrays["mkt"],
            arrays=arrays,
            windows=windows,
            status=status,
            convention=self.convention,
            aggregate_tests=aggregate.aggregate_tests(part, days, windows, in_est, self.convention),
            aggregate_estimates=aggregate.estimates(part, days, windows, self.convention),
            residual_correlation=aggregate.mean_residual_correlation(part),
            prices=panel,
        )

    def _grid(self, panel: PricePanel) -> Grid:
        """Compute returns (and factors) on the session grid the convention counts days on."""
        cfg = self.config
        adj = panel.adj_close
        dates = adj.dropna(how="all").index
        if self.convention.calendar == "pair":
            # Days are counted per firm and market pair later; the grid is every date with data.
            sessions = pd.DatetimeIndex(dates, name="date")
        else:
            sessions = sessions_between(cfg.calendar, dates.min(), dates.max())
        returns = compute_returns(adj, sessions, cfg.returns)  # type: ignore[arg-type]
        factor_names: tuple[str, ...] = ()
        factor_values = np.zeros((len(sessions), 0))
        if self.model.uses_factors:
            table = self.custom_factors if self.custom_factors is not None else load_factors(self.model.name)
            factors = table.reindex(sessions)
            if cfg.returns == "log":
                factors = np.log1p(factors)
            factor_names = tuple(str(c) for c in factors.columns)
            factor_values = factors.to_numpy(dtype="float64")
        return Grid(
            sessions,
            returns.to_numpy(dtype="float64"),
            [str(c) for c in returns.columns],
            factor_values,
            factor_names,
        )

    def _place_events(self, sessions: pd.DatetimeIndex) -> list[tuple[Event, pd.Timestamp]]:
        """Each event with its session (a non-session moves to the next one, with a warning)."""
        cfg = self.config
        days = to_sessions(
            cfg.calendar,
            [ev.event_date for ev in cfg.events],
            sessions,
            [f"event_date of {ev.event_id}" for ev in cfg.events],
        )
        rows = list(zip(cfg.events, days, strict=True))
        return rows

    def _statuses(
        self,
        rows: list[tuple[Event, pd.Timestamp]],
        arrays: dict[str, NDArray[np.float64]],
        windows: list[Window],
        jumps: dict[int, SplitJump],
        keep_jumps: bool,
        off_data: NDArray[np.bool_],
        sessions: pd.DatetimeIndex,
    ) -> list[str]:
        cfg = self.config
        requested = cfg.estimation.length
        nobs = arrays["nobs"].astype(np.int64)
        jumped = np.zeros(len(rows), dtype=bool)
        kept = np.zeros(len(rows), dtype=bool)
        (kept if keep_jumps else jumped)[list(jumps)] = True
        jumped &= ~off_data
        excluded = (nobs < cfg.min_estimation_obs) & ~jumped & ~off_data
        short = ~excluded & (nobs < requested)
        gaps = {str(w): ~excluded & ~off_data & ~jumped & ~np.isfinite(arrays[f"car:{w}"]) for w in windows}
        if self.strict and excluded.any():
            i = int(np.argmax(excluded))
            ev = rows[i][0]
            raise InsufficientEstimationDataError(
                ev.event_id, ev.ticker, int(nobs[i]), cfg.min_estimation_obs, requested
            )
        status = np.where(short, "ok: short estimation window", "ok").astype(object)
        for j in np.flatnonzero(short).tolist():
            status[j] = f"ok: short estimation window ({nobs[j]} of {requested})"
        for j, jump in jumps.items():
            status[j] = f"ok: kept, {jump.describe()}" if keep_jumps else f"excluded: {jump.describe()}"
        span = f"{sessions[0].date()} to {sessions[-1].date()}"
        for j in np.flatnonzero(off_data).tolist():
            status[j] = f"excluded: the event window {cfg.event_window} runs outside the price data ({span})"
        for j in np.flatnonzero(excluded).tolist():
            status[j] = f"excluded: {nobs[j]} estimation returns of {requested}, minimum {cfg.min_estimation_obs}"

        def report(mask: NDArray[np.bool_], one: Callable[[int], str], many: str, category: type[Warning]) -> None:
            # One warning per firm-event reads well for a study, not for a batch of thousands.
            idx = np.flatnonzero(mask)
            if len(idx) <= 20:
                for i in idx:
                    warn(one(int(i)), category)
            elif len(idx):
                shown = ", ".join(repr(rows[i][0].event_id) for i in idx[:5])
                warn(f"{len(idx)} firm-events {many} (first: {shown}); see the status column of params.", category)

        def label(i: int) -> str:
            return f"event {rows[i][0].event_id!r} ({rows[i][0].ticker})"

        report(
            excluded,
            lambda i: (
                f"{InsufficientEstimationDataError(rows[i][0].event_id, rows[i][0].ticker, int(nobs[i]), cfg.min_estimation_obs, requested)} It is left out of the study."
            ),
            f"have fewer than {cfg.min_estimation_obs} estimation returns and are left out",
            EventExcludedWarning,
        )
        report(
            short,
            lambda i: (
                f"{label(i)}: estimation window shortened to {nobs[i]} returns of {requested} requested "
                f"(minimum {cfg.min_estimation_obs})."
            ),
            f"use a shortened estimation window (fewer than {requested} returns)",
            ShortEstimationWindowWarning,
        )
        any_gap = np.logical_or.reduce(list(gaps.values())) if gaps else np.zeros(len(rows), dtype=bool)
        report(
            any_gap,
            lambda i: (
                f"{label(i)}: returns missing inside window(s) "
                f"{', '.join(k for k, g in gaps.items() if g[i])}; their CARs are left empty (missing prices are "
                "never filled with zero returns)."
            ),
            "miss returns inside a window; their CARs are left empty (missing prices are never filled with zero returns)",
            MissingReturnsWarning,
        )
        report(
            jumped,
            lambda i: f"{label(i)}: {jumps[i].describe()}; it is left out of the study.",
            "have a price jump that looks like an unadjusted split and are left out",
            SplitJumpWarning,
        )
        report(
            kept,
            lambda i: (
                f"{label(i)}: {jumps[i].describe()}; kept, as the {self.convention.name} convention does "
                "(the mackinlay convention leaves it out)."
            ),
            f"have a price jump that looks like an unadjusted split; kept, as the {self.convention.name} convention does",
            SplitJumpWarning,
        )
        report(
            off_data,
            lambda i: (
                f"{label(i)}: the event window {cfg.event_window} runs outside the price data ({span}); "
                "it is left out of the study."
            ),
            f"have an event window outside the price data ({span}) and are left out",
            EventExcludedWarning,
        )
        if (excluded | jumped | off_data).all():
            reasons = "; ".join(f"{rows[i][0].event_id}: {status[i]}" for i in range(min(3, len(rows))))
            more = f" (and {len(rows) - 3} more)" if len(rows) > 3 else ""
            raise NoUsableEventsError(
                f"every firm-event was left out ({reasons}{more}); check the tickers, dates and "
                "estimation window against the data."
            )
        return [str(x) for x in status]


def event_study(
    tickers: Sequence[str] | str,
    event_date: str | dt.date,
    *,
    market: str = "^GSPC",
    model: str = "market",
    estimation: str | Window | None = None,
    event_window: str | Window = "-1:1",
    car_windows: Sequence[str | Window] = ("-1:1", "0:5"),
    returns: str | None = None,
    convention: str = "mackinlay",
    source: Source | None = None,
    name: str = "study",
    min_estimation_obs: int = 120,
    backend: str = "local",
) -> EventStudyResults:
    """Run an event study of ``tickers`` around one date in one call.

    Parameters
    ----------
    tickers
        Firm tickers.
    event_date
        Event date; a non-session moves to the next session with a warning.
    market
        Market proxy ticker.
    model
        ``market``, ``market_adjusted``, ``constant_mean``, ``ff3``, ``carhart`` or ``ff5``.
    estimation, event_window, car_windows
        Windows in relative sessions, both ends inclusive (estimation default: the
        convention's, ``-250:-11`` for ``mackinlay``).
    returns
        ``simple`` or ``log`` (default: the convention's, ``simple`` for ``mackinlay``).
    convention
        Convention profile: ``mackinlay`` (default), ``estudy2`` or ``eventstudytools``.
    source
        Price source (default: the bundled snapshot).
    name
        Study name.
    min_estimation_obs
        Fewest estimation returns a firm-event may have.
    backend
        ``local`` or ``dask``.

    Returns
    -------
    EventStudyResults

    Examples
    --------
    >>> res = event_study(["NVDA"], "2025-01-27")
    >>> round(float(res.ret.loc[0, "NVDA@2025-01-27"]), 4)
    -0.1697
    """
    if isinstance(tickers, str):
        tickers = [tickers]
    day = parse_date("event_date", event_date)
    config = StudyConfig(
        name=name,
        events=tuple(Event(f"{t}@{day}", t, day, market) for t in tickers),
        model=model,
        estimation=Window.parse(estimation or get_convention(convention).estimation, "estimation"),
        event_window=Window.parse(event_window, "event_window"),
        car_windows=tuple(Window.parse(w, "car_windows") for w in car_windows),
        returns=returns or get_convention(convention).returns,
        min_estimation_obs=min_estimation_obs,
        convention=convention,
    )
    return EventStudy(config, source, backend=backend).fit()
