"""Bad input through the CLI: split-like jumps, offline runs, fuzzed files, and a write killed half-way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.cli import main
from eventstudy.data.yahoo import YahooCache, YahooSource, default_cache_dir
from tests.conftest import bundled_csv
from tests.test_sources import Transport

EVENTS = "event_id,ticker,event_date\nn,NVDA,2025-01-27\nc,CEG,2025-01-27\n"


def _prices(tmp_path: Path, split_ticker: str | None = None) -> Path:
    """A folder of CSV prices; ``split_ticker`` gets an unadjusted 2-for-1 split on 2024-10-11."""
    folder = tmp_path / "prices"
    folder.mkdir()
    for name in ("NVDA", "CEG", "_GSPC"):
        frame = pd.read_csv(bundled_csv(f"{name}.csv"))[["date", "adj_close"]]
        if name == split_ticker:
            frame.loc[frame["date"] >= "2024-10-11", "adj_close"] /= 2.0
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def _run(tmp_path: Path, prices: Path, *extra: str) -> tuple[int, str, Path]:
    events = tmp_path / "events.csv"
    events.write_text(EVENTS)
    out = tmp_path / "out"
    code = main(
        ["run", "--events", str(events), "--prices", str(prices), "--market", "^GSPC", "--out", str(out), *extra]
    )
    return code, "", out


def test_split_jump_leaves_the_firm_out_with_its_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, out = _run(tmp_path, _prices(tmp_path, "NVDA"))
    err = capsys.readouterr().err
    assert code == 0
    assert "factor of 1/2 on 2024-10-11" in err and "looks like a stock split" in err
    params = pd.read_csv(out / "params.csv").set_index("event_id")
    assert params.loc["n", "status"].startswith("excluded: NVDA's price moves by a factor of 1/2")
    assert params.loc["c", "status"] == "ok"


def test_split_jump_is_an_error_with_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, out = _run(tmp_path, _prices(tmp_path, "NVDA"), "--strict")
    err = capsys.readouterr().err
    assert code == 2 and "--allow-jumps" in err and "Traceback" not in err
    assert not out.exists()


def test_allow_jumps_keeps_the_firm(tmp_path: Path) -> None:
    code, _, out = _run(tmp_path, _prices(tmp_path, "NVDA"), "--allow-jumps")
    assert code == 0
    assert (pd.read_csv(out / "params.csv")["status"] == "ok").all()


def test_every_firm_left_out_for_a_split_is_told_how_to_keep_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nvidia alone, its split missing from the file: the advice names the option that keeps it."""
    folder = tmp_path / "prices"
    folder.mkdir()
    for name in ("NVDA", "_GSPC"):
        frame = pd.read_csv(bundled_csv(f"{name}.csv"))[["date", "adj_close"]]
        if name == "NVDA":
            frame.loc[frame["date"] >= "2024-10-11", "adj_close"] /= 2.0
        frame.to_csv(folder / f"{name}.csv", index=False)
    events = tmp_path / "events.csv"
    events.write_text("event_id,ticker,event_date\nn,NVDA,2025-01-27\n")
    args = ["run", "--events", str(events), "--prices", str(folder), "--market", "^GSPC"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "factor of 1/2 on 2024-10-11" in err
    assert "adjust the prices for the split, or pass --allow-jumps" in err and "check the tickers" not in err
    assert main([*args, "--allow-jumps"]) == 0


def test_no_false_split_alarm_on_the_bundled_snapshot() -> None:
    """Real moves such as Vistra's -28% are not split factors; no bundled member is flagged."""
    from eventstudy.data.returns import split_jumps
    from eventstudy.data.universe import member_prices

    prices = member_prices()
    ratios = (prices / prices.shift(1)).to_numpy()
    assert not split_jumps(ratios).any()


def _fill_cache() -> None:
    src = YahooSource(
        pd.Timestamp("2024-01-02").date(), pd.Timestamp("2025-02-28").date(), transport=Transport(), backoff=0.0
    )
    src.fetch(["NVDA", "^GSPC"])


def test_offline_run_uses_the_cache_and_records_the_vintage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill_cache()
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nn,NVDA,2025-01-27\n")
    out = tmp_path / "o"
    args = ["run", "--events", str(events), "--market", "^GSPC", "--source", "yahoo", "--offline"]
    code = main([*args, "--min-estimation-obs", "100", "--out", str(out)])
    assert code == 0
    assert "data: Yahoo Finance" in capsys.readouterr().out
    series = json.loads((out / "summary.json").read_text())["data"]["series"]
    assert "on-disk cache (fetched" in series["NVDA"] and "yfinance" in series["^GSPC"]


def test_offline_run_without_cache_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nn,ZZZZ,2025-01-27\n")
    code = main(["run", "--events", str(events), "--market", "^GSPC", "--source", "yahoo", "--offline"])
    err = capsys.readouterr().err
    assert code == 2 and "not in the cache" in err and "eventstudy fetch" in err
    assert len(err.strip().splitlines()) == 1


def test_offline_run_falls_back_to_the_bundled_snapshot_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nn,NVDA,2025-01-27\n")
    code = main(
        [
            "run",
            "--events",
            str(events),
            "--market",
            "^GSPC",
            "--source",
            "yahoo",
            "--offline",
            "--cache-dir",
            str(tmp_path / "c"),
            "--out",
            str(tmp_path / "o"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "NVDA: neither Yahoo nor the cache has it; using the bundled snapshot (" in err
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert "fallback" in summary["data"]["series"]["NVDA"]


def test_fetch_offline_refuses_and_leaves_cache(capsys: pytest.CaptureFixture[str]) -> None:
    _fill_cache()
    folder = default_cache_dir()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code = main(["fetch", "NVDA", "--start", "2025-01-01", "--end", "2025-01-31", "--offline"])
    err = capsys.readouterr().err
    assert code == 2 and "nothing was downloaded" in err and "bundled snapshot or the cache" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


# --------------------------------------------------------------------------- fuzzing
# EVENTSTUDY_FUZZ_EXAMPLES=2000 for a long local run; CI keeps it short.
FUZZ = settings(
    max_examples=int(os.environ.get("EVENTSTUDY_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
cells = st.one_of(
    st.sampled_from(["NVDA", "^GSPC", "2025-01-27", "2025-13-40", "", "nan", "-1", "0", "1e400", "abc", "2024-02-30"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
rows = st.lists(st.lists(cells, min_size=1, max_size=4), max_size=6)
headers = st.sampled_from(
    ["event_id,ticker,event_date", "date,adj_close", "date,close", "date,NVDA", "x;y", "", "date"]
)


def _csv(header: str, body: list[list[str]]) -> str:
    return header + "\n" + "\n".join(",".join(r) for r in body) + "\n"


@FUZZ
@given(header=headers, body=rows, prices_header=headers, price_rows=rows)
def test_fuzzed_csv_files_never_traceback_nor_leave_output(
    tmp_path_factory: pytest.TempPathFactory,
    header: str,
    body: list[list[str]],
    prices_header: str,
    price_rows: list[list[str]],
) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    events, prices, out = tmp / "events.csv", tmp / "prices.csv", tmp / "out"
    events.write_text(_csv(header, body))
    prices.write_text(_csv(prices_header, price_rows))
    code = main(["run", "--events", str(events), "--prices", str(prices), "--market", "NVDA", "--out", str(out)])
    assert code in (0, 2)
    if code:
        assert not out.exists()


toml_values = st.one_of(
    st.integers(-400, 400).map(str),
    st.sampled_from(['"-250:-11"', '"1:-1"', '"market"', '"capm"', "2025-01-27", '["NVDA"]', '["ZZZ"]', "[]", '"x"']),
)
keys = st.sampled_from(
    ["name", "tickers", "event_date", "market", "estimation", "model", "returns", "bogus", "convention"]
)
sections = st.sampled_from(["study", "model", "data", "report", "nonsense"])


@FUZZ
@given(parts=st.lists(st.tuples(sections, keys, toml_values), max_size=8), garbage=st.booleans())
def test_fuzzed_study_files_never_traceback(
    tmp_path_factory: pytest.TempPathFactory, parts: list[tuple[str, str, str]], garbage: bool
) -> None:
    tmp = tmp_path_factory.mktemp("toml")
    by_section: dict[str, list[str]] = {}
    for sec, key, value in parts:
        by_section.setdefault(sec, []).append(f"{key} = {value}")
    text = "\n".join(f"[{s}]\n" + "\n".join(dict.fromkeys(lines)) for s, lines in by_section.items())
    if garbage:
        text += "\n= = [\n"
    study = tmp / "study.toml"
    study.write_text(text)
    assert main(["verify", str(study)]) in (0, 1, 2)


def test_fuzzed_runs_print_one_line_and_no_traceback_in_a_real_process(tmp_path: Path) -> None:
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nx,NVDA,2025-01-27\nx,NVDA,2025-01-28\n")
    proc = subprocess.run(
        [sys.executable, "-m", "eventstudy", "run", "--events", str(events), "--market", "^GSPC"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- crash safety
_SLOW_WRITER = textwrap.dedent(
    """
    import os, sys, time
    import pandas as pd
    from eventstudy import _io
    from eventstudy.data.yahoo import YahooCache

    real_fdopen = os.fdopen

    class Slow:
        # Writes half, signals, then hangs: the parent kills the process here.
        def __init__(self, fh):
            self.fh = fh
        def __enter__(self):
            return self
        def __exit__(self, *a):
            return self.fh.__exit__(*a)
        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            print("HALF", flush=True)
            time.sleep(60)
        def flush(self):
            self.fh.flush()
        def fileno(self):
            return self.fh.fileno()

    _io.os.fdopen = lambda fd, mode: Slow(real_fdopen(fd, mode))
    frame = pd.read_csv(sys.argv[2], index_col="date", parse_dates=["date"])
    frame["adj_close"] = frame["adj_close"] * 1.5
    YahooCache(sys.argv[1]).write("NVDA", frame)
    """
)


def test_killing_a_cache_write_half_way_leaves_the_cache_intact(tmp_path: Path) -> None:
    cache = YahooCache(tmp_path / "cache")
    frame = pd.read_csv(bundled_csv("NVDA.csv"), index_col="date", parse_dates=["date"])[["adj_close", "close"]]
    cache.write("NVDA", frame)
    before = {p.name: p.read_bytes() for p in cache.folder.iterdir()}
    script = tmp_path / "writer.py"
    script.write_text(_SLOW_WRITER)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(cache.folder), str(bundled_csv("NVDA.csv"))],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while proc.stdout.readline().strip() != "HALF":
        assert time.monotonic() < deadline and proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    after = {p.name: p.read_bytes() for p in cache.folder.iterdir() if not p.name.startswith(".")}
    assert after == before  # the half-written data never replaced the cached file
    read = cache.read("NVDA")
    assert read is not None
    np.testing.assert_allclose(read[0]["adj_close"].to_numpy(), frame["adj_close"].to_numpy(), rtol=1e-9)


def test_an_event_window_off_the_data_leaves_that_event_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nn,NVDA,2025-01-27\nlate,NVDA,2025-06-27\n")
    out = tmp_path / "o"
    assert main(["run", "--events", str(events), "--market", "^GSPC", "--window", "0:5", "--out", str(out)]) == 0
    assert "(NVDA): the event window [0,+5] runs outside the price data" in capsys.readouterr().err
    params = pd.read_csv(out / "params.csv").set_index("event_id")
    assert params.loc["late", "status"].startswith("excluded: the event window")
    assert params.loc["n", "status"] == "ok"
    agg = pd.read_csv(out / "aggregate.csv")
    assert (agg["n"] == 1).all()  # the late event is in no many-firm test
    assert main(["run", "--events", str(events), "--market", "^GSPC", "--window", "0:5", "--strict"]) == 2
    assert "leaves the event window [0,+5] outside the price data" in capsys.readouterr().err


def test_an_event_before_a_firm_s_first_trading_day_is_left_out_with_the_firm_s_own_span(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GE Vernova began trading on 2024-03-27: counted on its own trading days, 2024-03-04 has no event window.

    The message names the firm's own data, not the study's, and no "shortened" warning precedes it;
    nor does its window, being nowhere in the data, lie in the estimation window of the firm's later event.
    """
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nearly,GEV,2024-03-04\nlater,GEV,2024-09-20\n")
    out = tmp_path / "o"
    args = ["run", "--events", str(events), "--market", "^GSPC", "--window", "-2:5", "--out", str(out)]
    args += ["--estimation", "-130:-11"]
    assert main([*args, "--convention", "eventstudytools"]) == 0
    err = capsys.readouterr().err
    assert (
        "'early' (GEV): the event window [-2,+5] runs outside the price data (GEV's returns run from 2024-03-28" in err
    )
    assert "'early' (GEV): estimation window shortened" not in err
    params = pd.read_csv(out / "params.csv").set_index("event_id")
    assert params.loc["early", "status"].startswith("excluded: the event window [-2,+5] runs outside")
    assert params.loc["later", "status"] == "ok: short estimation window (111 of 120)"


def test_an_event_before_a_firm_s_first_return_says_so_under_exchange_sessions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On exchange sessions the window exists but holds no GE Vernova return: the message says when they begin."""
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nearly,GEV,2024-03-04\nlater,GEV,2024-10-14\n")
    out = tmp_path / "o"
    assert main(["run", "--events", str(events), "--market", "^GSPC", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "'early' (GEV): 0 estimation returns of 240 (GEV's returns run from 2024-03-28 to" in err
    assert "after the event); it is left out of the study." in err
    params = pd.read_csv(out / "params.csv").set_index("event_id")
    assert "(GEV's returns run from 2024-03-28" in params.loc["early", "status"]


def test_a_market_whose_returns_begin_after_the_event_is_named_as_the_cause(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bundled Nasdaq Composite holds 2025 only: a 2024 event against it has no estimation returns.

    The firm's data is complete, so the reason names the market's span; a model without a market
    does not need it and fits the same event.
    """
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nq2,NVDA,2024-06-03\n")
    args = ["run", "--events", str(events), "--market", "^IXIC"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "q2: excluded: 0 estimation returns of 240, minimum 120 (^IXIC's returns run from 2025-01-03 to" in err
    assert "NVDA's returns run" not in err
    assert main([*args, "--model", "constant_mean", "--out", str(tmp_path / "o")]) == 0
    params = pd.read_csv(tmp_path / "o" / "params.csv").set_index("event_id")
    assert params.loc["q2", "status"] == "ok"


def test_an_event_built_by_hand_reads_its_date_once_or_names_it() -> None:
    import datetime as dt

    from eventstudy.config import Event
    from eventstudy.errors import EventDateError

    assert Event("a", "NVDA", "2025-01-27", "^GSPC").event_date == dt.date(2025, 1, 27)  # type: ignore[arg-type]
    assert Event("a", "NVDA", pd.Timestamp("2025-01-27 09:30"), "^GSPC").event_date == dt.date(2025, 1, 27)  # type: ignore[arg-type]
    with pytest.raises(EventDateError, match=r"event_date.*05/08/2024"):
        Event("a", "NVDA", "05/08/2024", "^GSPC")  # type: ignore[arg-type]


def test_a_report_whose_download_fell_back_says_so_in_its_closing_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "s.toml"
    study.write_text('[study]\nname = "y"\nevent_date = 2025-01-27\ntickers = ["NVDA"]\n[data]\nsource = "yahoo"\n')
    empty = tmp_path / "cache"
    assert main(["report", str(study), "--out", str(tmp_path / "r"), "--offline", "--cache-dir", str(empty)]) == 0
    captured = capsys.readouterr()
    assert "data: Yahoo Finance (NVDA, ^GSPC from the bundled snapshot instead)" in captured.out
    assert "neither Yahoo nor the cache has it; using the bundled snapshot" in captured.err
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nn,NVDA,2025-01-27\n")
    args = ["run", "--events", str(events), "--market", "^GSPC", "--source", "yahoo", "--offline"]
    assert main([*args, "--cache-dir", str(empty), "--out", str(tmp_path / "o")]) == 0
    assert "data: Yahoo Finance (NVDA, ^GSPC from the bundled snapshot instead)" in capsys.readouterr().out
