"""The bundled S&P 500 universe: members, GICS sectors and an equal-weighted index."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from eventstudy.data.panel import PricePanel
from eventstudy.data.sources import MEMBERS_AS_OF, bundled_path, wide_sp500

CONSTITUENTS = f"sp500_constituents_asof_{MEMBERS_AS_OF.isoformat()}.csv"
MEMBERSHIP_CURRENT_DAYS = 90
"""An event this many calendar days or fewer from the list's day may take it as that day's membership.

The index is rebalanced each quarter, so further away some listed firms had not yet joined
or had left.
"""
EW_TICKER = "EW_SP500_EX"


def constituents() -> pd.DataFrame:
    """S&P 500 members as of `MEMBERS_AS_OF`: ``Symbol``, ``Security``, ``GICS Sector`` and more."""
    return pd.read_csv(bundled_path(CONSTITUENTS))


def list_is_current(days: Iterable[dt.date]) -> bool:
    """Say whether the member list may stand for the membership on every one of ``days``.

    Examples
    --------
    >>> list_is_current([dt.date(2025, 1, 27)]), list_is_current([dt.date(2024, 7, 19)])
    (True, False)
    """
    return all(abs((day - MEMBERS_AS_OF).days) <= MEMBERSHIP_CURRENT_DAYS for day in days)


def member_prices() -> pd.DataFrame:
    """Return the adjusted closes of every bundled S&P 500 member, dates x tickers."""
    return wide_sp500()


def equal_weighted_index(prices: pd.DataFrame, exclude: Iterable[str] = (), base: float = 100.0) -> pd.Series:
    """Return an equal-weighted index of ``prices`` without the ``exclude`` columns.

    Each day's index return is the mean simple return of the members with a price on
    that day and the day before (rebalanced daily); the index starts at ``base``.

    Examples
    --------
    >>> p = pd.DataFrame({"A": [10.0, 11.0, 12.1], "B": [20.0, 18.0, 18.0]})
    >>> equal_weighted_index(p).round(4).tolist()
    [100.0, 100.0, 105.0]
    """
    members = prices.drop(columns=[c for c in exclude if c in prices.columns])
    rets = members.pct_change(fill_method=None)
    daily = rets.mean(axis=1, skipna=True).fillna(0.0).to_numpy(copy=True)
    daily[0] = 0.0
    return pd.Series(base * np.cumprod(1.0 + daily), index=prices.index, name=EW_TICKER)


def with_series(panel: PricePanel, series: pd.Series, provenance: str) -> PricePanel:
    """Return ``panel`` with one more adjusted-close series (named by ``series.name``)."""
    frames = {t: panel.frame(t) for t in panel.tickers}
    frames[str(series.name)] = pd.DataFrame({"adj_close": series.dropna()})
    return PricePanel.from_frames(frames, {**panel.provenance, str(series.name): provenance}, panel.chained)
