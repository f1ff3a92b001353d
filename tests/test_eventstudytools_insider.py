"""A third EventStudyTools result set, fitted from the service's own three input files: 312 insider sales.

311 firms sold by insiders before 20 February 2020 (group ``ONE``) and one more (group ``Other``),
all on that date, against the Russell 2000 (RUT): event window [-10,30], estimation 250 days ending
at -11, market model. Many firms on one date, a long window and two groups: the shape of study the
Axon runs (one firm, many dates) do not have. Expected values come from the service's files
(``results/``, printed to 4 decimals), never from this package; each is compared at the printed
precision. The service's many-firm statistics are those of group ``ONE``.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from eventstudy import EventStudy, EventStudyResults, StudyConfig, Window
from eventstudy.cli import main
from eventstudy.config import read_request_file
from eventstudy.errors import EventStudyWarning
from tests.service_files import CAAR_FIGURES, aar_table, caar_row, event_table, printed

DATA = Path(__file__).parent / "reference" / "eventstudytools_insider_rut"
RESULTS = DATA / "results"
DAYS = range(-10, 31)
WINDOW = "[-10,+30]"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("insider") / "out"
    args = ["run", "--events", str(DATA / "01_requestFile.csv"), "--prices", str(DATA / "02_firmDataPrice.csv")]
    args += ["--prices", str(DATA / "03_marketDataPrice.csv"), "--convention", "eventstudytools", "--out", str(folder)]
    assert main(args) == 0
    return folder


@pytest.fixture(scope="module")
def fitted() -> EventStudyResults:
    """The same study through the API, for the per-event BHARs the CLI does not write."""
    request = read_request_file(DATA / "01_requestFile.csv")
    config = StudyConfig(
        name="insider",
        events=request.events,
        estimation=request.estimation,
        event_window=request.event_window,
        convention="eventstudytools",
        prices=(str(DATA / "02_firmDataPrice.csv"), str(DATA / "03_marketDataPrice.csv")),
        source="csv",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EventStudyWarning)
        return EventStudy(config).fit()


def _service(name: str) -> pd.DataFrame:
    return event_table(RESULTS, name)


def _aar() -> pd.DataFrame:
    table = aar_table(RESULTS)
    return table.iloc[: table.index.get_loc("Other")]  # group ONE's rows; Other (one firm) prints none


def _caar() -> dict[str, str]:
    return caar_row(RESULTS)


def _ours(out: Path, window: str, test: str, measure: str = "ar") -> pd.Series:
    table = pd.read_csv(out / "aggregate.csv")
    rows = table[
        (table["group"] == "ONE")
        & (table["window"] == window)
        & (table["test"] == test)
        & (table["measure"] == measure)
    ]
    assert len(rows) == 1, (window, test)
    return rows.iloc[0]


def _day(day: int) -> str:
    return "[0,0]" if day == 0 else f"[{day:+d},{day:+d}]"


def test_every_event_is_used_and_one_window_is_shortened(out: Path) -> None:
    params = pd.read_csv(out / "params.csv", dtype={"event_id": str}).set_index("event_id")
    assert params["status"].str.startswith("ok").all() and len(params) == len(_service("ar_results.csv")) == 312
    assert params.loc["282", "status"] == "ok: short estimation window (201 of 250)"  # PLMR listed in 2019
    report = pd.read_csv(RESULTS / "analysis_report.csv", sep=";").dropna(subset=["Event ID"])
    said = report.set_index(report["Event ID"].astype(int))["Analysis Report"][282]
    assert "A shorter estimation window was applied than specified: 201 days instead of 250" in said


def test_every_fit_as_the_analysis_report_prints_it(out: Path) -> None:
    report = pd.read_csv(RESULTS / "analysis_report.csv", sep=";")
    report = report[report["Alpha"].notna()]
    report = report.assign(**{"Event ID": report["Event ID"].astype(int).astype(str)}).set_index("Event ID")
    params = pd.read_csv(out / "params.csv", dtype={"event_id": str}).set_index("event_id")
    assert len(report) == 312
    for event, row in report.iterrows():
        ours = params.loc[event]
        dates = (row["First Date Estimation Window"], row["Last Date Estimation Window"])
        assert (ours["est_start"], ours["est_end"]) == dates, event
        for column, name in (("alpha", "Alpha"), ("beta", "Beta"), ("sigma", "Residual Standard Deviation")):
            assert printed(float(ours[column]), float(row[name])), (event, column)


@pytest.mark.parametrize(("column", "label"), [("ar", "AR"), ("ar_t", "t-value")])
def test_every_ar_and_its_t_value(out: Path, column: str, label: str) -> None:
    """12,792 ARs and as many t-values, among them five ARs below 1e-5 the service keeps (e.g. -1.4562E-6)."""
    service = _service("ar_results.csv")
    ours = pd.read_csv(out / "ar.csv", dtype={"event_id": str}).set_index(["event_id", "rel_day"])[column]
    for event, row in service.iterrows():
        for day in DAYS:
            assert printed(float(ours[(event, day)]), float(row[f"{label}({day})"])), (event, day)


def test_every_car_and_its_t_test(out: Path) -> None:
    service = _service("car_results.csv")
    cars = json.loads((out / "summary.json").read_text())["headline"]["cars"]
    tests = pd.read_csv(out / "tests.csv", dtype={"event_id": str})
    t = tests[(tests["scope"] == "event") & (tests["window"] == WINDOW) & (tests["test"] == "t")]
    t = t.set_index("event_id")["statistic"]
    assert (service["Window"] == "(-10, 30)").all()
    for event, row in service.iterrows():
        assert printed(float(cars[event]), float(row["CAR Value"])), event
        assert printed(float(t[event]), float(row["CAR t-test"])), event


def test_every_bhar(fitted: EventStudyResults) -> None:
    ours = fitted.window_table.xs(Window(-10, 30), level="window")["bhar"]
    for event, row in _service("car_results.csv").iterrows():
        assert printed(float(ours[event]), float(row["BHAR Value"])), event


AAR_FIGURES = [
    ("Patell Z", "patell"),
    ("Generalized Sign Z", "gen_sign"),
    ("Csect T", "csect_t"),
    ("StdCSect Z", "bmp"),
    ("Skewness Corrected T", "skew_t"),
    ("Generalized Rank Z", "grank_z"),  # PLMR's ranks scaled by the requested 250 days
]


@pytest.mark.parametrize(("name", "test"), AAR_FIGURES)
def test_each_day_s_statistics_of_group_one(out: Path, name: str, test: str) -> None:
    service = _aar()
    for day in DAYS:
        assert printed(float(_ours(out, _day(day), test)["statistic"]), float(service.loc[name, day])), day


def test_each_day_s_aar_and_count(out: Path) -> None:
    service = _aar()
    for day in DAYS:
        ours = _ours(out, _day(day), "csect_t")
        assert printed(float(ours["estimate"]), float(service.loc["ONE", day])), day
        assert int(ours["n"]) == int(service.loc["N(ONE, AAR(i))", day])
        positives, negatives = (int(v) for v in str(service.loc["Pos:Neg(ONE, AAR(i))", day]).split(":"))
        assert int(ours["n"]) == positives + negatives


INSIDER_CAAR_FIGURES = [
    *CAAR_FIGURES,
    ("Generalized Sign Z", "ar", "gen_sign", "statistic"),
    ("Generalized Rank Z", "ar", "grank_z", "statistic"),
]


@pytest.mark.parametrize(("name", "measure", "test", "column"), INSIDER_CAAR_FIGURES)
def test_the_caar_and_abhar_of_group_one(out: Path, name: str, measure: str, test: str, column: str) -> None:
    service = _caar()
    assert service["Grouping Variable"] == "ONE" and service["CAAR Type"] == "(-10, 30)"
    ours = _ours(out, WINDOW, test, measure)
    if column == "n":
        assert int(ours["n"]) == int(service[name])
    else:
        assert printed(float(ours[column]), float(service[name])), (float(ours[column]), service[name])


def test_the_lone_firm_of_group_other_gets_no_many_firm_statistics(out: Path) -> None:
    """The service prints nothing for a group of one firm (and warns about its ABHAR); so does the profile."""
    assert re.search(
        r'One firm for ABHAR calculation in \(-10, 30\) and grouping variable ""Other""',
        (RESULTS / "analysis_report.csv").read_text(),
    )
    table = pd.read_csv(out / "aggregate.csv")
    other = table[(table["group"] == "Other") & (table["test"] == "csect_t")]
    assert other["statistic"].isna().all()
