"""Chen and Siems (2004) 9/11 CARs, as the R package eventstudies publishes them, through the command line.

Returns in percent for 33 world indices, each on its own trading days (``--calendar rows``),
constant-mean model on each market's rows -30..-11, CARs over [0,10] and [0,5]. Every
printed digit is reproduced.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.cli import main

DATA = Path(__file__).parent / "reference" / "chen_siems_2001_terror"
# cran/eventstudies @ 23a911f, its replication of Chen and Siems (2004) Table 2 (percent)
CAR_0_10 = {
    "S.P500": "-3.832794",
    "Dow": "-7.897366",
    "NASDAQ": "-9.993519",
    "London": "-8.602633",
    "Germany": "-10.45718",
    "Tokyo": "-3.603373",
    "India": "-17.02777",
    "Portugal": "1.698079",
}
CAR_0_5 = {
    "S.P500": "-7.72379",
    "Dow": "-10.56695",
    "NASDAQ": "-10.13781",
    "London": "-4.533527",
    "Tokyo": "-0.5636291",
    "India": "-11.77841",
}


@pytest.fixture(scope="module")
def cars(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    tmp = tmp_path_factory.mktemp("terror")
    dates = pd.read_csv(DATA / "event_dates.csv")
    events = tmp / "events.csv"
    pd.DataFrame({"event_id": dates["name"], "ticker": dates["name"], "event_date": dates["when"]}).to_csv(
        events, index=False
    )
    out = tmp / "out"
    argv = [
        "run",
        "--events", str(events),
        "--market", "S.P500",  # the constant-mean model uses no market; every event still names one
        "--returns-data", str(DATA / "index_returns_percent.csv"),
        "--returns-unit", "percent",
        "--calendar", "rows",
        "--model", "constant_mean",
        "--estimation", "-30:-11",
        "--window", "0:10",
        "--car-windows", "0:10,0:5",
        "--out", str(out),
    ]  # fmt: skip
    assert main(argv) == 0
    tests = pd.read_csv(out / "tests.csv")
    ar = pd.read_csv(out / "ar.csv")
    sums = {
        w: ar[ar["rel_day"].between(lo, hi)].groupby("event_id")["ar"].sum() * 100
        for w, (lo, hi) in {"[0,+10]": (0, 10), "[0,+5]": (0, 5)}.items()
    }
    assert not tests.empty
    return pd.DataFrame(sums)


def _digits(printed: str) -> float:
    mantissa = printed.lstrip("-").replace(".", "")
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 0.5 * 10.0**-decimals if mantissa else 0.0


@pytest.mark.reference
@pytest.mark.parametrize(("market", "printed"), CAR_0_10.items())
def test_car_0_10(cars: pd.DataFrame, market: str, printed: str) -> None:
    assert abs(cars.loc[market, "[0,+10]"] - float(printed)) <= _digits(printed)


@pytest.mark.reference
@pytest.mark.parametrize(("market", "printed"), CAR_0_5.items())
def test_car_0_5(cars: pd.DataFrame, market: str, printed: str) -> None:
    assert abs(cars.loc[market, "[0,+5]"] - float(printed)) <= _digits(printed)


def test_each_market_counts_its_own_rows(cars: pd.DataFrame, tmp_path: Path) -> None:
    """Tokyo reopened on 12 September and was closed on days New York traded: its rows are its own."""
    returns = pd.read_csv(DATA / "index_returns_percent.csv", index_col="date", parse_dates=True)
    tokyo = returns["Tokyo"].dropna()
    day0 = tokyo.index.get_loc(pd.Timestamp("2001-09-12"))
    expected = (tokyo.iloc[day0 : day0 + 11] - tokyo.iloc[day0 - 30 : day0 - 10].mean()).sum()
    assert cars.loc["Tokyo", "[0,+10]"] == pytest.approx(expected, rel=1e-10)
