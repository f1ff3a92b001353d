"""The normalised price panel every source returns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

PRICE_FIELDS = ("adj_close", "close", "open", "high", "low", "volume")


@dataclass(frozen=True)
class PricePanel:
    """Prices for a set of tickers, one wide frame per field.

    Every frame has a tz-naive ``DatetimeIndex`` named ``date`` (sorted, unique session
    dates) and one float64 column per ticker. ``adj_close`` is always filled where the
    security traded; ``close`` is the close not adjusted for dividends where the source
    has it (Yahoo's is adjusted for splits), else the adjusted close, and ``high``/``low``
    may be all NaN.

    Attributes
    ----------
    adj_close, close, high, low, open
        Wide frames, dates x tickers.
    provenance
        Ticker -> a short sentence saying where its series came from and its vintage.
    volume
        Shares traded, dates x tickers (NaN where the source has none).
    chained
        Tickers whose prices are an index chained from returns (a returns file, CRSP): their
        returns are exact, but the level is arbitrary, so no market value can be taken from it.
    """

    adj_close: pd.DataFrame
    close: pd.DataFrame
    high: pd.DataFrame
    low: pd.DataFrame
    open: pd.DataFrame
    provenance: Mapping[str, str] = field(default_factory=dict)
    volume: pd.DataFrame | None = None
    chained: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.volume is None:  # sources without volume: all missing, same shape as the prices
            object.__setattr__(self, "volume", self.adj_close * float("nan"))

    @property
    def tickers(self) -> list[str]:
        """Tickers in column order."""
        return [str(c) for c in self.adj_close.columns]

    def select(self, tickers: list[str]) -> PricePanel:
        """Return a panel restricted to ``tickers`` (in that order)."""
        return PricePanel(
            adj_close=self.adj_close[tickers],
            close=self.close[tickers],
            open=self.open[tickers],
            high=self.high[tickers],
            low=self.low[tickers],
            provenance={t: self.provenance.get(t, "") for t in tickers},
            volume=self.volume_frame[tickers],
            chained=self.chained & set(tickers),
        )

    @property
    def volume_frame(self) -> pd.DataFrame:
        """Shares traded, dates x tickers (NaN where the source has none)."""
        assert self.volume is not None  # set in __post_init__
        return self.volume

    def frame(self, ticker: str) -> pd.DataFrame:
        """Return one ticker's prices as a frame with one column per field (rows with a price)."""
        out = pd.DataFrame({fld: self._field(fld)[ticker] for fld in PRICE_FIELDS})
        return out[out["adj_close"].notna()]

    def _field(self, name: str) -> pd.DataFrame:
        return self.volume_frame if name == "volume" else getattr(self, name)

    @classmethod
    def from_adj_close(cls, adj_close: pd.DataFrame, provenance: Mapping[str, str]) -> PricePanel:
        """Build a panel from a wide table of adjusted closes only (dates x tickers)."""
        adj = adj_close.astype("float64").sort_index()
        adj.index = pd.DatetimeIndex(adj.index, name="date")
        adj.columns = pd.Index([str(c) for c in adj.columns], name="ticker")
        empty = adj * float("nan")
        return cls(adj, adj.copy(), empty, empty.copy(), empty.copy(), dict(provenance), empty.copy())

    @classmethod
    def concat(cls, panels: Sequence[PricePanel], order: Sequence[str]) -> PricePanel:
        """Join panels on their dates, columns in ``order``."""
        fields = {
            fld: pd.concat([p._field(fld) for p in panels], axis=1).sort_index()[list(order)] for fld in PRICE_FIELDS
        }
        provenance = {t: pr for p in panels for t, pr in p.provenance.items()}
        return cls(**fields, provenance=provenance, chained=frozenset().union(*(p.chained for p in panels)))

    @classmethod
    def from_frames(
        cls, frames: Mapping[str, pd.DataFrame], provenance: Mapping[str, str], chained: Iterable[str] = ()
    ) -> PricePanel:
        """Build a panel from per-ticker frames with columns among ``PRICE_FIELDS`` (``chained``: see the class)."""
        wide: dict[str, pd.DataFrame] = {}
        for fld in PRICE_FIELDS:
            cols = {}
            for ticker, frame in frames.items():
                if fld in frame.columns:
                    cols[ticker] = frame[fld]
                elif fld == "close":
                    cols[ticker] = frame["adj_close"]
                else:
                    cols[ticker] = pd.Series(float("nan"), index=frame.index)
            table = pd.DataFrame(cols).sort_index().astype("float64")
            table.index = pd.DatetimeIndex(table.index, name="date")
            table.columns.name = "ticker"
            wide[fld] = table
        return cls(**wide, provenance=dict(provenance), chained=frozenset(chained) & set(frames))


def held_span(series: pd.Series) -> str:
    """Say where ``series`` has values (``from 2025-01-02 to 2025-02-21``), or ``""`` where it has none."""
    held = series.dropna().index
    return f"from {held[0].date()} to {held[-1].date()}" if len(held) else ""
