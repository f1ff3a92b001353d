"""CRSP daily stock and index returns from WRDS, behind the same interface as every source.

Series are named as academic users name them:

- a PERMNO (all digits, ``86580``): CRSP's permanent security number;
- a ticker (``NVDA``): the PERMNO that carried the ticker on the date it is asked for,
  from CRSP's name history (``crsp.dsenames``); a ticker reused by another firm later
  maps to the firm of that date;
- ``VWRETD``, ``EWRETD``, ``SPRTRN``: CRSP's value- and equal-weighted market returns
  with dividends and the S&P 500 return (``crsp.dsi``).

A stock's return is CRSP's holding-period return ``RET`` (dividends included). On its
delisting day the delisting return ``DLRET`` is compounded in, (1+RET)(1+DLRET)-1, or
taken alone where RET is missing (Shumway 1997), so a delisting is not silently a
missing day. Missing returns stay missing. Returns become a price index per series
(:func:`eventstudy.data.sources.chain_returns`), so the engine gives them back exactly.

Queries go through the ``wrds`` package (the ``wrds`` extra; a WRDS account), or any
object with its ``raw_sql(sql, params=..., date_cols=...)`` method. Every answer is kept
as a Parquet file in the cache folder, keyed by the query and its parameters, so a study
reruns offline and byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._io import cache_root, write_bytes_atomic
from eventstudy.data.panel import PricePanel
from eventstudy.data.sources import chain_returns
from eventstudy.errors import DataSourceError, UnknownTickerError

INDEX_SERIES = ("VWRETD", "EWRETD", "SPRTRN")
"""CRSP daily index returns a study can use as its market (columns of ``crsp.dsi``)."""

STOCK_SQL = (
    "select permno, date, ret from crsp.dsf "
    "where permno in %(permnos)s and date between %(start)s and %(end)s order by permno, date"
)
DELIST_SQL = (
    "select permno, dlstdt, dlret from crsp.dsedelist "
    "where permno in %(permnos)s and dlstdt between %(start)s and %(end)s"
)
INDEX_SQL = "select date, vwretd, ewretd, sprtrn from crsp.dsi where date between %(start)s and %(end)s order by date"
NAMES_SQL = "select permno, ticker, namedt, nameendt from crsp.dsenames where ticker in %(tickers)s"


def total_returns(dsf: pd.DataFrame, delist: pd.DataFrame) -> pd.DataFrame:
    """Return ``permno, date, ret`` with each delisting return compounded into its day.

    Parameters
    ----------
    dsf
        Rows of ``crsp.dsf``: ``permno, date, ret``.
    delist
        Rows of ``crsp.dsedelist``: ``permno, dlstdt, dlret``.
    """
    stock = dsf[["permno", "date", "ret"]].astype({"permno": "int64"})
    gone = delist.rename(columns={"dlstdt": "date"})[["permno", "date", "dlret"]].dropna(subset=["dlret"])
    merged = stock.merge(gone.astype({"permno": "int64"}), on=["permno", "date"], how="outer")
    ret = merged["ret"].astype("float64").to_numpy()
    dl = merged["dlret"].astype("float64").to_numpy()
    total = np.where(np.isnan(dl), ret, np.where(np.isnan(ret), dl, (1.0 + ret) * (1.0 + dl) - 1.0))
    out = pd.DataFrame({"permno": merged["permno"], "date": merged["date"], "ret": total})
    return out.sort_values(["permno", "date"], ignore_index=True)


def permnos_on(names: pd.DataFrame, as_of: Mapping[str, Iterable[dt.date]]) -> dict[str, int]:
    """Map each ticker to the PERMNO that carried it on its dates, from CRSP's name history.

    Parameters
    ----------
    names
        Rows of ``crsp.dsenames``: ``permno, ticker, namedt, nameendt`` (``nameendt``
        missing while the name is current).
    as_of
        Ticker -> the dates (its events) on which its PERMNO is wanted.

    Raises
    ------
    UnknownTickerError
        If no security carried the ticker on one of its dates.
    DataSourceError
        If several PERMNOs (share classes) carried it on one day, or different ones on
        different days (a reused ticker): the events file should then name PERMNOs.
    """
    start = pd.to_datetime(names["namedt"])
    end = pd.to_datetime(names["nameendt"])
    out = {}
    for ticker, days in as_of.items():
        found: dict[int, dt.date] = {}
        for day in sorted(days):
            when = pd.Timestamp(day)
            rows = names[(names["ticker"] == ticker) & (start <= when) & (end.isna() | (end >= when))]
            permnos = sorted({int(p) for p in rows["permno"]})
            if not permnos:
                known = names.loc[names["ticker"] == ticker]
                spans = [
                    f"PERMNO {int(r.permno)} {pd.Timestamp(r.namedt).date()}.."
                    f"{'' if pd.isna(r.nameendt) else pd.Timestamp(r.nameendt).date()}"
                    for r in known.itertuples()
                ]
                where = f"CRSP's name history on {day}" + (f" (it names {'; '.join(spans)})" if spans else "")
                raise UnknownTickerError(ticker, where, [])
            if len(permnos) > 1:
                raise DataSourceError(
                    f"ticker {ticker!r} named several CRSP securities on {day} (PERMNOs "
                    f"{', '.join(map(str, permnos))}); put the PERMNO you mean in the events file instead."
                )
            found.setdefault(permnos[0], day)
        if len(found) > 1:
            seen = "; ".join(f"PERMNO {p} on {d}" for p, d in found.items())
            raise DataSourceError(
                f"ticker {ticker!r} named different CRSP securities on its event dates ({seen}); put the PERMNO "
                "of each event in the events file instead."
            )
        out[ticker] = next(iter(found))
    return out


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class CrspSource:
    """CRSP daily returns through WRDS, with a local Parquet cache (see the module notes).

    Parameters
    ----------
    start, end
        First and last day of data to query.
    as_of
        Ticker -> the dates (its events) on which to look up its PERMNO (by default
        ``end``); PERMNOs and index names need none.
    connection
        A ``wrds.Connection`` (or anything with its ``raw_sql``); by default one is
        opened on first need with the user's WRDS credentials (``~/.pgpass``).
    cache_dir
        Base folder of the caches (``crsp/`` inside it); default
        ``$EVENTSTUDY_CACHE_DIR`` or ``~/.cache/eventstudy``.
    offline
        Answer from the cache only; a query not in it is an error.
    """

    def __init__(
        self,
        start: dt.date,
        end: dt.date,
        *,
        as_of: Mapping[str, Iterable[dt.date]] | None = None,
        connection: Any = None,
        cache_dir: Path | None = None,
        offline: bool = False,
    ) -> None:
        if start > end:
            raise DataSourceError(f"CRSP query from {start} to {end}: start is after end; swap them.")
        self.start, self.end = start, end
        self.as_of = {t: tuple(days) for t, days in (as_of or {}).items()}
        self.folder = cache_root(cache_dir) / "crsp"
        self.offline = offline
        self._connection = connection
        self.name = f"CRSP daily returns via WRDS ({start} to {end})"

    def _connect(self) -> Any:
        if self._connection is None:
            try:
                import wrds
            except ImportError:
                raise DataSourceError(
                    "source='crsp' needs the wrds package and a WRDS account: pip install 'eventstudy[wrds]'."
                ) from None
            try:
                self._connection = wrds.Connection()
            except Exception as exc:  # noqa: BLE001 - the driver's errors share no base class importable without it
                raise DataSourceError(
                    f"cannot connect to WRDS ({_reason(exc)}); check your credentials in ~/.pgpass and the "
                    "network, or rerun with --offline to use the CRSP cache."
                ) from None
        return self._connection

    def query(self, sql: str, params: Mapping[str, Any], date_cols: Sequence[str]) -> pd.DataFrame:
        """Return one query's rows, from the cache when it holds them, else from WRDS (then cached).

        Raises
        ------
        DataSourceError
            If the query is not cached and WRDS cannot answer (offline, no connection, an
            error); never an empty frame in place of a failure.
        """
        key = json.dumps([sql, {k: list(v) if isinstance(v, tuple) else v for k, v in sorted(params.items())}])
        path = self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.parquet"
        if path.is_file():
            try:
                return pd.read_parquet(path)
            except (OSError, ValueError) as exc:
                if self.offline:
                    raise DataSourceError(
                        f"the CRSP cache file {path} is unreadable ({_reason(exc)}); delete it and rerun online."
                    ) from None
        if self.offline:
            raise DataSourceError(
                f"offline, and the CRSP cache {self.folder} does not hold this query yet; run once with a WRDS "
                "connection (without --offline)."
            )
        connection = self._connect()
        try:
            frame = connection.raw_sql(sql, params=dict(params), date_cols=list(date_cols))
        except Exception as exc:  # noqa: BLE001 - the driver's errors share no base class importable without it
            raise DataSourceError(f"the WRDS query failed ({_reason(exc)}); nothing was cached.") from None
        if not isinstance(frame, pd.DataFrame):
            raise DataSourceError(f"the WRDS query returned a {type(frame).__name__}, not a table.")
        for col in date_cols:
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        write_bytes_atomic(path, buffer.getvalue())
        return frame

    def load(self, tickers: Sequence[str]) -> PricePanel:
        """Return a price index per series, chained over its CRSP returns."""
        window = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        indices = [t for t in tickers if t.upper() in INDEX_SERIES]
        stocks = [t for t in tickers if t not in indices]
        permno_of = {t: int(t) for t in stocks if t.isdigit()}
        named = [t for t in stocks if not t.isdigit()]
        if named:
            names = self.query(NAMES_SQL, {"tickers": tuple(sorted(named))}, ["namedt", "nameendt"])
            permno_of |= permnos_on(names, {t: self.as_of.get(t, (self.end,)) for t in named})
        frames: dict[str, pd.DataFrame] = {}
        provenance: dict[str, str] = {}
        if permno_of:
            wanted = {"permnos": tuple(sorted(set(permno_of.values()))), **window}
            returns = total_returns(self.query(STOCK_SQL, wanted, ["date"]), self.query(DELIST_SQL, wanted, ["dlstdt"]))
            by_permno = dict(tuple(returns.groupby("permno")))
            for ticker, permno in permno_of.items():
                rows = by_permno.get(permno)
                if rows is None or rows["ret"].notna().sum() == 0:
                    raise DataSourceError(
                        f"CRSP has no daily returns for {ticker!r} (PERMNO {permno}) from {self.start} to "
                        f"{self.end}; check the PERMNO and the dates."
                    )
                frames[ticker] = pd.DataFrame({"adj_close": chain_returns(rows.set_index("date")["ret"])})
                provenance[ticker] = f"CRSP daily RET with DLRET via WRDS, PERMNO {permno}"
        if indices:
            dsi = self.query(INDEX_SQL, window, ["date"]).set_index("date")
            for ticker in indices:
                column = dsi[ticker.lower()].astype("float64")
                if column.notna().sum() == 0:
                    raise DataSourceError(f"CRSP has no {ticker.upper()} returns from {self.start} to {self.end}.")
                frames[ticker] = pd.DataFrame({"adj_close": chain_returns(column)})
                provenance[ticker] = f"CRSP daily index {ticker.upper()} via WRDS"
        return PricePanel.from_frames({t: frames[t] for t in tickers}, provenance, chained=tickers)
