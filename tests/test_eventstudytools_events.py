"""Every firm-event the EventStudyTools service printed, for both Axon runs (S&P 500 and NDXT), through the CLI.

Expected values come from the service's own files (``ar_results.csv``, ``car_results.csv``,
``analysis_report.csv``, printed to 4 decimals), never from this package; each is compared at
the printed precision. The NDXT run has the edge cases: 27 events before the market series
starts (the service: "Empty estimation window"), estimation windows shortened down to 14 days,
windows extended over days without a market price, and one event (45) whose event window holds
a day without a market price, which the service drops before labelling the other days in order.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy, EventStudyResults, StudyConfig, Window
from eventstudy.cli import main
from eventstudy.config import read_request_file
from eventstudy.errors import EventStudyWarning
from tests.service_files import CAAR_FIGURES, aar_table, caar_row, event_table, printed

REFERENCE = Path(__file__).parent / "reference"
RUNS = {"gspc": ("eventstudytools_axon_gspc", (0, 2)), "ndxt": ("eventstudytools_axon_ndxt", (-2, 2))}


_DONE: dict[str, Path] = {}


def _run_once(name: str, tmp: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    data = REFERENCE / RUNS[name][0]
    if name not in _DONE:
        lo, hi = RUNS[name][1]
        out = tmp.mktemp(name) / "out"
        args = ["run", "--events", str(data / "01_requestFile.csv"), "--prices", str(data / "02_firmDataPrice.csv")]
        args += ["--prices", str(data / "03_marketDataPrice.csv"), "--convention", "eventstudytools"]
        # events 59 and 60 are the same filing day; the service counts both
        args += ["--allow-duplicates", "--car-windows", f"{lo}:{hi}", "--out", str(out)]
        assert main(args) == 0
        _DONE[name] = out
    return name, data, _DONE[name]


@pytest.fixture(scope="module", params=sorted(RUNS))
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    return _run_once(request.param, tmp_path_factory)


@pytest.fixture(scope="module")
def ndxt(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    return _run_once("ndxt", tmp_path_factory)


def _service(data: Path, name: str) -> pd.DataFrame:
    return event_table(data / "results", name)


def test_the_same_events_are_used_and_the_same_ones_dropped(run: tuple[str, Path, Path]) -> None:
    _, data, out = run
    params = pd.read_csv(out / "params.csv", dtype={"event_id": str}).set_index("event_id")
    used = set(params.index[params["status"].str.startswith("ok")])
    assert used == set(_service(data, "ar_results.csv").index)
    report = (data / "results" / "analysis_report.csv").read_text()
    dropped = set(
        re.findall(r"Event \(Id: (\d+)\) calculations stopped due to reason: Empty estimation window", report)
    )
    assert dropped == set(params.index) - used
    for event in dropped:
        assert params.loc[event, "status"].startswith("excluded: 0 estimation returns")


def test_every_fit_as_the_analysis_report_prints_it(run: tuple[str, Path, Path]) -> None:
    """Estimation window dates, alpha, beta and residual sd of every event the service fitted."""
    _, data, out = run
    report = pd.read_csv(data / "results" / "analysis_report.csv", sep=";")
    report = report[report["Alpha"].notna()]
    report = report.assign(**{"Event ID": report["Event ID"].astype(int).astype(str)}).set_index("Event ID")
    params = pd.read_csv(out / "params.csv", dtype={"event_id": str}).set_index("event_id")
    assert len(report) == int(params["status"].str.startswith("ok").sum())
    for event, row in report.iterrows():
        ours = params.loc[event]
        assert (ours["est_start"], ours["est_end"]) == (
            row["First Date Estimation Window"],
            row["Last Date Estimation Window"],
        ), event
        for column, name in (("alpha", "Alpha"), ("beta", "Beta"), ("sigma", "Residual Standard Deviation")):
            assert printed(float(ours[column]), float(row[name])), (event, column)


@pytest.mark.parametrize(("column", "label"), [("ar", "AR"), ("ar_t", "t-value")])
def test_every_ar_and_its_t_value(run: tuple[str, Path, Path], column: str, label: str) -> None:
    name, data, out = run
    service = _service(data, "ar_results.csv")
    ours = pd.read_csv(out / "ar.csv", dtype={"event_id": str}).set_index(["event_id", "rel_day"])[column]
    lo, hi = RUNS[name][1]
    checked = 0
    for event, row in service.iterrows():
        for day in range(lo, hi + 1):
            figure = float(row[f"{label}({day})"])
            assert printed(float(ours.get((event, day), np.nan)), figure), (event, day)
            checked += 1
    assert checked == len(service) * (hi - lo + 1)


def test_every_car_and_its_t_test(run: tuple[str, Path, Path]) -> None:
    name, data, out = run
    service = _service(data, "car_results.csv")
    lo, hi = RUNS[name][1]
    window = "[0,+2]" if lo == 0 else f"[{lo},+{hi}]"
    cars = json.loads((out / "summary.json").read_text())["headline"]["cars"]
    tests = pd.read_csv(out / "tests.csv", dtype={"event_id": str})
    t = tests[(tests["scope"] == "event") & (tests["window"] == window) & (tests["test"] == "t")]
    t = t.set_index("event_id")["statistic"]
    for event, row in service.iterrows():
        assert printed(float(cars[event]), float(row["CAR Value"])), event  # the sum of the printed ARs
        assert printed(float(t[event]), float(row["CAR t-test"])), event


_FITTED: dict[str, EventStudyResults] = {}


def _fitted(name: str) -> EventStudyResults:
    """The same study through the API (the CLI writes no per-event BHAR or residual correlation)."""
    if name not in _FITTED:
        data = REFERENCE / RUNS[name][0]
        lo, hi = RUNS[name][1]
        request = read_request_file(data / "01_requestFile.csv")
        config = StudyConfig(
            name=name,
            events=request.events,
            estimation=request.estimation,
            event_window=request.event_window,
            car_windows=(Window(lo, hi),),
            convention="eventstudytools",
            allow_duplicates=True,
            prices=(str(data / "02_firmDataPrice.csv"), str(data / "03_marketDataPrice.csv")),
            source="csv",
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EventStudyWarning)
            _FITTED[name] = EventStudy(config).fit()
    return _FITTED[name]


def test_every_bhar(run: tuple[str, Path, Path]) -> None:
    """The BHARs behind the ABHAR rows of aggregate.csv."""
    name, data, _ = run
    lo, hi = RUNS[name][1]
    ours = _fitted(name).window_table.xs(Window(lo, hi), level="window")["bhar"]
    service = _service(data, "car_results.csv")
    for event, row in service.iterrows():
        assert printed(float(ours[event]), float(row["BHAR Value"])), event


def _caar_row(data: Path) -> dict[str, str]:
    return caar_row(data / "results")


@pytest.mark.parametrize(("name", "measure", "test", "column"), CAAR_FIGURES)
def test_the_caar_and_abhar_rows(run: tuple[str, Path, Path], name: str, measure: str, test: str, column: str) -> None:
    run_name, data, out = run
    lo, hi = RUNS[run_name][1]
    window = "[0,+2]" if lo == 0 else f"[{lo},+{hi}]"
    table = pd.read_csv(out / "aggregate.csv")
    row = table[(table["window"] == window) & (table["test"] == test) & (table["measure"] == measure)]
    assert len(row) == 1
    service = _caar_row(data)
    if column == "n":
        assert int(row.iloc[0]["n"]) == int(service[name])
    else:
        assert printed(float(row.iloc[0][column]), float(service[name])), (float(row.iloc[0][column]), service[name])


def test_the_residual_correlation_is_the_one_the_service_adjusts_patell_by(run: tuple[str, Path, Path]) -> None:
    """The service's CAAR Adjusted Patell Z is its Patell Z over sqrt(1 + (N - 1) r).

    Both figures are printed to 4 decimals, so together they bound r; ours must fall inside.
    Read from the service's numbers alone, this holds whatever our own Patell Z is.
    """
    name, data, _ = run
    row = _caar_row(data)
    n = int(row["Number of CARs considered"])
    z, adjusted = float(row["Patell Z"]), float(row["Adjusted Patell Z"])
    half = 0.5e-4
    # r = ((z / adjusted)^2 - 1) / (N - 1) is monotone in each figure: its bounds are at the corners
    corners = [((a / b) ** 2 - 1) / (n - 1) for a in (z - half, z + half) for b in (adjusted - half, adjusted + half)]
    r = _fitted(name).cross_correlation.effective
    assert min(corners) <= r <= max(corners), (r, min(corners), max(corners))


def _aar(data: Path) -> pd.DataFrame:
    return aar_table(data / "results")


def _test(out: Path, day: int, test: str) -> pd.Series:
    window = "[0,0]" if day == 0 else f"[{day:+d},{day:+d}]"
    table = pd.read_csv(out / "aggregate.csv")
    return table[(table["window"] == window) & (table["test"] == test) & (table["group"] == "all")].iloc[0]


def _skew_t(out: Path, day: int) -> pd.Series:
    return _test(out, day, "skew_t")


@pytest.mark.parametrize("day", [-2, -1, 0, 1, 2])
def test_ndxt_skewness_corrected_t_and_csect_t_of_each_aar(ndxt: tuple[str, Path, Path], day: int) -> None:
    _, data, out = ndxt
    service, ours = _aar(data), _skew_t(out, day)
    assert printed(ours["statistic"], float(service.loc["Skewness Corrected T", day]))
    assert printed(_test(out, day, "csect_t")["statistic"], float(service.loc["Csect T", day]))
    assert printed(ours["estimate"], float(service.loc["CurrentReport", day]))
    assert ours["n"] == int(service.loc["N(CurrentReport, AAR(i))", day])


@pytest.mark.parametrize("day", [-2, -1, 0, 1, 2])
@pytest.mark.parametrize(("test", "name"), [("patell", "Patell Z"), ("bmp", "StdCSect Z")])
def test_ndxt_patell_and_standardised_cross_sectional_tests_of_each_aar(
    ndxt: tuple[str, Path, Path], day: int, test: str, name: str
) -> None:
    _, data, out = ndxt
    assert printed(_test(out, day, test)["statistic"], float(_aar(data).loc[name, day]))


def test_ndxt_generalized_rank_z_of_every_day_and_of_the_caar(ndxt: tuple[str, Path, Path]) -> None:
    """Shortened windows' ranks scaled by the requested 120 days plus one, as the service scales them."""
    _, data, out = ndxt
    service = _aar(data)
    for day in range(-2, 3):
        assert printed(_test(out, day, "grank_z")["statistic"], float(service.loc["Generalized Rank Z", day])), day
    z_figure = float(_caar_row(data)["Generalized Rank Z"])
    table = pd.read_csv(out / "aggregate.csv")
    row = table[(table["window"] == "[-2,+2]") & (table["test"] == "grank_z") & (table["measure"] == "ar")].iloc[0]
    assert printed(float(row["statistic"]), z_figure)


def test_generalized_sign_z_of_every_day_and_of_the_caar(run: tuple[str, Path, Path]) -> None:
    """Cowan's share of positive estimation ARs, each AR rounded as jsonlite writes it (tiny ones kept)."""
    name, data, out = run
    lo, hi = RUNS[name][1]
    service = _aar(data)
    for day in range(lo, hi + 1):
        assert printed(_test(out, day, "gen_sign")["statistic"], float(service.loc["Generalized Sign Z", day])), day
    window = "[0,+2]" if lo == 0 else f"[{lo},+{hi}]"
    table = pd.read_csv(out / "aggregate.csv")
    row = table[(table["window"] == window) & (table["test"] == "gen_sign") & (table["measure"] == "ar")].iloc[0]
    assert printed(float(row["statistic"]), float(_caar_row(data)["Generalized Sign Z"]))


def test_ndxt_day_two_counts_event_45_with_its_first_day_repeated(ndxt: tuple[str, Path, Path]) -> None:
    """Event 45 lost day +2 (no market price): it prints no AR there, yet the service counts 140 ARs.

    Its days, repeated in order, fill the window for the many-firm statistics (see the
    profile's ``pooled_days``); its own AR and CAR rows keep the four days it has.
    """
    _, data, out = ndxt
    assert _skew_t(out, 2)["n"] == int(_aar(data).loc["N(CurrentReport, AAR(i))", 2])
    ar = pd.read_csv(out / "ar.csv", dtype={"event_id": str})
    own = ar[ar["event_id"] == "45"].set_index("rel_day")["ar"]
    assert np.isnan(own[2]) and own[[-2, -1, 0, 1]].notna().all()


def test_ndxt_rank_z_differs_from_the_service_s_by_one_common_factor(ndxt: tuple[str, Path, Path]) -> None:
    """Shortened windows' Corrado ranks centred on the requested window's (T + 1)/2, as the service does.

    Then every day's and the CAAR's mean rank deviation are the service's, and our Rank Z is the
    service's times one factor (the sd they are divided by is not reproduced). Centred on their
    own (T_i + 1)/2 the ratios run from 0.03 to 1.6. Rounding the service's figures to 4 decimals
    leaves a spread of at most 1e-4 here (every figure is above 1 in size).
    """
    _, data, out = ndxt
    service = _aar(data)
    ratios = [float(_test(out, day, "rank")["statistic"]) / float(service.loc["Rank Z", day]) for day in range(-2, 3)]
    table = pd.read_csv(out / "aggregate.csv")
    caar = table[(table["window"] == "[-2,+2]") & (table["test"] == "rank") & (table["measure"] == "ar")]
    ratios.append(float(caar.iloc[0]["statistic"]) / float(_caar_row(data)["Rank Z"]))
    assert max(ratios) / min(ratios) - 1 < 2e-4, ratios
