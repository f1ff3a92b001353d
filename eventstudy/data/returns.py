"""Returns from adjusted closes, on the session grid of a trading calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy._options import ReturnKind, validate_literal
from eventstudy.data.panel import PricePanel


@dataclass(frozen=True)
class ReturnPanel:
    """Daily returns, sessions x series, float64.

    A return is only defined when both its own and the previous session's price exist:
    a missing price never becomes a zero return, and no return spans a gap.

    Attributes
    ----------
    returns
        Frame indexed by session (``date``), one column per series.
    kind
        ``"simple"`` (P_t / P_{t-1} - 1) or ``"log"`` (log P_t - log P_{t-1}).
    """

    returns: pd.DataFrame
    kind: str

    @property
    def sessions(self) -> pd.DatetimeIndex:
        """The session dates."""
        return pd.DatetimeIndex(self.returns.index)


def compute_returns(prices: pd.DataFrame, sessions: pd.DatetimeIndex, kind: ReturnKind = "simple") -> pd.DataFrame:
    """Return daily returns of ``prices`` on the grid ``sessions``.

    Parameters
    ----------
    prices
        Adjusted closes, dates x series.
    sessions
        The session dates of the trading calendar covering the data.
    kind
        ``"simple"`` or ``"log"``.

    Returns
    -------
    pandas.DataFrame
        Returns indexed by ``sessions``; the first session and any session whose price
        or previous session's price is missing are NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DatetimeIndex(["2025-01-23", "2025-01-24", "2025-01-27"])
    >>> p = pd.DataFrame({"X": [100.0, 110.0, 99.0]}, index=s)
    >>> compute_returns(p, s)["X"].round(4).tolist()
    [nan, 0.1, -0.1]
    """
    validate_literal("returns", kind, ReturnKind)
    aligned = prices.reindex(sessions)
    values = aligned.to_numpy(dtype="float64")
    out = np.full_like(values, np.nan)
    if kind == "simple":
        out[1:] = values[1:] / values[:-1] - 1.0
    else:
        out[1:] = np.log(values[1:]) - np.log(values[:-1])
    return pd.DataFrame(out, index=pd.DatetimeIndex(sessions, name="date"), columns=prices.columns)


def price_returns(panel: PricePanel, sessions: pd.DatetimeIndex, kind: ReturnKind) -> ReturnPanel:
    """Return the :class:`ReturnPanel` of a price panel's adjusted closes."""
    return ReturnPanel(compute_returns(panel.adj_close, sessions, kind), kind)


SPLIT_FACTORS = (2, 3, 4, 5, 6, 7, 8, 10, 15, 20, 25, 30, 40, 50, 100)
"""Split ratios checked: a 1-for-k split divides the price by k, a k-for-1 reverse split multiplies it."""


def split_jumps(gross: np.ndarray, tolerance: float = 0.03) -> np.ndarray:
    """Where a one-day price ratio equals a split factor, within ``tolerance`` (relative).

    Parameters
    ----------
    gross
        Price ratios ``P_t / P_t-1`` (any shape; NaN allowed).
    tolerance
        Relative distance to ``1/k`` or ``k`` that counts as a split (3% covers the
        ordinary move of the split day itself).

    Returns
    -------
    numpy.ndarray
        The split factor (``1/k`` or ``k``) where a jump looks like a split, else 0.

    Examples
    --------
    >>> split_jumps(np.array([0.5004, 0.83, 3.0, np.nan])).round(3).tolist()
    [0.5, 0.0, 3.0, 0.0]
    """
    g = np.asarray(gross, dtype=np.float64)
    out = np.zeros(g.shape)
    # Only moves of at least a halving or a doubling can be splits; test those alone.
    with np.errstate(invalid="ignore"):
        idx = np.flatnonzero((g < 0.5 * (1 + tolerance)) | (g > 2.0 * (1 - tolerance)))
    cand = g.ravel()[idx]
    found = np.zeros(len(cand))
    for k in SPLIT_FACTORS:
        for factor in (1.0 / k, float(k)):
            hit = (np.abs(cand / factor - 1.0) < tolerance) & (found == 0)
            found[hit] = factor
    out.ravel()[idx] = found
    return out


@dataclass(frozen=True)
class SplitJump:
    """A one-day price move by an exact split factor."""

    ticker: str
    date: dt.date
    factor: float

    @property
    def ratio(self) -> str:
        """The factor as written for people: ``1/2`` or ``3``."""
        return f"1/{round(1 / self.factor)}" if self.factor < 1 else f"{round(self.factor)}"

    def describe(self) -> str:
        """One sentence for a status column or a warning."""
        return (
            f"{self.ticker}'s price moves by a factor of {self.ratio} on {self.date}, which looks like a stock "
            "split missing from the closes"
        )


def find_split_jumps(
    returns: np.ndarray,
    kind: str,
    columns: Sequence[str],
    sessions: pd.DatetimeIndex,
    spans: np.ndarray,
    series: Sequence[np.ndarray],
) -> dict[int, SplitJump]:
    """First split-like jump inside each firm-event's span of sessions.

    Parameters
    ----------
    returns
        Returns on the session grid, sessions x columns.
    kind
        ``simple`` or ``log``.
    columns, sessions
        Names of the columns and dates of the rows of ``returns``.
    spans
        First and last session position of each firm-event, shape ``(n, 2)``.
    series
        Column indices to check per firm-event, e.g. ``(firm_cols, market_cols)``.

    Returns
    -------
    dict
        Firm-event row -> the first jump found in its firm's (then its market's) series.
    """
    gross = np.exp(returns) if kind == "log" else 1.0 + returns
    factors = split_jumps(gross)
    hits = factors != 0
    found: dict[int, SplitJump] = {}
    if not hits.any():
        return found
    counts = np.vstack([np.zeros((1, hits.shape[1])), np.cumsum(hits, axis=0)])
    first, last = spans[:, 0], spans[:, 1]
    for cols in series:
        inside = counts[last + 1, cols] - counts[first, cols] > 0
        for i in np.flatnonzero(inside).tolist():
            if i in found:
                continue
            col = int(cols[i])
            day = int(first[i] + np.argmax(hits[first[i] : last[i] + 1, col]))
            found[i] = SplitJump(columns[col], sessions[day].date(), float(factors[day, col]))
    return found
