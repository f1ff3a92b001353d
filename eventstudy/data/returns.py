"""Returns from adjusted closes, on the session grid of a trading calendar."""

from __future__ import annotations

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
