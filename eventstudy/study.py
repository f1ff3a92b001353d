"""The orchestration: resolved config -> prices -> returns -> placement -> stacked fit -> results.

All firm-events are stacked into arrays (firm-event x relative day) and computed
together, in chunks of bounded size. This module only moves data between the stages;
the numbers come from :mod:`eventstudy.abnormal`, :mod:`eventstudy.inference`,
:mod:`eventstudy.aggregate` and the convention's strategy objects.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from eventstudy import abnormal, aggregate, inference
from eventstudy._options import DEFAULT_MARKET, SourceName, validate_literal
from eventstudy.backends import Backend, run_chunks
from eventstudy.calendar import FREQUENCY_RATIO, coarse_series, sessions_between, to_sessions
from eventstudy.config import Event, StudyConfig, events_for
from eventstudy.conventions import CONVENTIONS, Convention, ExchangeSessions, OwnRows
from eventstudy.data.factors import check_frequency, load_factors, read_factor_file
from eventstudy.data.panel import PricePanel
from eventstudy.data.returns import SplitJump, compute_returns, find_split_jumps
from eventstudy.data.sources import (
    BundledSource,
    CsvSource,
    DateFilteredSource,
    MultiSource,
    PanelSource,
    ReturnsSource,
    Source,
    as_source,
)
from eventstudy.errors import (
    ConfigError,
    DataFormatError,
    DegenerateRegressorsError,
    EstimationOverlapWarning,
    EventDateError,
    EventExcludedWarning,
    EventWindowRelabelledWarning,
    InsufficientEstimationDataError,
    MissingReturnsWarning,
    NoUsableEventsError,
    OffCalendarPricesWarning,
    SharedEventWindowWarning,
    ShortEstimationWindowWarning,
    SplitJumpError,
    SplitJumpWarning,
    UngroupedEventWarning,
    near_names,
    warn,
)
from eventstudy.models import MARKET, ReturnModel, factor_model, get_model
from eventstudy.resolved import ResolvedConfig, resolve
from eventstudy.results import EventStudyResults, WindowArrays
from eventstudy.windows import Window

DEFAULT_CHUNK = 5_000
OVERLAP_BLOCK = 1024  # rows of same-firm pairs compared at once in estimation_overlaps
ESTIMATION_OVERLAP = "estimation window holds"
"""How a status says that another event of the same firm lies in the firm-event's estimation window."""
ESTIMATION_SKIP = "estimation window skips"
"""How a status says that the fit left out another event's window (``estimation_overlap="skip"``)."""
SHARED_EVENT_WINDOW = "event window shares sessions with"
"""How a status says that another event of the same firm has sessions of the firm-event's event window."""
OWN_MARKET = "the firm is its own market proxy, so every abnormal return would be zero by construction"
DEGENERATE = (
    "over its estimation window a regressor is constant or moves exactly with another (a firm equal to its market, "
    "a duplicated factor column), so the model cannot be fitted"
)
Paths = Literal["full", "windows"]
Array = NDArray[np.float64]
Ints = NDArray[np.int64]
Mask = NDArray[np.bool_]


def make_source(
    config: StudyConfig | ResolvedConfig, *, offline: bool = False, cache_dir: Path | None = None
) -> Source:
    """Return the price source a config asks for.

    ``offline``: Yahoo or CRSP from the cache only; ``cache_dir``: the caches' base folder
    (default ``$EVENTSTUDY_CACHE_DIR`` or ``~/.cache/eventstudy``).
    """
    cfg = resolve(config)
    # Downloads span the estimation window's calendar days (about 1.6 per trading day) and a margin.
    last = max(e.event_date for e in cfg.events) + dt.timedelta(days=30)
    first = min(e.event_date for e in cfg.events) - dt.timedelta(days=int(-cfg.estimation.start * 1.6) + 30)
    if cfg.source in ("yahoo", "crsp") and cfg.prices:
        raise ConfigError(
            f"source={cfg.source!r} downloads data, but prices={list(cfg.prices)!r} were given too; "
            "drop one of them (use source='csv' for your files)."
        )
    if cfg.source == "yahoo":
        from eventstudy.data.yahoo import YahooSource

        return YahooSource(first, last, offline=offline, cache_dir=cache_dir)
    if cfg.source == "crsp":
        from eventstudy.data.crsp import CrspSource

        # A ticker is looked up on the days of its events (a PERMNO needs no date).
        as_of: dict[str, set[dt.date]] = {}
        for ev in cfg.events:
            as_of.setdefault(ev.ticker, set()).add(ev.event_date)
            as_of.setdefault(ev.market, set()).add(ev.event_date)
        return CrspSource(first, last, as_of=as_of, offline=offline, cache_dir=cache_dir)
    if cfg.returns_data:
        return ReturnsSource(cfg.returns_data, cfg.returns_unit, date_format=cfg.date_format)
    if cfg.prices:
        sources = [CsvSource(p, cfg.negative_prices, date_format=cfg.date_format) for p in cfg.prices]
        return sources[0] if len(sources) == 1 else MultiSource(sources)
    if cfg.source == "csv":
        raise ConfigError("source='csv' needs prices (a folder of <TICKER>.csv files or a CSV file).")
    return BundledSource()


@dataclass(frozen=True)
class Stack:
    """Inputs of the stacked engine for a set of firm-events."""

    rel: Ints
    ret: Array  # firm returns (n, T)
    mkt: Array  # market returns (n, T)
    factors: Array  # (n, T, f) factor columns incl. rf last, or (n, T, 0)
    factor_names: tuple[str, ...]
    positions: Ints  # session positions (n, T), -1 outside data
    usable: Mask | None = None  # firm-events allowed into the tests (None: all)
    cluster: Ints | None = None  # cluster of calendar-overlapping event windows (None: one cluster)
    n_clusters: int = 1
    n_sessions: int | None = None
    skip: Mask | None = None  # days (n, T) left out of the estimation window: other events' windows of the firm
    log_returns: bool = False  # ret holds log returns: a buy-and-hold return compounds exp(r), not 1 + r


def grid_positions(event_pos: Ints, rel: Ints, n_sessions: int) -> Ints:
    """Session position of every relative day of every firm-event; -1 outside the data."""
    pos = event_pos[:, None] + rel[None, :]
    return np.where((pos >= 0) & (pos < n_sessions), pos, -1)


def take(values: Array, pos: Ints, cols: Ints) -> Array:
    """Pick ``values[pos, col]`` for every firm-event and relative day; NaN where ``pos`` is -1."""
    out = values[np.where(pos >= 0, pos, 0), cols[:, None]]
    return np.where(pos >= 0, out, np.nan)


@dataclass(frozen=True)
class Grid:
    """Returns of every series on one session grid, and the model's factors on it."""

    sessions: pd.DatetimeIndex
    values: Array  # sessions x series
    columns: list[str]
    factors: Array  # sessions x factors
    factor_names: tuple[str, ...]
    coarse: Mapping[str, float] = field(default_factory=dict)  # series far sparser than the sessions: spacing


@dataclass(frozen=True)
class ChunkResult:
    """What a chunk of firm-events yields: per-day paths, fitted parameters, window statistics, test inputs.

    Paths have shape ``(n, T')`` (the kept relative days); parameters ``(n,)`` (``coef``:
    ``(n, k)``); positions and counts are integers.
    """

    ar: Array
    expected: Array
    ar_var: Array
    ar_t: Array
    ret: Array
    mkt: Array
    est: Mask
    positions: Ints
    est_first: Ints
    est_last: Ints
    alpha: Array
    coef: Array
    sigma: Array
    nobs: Ints
    df: Array
    skipped: Ints  # estimation returns left out because another event of the firm had its window there
    windows: Mapping[Window, WindowArrays]
    partial: aggregate.Partial

    ROWS = (
        "ar", "expected", "ar_var", "ar_t", "ret", "mkt", "est", "positions",
        "est_first", "est_last", "alpha", "coef", "sigma", "nobs", "df", "skipped",
    )  # fmt: skip
    """The per firm-event arrays (one row each)."""

    @classmethod
    def merge(cls, chunks: Sequence[ChunkResult]) -> ChunkResult:
        """Stack the chunks' rows in order."""
        first = chunks[0]
        arrays = {k: np.concatenate([getattr(c, k) for c in chunks]) for k in cls.ROWS}
        windows = {w: WindowArrays.merge([c.windows[w] for c in chunks]) for w in first.windows}
        return cls(**arrays, windows=windows, partial=aggregate.Partial.merge([c.partial for c in chunks]))

    def take(self, rows: Ints) -> ChunkResult:
        """Keep these rows (the many-firm inputs, already those of the tested rows, stay as they are)."""
        arrays = {k: getattr(self, k)[rows] for k in self.ROWS}
        return replace(self, **arrays, windows={w: a.take(rows) for w, a in self.windows.items()})


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
    skipped = np.zeros(len(y), dtype=np.int64)
    if stack.skip is not None:
        skipped = (est & stack.skip).sum(axis=1).astype(np.int64)
        est &= ~stack.skip
    fit = abnormal.fit_stack(y, x, est, intercept=model.intercept)
    ar = y - abnormal.expected(fit, x)
    expected_ret = stack.ret - ar
    sigma = np.sqrt(fit.sigma2)
    # Some tools round before testing; the stored ARs stay exact.
    ar_t = convention.rounding.compute(ar)
    sigma_t = np.asarray(convention.rounding.compute(sigma), dtype=np.float64)
    keep = slice(None) if keep_from is None else slice(int(np.searchsorted(rel, keep_from)), None)
    ar_var = convention.variance.day(fit, x[:, keep], sigma_t)  # each day's own: only the days kept
    est_pos = np.where(est, stack.positions, -1)
    scale_fit = convention.standardise.scale(fit, ar, est, x, in_est, model.intercept)
    days = aggregate.event_days(event_window or windows[0], windows)
    col = {int(r): i for i, r in enumerate(rel)}
    dcols = np.array([col[d] for d in days], dtype=np.intp)
    # The many-firm statistics may see a firm-event's days otherwise than its own rows do.
    source = convention.pooled_days.columns(stack.positions, rel, event_window)

    def pooled(a: Array) -> Array:
        if source is None:
            return a
        return np.take_along_axis(a, source if a.ndim == 2 else source[:, :, None], axis=1)

    ar_p, x_p = pooled(ar_t), pooled(x)
    expected_r = convention.rounding.compute(expected_ret)
    day_scale = convention.rounding.compute(np.sqrt(abnormal.ar_variance(scale_fit, x_p[:, dcols])))

    def window_sum(a: Array, idx: NDArray[np.intp]) -> tuple[Array, Array]:
        """Return the CAR over columns ``idx`` and the days it counts (NaN where the profile leaves it missing)."""
        days_in = convention.car_days.present(a, idx)
        # A sum of rounded ARs has only their decimals, but for a tiny AR the profile keeps whole.
        return convention.rounding.compute(
            np.where(np.isfinite(days_in), np.nansum(a[:, idx], axis=1), np.nan)
        ), days_in

    stats: dict[Window, WindowArrays] = {}
    pooled_cars, scales, counts = [], [], []
    for w in windows:
        idx = np.flatnonzero((rel >= w.start) & (rel <= w.end))
        car, days_in = window_sum(ar_t, idx)
        # The window's variance, for the days the CAR is taken over.
        var = convention.variance.window(fit, x, idx, sigma_t) * np.where(np.isfinite(days_in), days_in / len(idx), 1.0)
        t, p = inference.t_test(car, var, fit.df)
        q, sq_p, _n_sums = inference.sq_test(ar, est, car, w.length)
        # The service compounds its expected returns as printed (rounded); other profiles use them exact.
        bhar = convention.car_days.bhar(stack.ret, expected_r, idx, stack.log_returns)
        if source is None:
            pooled_car, pooled_bhar = car, bhar
        else:
            pooled_car = window_sum(ar_p, idx)[0]
            pooled_bhar = convention.car_days.bhar(pooled(stack.ret), pooled(expected_r), idx, stack.log_returns)
        stats[w] = WindowArrays(car, var, t, p, q, sq_p, bhar, pooled_bhar)
        pooled_cars.append(pooled_car)
        counts.append(days_in)
        scales.append(convention.patell_window.car_sd(scale_fit, x_p, idx, sigma_t, days_in, convention.rounding))
    n = len(ar)
    part = aggregate.partial(
        ar=ar_p,
        est=est,
        in_est=in_est,
        rel=rel,
        days=days,
        windows=windows,
        car=np.column_stack(pooled_cars) if windows else np.zeros((n, 0)),
        day_scale=day_scale,
        window_scale=np.column_stack(scales) if scales else np.zeros((n, 0)),
        car_days=np.column_stack(counts) if counts else np.zeros((n, 0)),
        mkt=pooled(stack.mkt),
        sigma=sigma_t,
        nobs=fit.nobs,
        df=fit.df,
        usable=(fit.nobs >= min_obs)
        & np.isfinite(fit.coef).all(axis=1)
        & (stack.usable if stack.usable is not None else True),
        positions=stack.positions,
        cluster=stack.cluster,
        n_clusters=stack.n_clusters,
        n_sessions=stack.n_sessions,
        rank_length=convention.rank_length,
    )
    big = np.iinfo(np.int64).max

    def kept(a: np.ndarray) -> np.ndarray:
        # A copy, not a view: a view would keep the chunk's every day alive until the study ends.
        return np.array(a[:, keep]) if keep_from is not None else a

    with np.errstate(invalid="ignore", divide="ignore"):  # a zero-variance firm-event is excluded by its status
        ar_t = ar_t[:, keep] / np.sqrt(ar_var)
    return ChunkResult(
        ar=kept(ar),
        expected=kept(expected_ret),
        ar_var=np.array(ar_var),
        ar_t=ar_t,
        ret=kept(stack.ret),
        mkt=kept(stack.mkt),
        est=kept(est),
        positions=kept(stack.positions),
        est_first=np.where(est.any(axis=1), np.where(est, est_pos, big).min(axis=1), -1).astype(np.int64),
        est_last=est_pos.max(axis=1).astype(np.int64),
        alpha=fit.alpha,
        coef=fit.coef,
        sigma=sigma,
        nobs=fit.nobs.astype(np.int64),
        df=fit.df,
        skipped=skipped,
        windows=stats,
        partial=part,
    )


@dataclass(frozen=True)
class Placed:
    """Each firm-event on the grid: its session, its columns and (per pair) its positions."""

    off_data: Mask | None  # event windows off the data, where the day count decides it (None: from positions)
    events: list[Event]
    sessions: list[pd.Timestamp]
    values: Array  # returns on the grid, as the convention counts days
    columns: list[str]
    event_pos: Ints
    firm_cols: Ints
    mkt_cols: Ints
    positions: Ints | None  # per-pair day counting; None: event session + relative day
    spans: Ints  # first and last session position each firm-event spans
    cluster: Ints  # firm-events whose windows overlap in calendar time share a cluster
    cluster_spans: Ints  # (clusters, 2): first and last session position of each cluster's windows
    overlaps: list[tuple[int, ...]]  # same-firm firm-events whose event window lies in each one's estimation window
    event_spans: Ints  # (n, 2): first and last session position of each firm-event's event window
    window_spans: Ints  # (n, 2): first and last session position of all its windows together

    def tested_only(self, tested: Mask) -> Placed:
        """The same placement, calendar clusters formed by the ``tested`` firm-events alone.

        The others are still fitted (their windows stay where a fit skips them) but enter no
        test, so each is a cluster of its own and ties no tested pair together.
        """
        first, last = self.window_spans.T
        cluster = np.empty(len(tested), dtype=np.int64)
        cluster[tested], spans = calendar_clusters(first[tested], last[tested])
        others = np.flatnonzero(~tested)
        cluster[others] = len(spans) + np.arange(len(others))
        return replace(self, cluster=cluster, cluster_spans=np.vstack([spans, self.window_spans[others]]))


@dataclass(frozen=True)
class ManyFirmInputs:
    """What a fit's many-firm tests were computed from.

    Attributes
    ----------
    partial
        Per firm-event test inputs and their sums (see :class:`eventstudy.aggregate.Partial`);
        ``u_cluster`` is laid out on ``sessions`` by cluster.
    sessions
        The session grid the fit counted days on.
    cluster_spans
        First and last position on ``sessions`` of each cluster's event windows, shape
        ``(clusters, 2)`` (positions may lie off the grid for windows that run off the data).
    """

    partial: aggregate.Partial
    sessions: pd.DatetimeIndex
    cluster_spans: Ints


def relative_layout(config: ResolvedConfig) -> tuple[Ints, list[int], Mask]:
    """Relative days a fit lays out, days with per-day tests, and which relative days are estimation days."""
    windows = list(config.windows)
    rel = np.arange(
        min(config.estimation.start, *(w.start for w in windows)),
        max(config.estimation.end, *(w.end for w in windows)) + 1,
        dtype=np.int64,
    )
    days = aggregate.event_days(config.event_window, windows)
    in_est = (rel >= config.estimation.start) & (rel <= config.estimation.end)
    return rel, list(days), np.asarray(in_est, dtype=bool)


@dataclass(frozen=True)
class Screen:
    """What the data let in: split-like jumps found, windows off the data, firm-events kept."""

    jumps: dict[int, SplitJump]
    off_data: Mask
    clean: Mask
    # The firm's returns, from/to, for firm-events off the data or dated before the firm's first return.
    data_spans: Mapping[int, str] = field(default_factory=dict)
    # The firm-events whose series named in data_spans begins after their event session.
    begins_after: frozenset[int] = frozenset()
    # When the firm's returns end, for firm-events whose windows run past that day.
    data_ends: Mapping[int, str] = field(default_factory=dict)
    # The sessions of a firm-event's windows on which a factor of the model has no value.
    factor_gaps: Mapping[int, str] = field(default_factory=dict)


class EventStudy:
    """An event study: a configuration and a price source.

    Parameters
    ----------
    config
        The study request (or an already resolved configuration); it is resolved once
        here (see :func:`eventstudy.resolved.resolve`).
    source
        Where prices come from: a :class:`~eventstudy.data.sources.Source`, a path (a
        folder of ``<TICKER>.csv`` files or one CSV), a pandas DataFrame (wide: date
        index, one column per ticker; long: ``ticker, date, adj_close``) or a
        :class:`~eventstudy.data.panel.PricePanel`; by default the one the config names.
    chunk_size
        Firm-events computed together; bounds peak memory.
    backend
        ``local`` (this process) or ``dask`` (a ``dask.distributed`` cluster; see
        :mod:`eventstudy.backends`). Results are identical.
    progress
        Show a progress bar (default: only for long runs on a terminal, never in CI).
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
        config: StudyConfig | ResolvedConfig,
        source: Source | str | Path | pd.DataFrame | PricePanel | None = None,
        *,
        chunk_size: int = DEFAULT_CHUNK,
        backend: str = "local",
        progress: bool | None = None,
        paths: str = "full",
    ) -> None:
        validate_literal("backend", backend, Backend)
        validate_literal("paths", paths, Paths)
        self.request = config.to_request() if isinstance(config, ResolvedConfig) else config
        self.config = resolve(config)
        cfg = self.config
        self.source = (
            make_source(cfg)
            if source is None
            else as_source(source, negative_prices=cfg.negative_prices, date_format=cfg.date_format)
        )
        self.chunk_size = max(1, int(chunk_size))
        self.custom_factors = read_factor_file(cfg.factors, cfg.factor_columns) if cfg.factors else None
        self.model = (
            factor_model(cfg.factor_columns, excess="rf" in self.custom_factors.columns)
            if self.custom_factors is not None
            else get_model(cfg.model)
        )
        self.convention = cfg.profile
        # calendar="rows": each series' own rows are its days, whatever the profile counts
        self.days = OwnRows() if cfg.calendar == "rows" else self.convention.days
        self.backend = backend
        self.progress = progress
        self.paths = paths

    def load_prices(self) -> PricePanel:
        """Load every series the study needs from the source.

        With ``paths="windows"`` and relative days counted in exchange sessions, only the
        dates the windows reach are kept (see :func:`needed_span`) from a source that can
        (:class:`~eventstudy.data.sources.DateFilteredSource`): Parquet reads only them.
        """
        return self._load(self._span())

    def _load(self, span: tuple[pd.Timestamp, pd.Timestamp] | None) -> PricePanel:
        names = list(dict.fromkeys([*self.config.tickers, *self.config.markets]))
        if span is not None and isinstance(self.source, DateFilteredSource):
            return self.source.load(names, between=span)
        return self.source.load(names)

    def _span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        # Only results that keep no estimation-day paths are fitted from part of the data.
        if self.paths != "windows" or not isinstance(self.days, ExchangeSessions):
            return None
        if not (isinstance(self.source, DateFilteredSource) and self.source.filters_dates):
            return None
        return needed_span(self.config)

    def fit(self, prices: PricePanel | None = None, *, tested: Collection[str] | None = None) -> EventStudyResults:
        """Run the study and return its immutable results.

        ``tested`` names the firm-events the results hold and test (default: all). Every
        event is still placed and fitted, so a firm-event's fit is the one it has in the
        whole study (under ``estimation_overlap = "skip"`` it leaves out the windows of its
        firm's other events, tested or not).
        """
        return self.fit_with_inputs(prices, tested=tested)[0]

    def fit_with_inputs(
        self,
        prices: PricePanel | None = None,
        *,
        many_firm_tests: bool = True,
        tested: Collection[str] | None = None,
    ) -> tuple[EventStudyResults, ManyFirmInputs]:
        """Run the study; return its results and what its many-firm tests were computed from.

        The :class:`ManyFirmInputs` of studies of disjoint sets of events merge into those of
        all the events together (see :mod:`eventstudy.partitioned`), which is why a part of
        a larger study may skip its own many-firm tests (``many_firm_tests=False``: the
        results then hold none). ``tested``: see :meth:`fit`.
        """
        cfg = self.config
        # Prices read for part of the dates only: refits needing others read the source again.
        span = None if prices is not None else self._span()
        panel = prices if prices is not None else self._load(span)
        windows = list(cfg.windows)
        rel, days, in_est = relative_layout(cfg)
        grid = self._grid(panel)
        placed = self._place(grid, panel, rel)
        grid = replace(grid, values=placed.values, columns=placed.columns)
        screen = self._screen(grid, placed, rel)
        keep_from = None if self.paths == "full" else min(w.start for w in windows) - 1
        wanted = None if tested is None else {str(i) for i in tested}
        mine = np.array([wanted is None or e.event_id in wanted for e in placed.events], dtype=bool)
        whole = bool(mine.all())
        computed = placed if whole else placed.tested_only(mine)
        merged = self._compute(grid, computed, replace(screen, clean=screen.clean & mine), rel, keep_from)
        fitted = np.asarray(np.isfinite(merged.coef).all(axis=1), dtype=bool)
        status = statuses(
            cfg,
            self.convention,
            placed,
            merged.nobs,
            merged.skipped,
            fitted,
            merged.windows,
            screen,
            uses_market(self.model),
            self.model.estimates_mean,
        )
        rows = np.flatnonzero(mine)
        events = tuple(placed.events[i] for i in rows)
        results = EventStudyResults.build(
            config=cfg if whole else replace(cfg, events=events),
            request=self.request if whole else self.request.with_(events=events),
            model=self.model,
            events=list(events),
            sessions=grid.sessions,
            event_sessions=[placed.sessions[i] for i in rows],
            rel=rel if keep_from is None else rel[rel >= keep_from],
            chunk=merged if whole else merged.take(rows),
            status=[status[i] for i in rows],
            convention=self.convention,
            aggregate_tests=(
                aggregate.aggregate_tests(merged.partial, days, windows, in_est, self.convention)
                if many_firm_tests
                else {}
            ),
            aggregate_estimates=aggregate.estimates(merged.partial, days, windows, self.convention),
            estimation_aar=aggregate.estimation_aar(merged.partial, rel),
            cross_correlation=aggregate.cross_correlation(merged.partial, self.convention.correlation),
            prices=panel,
            refitter=functools.partial(
                _refit,
                source=self.source if span is not None else PanelSource(panel, _REFIT),
                backend=self.backend,
                paths=self.paths,
            ),
        )
        return results, ManyFirmInputs(merged.partial, grid.sessions, computed.cluster_spans)

    # ------------------------------------------------------------------ stages
    def _grid(self, panel: PricePanel) -> Grid:
        """Compute returns (and factors) on the session grid the convention counts days on."""
        cfg = self.config
        adj = panel.adj_close
        priced = adj.dropna(how="all").index
        sessions = self.days.sessions(cfg.calendar, priced)
        off = priced.difference(sessions)
        if len(off):  # a return would then span two of the data's days: most likely the wrong calendar
            shown = ", ".join(str(d.date()) for d in off[:3])
            warn(
                f"calendar={cfg.calendar!r}: the prices have {len(off)} date(s) that are not its sessions (first: "
                f"{shown}); they are not used, so returns span them. Choose the exchange the prices come from, or "
                "calendar='rows' to count each series' own dates.",
                OffCalendarPricesWarning,
            )
        coarse = coarse_series(adj, sessions) if cfg.calendar != "rows" else {}
        if coarse:
            named = ", ".join(f"{name} ({spacing:.3g} days)" for name, spacing in list(coarse.items())[:3])
            warn(
                f"calendar={cfg.calendar!r}: {len(coarse)} series are dated a median of more than "
                f"{FREQUENCY_RATIO:g} sessions apart ({named}{' and others' if len(coarse) > 3 else ''}); a return "
                "needs prices on two consecutive sessions, so they have few returns or none. For weekly or monthly "
                "data, calendar='rows' counts each series' own dates.",
                OffCalendarPricesWarning,
            )
        if cfg.measure == "volume":
            # Abnormal volume: the model explains log(1 + volume) (Campbell and Wasley 1996).
            volume = panel.volume_frame.reindex(sessions)
            firms = list(dict.fromkeys(cfg.tickers))
            lacking = [t for t in firms if volume[t].isna().all()]
            markets = [t for t in dict.fromkeys(cfg.markets) if cfg.model == "market" and volume[t].isna().all()]
            # A firm without volume is left out, as a firm without prices is; a market without it
            # leaves no firm-event a model, and a study of none is no study.
            if markets or len(lacking) == len(firms) or (lacking and cfg.strict):
                raise DataFormatError(
                    "measure='volume'",
                    f"needs traded volume, and the data has none for {', '.join([*lacking, *markets])}",
                    "use prices with a volume column, or model='constant_mean' if only the market lacks it",
                )
            if lacking:
                warn(
                    f"measure='volume': the data has no traded volume for {', '.join(lacking)}; "
                    f"{'its' if len(lacking) == 1 else 'their'} firm-events are left out.",
                    EventExcludedWarning,
                )
            returns = np.log1p(volume)
        else:
            returns = compute_returns(adj, sessions, cfg.returns)  # type: ignore[arg-type]
        factor_names: tuple[str, ...] = ()
        factor_values = np.zeros((len(sessions), 0))
        if self.model.uses_factors:
            data = "returns" if cfg.returns_data else "prices"
            if self.custom_factors is not None:
                table = self.custom_factors
                check_frequency(table.index, priced, f"factors={cfg.factors}", "the factors", data)
            else:
                table = load_factors(self.model.name)
                check_frequency(
                    table.index, priced, f"model={cfg.model!r}", "the bundled Ken French daily factors", data
                )
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
            coarse,
        )

    def _place(self, grid: Grid, panel: PricePanel, rel: Ints) -> Placed:
        """Put each event on its session (a non-session moves to the next one, with a warning)."""
        cfg = self.config
        days = to_sessions(
            cfg.calendar,
            [ev.event_date for ev in cfg.events],
            grid.sessions,
            [f"event_date of {ev.event_id}" for ev in cfg.events],
        )
        event_pos = np.asarray(grid.sessions.get_indexer(pd.DatetimeIndex(days)), dtype=np.int64)
        col_of = {name: i for i, name in enumerate(grid.columns)}
        firm_cols = np.array([col_of[ev.ticker] for ev in cfg.events], dtype=np.int64)
        mkt_cols = np.array([col_of[ev.market] for ev in cfg.events], dtype=np.int64)
        levels = panel.adj_close.reindex(grid.sessions)[grid.columns].to_numpy(dtype="float64")
        laid = self.days.place(
            levels,
            grid.values,
            grid.columns,
            firm_cols,
            mkt_cols,
            event_pos,
            rel,
            cfg.returns,
            estimation=cfg.estimation,
            event_window=cfg.event_window,
        )
        if laid.relabelled is not None and laid.relabelled.any():
            ids = [cfg.events[i].event_id for i in np.flatnonzero(laid.relabelled)]
            warn(
                f"{len(ids)} firm-event(s) miss a return inside the event window {cfg.event_window} (first: "
                f"{', '.join(map(repr, ids[:5]))}); as the EventStudyTools service does, the missing days are "
                "dropped and the rest labelled in order, so later sessions carry earlier labels (see the date column "
                "of ar.csv).",
                EventWindowRelabelledWarning,
            )
        positions = laid.positions
        if positions is None:
            spans = np.clip(np.column_stack([event_pos + rel[0], event_pos + rel[-1]]), 0, len(grid.sessions) - 1)
        else:
            # The event day is the first day on which firm and market both trade.
            day0 = positions[:, int(np.flatnonzero(rel == 0)[0])]
            days = [grid.sessions[int(p)] if p >= 0 else s for s, p in zip(days, day0, strict=True)]
            spans = np.column_stack(
                [np.where(positions >= 0, positions, positions.max()).min(axis=1), positions.max(axis=1)]
            )
        # Windows that overlap in calendar time are cross-correlated (the Kolari-Pynnonen case).
        lo, hi = min(w.start for w in cfg.windows), max(w.end for w in cfg.windows)
        window_spans = _session_span(event_pos, positions, rel, lo, hi)
        cluster, cluster_spans = calendar_clusters(*window_spans.T)
        est, ev = cfg.estimation, cfg.event_window
        event_spans = _session_span(event_pos, positions, rel, ev.start, ev.end)
        overlaps = estimation_overlaps(
            [e.ticker for e in cfg.events], _session_span(event_pos, positions, rel, est.start, est.end), event_spans
        )
        return Placed(
            laid.off_data,
            list(cfg.events),
            days,
            laid.values,
            laid.columns,
            event_pos,
            laid.firm_cols,
            laid.mkt_cols,
            positions,
            spans,
            cluster,
            cluster_spans,
            overlaps,
            event_spans,
            window_spans,
        )

    def _screen(self, grid: Grid, placed: Placed, rel: Ints) -> Screen:
        """Find split-like jumps and event windows off the data; decide what enters the study."""
        cfg = self.config
        jumps: dict[int, SplitJump] = {}
        if not cfg.allow_jumps and cfg.measure == "returns":
            jumps = find_split_jumps(
                grid.values, cfg.returns, grid.columns, grid.sessions, placed.spans, (placed.firm_cols, placed.mkt_cols)
            )
        keep_jumps = self.convention.split_jumps == "keep"
        if jumps and cfg.strict and not keep_jumps:
            i = min(jumps)
            raise SplitJumpError(placed.events[i].event_id, jumps[i].describe())
        clean = np.ones(len(placed.events), dtype=bool)
        if not keep_jumps:
            clean[list(jumps)] = False
        # An event window that runs off the data cannot be measured at all (unlike a
        # missing price inside it): such firm-events are left out with the reason.
        ew = (rel >= cfg.event_window.start) & (rel <= cfg.event_window.end)
        if placed.off_data is not None:
            off_data = np.asarray(placed.off_data, dtype=bool)
        elif placed.positions is not None:
            off_data = np.asarray((placed.positions[:, ew] < 0).any(axis=1), dtype=bool)
        else:
            last = len(grid.sessions) - 1
            pos = placed.event_pos
            off_data = np.asarray((pos + cfg.event_window.start < 0) | (pos + cfg.event_window.end > last), dtype=bool)
        market = uses_market(self.model)
        noun = "log volumes" if cfg.measure == "volume" else "returns"
        spans, begins_after = _returns_spans(grid, placed, off_data, market, noun)
        if off_data.any() and cfg.strict:
            i = int(np.argmax(off_data))
            raise EventDateError(
                f"event_date of {placed.events[i].event_id}",
                str(placed.sessions[i].date()),
                f"leaves the event window {cfg.event_window} outside the price data ({spans[i]})",
                "choose an earlier date or a shorter window, or load prices that cover it (source='yahoo' downloads "
                "them)",
            )
        own_market = market & np.array([e.ticker == e.market for e in placed.events], dtype=bool)
        return Screen(
            jumps,
            off_data,
            clean & ~off_data & ~own_market,
            data_spans=spans,
            begins_after=begins_after,
            data_ends=_returns_ends(grid, placed, market),
            factor_gaps=_factor_gaps(grid, placed),
        )

    def _compute(self, grid: Grid, placed: Placed, screen: Screen, rel: Ints, keep_from: int | None) -> ChunkResult:
        """Stack the firm-events in chunks, compute each chunk and merge them in order."""
        cfg = self.config
        n = len(placed.events)

        def stack(sl: slice) -> Stack:
            pos = (
                placed.positions[sl]
                if placed.positions is not None
                else grid_positions(placed.event_pos[sl], rel, len(grid.sessions))
            )
            fac = (
                np.stack([take(grid.factors, pos, np.full(len(pos), j)) for j in range(len(grid.factor_names))], axis=2)
                if grid.factor_names
                else np.zeros((*pos.shape, 0))
            )
            firm, mkt = take(grid.values, pos, placed.firm_cols[sl]), take(grid.values, pos, placed.mkt_cols[sl])
            return Stack(
                rel,
                firm,
                mkt,
                fac,
                grid.factor_names,
                pos,
                screen.clean[sl],
                placed.cluster[sl],
                int(placed.cluster.max()) + 1,
                len(grid.sessions),
                skip_days(pos, placed.overlaps[sl], placed.event_spans) if cfg.estimation_overlap == "skip" else None,
                cfg.returns == "log" and cfg.measure == "returns",
            )

        slices = [slice(a, a + self.chunk_size) for a in range(0, n, self.chunk_size)]
        compute = functools.partial(
            compute_chunk,
            model=self.model,
            estimation=cfg.estimation,
            windows=list(cfg.windows),
            event_window=cfg.event_window,
            convention=self.convention,
            min_obs=cfg.min_estimation_obs,
            keep_from=keep_from,
        )
        sizes = [len(range(*sl.indices(n))) for sl in slices]
        return ChunkResult.merge(run_chunks(compute, map(stack, slices), sizes, self.backend, progress=self.progress))


def uses_market(model: ReturnModel) -> bool:
    """Whether the model's normal return involves the event's market proxy."""
    return MARKET in model.regressors or model.offset_market


_REFIT = "prices of the original results"


def _refit(
    config: StudyConfig | ResolvedConfig,
    *,
    source: Source,
    backend: str,
    paths: str,
    tested: Collection[str] | None = None,
) -> EventStudyResults:
    """Fit ``config`` on the prices of a fit (how results answer ``with_convention``, ``with_events``, new windows)."""
    return EventStudy(config, source, backend=backend, paths=paths).fit(tested=tested)


def needed_span(config: ResolvedConfig) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last dates a study's relative days can reach on its exchange calendar, with a margin.

    Ten sessions more on each side than the estimation and event windows reach (one of
    them is the price before the first return). None when an event date is in the
    future or the calendar cannot say: then all data is read and the usual checks speak.
    """
    rel, _, _ = relative_layout(config)
    dates = sorted(pd.Timestamp(e.event_date) for e in config.events)
    today = pd.Timestamp.now().normalize()
    if not dates or dates[-1] > today:
        return None
    reach = int(max(-rel.min(), rel.max())) + 10
    pad = pd.Timedelta(days=2 * reach + 30)  # every exchange has sessions on over half of all days
    try:
        sessions = sessions_between(
            config.calendar, dates[0] - pad, min(dates[-1] + pad, today + pd.Timedelta(days=180))
        )
    except ValueError:  # a date beyond what the calendar covers, or no such calendar
        return None
    first = int(sessions.searchsorted(dates[0])) + int(rel.min()) - 10
    last = int(sessions.searchsorted(dates[-1])) + int(rel.max()) + 10
    return sessions[max(first, 0)], sessions[min(last, len(sessions) - 1)]


def estimation_overlaps(firms: Sequence[str], estimation: Ints, event: Ints) -> list[tuple[int, ...]]:
    """For each firm-event, the other firm-events of the same firm whose event window lies in its estimation window.

    ``estimation`` and ``event`` hold each firm-event's first and last session position
    (shape ``(n, 2)``, both ends inclusive) of its estimation and event windows. An event
    window that shares a session with the estimation window of another event of the
    same firm puts that event's abnormal returns into the other's fitted model and its
    sigma, the reason MacKinlay (1997) keeps the event period out of the estimation window.
    Given the event windows twice, it finds the same firm's event windows that share a session.

    Examples
    --------
    >>> est = np.array([[0, 99], [50, 149], [0, 99]])
    >>> ev = np.array([[110, 112], [160, 162], [110, 112]])
    >>> estimation_overlaps(["A", "A", "B"], est, ev)  # A's first event sits in its second's estimation window
    [(), (0,), ()]
    """
    found: list[tuple[int, ...]] = [()] * len(firms)
    by_firm: dict[str, list[int]] = {}
    for i, firm in enumerate(firms):
        by_firm.setdefault(firm, []).append(i)
    for members in by_firm.values():
        if len(members) < 2:
            continue
        idx = np.asarray(members, dtype=np.int64)
        # Pair by pair in blocks of rows, so a firm with thousands of events stays in bounded memory.
        for lo in range(0, len(idx), OVERLAP_BLOCK):
            rows = idx[lo : lo + OVERLAP_BLOCK]
            hit = (event[idx, 0][None, :] <= estimation[rows, 1][:, None]) & (
                event[idx, 1][None, :] >= estimation[rows, 0][:, None]
            )
            hit &= idx[None, :] != rows[:, None]
            for r in np.flatnonzero(hit.any(axis=1)).tolist():
                found[int(rows[r])] = tuple(int(j) for j in idx[hit[r]])
    return found


def skip_days(positions: Ints, overlaps: Sequence[tuple[int, ...]], event_spans: Ints) -> Mask:
    """Days of each firm-event (shape of ``positions``) that fall in the event window of an overlapping event.

    Examples
    --------
    >>> skip_days(np.array([[10, 11, 12, 13], [20, 21, 22, 23]]), [(1,), ()], np.array([[30, 31], [11, 12]])).tolist()
    [[False, True, True, False], [False, False, False, False]]
    """
    skip = np.zeros(positions.shape, dtype=bool)
    for i, others in enumerate(overlaps):
        for j in others:
            first, last = event_spans[j]
            skip[i] |= (positions[i] >= first) & (positions[i] <= last)
    return skip


def calendar_clusters(first: Ints, last: Ints) -> tuple[Ints, Ints]:
    """Cluster firm-events whose windows overlap in calendar time; return each one's cluster and each cluster's span.

    ``first`` and ``last`` are each firm-event's first and last session position; the spans
    have shape ``(clusters, 2)``.
    """
    cluster = aggregate.overlap_clusters(first, last)
    n_clusters = int(cluster.max()) + 1 if len(cluster) else 0
    spans = np.column_stack([np.full(n_clusters, np.iinfo(np.int64).max), np.full(n_clusters, np.iinfo(np.int64).min)])
    np.minimum.at(spans[:, 0], cluster, first)
    np.maximum.at(spans[:, 1], cluster, last)
    return cluster, spans


def _session_span(event_pos: Ints, positions: Ints | None, rel: Ints, lo: int, hi: int) -> Ints:
    """First and last session position of relative days ``lo`` to ``hi`` for each firm-event, shape ``(n, 2)``."""
    if positions is None:
        return np.column_stack([event_pos + lo, event_pos + hi])
    inside = positions[:, (rel >= lo) & (rel <= hi)]
    # A window with no session on the grid spans nothing: first after last.
    first = np.where(inside >= 0, inside, np.iinfo(np.int64).max).min(axis=1)
    return np.column_stack([first, inside.max(axis=1)])


def _series_spans(grid: Grid) -> tuple[Mask, Ints, Ints]:
    """Whether each grid column has a return, and the positions of its first and last."""
    finite: Mask = np.asarray(np.isfinite(grid.values), dtype=bool)
    has: Mask = np.asarray(finite.any(axis=0), dtype=bool)
    first: Ints = finite.argmax(axis=0)
    last: Ints = len(finite) - 1 - finite[::-1].argmax(axis=0)
    return has, first, last


def _series_of(placed: Placed, i: int, market: bool) -> list[tuple[str, int]]:
    """List the series event ``i`` needs: its firm's, and its market's when the model uses one."""
    event = placed.events[i]
    series = [(event.ticker, int(placed.firm_cols[i]))]
    if market and event.market != event.ticker:
        series.append((event.market, int(placed.mkt_cols[i])))
    return series


def _returns_spans(
    grid: Grid, placed: Placed, off_data: Mask, market: bool, noun: str = "returns"
) -> tuple[dict[int, str], frozenset[int]]:
    """Say when the returns begin and end, for firm-events off the data or dated before their first return.

    A firm-event needs its firm's returns and, under a model with a market, its market's: a
    market series that begins late leaves the estimation window as empty as a firm's would.
    The series named is the one that begins last (the firm's on a tie, or when neither is late).
    Also returns the firm-events whose named series begins after their event session.
    """
    has, first, last = _series_spans(grid)
    out: dict[int, str] = {}
    after: set[int] = set()
    for i in range(len(placed.events)):
        series = _series_of(placed, i, market)
        late = [(name, col) for name, col in series if not has[col] or grid.sessions[first[col]] > placed.sessions[i]]
        if not late and not off_data[i]:
            continue  # its window is in the data, and its returns began before it
        name, col = max(late or series[:1], key=lambda s: (not has[s[1]], first[s[1]]))
        out[i] = (
            f"{name}'s {noun} run from {grid.sessions[first[col]].date()} to {grid.sessions[last[col]].date()}"
            if has[col]
            else f"{name} has no {noun}"
        ) + (
            f": its prices are dated a median of {grid.coarse[name]:.3g} days apart, and calendar='rows' would count "
            "its own dates"
            if name in grid.coarse
            else ""
        )
        if has[col] and late:
            after.add(i)
    return out, frozenset(after)


def _factor_gaps(grid: Grid, placed: Placed) -> dict[int, str]:
    """Say which factors lack a value on which sessions of each firm-event's windows (a gap the firm does not have)."""
    if not grid.factor_names:
        return {}
    lacking: Mask = np.asarray(~np.isfinite(grid.factors), dtype=bool)
    if not lacking.any():
        return {}
    out: dict[int, str] = {}
    for i, (lo, hi) in enumerate(placed.window_spans.tolist()):
        if lo > hi:
            continue
        rows = np.flatnonzero(lacking[lo : hi + 1].any(axis=1)) + lo
        if len(rows):
            names = sorted({grid.factor_names[k] for r in rows for k in np.flatnonzero(lacking[r])})
            days = ", ".join(str(grid.sessions[r].date()) for r in rows[:3]) + (" and more" if len(rows) > 3 else "")
            out[i] = f"the factors have no {', '.join(names)} on {days}"
    return out


def _returns_ends(grid: Grid, placed: Placed, market: bool) -> dict[int, str]:
    """Say when the returns end, for firm-events whose windows run past that session (the series that ends first)."""
    has, _, last = _series_spans(grid)
    out: dict[int, str] = {}
    for i in range(len(placed.events)):
        ended = [(name, col) for name, col in _series_of(placed, i, market) if has[col]]
        if not ended:
            continue
        name, col = min(ended, key=lambda s: last[s[1]])  # the firm's on a tie: it comes first
        if placed.window_spans[i, 1] > last[col]:
            out[i] = f"{name}'s returns end on {grid.sessions[last[col]].date()}"
    return out


def _event_windows(events: Sequence[Event], which: Sequence[int]) -> str:
    """Name the event windows of events ``which`` ("the event window of event 'a'", or of three and a count)."""
    ids = [repr(events[j].event_id) for j in which]
    if len(ids) == 1:
        return f"the event window of event {ids[0]}"
    shown = (
        ", ".join(ids[:3]) + f" and {len(ids) - 3} more" if len(ids) > 3 else ", ".join(ids[:-1]) + f" and {ids[-1]}"
    )
    return f"the event windows of events {shown}"


def statuses(
    cfg: ResolvedConfig,
    convention: Convention,
    placed: Placed,
    nobs: Ints,
    skipped: Ints,
    fitted: Mask,
    windows: Mapping[Window, WindowArrays],
    screen: Screen,
    market_model: bool = True,
    estimates_mean: bool = True,
) -> list[str]:
    """Each firm-event's status (``ok``, ``ok: ...`` or ``excluded: reason``), warning once per kind.

    Raises
    ------
    InsufficientEstimationDataError
        With ``strict``, if a firm-event has too few estimation returns.
    NoUsableEventsError
        If every firm-event is left out.
    """
    events = placed.events
    n = len(events)
    requested = cfg.estimation.length
    jumps, off_data = screen.jumps, screen.off_data
    keep_jumps = convention.split_jumps == "keep"
    jumped = np.zeros(n, dtype=bool)
    kept = np.zeros(n, dtype=bool)
    (kept if keep_jumps else jumped)[list(jumps)] = True
    jumped &= ~off_data
    own_market = market_model & np.array([e.ticker == e.market for e in events], dtype=bool) & ~jumped & ~off_data
    excluded = (nobs < cfg.min_estimation_obs) & ~jumped & ~off_data & ~own_market
    # Enough returns, but a regressor that is constant or a copy of another: nothing can be fitted.
    degenerate = ~fitted & ~excluded & ~jumped & ~off_data & ~own_market
    if cfg.strict and degenerate.any():
        i = int(np.argmax(degenerate))
        raise DegenerateRegressorsError(events[i].event_id, events[i].ticker, events[i].market)
    # Returns left out on purpose (other events' windows) do not make a window short; a firm-event
    # left out for another reason has no window to shorten.
    short = ~(excluded | degenerate | jumped | off_data | own_market) & (nobs < requested - skipped)
    gaps = {str(w): ~excluded & ~off_data & ~jumped & ~np.isfinite(a.car) for w, a in windows.items()}
    span = screen.data_spans
    if cfg.strict and excluded.any():
        i = int(np.argmax(excluded))
        raise InsufficientEstimationDataError(
            events[i].event_id,
            events[i].ticker,
            int(nobs[i]),
            cfg.min_estimation_obs,
            requested,
            span.get(i, ""),
            i in screen.begins_after,
        )
    status = np.where(short, "ok: short estimation window", "ok").astype(object)
    for j in np.flatnonzero(short).tolist():
        status[j] = f"ok: short estimation window ({nobs[j]} of {requested - skipped[j]})"
    for j, jump in jumps.items():
        status[j] = f"ok: kept, {jump.describe()}" if keep_jumps else f"excluded: {jump.describe()}"
    for j in np.flatnonzero(off_data).tolist():
        status[j] = f"excluded: the event window {cfg.event_window} runs outside the price data ({span[j]})"
    for j in np.flatnonzero(excluded).tolist():
        status[j] = f"excluded: {nobs[j]} estimation returns of {requested}, minimum {cfg.min_estimation_obs}"
        if j in span:
            status[j] += f" ({span[j]})"
    for j in np.flatnonzero(degenerate).tolist():
        status[j] = f"excluded: {DEGENERATE}"
    for j in np.flatnonzero(own_market).tolist():
        status[j] = f"excluded: {OWN_MARKET}"
    used = ~(excluded | jumped | off_data | degenerate | own_market)
    overlapped = used & np.array([bool(o) for o in placed.overlaps], dtype=bool)
    skipping = cfg.estimation_overlap == "skip"
    for j in np.flatnonzero(overlapped).tolist():
        which = _event_windows(events, placed.overlaps[j])
        note = f"{ESTIMATION_SKIP} {which} ({skipped[j]} returns)" if skipping else f"{ESTIMATION_OVERLAP} {which}"
        status[j] = f"ok: {note}" if status[j] == "ok" else f"{status[j]}; {note}"
    # Same-firm event windows that share sessions: both CARs count those abnormal returns.
    spans = placed.event_spans
    shared = [
        tuple(k for k in found if used[k]) for found in estimation_overlaps([e.ticker for e in events], spans, spans)
    ]
    sharing = used & np.array([bool(o) for o in shared], dtype=bool)
    for j in np.flatnonzero(sharing).tolist():
        note = f"{SHARED_EVENT_WINDOW} {_event_windows(events, shared[j])}"
        status[j] = f"ok: {note}" if status[j] == "ok" else f"{status[j]}; {note}"

    def report(mask: Mask, one: Callable[[int], str], many: str, category: type[Warning]) -> None:
        # One warning per firm-event reads well for a study, not for a batch of thousands.
        idx = np.flatnonzero(mask)
        if len(idx) <= 20:
            for i in idx:
                warn(one(int(i)), category)
        elif len(idx):
            shown = ", ".join(repr(events[i].event_id) for i in idx[:5])
            warn(f"{len(idx)} firm-events {many} (first: {shown}); see the status column of params.", category)

    def label(i: int) -> str:
        return f"event {events[i].event_id!r} ({events[i].ticker})"

    report(
        excluded,
        lambda i: (
            f"{label(i)}: {nobs[i]} estimation returns of {requested} ({span[i]}"
            + (", after the event); " if i in screen.begins_after else "); ")
            + "it is left out of the study."
            if i in span
            else f"{InsufficientEstimationDataError(events[i].event_id, events[i].ticker, int(nobs[i]), cfg.min_estimation_obs, requested)} It is left out of the study."
        ),
        f"have fewer than {cfg.min_estimation_obs} estimation returns and are left out",
        EventExcludedWarning,
    )
    report(
        short,
        lambda i: (
            f"{label(i)}: estimation window shortened to {nobs[i]} returns of {requested - skipped[i]} requested "
            f"(minimum {cfg.min_estimation_obs})."
        ),
        f"use a shortened estimation window (fewer than {requested} returns)",
        ShortEstimationWindowWarning,
    )
    any_gap = np.logical_or.reduce(list(gaps.values())) if gaps else np.zeros(n, dtype=bool)
    report(
        any_gap,
        lambda i: (
            f"{label(i)}: returns missing inside window(s) "
            f"{', '.join(k for k, g in gaps.items() if g[i])}"
            + (f" ({screen.data_ends[i]}, before the window does)" if i in screen.data_ends else "")
            + (f" ({screen.factor_gaps[i]})" if i in screen.factor_gaps else "")
            + "; their CARs are left empty (missing prices are never filled with zero returns)."
        ),
        "miss returns inside a window; their CARs are left empty (missing prices are never filled with zero returns)",
        MissingReturnsWarning,
    )
    grouped = [bool(e.group) for e in events]
    report(
        np.array([any(grouped) and not g for g in grouped], dtype=bool),
        lambda i: f"{label(i)}: no group, while other events have one; it counts only in the pooled rows (group all).",
        "have no group while other events have one; they count only in the pooled rows (group all)",
        UngroupedEventWarning,
    )
    names = {e.group for e in events if e.group}
    if len(names) == 1 and all(grouped):
        warn(
            f"every event is in group {names.pop()!r}: one group is the whole study, so its tests are the pooled "
            "rows (group all) and no groups are compared.",
            UngroupedEventWarning,
        )
    report(
        own_market,
        lambda i: f"{label(i)}: {OWN_MARKET}; it is left out of the study.",
        f"are their own market proxy ({OWN_MARKET}) and are left out",
        EventExcludedWarning,
    )
    report(
        degenerate,
        lambda i: f"{label(i)}: {DEGENERATE}; it is left out of the study.",
        f"cannot be fitted ({DEGENERATE}) and are left out",
        EventExcludedWarning,
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
            f"{label(i)}: {jumps[i].describe()}; kept, as the {convention.name} convention does "
            "(the mackinlay convention leaves it out)."
        ),
        f"have a price jump that looks like an unadjusted split; kept, as the {convention.name} convention does",
        SplitJumpWarning,
    )
    report(
        off_data,
        lambda i: (
            f"{label(i)}: the event window {cfg.event_window} runs outside the price data ({span[i]}); "
            "it is left out of the study."
        ),
        "have an event window outside their price data and are left out",
        EventExcludedWarning,
    )
    enter = "fitted model and sigma" if estimates_mean else "sigma"  # a market-adjusted model fits nothing else
    abnormal = "abnormal returns" if cfg.measure == "returns" else "abnormal log volumes"
    report(
        overlapped & (not skipping),
        lambda i: (
            f"{label(i)}: its estimation window {cfg.estimation} holds {_event_windows(events, placed.overlaps[i])} "
            f"of the same firm, so those {abnormal} enter its {enter}; shorten or move the "
            "estimation window, or leave one of the events out, if they should not."
        ),
        f"hold another event of the same firm in their estimation window {cfg.estimation} (its event window "
        f"{cfg.event_window}), so its {abnormal} enter their {enter}",
        EstimationOverlapWarning,
    )
    report(
        sharing,
        lambda i: (
            f"{label(i)}: its event window {cfg.event_window} shares sessions with "
            f"{_event_windows(events, shared[i])} of the same firm, so their CARs count some of the same "
            f"{abnormal} and are not independent; space the events further apart or keep one, if they should be."
        ),
        f"share event-window sessions with another event of the same firm (event window {cfg.event_window}), so "
        f"their CARs count some of the same {abnormal}",
        SharedEventWindowWarning,
    )
    if not used.any():
        reasons = "; ".join(f"{events[i].event_id}: {status[i]}" for i in range(min(3, n)))
        more = f" (and {n - 3} more)" if n > 3 else ""
        # the advice fits the reasons: a split-like jump is fixed by an option, not by other dates
        advice = (
            "adjust the prices for the split, or pass --allow-jumps (allow_jumps = true in a study file, "
            "allow_jumps=True in the API) if the moves are real"
            if jumped.any()
            else "measure them against another market proxy (--market, or a market column in the events file)"
            if own_market.all()
            else f"give prices that begin earlier, a shorter estimation window than {cfg.estimation}, or a lower "
            f"min_estimation_obs than {cfg.min_estimation_obs} (--min-estimation-obs)"
            if excluded.all()
            else "check the tickers, dates and estimation window against the data"
        )
        raise NoUsableEventsError(f"every firm-event was left out ({reasons}{more}); {advice}.")
    return [str(x) for x in status]


def event_study(
    tickers: Sequence[str] | str,
    event_date: str | dt.date,
    *,
    market: str = DEFAULT_MARKET,
    source: Source | str | Path | pd.DataFrame | PricePanel | None = None,
    backend: str = "local",
    paths: str = "full",
    name: str = "study",
    **options: Any,
) -> EventStudyResults:
    """Run an event study of ``tickers`` around one date in one call.

    Parameters
    ----------
    tickers
        Firm tickers.
    event_date
        Event date (ISO, or a layout that cannot be misread, or ``date_format=``); a
        non-session moves to the next session with a warning.
    market
        Market proxy ticker.
    source
        Price source: a Source, a path, a DataFrame of prices or a PricePanel (default:
        the bundled snapshot, or ``prices=`` / ``source="yahoo"`` among the options).
    backend, paths
        How the work is done (see :class:`EventStudy`); the numbers do not depend on them.
    name
        Study name.
    **options
        Any field of :class:`~eventstudy.config.StudyConfig`, exactly as the CLI and the
        study file take them: ``model``, ``convention``, ``returns``, ``estimation``,
        ``event_window``, ``car_windows``, ``min_estimation_obs``, ``estimation_overlap``,
        ``factors``, ``factor_columns``, ``negative_prices``, ``allow_jumps``, ``strict``,
        ``date_format``, ``calendar``, ``prices``; windows as strings such as ``"-1:1"``.
        Unset ones come from the convention profile.

    Returns
    -------
    EventStudyResults

    Examples
    --------
    >>> res = event_study(["NVDA"], "2025-01-27")
    >>> round(float(res.ret.loc[0, "NVDA@2025-01-27"]), 4)
    -0.1697
    """
    valid = set(StudyConfig.__dataclass_fields__) - {"name", "events"}
    for key in options:
        if key not in valid:
            near = near_names(key, valid, n=1)
            hint = f" Did you mean {near[0]!r}?" if near else ""
            raise ConfigError(f"unknown option {key!r}; valid options: {', '.join(sorted(valid))}.{hint}")
    dates: object = event_date  # typed as one date, but a list is an easy slip
    if isinstance(dates, list | tuple):
        raise ConfigError(
            f"event_date={list(dates)!r}: event_study takes one date; for several, give the events "
            "(StudyConfig(name=..., events=...), or read_events('events.csv')) to EventStudy."
        )
    if isinstance(source, str) and source in get_args(SourceName):
        options["source"], source = source, None  # a source by name, as in the study file
    events = events_for(tickers, event_date, market, options.get("date_format"))
    config = StudyConfig(name=name, events=events, **options)
    return EventStudy(config, source, backend=backend, paths=paths).fit()
