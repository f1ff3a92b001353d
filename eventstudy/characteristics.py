"""Firm characteristics measured from the data itself, before the event, for cross-sections of abnormal returns.

Every exposure is computed over each firm-event's own estimation window (the sessions
its market model was fitted on), from the same returns the study used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.data.returns import compute_returns
from eventstudy.data.sources import BundledSource, Source
from eventstudy.dollar import share_table, shares_on
from eventstudy.errors import ShortEstimationWindowWarning, warn

RUNUP = (-250, -21)
"""Relative sessions of the pre-event run-up: about twelve months, leaving out the last one (12-1 momentum)."""


StudyResults = Any
"""An :class:`~eventstudy.results.EventStudyResults` fitted with ``paths="full"``."""


def _slope(y: pd.DataFrame, x: pd.DataFrame, mask: pd.DataFrame, min_obs: int) -> tuple[pd.Series, pd.Series]:
    """OLS slope of each column of ``y`` on the same column of ``x`` over ``mask`` (vectorised), and its count.

    A slope from fewer than ``min_obs`` pairs is NaN: the study's own minimum for a fit.
    """
    ok = mask & y.notna() & x.notna()
    yv, xv = y.where(ok), x.where(ok)
    xc = xv - xv.mean()
    yc = yv - yv.mean()
    count = ok.sum()
    return ((xc * yc).sum() / (xc**2).sum()).where(count >= min_obs), count


def exposures(
    res: StudyResults,
    series: Mapping[str, str] | None = None,
    *,
    source: Source | None = None,
    sectors: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Pre-event exposures of every firm-event (index ``event_id``).

    Columns: ``beta_market`` (slope on the event's market over the estimation window),
    ``beta_<name>`` for each named return series (e.g. ``{"ai_chip": "SMH"}``; NaN, with a
    warning, where fewer than the study's ``min_estimation_obs`` of its returns fall in the window),
    ``runup`` (compounded return over sessions -250 to -21; NaN when the study's days do
    not reach back to -250, its estimation window starting later), ``volatility`` (sd of daily
    returns over the estimation window), ``market_value`` (US$ bn at the close before the
    event, where a share count is bundled) and ``sector`` (where ``sectors`` names it).

    Parameters
    ----------
    res
        Results of a study fitted with ``paths="full"`` (the estimation-window returns).
    series
        Name -> ticker of return series to measure betas to.
    source
        Where a named series comes from when the study's prices lack it (default: the
        bundled snapshot).
    sectors
        Ticker -> sector.
    """
    ret, mkt, est, dates = res.ret, res.market_ret, res.est_mask, res.dates
    first = res.config.estimation.start
    if int(ret.index.min()) > first:
        raise ValueError(f"exposures need every relative day from {first} on: fit the study with paths='full'")
    out = pd.DataFrame(index=ret.columns)
    least = res.config.min_estimation_obs
    out["beta_market"] = _slope(ret, mkt, est, least)[0]
    for name, ticker in (series or {}).items():
        out[f"beta_{name}"], count = _slope(ret, _series_on(res, ticker, dates, source), est, least)
        short = out[f"beta_{name}"].isna() & out["beta_market"].notna()
        if short.any():  # a series that begins late (or has gaps) gives betas from a handful of days
            warn(
                f"exposures: {ticker} ({name}) has fewer than min_estimation_obs={least} returns in the estimation "
                f"window of {int(short.sum())} of the {len(short)} firm-events (as few as {int(count[short].min())}); "
                f"their beta_{name} is left empty.",
                ShortEstimationWindowWarning,
            )
    if int(ret.index.min()) <= RUNUP[0]:
        window = ret.loc[RUNUP[0] : RUNUP[1]]
        out["runup"] = np.exp(np.log1p(window).sum(min_count=1)) - 1.0
    else:  # the study never looked that far back
        out["runup"] = np.nan
    out["volatility"] = ret.where(est).std(ddof=1)
    events = res.events
    close = res.prices.close
    values = []
    counts = share_table(res.config.shares)
    for eid in ret.columns:
        found = shares_on(str(events.loc[eid, "ticker"]), events.loc[eid, "event_date"], counts)
        day = dates.loc[-1, eid]
        price = close[str(events.loc[eid, "ticker"])].get(day, np.nan) if pd.notna(day) else np.nan
        values.append(found[0] * float(price) / 1e9 if found is not None else np.nan)
    out["market_value"] = values
    if sectors is not None:
        out["sector"] = [sectors.get(str(t), np.nan) for t in events.loc[out.index, "ticker"]]
    out.insert(0, "ticker", events.loc[out.index, "ticker"])
    out.index.name = "event_id"
    return out


def _series_on(res: StudyResults, ticker: str, dates: pd.DataFrame, source: Source | None) -> pd.DataFrame:
    """Return the returns of ``ticker`` on each firm-event's dates, shaped like ``res.ret``."""
    prices = res.prices
    panel = prices.select([ticker]) if ticker in prices.tickers else (source or BundledSource()).load([ticker])
    adj = panel.adj_close
    returns = compute_returns(adj, pd.DatetimeIndex(adj.index), res.config.returns)[ticker]
    flat = pd.DatetimeIndex(dates.to_numpy().ravel())
    values = returns.reindex(flat).to_numpy().reshape(dates.shape)
    return pd.DataFrame(values, index=dates.index, columns=dates.columns)
