"""Reading Apache Parquet with pyarrow: one file, a folder of per-ticker files, or a dataset.

A dataset is a folder of Parquet files holding a ``ticker`` column, or partitioned by
it (``ticker=NVDA/part-0.parquet``, Hive style, as pandas, Spark and Dask write them).
Only the rows of the tickers asked for are read: the filter is pushed into the scan, so
a partitioned dataset opens only those partitions. pyarrow reads with several threads.

This module only reads; checking the values is the caller's job (see
:mod:`eventstudy.data.sources`), so every layout meets the same checks and messages.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import pandas as pd

from eventstudy.errors import DataFormatError, UnknownTickerError

PARQUET_SUFFIXES = (".parquet", ".pq")
"""File endings read as Apache Parquet (with pyarrow) rather than CSV."""
TICKER = "ticker"
"""The column (or partition key) naming each row's series in a long table or dataset."""
Layout = Literal["per_ticker", "dataset"]


def is_parquet(path: Path) -> bool:
    """Whether ``path`` is a Parquet file, or a folder holding Parquet files and no CSV files."""
    if path.is_file():
        return path.suffix.lower() in PARQUET_SUFFIXES
    if not path.is_dir() or any(path.glob("*.csv")):
        return False
    return any(p.suffix.lower() in PARQUET_SUFFIXES for p in path.rglob("*") if p.is_file())


def _need_pyarrow(path: Path) -> None:
    if importlib.util.find_spec("pyarrow") is None:
        raise DataFormatError(path, "is Parquet, which needs pyarrow", "pip install 'eventstudy[parquet]'")


def _unreadable(path: Path, exc: Exception) -> DataFormatError:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return DataFormatError(path, f"not a readable Parquet file ({reason})", "fix or replace the file")


def read_parquet_file(path: Path) -> pd.DataFrame:
    """Read one Parquet file as the columns its CSV twin would have (a named index becomes a column)."""
    _need_pyarrow(path)
    if not path.is_file():
        raise DataFormatError(path, "file not found", "check the path")
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError, TypeError) as exc:  # pyarrow's errors derive from these
        raise _unreadable(path, exc) from None
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    return frame


def ticker_of_file(path: Path) -> str:
    """Return the ticker a per-ticker file holds (``_GSPC.parquet`` -> ``^GSPC``)."""
    stem = path.stem
    return stem.replace("_", "^", 1) if stem.startswith("_") else stem


class ParquetData:
    """Parquet read by ticker: a long file, a folder of per-ticker files, or a dataset.

    Parameters
    ----------
    path
        A Parquet file with a ``ticker`` column, or a folder: one file per ticker, or
        files with a ``ticker`` column or partitioned by it.
    keys
        Names the series column may have (any case), the first found is used; it is
        read back as ``ticker``. Returns use ``("id", "permno")``.
    """

    def __init__(self, path: Path, keys: Sequence[str] = (TICKER,)) -> None:
        _need_pyarrow(path)
        import pyarrow.dataset as ds

        self.path = path
        try:
            self._dataset = ds.dataset(path, format="parquet", partitioning="hive")
        except (OSError, ValueError, TypeError) as exc:
            raise _unreadable(path, exc) from None
        names = {name.lower(): name for name in self._dataset.schema.names}
        self._key = next((names[k.lower()] for k in keys if k.lower() in names), None)
        self.layout: Layout = "dataset" if self._key is not None else "per_ticker"
        # Per-ticker files sit directly in the folder; a nested file there would be ambiguous.
        files = sorted(path.iterdir()) if path.is_dir() else []
        self._files = {ticker_of_file(p): p for p in files if p.is_file() and p.suffix.lower() in PARQUET_SUFFIXES}

    def tickers(self) -> list[str]:
        """Every ticker the folder holds (a dataset's distinct keys; a per-ticker folder's file names)."""
        if self.layout == "per_ticker":
            return sorted(self._files)
        try:
            keys = self._dataset.to_table(columns=[self._key]).column(0)
        except (OSError, ValueError, TypeError) as exc:
            raise _unreadable(self.path, exc) from None
        return sorted({str(k) for k in keys.unique().to_pylist() if k is not None})

    def read(self, tickers: Sequence[str], between: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> pd.DataFrame:
        """Return the rows of ``tickers`` as one long frame with a ``ticker`` column first.

        Parameters
        ----------
        tickers
            The series to read.
        between
            First and last date to read (inclusive), pushed into the scan of a dataset or
            long file whose ``date`` column is stored as dates or timestamps; other data is
            read whole. A ticker without rows in the span is read whole, so that what is
            wrong with it is reported as without the span.

        Raises
        ------
        UnknownTickerError
            If a ticker has no rows (dataset) or no file (per-ticker folder).
        DataFormatError
            If a file cannot be read.
        """
        if self.layout == "per_ticker":
            frame = self._read_files(tickers)
        else:
            frame = self._read_dataset(tickers, between)
            if between is not None and set(tickers) - set(frame[TICKER].unique()):
                frame = self._read_dataset(tickers, None)
        found = set(frame[TICKER].unique())
        for ticker in tickers:
            if ticker not in found:
                raise UnknownTickerError(ticker, f"the Parquet data {self.path}", self.tickers())
        return frame

    def _read_dataset(self, tickers: Sequence[str], between: tuple[pd.Timestamp, pd.Timestamp] | None) -> pd.DataFrame:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.dataset as ds

        key = ds.field(self._key)
        if not pa.types.is_string(self._dataset.schema.field(self._key).type):
            key = key.cast(pa.string())  # a numeric key (PERMNO=10107) is matched as text
        wanted = key.isin(list(tickers))
        dates = {name.lower(): name for name in self._dataset.schema.names}.get("date")
        if between is not None and dates is not None:
            kind = self._dataset.schema.field(dates).type
            # a day either side, so that no time zone moves a wanted day out of the span
            first, last = between[0] - pd.Timedelta(days=1), between[1] + pd.Timedelta(days=2)
            if pa.types.is_timestamp(kind):
                tz = kind.tz
                wanted &= (ds.field(dates) >= pa.scalar(first.tz_localize(tz) if tz else first, kind)) & (
                    ds.field(dates) < pa.scalar(last.tz_localize(tz) if tz else last, kind)
                )
            elif pa.types.is_date(kind):
                wanted &= (ds.field(dates) >= pa.scalar(first.date(), kind)) & (
                    ds.field(dates) < pa.scalar(last.date(), kind)
                )
        try:
            table = self._dataset.to_table(filter=wanted)
        except (OSError, ValueError, TypeError) as exc:
            raise _unreadable(self.path, exc) from None
        # Millions of rows name a few thousand tickers: keep them as a dictionary, not one string each.
        i = table.schema.get_field_index(self._key)
        table = table.set_column(i, TICKER, pc.dictionary_encode(pc.cast(table.column(i), pa.string())))
        frame: pd.DataFrame = table.to_pandas()
        return frame[[TICKER, *(c for c in frame.columns if c != TICKER)]]

    def _read_files(self, tickers: Sequence[str]) -> pd.DataFrame:
        files = {t: self._files[t] for t in dict.fromkeys(tickers) if t in self._files}

        def one(item: tuple[str, Path]) -> pd.DataFrame:
            ticker, path = item
            frame = read_parquet_file(path)
            frame.insert(0, TICKER, ticker)
            return frame

        with ThreadPoolExecutor() as pool:  # pyarrow decodes without the GIL
            frames = list(pool.map(one, files.items()))
        if not frames:
            return pd.DataFrame({TICKER: pd.Series(dtype=str)})
        return pd.concat(frames, ignore_index=True)
