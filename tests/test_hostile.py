"""Hostile input, one named regression test per case: exit 2 with one line, or a correct result with a warning.

Never exit 0 with a wrong number, never a traceback, nothing lost, nothing written outside its folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.cli import main

from .conftest import bundled_csv

DAY = "2025-01-27"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _events(tmp: Path, body: str = f"event_id,ticker,event_date\nn,NVDA,{DAY}\n") -> str:
    return str(_write(tmp / "events" / "e.csv", body))


def _prices(tmp: Path, nvda: str | None = None) -> Path:
    folder = tmp / "prices"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_GSPC.csv").write_bytes(bundled_csv("_GSPC.csv").read_bytes())
    (folder / "NVDA.csv").write_text(nvda if nvda is not None else bundled_csv("NVDA.csv").read_text())
    return folder


def _fails(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("eventstudy: error:"), err
    assert needle in lines[0], lines[0]


def _nvda_with(row_value: str) -> str:
    lines = bundled_csv("NVDA.csv").read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("adj_close")
    target = next(i for i, line in enumerate(lines) if line.startswith("2024-12-02"))
    cells = lines[target].split(",")
    cells[col] = row_value
    lines[target] = ",".join(cells)
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- values that make numbers wrong
@pytest.mark.parametrize("value", ["inf", "1e400", "1e308", "1e-320", "-inf"])
def test_absurd_prices_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    prices = _prices(tmp_path, _nvda_with(value))
    _fails(capsys, ["run", "--events", _events(tmp_path), "--market", "^GSPC", "--prices", str(prices)], "2024-12-02")


@pytest.mark.parametrize(
    ("dates", "needle"),
    [
        ("05/02/2025", "same layout as the other dates"),
        ("2025-01", "not a full date"),
        ("2025Q1", "not a full date"),
        ("", "no date"),
    ],
)
def test_guessed_dates_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], dates: str, needle: str) -> None:
    prices = _prices(tmp_path, f"date,adj_close\n{dates},1.0\n2025-01-02,1.1\n")
    _fails(capsys, ["run", "--events", _events(tmp_path), "--market", "^GSPC", "--prices", str(prices)], needle)


def test_an_event_date_that_is_no_calendar_day_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.csv"
    events.write_text("event_id,ticker,event_date\nNVDA,NVDA,2024-02-30\n")
    _fails(capsys, ["run", "--events", str(events), "--market", "^GSPC"], "'2024-02-30' is not a day of the calendar")


def test_a_missing_bundled_file_is_an_error_not_a_fallback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shutil

    from eventstudy import event_study
    from eventstudy.data import manifest, sources
    from eventstudy.errors import ManifestMismatchError

    copy = tmp_path / "data"
    shutil.copytree(manifest.data_root(), copy)
    (copy / "prices" / "NVDA.csv").unlink()
    (copy / "prices" / "NVDA.csv").mkdir()  # replaced by a folder
    monkeypatch.setattr(manifest, "data_root", lambda: copy)
    monkeypatch.setattr(sources, "data_root", lambda: copy)
    with pytest.raises(ManifestMismatchError, match=r"listed in .* but missing"):
        event_study(["NVDA"], DAY)


def test_a_malformed_manifest_line_is_one_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shutil

    from eventstudy import event_study
    from eventstudy.data import manifest, sources
    from eventstudy.errors import ManifestMismatchError

    copy = tmp_path / "data"
    shutil.copytree(manifest.data_root(), copy)
    with (copy / manifest.MANIFEST_NAME).open("a") as fh:
        fh.write("not a line of a manifest\n")
    monkeypatch.setattr(manifest, "data_root", lambda: copy)
    monkeypatch.setattr(sources, "data_root", lambda: copy)
    with pytest.raises(ManifestMismatchError, match="line"):
        event_study(["NVDA"], DAY)


def _factor_file(tmp: Path, scale: float = 1.0, duplicate: bool = False, zero: bool = False) -> str:
    raw = pd.read_csv(bundled_csv("").parent / "factors" / "ff_factors_daily.csv")
    frame = raw.assign(**{c: raw[c] / 100 * scale for c in raw.columns if c != "date"})
    if duplicate:
        frame["copy"] = frame["mkt_rf"]
    if zero:
        frame["smb"] = 0.0
    return str(_write(tmp / "f" / "factors.csv", frame.to_csv(index=False)))


def test_a_duplicated_factor_column_leaves_the_firm_event_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["run", "--events", _events(tmp_path), "--market", "^GSPC", "--model", "custom", "--out", str(out)]
    code = main([*argv, "--factors", _factor_file(tmp_path, duplicate=True), "--factor-columns", "mkt_rf,copy"])
    err = capsys.readouterr().err
    assert code == 2 and "every firm-event was left out" in err and "moves exactly with another" in err


@pytest.mark.parametrize(
    ("kw", "needle"), [({"scale": 100.0}, "reads as percent"), ({"zero": True}, "zero on most days")]
)
def test_percent_or_zero_factors_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kw: dict[str, object], needle: str
) -> None:
    argv = ["run", "--events", _events(tmp_path), "--market", "^GSPC", "--model", "custom"]
    _fails(capsys, [*argv, "--factors", _factor_file(tmp_path, **kw), "--factor-columns", "mkt_rf,smb"], needle)  # type: ignore[arg-type]


def test_the_same_firm_event_twice_is_refused_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _events(tmp_path, f"event_id,ticker,event_date\na,NVDA,{DAY}\nb,NVDA,{DAY}\n")
    _fails(capsys, ["run", "--events", events, "--market", "^GSPC"], "same firm-event")
    assert main(["run", "--events", events, "--market", "^GSPC", "--allow-duplicates"]) == 0


def test_a_firm_that_is_its_own_market_is_left_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    events = _events(tmp_path, f"event_id,ticker,event_date,market\na,^GSPC,{DAY},^GSPC\nb,NVDA,{DAY},^GSPC\n")
    assert main(["run", "--events", events, "--out", str(out)]) == 0
    assert "its own market proxy" in capsys.readouterr().err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", RuntimeWarning)  # its zero variance is not divided by in the open
        from eventstudy import event_study

        event_study(["^GSPC", "NVDA"], DAY, market="^GSPC")
    params = pd.read_csv(out / "params.csv").set_index("event_id")
    assert params.loc["a", "status"].startswith("excluded: the firm is its own market") and pd.isna(
        params.loc["a", "sigma"]
    )
    assert (pd.read_csv(out / "aggregate.csv")["n"] <= 1).all()


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("ticker,date,close\n,2025-01-02,1\n", "no ticker"),
        ("ticker,date,close\nNVDA,,1\n^GSPC,2025-01-02,5000\n", "no date"),
    ],
)
def test_blank_tickers_and_dates_in_a_long_file_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, needle: str
) -> None:
    long = _write(tmp_path / "p" / "long.csv", body)
    _fails(capsys, ["run", "--events", _events(tmp_path), "--market", "^GSPC", "--prices", str(long)], needle)


# ----------------------------------------------------------------- sources say what they do
def test_yahoo_and_prices_together_are_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "run",
        "--events",
        _events(tmp_path),
        "--market",
        "^GSPC",
        "--source",
        "yahoo",
        "--prices",
        str(_prices(tmp_path)),
    ]
    _fails(capsys, argv, "drop one of them")


@pytest.mark.parametrize("sidecar", [b"[1, 2]", b"\xff\xfe not utf-8", b"{not json"])
def test_a_corrupt_cache_entry_is_named_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sidecar: bytes
) -> None:
    cache = tmp_path / "cache" / "yahoo"
    _write(cache / "NVDA.csv", "date,adj_close\n2025-01-02,1\n")
    (cache / "NVDA.json").write_bytes(sidecar)
    out = tmp_path / "out"
    argv = ["run", "--events", _events(tmp_path), "--market", "^GSPC", "--source", "yahoo", "--offline"]
    assert main([*argv, "--cache-dir", str(tmp_path / "cache"), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "is corrupt" in err and "using the bundled snapshot" in err


def test_fetch_and_run_share_one_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventstudy.data import yahoo

    def transport(ticker: str, start: object, end: object) -> pd.DataFrame:
        name = ticker.replace("^", "_") + ".csv"
        frame = pd.read_csv(bundled_csv(name), index_col="date", parse_dates=["date"])
        return frame.rename(columns={"adj_close": "Adj Close", "close": "Close"})[["Adj Close", "Close"]]

    monkeypatch.setattr(yahoo, "yfinance_transport", transport)
    assert (
        main(
            [
                "fetch",
                "NVDA",
                "^GSPC",
                "--start",
                "2024-01-01",
                "--end",
                "2025-02-28",
                "--cache-dir",
                str(tmp_path / "c"),
            ]
        )
        == 0
    )
    assert (tmp_path / "c" / "yahoo" / "NVDA.csv").is_file()
    out = tmp_path / "out"
    argv = ["run", "--events", _events(tmp_path), "--market", "^GSPC", "--source", "yahoo", "--offline"]
    assert main([*argv, "--cache-dir", str(tmp_path / "c"), "--out", str(out)]) == 0
    assert "cache" in json.loads((out / "summary.json").read_text())["data"]["series"]["NVDA"]


def test_a_symbol_never_becomes_a_path_outside_the_cache(tmp_path: Path) -> None:
    from eventstudy.data.yahoo import YahooCache
    from eventstudy.errors import DataSourceError

    with pytest.raises(DataSourceError, match="not a Yahoo symbol"):
        YahooCache(tmp_path).read("../../pwned")


@pytest.mark.parametrize("ticker", ["/etc/passwd", "../factors/ff_factors_daily", "..", "prices/NVDA"])
def test_tickers_never_become_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str], ticker: str) -> None:
    events = _events(tmp_path, f"event_id,ticker,event_date\nn,{ticker},{DAY}\n")
    _fails(capsys, ["run", "--events", events, "--market", "^GSPC"], "is not in the bundled snapshot")
    _fails(capsys, ["run", "--events", events, "--market", "^GSPC", "--prices", str(_prices(tmp_path))], "is not in")


# ----------------------------------------------------------------- nothing is lost
def test_an_input_folder_as_out_keeps_every_input_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prices = _prices(tmp_path)
    _write(prices / "tests.csv", "date,adj_close\n2025-01-02,1\n")  # a ticker called TESTS
    before = {p.name: p.read_bytes() for p in prices.iterdir()}
    _fails(
        capsys,
        ["run", "--events", _events(tmp_path), "--market", "^GSPC", "--prices", str(prices), "--out", str(prices)],
        "input folder",
    )
    _fails(
        capsys,
        [
            "run",
            "--events",
            _events(tmp_path),
            "--market",
            "^GSPC",
            "--prices",
            str(prices),
            "--out",
            str(prices / "sub"),
        ],
        "input folder",
    )
    assert {p.name: p.read_bytes() for p in prices.iterdir()} == before


def test_the_api_never_writes_into_a_study_s_inputs_or_the_package_data(tmp_path: Path) -> None:
    """res.write and build_report refuse as the command line does, even with force, and name their own parameter."""
    from eventstudy import EventStudy, StudyConfig
    from eventstudy.config import Event
    from eventstudy.data.manifest import data_root
    from eventstudy.errors import OutputPathError
    from eventstudy.report import build_report
    from eventstudy.report.render import price_section

    prices = _prices(tmp_path)
    before = {p.name: p.read_bytes() for p in prices.iterdir()}
    cfg = StudyConfig(name="w", events=(Event("n", "NVDA", DAY, "^GSPC"),), prices=str(prices))
    res = EventStudy(cfg).fit()
    with pytest.raises(OutputPathError, match=r"^folder .* would write into the input folder"):
        res.write(prices, force=True)
    with pytest.raises(OutputPathError, match=r"^folder .* bundled data"):
        res.write(data_root() / "x")
    with pytest.raises(OutputPathError, match=r"^out .* would write into the input folder"):
        build_report(cfg, prices / "report", sections=[price_section], force=True)
    assert {p.name: p.read_bytes() for p in prices.iterdir()} == before


def test_the_package_data_is_never_an_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from eventstudy.data.manifest import data_root

    _fails(
        capsys,
        ["run", "--events", _events(tmp_path), "--market", "^GSPC", "--out", str(data_root() / "x")],
        "bundled data",
    )


def test_a_folder_eventstudy_did_not_write_needs_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _write(tmp_path / "mine" / "notes.txt", "mine").parent
    _fails(capsys, ["run", "--events", _events(tmp_path), "--market", "^GSPC", "--out", str(out)], "--force")
    assert main(["run", "--events", _events(tmp_path), "--market", "^GSPC", "--out", str(out), "--force"]) == 0
    assert (out / "notes.txt").read_text() == "mine" and (out / "ar.csv").is_file()


def test_a_new_output_replaces_the_old_one_as_a_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", "--events", _events(tmp_path), "--market", "^GSPC", "--out", str(out)]) == 0
    _write(out / "figures" / "stale.png", "from an earlier version")
    assert main(["run", "--events", _events(tmp_path), "--market", "^GSPC", "--out", str(out), "--window", "0:2"]) == 0
    assert not (out / "figures").exists()
    assert sorted(p.name for p in out.iterdir()) == [
        ".eventstudy",
        "aggregate.csv",
        "ar.csv",
        "params.csv",
        "summary.json",
        "tests.csv",
    ]
    assert not [p for p in tmp_path.iterdir() if ".staging." in p.name or ".old." in p.name]


def test_a_writable_out_inside_a_read_only_parent_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from eventstudy import _io

    out = tmp_path / "out"
    assert main(["run", "--events", _events(tmp_path), "--market", "^GSPC", "--out", str(out)]) == 0
    real = os.access
    monkeypatch.setattr(_io.os, "access", lambda p, mode: False if Path(p) == tmp_path else real(p, mode))
    assert main(["run", "--events", _events(tmp_path), "--market", "^GSPC", "--out", str(out), "--window", "0:2"]) == 0
    assert pd.read_csv(out / "ar.csv")["rel_day"].tolist() == [0, 1, 2]
    assert not [p for p in out.iterdir() if ".staging." in p.name]


def test_stale_staging_of_a_killed_run_is_cleaned(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = _write(tmp_path / f".out.staging.{dead.stdout.strip()}.abc" / "ar.csv", "half").parent
    assert main(["run", "--events", _events(tmp_path), "--market", "^GSPC", "--out", str(tmp_path / "out")]) == 0
    assert not stale.exists()


_TERMINATE = """
import os, signal, sys
from eventstudy import results
from eventstudy.cli import main
real = results.EventStudyResults.to_frame
def killed(self):
    os.kill(os.getpid(), signal.SIGTERM)  # what timeout, Docker and Slurm send, mid-write
    return real(self)
results.EventStudyResults.to_frame = killed
sys.exit(main(sys.argv[1:]))
"""


def test_sigterm_mid_write_leaves_the_old_output_and_no_staging(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", "--events", _events(tmp_path), "--market", "^GSPC", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    script = _write(tmp_path / "s" / "terminate.py", _TERMINATE)
    run = subprocess.run(
        [
            sys.executable,
            str(script),
            "run",
            "--events",
            _events(tmp_path),
            "--market",
            "^GSPC",
            "--window",
            "0:2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 143 and "terminated; nothing was written" in run.stderr and "Traceback" not in run.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if ".staging." in p.name or ".old." in p.name]


# ----------------------------------------------------------------- no traceback
@pytest.mark.parametrize(
    ("argv_tail", "needle"),
    [
        (["--estimation", "-4:-2"], ""),
        (["--estimation", "-99999999:-11"], "more than 10,000"),
        (["--max-memory", "0.0001"], "split the events file"),
        (["--model", "nope"], "model='nope'"),
        (["--wat"], "unrecognized arguments"),
    ],
)
def test_run_options_never_give_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv_tail: list[str], needle: str
) -> None:
    events = _events(tmp_path, f"event_id,ticker,event_date\na,NVDA,{DAY}\nb,CEG,{DAY}\n")
    code = main(["run", "--events", events, "--market", "^GSPC", *argv_tail]) if "--wat" not in argv_tail else None
    if code is None:
        with pytest.raises(SystemExit) as exc:
            main(["run", "--events", events, "--wat"])
        code = int(exc.value.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if needle:
        assert code == 2 and needle in err and len(err.strip().splitlines()) == 1, err
    else:
        assert code == 0  # tiny windows run; the tests that cannot apply say why


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        (
            "[study]\nname='x'\nevent_date=2025-01-27\ntickers=['NVDA']\n[model]\nmin_estimation_obs='lots'\n",
            "whole number",
        ),
        ("[study]\nname='x'\n[[study.events]]\nevent_date=2025-01-27\n", "no 'ticker'"),
        (
            "[study]\nname='x'\nevent_date=2025-01-27\ntickers=['NVDA']\nextra=" + "[" * 5000 + "]" * 5000 + "\n",
            "not valid TOML",
        ),
        ("[study]\nname='x'\nevent_date=2025-01-27\ntickers=['NVDA']\n[report]\nclaims='empty.csv'\n", "is empty"),
        ("[study]\nname='x'\nevent_date=2025-01-27\ntickers=['NVDA']\n[report]\nclaims='header.csv'\n", "no claims"),
    ],
)
def test_study_files_never_give_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, needle: str
) -> None:
    _write(tmp_path / "empty.csv", "")
    _write(
        tmp_path / "header.csv",
        "id,group,outlet,article,entity,quote,reported,unit,qualifier,window,kind,series,start,end,rule,gate,how_checked\n",
    )
    study = _write(tmp_path / "s.toml", toml)
    command = "verify" if "claims" in toml else "report"
    _fails(capsys, [command, str(study), *(["--out", str(tmp_path / "r")] if command == "report" else [])], needle)


def test_index_date_on_a_weekend_uses_the_session_before(tmp_path: Path) -> None:
    study = _write(
        tmp_path / "s.toml",
        "[study]\nname='x'\nevent_date=2025-01-27\ntickers=['NVDA']\n[report]\nindex_date=2025-01-25\n",
    )
    assert main(["report", str(study), "--out", str(tmp_path / "r")]) == 0
    assert "indexed to 100 on 2025-01-24" in (tmp_path / "r" / "report.md").read_text()


def test_tex_in_a_ticker_is_drawn_as_text(tmp_path: Path) -> None:
    prices = _prices(tmp_path)
    (prices / "NVDA.csv").rename(prices / "$x^{2}$.csv")
    study = _write(
        tmp_path / "s.toml",
        f"[study]\nname='x'\nevent_date=2025-01-27\ntickers=['$x^{{2}}$']\n[data]\nprices='{prices}'\n",
    )
    assert main(["report", str(study), "--out", str(tmp_path / "r")]) == 0


def test_a_bad_dask_address_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTSTUDY_DASK_SCHEDULER", "not a url")
    _fails(
        capsys,
        ["run", "--events", _events(tmp_path), "--market", "^GSPC", "--backend", "dask"],
        "cannot reach the Dask scheduler",
    )


def test_a_short_line_in_an_eventstudytools_price_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = _write(tmp_path / "req.csv", "1;AXON;GSPC;10.06.2002;g;0;2;-14;120\n")
    firm = _write(tmp_path / "firm.csv", "AXON;07.06.2002;10.5\nAXON\n")
    market = _write(tmp_path / "market.csv", "GSPC;07.06.2002;1000\n")
    argv = ["run", "--events", str(request), "--prices", str(firm), "--prices", str(market)]
    _fails(capsys, argv, "fewer than 3 fields")


# ----------------------------------------------------------------- safe outputs
def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("name", ["=cmd|' /C calc'!A0", "@SUM(1+1)", "+HYPERLINK(1)", "-2+3"])
def test_formula_like_names_never_start_a_cell(tmp_path: Path, name: str) -> None:
    import csv

    prices = _prices(tmp_path)
    ticker = name if "/" not in name else "NVDA"  # a file name cannot hold a slash; the id still can
    if ticker != "NVDA":
        (prices / "NVDA.csv").rename(prices / f"{ticker}.csv")
    out = tmp_path / "out"
    events = _events(tmp_path, f'event_id,ticker,event_date\n"{name}","{ticker}",{DAY}\n')
    assert main(["run", "--events", events, "--market", "^GSPC", "--prices", str(prices), "--out", str(out)]) == 0
    seen = 0
    for path in out.glob("*.csv"):
        with path.open(newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or _number(cell), (path.name, cell)
                    seen += name in cell
    assert seen > 0  # the name is there, neutralised


def test_markdown_escapes_html_and_pipes_and_names_stay_in_reports(tmp_path: Path) -> None:
    study = _write(
        tmp_path / "s.toml",
        "[study]\nname='../../outside'\ntitle='<script>alert(1)</script> a|b'\nevent_date=2025-01-27\ntickers=['NVDA']\n",
    )
    run = subprocess.run(
        [sys.executable, "-m", "eventstudy", "report", str(study)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    folder = tmp_path / "reports" / "outside"
    md = (folder / "report.md").read_text()
    prose = md.split("```json")[0]  # the configuration echo is a fenced code block, shown as text
    assert "<script>" not in prose and "&lt;script>" in prose
    assert "<script>" not in (folder / "index.html").read_text()
    assert not (tmp_path.parent / "outside").exists()


# ----------------------------------------------------------------- fuzz
FUZZ = settings(
    max_examples=int(os.environ.get("EVENTSTUDY_FUZZ_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
cells = st.one_of(
    st.sampled_from(
        ["", "nan", "inf", "-1", "0", "1e400", "2025-01-27", "27/01/2025", "05/02/2025", "NVDA", "=1+1", "\t"]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)


@FUZZ
@given(rows=st.lists(st.lists(cells, min_size=3, max_size=4), min_size=0, max_size=6))
def test_fuzzed_claims_files_give_one_line_or_a_table(
    rows: list[list[str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("claims")
    header = "id,group,outlet,article,entity,quote,reported,unit,qualifier,window,kind,series,start,end,rule,gate,how_checked"
    body = "\n".join(",".join(json.dumps(c) for c in (r + [""] * 17)[:17]) for r in rows)
    _write(tmp / "claims.csv", header + "\n" + body + "\n")
    study = _write(
        tmp / "s.toml", "[study]\nname='x'\nevent_date=2025-01-27\ntickers=['NVDA']\n[report]\nclaims='claims.csv'\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "eventstudy", "verify", str(study)], capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in run.stderr, run.stderr[-800:]
    assert run.returncode in (0, 1, 2)


@FUZZ
@given(rows=st.lists(st.tuples(cells, cells), min_size=0, max_size=8))
def test_fuzzed_price_files_never_give_a_wrong_number_silently(
    rows: list[tuple[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("prices")
    base = pd.read_csv(bundled_csv("NVDA.csv"))[["date", "adj_close"]]
    fuzz = pd.DataFrame(rows, columns=["date", "adj_close"])
    prices = _prices(tmp, pd.concat([base, fuzz]).to_csv(index=False))
    out = tmp / "out"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "eventstudy",
            "run",
            "--events",
            _events(tmp),
            "--market",
            "^GSPC",
            "--prices",
            str(prices),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in run.stderr, run.stderr[-800:]
    assert run.returncode in (0, 2)
    if run.returncode == 2:
        assert len([ln for ln in run.stderr.splitlines() if ln.startswith("eventstudy: error:")]) == 1
        assert not out.exists()
    else:
        params = pd.read_csv(out / "params.csv")
        assert params["sigma"].dropna().between(0, 1).all()  # a daily residual sd, never inf


def test_factor_columns_given_more_than_once_are_all_used(tmp_path: Path) -> None:
    factors = _factor_file(tmp_path)
    argv = ["run", "--events", _events(tmp_path), "--market", "^GSPC", "--model", "custom", "--factors", factors]
    assert main([*argv, "--factor-columns", "mkt_rf", "--factor-columns", "smb", "--out", str(tmp_path / "a")]) == 0
    assert main([*argv, "--factor-columns", "mkt_rf,smb", "--out", str(tmp_path / "b")]) == 0
    assert (tmp_path / "a" / "params.csv").read_bytes() == (tmp_path / "b" / "params.csv").read_bytes()
    assert "beta_smb" in pd.read_csv(tmp_path / "a" / "params.csv").columns
