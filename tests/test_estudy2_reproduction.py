"""Reproduce every number estudy2 prints for its COVID-2020 example, under ``convention="estudy2"``.

Reference: R package estudy2 (irudnyts/estudy2 @ 1494638), vignette
``docs/articles/estudy2-intro.html``: for 16-20 March 2020, mean AR and 12 tests (60
statistics) on seven US stocks against the S&P 500, log returns, market model estimated
on 2019-04-01..2020-03-13. The inputs and the printed numbers are copied in
``tests/reference/estudy2_covid2020`` (see ``SOURCES.md``). Each number must agree to
every digit printed: ``|ours - printed| <= 0.5 * 10**-decimals``.
"""

from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest

from eventstudy import EventStudy, StudyConfig, Window
from eventstudy.config import Event
from eventstudy.data.sources import CsvSource
from tests.conftest import REFERENCE

DATA = REFERENCE / "estudy2_covid2020"
TICKERS = ("AMZN", "ZM", "UBER", "NFLX", "SHOP", "FB", "UPWK")

# estudy2 column -> package test name
PARAMETRIC = {
    "bw_1980": "bw1980",
    "bw_1985": "bw1985",
    "t_test": "csect_t",
    "pt": "patell",
    "bh": "bmp",
    "lmb": "lamb",
}
NONPARAMETRIC = {
    "sign": "sign",
    "gsign": "gen_sign",
    "csign": "corrado_sign",
    "rank": "rank",
    "mrank": "modified_rank",
    "wlcx": "wilcoxon",
}


@pytest.fixture(scope="module")
def results():  # type: ignore[no-untyped-def]
    # 240 sessions from 2019-04-02 (first return) to 2020-03-13, the day before the event window.
    cfg = StudyConfig(
        name="estudy2-covid2020",
        events=tuple(Event(t, t, dt.date(2020, 3, 16), "^GSPC") for t in TICKERS),
        returns="log",
        convention="estudy2",
        estimation=Window(-240, -1),
        event_window=Window(0, 4),
        car_windows=(Window(0, 4),),
        min_estimation_obs=200,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ZM and UBER listed during the window: shortened, as in estudy2
        return EventStudy(cfg, CsvSource(DATA / "prices_close.csv")).fit()


def _expected() -> list[tuple[str, str, str, str, str]]:
    """(date, estudy2 column, package test, printed value, printed stars) for all 65 numbers."""
    rows = []
    for name, mapping in (
        ("expected_parametric_tests.csv", PARAMETRIC),
        ("expected_nonparametric_tests.csv", NONPARAMETRIC),
    ):
        frame = pd.read_csv(DATA / name, dtype=str, keep_default_na=False)
        for _, r in frame.iterrows():
            if "mean" in frame.columns:
                rows.append((r["date"], "mean", "mean", r["mean"], ""))
            for col, test in mapping.items():
                rows.append((r["date"], col, test, r[f"{col}_stat"], r[f"{col}_signif"]))
    return rows


EXPECTED = _expected()


def test_all_65_numbers_are_listed() -> None:
    assert len(EXPECTED) == 65


def _tolerance(printed: str) -> float:
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 0.5 * 10.0**-decimals + 1e-12


@pytest.mark.parametrize(
    ("date", "column", "test", "printed", "stars"), EXPECTED, ids=[f"{e[0]}-{e[1]}" for e in EXPECTED]
)
def test_printed_number_is_reproduced(results, date: str, column: str, test: str, printed: str, stars: str) -> None:  # type: ignore[no-untyped-def]
    rel = int((results.dates.iloc[:, 0] == pd.Timestamp(date)).idxmax())
    label = Window(rel, rel)
    if test == "mean":
        ours = float(results.aggregate_estimates.loc[label, "mean"])
    else:
        ours = results.aggregate_tests[(label, test)].statistic
    assert abs(ours - float(printed)) <= _tolerance(printed), (date, column, ours, printed)


def _stars(p: float) -> str:
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


@pytest.mark.parametrize(
    ("date", "column", "test", "printed", "stars"),
    [e for e in EXPECTED if e[2] not in ("mean", "wilcoxon")],
    ids=[f"{e[0]}-{e[1]}" for e in EXPECTED if e[2] not in ("mean", "wilcoxon")],
)
def test_significance_stars_agree(results, date: str, column: str, test: str, printed: str, stars: str) -> None:  # type: ignore[no-untyped-def]
    """Same reference distributions as estudy2 (t(M-1), t(N-1) or N(0,1)), hence the same stars.

    The Wilcoxon stars are left out: estudy2 compares W+ with one-sided quantiles of the
    signed-rank distribution, the package reports a two-sided p-value.
    """
    rel = int((results.dates.iloc[:, 0] == pd.Timestamp(date)).idxmax())
    res = results.aggregate_tests[(str(Window(rel, rel)), test)]
    assert _stars(res.pvalue) == stars, (date, column, res.pvalue)


def test_market_model_matches_independent_reproduction(results) -> None:  # type: ignore[no-untyped-def]
    derived = pd.read_csv(DATA / "derived_market_model_params.csv", index_col="security")
    for ticker, row in derived.iterrows():
        assert results.params.loc[ticker, "alpha"] == pytest.approx(row["alpha"], abs=5e-9)
        assert results.params.loc[ticker, "beta"] == pytest.approx(row["beta"], abs=5e-7)
        assert int(results.nobs[ticker]) == int(row["estimation_obs"])


def test_log_returns_equal_estudy2_rates(results) -> None:  # type: ignore[no-untyped-def]
    """estudy2's own ``rates`` (log P_t / P_t-1) against the package's returns."""
    rates = pd.read_csv(DATA / "rates_log.csv", index_col="date", parse_dates=["date"])
    for ticker in TICKERS:
        ours = pd.Series(results.ret[ticker].to_numpy(), index=pd.DatetimeIndex(results.dates[ticker])).dropna()
        theirs = rates[ticker].reindex(ours.index)
        pd.testing.assert_series_equal(ours, theirs, check_names=False, check_freq=False, rtol=0, atol=1e-12)


def test_the_command_line_reproduces_them_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``eventstudy run --convention estudy2`` writes the same numbers to tests.csv and aggregate.csv."""
    from eventstudy.cli import main

    events = tmp_path / "events.csv"
    events.write_text("event_id,ticker,event_date\n" + "".join(f"{t},{t},2020-03-16\n" for t in TICKERS))
    out = tmp_path / "out"
    args = ["run", "--events", str(events), "--prices", str(DATA / "prices_close.csv"), "--market", "^GSPC"]
    args += ["--convention", "estudy2", "--estimation", "-240:-1", "--window", "0:4", "--out", str(out)]
    assert main(args) == 0
    agg = pd.read_csv(out / "aggregate.csv")
    tests = pd.read_csv(out / "tests.csv")
    for date, _column, test, printed, _stars in EXPECTED:
        rel = list(pd.bdate_range("2020-03-16", "2020-03-20").strftime("%Y-%m-%d")).index(date)
        label = str(Window(rel, rel))
        if test == "mean":
            ours = agg[(agg["window"] == label)]["estimate"].iloc[0]
        else:
            ours = tests[(tests["scope"] == "aggregate") & (tests["window"] == label) & (tests["test"] == test)]
            ours = ours["statistic"].iloc[0]
        assert abs(ours - float(printed)) <= _tolerance(printed), (date, test, ours, printed)
