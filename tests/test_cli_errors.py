"""Bad input at the CLI: one clear line on stderr, a non-zero exit, no traceback, nothing written."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from eventstudy.cli import main

from .conftest import bundled_csv

PRICES = str(bundled_csv(""))


def _events(tmp: Path, body: str) -> str:
    path = tmp / "events.csv"
    path.write_text(body)
    return str(path)


def _check_failure(capsys: pytest.CaptureFixture[str], argv: list[str], out: Path, needle: str) -> None:
    out.mkdir(exist_ok=True)
    (out / ".eventstudy").write_text("an earlier output of eventstudy\n")
    sentinel = out / "ar.csv"
    sentinel.write_text("earlier output\n")
    code = main([*argv, "--out", str(out)])
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("eventstudy: error:")]
    assert code == 2
    assert len(errors) == 1 and len(err.strip().splitlines()) == 1, err  # one line, no warnings before it
    assert needle in errors[0]
    assert "Traceback" not in err
    assert sentinel.read_text() == "earlier output\n"
    assert sorted(p.name for p in out.iterdir()) == [".eventstudy", "ar.csv"]


CASES = {
    "unknown ticker": ("event_id,ticker,event_date\nx,NOPE,2025-01-27\n", [], "ticker='NOPE'"),
    "date outside data": ("event_id,ticker,event_date\nx,NVDA,2001-01-26\n", [], "outside the price data"),
    "date in the future": ("event_id,ticker,event_date\nx,NVDA,2099-01-27\n", [], "is in the future"),
    "window past the data": ("event_id,ticker,event_date\nx,NVDA,2025-06-27\n", ["--window", "0:5"], "runs outside"),
    "not a date": ("event_id,ticker,event_date\nx,NVDA,27/13/2025\n", [], "is not a full date"),
    "missing column": ("id,ticker,date\nx,NVDA,2025-01-27\n", [], "missing column"),
    "no rows": ("event_id,ticker,event_date\n", [], "no events"),
    "reversed window": ("event_id,ticker,event_date\nx,NVDA,2025-01-27\n", ["--window", "1:-1"], "reversed"),
    "overlapping windows": (
        "event_id,ticker,event_date\nx,NVDA,2025-01-27\n",
        ["--estimation", "-250:0"],
        "overlaps or follows the event window -1:1; end the estimation window before the event window starts "
        "(e.g. -252:-2)",  # as long as the one given, ending the session before the event window
    ),
    "unknown model": ("event_id,ticker,event_date\nx,NVDA,2025-01-27\n", ["--model", "capm"], "--model='capm'"),
    "unknown overlap rule": (
        "event_id,ticker,event_date\nx,NVDA,2025-01-27\n",
        ["--estimation-overlap", "drop"],
        "--estimation-overlap='drop' is not valid; choose one of: keep, skip.",
    ),
    "unknown convention": (
        "event_id,ticker,event_date\nx,NVDA,2025-01-27\n",
        ["--convention", "foo"],
        "--convention='foo'",
    ),
    "empty events file": ("", [], "no header"),
    "too many fields": (
        "event_id,ticker,event_date\nx,NVDA,2025-01-27,^GSPC\n",
        [],
        "line 2: 4 fields under a header of 3",
    ),
    "quote left open": ('event_id,ticker,event_date\n"x,NVDA,2025-01-27\n', [], "not a readable CSV"),
    "short row": ("event_id,ticker,event_date\nx,NVDA,2025-01-27\ny\n", [], "line 3: empty ticker"),
    "repeated column": (
        "event_id,ticker,event_date,ticker\nx,NVDA,2025-01-27,AVGO\n",
        [],
        "ticker appear more than once",
    ),
    "too little history": ("event_id,ticker,event_date\nx,NVDA,2022-02-01\n", [], "every firm-event was left out"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_run_input(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body, extra, needle = CASES[case]
    argv = ["run", "--prices", PRICES, "--events", _events(tmp_path, body), "--market", "^GSPC", *extra]
    _check_failure(capsys, argv, tmp_path / "out", needle)


def test_unreadable_prices_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prices = tmp_path / "prices"
    prices.mkdir()
    (prices / "NVDA.csv").write_bytes(b"\xff\xfe\x00garbage\x00\x01")
    (prices / "_GSPC.csv").write_text(bundled_csv("_GSPC.csv").read_text())
    argv = [
        "run",
        "--prices",
        str(prices),
        "--events",
        _events(tmp_path, "event_id,ticker,event_date\nx,NVDA,2025-01-27\n"),
        "--market",
        "^GSPC",
    ]
    _check_failure(capsys, argv, tmp_path / "out", "NVDA.csv")


def test_an_excel_workbook_or_text_in_another_encoding_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Spreadsheet users hand over .xlsx files and CSVs in their locale's encoding; each is told how to save CSV."""
    import pandas as pd

    workbook = tmp_path / "events.xlsx"
    pd.DataFrame({"event_id": ["x"], "ticker": ["NVDA"], "event_date": ["2025-01-27"]}).to_excel(workbook, index=False)
    needle = "events.xlsx: an Excel workbook, not a CSV; save the sheet from Excel as 'CSV UTF-8'."
    _check_failure(capsys, ["run", "--events", str(workbook)], tmp_path / "o", needle)
    latin = tmp_path / "events.csv"
    latin.write_bytes("event_id,ticker,event_date\ncafé,NVDA,2025-01-27\n".encode("cp1252"))
    needle = "events.csv: not UTF-8 text (it holds byte 0xe9), as Excel writes CSV in some locales"
    _check_failure(capsys, ["run", "--events", str(latin)], tmp_path / "o", needle)
    prices = tmp_path / "prices.xlsx"
    pd.read_csv(bundled_csv("NVDA.csv")).to_excel(prices, index=False)
    events = _events(tmp_path, "event_id,ticker,event_date\nx,NVDA,2025-01-27\n")
    _check_failure(
        capsys, ["run", "--events", events, "--prices", str(prices)], tmp_path / "o", "an Excel workbook, not a CSV"
    )


def test_missing_prices_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "run",
        "--prices",
        str(tmp_path / "nowhere"),
        "--events",
        _events(tmp_path, "event_id,ticker,event_date\nx,NVDA,2025-01-27\n"),
        "--market",
        "^GSPC",
    ]
    _check_failure(capsys, argv, tmp_path / "out", "does not exist")


def test_bad_study_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[study\nname = 1")
    assert main(["report", str(bad), "--out", str(tmp_path / "r")]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(("window", "fits"), [("-10:-1", "-10:0"), ("1:5", "0:5")])
def test_a_report_needs_an_event_window_that_holds_the_event_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], window: str, fits: str
) -> None:
    """A run-up or drift window alone: the report (built on day 0) says what to write; run takes the study as it is."""
    study = tmp_path / "runup.toml"
    study.write_text(
        '[study]\nname = "u"\nmarket = "^GSPC"\ntickers = ["NVDA"]\nevent_date = 2024-05-23\n'
        f'[model]\nevent_window = "{window}"\n'
    )
    assert main(["report", str(study), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"event_window='{window}': the report describes the event day (day 0)" in err
    assert f'use event_window = "{fits}" and keep these days as a CAR window (car_windows = ["{window}"])' in err
    assert not (tmp_path / "r").exists()
    assert main(["run", "--config", str(study), "--out", str(tmp_path / "run")]) == 0
    # the advice, taken, gives a report whose tests include the window asked for
    study.write_text(study.read_text().replace(f'"{window}"', f'"{fits}"\ncar_windows = ["{window}"]'))
    assert main(["report", str(study), "--out", str(tmp_path / "r")]) == 0
    lo, hi = (int(x) for x in window.split(":"))
    assert f"CAR[{lo:+d},{hi:+d}]" in (tmp_path / "r" / "report.md").read_text()


def test_a_volume_study_is_not_given_a_report_written_for_returns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "volume.toml"
    study.write_text(
        '[study]\nname = "v"\nmarket = "^GSPC"\n'
        '[[study.events]]\nticker = "NVDA"\nevent_date = 2024-05-23\n'
        '[[study.events]]\nticker = "NVDA"\nevent_date = 2024-08-29\n'
        '[model]\nname = "constant_mean"\nmeasure = "volume"\nestimation = "-100:-6"\n'
    )
    assert main(["report", str(study), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "measure='volume': the report is written for abnormal returns" in err
    assert not (tmp_path / "r").exists()
    # the same study runs, and its warnings speak of volume
    assert main(["run", "--config", str(study), "--out", str(tmp_path / "run")]) == 0
    assert "so those abnormal log volumes enter its fitted model" in capsys.readouterr().err
    assert (tmp_path / "run" / "aggregate.csv").exists()


def test_unknown_config_key_lists_valid_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[study]\nname = "x"\ntickers = ["NVDA"]\nevent_date = 2025-01-27\n[model]\nwindow = "-1:1"\n')
    assert main(["report", str(bad), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'window' in [model]" in err and "event_window" in err


def _refused_study(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, body: str) -> str:
    """Run ``command`` (``report`` or ``run --config``) on a study file of ``body`` under [study]; its stderr."""
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[study]\nname = "x"\n{body}')
    assert main([*command.split(), str(bad), "--out", str(tmp_path / "r")]) == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        ('[model]\nestimaton = "-200:-11"\n', "unknown key 'estimaton' in [model] (did you mean 'estimation'?)"),
        ('[modle]\nestimation = "-200:-11"\n', "unknown section [modle] (did you mean 'model'?)"),
        ('[model]\ncalendar = "XLON"\n', "unknown key 'calendar' in [model] (calendar belongs in [data])"),
    ],
)
def test_a_misspelt_or_misplaced_study_file_key_is_given_its_likely_meaning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, said: str
) -> None:
    err = _refused_study(tmp_path, capsys, "report", f'tickers = ["NVDA"]\nevent_date = 2025-01-27\n{toml}')
    assert err.count("\n") == 1 and said in err


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ('markt = "^NDX"', "unknown key 'markt' in an event (did you mean 'market'?)"),
        ('claims = "c.csv"', "unknown key 'claims' in an event (claims belongs in [report])"),
    ],
)
def test_a_misspelt_key_in_an_event_table_is_refused_not_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, said: str
) -> None:
    """A dropped 'markt' would measure the firm against the default market without a word."""
    err = _refused_study(
        tmp_path, capsys, "run --config", f'[[study.events]]\nticker = "NVDA"\nevent_date = 2025-01-27\n{key}\n'
    )
    assert err.count("\n") == 1 and said in err and "an event's keys are event_id, ticker, event_date, market" in err


def test_an_events_file_in_other_words_is_told_what_to_rename(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _events(tmp_path, "id,symbol,date\na,NVDA,2025-01-27\n")
    needle = (
        "missing column(s) event_id, ticker, event_date (rename id to event_id, symbol to ticker, date to event_date)"
    )
    _check_failure(capsys, ["run", "--events", events], tmp_path / "o", needle)


def test_events_too_early_for_their_estimation_window_are_told_what_would_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _events(tmp_path, "event_id,ticker,event_date\na,NVDA,2022-02-10\n")  # the bundled prices begin 2022-01-03
    needle = (
        "(a: excluded: 16 estimation returns of 240, minimum 120); give prices that begin earlier, a shorter "
        "estimation window than [-250,-11], or a lower min_estimation_obs than 120 (--min-estimation-obs)."
    )
    _check_failure(capsys, ["run", "--events", events], tmp_path / "o", needle)


def test_a_misspelt_events_column_is_said_not_to_be_read(tmp_path: Path) -> None:
    from eventstudy.config import read_events
    from eventstudy.errors import UnreadColumnWarning

    events = Path(_events(tmp_path, "event_id,ticker,event_date,markt,note,market_cap\na,NVDA,2025-01-27,^NDX,x,1\n"))
    with pytest.warns(UnreadColumnWarning, match=r"column 'markt' is not read \(did you mean 'market'\?\)") as seen:
        assert read_events(events)[0].market == "^GSPC"
    assert not any("'note'" in str(w.message) or "market_cap" in str(w.message) for w in seen)  # columns of their own


def test_a_market_no_event_uses_is_said_to_be_unused(tmp_path: Path) -> None:
    import warnings

    from eventstudy.config import StudyConfig, read_events
    from eventstudy.errors import UnusedOptionWarning
    from eventstudy.partitioned import read_event_table

    named = Path(_events(tmp_path, "event_id,ticker,event_date,market\na,NVDA,2025-01-27,^NDX\n"))
    unused = r"market '\^FOO' is not used: every event in .* names its own market"
    with pytest.warns(UnusedOptionWarning, match=unused):
        assert read_events(named, market="^FOO")[0].market == "^NDX"
    with pytest.warns(UnusedOptionWarning, match=unused):
        assert read_event_table(named, market="^FOO")["market"].tolist() == ["^NDX"]
    study = tmp_path / "s.toml"
    study.write_text(f'[study]\nname = "s"\nevents_file = "{named.name}"\nmarket = "^FOO"\n')
    with pytest.warns(UnusedOptionWarning, match=unused):
        StudyConfig.from_toml(study)
    # a market that stands for some event, or none given at all, is used as asked: no warning
    some = tmp_path / "some.csv"
    some.write_text("event_id,ticker,event_date,market\na,NVDA,2025-01-27,^NDX\nb,MU,2025-01-27,\n")
    study.write_text(f'[study]\nname = "s"\nevents_file = "{named.name}"\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnusedOptionWarning)
        assert [e.market for e in read_events(some, market="^FOO")] == ["^NDX", "^FOO"]
        assert read_events(named)[0].market == "^NDX"
        StudyConfig.from_toml(study)


def test_real_process_prints_no_traceback(tmp_path: Path) -> None:
    events = _events(tmp_path, "event_id,ticker,event_date\nx,NOPE,2025-01-27\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "eventstudy",
            "run",
            "--events",
            events,
            "--market",
            "^GSPC",
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_help_answers_questions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for word in ("--prices", "--events", "--estimation", "-250:-11", "--model", "--convention"):
        assert word in text


def test_help_and_the_package_import_load_no_numerical_library() -> None:
    """`eventstudy --help` and `import eventstudy` leave pandas, numpy and scipy for the first real use."""
    code = (
        "import sys, contextlib, io, eventstudy, eventstudy.cli\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    eventstudy.cli.main(['run', '--help'])\n"
        "print(sorted(m for m in ('numpy', 'pandas', 'scipy', 'matplotlib', 'pyarrow') if m in sys.modules))\n"
        "eventstudy.event_study\n"
        "print('pandas' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split("\n")[:2] == ["[]", "True"], proc.stdout


@pytest.mark.parametrize("inside", [False, True])
def test_out_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], inside: bool) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("keep me\n")
    out = blocker / "sub" if inside else blocker
    events = _events(tmp_path, "event_id,ticker,event_date\nx,NVDA,2025-01-27\n")
    for argv in (["run", "--events", events, "--market", "^GSPC", "--out", str(out)], ["report", "--out", str(out)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "is a file, not a folder" in err and len(err.strip().splitlines()) == 1
    assert blocker.read_text() == "keep me\n"


def test_options_that_do_not_apply_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = _events(tmp_path, "event_id,ticker,event_date\nx,NVDA,2025-01-27\n")
    assert main(["run", "--events", events, "--market", "^GSPC", "--factors", events]) == 2
    assert "apply only to model='custom'" in capsys.readouterr().err


def test_events_files_read_alike_whatever_their_layout(tmp_path: Path) -> None:
    """A byte-order mark, CRLF line ends, blank lines, padded cells, quotes and a short market cell read as the plain file."""
    from eventstudy.config import read_events

    plain = _events(
        tmp_path, 'event_id,ticker,event_date,market\na,NVDA,2025-01-27,^GSPC\n"b,c",CEG,2025-01-28,^IXIC\n'
    )
    messy = tmp_path / "messy.csv"
    messy.write_bytes(
        b"\xef\xbb\xbf Event_ID , Ticker,event_date,market\r\n\r\n a ,NVDA , 2025-01-27,\r\n"
        b'"b,c",CEG,2025-01-28,"^IXIC"\r\n\r\n'
    )
    assert read_events(messy, market="^GSPC") == read_events(plain)
    assert [e.event_id for e in read_events(plain)] == ["a", "b,c"]
    # a spreadsheet in a comma-decimal locale writes ';' (or a tab) between cells
    for sep in (";", "\t"):
        other = tmp_path / "other.csv"
        other.write_text(sep.join(["event_id", "ticker", "event_date", "market"]) + "\n")
        with other.open("a") as fh:
            fh.write(
                sep.join(["a", "NVDA", "2025-01-27", "^GSPC"]) + "\n" + sep.join(["b,c", "CEG", "2025-01-28", "^IXIC"])
            )
        assert read_events(other) == read_events(plain)


def test_a_ticker_not_in_the_data_is_given_its_near_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for ticker, near in (("nvda", "'NVDA'"), ("NVDIA", "'NVDA' or")):
        events = _events(tmp_path, f"event_id,ticker,event_date\na,{ticker},2025-01-27\n")
        _check_failure(capsys, ["run", "--events", events, "--market", "^GSPC"], tmp_path / "o", f"Did you mean {near}")
    # an index without Yahoo's caret, or by the name other platforms give it
    events = _events(tmp_path, "event_id,ticker,event_date\na,NVDA,2025-01-27\n")
    for market, near in (("gspc", "'^GSPC'?"), ("SPX", "'^GSPC'?"), ("NDX", "'^NDX'?")):
        _check_failure(capsys, ["run", "--events", events, "--market", market], tmp_path / "o", f"Did you mean {near}")


def test_verify_without_a_claims_file_says_how_to_give_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study = tmp_path / "s.toml"
    study.write_text('[study]\nname = "s"\nevent_date = 2025-01-27\ntickers = ["NVDA"]\n')
    assert main(["verify", str(study)]) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1 and "names no claims file" in err and "--claims PATH" in err and "claims-template" in err
    )


@contextlib.contextmanager
def _piped(text: str) -> Iterator[str]:
    """Yield the path of a pipe that holds ``text`` (as the shell's ``<(...)`` gives one)."""
    read, write = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write, text.encode()), os.close(write)))
    writer.start()
    try:
        yield f"/dev/fd/{read}"
    finally:
        writer.join()
        os.close(read)


@pytest.mark.parametrize("request_file", [False, True])
def test_events_from_a_pipe_are_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], request_file: bool
) -> None:
    """`--events <(...)` is a pipe: it can be read once only, so it is (a request file keeps its windows)."""
    text = (
        "1;NVDA;^GSPC;27.01.2025;;-1;1;-11;120\n" if request_file else "event_id,ticker,event_date\n1,NVDA,2025-01-27\n"
    )
    with _piped(text) as events:
        code = main(["run", "--events", events, "--market", "^GSPC", "--out", str(tmp_path / "o")])
    assert code == 0, capsys.readouterr().err
    config = json.loads((tmp_path / "o" / "summary.json").read_text())["config"]
    assert [e["ticker"] for e in config["events"]] == ["NVDA"]
    assert config["estimation"] == ("-130:-11" if request_file else "-250:-11")


def test_xsection_out_never_replaces_its_own_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--out given the characteristics file (or the study file) is refused before any work; both stay as they were."""
    chars = tmp_path / "chars.csv"
    chars.write_text("ticker,chip\nNVDA,1\nCEG,0\nVST,0\nGOOGL,0\nGEV,0\n")
    study = tmp_path / "s.toml"
    study.write_text('[study]\nname = "s"\nevent_date = 2025-01-27\ntickers = ["NVDA", "CEG", "VST", "GOOGL", "GEV"]\n')
    before = {p: p.read_bytes() for p in (chars, study)}
    for target in (chars, study):
        args = ["xsection", "--study", str(study), "--characteristics", str(chars), "--formula", "car ~ chip"]
        assert main([*args, "--out", str(target)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is an input of this run" in err
    assert {p: p.read_bytes() for p in (chars, study)} == before
    assert main([*args, "--out", str(tmp_path / "table.csv")]) == 0
    assert (tmp_path / "table.csv").read_text().startswith("term,params,bse")


@pytest.mark.parametrize(
    ("report", "said"),
    [
        ('context_tickers = ["^FOO"]', "[report] context_tickers names '^FOO'"),
        ('exposures = { chips = "SMHX" }', "[report] exposures names 'SMHX'"),
    ],
)
def test_an_unknown_ticker_in_a_report_option_names_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], report: str, said: str
) -> None:
    study = tmp_path / "s.toml"
    study.write_text(f'[study]\nname = "s"\nevent_date = 2025-01-27\ntickers = ["NVDA"]\n[report]\n{report}\n')
    assert main(["report", str(study), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err and not (tmp_path / "r").exists()


def test_returns_in_percent_read_as_decimals_name_the_day_and_the_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    returns = tmp_path / "r.csv"
    returns.write_text("date,NVDA,^GSPC\n2025-01-23,0.5,0.2\n2025-01-24,-3.1,-0.3\n")
    events = _events(tmp_path, "event_id,ticker,event_date\nn,NVDA,2025-01-24\n")
    needle = (
        "r.csv: column 'NVDA' has a return of -3.1 on 2025-01-24, infinite or a loss of 100% or more read as decimal; "
        "check the values, and --returns-unit (percent for returns written as 1.5 for 1.5%)."
    )
    _check_failure(capsys, ["run", "--events", events, "--returns-data", str(returns)], tmp_path / "o", needle)


def test_a_returns_unit_without_a_returns_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nn,NVDA,2025-01-27\n")
    assert main(["run", "--events", str(events), "--market", "^GSPC", "--returns-unit", "percent"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "returns_unit='percent' (--returns-unit) reads a returns file" in err


@pytest.mark.parametrize("calendar", ["XLON", "rows"])
def test_a_calendar_the_convention_does_not_use_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], calendar: str
) -> None:
    """The eventstudytools profile counts each firm's trading days itself: a calendar would not count them."""
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nn,NVDA,2025-01-27\n")
    args = ["run", "--events", str(events), "--market", "^GSPC", "--convention", "eventstudytools"]
    assert main([*args, "--calendar", calendar]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"calendar={calendar!r}: the eventstudytools convention counts days its own" in err
    assert main(args) == 0


def test_a_study_of_its_own_market_alone_is_told_to_use_another_proxy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\ns,SPY,2025-01-27\n")
    assert main(["run", "--events", str(events), "--market", "SPY"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the firm is its own market proxy" in err
    assert "measure them against another market proxy" in err and "check the tickers" not in err


def test_an_index_date_after_the_prices_is_refused_rather_than_moved_to_their_last_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd

    last = pd.read_csv(bundled_csv("NVDA.csv"))["date"].max()
    study = tmp_path / "s.toml"
    study.write_text(
        '[study]\nname = "s"\nevent_date = 2025-01-27\ntickers = ["NVDA"]\n[report]\nindex_date = 2025-12-01\n'
    )
    assert main(["report", str(study), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"index_date='2025-12-01' is after the price data, which end on {last}" in err


def test_car_windows_on_the_command_line_take_the_bracket_layout_and_a_piped_events_file_names_the_study_events(
    tmp_path: Path,
) -> None:
    with _piped("event_id,ticker,event_date\nn,NVDA,2025-01-27\n") as events:
        args = ["run", "--events", events, "--market", "^GSPC", "--car-windows", "0:1,[0,2]"]
        assert main([*args, "--out", str(tmp_path / "o")]) == 0
    config = json.loads((tmp_path / "o" / "summary.json").read_text())["config"]
    assert config["name"] == "events" and config["car_windows"] == ["0:1", "0:2"]


def test_a_study_file_giving_its_events_two_ways_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """tickers and [[study.events]] together: one would be read and the other dropped in silence."""
    study = tmp_path / "s.toml"
    study.write_text(
        '[study]\nname = "s"\nmarket = "^GSPC"\nevent_date = 2025-01-27\ntickers = ["NVDA"]\n'
        '[[study.events]]\nticker = "CEG"\nevent_date = 2025-01-27\n'
    )
    assert main(["report", str(study), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "[study] gives events and tickers; give the events one way" in err


def test_a_study_file_asking_for_the_bundled_snapshot_and_its_own_prices_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = tmp_path / "s.toml"
    study.write_text(
        '[study]\nname = "s"\nevent_date = 2025-01-27\ntickers = ["NVDA"]\n'
        f'[data]\nsource = "bundled"\nprices = "{PRICES}"\n'
    )
    assert main(["report", str(study), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'source = "bundled" reads the bundled snapshot, but prices are given too' in err
    # and one before them names the day they begin
    study.write_text(
        '[study]\nname = "s"\nevent_date = 2025-01-27\ntickers = ["NVDA"]\n[report]\nindex_date = 2021-06-01\n'
    )
    assert main(["report", str(study), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "index_date='2021-06-01' is before the price data, which begin on 20" in err
