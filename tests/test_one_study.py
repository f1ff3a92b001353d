"""One study, one answer: every way of starting a study resolves to the same configuration and numbers.

The references are the package's other entry points and plain arithmetic on the ARs
(a CAR is their sum; its t comes from a fit configured with that window), never the
code path under test.
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.cli import main
from eventstudy.errors import ConfigError, EventDateError

from .conftest import bundled_csv

TICKERS = ["NVDA", "CEG", "VST"]
DATE = "2025-01-27"
PACKAGE = Path(es.__file__).parent


def _toml(tmp: Path, convention: str) -> Path:
    path = tmp / f"{convention}.toml"
    path.write_text(
        f'[study]\nname = "s"\nevent_date = {DATE}\ntickers = {json.dumps(TICKERS)}\nmarket = "^GSPC"\n'
        f'[model]\nconvention = "{convention}"\n'
    )
    return path


def _events(tmp: Path) -> Path:
    path = tmp / "s.csv"
    path.write_text("event_id,ticker,event_date\n" + "".join(f"{t}@{DATE},{t},{DATE}\n" for t in TICKERS))
    return path


@pytest.mark.parametrize("convention", sorted(es.CONVENTIONS))
def test_cli_toml_api_and_with_convention_agree(tmp_path: Path, convention: str) -> None:
    api = es.event_study(TICKERS, DATE, convention=convention, name="s")
    toml = es.EventStudy(es.StudyConfig.from_toml(_toml(tmp_path, convention))).fit()
    switched = es.event_study(TICKERS, DATE, name="s").with_convention(convention)
    out = tmp_path / "cli"
    assert (
        main(
            [
                "run",
                "--events",
                str(_events(tmp_path)),
                "--market",
                "^GSPC",
                "--convention",
                convention,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    cli = pd.read_csv(out / "params.csv").set_index("event_id")
    cli_tests = pd.read_csv(out / "tests.csv")
    for other in (toml, switched):
        assert other.config.estimation == api.config.estimation
        assert other.config.returns == api.config.returns
        assert other.config.min_estimation_obs == api.config.min_estimation_obs
        pd.testing.assert_frame_equal(other.params, api.params)
        pd.testing.assert_frame_equal(other.window_table, api.window_table)
    assert (cli["n_est"] == api.events["n_est"]).all()
    np.testing.assert_allclose(cli["sigma"], api.params["sigma"], rtol=1e-11)
    t = cli_tests[(cli_tests["scope"] == "event") & (cli_tests["test"] == "t")].set_index("event_id")["statistic"]
    np.testing.assert_allclose(t[api.event_ids], api.window_stats("-1:1").tvalues, rtol=1e-11)


def test_the_profile_decides_the_defaults_once() -> None:
    cfg = es.resolve(es.StudyConfig("s", es.config.events_for("NVDA", DATE, "^GSPC"), convention="eventstudytools"))
    assert (str(cfg.estimation), cfg.returns, cfg.negative_prices) == ("[-260,-11]", "log", "abs")
    assert cfg.min_estimation_obs == 3  # the service fits any estimation window it can
    default = es.resolve(es.StudyConfig("s", cfg.events))
    assert default.min_estimation_obs == 120  # half the estimation window, as on the command line
    assert cfg.car_windows == (cfg.event_window,)
    # what the user chose is kept
    mine = es.resolve(es.StudyConfig("s", cfg.events, convention="eventstudytools", returns="simple"))
    assert mine.returns == "simple"


def test_a_short_estimation_window_works_in_the_api_as_on_the_command_line(tmp_path: Path) -> None:
    res = es.event_study(["NVDA"], DATE, estimation="-120:-6", event_window="-1:1")
    assert res.config.min_estimation_obs == 58  # at least half of 115 returns
    assert res.events["n_est"].iloc[0] == 115
    out = tmp_path / "o"
    assert (
        main(
            [
                "run",
                "--events",
                str(_events(tmp_path)),
                "--market",
                "^GSPC",
                "--estimation",
                "-120:-6",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert json.loads((out / "summary.json").read_text())["config"]["min_estimation_obs"] == 58


def test_a_changed_table_changes_no_later_answer() -> None:
    res = es.event_study(TICKERS, DATE, car_windows=("-1:1", "0:5"))
    before = res.car("-1:1").copy()
    for table in (res.window_table, res.ar, res.params, res.aggregate_estimates, res.ret, res.prices.adj_close):
        numeric = table.select_dtypes("number").columns
        table.loc[:, numeric] = 0.0  # what a user might do to a table they were given
    events = res.events
    events.loc[:, "ticker"] = "x"
    cars = res.car("-1:1")
    cars.iloc[:] = 0.0
    pd.testing.assert_series_equal(res.car("-1:1"), before)
    assert res.ar.abs().sum().sum() > 0
    assert res.events["ticker"].tolist() == TICKERS
    assert res.prices.adj_close.notna().any().all()
    with pytest.raises(ValueError, match="read-only"):
        res.ar.to_numpy()[0, 0] = 1.0
    with pytest.raises(AttributeError):
        res.config = res.config  # type: ignore[misc]
    with pytest.raises(TypeError):
        res.aggregate_tests[("0:0", "patell")] = None  # type: ignore[index]


def test_any_window_is_the_sum_of_its_ars_with_the_t_of_a_fit_that_asked_for_it() -> None:
    res = es.event_study(TICKERS, DATE, car_windows=("0:5",))
    asked = es.event_study(TICKERS, DATE, car_windows=("0:5", "0:3"))
    got = res.window_stats("0:3")
    pd.testing.assert_series_equal(got.car, res.ar.loc[0:3].sum(), check_names=False, rtol=0, atol=1e-15)
    pd.testing.assert_frame_equal(res.tests("0:3"), asked.tests("0:3"))
    pd.testing.assert_frame_equal(res.aggregate("0:3"), asked.aggregate("0:3"))
    assert res.windows == (es.Window(-1, 1), es.Window(0, 5))  # asking computes, it changes nothing
    with pytest.raises(es.errors.WindowError, match=r"^window=.-11:-1. overlaps"):
        res.car("-11:-1")


def test_names_follow_scipy_and_statsmodels() -> None:
    res = es.event_study(TICKERS, DATE)
    stat = res.aggregate_tests["0:0", "patell"]
    assert isinstance(stat, es.TestStatistic)
    assert {"statistic", "pvalue", "distribution", "null"} <= set(type(stat).__dataclass_fields__)
    assert list(res.tests().columns) == ["car", "bse", "tvalues", "pvalues", "sq_quantile", "sq_pvalues", "bhar"]
    assert list(res.tidy().columns) == [
        "event_id",
        "ticker",
        "window",
        "car",
        "bse",
        "test",
        "statistic",
        "p_value",
        "df",
    ]
    assert {"statistic", "p_value"} <= set(res.aggregate_table().columns)
    assert res.aggregate_tests.get(("0:0", "no-such-test")) is None


def test_summary_says_which_variance_it_used() -> None:
    exact = str(es.event_study(["NVDA"], DATE).summary())
    plain = str(es.event_study(["NVDA"], DATE, convention="eventstudytools").summary())
    adjusted = str(es.event_study(["NVDA"], DATE, model="market_adjusted").summary())
    assert "exact" in exact and "prediction error" in exact
    assert "without the prediction-error correction" in plain and "exact" not in plain
    assert "estimates no parameters" in adjusted and "is exact" not in adjusted
    mean_only = str(es.event_study(["NVDA"], DATE, model="constant_mean").summary())
    assert "sigma^2 (L + L^2/M)" in mean_only and "slopes" not in mean_only


@pytest.mark.parametrize("date", ["05/08/2024", "05.08.2024", "08-05-2024"])
def test_an_ambiguous_date_is_refused(date: str) -> None:
    with pytest.raises(EventDateError, match=r"ambiguous.*date_format"):
        es.event_study(["NVDA"], date)


def test_an_ambiguous_date_is_read_as_told_and_an_unambiguous_one_as_it_must_be() -> None:
    told = es.event_study(["NVDA"], "05/08/2024", date_format="%m/%d/%Y")
    assert told.events["event_date"].iloc[0] == dt.date(2024, 5, 8)
    assert es.event_study(["NVDA"], "27.01.2025").events["event_date"].iloc[0] == dt.date(2025, 1, 27)


@pytest.mark.parametrize("date", ["27 Jan 2025", "27 January 2025", "Jan 27 2025", "January 27, 2025", "27-Jan-2025"])
def test_a_date_with_its_month_named_is_read_as_it_must_be(date: str) -> None:
    from eventstudy.dates import parse_date_column

    assert parse_date_column("event_date", [date, date.replace("27", "3")]) == [
        dt.date(2025, 1, 27),
        dt.date(2025, 1, 3),
    ]


def test_a_spreadsheet_serial_day_is_told_to_be_formatted_as_a_date() -> None:
    with pytest.raises(EventDateError, match=r"serial day number\); format the column as dates in the spreadsheet"):
        es.event_study(["NVDA"], "45684")


def test_an_ambiguous_events_file_fails_with_one_line_and_date_format_settles_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\na,NVDA,05/08/2024\nb,CEG,27/01/2025\n")
    assert main(["run", "--events", str(events), "--market", "^GSPC"]) == 0  # 27/01 settles the layout
    events.write_text("event_id,ticker,event_date\na,NVDA,05/08/2024\nb,CEG,03/02/2025\n")
    assert main(["run", "--events", str(events), "--market", "^GSPC"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "ambiguous" in err[0] and "--date-format" in err[0]
    assert es.read_events(events, market="^GSPC", date_format="%d/%m/%Y")[1].event_date == dt.date(2025, 2, 3)


def test_run_config_reproduces_a_run_whose_files_took_a_date_format(tmp_path: Path) -> None:
    """summary.json echoes event dates as ISO dates beside the input files' --date-format; both read back."""
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\na,NVDA,05/08/2024\nb,CEG,03/02/2025\n")
    first, again = tmp_path / "first", tmp_path / "again"
    argv = ["run", "--events", str(events), "--market", "^GSPC", "--date-format", "%d/%m/%Y", "--out", str(first)]
    assert main(argv) == 0
    assert main(["run", "--config", str(first / "summary.json"), "--out", str(again)]) == 0
    for name in ("aggregate.csv", "ar.csv", "params.csv", "tests.csv", "summary.json"):
        assert (first / name).read_bytes() == (again / name).read_bytes(), name


def test_run_config_reproduces_the_files_byte_for_byte(tmp_path: Path) -> None:
    first, again = tmp_path / "first", tmp_path / "again"
    argv = ["run", "--events", str(_events(tmp_path)), "--market", "^GSPC", "--model", "constant_mean"]
    assert main([*argv, "--car-windows", "-1:1,0:5,0:10", "--returns", "log", "--out", str(first)]) == 0
    assert main(["run", "--config", str(first / "summary.json"), "--out", str(again)]) == 0
    names = sorted(p.name for p in first.iterdir() if not p.name.startswith("."))
    assert names == ["aggregate.csv", "ar.csv", "params.csv", "summary.json", "tests.csv"]
    for name in names:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    ar = pd.read_csv(first / "ar.csv")
    assert sorted(ar["rel_day"].unique()) == list(range(-1, 11))  # every day the CAR windows use
    tests = pd.read_csv(first / "tests.csv")
    for window, (lo, hi) in {"[-1,+1]": (-1, 1), "[0,+5]": (0, 5), "[0,+10]": (0, 10)}.items():
        car = tests[(tests["window"] == window) & (tests["test"] == "t")]
        assert len(car) == len(TICKERS)
        sums = ar[ar["rel_day"].between(lo, hi)].groupby("event_id")["ar"].sum()
        row = tests[(tests["window"] == window) & (tests["scope"] == "aggregate") & (tests["test"] == "csect_t")]
        assert len(row) == 1
        assert sums.mean() == pytest.approx(
            pd.read_csv(first / "aggregate.csv").query("window == @window and test == 'csect_t'")["estimate"].iloc[0],
            rel=1e-9,
        )
    # an option given beside --config wins
    third = tmp_path / "third"
    assert main(["run", "--config", str(first / "summary.json"), "--returns", "simple", "--out", str(third)]) == 0
    assert json.loads((third / "summary.json").read_text())["config"]["returns"] == "simple"


def test_every_choice_that_changes_a_number_is_in_summary_json(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert (
        main(["run", "--events", str(_events(tmp_path)), "--market", "^GSPC", "--allow-jumps", "--out", str(out)]) == 0
    )
    config = json.loads((out / "summary.json").read_text())["config"]
    for key in (
        "negative_prices",
        "allow_jumps",
        "strict",
        "min_estimation_obs",
        "estimation",
        "returns",
        "date_format",
    ):
        assert key in config, key
    assert config["allow_jumps"] is True and config["negative_prices"] == "error"


def test_unused_or_unknown_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(f'[study]\nname = "s"\nevent_date = {DATE}\ntickers = ["NVDA"]\n[report]\nproxies = ["^NDX"]\n')
    with pytest.raises(ConfigError, match=r"unknown key 'proxies'.*valid keys"):
        es.StudyConfig.from_toml(path)
    with pytest.raises(ConfigError, match="unknown option 'estimation_window'"):
        es.event_study(["NVDA"], DATE, estimation_window="-250:-11")
    with pytest.raises(ConfigError, match=r"unknown option 'modle'.* Did you mean 'model'\?"):
        es.event_study(["NVDA"], DATE, modle="ff3")
    with pytest.raises(ConfigError, match="event_study takes one date; for several, give the events"):
        es.event_study(["NVDA"], [DATE, "2024-08-05"])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown key 'extra'"):
        es.StudyConfig.from_dict({"name": "s", "events": [], "extra": {}})


def test_inputs_a_user_has(tmp_path: Path) -> None:
    cfg = es.StudyConfig(
        "s", es.config.events_for(TICKERS, DATE, "^GSPC"), car_windows=("-1:1", "0:5"), estimation="-250:-11"
    )
    assert cfg.car_windows == (es.Window(-1, 1), es.Window(0, 5))
    base = es.EventStudy(cfg).fit()
    wide = base.prices.adj_close  # dates x tickers
    from_wide = es.EventStudy(cfg, wide).fit()
    long = wide.reset_index().melt(id_vars="date", var_name="ticker", value_name="adj_close").dropna()
    from_long = es.EventStudy(cfg, long).fit()
    for other in (from_wide, from_long):
        pd.testing.assert_frame_equal(other.window_table, base.window_table)
    raw = pd.read_csv(bundled_csv("").parent / "factors" / "ff_factors_daily.csv")
    decimals = raw.assign(**{c: raw[c] / 100 for c in raw.columns if c != "date"})  # Ken French publishes percent
    decimals.to_csv(tmp_path / "ff.csv", index=False)
    ff3 = es.event_study(["NVDA"], DATE, model="ff3")
    custom = es.event_study(
        ["NVDA"], DATE, model="custom", factors=str(tmp_path / "ff.csv"), factor_columns="mkt_rf,smb,hml"
    )
    np.testing.assert_allclose(custom.window_table.to_numpy(), ff3.window_table.to_numpy(), rtol=0, atol=1e-10)


def test_a_prices_folder_may_name_an_index_with_its_caret(tmp_path: Path) -> None:
    folder = tmp_path / "prices"
    folder.mkdir()
    for name, target in (("NVDA.csv", "NVDA.csv"), ("_GSPC.csv", "^GSPC.csv")):
        (folder / target).write_bytes(bundled_csv(name).read_bytes())
    res = es.event_study(["NVDA"], DATE, source=folder)
    ref = es.event_study(["NVDA"], DATE)
    pd.testing.assert_frame_equal(res.window_table, ref.window_table)
    assert "^GSPC" in es.CsvSource(folder).available()


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("eventstudy"):
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.startswith("eventstudy")]
    return out


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle of ``graph`` (module -> modules it imports), or None."""
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        if state.get(node) == 1:
            return [*trail, node]
        if state.get(node) == 2:
            return None
        state[node] = 1
        for nxt in sorted(graph[node]):
            found = visit(nxt, [*trail, node])
            if found:
                return found
        state[node] = 2
        return None

    for m in sorted(graph):
        found = visit(m, [])
        if found:
            return found
    return None


def test_the_import_graph_is_a_dag_without_private_names_across_modules() -> None:
    modules = {
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in PACKAGE.rglob("*.py")
    }
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        for target, names in _imports(path):
            for name in names or [""]:
                full = f"{target}.{name}" if f"{target}.{name}" in modules else target
                if full in modules and full != mod:
                    graph[mod].add(full)
            private = [n for n in names if n.startswith("_") and f"{target}.{n}" not in modules]
            assert not private, f"{mod} imports private {private} from {target}"
    assert find_cycle(graph) is None, find_cycle(graph)


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_a_single_ticker_given_as_a_string_is_one_ticker(tmp_path: Path) -> None:
    """tickers = "NVDA" in a study file is Nvidia, not the four tickers N, V, D, A; so for context_tickers."""
    path = tmp_path / "s.toml"
    path.write_text(
        '[study]\nname = "s"\nevent_date = 2025-01-27\ntickers = "NVDA"\nmarket = "^GSPC"\n'
        '[report]\ncontext_tickers = "^NDX"\n'
    )
    cfg = es.StudyConfig.from_toml(path)
    assert cfg.tickers == ["NVDA"] and cfg.context_tickers == ("^NDX",)


def test_run_takes_a_study_toml_as_config(tmp_path: Path) -> None:
    """`run --config study.toml` runs the study file `report` takes; its summary.json reruns it byte for byte."""
    study = tmp_path / "study.toml"
    (tmp_path / "events.csv").write_text(
        "event_id,ticker,event_date,group\nNVDA-a,NVDA,2024-05-23,chips\nMSFT-a,MSFT,2024-07-31,software\n"
        "NVDA-b,NVDA,2024-08-29,chips\nMSFT-b,MSFT,2024-10-31,software\n"
    )
    study.write_text(
        '[study]\nname = "own"\nevents_file = "events.csv"\nmarket = "^GSPC"\n[model]\nevent_window = "0:1"\n'
    )
    first, again = tmp_path / "first", tmp_path / "again"
    assert main(["run", "--config", str(study), "--out", str(first)]) == 0
    assert main(["run", "--config", str(first / "summary.json"), "--out", str(again)]) == 0
    for name in ("aggregate.csv", "ar.csv", "params.csv", "summary.json", "tests.csv"):
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    groups = set(pd.read_csv(first / "aggregate.csv")["group"])
    assert groups == {"all", "chips", "software", "chips - software"}


def test_car_windows_given_more_than_once_are_all_kept(tmp_path: Path) -> None:
    argv = ["run", "--events", str(_events(tmp_path)), "--market", "^GSPC", "--model", "constant_mean"]
    repeated, listed = tmp_path / "repeated", tmp_path / "listed"
    assert main([*argv, "--car-windows", "0:0", "--car-windows=-1:1,0:5", "--out", str(repeated)]) == 0
    assert main([*argv, "--car-windows=0:0,-1:1,0:5", "--out", str(listed)]) == 0
    for name in ("tests.csv", "aggregate.csv"):
        assert (repeated / name).read_bytes() == (listed / name).read_bytes(), name
    tests = pd.read_csv(repeated / "tests.csv")
    assert set(tests.loc[tests["scope"] == "event", "window"]) == {"[0,0]", "[-1,+1]", "[0,+5]"}


def test_a_real_process_prints_and_writes_everything_before_it_ends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command ends without the interpreter's teardown: what it printed and wrote is complete, its code 0."""
    import os
    import subprocess
    import sys

    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nn,NVDA,2025-01-27\nc,CEG,2025-01-27\n")
    base = [sys.executable, "-m", "eventstudy", "run", "--events", str(events), "--market", "^GSPC"]
    # Output to a pipe is buffered unless PYTHONUNBUFFERED says otherwise: test the buffered case.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    table = subprocess.run(base, capture_output=True, text=True, check=False, env=env)
    assert table.returncode == 0, table.stderr
    assert main(["run", "--events", str(events), "--market", "^GSPC"]) == 0
    assert table.stdout == capsys.readouterr().out  # every line of the summary, flushed before the end
    written = subprocess.run(
        [*base, "--out", str(tmp_path / "out")], capture_output=True, text=True, check=False, env=env
    )
    assert written.returncode == 0 and written.stdout.startswith("wrote ar.csv")
    again = tmp_path / "again"
    assert main(["run", "--events", str(events), "--market", "^GSPC", "--out", str(again)]) == 0
    for name in ("ar.csv", "params.csv", "tests.csv", "aggregate.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (again / name).read_bytes()


def test_a_long_run_prints_its_first_firm_events_and_says_how_to_get_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventstudy.cli import SUMMARY_ROWS
    from eventstudy.data.sources import wide_sp500

    tickers = [t for t in wide_sp500().columns if t != "date"][: SUMMARY_ROWS + 5]
    events = tmp_path / "events.csv"
    events.write_text("event_id,ticker,event_date,market\n" + "".join(f"{t},{t},2024-08-05,^GSPC\n" for t in tickers))
    assert main(["run", "--events", str(events)]) == 0
    out = capsys.readouterr().out
    assert sum(line.split(" ")[0] in tickers for line in out.splitlines()) == SUMMARY_ROWS
    assert "... and 5 more firm-events: --out DIR writes every one." in out


def test_a_bhar_of_log_returns_compounds_the_simple_returns_they_stand_for() -> None:
    from tests.conftest import bundled_csv

    res = es.event_study(["NVDA"], DATE, returns="log", car_windows=["0:5"])
    eid = res.event_ids[0]
    firm = pd.read_csv(bundled_csv("NVDA.csv"), index_col="date")["adj_close"]
    market = pd.read_csv(bundled_csv("_GSPC.csv"), index_col="date")["adj_close"]
    days = [str(d.date()) for d in res.dates.loc[-1:5, eid]]
    held = firm[days[-1]] / firm[days[0]] - 1  # bought at the close before day 0, held to day 5
    alpha, beta = res.params.loc[eid, "alpha"], res.params.loc[eid, "beta"]
    expected_log = sum(alpha + beta * np.log(market[b] / market[a]) for a, b in itertools.pairwise(days))
    by_hand = held - np.expm1(expected_log)
    assert res.tests("0:5").loc[eid, "bhar"] == pytest.approx(by_hand, rel=1e-10)


def test_dollars_of_a_log_return_study_are_the_simple_abnormal_move_by_hand(tmp_path: Path) -> None:
    from eventstudy.report import build_report
    from tests.conftest import bundled_csv

    res = es.event_study(["NVDA"], DATE, returns="log")
    eid = res.event_ids[0]
    row = res.dollar_impact().loc[eid]
    firm = pd.read_csv(bundled_csv("NVDA.csv"), index_col="date")["adj_close"]
    market = pd.read_csv(bundled_csv("_GSPC.csv"), index_col="date")["adj_close"]
    before, day = "2025-01-24", "2025-01-27"
    normal = np.expm1(res.params.loc[eid, "alpha"] + res.params.loc[eid, "beta"] * np.log(market[day] / market[before]))
    by_hand = row["mv_prev"] * ((firm[day] / firm[before] - 1) - normal)
    assert row["abnormal_change"] == pytest.approx(by_hand, rel=1e-9)
    # the headline says the price change the press reported (-17%), with the log return beside it
    cfg = es.StudyConfig(name="l", events=res.config.events, returns="log")
    from eventstudy.report.render import dollar_section, firm_section

    build_report(cfg, tmp_path / "r", sections=[firm_section, dollar_section])
    headline = (tmp_path / "r" / "report.md").read_text().splitlines()[2]
    assert headline.startswith("**NVDA returned -16.97% (log return -18.59%) on 2025-01-27; its abnormal log return")
    assert "of which about -$460bn abnormal" in headline  # as the simple-return study has it
    assert "| firm | log return day 0 |" in (tmp_path / "r" / "report.md").read_text()
    assert (
        "its abnormal part (abnormal simple return x prior market value)" in (tmp_path / "r" / "report.md").read_text()
    )
    from eventstudy.report.robustness import aggregate_section

    pair = es.event_study(["NVDA", "CEG"], DATE, returns="log").config  # the section needs two firm-events
    build_report(pair, tmp_path / "a", sections=[aggregate_section])
    assert "Average abnormal log return on day 0:" in (tmp_path / "a" / "report.md").read_text()


def test_a_run_up_window_s_summary_shows_its_cars_and_no_empty_day_zero() -> None:
    """Event window [-10,-1] ends before day 0: the summary's columns are the CARs measured, every cell filled."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = es.event_study(["NVDA", "AAPL"], "2024-05-23", market="^GSPC", event_window="-10:-1")
        drift = es.event_study(["NVDA", "AAPL"], "2024-05-23", market="^GSPC", event_window="1:5")
    table = res.summary().table
    assert "AR(0)" not in table.columns and "ret(0)" not in table.columns
    assert (table != "").all().all()
    # a drift window's grid runs through day 0 (between estimation and event window): its AR is shown
    assert (drift.summary().table["AR(0)"] != "").all()


def test_asking_results_for_what_the_study_lacks_names_the_parameter_given() -> None:
    """res.tests('-300:0') is refused as `window` (not car_windows); a group of a study without groups says so."""
    import warnings

    from eventstudy.errors import ConfigError, WindowError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = es.event_study(["NVDA"], "2025-01-27", market="^GSPC")
    with pytest.raises(WindowError, match=r"^window='-300:0' overlaps the estimation window -250:-11"):
        res.tests("-300:0")
    with pytest.raises(ConfigError, match="this study's events have no groups"):
        res.group_results("chips")


@pytest.mark.parametrize(
    ("given", "windows"),
    [("0:5,0:10", [(0, 5), (0, 10)]), ("0:5, 0:10", [(0, 5), (0, 10)]), ("[-1,1]", [(-1, 1)]), ("-1:1", [(-1, 1)])],
)
def test_car_windows_as_one_string_are_read_as_the_command_line_reads_them(given: str, windows: list) -> None:
    from eventstudy.config import Event

    cfg = es.StudyConfig(name="x", events=(Event("n", "NVDA", "2025-01-27", "^GSPC"),), car_windows=given)
    assert [(w.start, w.end) for w in cfg.car_windows] == windows


def test_an_event_time_of_day_is_said_to_be_unused() -> None:
    """'2025-01-27 16:30' counts from that date's session; the warning says so and how to move an after-close event."""
    import warnings

    from eventstudy.errors import TimeOfDayWarning

    with pytest.warns(TimeOfDayWarning, match="the time of day is not used; day 0 is the session of that date"):
        events = es.config.events_for(["NVDA"], "2025-01-27 16:30", "^GSPC")
    assert str(events[0].event_date) == "2025-01-27"
    with warnings.catch_warnings():
        warnings.simplefilter("error", TimeOfDayWarning)  # midnight, or a bare date, says nothing
        es.config.events_for(["NVDA"], "2025-01-27 00:00:00", "^GSPC")
        es.config.events_for(["NVDA"], "2025-01-27", "^GSPC")


def test_a_window_named_twice_is_one_window() -> None:
    from eventstudy.config import StudyConfig, events_for

    cfg = StudyConfig("s", events_for("NVDA", "2025-01-27", "^GSPC"), car_windows="-1:1,[-1,1],0:0,0:0")
    assert [str(w) for w in cfg.car_windows] == ["[-1,+1]", "[0,0]"]
    twice = StudyConfig("s", events_for("NVDA", "2025-01-27", "^GSPC"), context_tickers=["^NDX", "SMH", "^NDX"])
    assert twice.context_tickers == ("^NDX", "SMH")


def test_a_ticker_named_twice_is_refused_as_such() -> None:
    from eventstudy.errors import ConfigError

    with pytest.raises(ConfigError, match="tickers names 'NVDA' more than once; name each firm once"):
        es.event_study(["NVDA", "AVGO", "NVDA"], "2025-01-27")
