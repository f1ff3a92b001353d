"""Fama-French and momentum factors from the bundled Ken French daily files."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.calendar import FREQUENCY_RATIO, median_spacing
from eventstudy.data.sources import bundled_path, parse_dates, read_csv_file
from eventstudy.errors import DataFormatError, FactorFrequencyError

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


PERCENT_SIGN = 0.05
"""A factor whose median absolute daily value exceeds this (5% a day) is taken to be in percent."""


def read_factor_file(path: str | Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read user factors: a CSV with ``date`` and one column per factor, in decimals.

    A column named ``rf`` is kept as the risk-free rate (returns are then measured in
    excess of it). ``market`` in ``columns`` stands for the event's market proxy and is
    not read from the file.

    Raises
    ------
    DataFormatError
        If the file lacks ``date`` or a named column, or holds non-numeric values.
    """
    raw = read_csv_file(Path(path))
    raw.columns = [str(c).strip() for c in raw.columns]
    # the date column in any case (Date, DATE), as price and share files take it
    raw = raw.rename(columns={c: "date" for c in raw.columns if c.lower() == "date"})
    if "date" not in raw.columns:
        raise DataFormatError(path, "has no 'date' column", "name the date column 'date'")
    wanted = [c for c in columns if c != "market"]
    missing = [c for c in wanted if c not in raw.columns]
    if missing:
        available = ", ".join(c for c in raw.columns if c != "date")
        raise DataFormatError(path, f"has no column {missing[0]!r} (it has: {available})", "fix factor_columns")
    keep = [*wanted, *(["rf"] if "rf" in raw.columns else [])]
    dates = parse_dates(raw["date"], str(path))
    if dates.duplicated().any():
        raise DataFormatError(
            path, f"has date {dates[dates.duplicated()].iloc[0].date()} twice", "keep one row per date"
        )
    frame = raw[keep].apply(pd.to_numeric, errors="coerce")
    bad = raw[keep].notna() & frame.isna()
    if bad.any().any():
        col = str(bad.any().idxmax())
        raise DataFormatError(path, f"column {col!r} has non-numeric values", "write decimals such as 0.0012")
    if not np.isfinite(frame.to_numpy(dtype="float64")[frame.notna().to_numpy()]).all():
        raise DataFormatError(path, "has infinite values", "correct them or leave them empty")
    for col in wanted:
        typical = float(frame[col].abs().median())
        if typical == 0:
            raise DataFormatError(path, f"column {col!r} is zero on most days", "check the column; a factor must vary")
        if typical > PERCENT_SIGN:
            raise DataFormatError(
                path,
                f"column {col!r} has a median absolute daily value of {typical:.3g}, which reads as percent (a daily "
                f"factor in decimals is rarely above {PERCENT_SIGN:g})",
                "divide the factor columns by 100",
            )
    frame.index = pd.DatetimeIndex(dates, name="date")
    return frame.astype("float64").sort_index()


def check_frequency(
    factors: pd.DatetimeIndex, prices: pd.DatetimeIndex, label: str, what: str, data: str = "prices"
) -> None:
    """Refuse factors whose dates are spaced unlike the prices' (daily factors for monthly returns, say).

    A factor is the return of one period; taken on the prices' dates it must span the same
    period as each return, so the two must share a frequency. Spacing is the median number of
    calendar days between consecutive dates.

    Parameters
    ----------
    factors, prices
        The factor table's dates and the dates that hold a price.
    label
        The option the factors come from, named first in the message.
    what
        The factors as the message names them (``"the bundled Ken French factors"``).
    data
        The study's data as the message names them: ``prices``, or ``returns`` read as such.

    Raises
    ------
    FactorFrequencyError
        If one median spacing exceeds the other by more than :data:`FREQUENCY_RATIO`.
    """
    have, need = median_spacing(factors), median_spacing(prices)
    if not (np.isfinite(have) and np.isfinite(need)) or max(have, need) <= FREQUENCY_RATIO * min(have, need):
        return
    raise FactorFrequencyError(
        label,
        f"{what} are dated a median of {_days(have)} apart and the {data} a median of {_days(need)} apart, so a "
        "factor would not span the return it explains",
        f"use factors of the {data}' frequency (model='custom' with factors=FILE) or {data} of the factors' frequency",
    )


def _days(n: float) -> str:
    return "1 day" if n == 1 else f"{n:.3g} days"
