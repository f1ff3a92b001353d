"""`eventstudy run` against an independent textbook computation (CLM 1997 ch. 4).

The reference reads the bundled CSV files with the csv module, counts sessions as file
rows (each file holds every NYSE session, data/PROVENANCE.md), fits OLS with
``numpy.linalg.lstsq`` on the raw design [1, R_m] and computes Var(CAR) from the
uncentred matrix formula gamma' V gamma with V = sigma^2 (I + X*(X'X)^-1 X*').
None of it uses the package.
"""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.cli import main

from .conftest import bundled_csv

TICKERS = ["NVDA", "CEG", "VST", "GOOGL"]
EVENT = "2025-01-27"


def _returns(path: Path) -> dict[str, float]:
    with path.open() as fh:
        rows = [(r["date"], r["adj_close"]) for r in csv.DictReader(fh)]
    out = {}
    for (_, p0), (d1, p1) in itertools.pairwise(rows):
        if p0 and p1:
            out[d1] = float(p1) / float(p0) - 1.0
    return out


def reference(ticker: str, est=(-250, -11), window=(-1, 1)) -> dict[str, object]:
    with bundled_csv("_GSPC.csv").open() as fh:
        dates = [r["date"] for r in csv.DictReader(fh)]
    rm_all, ri_all = _returns(bundled_csv("_GSPC.csv")), _returns(bundled_csv(f"{ticker}.csv"))
    e = dates.index(EVENT)
    est_dates = [dates[e + k] for k in range(est[0], est[1] + 1)]
    est_dates = [d for d in est_dates if d in ri_all and d in rm_all]
    y = np.array([ri_all[d] for d in est_dates])
    x = np.column_stack([np.ones(len(y)), [rm_all[d] for d in est_dates]])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    m = len(y)
    resid = y - x @ coef
    sigma2 = resid @ resid / (m - 2)
    ev_dates = [dates[e + k] for k in range(window[0], window[1] + 1)]
    xs = np.column_stack([np.ones(len(ev_dates)), [rm_all[d] for d in ev_dates]])
    ar = np.array([ri_all[d] for d in ev_dates]) - xs @ coef
    v = sigma2 * (np.eye(len(ev_dates)) + xs @ np.linalg.inv(x.T @ x) @ xs.T)
    gamma = np.ones(len(ev_dates))
    car = float(ar.sum())
    t = car / math.sqrt(gamma @ v @ gamma)
    return {
        "alpha": coef[0],
        "beta": coef[1],
        "sigma": math.sqrt(sigma2),
        "n": m,
        "ar": ar,
        "car": car,
        "t": t,
        "p": 2 * stats.t.sf(abs(t), m - 2),
        "t_day": ar / np.sqrt(np.diag(v)),
        "dates": ev_dates,
    }


@pytest.fixture(scope="module")
def run_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("run")
    events = tmp / "events.csv"
    events.write_text("event_id,ticker,event_date\n" + "".join(f"{t},{t},{EVENT}\n" for t in TICKERS))
    out = tmp / "out"
    code = main(
        [
            "run",
            "--prices",
            str(bundled_csv("")),
            "--events",
            str(events),
            "--market",
            "^GSPC",
            "--estimation",
            "-250:-11",
            "--window",
            "-1:1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


@pytest.mark.reference
@pytest.mark.parametrize("ticker", TICKERS)
def test_params_match(run_output: Path, ticker: str) -> None:
    ref = reference(ticker)
    params = pd.read_csv(run_output / "params.csv").set_index("event_id").loc[ticker]
    assert params["n_est"] == ref["n"] == 240
    for key in ("alpha", "beta", "sigma"):
        assert params[key] == pytest.approx(ref[key], abs=1e-8), key


@pytest.mark.reference
@pytest.mark.parametrize("ticker", TICKERS)
def test_ar_car_match(run_output: Path, ticker: str) -> None:
    ref = reference(ticker)
    ar = pd.read_csv(run_output / "ar.csv")
    rows = ar[ar["event_id"] == ticker].sort_values("rel_day")
    assert rows["date"].tolist() == ref["dates"]
    np.testing.assert_allclose(rows["ar"].to_numpy(), ref["ar"], atol=1e-8, rtol=0)
    np.testing.assert_allclose(rows["car"].to_numpy(), np.cumsum(ref["ar"]), atol=1e-8, rtol=0)


@pytest.mark.reference
@pytest.mark.parametrize("ticker", TICKERS)
def test_t_statistic_matches(run_output: Path, ticker: str) -> None:
    ref = reference(ticker)
    tests = pd.read_csv(run_output / "tests.csv")
    row = tests[(tests["event_id"] == ticker) & (tests["test"] == "t") & (tests["window"] == "[-1,+1]")].iloc[0]
    assert row["statistic"] == pytest.approx(ref["t"], abs=1e-8)
    assert row["p_value"] == pytest.approx(ref["p"], abs=1e-8)


@pytest.mark.reference
def test_single_day_variance_is_prediction_error_corrected() -> None:
    """For one day gamma'V gamma reduces to sigma^2 (1 + 1/M + (Rm - mean)^2 / Sxx)."""
    import eventstudy as es

    res = es.event_study(["NVDA"], EVENT, car_windows=["0:0"], event_window="0:0")
    ref = reference("NVDA", window=(0, 0))
    assert res.window_stats("0:0").tvalues.iloc[0] == pytest.approx(ref["t_day"][0], abs=1e-8)
