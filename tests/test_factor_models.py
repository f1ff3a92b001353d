"""Factor models against statsmodels OLS fitted firm by firm (an outside implementation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import eventstudy as es

from .conftest import ROOT


def _factors(model: str) -> pd.DataFrame:
    base = ROOT / "data" / "factors"
    if model == "ff5":
        return pd.read_csv(base / "ff5_factors_daily.csv", index_col="date", parse_dates=["date"]) / 100
    ff = pd.read_csv(base / "ff_factors_daily.csv", index_col="date", parse_dates=["date"]) / 100
    if model == "carhart":
        ff = ff.join(pd.read_csv(base / "momentum_daily.csv", index_col="date", parse_dates=["date"]) / 100)
    return ff


@pytest.mark.reference
@pytest.mark.parametrize(
    ("model", "cols"),
    [
        ("ff3", ["mkt_rf", "smb", "hml"]),
        ("carhart", ["mkt_rf", "smb", "hml", "mom"]),
        ("ff5", ["mkt_rf", "smb", "hml", "rmw", "cma"]),
    ],
)
def test_factor_model_matches_statsmodels(model: str, cols: list[str]) -> None:
    res = es.event_study(["CEG"], "2025-01-27", model=model)
    prices = pd.read_csv(ROOT / "data" / "prices" / "CEG.csv", index_col="date", parse_dates=["date"])["adj_close"]
    ret = prices.pct_change()
    dates = ret.index
    e = dates.get_loc(pd.Timestamp("2025-01-27"))
    est = dates[e - 250 : e - 10]
    f = _factors(model).reindex(dates)
    y = ret.loc[est] - f.loc[est, "rf"]
    x = sm.add_constant(f.loc[est, cols])
    fit = sm.OLS(y, x).fit()
    params = res.params.iloc[0]
    assert params["alpha"] == pytest.approx(fit.params["const"], abs=1e-10)
    for c in cols:
        assert params[f"beta_{c}"] == pytest.approx(fit.params[c], abs=1e-9)
    assert params["sigma"] == pytest.approx(np.sqrt(fit.scale), abs=1e-10)
    # event-day AR and its prediction-error-corrected t from statsmodels' prediction variance
    x0 = np.r_[1.0, f.loc[pd.Timestamp("2025-01-27"), cols].to_numpy()]
    ar0 = ret.loc["2025-01-27"] - f.loc["2025-01-27", "rf"] - x0 @ fit.params.to_numpy()
    var0 = fit.scale + x0 @ fit.cov_params().to_numpy() @ x0
    assert res.ar.loc[0].iloc[0] == pytest.approx(ar0, abs=1e-10)
    assert (res.ar.loc[0] / np.sqrt(res.ar_var.loc[0])).iloc[0] == pytest.approx(ar0 / np.sqrt(var0), abs=1e-8)
