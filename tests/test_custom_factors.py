"""User-supplied factor models: the bundled Fama-French factors given as a user file must give
the built-in FF3 results, and an arbitrary factor must match statsmodels OLS."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy import EventStudy, StudyConfig
from eventstudy.cli import main
from eventstudy.config import Event
from eventstudy.errors import ConfigError, DataFormatError
from tests.conftest import ROOT

EVENTS = tuple(Event(t, t, pd.Timestamp("2025-01-27").date(), "^GSPC") for t in ("NVDA", "CEG"))


def _fit(**kw):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EventStudy(StudyConfig(name="f", events=EVENTS, **kw)).fit()


def test_user_file_with_ff3_columns_equals_builtin_ff3(tmp_path: Path) -> None:
    raw = pd.read_csv(ROOT / "data" / "factors" / "ff_factors_daily.csv")
    user = raw.assign(**{c: raw[c] / 100 for c in raw.columns if c != "date"})  # the library publishes percent
    path = tmp_path / "factors.csv"
    user.to_csv(path, index=False)
    builtin = _fit(model="ff3")
    custom = _fit(model="custom", factors=str(path), factor_columns=("mkt_rf", "smb", "hml"))
    np.testing.assert_allclose(custom.ar.to_numpy(), builtin.ar.to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(custom.window_table.to_numpy(), builtin.window_table.to_numpy(), rtol=0, atol=1e-10)


def test_market_plus_a_user_factor_matches_statsmodels(tmp_path: Path) -> None:
    ndx = pd.read_csv(ROOT / "data" / "prices" / "_NDX.csv", index_col="date", parse_dates=["date"])["adj_close"]
    path = tmp_path / "f.csv"
    ndx.pct_change().rename("tech").dropna().rename_axis("date").reset_index().to_csv(path, index=False)
    res = _fit(model="custom", factors=str(path), factor_columns=("market", "tech"))
    est = res.est_mask["NVDA"].to_numpy()
    dates = pd.DatetimeIndex(res.dates["NVDA"])
    x = pd.DataFrame({"m": res.market_ret["NVDA"].to_numpy(), "t": ndx.pct_change().reindex(dates).to_numpy()})
    fit = sm.OLS(res.ret["NVDA"].to_numpy()[est], sm.add_constant(x.to_numpy()[est])).fit()
    assert res.params.loc["NVDA", "beta"] == pytest.approx(fit.params[1], rel=1e-10)
    assert res.params.loc["NVDA", "beta_tech"] == pytest.approx(fit.params[2], rel=1e-10)
    assert res.params.loc["NVDA", "sigma"] == pytest.approx(np.sqrt(fit.scale), rel=1e-10)


def test_a_factor_missing_on_an_event_day_is_named_as_the_cause(tmp_path: Path) -> None:
    """The firms' returns are all there; the factor file lacks the event day, so the CARs are empty and it says why."""
    from eventstudy.errors import MissingReturnsWarning

    ndx = pd.read_csv(ROOT / "data" / "prices" / "_NDX.csv", index_col="date", parse_dates=["date"])["adj_close"]
    tech = ndx.pct_change().rename("tech").dropna().drop(pd.Timestamp("2025-01-27"))
    path = tmp_path / "f.csv"
    tech.rename_axis("date").reset_index().to_csv(path, index=False)
    config = StudyConfig(name="f", events=EVENTS, model="custom", factors=str(path), factor_columns=("market", "tech"))
    with pytest.warns(MissingReturnsWarning, match=r"\[-1,\+1\] \(the factors have no tech on 2025-01-27\)"):
        res = EventStudy(config).fit()
    assert res.car().isna().all() and res.ret.loc[0].notna().all()


def test_custom_model_needs_its_file_and_columns(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="factor_columns"):
        StudyConfig(name="f", events=EVENTS, model="custom")
    path = tmp_path / "f.csv"
    path.write_text("date,oil\n2025-01-02,0.01\n")
    with pytest.raises(DataFormatError, match="has no column 'gold'"):
        _fit(model="custom", factors=str(path), factor_columns=("gold",))


def test_cli_custom_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nn,NVDA,2025-01-27\n")
    code = main(["run", "--events", str(events), "--market", "^GSPC", "--model", "custom", "--factor-columns", "x"])
    assert code == 2 and "factors" in capsys.readouterr().err


def test_a_custom_model_study_is_also_refitted_against_the_other_market_proxies(tmp_path: Path) -> None:
    from eventstudy.report import build_report
    from eventstudy.report.robustness import robustness_section

    ndx = pd.read_csv(ROOT / "data" / "prices" / "_NDX.csv", index_col="date", parse_dates=["date"])["adj_close"]
    path = tmp_path / "f.csv"
    ndx.pct_change().rename("tech").dropna().rename_axis("date").reset_index().to_csv(path, index=False)
    cfg = StudyConfig(name="c", events=EVENTS, model="custom", factors=str(path), factor_columns=("market", "tech"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "r", sections=[robustness_section])
    text = (tmp_path / "r" / "report.md").read_text()
    assert "Not computed" not in text
    assert "(ff3 and carhart use the bundled Ken French daily factors, custom the study's own factor file)" in text
    table = pd.read_csv(tmp_path / "r" / "tables" / "robustness.csv")
    assert {"market vs Nasdaq-100", "custom (the study's factor file)"} <= set(table["spec"])


def _monthly_prices(tmp_path: Path) -> Path:
    """NVDA and the S&P 500 at month ends, from the bundled daily closes."""
    from tests.conftest import bundled_closes

    path = tmp_path / "monthly.csv"
    bundled_closes("NVDA", "^GSPC", rule="ME").to_csv(path)
    return path


MONTHLY = dict(calendar="rows", estimation="-30:-2", event_window="0:0", min_estimation_obs=20)


def test_daily_factors_are_refused_for_monthly_prices(tmp_path: Path) -> None:
    """A daily factor taken on a month-end date would stand for a whole month's return."""
    from eventstudy.errors import FactorFrequencyError

    prices = _monthly_prices(tmp_path)
    events = (Event("n", "NVDA", pd.Timestamp("2025-01-31").date(), "^GSPC"),)
    cfg = StudyConfig(name="m", events=events, prices=(str(prices),), model="ff3", **MONTHLY)  # type: ignore[arg-type]
    with pytest.raises(
        FactorFrequencyError,
        match=r"model='ff3': .* daily factors are dated a median of 1 day apart "
        r"and the prices a median of 3\d days apart",
    ):
        EventStudy(cfg).fit()
    daily = tmp_path / "daily.csv"
    raw = pd.read_csv(ROOT / "data" / "factors" / "ff_factors_daily.csv")
    raw.assign(smb=raw["smb"] / 100)[["date", "smb"]].to_csv(daily, index=False)
    custom = cfg.with_(model="custom", factors=str(daily), factor_columns=("market", "smb"))
    with pytest.raises(FactorFrequencyError, match=f"factors={re.escape(str(daily))}: the factors are dated"):
        EventStudy(custom).fit()
    # monthly returns read as returns are named so
    returns = tmp_path / "monthly_returns.csv"
    pd.read_csv(prices, index_col="date").pct_change().iloc[1:].to_csv(returns)
    as_returns = cfg.with_(prices=(), source="bundled", returns_data=str(returns))
    with pytest.raises(
        FactorFrequencyError, match=r"and the returns a median of 3\d days apart.*factors of the returns'"
    ):
        EventStudy(as_returns).fit()


def test_monthly_factors_serve_monthly_prices(tmp_path: Path) -> None:
    """Factors of the prices' own frequency are taken, and the fit is OLS on them."""
    prices = _monthly_prices(tmp_path)
    frame = pd.read_csv(prices, index_col="date", parse_dates=["date"])
    monthly = tmp_path / "factors.csv"
    rng = np.random.default_rng(7)
    pd.DataFrame({"oil": rng.normal(0, 0.05, len(frame))}, index=frame.index).rename_axis("date").to_csv(monthly)
    events = (Event("n", "NVDA", pd.Timestamp("2025-01-31").date(), "^GSPC"),)
    cfg = StudyConfig(
        name="m",
        events=events,
        prices=(str(prices),),
        model="custom",
        factors=str(monthly),
        factor_columns=("market", "oil"),
        **MONTHLY,  # type: ignore[arg-type]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(cfg).fit()
    returns = frame.pct_change()
    oil = pd.read_csv(monthly, index_col="date", parse_dates=["date"])["oil"]
    est = returns.index[
        returns.index.get_loc(pd.Timestamp("2025-01-31")) - 30 : returns.index.get_loc(pd.Timestamp("2025-01-31")) - 1
    ]
    x = sm.add_constant(np.column_stack([returns.loc[est, "^GSPC"], oil.loc[est]]))
    fit = sm.OLS(returns.loc[est, "NVDA"].to_numpy(), x).fit()
    assert res.params.loc["n", "beta_oil"] == pytest.approx(fit.params[2], rel=1e-10)


def test_weekly_prices_on_a_daily_calendar_are_told_to_count_rows(tmp_path: Path) -> None:
    """Weekly closes on exchange sessions have no two consecutive prices: the reason says so and names the fix."""
    from eventstudy.errors import NoUsableEventsError
    from tests.conftest import bundled_closes

    path = tmp_path / "weekly.csv"
    bundled_closes("NVDA", "^GSPC", rule="W-WED").to_csv(path)
    events = (Event("n", "NVDA", pd.Timestamp("2025-01-29").date(), "^GSPC"),)
    cfg = StudyConfig(name="w", events=events, prices=(str(path),), estimation="-100:-5", event_window="0:1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(
            NoUsableEventsError,
            match=r"its prices are dated a median of 7 days apart, and "
            r"calendar='rows' would count its own dates",
        ):
            EventStudy(cfg).fit()
        res = EventStudy(cfg.with_(calendar="rows", min_estimation_obs=50)).fit()
    assert res.events["status"].iloc[0].startswith("ok")


def test_a_factor_file_s_date_column_is_read_in_any_case(tmp_path: Path) -> None:
    """Price and share files take Date as date; so does a factor file, with the same fit."""
    raw = pd.read_csv(ROOT / "data" / "factors" / "ff_factors_daily.csv")
    user = raw.assign(**{c: raw[c] / 100 for c in raw.columns if c != "date"})
    lower, upper = tmp_path / "lower.csv", tmp_path / "upper.csv"
    user.to_csv(lower, index=False)
    user.rename(columns={"date": "Date"}).to_csv(upper, index=False)
    fits = [_fit(model="custom", factors=str(p), factor_columns=("market", "smb")) for p in (lower, upper)]
    pd.testing.assert_frame_equal(fits[0].ar, fits[1].ar)
