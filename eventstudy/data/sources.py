"""Price sources behind one interface: the bundled snapshot, CSV files and Yahoo.

A source turns a list of tickers into a :class:`PricePanel`. It never returns an empty
or partly empty panel silently: a ticker it cannot deliver raises an error naming it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from eventstudy.data.manifest import data_root, verified
from eventstudy.data.panel import PricePanel
from eventstudy.errors import DataFormatError, UnknownTickerError

WIDE_SP500 = "prices/sp500_adj_close_wide_2022_2025H1.csv"
_COLUMN_ALIASES = {
    "date": "date",
    "adj close": "adj_close",
    "adj_close": "adj_close",
    "adjclose": "adj_close",
    "adjusted_close": "adj_close",
    "close": "close",
    "open": "open",
    "high": "high",
    "low": "low",
}


@runtime_checkable
class Source(Protocol):
    """Anything that can load prices for tickers."""

    name: str

    def load(self, tickers: Sequence[str]) -> PricePanel:
        """Return prices for ``tickers``, raising if any cannot be delivered."""
        ...


def ticker_to_filename(ticker: str) -> str:
    """Return the file name used for ``ticker`` (``^GSPC`` -> ``_GSPC.csv``)."""
    return ticker.replace("^", "_") + ".csv"


def bundled_path(relative: str) -> Path:
    """Return the path of a bundled data file after checking its checksum."""
    return verified(data_root() / relative)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise DataFormatError(path, "file not found", "check the path") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataFormatError(path, f"not a readable CSV ({reason})", "fix or replace the file") from None


def normalise_price_frame(raw: pd.DataFrame, where: str) -> pd.DataFrame:
    """Return a clean per-ticker frame indexed by date with price columns.

    Parameters
    ----------
    raw
        Frame with a ``date`` column and at least one of ``adj_close``/``close``.
    where
        Where the frame came from, for error messages.

    Raises
    ------
    DataFormatError
        On a missing date or price column, unparseable dates, duplicate dates,
        non-numeric, zero or negative prices.
    """
    frame = raw.rename(columns=lambda c: _COLUMN_ALIASES.get(str(c).strip().lower(), str(c)))
    if "date" not in frame.columns:
        raise DataFormatError(where, "has no 'date' column", "name the date column 'date'")
    if "adj_close" not in frame.columns:
        if "close" not in frame.columns:
            raise DataFormatError(where, "has neither 'adj_close' nor 'close' column", "add one of them")
        frame = frame.assign(adj_close=frame["close"])
    try:
        dates = pd.to_datetime(frame["date"], format="ISO8601")
    except (ValueError, TypeError):
        raise DataFormatError(
            where, "has dates that are not ISO dates (YYYY-MM-DD)", "write dates as YYYY-MM-DD"
        ) from None
    if dates.dt.tz is not None:
        dates = dates.dt.tz_convert("America/New_York").dt.tz_localize(None)
    dates = dates.dt.normalize()
    if dates.duplicated().any():
        dup = dates[dates.duplicated()].iloc[0].date()
        raise DataFormatError(where, f"has duplicate date {dup}", "keep one row per date")
    cols = [c for c in ("adj_close", "close", "open", "high", "low") if c in frame.columns]
    out = pd.DataFrame(index=pd.DatetimeIndex(dates, name="date"))
    for col in cols:
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64")
        bad_text = frame[col].notna().to_numpy() & np.isnan(values)
        if bad_text.any():
            i = int(np.argmax(bad_text))
            raise DataFormatError(
                where,
                f"column {col!r} has non-numeric value {frame[col].iloc[i]!r} on {dates.iloc[i].date()}",
                "leave missing prices empty and write numbers with a decimal point",
            )
        if (values <= 0).any():
            i = int(np.argmax(values <= 0))
            raise DataFormatError(
                where,
                f"column {col!r} has non-positive price {values[i]} on {dates.iloc[i].date()}",
                "prices must be positive; remove or correct the row",
            )
        out[col] = values
    out = out.sort_index()
    if out["adj_close"].notna().sum() == 0:
        raise DataFormatError(where, "has no prices", "check the file has data rows")
    return out


class BundledSource:
    """The real price snapshot that ships with the package (works offline).

    Single-security files under ``data/prices/`` carry adjusted and as-traded closes
    and highs/lows; any other S&P 500 member comes from the wide adjusted-close table.
    Every file is checked against the sha256 manifest when read.
    """

    name = "bundled snapshot"

    def available(self) -> list[str]:
        """Return every ticker the snapshot holds."""
        root = data_root()
        singles = [
            p.stem.replace("_", "^", 1) if p.stem.startswith("_") else p.stem
            for p in (root / "prices").glob("*.csv")
            if not p.name.startswith(("_index", "sp500_"))
        ]
        return sorted(set(singles) | set(_wide_sp500().columns))

    def load(self, tickers: Sequence[str]) -> PricePanel:
        """Load ``tickers`` from the snapshot.

        Raises
        ------
        UnknownTickerError
            If a ticker is not in the snapshot.
        """
        root = data_root()
        frames: dict[str, pd.DataFrame] = {}
        provenance: dict[str, str] = {}
        for ticker in tickers:
            path = root / "prices" / ticker_to_filename(ticker)
            if path.is_file() and not ticker.startswith(("sp500_",)):
                frames[ticker] = normalise_price_frame(_read_csv(verified(path)), str(path))
                provenance[ticker] = (
                    f"bundled snapshot data/prices/{path.name} (Yahoo adjusted close, "
                    "vintage 2026-07-14; see data/PROVENANCE.md)"
                )
                continue
            wide = _wide_sp500()
            if ticker in wide.columns:
                col = wide[ticker].dropna()
                frames[ticker] = pd.DataFrame({"adj_close": col})
                provenance[ticker] = f"bundled snapshot data/{WIDE_SP500} (Yahoo adjusted close, vintage 2026-07-14)"
                continue
            raise UnknownTickerError(ticker, "the bundled snapshot", self.available())
        return PricePanel.from_frames(frames, provenance)


@functools.cache
def _wide_sp500() -> pd.DataFrame:
    path = bundled_path(WIDE_SP500)
    frame = pd.read_csv(path, index_col="date", parse_dates=["date"])
    return frame.astype("float64")


class CsvSource:
    """Prices from a folder of ``<TICKER>.csv`` files or from one wide CSV.

    Parameters
    ----------
    path
        A folder holding one CSV per ticker (columns ``date`` and ``adj_close`` or
        ``close``; ``^`` written as ``_`` in file names), or a single CSV with a
        ``date`` column and one column of adjusted closes per ticker.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise DataFormatError(self.path, "does not exist", "pass a folder of <TICKER>.csv files or one wide CSV")
        self.name = f"CSV {self.path}"

    def available(self) -> list[str]:
        """Return the tickers found at ``path``."""
        if self.path.is_dir():
            return sorted(
                (p.stem.replace("_", "^", 1) if p.stem.startswith("_") else p.stem) for p in self.path.glob("*.csv")
            )
        return [c for c in self._wide().columns if c != "date"]

    @functools.cache  # noqa: B019 - one small frame per source object
    def _wide(self) -> pd.DataFrame:
        return _read_csv(self.path)

    def load(self, tickers: Sequence[str]) -> PricePanel:
        """Load ``tickers`` from the CSV folder or wide file."""
        frames: dict[str, pd.DataFrame] = {}
        for ticker in tickers:
            if self.path.is_dir():
                path = self.path / ticker_to_filename(ticker)
                if not path.is_file():
                    raise UnknownTickerError(ticker, f"the folder {self.path}", self.available())
                frames[ticker] = normalise_price_frame(_read_csv(path), str(path))
            else:
                wide = self._wide()
                if ticker not in wide.columns:
                    raise UnknownTickerError(ticker, str(self.path), self.available())
                if "date" not in wide.columns:
                    raise DataFormatError(self.path, "has no 'date' column", "name it 'date'")
                sub = pd.DataFrame({"date": wide["date"], "adj_close": wide[ticker]})
                frames[ticker] = normalise_price_frame(sub, f"{self.path} column {ticker!r}")
        provenance = {t: f"user CSV {self.path}" for t in tickers}
        return PricePanel.from_frames(frames, provenance)


class PanelSource:
    """Prices already in memory (a :class:`PricePanel`), e.g. from a notebook or a simulation."""

    def __init__(self, panel: PricePanel, name: str = "in-memory panel") -> None:
        self.panel = panel
        self.name = name

    def load(self, tickers: Sequence[str]) -> PricePanel:
        """Return the panel restricted to ``tickers``."""
        for t in tickers:
            if t not in self.panel.tickers:
                raise UnknownTickerError(t, self.name, self.panel.tickers)
        return self.panel.select(list(tickers))
