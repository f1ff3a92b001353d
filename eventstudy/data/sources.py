"""Price sources behind one interface: the bundled snapshot, CSV files and Yahoo.

A source turns a list of tickers into a :class:`PricePanel`. It never returns an empty
or partly empty panel silently: a ticker it cannot deliver raises an error naming it.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from eventstudy._options import NegativePrices, ReturnsUnit, validate_literal
from eventstudy.data.manifest import data_root, read_manifest, verified
from eventstudy.data.panel import PRICE_FIELDS, PricePanel
from eventstudy.data.parquet import (
    PARQUET_SUFFIXES,
    TICKER,
    ParquetData,
    is_parquet,
    read_parquet_file,
    ticker_of_file,
)
from eventstudy.dates import parse_date_column
from eventstudy.errors import BadPriceError, DataFormatError, DuplicateDateError, EventDateError, UnknownTickerError

WIDE_SP500 = "prices/sp500_adj_close_wide_2022_2025H1.csv"
PRICE_RANGE = (1e-6, 1e9)
"""Prices outside this range are refused: no listed security trades there, and their returns overflow."""
MEMBERS_AS_OF = dt.date(2024, 12, 27)
"""The day the bundled S&P 500 member list (and so the wide price table's columns) describes."""
_COLUMN_ALIASES = {
    "date": "date",
    "adj close": "adj_close",
    "adj_close": "adj_close",
    "adjclose": "adj_close",
    "adjusted_close": "adj_close",
    "adjusted close": "adj_close",
    "adj. close": "adj_close",
    "close": "close",
    "open": "open",
    "high": "high",
    "low": "low",
    "volume": "volume",
}
# The columns of one ticker's prices: those above and those yfinance's Ticker.history adds
# beside them (dividends and splits); a file of these alone is not wide.
_PRICE_FILE_COLUMNS = frozenset(_COLUMN_ALIASES) | {"dividends", "stock splits", "capital gains"}


@runtime_checkable
class Source(Protocol):
    """Anything that can load prices for tickers."""

    name: str

    def load(self, tickers: Sequence[str]) -> PricePanel:
        """Return prices for ``tickers``, raising if any cannot be delivered."""
        ...


@runtime_checkable
class DateFilteredSource(Protocol):
    """A source that can read only the dates a study needs (see ``filters_dates``)."""

    name: str

    @property
    def filters_dates(self) -> bool:
        """Whether ``load`` honours ``between`` for this data."""
        ...

    def load(self, tickers: Sequence[str], between: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> PricePanel:
        """Return prices for ``tickers``, from ``between[0]`` to ``between[1]`` where the data allows."""
        ...


def ticker_to_filename(ticker: str) -> str:
    """Return the file name used for ``ticker`` (``^GSPC`` -> ``_GSPC.csv``)."""
    return ticker.replace("^", "_") + ".csv"


def bundled_path(relative: str) -> Path:
    """Return the path of a bundled data file after checking its checksum."""
    return verified(data_root() / relative)


def read_csv_file(path: Path) -> pd.DataFrame:
    """Read a CSV (or Parquet) file, turning a missing or unreadable file into a one-line :class:`DataFormatError`."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return read_parquet_file(path)
    try:
        sep = _separator(path)
        frame = pd.read_csv(path, sep=sep)
        return _comma_decimals(frame) if sep != "," else frame
    except FileNotFoundError:
        raise DataFormatError(path, "file not found", "check the path") from None
    except UnicodeDecodeError as exc:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
        raise DataFormatError(path, *not_utf8_text(head, exc)) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataFormatError(path, f"not a readable CSV ({reason})", "fix or replace the file") from None


def not_utf8_text(head: bytes, exc: UnicodeDecodeError) -> tuple[str, str]:
    r"""Say why a file that should be CSV text is not, and what to do: an Excel workbook, or text in another encoding.

    ``head`` is the file's first bytes. Returns the reason and the remedy.

    Examples
    --------
    >>> err = UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte")
    >>> not_utf8_text(b"date,caf\xe9", err)[0]
    'not UTF-8 text (it holds byte 0xe9), as Excel writes CSV in some locales'
    """
    # the old .xls layout, or a zip archive whose first entries name xl/ files (.xlsx)
    workbook = head.startswith(b"\xd0\xcf\x11\xe0") or (head.startswith(b"PK\x03\x04") and b"xl/" in head)
    if workbook:
        return (
            "an Excel workbook, not a CSV",
            "save the sheet from Excel as 'CSV UTF-8'",
        )
    byte = exc.object[exc.start : exc.start + 1].hex()
    return (
        f"not UTF-8 text (it holds byte 0x{byte}), as Excel writes CSV in some locales",
        "save it as 'CSV UTF-8' (Excel: Save As, CSV UTF-8)",
    )


def csv_separator(header: str) -> str:
    r"""Return the separator of a CSV header line: a comma, else ";" or a tab, as comma-decimal spreadsheets save it.

    Examples
    --------
    >>> csv_separator("date,NVDA"), csv_separator("date;NVDA"), csv_separator("date\tNVDA"), csv_separator("date")
    (',', ';', '\t', ',')
    """
    if "," in header or not (";" in header or "\t" in header):
        return ","
    return ";" if header.count(";") >= header.count("\t") else "\t"


def _separator(path: Path) -> str:
    """Return the separator of the file's header line (a comma where it cannot be read: pandas then says why)."""
    try:
        with path.open(encoding="utf-8-sig") as fh:
            return csv_separator(fh.readline())
    except (OSError, UnicodeDecodeError):
        return ","


_COMMA_NUMBER = r"-?\d{1,3}(\.\d{3})*,\d+|-?\d+,\d+|-?\d+"


def _comma_decimals(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn text columns of comma-decimal numbers (``1.234,5``) into floats; other columns stay as read.

    Examples
    --------
    >>> _comma_decimals(pd.DataFrame({"d": ["2024-07-17"], "p": ["1.340,25"]}))["p"].tolist()
    [1340.25]
    """
    out = frame.copy()
    for column in out.columns:
        text = out[column]
        if text.dtype != object and not pd.api.types.is_string_dtype(text):
            continue
        cells = text.dropna().astype(str).str.strip()
        if len(cells) and cells.str.fullmatch(_COMMA_NUMBER).all() and cells.str.contains(",").any():
            number = text.astype("string").str.strip().str.replace(".", "", regex=False).str.replace(",", ".")
            out[column] = pd.to_numeric(number).astype("float64")
    return out


_ISO_DAY = r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?"
# One resolution for every date column, whichever branch parsed it, so panels join cleanly.
_DAY_DTYPE = "datetime64[ns]"


def parse_dates(column: pd.Series, where: str, date_format: str | None = None) -> pd.Series:
    """Parse a ``date`` column to session dates (New York time, no time of day).

    ISO dates are read directly; any other layout only when it cannot be misread, or
    with ``date_format`` (see :mod:`eventstudy.dates`). Nothing is guessed.

    Raises
    ------
    DataFormatError
        If a date is missing, partial, ambiguous or unreadable.
    """
    text = column.astype("string").str.strip()
    if text.isna().any() or (text == "").any():
        row = int(np.argmax((text.isna() | (text == "")).to_numpy()))
        raise DataFormatError(where, f"row {row + 2} has no date", "fill in the date or remove the row")
    if date_format is None and bool(text.str.fullmatch(_ISO_DAY).all()):
        try:
            dates = pd.to_datetime(text, format="ISO8601")
        except (ValueError, TypeError, OverflowError):
            raise DataFormatError(where, "has dates that are not valid", "write dates as YYYY-MM-DD") from None
        if dates.dt.tz is not None:
            dates = dates.dt.tz_convert("America/New_York").dt.tz_localize(None)
        return dates.dt.normalize().astype(_DAY_DTYPE)
    distinct = list(dict.fromkeys(text.tolist()))
    try:
        days = dict(zip(distinct, parse_date_column("date", distinct, date_format), strict=True))
    except EventDateError as exc:
        raise DataFormatError(where, str(exc).removesuffix("."), "fix the dates") from None
    return pd.to_datetime(text.map(days)).astype(_DAY_DTYPE)


def normalise_price_frame(
    raw: pd.DataFrame, where: str, negative: str = "error", date_format: str | None = None
) -> pd.DataFrame:
    """Return a clean per-ticker frame indexed by date with price columns.

    Parameters
    ----------
    raw
        Frame with a ``date`` column and at least one of ``adj_close``/``close``.
    where
        Where the frame came from, for error messages.
    negative
        What a negative price means: ``error`` (the default), ``abs`` (CRSP marks a
        bid-ask midpoint on a day without trades with a minus sign; use its absolute
        value) or ``missing`` (treat it as no price).

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
    dates = parse_dates(frame["date"], where, date_format)
    if dates.duplicated().any():
        dup = dates[dates.duplicated()].iloc[0].date()
        raise DuplicateDateError(where, f"has duplicate date {dup}", "keep one row per date")
    cols = [c for c in ("adj_close", "close", "open", "high", "low") if c in frame.columns]
    if "volume" in frame.columns:
        volume = pd.to_numeric(frame["volume"], errors="coerce").to_numpy(dtype="float64")
        if (volume < 0).any() or not np.isfinite(volume[~np.isnan(volume)]).all():
            i = int(np.argmax((volume < 0) | np.isinf(volume)))
            raise BadPriceError(
                where, f"column 'volume' has {frame['volume'].iloc[i]!r} on {dates.iloc[i].date()}", "volume is a count"
            )
    out = pd.DataFrame(index=pd.DatetimeIndex(dates, name="date"))
    for col in cols:
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64")
        bad_text = frame[col].notna().to_numpy() & np.isnan(values)
        if bad_text.any():
            i = int(np.argmax(bad_text))
            raise BadPriceError(
                where,
                f"column {col!r} has non-numeric value {frame[col].iloc[i]!r} on {dates.iloc[i].date()}",
                "leave missing prices empty and write numbers with a decimal point",
            )
        if negative == "abs":
            values = np.abs(values)
        elif negative == "missing":
            values = np.where(values < 0, np.nan, values)
        magnitude = np.abs(values)
        extreme = np.isinf(values) | (magnitude > PRICE_RANGE[1]) | ((magnitude > 0) & (magnitude < PRICE_RANGE[0]))
        if extreme.any():
            i = int(np.argmax(extreme))
            raise BadPriceError(
                where,
                f"column {col!r} has price {frame[col].iloc[i]!r} on {dates.iloc[i].date()}, outside the range a "
                f"traded price takes ({PRICE_RANGE[0]:g} to {PRICE_RANGE[1]:g}; beyond it returns overflow or "
                "underflow)",
                "correct the value or leave the price empty",
            )
        if (values <= 0).any():
            i = int(np.argmax(values <= 0))
            hint = (
                "prices must be positive; remove or correct the row (a negative price may be CRSP's mark for a "
                "bid-ask midpoint: pass --negative-prices abs to use its absolute value, or missing to drop it)"
            )
            raise BadPriceError(
                where, f"column {col!r} has non-positive price {values[i]} on {dates.iloc[i].date()}", hint
            )
        out[col] = values
    if "volume" in frame.columns:
        out["volume"] = volume
    out = out.sort_index()
    if out["adj_close"].notna().sum() == 0:
        raise DataFormatError(where, "has no prices", "check the file has data rows")
    return out


class BundledSource:
    """The real price snapshot that ships with the package (works offline).

    Single-security files under ``data/prices/`` carry adjusted and split-adjusted closes
    and highs/lows; any other S&P 500 member comes from the wide adjusted-close table.
    Every file is checked against the sha256 manifest when read.
    """

    name = "bundled snapshot"

    def available(self) -> list[str]:
        """Return every ticker the snapshot holds."""
        return sorted(set(_single_files()) | set(wide_sp500().columns))

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
        from_wide: list[str] = []
        wide = wide_sp500()
        singles = _single_files()
        for ticker in tickers:
            if ticker in singles:  # listed in the manifest: a missing file is an error, never a silent fallback
                path = root / singles[ticker]
                frames[ticker] = normalise_price_frame(read_csv_file(verified(path)), str(path))
                provenance[ticker] = (
                    f"bundled snapshot data/prices/{path.name} (Yahoo adjusted close, "
                    "vintage 2026-07-14; see data/PROVENANCE.md)"
                )
            elif ticker in wide.columns:
                from_wide.append(ticker)
            else:
                raise UnknownTickerError(
                    ticker,
                    # firms that left the index before then are not in it: say so, or it reads like a typo
                    f"the bundled snapshot (most S&P 500 members of {MEMBERS_AS_OF}, data/PROVENANCE.md names the "
                    "few missing, and a few indices and funds, 2022 to mid-2025; a firm no longer in the index is not "
                    "there, nor one listed only elsewhere)",
                    self.available(),
                )
        # Members of the wide table come as one block: hundreds of them load at once.
        block = PricePanel.from_adj_close(
            wide[from_wide].dropna(how="all"),
            {t: f"bundled snapshot data/{WIDE_SP500} (Yahoo adjusted close, vintage 2026-07-14)" for t in from_wide},
        )
        return PricePanel.concat([PricePanel.from_frames(frames, provenance), block], list(tickers))


def _single_files() -> dict[str, str]:
    """Tickers with a file of their own in the bundled manifest, and that file's relative path."""
    out = {}
    for rel in read_manifest(data_root()):
        if (
            rel.startswith("prices/")
            and rel.endswith(".csv")
            and not rel.startswith(("prices/_index", "prices/sp500_"))
        ):
            stem = rel.removeprefix("prices/").removesuffix(".csv")
            out[stem.replace("_", "^", 1) if stem.startswith("_") else stem] = rel
    return out


@functools.cache
def wide_sp500() -> pd.DataFrame:
    """Return the bundled wide table of S&P 500 members' adjusted closes (dates x tickers), checked and cached."""
    path = bundled_path(WIDE_SP500)
    frame = pd.read_csv(path, index_col="date", parse_dates=["date"])
    return frame.astype("float64")


def is_semicolon_long(path: Path) -> bool:
    """Whether ``path`` is a header-less ``id;DD.MM.YYYY;price`` file (EventStudyTools layout)."""
    try:
        with path.open(encoding="utf-8-sig") as fh:
            first = fh.readline().strip()
    except (OSError, UnicodeDecodeError):
        return False
    parts = first.split(";")
    return len(parts) == 3 and bool(re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", parts[1].strip()))


def read_long_table(path: Path, raw: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read a long price file, ``id;DD.MM.YYYY;price`` without header or ``ticker,date,close``, as one table.

    Tickers are checked and stripped here; dates and prices are checked by whoever turns
    the rows of the tickers a study needs into a panel (:func:`panel_from_long`, else
    :func:`normalise_price_frame` per ticker). ``raw`` is the file already read, if it was.
    """
    semicolon = is_semicolon_long(path)
    if semicolon:
        try:
            raw = pd.read_csv(path, sep=";", header=None, names=["ticker", "date", "close"], dtype=str)
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise DataFormatError(path, f"is not an id;DD.MM.YYYY;price file ({reason})", "fix the line") from None
        if raw["date"].isna().any():
            row = int(np.argmax(raw["date"].isna().to_numpy())) + 1
            raise DataFormatError(path, f"line {row} has fewer than 3 fields", "write id;DD.MM.YYYY;price")
        raw["date"] = pd.to_datetime(raw["date"].str.strip(), format="%d.%m.%Y", errors="coerce").dt.strftime(
            "%Y-%m-%d"
        )
        if raw["date"].isna().any():
            row = int(raw["date"].isna().to_numpy().argmax()) + 1
            raise DataFormatError(path, f"line {row} has a date that is not DD.MM.YYYY", "fix the date")
    else:
        raw = (read_csv_file(path) if raw is None else raw).copy()
        raw.columns = [str(c).strip().lower() for c in raw.columns]
    if TICKER not in raw.columns or "date" not in raw.columns:
        raise DataFormatError(path, "has no 'ticker' and 'date' columns", "write ticker,date,close")
    blank = raw[TICKER].isna() | (raw[TICKER].astype(str).str.strip() == "")
    if blank.any():
        row = int(np.argmax(blank.to_numpy())) + (1 if semicolon else 2)
        raise DataFormatError(path, f"line {row} has no ticker", "fill in the ticker or remove the line")
    raw[TICKER] = raw[TICKER].astype(str).str.strip()
    return raw


class CsvSource:
    """Prices from a folder of ``<TICKER>.csv`` files, one such file, one wide CSV, or one long CSV.

    Parameters
    ----------
    path
        A folder holding one CSV per ticker (columns ``date`` and ``adj_close`` or
        ``close``; ``^`` written as ``_`` in file names); a single wide CSV with a
        ``date`` column and one column of adjusted closes per ticker; one ticker's file
        as a folder holds it (``date`` and price columns only, such as a Yahoo download),
        its ticker named by the file name (``_GSPC.csv`` holds ``^GSPC``); the CSV
        ``yfinance.download(...).to_csv()`` writes (header rows Price, Ticker, Date); or a long CSV
        with columns ``ticker,date,close`` (or the header-less ``id;DD.MM.YYYY;price``
        layout of EventStudyTools firm and market files). Parquet (needs pyarrow) is
        read the same way: a file ending in ``.parquet`` or ``.pq``, wide or long; a
        folder of ``<TICKER>.parquet`` files; or a dataset, a folder of Parquet files with
        a ``ticker`` column or partitioned by it (``ticker=NVDA/...``), of which only the
        tickers asked for are read.
    """

    def __init__(self, path: str | Path, negative_prices: str = "error", *, date_format: str | None = None) -> None:
        self.path = Path(path)
        self.negative = validate_literal("negative_prices", negative_prices, NegativePrices)
        self.date_format = date_format
        if not self.path.exists():
            raise DataFormatError(self.path, "does not exist", "pass a folder of <TICKER>.csv files or one wide CSV")
        self.kind = "Parquet" if is_parquet(self.path) else "CSV"
        self.name = f"{self.kind} {self.path}"

    def available(self) -> list[str]:
        """Return the tickers found at ``path``."""
        parquet = self._parquet()
        if parquet is not None:
            return parquet.tickers()
        if self.path.is_dir():
            return sorted(
                (p.stem.replace("_", "^", 1) if p.stem.startswith("_") else p.stem) for p in self.path.glob("*.csv")
            )
        long = self._long()
        if long is not None:
            return sorted(long[TICKER].unique())
        per_ticker = self._per_ticker()
        if per_ticker is not None:
            return sorted(per_ticker[0])
        return [c for c in self._wide().columns if c != "date"]

    def _file_of(self, ticker: str) -> Path | None:
        # ^GSPC may be saved as _GSPC.csv or ^GSPC.csv; a ticker never reaches outside the folder.
        if "/" in ticker or "\\" in ticker or ticker in (".", ".."):
            return None
        names = (ticker_to_filename(ticker), f"{ticker}.csv")
        files = self._files()
        for name in names:
            if name in files:
                return self.path / name
        for name in names:  # a case-insensitive file system finds what the listing spells otherwise
            if (self.path / name).is_file():
                return self.path / name
        return None

    @functools.cache  # noqa: B019 - the folder is listed once per source object
    def _files(self) -> frozenset[str]:
        """Names of the files in the folder: one listing instead of a file-system query per ticker."""
        with os.scandir(self.path) as entries:
            return frozenset(e.name for e in entries if e.is_file())

    @functools.cache  # noqa: B019 - the file is read once per source object
    def _table(self) -> pd.DataFrame:
        return read_csv_file(self.path)

    def _wide(self) -> pd.DataFrame:
        return self._table()

    @functools.cache  # noqa: B019 - one handle per source object
    def _parquet(self) -> ParquetData | None:
        """Return the Parquet folder or long Parquet file, read by ticker; None for CSV and wide Parquet."""
        if self.kind != "Parquet":
            return None
        data = ParquetData(self.path)
        return data if self.path.is_dir() or data.layout == "dataset" else None

    @functools.cache  # noqa: B019 - the file is read once per source object
    def _download(self) -> dict[str, pd.DataFrame] | None:
        """Each ticker's columns of a ``yfinance.download`` CSV, else None.

        Its header has three rows: ``Price`` (the fields), ``Ticker`` and ``Date``.
        """
        if self.kind != "CSV" or self.path.is_dir():
            return None
        try:
            with self.path.open(encoding="utf-8-sig") as fh:
                heads = [fh.readline().split(",", 1)[0].strip().lower() for _ in range(2)]
        except (OSError, UnicodeDecodeError):
            return None
        if heads != ["price", "ticker"]:
            return None
        try:
            table = pd.read_csv(self.path, header=[0, 1], index_col=0)
        except (pd.errors.ParserError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise DataFormatError(
                self.path, f"is not a readable yfinance download ({reason})", "fix or replace the file"
            ) from None
        by_ticker = fields_by_ticker(table)
        if by_ticker is None:
            raise DataFormatError(self.path, "has a Price row without price fields", "write it as yfinance does")
        return by_ticker

    def _per_ticker(self) -> tuple[dict[str, pd.DataFrame], str] | None:
        """Each ticker's frame of a one-ticker file or a ``yfinance.download`` CSV, and how to name the file."""
        download = self._download()
        if download is not None:
            return download, str(self.path)
        single = self._single()
        if single is not None:
            return {single: self._table()}, f"{self.path} (one ticker's prices, {single} by its file name)"
        return None

    @functools.cache  # noqa: B019 - decided once per source object
    def _single(self) -> str | None:
        """Return the ticker of a one-ticker file (date and price columns only), else None.

        Read as a wide file, its ``open``, ``close``, ... columns would pass for tickers.
        """
        if self.path.is_dir() or self._download() is not None or self._long() is not None:
            return None
        names = {str(c).strip().lower() for c in self._table().columns}
        fields = {_COLUMN_ALIASES[n] for n in names if n in _COLUMN_ALIASES}
        only_prices = names <= _PRICE_FILE_COLUMNS
        return (
            ticker_of_file(self.path) if only_prices and "date" in fields and fields & {"adj_close", "close"} else None
        )

    @functools.cache  # noqa: B019 - one table per source object
    def _long(self) -> pd.DataFrame | None:
        if self.path.is_dir():
            return None
        if is_semicolon_long(self.path):
            return read_long_table(self.path)
        if self._download() is not None:
            return None
        head = [str(c).strip().lower() for c in self._table().columns]
        return read_long_table(self.path, self._table()) if TICKER in head and "date" in head else None

    def _panel_of_long(
        self,
        long: pd.DataFrame,
        tickers: Sequence[str],
        provenance: dict[str, str],
        between: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    ) -> PricePanel:
        """Check the rows of ``tickers`` at once (those in ``between``), or series by series where a value needs naming."""
        fast = None if self.date_format else panel_from_long(long, tickers, self.negative, provenance, between)
        if fast is not None:
            return fast
        frames = {
            str(ticker): normalise_price_frame(
                rows.drop(columns=TICKER), f"{self.path} ({ticker})", self.negative, self.date_format
            )
            for ticker, rows in long.groupby(TICKER, sort=False, observed=True)
        }
        return PricePanel.from_frames({t: frames[t] for t in tickers}, provenance)

    @property
    def filters_dates(self) -> bool:
        """Whether :meth:`load` keeps only a span of dates: Parquet (scanned with a filter), a folder, a long CSV."""
        return self.kind == "Parquet" or self.path.is_dir() or self._long() is not None

    def load(self, tickers: Sequence[str], between: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> PricePanel:
        """Load ``tickers`` from the folder, wide file or long file.

        ``between`` (first and last date) keeps only the dates a study needs: a Parquet
        dataset or long Parquet file reads only them; a folder or a long CSV is read whole
        and then checked and kept only in that span (a wide CSV is kept whole).
        """
        frames: dict[str, pd.DataFrame] = {}
        provenance = {t: f"user {self.kind} {self.path}" for t in tickers}
        parquet = self._parquet()
        if parquet is not None:
            return self._panel_of_long(parquet.read(tickers, between), tickers, provenance, between)
        long = self._long()
        if long is not None:
            rows = long[long[TICKER].isin(list(tickers))]
            have = set(rows[TICKER].unique())
            for ticker in tickers:
                if ticker not in have:
                    raise UnknownTickerError(ticker, str(self.path), self.available())
            return self._panel_of_long(rows, tickers, provenance, between)
        per_ticker = self._per_ticker()
        if per_ticker is not None:
            frames_of, where = per_ticker
            for ticker in tickers:
                if ticker not in frames_of:
                    raise UnknownTickerError(ticker, where, frames_of)
            return PricePanel.from_frames(
                {
                    t: normalise_price_frame(frames_of[t], f"{self.path} ({t})", self.negative, self.date_format)
                    for t in tickers
                },
                provenance,
            )
        if self.path.is_dir() and self.date_format is None:
            fast = self._folder_at_once(tickers, between)
            if fast is not None:
                return fast
        for ticker in tickers:
            if self.path.is_dir():
                path = self._file_of(ticker)
                if path is None:
                    raise UnknownTickerError(ticker, f"the folder {self.path}", self.available())
                frames[ticker] = normalise_price_frame(read_csv_file(path), str(path), self.negative, self.date_format)
            else:
                wide = self._wide()
                if ticker not in wide.columns:
                    raise UnknownTickerError(ticker, str(self.path), self.available())
                if "date" not in wide.columns:
                    raise DataFormatError(self.path, "has no 'date' column", "name it 'date'")
                sub = pd.DataFrame({"date": wide["date"], "adj_close": wide[ticker]})
                frames[ticker] = normalise_price_frame(
                    sub, f"{self.path} column {ticker!r}", self.negative, self.date_format
                )
        return PricePanel.from_frames(frames, provenance)

    def _folder_at_once(
        self, tickers: Sequence[str], between: tuple[pd.Timestamp, pd.Timestamp] | None = None
    ) -> PricePanel | None:
        """Read a folder's files and check them as one long table: one vectorised pass instead of one per file.

        Returns None when anything needs the per-file path (a missing file, a layout or
        value to report precisely, dates that are not ISO): that path gives the one-line
        error or reads what this one does not.
        """
        paths = {t: path for t in tickers if (path := self._file_of(t)) is not None}
        if len(paths) != len(tickers):
            return None  # a missing file (or a ticker asked twice): the per-file path names it
        groups = _bodies_by_header(paths)
        if groups is None:
            return None
        names: list[str] = []
        codes, days, fields = [], [], []
        for header, (names_in_group, joined, rows) in groups.items():
            columns = [_COLUMN_ALIASES.get(c.strip().lower(), c.strip()) for c in header.split(",")]
            if (
                "date" not in columns
                or not ({"adj_close", "close"} & set(columns))
                or len(set(columns)) != len(columns)
            ):
                return None
            parsed = _parse_joined_csv(joined, columns, sum(rows))
            if parsed is None:
                return None
            group_days, group_fields = parsed
            if "adj_close" not in group_fields:
                group_fields["adj_close"] = group_fields["close"]
            codes.append(np.repeat(np.arange(len(names), len(names) + len(names_in_group)), rows))
            names.extend(names_in_group)
            days.append(group_days)
            fields.append(group_fields)
        present = [f for f in PRICE_FIELDS if any(f in group for group in fields)]
        return panel_from_arrays(
            np.concatenate(codes),
            names,
            np.concatenate(days),
            {
                f: np.concatenate([g.get(f, np.full(len(d), np.nan)) for g, d in zip(fields, days, strict=True)])
                for f in present
            },
            tickers,
            self.negative,
            {t: f"user CSV {self.path}" for t in tickers},
            between,
        )


def _bodies_by_header(paths: Mapping[str, Path]) -> dict[str, tuple[list[str], bytearray, list[int]]] | None:
    """Join the files' bodies (their lines after the header) per header, with each file's ticker and line count.

    Files that share a header are parsed once; each file's line count gives its rows, so
    no line needs its ticker written in. Each file is read into one reused buffer and its
    body appended to its header's buffer: no bytes object per file, no second join. None
    when a file needs the per-file reader (unreadable, quoted fields, bare carriage
    returns, no rows).
    """
    groups: dict[str, tuple[list[str], bytearray, list[int]]] = {}
    scratch = bytearray(1 << 16)
    for ticker, path in paths.items():
        try:
            scratch, size = _read_into(path, scratch)
        except OSError:
            return None
        data: bytes | bytearray = scratch
        start = 3 if size >= 3 and scratch.startswith(b"\xef\xbb\xbf") else 0
        if scratch.find(b"\r", start, size) >= 0:
            data = bytes(scratch[start:size]).replace(b"\r\n", b"\n")
            start, size = 0, len(data)
            if b"\r" in data:
                return None  # a bare carriage return
        first = data.find(b"\n", start, size) + 1
        last = size
        while last > start and data[last - 1] == 0x0A:  # trailing newlines
            last -= 1
        if data.find(b'"', start, size) >= 0 or not start < first < last:
            return None
        try:
            header = data[start:first].decode("utf-8").strip()
        except UnicodeDecodeError:
            return None
        tickers, joined, rows = groups.setdefault(header, ([], bytearray(), []))
        tickers.append(ticker)
        joined += memoryview(data)[first:last]
        joined += b"\n"
        rows.append(data.count(b"\n", first, last) + 1)
    return groups


def _read_into(path: Path, buffer: bytearray) -> tuple[bytearray, int]:
    """Read the whole of ``path`` into the start of ``buffer``, or of a larger one; return it and the bytes read."""
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        if size >= len(buffer):
            buffer = bytearray(2 * size)
        done = 0
        # The size measured at opening is what is read (no extra call to find the end);
        # the buffer, larger than that, still takes a file that grew meanwhile.
        while done < size or done == len(buffer):
            if done == len(buffer):
                buffer += bytearray(len(buffer))
            n = os.readv(fd, [memoryview(buffer)[done:]])
            if not n:
                break
            done += n
        return buffer, done
    finally:
        os.close(fd)


def _parse_joined_csv(
    data: bytes | bytearray, names: list[str], rows: int
) -> tuple[np.ndarray, dict[str, np.ndarray]] | None:
    """Parse ``rows`` headerless CSV lines with pyarrow (multi-threaded) into days and price fields.

    Returns each line's day and its price fields as float64 (missing values NaN), or None
    if anything does not parse.

    Every line must give one row (an empty line is an error here, not skipped), so the
    caller can tell each file's rows by its line count. Dates must be YYYY-MM-DD; any
    other layout, like any unreadable value, is left to the per-file reader, which names it.
    """
    import pyarrow as pa
    from pyarrow import csv as pacsv

    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),  # read in place, without a Python file's copies
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
            # Prices typed up front: no inference, and text among them fails here as before.
            convert_options=pacsv.ConvertOptions(
                column_types={"date": pa.date32(), **{f: pa.float64() for f in PRICE_FIELDS if f in names}}
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_rows != rows or table["date"].null_count:
        return None
    numbers = {name: table[name].to_numpy() for name in PRICE_FIELDS if name in table.column_names}
    return table["date"].to_numpy().astype("datetime64[D]"), numbers


def _strict_days(column: pd.Series) -> np.ndarray | None:
    """Session days (``datetime64[D]``) of a ``date`` column stored as timestamps or written YYYY-MM-DD; None if anything else."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        column = column.dt.tz_convert("America/New_York").dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(column.dtype):
        days = column
    else:
        # A strict layout rejects anything but YYYY-MM-DD (partial dates too).
        days = pd.to_datetime(column, format="%Y-%m-%d", errors="coerce")
    if days.isna().any():
        return None
    return days.to_numpy().astype("datetime64[D]")


def panel_from_long(
    long: pd.DataFrame,
    tickers: Sequence[str],
    negative: str,
    provenance: dict[str, str],
    between: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> PricePanel | None:
    """Check a long table (``ticker``, ``date``, price fields) in one vectorised pass and pivot it to a panel.

    Gives the panel :func:`normalise_price_frame` would give series by series, or None
    when a value needs reporting (an unreadable date, a duplicate, a bad price): the
    per-series path then names the file, ticker, date and value. With ``between`` (first
    and last date) only the rows in that span are checked and kept.
    """
    long = long.rename(columns=lambda c: _COLUMN_ALIASES.get(str(c).strip().lower(), str(c)))
    if "date" not in long.columns or not ({"adj_close", "close"} & set(long.columns)):
        return None
    if "adj_close" not in long.columns:
        long = long.assign(adj_close=long["close"])
    days = _strict_days(long["date"])
    if days is None:
        return None
    fields: dict[str, np.ndarray] = {}
    for col in (c for c in PRICE_FIELDS if c in long.columns):
        numbers = pd.to_numeric(long[col], errors="coerce")
        if (long[col].notna() & numbers.isna()).any():
            return None
        fields[col] = numbers.to_numpy(dtype="float64")
    ticker = long[TICKER].astype("category")
    names = [str(c) for c in ticker.cat.categories]
    return panel_from_arrays(ticker.cat.codes.to_numpy(), names, days, fields, tickers, negative, provenance, between)


def panel_from_arrays(
    codes: np.ndarray,
    names: Sequence[str],
    days: np.ndarray,
    fields: dict[str, np.ndarray],
    tickers: Sequence[str],
    negative: str,
    provenance: dict[str, str],
    between: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> PricePanel | None:
    """Check long columns in one vectorised pass and pivot them to a panel of ``tickers``.

    Row ``i`` is series ``names[codes[i]]`` on day ``days[i]`` (``datetime64[D]``) with
    price fields ``fields[f][i]`` (float64, NaN where missing; ``adj_close`` required).
    Returns None when a value needs reporting (a duplicate day, a bad price, a series
    without a price): :func:`panel_from_long` documents the rest.
    """
    if between is not None:
        first, last = (np.datetime64(pd.Timestamp(b).date(), "D") for b in between)
        inside = (days >= first) & (days <= last)
        codes, days, fields = codes[inside], days[inside], {f: v[inside] for f, v in fields.items()}
    col_of = {name: i for i, name in enumerate(names)}
    if not len(days) or any(t not in col_of for t in tickers):
        return None
    # Each pass below allocates as little as it can: fresh memory is paid page by page.
    # Days numbered from the first: a count per day marks the days present, already in order.
    number = days.astype("datetime64[D]", copy=False).view(np.int64)
    origin = int(number.min())
    offset = number - origin
    present = np.bincount(offset) > 0
    day_codes = (np.cumsum(present) - 1)[offset]
    day_values = np.flatnonzero(present) + origin
    fields = dict(fields)  # the checked values replace the given ones here, not in the caller's mapping
    for col, arr in fields.items():
        if col != "volume":
            if negative == "abs":
                arr = np.abs(arr)
            elif negative == "missing":
                arr = np.where(arr < 0, np.nan, arr)
            # Without values <= 0 every value is its own magnitude, and an infinite one is out of range.
            if (arr <= 0).any() or (arr > PRICE_RANGE[1]).any() or (arr < PRICE_RANGE[0]).any():
                return None
        elif (arr < 0).any() or np.isinf(arr).any():
            return None
        fields[col] = arr
    codes = np.asarray(codes, dtype=np.int64)
    index = pd.DatetimeIndex(day_values.astype("datetime64[D]").astype(_DAY_DTYPE), name="date")
    header = pd.Index([str(t) for t in tickers], name="ticker")
    # The requested series' rows land straight in a days x series grid, in the order asked;
    # a cell filled twice is a duplicate date. The series not asked for are checked too.
    distinct = list(dict.fromkeys(tickers))
    slot = np.full(len(names), -1, dtype=np.int64)
    slot[[col_of[t] for t in distinct]] = np.arange(len(distinct))
    in_order = len(distinct) == len(names) and bool((slot == np.arange(len(names))).all())
    row_slot = codes if in_order else slot[codes]
    wanted: np.ndarray | None = None if len(distinct) == len(names) else row_slot >= 0
    if wanted is not None:
        cells = codes * len(day_values) + day_codes
        if np.bincount(cells, minlength=len(names) * len(day_values)).max(initial=0) > 1:
            return None
        day_codes, row_slot = day_codes[wanted], row_slot[wanted]
    at = day_codes  # (its own array: built in place)
    at *= len(distinct)
    at += row_slot
    if wanted is None:
        filled = np.zeros(len(day_values) * len(distinct), dtype=bool)
        filled[at] = True
        if np.count_nonzero(filled) != len(at):
            return None
    repeat = None if len(distinct) == len(tickers) else [distinct.index(t) for t in tickers]

    def wide(field: str) -> pd.DataFrame:
        grid = np.full((len(day_values), len(distinct)), np.nan)
        if field in fields:
            grid.ravel()[at] = fields[field] if wanted is None else fields[field][wanted]
        # The grid is this frame's alone: pandas need not copy it.
        return pd.DataFrame(grid if repeat is None else grid[:, repeat], index=index, columns=header, copy=False)

    # Frames share memory only through pandas' shallow copies, which copy on a write:
    # the fields the source lacks share one grid of NaN, and close without its own column is adj_close.
    base = wide("adj_close")
    if not np.isfinite(base.to_numpy()).any(axis=0).all():
        return None  # a requested series without a single price
    frames: dict[str, pd.DataFrame] = {f: wide(f) for f in ("close", "high", "low", "open", "volume") if f in fields}
    if "close" not in frames:
        frames["close"] = base.copy(deep=False)
    lacking = [f for f in ("high", "low", "open", "volume") if f not in frames]
    if lacking:
        blank = wide("")
        frames.update({f: blank.copy(deep=False) for f in lacking})
    return PricePanel(adj_close=base, provenance=provenance, **frames)


class MultiSource:
    """Several sources read in turn: each ticker comes from the first that has it.

    Used for ``--prices`` given more than once (for example a firm file and a market
    file).
    """

    def __init__(self, sources: Sequence[CsvSource]) -> None:
        self.sources = list(sources)
        self.name = " + ".join(s.name for s in self.sources)

    def available(self) -> list[str]:
        """Return every ticker any of the sources holds."""
        return sorted({t for s in self.sources for t in s.available()})

    def load(self, tickers: Sequence[str]) -> PricePanel:
        """Load each ticker from the first source that holds it, each source read once for all of its tickers."""
        holders = [set(s.available()) for s in self.sources]
        batches: dict[int, list[str]] = {}
        for t in dict.fromkeys(tickers):
            k = next((i for i, have in enumerate(holders) if t in have), None)
            if k is None:
                raise UnknownTickerError(t, self.name, sorted(set().union(*holders)))
            batches.setdefault(k, []).append(t)
        frames: dict[str, pd.DataFrame] = {}
        provenance: dict[str, str] = {}
        chained: frozenset[str] = frozenset()
        for k, batch in batches.items():
            panel = self.sources[k].load(batch)
            for t in batch:
                frames[t] = panel.frame(t)
                provenance[t] = panel.provenance[t]
            chained |= panel.chained
        return PricePanel.from_frames({t: frames[t] for t in tickers}, provenance, chained)


class PanelSource:
    """Prices already in memory (a :class:`PricePanel`), e.g. from a notebook or a simulation."""

    def __init__(self, panel: PricePanel, name: str = "the panel given") -> None:
        self.panel = panel
        self.name = name

    def load(self, tickers: Sequence[str]) -> PricePanel:
        """Return the panel restricted to ``tickers``."""
        have = set(self.panel.tickers)
        for t in tickers:
            if t not in have:
                raise UnknownTickerError(t, self.name, self.panel.tickers)
        return self.panel.select(list(tickers))


def fields_by_ticker(frame: pd.DataFrame) -> dict[str, pd.DataFrame] | None:
    """Split a frame with (field, ticker) or (ticker, field) columns into one frame per ticker, else None.

    ``yfinance.download`` returns such columns (``group_by="ticker"`` puts the ticker
    first); each frame gets a ``date`` column from the index.
    """
    if not isinstance(frame.columns, pd.MultiIndex) or frame.columns.nlevels != 2:
        return None
    levels = [
        k for k in (0, 1) if {str(v).strip().lower() for v in frame.columns.get_level_values(k)} <= _PRICE_FILE_COLUMNS
    ]
    if len(levels) != 1:
        return None
    tickers = 1 - levels[0]
    return {
        str(t): frame.xs(t, axis=1, level=tickers).rename_axis("date").reset_index()
        for t in dict.fromkeys(frame.columns.get_level_values(tickers))
    }


def panel_from_frame(frame: pd.DataFrame, name: str = "DataFrame") -> PricePanel:
    """Build a checked :class:`PricePanel` from a DataFrame of prices.

    Wide: a date index (or ``date`` column) and one column of adjusted closes per ticker.
    Long: columns ``ticker, date`` and ``adj_close`` (or ``close``). As ``yfinance.download``
    returns it: a date index and (field, ticker) or (ticker, field) columns. Every series goes
    through the same checks as a file (dates, positive finite prices, no duplicates).
    """
    by_ticker = fields_by_ticker(frame)
    if by_ticker is not None:
        frames = {t: normalise_price_frame(f, f"{name} ({t})") for t, f in by_ticker.items()}
        return PricePanel.from_frames(frames, {t: f"user {name}" for t in frames})
    cols = {str(c).strip().lower(): c for c in frame.columns}
    if "ticker" in cols and "date" in cols:
        long = frame.rename(columns={v: k for k, v in cols.items()})
        frames = {
            str(t): normalise_price_frame(g.drop(columns="ticker"), f"{name} ({t})")
            for t, g in long.groupby("ticker", sort=False)
        }
    else:
        wide = frame.set_index(cols["date"]) if "date" in cols else frame
        dates = pd.Series(wide.index.astype(str) if not isinstance(wide.index, pd.DatetimeIndex) else wide.index)
        frames = {
            str(t): normalise_price_frame(
                pd.DataFrame({"date": dates.to_numpy(), "adj_close": wide[t].to_numpy()}).dropna(subset=["adj_close"]),
                f"{name} column {t!r}",
            )
            for t in wide.columns
        }
    return PricePanel.from_frames(frames, {t: f"user {name}" for t in frames})


def as_source(
    obj: Source | str | Path | pd.DataFrame | PricePanel,
    *,
    negative_prices: str = "error",
    date_format: str | None = None,
) -> Source:
    """Turn what a user has into a :class:`Source`: a Source, a path, a DataFrame or a PricePanel.

    Raises
    ------
    DataFormatError
        If ``obj`` is none of these.
    """
    if isinstance(obj, str | Path):
        return CsvSource(obj, negative_prices, date_format=date_format)
    if isinstance(obj, pd.DataFrame):
        return PanelSource(panel_from_frame(obj), "the DataFrame given")
    if isinstance(obj, PricePanel):
        return PanelSource(obj)
    if isinstance(obj, Source):
        return obj
    raise DataFormatError(
        "source", f"is a {type(obj).__name__}", "pass a Source, a path, a pandas DataFrame of prices or a PricePanel"
    )


class ReturnsSource:
    """Returns instead of prices: a wide table (``date`` and one column per series) or a long one (``id, date, ret``).

    CSV or Parquet (a file ending in ``.parquet`` or ``.pq``); in a long table CRSP's
    ``PERMNO`` may stand for ``id``.

    Each series becomes a price index chained over its own non-missing rows (1 on the
    row before its first return), so the engine's returns give back the file's returns
    exactly; a missing return stays missing, nothing is filled. With ``calendar="rows"``
    each series' rows are its sessions (CRSP, world indices); on an exchange calendar a
    missing return also leaves the next session without one, since no return spans a gap.

    Parameters
    ----------
    path
        The returns file.
    unit
        ``decimal`` (0.012) or ``percent`` (1.2).
    date_format
        ``strptime`` layout of non-ISO dates.
    """

    def __init__(self, path: str | Path, unit: str = "decimal", *, date_format: str | None = None) -> None:
        self.path = Path(path)
        self.unit = validate_literal("returns_unit", unit, ReturnsUnit)
        self.date_format = date_format
        if not self.path.is_file():
            raise DataFormatError(self.path, "does not exist", "pass a CSV of returns with --returns-data")
        self.name = f"returns file {self.path} ({unit})"

    @property
    def filters_dates(self) -> bool:
        """Whether :meth:`load` can read only a span of dates (a long Parquet file is scanned with a filter)."""
        return self._long_parquet() is not None

    @functools.cache  # noqa: B019 - one handle per source object
    def _long_parquet(self) -> ParquetData | None:
        """Return the long Parquet file (``id`` or ``PERMNO``, ``date``, ``ret``) read by series; None for other files."""
        if self.path.suffix.lower() not in PARQUET_SUFFIXES:
            return None
        data = ParquetData(self.path, keys=("id", "permno"))
        return data if data.layout == "dataset" else None

    @functools.cache  # noqa: B019 - one small frame per source object
    def _wide(self) -> pd.DataFrame:
        return self._as_wide(read_csv_file(self.path))

    def _as_wide(self, raw: pd.DataFrame) -> pd.DataFrame:
        """Check a wide or long table of returns and return it wide, in decimals, by session date."""
        cols = {str(c).strip().lower(): c for c in raw.columns}
        if "id" not in cols and "permno" in cols:  # CRSP's name for the series id
            cols["id"] = cols.pop("permno")
        if {"id", "date", "ret"} <= set(cols):
            raw = raw.rename(columns={cols["id"]: "id", cols["date"]: "date", cols["ret"]: "ret"})
            if raw[["id", "date"]].duplicated().any():
                raise DuplicateDateError(self.path, "has an id and date twice", "keep one row per id and date")
            raw = raw.pivot(index="date", columns="id", values="ret").reset_index()
        if "date" not in cols and "date" not in raw.columns:
            raise DataFormatError(self.path, "has no 'date' column", "write date,<series>... or id,date,ret")
        raw = raw.rename(columns={cols.get("date", "date"): "date"})
        dates = parse_dates(raw["date"], str(self.path), self.date_format)
        if dates.duplicated().any():
            raise DuplicateDateError(
                self.path, f"has date {dates[dates.duplicated()].iloc[0].date()} twice", "keep one row per date"
            )
        values = raw.drop(columns="date").apply(pd.to_numeric, errors="coerce")
        bad = raw.drop(columns="date").notna() & values.isna()
        if bad.any().any():
            col = str(bad.any().idxmax())
            raise BadPriceError(
                self.path, f"column {col!r} has values that are not numbers", "leave missing returns empty or NA"
            )
        values = values / (100.0 if self.unit == "percent" else 1.0)
        finite = values.to_numpy(dtype="float64")
        wrong = np.isinf(finite) | (finite <= -1.0)
        if wrong.any():
            row, k = (int(i[0]) for i in np.nonzero(wrong))
            shown = raw.drop(columns="date").iloc[row, k]
            raise BadPriceError(
                self.path,
                f"column {values.columns[k]!r} has a return of {float(shown):g} on {dates.iloc[row].date()}, "
                f"infinite or a loss of 100% or more read as {self.unit}",
                "check the values, and --returns-unit (percent for returns written as 1.5 for 1.5%)",
            )
        values.index = pd.DatetimeIndex(dates, name="date")
        values.columns = [str(c) for c in values.columns]
        return values.sort_index()

    def available(self) -> list[str]:
        """Return the series in the file."""
        long = self._long_parquet()
        return long.tickers() if long is not None else list(self._wide().columns)

    def load(self, tickers: Sequence[str], between: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> PricePanel:
        """Return a price index per series, chained over its own non-missing returns.

        A long Parquet file is read for ``tickers`` only, and only from ``between[0]`` to
        ``between[1]`` when given (a scan filter); other files are read whole.
        """
        long = self._long_parquet()
        if long is not None:
            wide = self._as_wide(long.read(tickers, between).rename(columns={TICKER: "id"}))
        else:
            wide = self._wide()
        frames = {}
        for t in tickers:
            if t not in wide.columns:
                raise UnknownTickerError(t, str(self.path), self.available())
            if wide[t].notna().sum() == 0:
                raise DataFormatError(self.path, f"column {t!r} has no returns", "check the file")
            frames[t] = pd.DataFrame({"adj_close": chain_returns(wide[t])})
        return PricePanel.from_frames(frames, {t: f"{self.name}, as given" for t in tickers}, chained=tickers)


def chain_returns(returns: pd.Series) -> pd.Series:
    """Return a price index whose returns over its rows are ``returns`` exactly (a missing return stays missing).

    The index is 1 on the row before the first return (when there is one) and
    compounds over the non-missing rows only, so no return spans a gap.
    """
    rows = np.flatnonzero(returns.notna().to_numpy())
    index = pd.Series(np.nan, index=returns.index)
    index.iloc[rows] = np.cumprod(1.0 + returns.iloc[rows].to_numpy(dtype="float64"))
    if len(rows) and rows[0] > 0:
        index.iloc[rows[0] - 1] = 1.0  # the base the first return starts from
    return index.dropna()
