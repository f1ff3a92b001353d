"""Price sources: bundled snapshot with manifest, CSV folder and wide CSV, Yahoo with a stubbed transport."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.data import manifest
from eventstudy.data.sources import BundledSource, CsvSource
from eventstudy.data.yahoo import CorruptCacheError, YahooCache, YahooSource
from eventstudy.errors import (
    BadPriceError,
    DataFormatError,
    DataSourceError,
    DuplicateDateError,
    ManifestMismatchError,
    UnknownTickerError,
)

from .conftest import ROOT, bundled_csv

FIXTURES = ROOT / "tests" / "fixtures" / "yahoo"


def test_bundled_unknown_ticker_lists_available() -> None:
    with pytest.raises(UnknownTickerError, match=r"ticker='NOPE'.*available"):
        BundledSource().load(["NOPE"])


def test_a_firm_that_left_the_index_is_said_to_be_missing_for_that_reason() -> None:
    """Zions (ZION) left the S&P 500 before the bundled list of 2024-12-27 was drawn."""
    with pytest.raises(UnknownTickerError, match=r"S&P 500 members of 2024-12-27.*a firm no longer in the index"):
        BundledSource().load(["ZION"])


def test_bundled_wide_table_serves_other_sp500_members() -> None:
    panel = BundledSource().load(["MMM"])
    assert panel.adj_close["MMM"].notna().sum() > 800


def test_manifest_mismatch_is_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", copy)
    path = copy / "prices" / "NVDA.csv"
    path.write_text(path.read_text()[:-200])  # truncated
    monkeypatch.setattr(manifest, "data_root", lambda: copy)
    with pytest.raises(ManifestMismatchError, match=r"NVDA\.csv.*changed or truncated"):
        manifest.verified(path)


def test_bundled_files_match_manifest() -> None:
    root = manifest.data_root()
    for rel in manifest.read_manifest(root):
        manifest.verified(root / rel)


def test_csv_folder_and_wide_csv_agree_with_bundled(tmp_path: Path) -> None:
    folder = tmp_path / "prices"
    folder.mkdir()
    for name in ("NVDA.csv", "_GSPC.csv"):
        shutil.copy(bundled_csv(name), folder / name)
    nvda = pd.read_csv(bundled_csv("NVDA.csv"))
    gspc = pd.read_csv(bundled_csv("_GSPC.csv"))
    wide = tmp_path / "wide.csv"
    pd.DataFrame({"date": nvda["date"], "NVDA": nvda["adj_close"], "^GSPC": gspc["adj_close"]}).to_csv(
        wide, index=False
    )
    ref = es.event_study(["NVDA"], "2025-01-27")
    for src in (CsvSource(folder), CsvSource(wide)):
        res = es.event_study(["NVDA"], "2025-01-27", source=src)
        np.testing.assert_allclose(res.ar.to_numpy(), ref.ar.to_numpy(), rtol=0, atol=1e-15)


def test_a_semicolon_file_with_comma_decimals_reads_as_its_comma_twin(tmp_path: Path) -> None:
    """As a spreadsheet in a German or French locale saves a CSV: ';' between cells, ',' in numbers."""
    nvda = pd.read_csv(bundled_csv("NVDA.csv"))
    gspc = pd.read_csv(bundled_csv("_GSPC.csv"))
    table = pd.DataFrame({"date": nvda["date"], "NVDA": nvda["adj_close"], "^GSPC": gspc["adj_close"]})
    table.to_csv(tmp_path / "plain.csv", index=False)
    table.to_csv(tmp_path / "comma.csv", index=False, sep=";", decimal=",")
    assert "4.796,56" not in (tmp_path / "comma.csv").read_text() and ";4796,56" in (tmp_path / "comma.csv").read_text()
    one = es.event_study(["NVDA"], "2025-01-27", source=CsvSource(tmp_path / "plain.csv"))
    other = es.event_study(["NVDA"], "2025-01-27", source=CsvSource(tmp_path / "comma.csv"))
    np.testing.assert_array_equal(other.ar.to_numpy(), one.ar.to_numpy())


def test_one_ticker_s_file_is_that_ticker_named_by_its_file(tmp_path: Path) -> None:
    # A folder's per-ticker files passed one by one, and a Yahoo download's column names.
    shutil.copy(bundled_csv("NVDA.csv"), tmp_path / "NVDA.csv")
    shutil.copy(bundled_csv("_GSPC.csv"), tmp_path / "_GSPC.csv")
    yahoo = pd.read_csv(bundled_csv("NVDA.csv")).rename(
        columns={"date": "Date", "open": "Open", "high": "High", "low": "Low", "close": "Close"}
    )
    yahoo = yahoo.rename(columns={"adj_close": "Adj Close", "volume": "Volume"}).assign(Dividends=0.0)
    yahoo.to_csv(tmp_path / "NVDA_yahoo.csv", index=False)
    assert CsvSource(tmp_path / "_GSPC.csv").available() == ["^GSPC"]
    ref = es.event_study(["NVDA"], "2025-01-27")
    files = [str(tmp_path / "NVDA.csv"), str(tmp_path / "_GSPC.csv")]
    res = es.event_study(["NVDA"], "2025-01-27", prices=files)
    np.testing.assert_allclose(res.ar.to_numpy(), ref.ar.to_numpy(), rtol=0, atol=1e-15)
    assert (ref.config.source, res.config.source) == ("bundled", "csv")  # the record names where prices came from
    panel = CsvSource(tmp_path / "NVDA_yahoo.csv").load(["NVDA_yahoo"])
    np.testing.assert_array_equal(panel.adj_close["NVDA_yahoo"].to_numpy(), yahoo["Adj Close"].to_numpy())
    with pytest.raises(UnknownTickerError, match=r"ticker='AAPL' is not in .*NVDA.csv \(one ticker's prices, NVDA"):
        CsvSource(tmp_path / "NVDA.csv").load(["AAPL"])


def test_a_yfinance_download_csv_is_read_by_ticker(tmp_path: Path) -> None:
    # yfinance.download(...).to_csv() writes three header rows: Price (fields), Ticker, Date.
    nvda = pd.read_csv(bundled_csv("NVDA.csv"), index_col="date")
    gspc = pd.read_csv(bundled_csv("_GSPC.csv"), index_col="date")
    fields = {"Close": "adj_close", "High": "high", "Low": "low", "Open": "open", "Volume": "volume"}
    table = pd.concat(
        {(f, t): frame[c] for f, c in fields.items() for t, frame in (("NVDA", nvda), ("^GSPC", gspc))}, axis=1
    )
    table.columns.names = ["Price", "Ticker"]
    table.index.name = "Date"
    path = tmp_path / "download.csv"
    table.to_csv(path)
    assert path.read_text().splitlines()[1].startswith("Ticker,NVDA,^GSPC")
    source = CsvSource(path)
    assert source.available() == ["NVDA", "^GSPC"]
    ref = es.event_study(["NVDA"], "2025-01-27")
    res = es.event_study(["NVDA"], "2025-01-27", source=source)
    np.testing.assert_allclose(res.ar.to_numpy(), ref.ar.to_numpy(), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(source.load(["NVDA"]).volume_frame["NVDA"].to_numpy(), nvda["volume"].to_numpy())
    with pytest.raises(UnknownTickerError, match=r"ticker='AAPL' is not in .*download.csv; available: NVDA, \^GSPC"):
        source.load(["AAPL"])
    # the frame itself, as a notebook holds it, with the fields first or (group_by="ticker") the tickers first
    for frame in (table, table.swaplevel(axis=1)):
        res = es.event_study(["NVDA"], "2025-01-27", source=frame)
        np.testing.assert_allclose(res.ar.to_numpy(), ref.ar.to_numpy(), rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("content", "needle", "error"),
    [
        ("date,adj_close\n2025-01-02,1\n2025-01-02,2\n", "duplicate date", DuplicateDateError),
        ("date,adj_close\n2025-01-02,\n2025-01-03,\n", "has no prices", DataFormatError),
        ("date,adj_close\n2025-01-02,1\n2025-01-03,-2\n", "non-positive", BadPriceError),
        ("date,adj_close\n2025-01-02,1\n2025-01-03,0\n", "non-positive", BadPriceError),
        ("date,adj_close\n2025-01-02,1\n2025-01-03,abc\n", "non-numeric", BadPriceError),
        ("day,adj_close\n2025-01-02,1\n", "no 'date' column", DataFormatError),
        ("date,price\n2025-01-02,1\n", "neither 'adj_close' nor 'close'", DataFormatError),
        ("date,adj_close\n02/01/2025,1\n", "is ambiguous", DataFormatError),
    ],
)
def test_bad_csv_content(tmp_path: Path, content: str, needle: str, error: type[Exception]) -> None:
    (tmp_path / "X.csv").write_text(content)
    with pytest.raises(error, match=needle):
        CsvSource(tmp_path).load(["X"])


@pytest.mark.parametrize("header", ["Date,Adjusted Close", "Date,Adj. Close", "date,Adj Close", "DATE,adjclose"])
def test_spreadsheet_names_of_the_adjusted_close_are_read_as_it(tmp_path: Path, header: str) -> None:
    (tmp_path / "X.csv").write_text(f"{header}\n2025-01-02,10\n2025-01-03,11\n")
    panel = CsvSource(tmp_path).load(["X"])
    assert panel.adj_close["X"].tolist() == [10.0, 11.0]


def test_unsorted_dates_are_sorted(tmp_path: Path) -> None:
    (tmp_path / "X.csv").write_text("date,adj_close\n2025-01-03,2\n2025-01-02,1\n")
    panel = CsvSource(tmp_path).load(["X"])
    assert panel.adj_close.index.is_monotonic_increasing


# --------------------------------------------------------------------------- Yahoo
def recorded(ticker: str) -> pd.DataFrame:
    """A recorded yfinance ``Ticker.history(auto_adjust=False)`` response (tz-aware index)."""
    frame = pd.read_csv(FIXTURES / f"{ticker.replace('^', '_')}_history.csv")
    frame.index = pd.DatetimeIndex(pd.to_datetime(frame.pop("Date"), utc=True)).tz_convert("America/New_York")
    return frame


class Transport:
    """Replays recorded responses; scripted failures come first."""

    def __init__(self, failures: dict[str, list[BaseException]] | None = None) -> None:
        self.failures = failures or {}
        self.calls: list[str] = []

    def __call__(self, ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        self.calls.append(ticker)
        queue = self.failures.get(ticker, [])
        if queue:
            raise queue.pop(0)
        path = FIXTURES / f"{ticker.replace('^', '_')}_history.csv"
        if not path.exists():
            return pd.DataFrame()  # what yfinance gives for an unknown symbol
        return recorded(ticker)


START, END = dt.date(2024, 1, 2), dt.date(2025, 2, 28)


def _source(tmp_path: Path, transport: Transport, **kw) -> YahooSource:  # type: ignore[no-untyped-def]
    src = YahooSource(START, END, cache_dir=tmp_path / "base", transport=transport, backoff=0.0, **kw)
    src.sleep = lambda _s: None
    return src


def test_fetch_normalises_dates_and_caches(tmp_path: Path) -> None:
    src = _source(tmp_path, Transport())
    report = src.fetch(["NVDA", "^GSPC"])
    assert set(report.rows) == {"NVDA", "^GSPC"} and not report.failed
    frame, info = YahooCache(tmp_path / "base" / "yahoo").read("NVDA")  # type: ignore[misc]
    assert frame.index[0] == pd.Timestamp("2024-01-02")
    assert frame.loc["2025-01-27", "close"] == pytest.approx(118.42)
    assert frame.loc["2024-01-02", "volume"] == 411254000  # volume is kept: abnormal volume works from Yahoo too
    assert info["source"] == "Yahoo Finance via yfinance" and "yfinance_version" in info


def test_yahoo_results_match_bundled(tmp_path: Path) -> None:
    src = _source(tmp_path, Transport())
    res = es.event_study(["NVDA"], "2025-01-27", source=src, min_estimation_obs=100)
    assert round(100 * float(res.ret.loc[0].iloc[0]), 2) == -16.97


def test_unknown_ticker_is_an_error_not_an_empty_frame(tmp_path: Path) -> None:
    src = _source(tmp_path, Transport())
    report = src.fetch(["NVDA", "ZZZZ"])
    assert "ZZZZ" in report.failed and "NVDA" in report.rows
    with pytest.warns(UserWarning, match="ZZZZ"), pytest.raises(DataSourceError, match="ticker='ZZZZ'"):
        src.load(["NVDA", "ZZZZ"])


def test_rate_limit_is_retried(tmp_path: Path) -> None:
    class YFRateLimitError(Exception):
        pass

    transport = Transport({"NVDA": [YFRateLimitError("Too Many Requests"), YFRateLimitError("Too Many Requests")]})
    report = _source(tmp_path, transport, retries=3).fetch(["NVDA"])
    assert report.rows == {"NVDA": len(recorded("NVDA"))}
    assert transport.calls == ["NVDA"] * 3


def test_network_down_leaves_cache_untouched_and_falls_back(tmp_path: Path) -> None:
    _source(tmp_path, Transport()).fetch(["NVDA", "^GSPC"])
    before = {p.name: p.read_bytes() for p in (tmp_path / "base" / "yahoo").iterdir()}
    curl = (
        "Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com. See "
        "https://curl.se/libcurl/c/libcurl-errors.html first for more details."
    )
    down = Transport({t: [ConnectionError(curl)] * 9 for t in ("NVDA", "^GSPC")})
    src = _source(tmp_path, down, retries=2)
    report = src.fetch(["NVDA", "^GSPC"])
    assert report.network_down and not report.rows
    assert {p.name: p.read_bytes() for p in (tmp_path / "base" / "yahoo").iterdir()} == before
    with pytest.warns(UserWarning) as seen:
        panel = src.load(["NVDA", "^GSPC"])
    # one reason shared by both tickers is said once, without curl's pointer to its manual
    assert [str(w.message) for w in seen] == [
        "could not download NVDA, ^GSPC (offline: Failed to perform, curl: (6) Could not resolve host: "
        "query2.finance.yahoo.com.); the on-disk cache is used where it holds them."
    ]
    assert "cache" in panel.provenance["NVDA"]


def test_offline_uses_cache_only(tmp_path: Path) -> None:
    _source(tmp_path, Transport()).fetch(["NVDA"])
    never = Transport({"NVDA": [AssertionError("network used")]})
    panel = _source(tmp_path, never, offline=True).load(["NVDA"])
    assert never.calls == [] and panel.adj_close["NVDA"].notna().all()


def test_torn_cache_write_is_not_trusted(tmp_path: Path) -> None:
    src = _source(tmp_path, Transport())
    src.fetch(["NVDA"])
    csv = tmp_path / "base" / "yahoo" / "NVDA.csv"
    csv.write_text(csv.read_text()[:100])  # a CSV that no longer matches its sidecar
    with pytest.raises(CorruptCacheError, match=r"corrupt.*checksum"):
        YahooCache(tmp_path / "base" / "yahoo").read("NVDA")


def test_cli_fetch_without_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventstudy.cli import main
    from eventstudy.data import yahoo

    def offline(ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        raise ConnectionError("Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com")

    monkeypatch.setattr(yahoo, "yfinance_transport", offline)
    cache = tmp_path / "c"
    code = main(["fetch", "NVDA", "--start", "2025-01-01", "--end", "2025-01-31", "--cache-dir", str(cache)])
    err = capsys.readouterr().err
    assert code == 1
    assert "unreachable" in err and "Traceback" not in err
    assert not cache.exists() or not any(cache.iterdir())


def test_partial_answer_is_cached_with_a_warning(tmp_path: Path) -> None:
    class Truncated(Transport):
        def __call__(self, ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
            return recorded(ticker).iloc[-40:]

    src = _source(tmp_path, Truncated())
    with pytest.warns(UserWarning, match=r"NVDA: Yahoo returned prices from 2024-12-31 to 2025-02-28 only"):
        report = src.fetch(["NVDA"])
    assert report.rows == {"NVDA": 40}


def test_rows_without_prices_are_dropped_not_zero_filled(tmp_path: Path) -> None:
    class Holes(Transport):
        def __call__(self, ticker: str, start: dt.date, end: dt.date) -> pd.DataFrame:
            frame = recorded(ticker).copy()
            frame.iloc[100:103, :] = np.nan  # yfinance leaves NaN rows for halted days
            return frame

    src = _source(tmp_path, Holes())
    src.fetch(["NVDA"])
    frame, _ = YahooCache(tmp_path / "base" / "yahoo").read("NVDA")  # type: ignore[misc]
    assert len(frame) == len(recorded("NVDA")) - 3 and frame["adj_close"].notna().all()


def test_a_folder_read_as_one_table_equals_the_per_file_reader(tmp_path: Path) -> None:
    from eventstudy.data.sources import CsvSource

    folder = tmp_path / "prices"
    folder.mkdir()
    for name in ("NVDA.csv", "CEG.csv", "_GSPC.csv"):
        (folder / name).write_bytes(bundled_csv(name).read_bytes())
    tickers = ["NVDA", "CEG", "^GSPC"]
    fast = CsvSource(folder).load(tickers)  # ISO dates, one header: read as one table
    slow = CsvSource(folder, date_format="%Y-%m-%d").load(tickers)  # a stated layout: file by file
    for field in ("adj_close", "close", "open", "high", "low"):
        pd.testing.assert_frame_equal(getattr(fast, field), getattr(slow, field), check_freq=False)
    pd.testing.assert_frame_equal(fast.volume_frame, slow.volume_frame, check_freq=False)


def _long_prices(tickers: dict[str, str]) -> pd.DataFrame:
    frames = []
    for ticker, name in tickers.items():
        frame = pd.read_csv(bundled_csv(name))
        frame.insert(0, "ticker", ticker)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def test_parquet_files_read_as_their_csv_twins(tmp_path: Path) -> None:
    """Long and wide Parquet (dates stored as timestamps or as a date index) give the CSV's panel exactly."""
    pytest.importorskip("pyarrow")
    long = _long_prices({"NVDA": "NVDA.csv", "CEG": "CEG.csv", "^GSPC": "_GSPC.csv"})
    long.to_csv(tmp_path / "long.csv", index=False)
    stamped = long.assign(date=pd.to_datetime(long["date"]))
    stamped.to_parquet(tmp_path / "long.parquet", index=False)
    wide = stamped.pivot(index="date", columns="ticker", values="adj_close").rename_axis(columns=None)
    wide.to_parquet(tmp_path / "wide.pq")  # the dates are the index here
    tickers = ["NVDA", "CEG", "^GSPC"]
    csv = CsvSource(tmp_path / "long.csv").load(tickers)
    from_long = CsvSource(tmp_path / "long.parquet").load(tickers)
    for field in ("adj_close", "close", "open", "high", "low"):
        pd.testing.assert_frame_equal(getattr(from_long, field), getattr(csv, field), check_freq=False)
    from_wide = CsvSource(tmp_path / "wide.pq").load(tickers)
    pd.testing.assert_frame_equal(from_wide.adj_close, csv.adj_close, check_freq=False)
    assert sorted(CsvSource(tmp_path / "wide.pq").available()) == sorted(tickers)


def test_a_study_runs_from_parquet_through_the_command_line(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from eventstudy.cli import main

    long = _long_prices({"NVDA": "NVDA.csv", "^GSPC": "_GSPC.csv"})
    long.to_csv(tmp_path / "prices.csv", index=False)
    long.to_parquet(tmp_path / "prices.parquet", index=False)
    events = tmp_path / "events.csv"
    events.write_text("event_id,ticker,event_date,market\nNVDA,NVDA,2025-01-27,^GSPC\n")
    for kind in ("csv", "parquet"):
        prices, out = tmp_path / f"prices.{kind}", tmp_path / f"from_{kind}"
        assert main(["run", "--events", str(events), "--prices", str(prices), "--out", str(out)]) == 0
    for table in ("ar.csv", "params.csv", "tests.csv", "aggregate.csv"):
        assert (tmp_path / "from_csv" / table).read_bytes() == (tmp_path / "from_parquet" / table).read_bytes(), table


def test_an_unreadable_parquet_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyarrow")
    from eventstudy.errors import DataFormatError

    bad = tmp_path / "prices.parquet"
    bad.write_text("date,adj_close\n2025-01-02,1\n")  # a CSV with the wrong ending
    with pytest.raises(DataFormatError, match="not a readable Parquet file"):
        CsvSource(bad).load(["NVDA"])
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a))
    with pytest.raises(DataFormatError, match=r"needs pyarrow.*eventstudy\[parquet\]"):
        CsvSource(bad).load(["NVDA"])


def test_several_sources_are_each_read_once_and_give_each_ticker_from_the_first_holder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventstudy.data.sources import MultiSource

    firms, market = tmp_path / "firms", tmp_path / "market"
    firms.mkdir()
    market.mkdir()
    for name in ("NVDA.csv", "CEG.csv", "VST.csv"):
        (firms / name).write_bytes(bundled_csv(name).read_bytes())
    for name in ("_GSPC.csv", "CEG.csv"):  # CEG here too: the first source holding it wins
        (market / name).write_bytes(bundled_csv(name).read_bytes())
    (market / "CEG.csv").write_text(bundled_csv("NVDA.csv").read_text())
    calls: list[list[str]] = []
    original = CsvSource.load

    def spy(self: CsvSource, tickers: list[str], between: object = None) -> object:
        calls.append(list(tickers))
        return original(self, tickers, between)  # type: ignore[arg-type]

    monkeypatch.setattr(CsvSource, "load", spy)
    tickers = ["NVDA", "^GSPC", "CEG", "VST"]
    panel = MultiSource([CsvSource(firms), CsvSource(market)]).load(tickers)
    assert sorted(map(sorted, calls)) == [["CEG", "NVDA", "VST"], ["^GSPC"]]
    assert panel.tickers == tickers
    monkeypatch.setattr(CsvSource, "load", original)
    for ticker, folder in (("NVDA", firms), ("CEG", firms), ("VST", firms), ("^GSPC", market)):
        alone = CsvSource(folder).load([ticker])
        pd.testing.assert_series_equal(
            panel.adj_close[ticker].dropna(), alone.adj_close[ticker].dropna(), check_freq=False
        )
    with pytest.raises(UnknownTickerError, match="XYZ"):
        MultiSource([CsvSource(firms), CsvSource(market)]).load(["NVDA", "XYZ"])


def test_yfinance_s_missing_timezone_is_called_offline_only_when_yahoo_does_not_resolve(tmp_path: Path) -> None:
    """yfinance says "possibly delisted; no timezone found" for a delisted ticker and for every ticker offline."""

    def no_timezone() -> Transport:
        return Transport({t: [Exception(f"${t}: possibly delisted; no timezone found")] for t in ("NVDA", "^GSPC")})

    down = _source(tmp_path, no_timezone(), resolves=lambda: False).fetch(["NVDA", "^GSPC"])
    assert down.network_down and not down.rows
    assert down.failed["NVDA"] == (
        "offline: query2.finance.yahoo.com does not resolve ($NVDA: possibly delisted; no timezone found)"
    )
    online = _source(tmp_path, no_timezone(), resolves=lambda: True).fetch(["NVDA", "^GSPC"])
    assert not online.network_down and online.failed["NVDA"].startswith("no_timezone: ")
