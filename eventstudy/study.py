"""The orchestration: config -> prices -> returns -> sessions -> stacked fit -> results.

All firm-events are stacked into arrays (firm-event x relative day) and computed
together, in chunks of bounded size. This module only moves data between the stages;
the numbers come from :mod:`eventstudy.abnormal` and :mod:`eventstudy.inference`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from eventstudy import abnormal, aggregate, inference
from eventstudy._options import validate_literal
from eventstudy.backends import Backend, run_chunks
from eventstudy.calendar import sessions_between, to_session
from eventstudy.config import Event, StudyConfig
from eventstudy.conventions import CONVENTIONS, Convention, get_convention
from eventstudy.data.factors import load_factors
from eventstudy.data.panel import PricePanel
from eventstudy.data.returns import compute_returns
from eventstudy.data.sources import BundledSource, CsvSource, Source
from eventstudy.errors import (
    EventDateError,
    EventExcludedWarning,
    InsufficientEstimationDataError,
    MissingReturnsWarning,
    NoUsableEventsError,
    ShortEstimationWindowWarning,
    warn,
)
from eventstudy.models import MARKET, ReturnModel, get_model
from eventstudy.results import EventStudyResults
from eventstudy.windows import Window

DEFAULT_CHUNK = 20_000


def make_source(config: StudyConfig) -> Source:
    """Return the price source a config asks for."""
    if config.source == "csv" or config.prices:
        if not config.prices:
            from eventstudy.errors import ConfigError

            raise ConfigError("source='csv' needs prices = \"PATH\" in [data].")
        return CsvSource(config.prices)
    if config.source == "yahoo":
        from eventstudy.data.yahoo import YahooSource

        last = max(e.event_date for e in config.events) + dt.timedelta(days=30)
        first = min(e.event_date for e in config.events) - dt.timedelta(days=int(-config.estimation.start * 1.6) + 30)
        return YahooSource(first, last)
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


def grid_positions(event_pos: NDArray[np.int64], rel: NDArray[np.int64], n_sessions: int) -> NDArray[np.int64]:
    """Session position of every relative day of every firm-event; -1 outside the data."""
    pos = event_pos[:, None] + rel[None, :]
    return np.where((pos >= 0) & (pos < n_sessions), pos, -1)


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
) -> ChunkResult:
    """Fit the model and compute ARs, CARs and tests for one chunk of firm-events.

    A pure function of arrays: the same rows give the same numbers whatever the chunk
    they are computed in.
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
    out: dict[str, NDArray[np.float64]] = {
        "ar": ar,
        "expected": expected_ret,
        "ar_var": ar_var,
        "est": est.astype(np.float64),
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
    days = aggregate.test_days(event_window or windows[0], windows)
    col = {int(r): i for i, r in enumerate(rel)}
    dcols = np.array([col[d] for d in days], dtype=np.intp)
    day_scale = np.sqrt(abnormal.ar_variance(scale_fit, x)[:, dcols])
    cars, scales = [], []
    for w in windows:
        idx = np.flatnonzero((rel >= w.start) & (rel <= w.end))
        car = abnormal.window_sum(ar_t, idx)
        exact = convention.single_variance == "exact"
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
        usable=fit.nobs >= min_obs,
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
    ) -> None:
        validate_literal("backend", backend, Backend)
        self.config = config
        self.source = source if source is not None else make_source(config)
        self.strict = strict
        self.chunk_size = max(1, int(chunk_size))
        self.model = get_model(config.model)
        self.convention = get_convention(config.convention)
        self.backend = backend
        self.progress = progress

    def load_prices(self) -> PricePanel:
        """Load every series the study needs from the source."""
        names = list(dict.fromkeys([*self.config.tickers, *self.config.markets]))
        return self.source.load(names)

    def fit(self, prices: PricePanel | None = None) -> EventStudyResults:
        """Run the study and return its immutable results."""
        cfg = self.config
        panel = prices if prices is not None else self.load_prices()
        adj = panel.adj_close
        first, last = adj.dropna(how="all").index.min(), adj.dropna(how="all").index.max()
        if self.convention.calendar == "pair":
            sessions = pd.DatetimeIndex(adj.dropna(how="all").index, name="date")
        else:
            sessions = sessions_between(cfg.calendar, first, last)
        returns = compute_returns(adj, sessions, cfg.returns)  # type: ignore[arg-type]
        factor_names: tuple[str, ...] = ()
        factor_values = np.zeros((len(sessions), 0))
        if self.model.uses_factors:
            factors = load_factors(self.model.name).reindex(sessions)
            if cfg.returns == "log":
                factors = np.log1p(factors)
            factor_names = tuple(str(c) for c in factors.columns)
            factor_values = factors.to_numpy(dtype="float64")

        windows = list(dict.fromkeys([cfg.event_window, *cfg.car_windows]))
        lo = min(cfg.estimation.start, *(w.start for w in windows))
        hi = max(cfg.estimation.end, *(w.end for w in windows))
        rel = np.arange(lo, hi + 1, dtype=np.int64)

        col_of = {name: i for i, name in enumerate(returns.columns)}
        rows = []
        for ev in cfg.events:
            session = to_session(cfg.calendar, ev.event_date, sessions, label=f"event_date of {ev.event_id}")
            rows.append((ev, session, int(sessions.get_loc(session))))
        event_pos = np.array([r[2] for r in rows], dtype=np.int64)
        firm_cols = np.array([col_of[r[0].ticker] for r in rows], dtype=np.int64)
        mkt_cols = np.array([col_of[r[0].market] for r in rows], dtype=np.int64)
        values = returns.to_numpy(dtype="float64")
        if self.convention.calendar == "pair":
            pos_all = pair_positions(values, event_pos, firm_cols, mkt_cols, rel)
            # The event day is the first day on which firm and market both trade.
            day0 = pos_all[:, int(np.flatnonzero(rel == 0)[0])]
            rows = [(ev, sessions[int(p)] if p >= 0 else s, i) for (ev, s, i), p in zip(rows, day0, strict=True)]
        else:
            pos_all = grid_positions(event_pos, rel, len(sessions))

        def stack(sl: slice) -> Stack:
            pos = pos_all[sl]
            fac = (
                np.stack([take(factor_values, pos, np.full(len(pos), j)) for j in range(len(factor_names))], axis=2)
                if factor_names
                else np.zeros((*pos.shape, 0))
            )
            return Stack(rel, take(values, pos, firm_cols[sl]), take(values, pos, mkt_cols[sl]), fac, factor_names, pos)

        slices = [slice(a, a + self.chunk_size) for a in range(0, len(rows), self.chunk_size)]
        compute = functools.partial(
            compute_chunk,
            model=self.model,
            estimation=cfg.estimation,
            windows=windows,
            event_window=cfg.event_window,
            convention=self.convention,
            min_obs=cfg.min_estimation_obs,
        )
        sizes = [len(range(*sl.indices(len(rows)))) for sl in slices]
        results = run_chunks(compute, map(stack, slices), sizes, self.backend, progress=self.progress)
        arrays = {k: np.concatenate([c.arrays[k] for c in results]) for k in results[0].arrays}
        part = aggregate.Partial.merge([c.partial for c in results])
        days = aggregate.test_days(cfg.event_window, windows)
        in_est = (rel >= cfg.estimation.start) & (rel <= cfg.estimation.end)
        ret_all = take(values, pos_all, firm_cols)
        mkt_all = take(values, pos_all, mkt_cols)

        status = self._statuses(rows, arrays, rel, windows)
        return EventStudyResults.build(
            config=cfg,
            model=self.model,
            events=[r[0] for r in rows],
            sessions=sessions,
            event_sessions=[r[1] for r in rows],
            rel=rel,
            positions=pos_all,
            ret=ret_all,
            market_ret=mkt_all,
            arrays=arrays,
            windows=windows,
            status=status,
            convention=self.convention,
            aggregate_tests=aggregate.aggregate_tests(part, days, windows, in_est, self.convention),
            aggregate_estimates=aggregate.estimates(part, days, windows, self.convention),
            residual_correlation=aggregate.mean_residual_correlation(part),
            prices=panel,
        )

    def _statuses(
        self,
        rows: list[tuple[Event, pd.Timestamp, int]],
        arrays: dict[str, NDArray[np.float64]],
        rel: NDArray[np.int64],
        windows: list[Window],
    ) -> list[str]:
        cfg = self.config
        status = []
        requested = cfg.estimation.length
        for i, (ev, _, _) in enumerate(rows):
            m = int(arrays["nobs"][i])
            if m < cfg.min_estimation_obs:
                err = InsufficientEstimationDataError(ev.event_id, ev.ticker, m, cfg.min_estimation_obs, requested)
                if self.strict:
                    raise err
                status.append(f"excluded: {m} estimation returns of {requested}, minimum {cfg.min_estimation_obs}")
                warn(f"{err} It is left out of the study.", EventExcludedWarning)
                continue
            if m < requested:
                warn(
                    f"event {ev.event_id!r} ({ev.ticker}): estimation window shortened to {m} returns "
                    f"of {requested} requested (minimum {cfg.min_estimation_obs}).",
                    ShortEstimationWindowWarning,
                )
            gaps = [str(w) for w in windows if not np.isfinite(arrays[f"car:{w}"][i])]
            if gaps:
                warn(
                    f"event {ev.event_id!r} ({ev.ticker}): returns missing inside window(s) "
                    f"{', '.join(gaps)}; their CARs are left empty (missing prices are never "
                    "filled with zero returns).",
                    MissingReturnsWarning,
                )
            status.append("ok" if m >= requested else f"ok: short estimation window ({m} of {requested})")
        if not any(s.startswith("ok") for s in status):
            raise NoUsableEventsError(
                "every firm-event was left out (see the warnings for each); check the "
                "tickers, dates and estimation window against the data."
            )
        return status


def event_study(
    tickers: Sequence[str] | str,
    event_date: str | dt.date,
    *,
    market: str = "^GSPC",
    model: str = "market",
    estimation: str | Window = "-250:-11",
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
        Windows in relative sessions, both ends inclusive.
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
    try:
        day = pd.Timestamp(event_date).date()
    except (ValueError, TypeError):
        raise EventDateError("event_date", event_date, "is not a date", "write it as YYYY-MM-DD") from None
    config = StudyConfig(
        name=name,
        events=tuple(Event(f"{t}@{day}", t, day, market) for t in tickers),
        model=model,
        estimation=Window.parse(estimation, "estimation"),
        event_window=Window.parse(event_window, "event_window"),
        car_windows=tuple(Window.parse(w, "car_windows") for w in car_windows),
        returns=returns or get_convention(convention).returns,
        min_estimation_obs=min_estimation_obs,
        convention=convention,
    )
    return EventStudy(config, source, backend=backend).fit()
