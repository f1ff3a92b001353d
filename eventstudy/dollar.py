"""Dollar figures: market value moved on a day and the abnormal part of it."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.data.sources import bundled_path, parse_dates, read_csv_file
from eventstudy.errors import DataFormatError, ShareCountJumpWarning, renames, warn

SHARE_COLUMNS = ("ticker", "as_of_date", "shares")
"""The columns a share-count file needs.

Two are optional: ``source_document`` (where the count comes from) and ``covers`` (what it counts
when that is not every share of the firm, e.g. one class of several).
"""
SPLIT_LIKE = 1.5
"""Consecutive counts of one firm that differ by this factor or more look like a split between them."""
NO_PRICE_LEVEL = "no price level (the data are returns, chained into an index)"
"""Why a firm with a share count has no market value: its series holds returns, not prices."""
NO_CLOSE = "no close in the data on"
"""Why a firm with a share count and prices has no market value: a close is missing (followed by its date)."""


@functools.cache
def bundled_shares() -> pd.DataFrame:
    """Shares outstanding from the bundled ``shares_outstanding.csv`` (with sources)."""
    frame = pd.read_csv(bundled_path("shares_outstanding.csv"), parse_dates=["as_of_date"])
    frame = frame.assign(covers=frame["covers"].fillna(""), origin="bundled")
    return frame.sort_values(["ticker", "as_of_date"]).reset_index(drop=True)


def read_shares(path: str | Path) -> pd.DataFrame:
    """Read a share-count file: ``ticker, as_of_date, shares`` and, optionally, ``source_document`` and ``covers``.

    Raises
    ------
    DataFormatError
        On a missing column, a date that cannot be read, a count that is not a positive
        number, or a ticker counted twice on one date.
    """
    path = Path(path)
    raw = read_csv_file(path)
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in SHARE_COLUMNS if c not in raw.columns]
    if missing:
        hint = renames(missing, [c for c in raw.columns if c not in SHARE_COLUMNS])
        raise DataFormatError(path, f"has no {missing[0]!r} column{hint}", "write ticker,as_of_date,shares")
    frame = pd.DataFrame(
        {
            "ticker": raw["ticker"].astype(str).str.strip(),
            "as_of_date": parse_dates(raw["as_of_date"], str(path)),
            "shares": pd.to_numeric(raw["shares"], errors="coerce"),
            "source_document": raw["source_document"].astype(str) if "source_document" in raw else path.name,
            "covers": raw["covers"].fillna("").astype(str).str.strip() if "covers" in raw else "",
            "origin": f"in {path.name}",
        }
    )
    bad = ~(np.isfinite(frame["shares"]) & (frame["shares"] > 0))
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataFormatError(
            path, f"line {i + 2} has shares={str(raw['shares'].iloc[i])!r}", "write the count as a positive number"
        )
    twice = frame.duplicated(["ticker", "as_of_date"])
    if twice.any():
        i = int(np.argmax(twice.to_numpy()))
        raise DataFormatError(
            path,
            f"line {i + 2} counts {frame['ticker'].iloc[i]} again on {frame['as_of_date'].iloc[i].date()}",
            "keep one count per ticker and date",
        )
    frame = frame.sort_values(["ticker", "as_of_date"]).reset_index(drop=True)
    _warn_split_like(frame, path)
    return frame


def split_like_jumps(table: pd.DataFrame) -> pd.DataFrame:
    """Return the consecutive counts of one firm that differ by `SPLIT_LIKE` or more.

    One row per jump: ``ticker, before_date, before, after_date, after, ratio``.

    Examples
    --------
    >>> t = pd.DataFrame({"ticker": ["A", "A", "B", "B"], "as_of_date": pd.to_datetime(
    ...     ["2023-01-01", "2024-01-01", "2023-01-01", "2024-01-01"]), "shares": [1.0, 10.0, 5.0, 5.1]})
    >>> split_like_jumps(t)[["ticker", "ratio"]].to_dict("records")
    [{'ticker': 'A', 'ratio': 10.0}]
    """
    table = table.sort_values(["ticker", "as_of_date"]).reset_index(drop=True)
    before = table.groupby("ticker")[["as_of_date", "shares"]].shift()
    ratio = table["shares"] / before["shares"]
    jump = ((ratio >= SPLIT_LIKE) | (ratio <= 1 / SPLIT_LIKE)).to_numpy()
    return pd.DataFrame(
        {
            "ticker": table["ticker"],
            "before_date": before["as_of_date"].dt.date,
            "before": before["shares"],
            "after_date": table["as_of_date"].dt.date,
            "after": table["shares"],
            "ratio": ratio,
        }
    )[jump].reset_index(drop=True)


def describe_jump(row: pd.Series) -> str:
    """Say one firm's split-like jump in its share counts."""
    return (
        f"{row['ticker']}'s share count goes from {row['before']:,.0f} on {row['before_date']} to "
        f"{row['after']:,.0f} on {row['after_date']} (x{row['ratio']:.2f})"
    )


def _warn_split_like(frame: pd.DataFrame, path: Path) -> None:
    """Warn of a firm whose consecutive counts differ as a split would make them."""
    for _, row in split_like_jumps(frame).iterrows():
        warn(
            f"{path.name}: {describe_jump(row)}; if a split lies between them, give every count on the split basis "
            "of the prices' close (Yahoo's closes are adjusted for every split up to the download, so count after the "
            "last split, or multiply earlier counts by the splits since)",
            ShareCountJumpWarning,
        )


def share_table(path: str | Path | None = None) -> pd.DataFrame:
    """Return the share counts a study uses: those of its own file, the bundled ones for every other ticker."""
    if path is None:
        return bundled_shares()
    own = read_shares(path)
    bundled = bundled_shares()
    rest = bundled[~bundled["ticker"].isin(set(own["ticker"]))]
    return pd.concat([own, rest], ignore_index=True).sort_values(["ticker", "as_of_date"]).reset_index(drop=True)


def shares_on(ticker: str, day: dt.date, table: pd.DataFrame | None = None) -> tuple[float, str] | None:
    """Return the latest share count for ``ticker`` dated on or before ``day``.

    When no count precedes ``day`` the earliest later one is used, and the note says so
    with its date. Returns ``(shares, note)`` or ``None`` when the ticker has no count.
    """
    table = bundled_shares() if table is None else table
    if ticker not in _tickers(table):
        return None
    rows = table[table["ticker"] == ticker]
    if rows.empty:
        return None
    before = rows[rows["as_of_date"] <= pd.Timestamp(day)]
    row = before.iloc[-1] if not before.empty else rows.iloc[0]
    note = f"{float(row['shares']):,.0f} shares as of {row['as_of_date'].date()} ({str(row['source_document']).split(' (')[0]})"
    if before.empty:
        note += f"; dated after the event ({day}): no earlier count is {row['origin']}"
    if row.get("covers"):
        note += f"; {row['covers']}"
    return float(row["shares"]), note


def _tickers(table: pd.DataFrame) -> frozenset[str]:
    # A set lookup first: a study of hundreds of firms has a share count for few of them.
    if table is bundled_shares():
        return _bundled_tickers()
    return frozenset(table["ticker"].astype(str))


@functools.cache
def _bundled_tickers() -> frozenset[str]:
    return frozenset(bundled_shares()["ticker"].astype(str))


def abnormal_share(ar: float, ret: float, log: bool) -> float:
    """Return the abnormal move as a share of the prior market value.

    For simple returns it is the AR. For log returns it is the simple return less the
    simple normal return, ``exp(r) - exp(r - AR)``; the log AR itself would overstate a
    large move.

    Examples
    --------
    >>> abnormal_share(-0.10, -0.15, log=False)
    -0.1
    >>> round(abnormal_share(-0.10, -0.15, log=True), 6)  # exp(-0.15) - exp(-0.05)
    -0.090521
    """
    return float(np.exp(ret) - np.exp(ret - ar)) if log else float(ar)


def value_change(shares: float, close_prev: float, close_now: float, abnormal_return: float) -> dict[str, float]:
    """Market value before, after, its change, and the abnormal part of the change.

    The change is ``shares x (P_t - P_{t-1})`` with closes on the counts' split basis; the abnormal part
    is ``AR_t x shares x P_{t-1}``, the loss beyond what the model expected.

    Examples
    --------
    >>> value_change(10.0, 100.0, 80.0, -0.15)["abnormal_change"]
    -150.0
    """
    mv_prev = shares * close_prev
    return {
        "shares": shares,
        "close_prev": close_prev,
        "close": close_now,
        "mv_prev": mv_prev,
        "mv": shares * close_now,
        "mv_change": shares * (close_now - close_prev),
        "abnormal_change": float(abnormal_return) * mv_prev if np.isfinite(abnormal_return) else np.nan,
    }


def shares_uncertainty(ticker: str, day: dt.date, table: pd.DataFrame | None = None) -> tuple[float, str]:
    """Relative uncertainty of the share count used for ``ticker`` on ``day``, computed, with how.

    Two parts: the count's own precision (half a unit of its last significant digit),
    and the change in shares between the count's date and ``day``, extrapolated from the
    two counts of ``table`` (default: the bundled ones) nearest ``day``; with a single
    count that change is unknown and the note says so.

    Examples
    --------
    >>> round(shares_uncertainty("NVDA", dt.date(2025, 1, 27))[0], 4)
    0.002
    """
    table = bundled_shares() if table is None else table
    found = shares_on(ticker, day, table)
    if found is None:
        return float("nan"), "no share count"
    count = found[0]
    digits = str(round(count))
    step = 10.0 ** (len(digits) - len(digits.rstrip("0")))
    precision = 0.5 * step / count
    rows = table[table["ticker"] == ticker].copy()
    origin = str(rows["origin"].iloc[0])
    counts = "bundled counts" if origin == "bundled" else f"counts {origin}"
    if len(rows) < 2:
        one = "bundled count" if origin == "bundled" else f"count {origin}"
        return precision, (
            f"{precision:.2%} from the count's precision; the change in shares since its date is unknown (one {one})"
        )
    rows["distance"] = (rows["as_of_date"] - pd.Timestamp(day)).abs()
    near = rows.nsmallest(2, "distance").sort_values("as_of_date")
    days = (near["as_of_date"].iloc[1] - near["as_of_date"].iloc[0]).days
    rate = (float(near["shares"].iloc[1]) - float(near["shares"].iloc[0])) / days if days else 0.0
    before = rows[rows["as_of_date"] <= pd.Timestamp(day)]["as_of_date"]
    used_date = before.max() if len(before) else rows["as_of_date"].min()  # the count shares_on uses
    gap_days = abs((pd.Timestamp(day) - used_date).days)
    drift = abs(rate * gap_days) / count
    return precision + drift, (
        f"{precision + drift:.2%}: {precision:.2%} from the count's precision and {drift:.2%} for the change in "
        f"shares over {gap_days} days at the rate between the two nearest {counts}"
    )
