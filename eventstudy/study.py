"""The orchestration: config -> prices -> returns -> sessions -> stacked fit -> results.

All firm-events are stacked into arrays (firm-event x relative day) and computed
together, in chunks of bounded size. This module only moves data between the stages;
the numbers come from :mod:`eventstudy.abnormal` and :mod:`eventstudy.inference`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from eventstudy import abnormal, inference
from eventstudy.calendar import sessions_between, to_session
from eventstudy.config import Event, StudyConfig
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


def gather(
    values: NDArray[np.float64], event_pos: NDArray[np.int64], cols: NDArray[np.int64], rel: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Pick ``values[event_pos + rel, col]`` for every firm-event; NaN outside the data."""
    pos = event_pos[:, None] + rel[None, :]
    inside = (pos >= 0) & (pos < values.shape[0])
    safe = np.where(inside, pos, 0)
    out = values[safe, cols[:, None]]
    out = np.where(inside, out, np.nan)
    return out, np.where(inside, pos, -1)


def compute_chunk(
    stack: Stack,
    model: ReturnModel,
    estimation: Window,
    windows: Sequence[Window],
) -> dict[str, NDArray[np.float64]]:
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
    out: dict[str, NDArray[np.float64]] = {
        "ar": ar,
        "expected": expected_ret,
        "ar_var": abnormal.ar_variance(fit, x),
        "est": est.astype(np.float64),
        "alpha": fit.alpha,
        "coef": fit.coef,
        "sigma": np.sqrt(fit.sigma2),
        "nobs": fit.nobs,
        "df": fit.df,
    }
    for w in windows:
        idx = np.flatnonzero((rel >= w.start) & (rel <= w.end))
        car = abnormal.window_sum(ar, idx)
        var = abnormal.car_variance(fit, x, idx)
        t, p = inference.t_test(car, var, fit.df)
        q, sq_p, _n_sums = inference.sq_test(ar, est, car, w.length)
        out[f"car:{w}"] = car
        out[f"var:{w}"] = var
        out[f"t:{w}"] = t
        out[f"p:{w}"] = p
        out[f"sq_q:{w}"] = q
        out[f"sq_p:{w}"] = sq_p
        out[f"bhar:{w}"] = abnormal.bhar(stack.ret, expected_ret, idx)
    return out


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
    ) -> None:
        self.config = config
        self.source = source if source is not None else make_source(config)
        self.strict = strict
        self.chunk_size = max(1, int(chunk_size))
        self.model = get_model(config.model)

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

        chunks: list[dict[str, NDArray[np.float64]]] = []
        positions = []
        raw = []
        for start in range(0, len(rows), self.chunk_size):
            sl = slice(start, start + self.chunk_size)
            ret, pos = gather(values, event_pos[sl], firm_cols[sl], rel)
            mkt, _ = gather(values, event_pos[sl], mkt_cols[sl], rel)
            if factor_names:
                fac = np.stack(
                    [
                        gather(factor_values, event_pos[sl], np.full(len(ret), j), rel)[0]
                        for j in range(len(factor_names))
                    ],
                    axis=2,
                )
            else:
                fac = np.zeros((*ret.shape, 0))
            stack = Stack(rel, ret, mkt, fac, factor_names, pos)
            chunks.append(compute_chunk(stack, self.model, cfg.estimation, windows))
            positions.append(pos)
            raw.append((ret, mkt))
        arrays = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
        ret_all = np.concatenate([r[0] for r in raw])
        mkt_all = np.concatenate([r[1] for r in raw])
        pos_all = np.concatenate(positions)

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
    returns: str = "simple",
    source: Source | None = None,
    name: str = "study",
    min_estimation_obs: int = 120,
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
        ``simple`` or ``log``.
    source
        Price source (default: the bundled snapshot).
    name
        Study name.
    min_estimation_obs
        Fewest estimation returns a firm-event may have.

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
        returns=returns,
        min_estimation_obs=min_estimation_obs,
    )
    return EventStudy(config, source).fit()
