"""Live prices from Yahoo Finance through yfinance, with an atomic on-disk cache.

yfinance reports failures by printing and returning empty frames. This module asks it to
raise instead (``raise_errors=True``), classifies each failure (network, rate limit,
unknown ticker, no data in range), retries the transient ones with exponential backoff,
and never hands back an empty frame as if it were data.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from eventstudy._io import cache_root, write_text_atomic
from eventstudy.data.manifest import sha256_file
from eventstudy.data.panel import PricePanel
from eventstudy.data.sources import BundledSource, Source, normalise_price_frame, read_csv_file, ticker_to_filename
from eventstudy.errors import DataFormatError, DataSourceError, OfflineWarning, PartialDataWarning, warn

Transport = Callable[[str, dt.date, dt.date], pd.DataFrame]
"""Fetch one ticker's daily history between two dates (end inclusive)."""

_YF_COLUMNS = {
    "Adj Close": "adj_close",
    "Close": "close",
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Volume": "volume",
}


FALLBACK = "fallback: not downloadable and not cached"
"""How the provenance of a series that came from the fallback source says so."""


class NetworkUnavailableError(DataSourceError):
    """Yahoo could not be reached at all."""


class CorruptCacheError(DataSourceError):
    """A cache entry exists but cannot be trusted (unreadable, or not matching its sidecar)."""


def default_cache_dir(base: Path | None = None) -> Path:
    """Return the Yahoo cache folder: ``yahoo/`` inside ``base``, ``$EVENTSTUDY_CACHE_DIR`` or ``~/.cache/eventstudy``.

    Every command reads and writes this one place (``--cache-dir`` names ``base``).
    """
    return cache_root(base) / "yahoo"


_SYMBOL = re.compile(r"[A-Za-z0-9^][A-Za-z0-9^._=-]{0,31}")


def yfinance_transport(ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Download one ticker's daily history with yfinance, raising on failure."""
    import yfinance as yf

    logging.getLogger("yfinance").setLevel(logging.CRITICAL)  # failures are raised, not printed
    frame = yf.Ticker(ticker).history(
        start=start.isoformat(),
        end=(end + dt.timedelta(days=1)).isoformat(),  # yfinance's end is exclusive
        interval="1d",
        auto_adjust=False,
        actions=False,
        raise_errors=True,
        timeout=20,
    )
    return frame


YAHOO_HOST = "query2.finance.yahoo.com"
"""The host yfinance asks for prices."""


def yahoo_resolves() -> bool:
    """Whether Yahoo Finance's host name resolves (without a network it does not)."""
    import socket

    try:
        socket.getaddrinfo(YAHOO_HOST, 443)
    except OSError:
        return False
    return True


def classify_failure(exc: BaseException) -> str:
    """Return ``offline``, ``network``, ``rate_limit``, ``no_timezone`` or ``no_data`` for a transport exception.

    ``offline`` (the host name does not resolve) is not worth retrying; ``network`` and
    ``rate_limit`` are transient. ``no_timezone`` is yfinance's "possibly delisted; no
    timezone found", which it also says when it cannot reach Yahoo at all.
    """
    name = type(exc).__name__
    text = str(exc).lower()
    if "could not resolve host" in text or "name or service not known" in text:
        return "offline"
    if "no timezone found" in text:
        return "no_timezone"
    if "ratelimit" in name.lower() or "too many requests" in text or "rate limit" in text:
        return "rate_limit"
    if isinstance(exc, OSError | TimeoutError) or any(
        s in text for s in ("failed to perform", "connection", "timed out")
    ):
        return "network"
    return "no_data"


def normalise_yahoo_frame(frame: pd.DataFrame, ticker: str) -> pd.DataFrame:
    """Turn a yfinance history frame into a clean ``date``-indexed price frame.

    Timestamps are converted to New York time and reduced to the session date, so a
    tz-aware index from any yfinance version maps to the same dates.
    """
    if frame is None or frame.empty:
        raise DataSourceError(f"ticker={ticker!r}: Yahoo returned no rows")
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        index = index.tz_convert("America/New_York").tz_localize(None)
    table = frame.rename(columns=_YF_COLUMNS)
    keep = [c for c in ("adj_close", "close", "open", "high", "low", "volume") if c in table.columns]
    table = table[keep].copy()
    table.insert(0, "date", index.normalize().strftime("%Y-%m-%d"))
    table = table.dropna(subset=["adj_close"] if "adj_close" in keep else ["close"])
    return normalise_price_frame(table.reset_index(drop=True), f"Yahoo {ticker}")


@dataclass(frozen=True)
class FetchReport:
    """What a fetch delivered: rows per ticker and a reason per failed ticker."""

    rows: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    network_down: bool = False


class YahooCache:
    """Per-ticker CSV files with a JSON sidecar (fetch time, source, versions, checksum)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()

    def _paths(self, ticker: str) -> tuple[Path, Path]:
        # A symbol never becomes a path outside the cache folder.
        if not _SYMBOL.fullmatch(ticker) or ".." in ticker:
            raise DataSourceError(
                f"ticker={ticker!r} is not a Yahoo symbol (letters, digits and ^ . _ = -, at most 32); check it."
            )
        csv = self.folder / ticker_to_filename(ticker)
        return csv, csv.with_suffix(".json")

    def write(self, ticker: str, frame: pd.DataFrame) -> None:
        """Store ``frame`` for ``ticker``; the CSV lands before its sidecar, both atomically."""
        import yfinance

        csv, meta = self._paths(ticker)
        out = frame.copy()
        out.index = out.index.strftime("%Y-%m-%d")
        write_text_atomic(csv, out.to_csv(index_label="date", float_format="%.10g"))
        info = {
            "ticker": ticker,
            "source": "Yahoo Finance via yfinance",
            "yfinance_version": yfinance.__version__,
            "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "first_date": out.index[0],
            "last_date": out.index[-1],
            "rows": len(out),
            "sha256": sha256_file(csv),
        }
        write_text_atomic(meta, json.dumps(info, indent=2) + "\n")

    def read(self, ticker: str) -> tuple[pd.DataFrame, dict[str, object]] | None:
        """Return the cached frame and its metadata, or ``None`` if the ticker is not cached.

        Raises
        ------
        CorruptCacheError
            If the entry exists but its sidecar is not a JSON object, its CSV does not
            match the sidecar's checksum, or the CSV does not parse.
        """
        csv, meta = self._paths(ticker)
        if not (csv.is_file() and meta.is_file()):
            return None
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CorruptCacheError(f"cache entry {meta} is corrupt (not JSON: {exc})") from None
        if not isinstance(info, dict):
            raise CorruptCacheError(f"cache entry {meta} is corrupt (not a JSON object)")
        if info.get("sha256") != sha256_file(csv):
            raise CorruptCacheError(f"cache entry {csv} is corrupt (it does not match its sidecar's checksum)")
        try:
            frame = normalise_price_frame(read_csv_file(csv), str(csv))
        except DataFormatError as exc:
            raise CorruptCacheError(f"cache entry {csv} is corrupt ({exc})") from None
        return frame, info


class YahooSource:
    """Yahoo Finance prices through yfinance, cached on disk, with offline fallback.

    Parameters
    ----------
    start, end
        First and last calendar date to download (both inclusive).
    cache_dir
        The cache's base folder (files go in its ``yahoo/``); defaults to
        ``$EVENTSTUDY_CACHE_DIR`` or ``~/.cache/eventstudy``.
    offline
        Never touch the network; use the cache only.
    transport
        Function fetching one ticker (tests pass recorded responses here).
    retries, backoff
        Transient failures (network, rate limit) are retried ``retries`` times, waiting
        ``backoff * 2**k`` seconds before retry ``k``.
    max_workers
        Tickers downloaded in parallel.
    fallback
        Where a ticker comes from when neither Yahoo nor the cache has it (default: the
        bundled snapshot, with a warning naming its span); None to fail instead.
    resolves
        Whether Yahoo's host resolves, asked only when yfinance reports a missing timezone
        (as it does for a delisted ticker, and for every ticker without a network); by
        default a DNS lookup with the yfinance transport, and yes with any other.
    """

    name = "Yahoo Finance"

    def __init__(
        self,
        start: dt.date,
        end: dt.date,
        *,
        cache_dir: Path | None = None,
        offline: bool = False,
        transport: Transport | None = None,
        retries: int = 3,
        backoff: float = 1.0,
        max_workers: int = 4,
        progress: bool | None = None,
        fallback: Source | None = None,
        resolves: Callable[[], bool] | None = None,
    ) -> None:
        if end < start:
            raise DataSourceError(f"end={end} is before start={start}; swap the dates.")
        self.start, self.end = start, end
        self.cache = YahooCache(default_cache_dir(cache_dir))
        self.fallback = fallback if fallback is not None else BundledSource()
        self.offline = offline
        self.transport = transport or yfinance_transport
        self.resolves = resolves or (yahoo_resolves if transport is None else lambda: True)
        self.retries, self.backoff, self.max_workers = retries, backoff, max_workers
        self.progress = sys.stderr.isatty() and not os.environ.get("CI") if progress is None else progress
        self.sleep: Callable[[float], None] = time.sleep

    def _fetch_one(self, ticker: str) -> tuple[str, pd.DataFrame | None, str | None, str | None]:
        last_kind, last_msg = "no_data", ""
        for attempt in range(self.retries + 1):
            try:
                raw = self.transport(ticker, self.start, self.end)
                return ticker, normalise_yahoo_frame(raw, ticker), None, None
            except Exception as exc:  # noqa: BLE001 - transport errors are classified, not hidden
                last_kind, last_msg = classify_failure(exc), str(exc).splitlines()[0][:200]
                if isinstance(exc, DataSourceError) or last_kind in ("no_data", "no_timezone", "offline"):
                    break
                if attempt < self.retries:
                    self.sleep(self.backoff * 2**attempt)
        return ticker, None, last_kind, last_msg

    def fetch(self, tickers: Sequence[str]) -> FetchReport:
        """Download ``tickers`` and write each one to the cache.

        Returns
        -------
        FetchReport
            Rows written per ticker and the reason for each failure. Nothing in the
            cache is touched for a ticker that failed.
        """
        if self.offline:
            raise NetworkUnavailableError(
                f"offline mode: nothing was downloaded and the cache in {self.cache.folder} is unchanged; "
                "reports and runs will use the bundled snapshot or the cache. Drop --offline to download."
            )
        from tqdm.auto import tqdm

        rows: dict[str, int] = {}
        failed: dict[str, str] = {}
        kinds: list[str] = []
        with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
            results = pool.map(self._fetch_one, list(tickers))
            bar = tqdm(results, total=len(tickers), desc="fetch", unit="ticker", disable=not self.progress)
            for ticker, frame, kind, msg in bar:
                if frame is None:
                    failed[ticker] = f"{kind}: {msg}"
                    kinds.append(kind or "")
                    continue
                self._check_coverage(ticker, frame)
                self.cache.write(ticker, frame)
                rows[ticker] = len(frame)
        if "no_timezone" in kinds and not self.resolves():  # yfinance's "delisted" was no network
            for ticker, reason in failed.items():
                if reason.startswith("no_timezone: "):
                    failed[ticker] = f"offline: {YAHOO_HOST} does not resolve ({reason.removeprefix('no_timezone: ')})"
            kinds = ["offline" if k == "no_timezone" else k for k in kinds]
        network_down = not rows and bool(kinds) and all(k in ("network", "offline") for k in kinds)
        return FetchReport(rows=rows, failed=failed, network_down=network_down)

    def _check_coverage(self, ticker: str, frame: pd.DataFrame) -> None:
        """Warn when a download starts or ends well inside the requested dates (a partial answer)."""
        first, last = frame.index.min().date(), frame.index.max().date()
        wanted_last = min(self.end, dt.date.today() - dt.timedelta(days=1))
        slack = dt.timedelta(days=7)  # weekends and holidays at either end
        if first > self.start + slack or last < wanted_last - slack:
            warn(
                f"{ticker}: Yahoo returned prices from {first} to {last} only, of {self.start} to {self.end} "
                "requested (listed later, delisted, or a partial answer); windows outside that span will be short.",
                PartialDataWarning,
            )

    def load(self, tickers: Sequence[str]) -> PricePanel:
        """Return prices for ``tickers``: fresh from Yahoo, else from the cache with a warning.

        Raises
        ------
        DataSourceError
            If a ticker can be had neither from Yahoo nor from the cache.
        """
        missing = list(tickers)
        via: dict[str, str] = {}
        if not self.offline:
            report = self.fetch(tickers)
            for t in report.rows:
                via[t] = "Yahoo Finance, downloaded now"
            missing = [t for t in tickers if t in report.failed]
            if missing:
                # curl's pointer to its manual says nothing here; one reason shared by all is said once
                reasons = {t: report.failed[t].split(" See https://curl.se")[0] for t in missing}
                named = (
                    f"{', '.join(missing)} ({reasons[missing[0]]})"
                    if len(set(reasons.values())) == 1
                    else ", ".join(f"{t} ({reasons[t]})" for t in missing)
                )
                warn(f"could not download {named}; the on-disk cache is used where it holds them.", OfflineWarning)
        frames: dict[str, pd.DataFrame] = {}
        bundled = set(self.fallback.available()) if hasattr(self.fallback, "available") else set()
        for t in tickers:
            try:
                cached = self.cache.read(t)
            except CorruptCacheError as exc:
                warn(f"{exc}; it is skipped (run `eventstudy fetch {t}` to replace it).", OfflineWarning)
                cached = None
            if cached is None and t in bundled:
                frame = self.fallback.load([t]).frame(t).loc[str(self.start) : str(self.end)]
                span = f"{frame.index.min().date()} to {frame.index.max().date()}" if len(frame) else "no dates"
                warn(
                    f"{t}: neither Yahoo nor the cache has it; using the {self.fallback.name} ({span}).",
                    OfflineWarning,
                )
                frames[t] = frame
                via[t] = f"{self.fallback.name} ({FALLBACK})"
                continue
            if cached is None:
                raise DataSourceError(
                    f"ticker={t!r}: not downloadable now and not in the cache {self.cache.folder}; "
                    "run `eventstudy fetch` when online, or use the bundled snapshot."
                )
            frame, info = cached
            frames[t] = frame.loc[str(self.start) : str(self.end)]
            stamp = f"fetched {info.get('fetched_at')} with yfinance {info.get('yfinance_version')}"
            via[t] = f"{via[t]} ({stamp})" if t in via else f"Yahoo Finance on-disk cache ({stamp})"
        return PricePanel.from_frames(frames, via)
