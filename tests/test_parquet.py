"""Parquet inputs: a folder of per-ticker files and datasets (a ticker column or partition) read as their CSV twins."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.data.sources import CsvSource
from eventstudy.errors import BadPriceError, DataFormatError, UnknownTickerError

from .conftest import bundled_csv

pytest.importorskip("pyarrow")

FILES = {"NVDA": "NVDA.csv", "CEG": "CEG.csv", "^GSPC": "_GSPC.csv"}
FIELDS = ("adj_close", "close", "open", "high", "low", "volume")


def _csv_folder(folder: Path) -> Path:
    folder.mkdir()
    for name in FILES.values():
        (folder / name).write_bytes(bundled_csv(name).read_bytes())
    return folder


def _long() -> pd.DataFrame:
    frames = []
    for ticker, name in FILES.items():
        frame = pd.read_csv(bundled_csv(name))
        frame.insert(0, "ticker", ticker)
        frames.append(frame)
    long = pd.concat(frames, ignore_index=True)
    return long.assign(date=pd.to_datetime(long["date"]))


def _same(a: object, b: object, *, exact: bool = False) -> None:
    for field in FIELDS:
        got, want = getattr(a, field), getattr(b, field)
        if field == "volume":
            got, want = a.volume_frame, b.volume_frame  # type: ignore[attr-defined]
        pd.testing.assert_frame_equal(got, want, check_freq=False, check_exact=exact)


def test_a_folder_of_per_ticker_parquet_files_reads_as_the_csv_folder(tmp_path: Path) -> None:
    csv = CsvSource(_csv_folder(tmp_path / "csv")).load(list(FILES))
    folder = tmp_path / "pq"
    folder.mkdir()
    for ticker, rows in _long().groupby("ticker"):
        name = str(ticker).replace("^", "_") + ".parquet"
        rows.drop(columns="ticker").to_parquet(folder / name, index=False)
    source = CsvSource(folder)
    assert sorted(source.available()) == sorted(FILES)
    _same(source.load(list(FILES)), csv)
    assert source.load(["NVDA"]).provenance["NVDA"] == f"user Parquet {folder}"


@pytest.mark.parametrize("layout", ["partitioned", "files_with_ticker_column"])
def test_a_parquet_dataset_reads_as_the_csv_folder(tmp_path: Path, layout: str) -> None:
    csv = CsvSource(_csv_folder(tmp_path / "csv")).load(list(FILES))
    dataset = tmp_path / "dataset"
    if layout == "partitioned":
        _long().to_parquet(dataset, partition_cols=["ticker"], index=False)
        assert (dataset / "ticker=NVDA").is_dir()
    else:
        dataset.mkdir()
        long = _long()
        long.iloc[: len(long) // 2].to_parquet(dataset / "part-0.parquet", index=False)
        long.iloc[len(long) // 2 :].to_parquet(dataset / "part-1.parquet", index=False)
    source = CsvSource(dataset)
    assert source.available() == sorted(FILES)
    _same(source.load(list(FILES)), csv)


def test_only_the_partitions_asked_for_are_read(tmp_path: Path) -> None:
    dataset = tmp_path / "dataset"
    _long().to_parquet(dataset, partition_cols=["ticker"], index=False)
    (part,) = (dataset / "ticker=CEG").iterdir()
    part.write_bytes(b"not parquet at all")  # a broken partition the study does not need
    panel = CsvSource(dataset).load(["NVDA", "^GSPC"])
    assert panel.tickers == ["NVDA", "^GSPC"]
    with pytest.raises(DataFormatError, match="not a readable Parquet file"):
        CsvSource(dataset).load(["CEG"])


def test_a_numeric_partition_key_is_matched_as_text(tmp_path: Path) -> None:
    long = _long()
    long["ticker"] = long["ticker"].map({"NVDA": 86580, "CEG": 10001, "^GSPC": 1})  # PERMNO-like keys
    long.to_parquet(tmp_path / "dataset", partition_cols=["ticker"], index=False)
    panel = CsvSource(tmp_path / "dataset").load(["86580", "1"])
    want = pd.read_csv(bundled_csv("NVDA.csv"))["adj_close"].to_numpy()
    assert panel.adj_close["86580"].dropna().to_numpy() == pytest.approx(want, rel=0, abs=0)


def test_a_bad_value_in_a_dataset_is_named_like_a_csv_one(tmp_path: Path) -> None:
    long = _long()
    row = long.index[(long["ticker"] == "NVDA") & (long["date"] == "2024-03-01")][0]
    long.loc[row, "adj_close"] = -3.5
    long.to_parquet(tmp_path / "dataset", partition_cols=["ticker"], index=False)
    with pytest.raises(BadPriceError, match=r"dataset \(NVDA\).*non-positive price -3.5 on 2024-03-01"):
        CsvSource(tmp_path / "dataset").load(["NVDA", "^GSPC"])


def test_a_duplicate_day_in_a_dataset_is_named(tmp_path: Path) -> None:
    long = _long()
    long = pd.concat([long, long[(long["ticker"] == "CEG") & (long["date"] == "2024-05-01")]], ignore_index=True)
    long.to_parquet(tmp_path / "dataset", partition_cols=["ticker"], index=False)
    with pytest.raises(DataFormatError, match=r"\(CEG\).*duplicate date 2024-05-01"):
        CsvSource(tmp_path / "dataset").load(["CEG"])


def test_an_unknown_ticker_lists_what_the_dataset_holds(tmp_path: Path) -> None:
    _long().to_parquet(tmp_path / "dataset", partition_cols=["ticker"], index=False)
    with pytest.raises(UnknownTickerError, match=r"ticker='AAPL'.*CEG.*NVDA"):
        CsvSource(tmp_path / "dataset").load(["NVDA", "AAPL"])


def test_a_study_runs_from_a_partitioned_dataset_exactly_as_from_csv(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("event_id,ticker,event_date,market\nNVDA,NVDA,2025-01-27,^GSPC\nCEG,CEG,2025-01-27,^GSPC\n")
    _long().to_parquet(tmp_path / "dataset", partition_cols=["ticker"], index=False)
    for prices, out in ((_csv_folder(tmp_path / "csv"), "from_csv"), (tmp_path / "dataset", "from_parquet")):
        assert main(["run", "--events", str(events), "--prices", str(prices), "--out", str(tmp_path / out)]) == 0
    for table in ("ar.csv", "params.csv", "tests.csv", "aggregate.csv"):
        assert (tmp_path / "from_csv" / table).read_bytes() == (tmp_path / "from_parquet" / table).read_bytes(), table


def test_returns_from_a_crsp_style_parquet_file_give_the_csv_results(tmp_path: Path) -> None:
    """Chen and Siems' index returns as a long Parquet table (PERMNO, date as timestamps, RET) run as the CSV."""
    data = Path(__file__).parent / "reference" / "chen_siems_2001_terror"
    wide = pd.read_csv(data / "index_returns_percent.csv")
    long = wide.melt(id_vars="date", var_name="PERMNO", value_name="RET").dropna(subset=["RET"])
    long.assign(date=pd.to_datetime(long["date"])).to_parquet(tmp_path / "returns.parquet", index=False)
    events = tmp_path / "events.csv"
    events.write_text("event_id,ticker,event_date,market\nLondon,London,2001-09-11,S.P500\nDow,Dow,2001-09-11,S.P500\n")
    for name, data_file in (("csv", data / "index_returns_percent.csv"), ("parquet", tmp_path / "returns.parquet")):
        argv = ["run", "--events", str(events), "--returns-data", str(data_file), "--returns-unit", "percent"]
        argv += ["--calendar", "rows", "--model", "constant_mean", "--estimation", "-30:-11", "--window", "0:10"]
        assert main([*argv, "--out", str(tmp_path / name)]) == 0
    for table in ("ar.csv", "params.csv", "tests.csv", "aggregate.csv"):
        assert (tmp_path / "csv" / table).read_bytes() == (tmp_path / "parquet" / table).read_bytes(), table


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_the_one_pass_check_of_a_long_file_gives_the_per_series_panel(tmp_path: Path, suffix: str) -> None:
    """A long file checked at once equals the same file checked series by series (forced by --date-format)."""
    long = _long()
    path = tmp_path / f"long.{suffix}"
    if suffix == "csv":
        long.assign(date=long["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    else:
        long.to_parquet(path, index=False)
    at_once = CsvSource(path).load(list(FILES))
    one_by_one = CsvSource(path, date_format="%Y-%m-%d").load(list(FILES))
    _same(at_once, one_by_one)


def test_a_folder_read_at_once_gives_the_per_file_panel_to_the_last_bit(tmp_path: Path) -> None:
    """The folder's files parsed together equal each file parsed alone (forced by --date-format), bit for bit."""
    folder = _csv_folder(tmp_path / "csv")
    at_once = CsvSource(folder).load(list(FILES))
    one_by_one = CsvSource(folder, date_format="%Y-%m-%d").load(list(FILES))
    _same(at_once, one_by_one, exact=True)


@pytest.mark.parametrize(
    "damage",
    ["bom", "crlf", "blank_line", "no_final_newline", "extra_newlines", "reordered_columns", "nothing"],
)
def test_each_file_keeps_its_own_rows_when_the_folder_is_read_at_once(tmp_path: Path, damage: str) -> None:
    """Rows are assigned to files by line count: every layout that shifts a count still gives the per-file panel."""
    folder = _csv_folder(tmp_path / "csv")
    path = folder / FILES["CEG"]
    text = path.read_text()
    if damage == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    elif damage == "crlf":
        path.write_bytes(text.replace("\n", "\r\n").encode())
    elif damage == "blank_line":
        lines = text.splitlines()
        path.write_text("\n".join([*lines[:40], "", *lines[40:]]) + "\n")
    elif damage == "no_final_newline":
        path.write_text(text.rstrip("\n"))
    elif damage == "extra_newlines":
        path.write_text(text + "\n\n")
    elif damage == "reordered_columns":
        frame = pd.read_csv(path)
        frame[list(reversed(frame.columns))].to_csv(path, index=False)
    at_once = CsvSource(folder).load(list(FILES))
    one_by_one = CsvSource(folder, date_format="%Y-%m-%d").load(list(FILES))
    _same(at_once, one_by_one, exact=True)


def test_only_the_tickers_a_study_needs_are_checked_in_a_long_file(tmp_path: Path) -> None:
    long = _long()
    long.loc[long.index[long["ticker"] == "CEG"][5], "adj_close"] = -1.0  # bad, but not asked for
    long.to_parquet(tmp_path / "long.parquet", index=False)
    long.to_csv(tmp_path / "long.csv", index=False)
    for name in ("long.parquet", "long.csv"):
        assert CsvSource(tmp_path / name).load(["NVDA", "^GSPC"]).tickers == ["NVDA", "^GSPC"]
        with pytest.raises(BadPriceError, match=r"\(CEG\).*non-positive price -1.0"):
            CsvSource(tmp_path / name).load(["CEG"])


@pytest.fixture
def parquet_reads(monkeypatch: pytest.MonkeyPatch) -> list[pd.DataFrame]:
    """Every frame the Parquet reader hands back during the test, in order."""
    from eventstudy.data import parquet

    read: list[pd.DataFrame] = []
    original = parquet.ParquetData.read

    def spy(self: parquet.ParquetData, tickers: list[str], between: object = None) -> pd.DataFrame:
        read.append(original(self, tickers, between))  # type: ignore[arg-type]
        return read[-1]

    monkeypatch.setattr(parquet.ParquetData, "read", spy)
    return read


@pytest.mark.parametrize("stored", ["timestamp", "timestamp_tz", "date32", "text"])
def test_a_large_batch_reads_only_the_dates_its_windows_reach(
    tmp_path: Path, parquet_reads: list[pd.DataFrame], stored: str
) -> None:
    """paths="windows" reads the span the windows need from a long Parquet file, with the full read's results."""
    from eventstudy import EventStudy, StudyConfig, Window
    from eventstudy.config import Event

    long = _long()
    if stored == "timestamp_tz":
        long = long.assign(date=long["date"].dt.tz_localize("America/New_York"))
    elif stored == "date32":
        long = long.assign(date=long["date"].dt.date)
    elif stored == "text":
        long = long.assign(date=long["date"].dt.strftime("%Y-%m-%d"))
    path = tmp_path / "long.parquet"
    long.to_parquet(path, index=False)
    day = dt.date(2025, 1, 27)
    events = tuple(Event(t, t, day, "^GSPC") for t in ("NVDA", "CEG"))
    config = StudyConfig(name="span", events=events, estimation=Window(-120, -11), event_window=Window(-1, 3))
    windows = EventStudy(config, CsvSource(path), paths="windows").fit()
    first_read = pd.to_datetime(parquet_reads[-1]["date"].astype(str).str[:10])
    full = EventStudy(config, CsvSource(path), paths="full").fit()
    if stored == "text":  # dates stored as text are read whole
        assert len(parquet_reads[-1]) == len(long[long["ticker"].isin(["NVDA", "CEG", "^GSPC"])])
    else:
        # 120 sessions before 27 January 2025 is mid-July 2024; ten sessions and a day of margin
        assert pd.Timestamp("2024-06-25") <= first_read.min() <= pd.Timestamp("2024-07-25")
        assert first_read.max() <= pd.Timestamp("2025-02-28")
    pd.testing.assert_frame_equal(windows.aggregate_table(), full.aggregate_table())
    pd.testing.assert_frame_equal(windows.params, full.params)
    # a window reaching beyond the part read is computed from the source again
    pd.testing.assert_series_equal(windows.car("0:25"), full.car("0:25"))
    if stored != "text":
        assert pd.to_datetime(parquet_reads[-1]["date"].astype(str).str[:10]).max() >= pd.Timestamp("2025-03-04")


def test_a_long_parquet_returns_file_is_read_for_the_study_s_series_and_dates(
    tmp_path: Path, parquet_reads: list[pd.DataFrame]
) -> None:
    """CRSP-style returns (numeric PERMNO, RET) from Parquet: only the series and dates asked for, the CSV's results."""
    from eventstudy import EventStudy, StudyConfig, Window
    from eventstudy.config import Event
    from eventstudy.data.sources import ReturnsSource

    long = _long()
    long = long.assign(RET=long.groupby("ticker")["adj_close"].pct_change()).dropna(subset=["RET"])
    ids = {"NVDA": 10001, "CEG": 10002, "^GSPC": 10003}
    crsp = pd.DataFrame({"PERMNO": long["ticker"].map(ids), "date": long["date"], "RET": long["RET"]})
    crsp.to_parquet(tmp_path / "dsf.parquet", index=False)
    crsp.assign(date=crsp["date"].dt.strftime("%Y-%m-%d")).to_csv(tmp_path / "dsf.csv", index=False)
    events = (Event("a", "10001", dt.date(2025, 1, 27), "10003"),)
    config = StudyConfig(name="crsp", events=events, estimation=Window(-120, -11), event_window=Window(-1, 3))
    from_parquet = EventStudy(config, ReturnsSource(tmp_path / "dsf.parquet"), paths="windows").fit()
    assert set(parquet_reads[-1]["ticker"]) == {"10001", "10003"}  # CEG is never read
    assert parquet_reads[-1]["date"].min() >= pd.Timestamp("2024-06-25")
    from_csv = EventStudy(config, ReturnsSource(tmp_path / "dsf.csv"), paths="windows").fit()
    pd.testing.assert_frame_equal(from_parquet.aggregate_table(), from_csv.aggregate_table())
    pd.testing.assert_frame_equal(from_parquet.params, from_csv.params)
    with pytest.raises(UnknownTickerError, match="10009"):
        ReturnsSource(tmp_path / "dsf.parquet").load(["10009"])


@pytest.mark.parametrize("layout", ["folder", "long_csv"])
def test_a_large_batch_keeps_only_the_dates_its_windows_reach_from_csv(tmp_path: Path, layout: str) -> None:
    """A folder of CSVs or a long CSV is read whole, but only the span the windows reach is checked and kept."""
    from eventstudy import EventStudy, StudyConfig, Window
    from eventstudy.config import Event

    if layout == "folder":
        path = _csv_folder(tmp_path / "csv")
    else:
        path = tmp_path / "long.csv"
        long = _long()
        long.assign(date=long["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    events = tuple(Event(t, t, dt.date(2025, 1, 27), "^GSPC") for t in ("NVDA", "CEG"))
    config = StudyConfig(name="span", events=events, estimation=Window(-120, -11), event_window=Window(-1, 3))
    windows = EventStudy(config, CsvSource(path), paths="windows").fit()
    full = EventStudy(config, CsvSource(path), paths="full").fit()
    kept = windows.prices.adj_close.index
    assert pd.Timestamp("2024-06-25") <= kept.min() <= pd.Timestamp("2024-07-25") and kept.max() <= pd.Timestamp(
        "2025-02-28"
    )
    assert full.prices.adj_close.index.min() == pd.Timestamp("2022-01-03")  # the whole file otherwise
    pd.testing.assert_frame_equal(windows.aggregate_table(), full.aggregate_table())
    pd.testing.assert_frame_equal(windows.params, full.params)
    pd.testing.assert_series_equal(windows.car("0:25"), full.car("0:25"))
