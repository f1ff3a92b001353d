"""Fama-French and momentum factors from the bundled Ken French daily files."""

from __future__ import annotations

import functools

import pandas as pd

from eventstudy.data.sources import bundled_path

_FILES = {
    "ff3": ("factors/ff_factors_daily.csv",),
    "carhart": ("factors/ff_factors_daily.csv", "factors/momentum_daily.csv"),
    "ff5": ("factors/ff5_factors_daily.csv",),
}


@functools.cache
def _read(relative: str) -> pd.DataFrame:
    frame = pd.read_csv(bundled_path(relative), index_col="date", parse_dates=["date"])
    return frame.astype("float64") / 100.0  # the library publishes percent per day


def load_factors(model: str) -> pd.DataFrame:
    """Return daily factors (decimal, not percent) for ``model`` (``ff3``, ``carhart``, ``ff5``).

    Columns are ``mkt_rf, smb, hml[, rmw, cma][, mom], rf``, indexed by date.
    """
    parts = [_read(f) for f in _FILES[model]]
    frame = pd.concat(parts, axis=1, join="inner")
    return frame.loc[:, ~frame.columns.duplicated()]
