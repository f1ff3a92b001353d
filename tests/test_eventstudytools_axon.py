"""The EventStudyTools service's published output for 167 Axon 8-K dates, through the command line.

Expected values are read from the service's own result files (printed to 4 decimals), never from
this package. Each is compared at the printed precision: the value rounded to the printed digits
must equal the printed figure (half a unit in the last place).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import main
from tests.service_files import aar_table, caar_row, printed

DATA = Path(__file__).parent / "reference" / "eventstudytools_axon_gspc"
RESULTS = DATA / "results"


@pytest.fixture(scope="module")
def aggregate(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("axon") / "out"
    args = ["run", "--events", str(DATA / "01_requestFile.csv"), "--prices", str(DATA / "02_firmDataPrice.csv")]
    args += ["--prices", str(DATA / "03_marketDataPrice.csv"), "--convention", "eventstudytools"]
    # events 59 and 60 are the same filing day; the service counts both
    args += ["--allow-duplicates", "--car-windows", "0:2", "--out", str(out)]
    assert main(args) == 0
    return pd.read_csv(out / "aggregate.csv")


def _service_aar() -> pd.DataFrame:
    return aar_table(RESULTS)


def _service_caar() -> dict[str, str]:
    return caar_row(RESULTS)


def _ours(aggregate: pd.DataFrame, window: str, test: str, measure: str = "ar") -> pd.Series:
    rows = aggregate[(aggregate["window"] == window) & (aggregate["test"] == test) & (aggregate["measure"] == measure)]
    assert len(rows) == 1, (window, test)
    return rows.iloc[0]


@pytest.mark.parametrize("day", [0, 1, 2])
def test_skewness_corrected_t_of_each_aar(aggregate: pd.DataFrame, day: int) -> None:
    service = _service_aar()
    window = "[0,0]" if day == 0 else f"[+{day},+{day}]"
    ours = _ours(aggregate, window, "skew_t")
    assert printed(ours["statistic"], float(service.loc["Skewness Corrected T", day]))
    assert printed(ours["estimate"], float(service.loc["CurrentReport", day]))
    assert ours["n"] == int(service.loc["N(CurrentReport, AAR(i))", day])


@pytest.mark.parametrize("day", [0, 1, 2])
def test_csect_t_of_each_aar(aggregate: pd.DataFrame, day: int) -> None:
    """The service divides its printed AAR (4 decimals) by sd / sqrt(N); the profile does the same."""
    service = _service_aar()
    window = "[0,0]" if day == 0 else f"[+{day},+{day}]"
    assert printed(_ours(aggregate, window, "csect_t")["statistic"], float(service.loc["Csect T", day]))


def test_caar_value_csect_t_and_skewness_corrected_t(aggregate: pd.DataFrame) -> None:
    row = _service_caar()
    assert row["CAAR Type"] == "(0, 2)"
    skew = _ours(aggregate, "[0,+2]", "skew_t")
    csect = _ours(aggregate, "[0,+2]", "csect_t")
    assert printed(skew["statistic"], float(row["Skewness Corrected T"]))
    assert printed(csect["statistic"], float(row["Csect T"]))
    assert printed(csect["estimate"], float(row["CAAR Value"]))  # the plain mean of the CARs
    assert skew["n"] == int(row["Number of CARs considered"])


def test_abhar_value(aggregate: pd.DataFrame) -> None:
    row = _service_caar()
    assert printed(_ours(aggregate, "[0,+2]", "csect_t", "bhar")["estimate"], float(row["ABHAR"]))


@pytest.mark.parametrize(("test", "name"), [("csect_t", "ABHAR Csect T"), ("skew_t", "ABHAR Skewness Corrected T")])
def test_abhar_tests(aggregate: pd.DataFrame, test: str, name: str) -> None:
    row = _service_caar()
    assert printed(_ours(aggregate, "[0,+2]", test, "bhar")["statistic"], float(row[name]))


@pytest.mark.parametrize("day", [0, 1, 2])
@pytest.mark.parametrize(("test", "name"), [("grank_t", "Generalized Rank T"), ("grank_z", "Generalized Rank Z")])
def test_generalized_rank_tests_of_each_aar(aggregate: pd.DataFrame, day: int, test: str, name: str) -> None:
    service = _service_aar()
    window = "[0,0]" if day == 0 else f"[+{day},+{day}]"
    assert printed(_ours(aggregate, window, test)["statistic"], float(service.loc[name, day]))


@pytest.mark.parametrize("day", [0, 1, 2])
@pytest.mark.parametrize(("test", "name"), [("patell", "Patell Z"), ("bmp", "StdCSect Z")])
def test_patell_and_standardised_cross_sectional_tests_of_each_aar(
    aggregate: pd.DataFrame, day: int, test: str, name: str
) -> None:
    """Each rounded AR over its rounded prediction-error sd: the service's standardised ARs."""
    service = _service_aar()
    window = "[0,0]" if day == 0 else f"[+{day},+{day}]"
    assert printed(_ours(aggregate, window, test)["statistic"], float(service.loc[name, day]))


@pytest.mark.parametrize(("test", "name"), [("patell", "Patell Z"), ("bmp", "StdCSect Z")])
def test_patell_and_standardised_cross_sectional_tests_of_the_caar(
    aggregate: pd.DataFrame, test: str, name: str
) -> None:
    """Patell: each CSAR over sqrt(L (M - 2)/(M - 4)), summed over sqrt(N); StdCSect: each CAR over its own sd."""
    assert printed(_ours(aggregate, "[0,+2]", test)["statistic"], float(_service_caar()[name]))


def test_adjusted_patell_of_the_caar(aggregate: pd.DataFrame) -> None:
    """Patell's z over sqrt(1 + (N - 1) r), r from estimation-window ARs paired by position."""
    assert printed(_ours(aggregate, "[0,+2]", "kp_patell")["statistic"], float(_service_caar()["Adjusted Patell Z"]))


@pytest.mark.parametrize("day", [0, 1, 2])
def test_rank_z_of_each_aar(aggregate: pd.DataFrame, day: int) -> None:
    """Corrado's (1989) rank test: each day's mean rank deviation over the sd of the daily mean deviations."""
    window = "[0,0]" if day == 0 else f"[+{day},+{day}]"
    assert printed(_ours(aggregate, window, "rank")["statistic"], float(_service_aar().loc["Rank Z", day]))


def test_rank_z_of_the_caar(aggregate: pd.DataFrame) -> None:
    assert printed(_ours(aggregate, "[0,+2]", "rank")["statistic"], float(_service_caar()["Rank Z"]))


def test_generalized_rank_tests_of_the_caar(aggregate: pd.DataFrame) -> None:
    """The service ranks each CAR over the root of the sum of its daily AR variances."""
    row = _service_caar()
    assert printed(_ours(aggregate, "[0,+2]", "grank_t")["statistic"], float(row["Generalized Rank T"]))
    assert printed(_ours(aggregate, "[0,+2]", "grank_z")["statistic"], float(row["Generalized Rank Z"]))
