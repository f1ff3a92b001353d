"""Who was hit and why: cross-sections against statsmodels run directly, exposures recomputed from raw prices,
the portfolio time-series estimate, abnormal volume and the variance ratio by hand."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from eventstudy import event_study
from eventstudy.characteristics import exposures
from eventstudy.cli import main
from eventstudy.crosssection import portfolio_time_series
from eventstudy.data.manifest import data_root
from eventstudy.data.universe import constituents
from eventstudy.errors import ConfigError, EventExcludedWarning

from .conftest import bundled_csv

WIDE = data_root() / "prices" / "sp500_adj_close_wide_2022_2025H1.csv"
DAY = "2024-08-05"  # a study the report was not built for


@pytest.fixture(scope="module")
def study():  # type: ignore[no-untyped-def]
    members = constituents().set_index("Symbol")
    wide = pd.read_csv(WIDE, index_col="date", parse_dates=True)
    complete = wide.loc["2023-06-01":"2024-09-30"].dropna(axis=1).columns
    tickers = [t for t in members.index if t in complete][:40]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = event_study(tickers, DAY, car_windows=["0:0", "0:2"])
    chars = exposures(res, {"chips": "SMH"}, sectors=members["GICS Sector"].to_dict())
    return res, chars.reset_index(), wide


def test_cross_section_equals_statsmodels_run_directly(study) -> None:  # type: ignore[no-untyped-def]
    res, chars, _ = study
    frame = chars.set_index("event_id").join(pd.DataFrame({"car": res.car("0:2"), "sigma": res.params["sigma"]}))
    formula = "car ~ beta_market + beta_chips + runup + volatility"
    for cov, kwargs in (
        ("HC3", {"cov_type": "HC3"}),
        ("cluster", {"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(frame["sector"])[0]}}),
    ):
        ours = res.cross_section(formula, chars, window="0:2", cov=cov, groups="sector" if cov == "cluster" else None)
        direct = smf.ols(formula, data=frame).fit(**kwargs, use_t=True)
        np.testing.assert_allclose(ours.params, direct.params, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.bse, direct.bse, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.pvalues, direct.pvalues, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ours.conf_int().to_numpy(), direct.conf_int().to_numpy(), rtol=1e-9)
    # clustered in G groups, the t-statistics are referred to t(G - 1), as Stata's regress, vce(cluster) does
    clustered = res.cross_section(formula, chars, window="0:2", cov="cluster", groups="sector")
    g = frame["sector"].nunique()
    np.testing.assert_allclose(clustered.pvalues, 2 * stats.t.sf(np.abs(clustered.tvalues), g - 1), rtol=1e-9)
    wls = res.cross_section(formula, chars, window="0:2", weights="inverse_variance", cov="nonrobust")
    direct = smf.wls(formula, data=frame, weights=1 / frame["sigma"] ** 2).fit()
    np.testing.assert_allclose(wls.params, direct.params, rtol=1e-10)


def test_exposures_recomputed_from_the_raw_prices(study) -> None:  # type: ignore[no-untyped-def]
    res, chars, wide = study
    chars = chars.set_index("event_id")
    gspc = pd.read_csv(bundled_csv("_GSPC.csv"), index_col="date", parse_dates=True)["adj_close"].pct_change()
    smh = pd.read_csv(bundled_csv("SMH.csv"), index_col="date", parse_dates=True)["adj_close"].pct_change()
    for eid in res.event_ids[:8]:
        ticker = res.events.loc[eid, "ticker"]
        firm = wide[ticker].pct_change()
        est_dates = res.dates.loc[res.est_mask[eid], eid]
        y = firm.reindex(est_dates).to_numpy()
        assert chars.loc[eid, "beta_market"] == pytest.approx(np.polyfit(gspc.reindex(est_dates), y, 1)[0], rel=1e-9)
        assert chars.loc[eid, "beta_chips"] == pytest.approx(np.polyfit(smh.reindex(est_dates), y, 1)[0], rel=1e-9)
        assert chars.loc[eid, "volatility"] == pytest.approx(np.std(y, ddof=1), rel=1e-9)
        day_250, last = res.dates.loc[-250, eid], res.dates.loc[-21, eid]
        first = wide.index[wide.index.get_loc(day_250) - 1]  # the close before day -250
        assert chars.loc[eid, "runup"] == pytest.approx(wide.loc[last, ticker] / wide.loc[first, ticker] - 1, rel=1e-9)


def test_a_beta_to_a_series_with_too_few_estimation_returns_is_left_empty_with_a_warning() -> None:
    """The bundled ^IXIC begins on 2025-01-02: over an estimation window ending in mid-January it has a few days."""
    from eventstudy.errors import ShortEstimationWindowWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = event_study(["NVDA", "CEG"], "2025-01-27", market="^GSPC")
    with pytest.warns(ShortEstimationWindowWarning, match=r"\^IXIC \(nasdaq\) has fewer than min_estimation_obs=120"):
        chars = exposures(res, {"nasdaq": "^IXIC", "chips": "SMH"})
    assert chars["beta_nasdaq"].isna().all() and chars["beta_chips"].notna().all()
    ixic = pd.read_csv(bundled_csv("_IXIC.csv"), index_col="date", parse_dates=True)["adj_close"].pct_change().dropna()
    for eid in res.event_ids:
        held = ixic.index.isin(res.dates.loc[res.est_mask[eid], eid])
        assert 0 < held.sum() < 120  # a beta could be fitted, from too few days to mean anything


def test_the_portfolio_estimate_equals_ols_on_ars_and_has_its_own_errors(study) -> None:  # type: ignore[no-untyped-def]
    res, chars, _ = study
    formula = "ar ~ beta_market + runup"
    ols = res.cross_section(formula, chars, window="0:0", cov="nonrobust")
    portfolio = portfolio_time_series(res, formula, chars, window="0:0")
    np.testing.assert_allclose(portfolio.params, ols.params, rtol=1e-8, atol=1e-12)
    assert not np.allclose(portfolio.bse, ols.bse)
    assert portfolio.nobs == ols.nobs == len(res.event_ids)


@pytest.mark.parametrize("window", ["0:0", "0:2"])
def test_the_portfolio_estimate_is_sefcik_thompson_s_dummy_regression_under_the_study_s_model(window: str) -> None:
    """Under ff3 the portfolio's excess return is regressed on the French factors with a dummy per window day.

    The regression is run here with statsmodels from the raw prices and factor files, as Sefcik and
    Thompson (1986) define it; the package's estimate must be the sum of the dummies' coefficients
    (the portfolio's CAR), with that sum's standard error and t(T - k) p-value.
    """
    tickers = ["AAPL", "NVDA", "JPM", "XOM", "KO", "PFE", "CAT", "HD", "DUK", "AMZN", "MSFT", "WMT"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = event_study(tickers, DAY, model="ff3", car_windows=[window])
    chars = pd.DataFrame({"ticker": tickers, "size": np.log(np.arange(1.0, 13.0)), "tech": [1, 1] + [0] * 10})
    formula = "car ~ size + tech"
    ours = portfolio_time_series(res, formula, chars, window=window)
    wide = pd.read_csv(WIDE, index_col="date", parse_dates=True)[tickers].pct_change()
    french = pd.read_csv(data_root() / "factors" / "ff_factors_daily.csv")
    french = french.assign(date=pd.to_datetime(french["date"])).set_index("date") / 100
    eid = res.event_ids[0]
    est_days = pd.DatetimeIndex(res.dates.loc[res.est_mask[eid], eid])
    w0, w1 = (int(v) for v in window.split(":"))
    win_days = pd.DatetimeIndex(res.dates.loc[w0:w1, eid])
    days = est_days.append(win_days)
    x = np.column_stack([np.ones(12), chars["size"], chars["tech"]])
    weights = np.linalg.solve(x.T @ x, x.T)
    excess = wide.loc[days].sub(french.loc[days, "rf"], axis=0)[res.events["ticker"].tolist()]
    order = [tickers.index(t) for t in res.events["ticker"]]
    portfolios = excess.to_numpy() @ weights[:, order].T
    design = pd.DataFrame(french.loc[days, ["mkt_rf", "smb", "hml"]].to_numpy(), columns=["mkt_rf", "smb", "hml"])
    dummies = [f"d{k}" for k in range(len(win_days))]
    for k, d in enumerate(dummies):  # one dummy per window day: their sum is the portfolio's CAR
        design[d] = [0.0] * len(est_days) + [1.0 if i == k else 0.0 for i in range(len(win_days))]
    for j, name in enumerate(["Intercept", "size", "tech"]):
        fit = smf.ols(f"y ~ mkt_rf + smb + hml + {' + '.join(dummies)}", data=design.assign(y=portfolios[:, j])).fit()
        car = fit.t_test(" + ".join(dummies) + " = 0")
        assert ours.params[name] == pytest.approx(float(car.effect[0]), rel=1e-9, abs=1e-13)
        assert ours.bse[name] == pytest.approx(float(np.asarray(car.sd).ravel()[0]), rel=1e-9)
        assert ours.pvalues[name] == pytest.approx(float(car.pvalue), rel=1e-7, abs=1e-15)
    # and the coefficients are the cross-sectional OLS estimate of the CARs under the same model
    ols = res.cross_section(formula, chars, window=window, cov="nonrobust")
    np.testing.assert_allclose(ours.params, ols.params, rtol=1e-9, atol=1e-13)


def test_a_firm_s_characteristics_hold_for_each_of_its_events(tmp_path: Path) -> None:
    """Rows keyed by ticker on a study of several dates: each firm's values go to every one of its firm-events."""
    from eventstudy.config import Event, StudyConfig
    from eventstudy.study import EventStudy

    data = pd.DataFrame({"ticker": ["JPM", "KEY"], "big": [1.0, 0.0]})
    events = [Event(f"{t}@{d}", t, d, "^GSPC") for d in ("2024-07-31", "2024-09-18") for t in ("JPM", "KEY")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both = EventStudy(StudyConfig(name="x", events=tuple(events))).fit()
    fit = both.cross_section("ar ~ big", data, window="0:0", cov="nonrobust")
    assert list(fit.data["big"]) == [1.0, 0.0, 1.0, 0.0]
    # by hand: with one dummy, the slope is the mean AR of JPM's events less that of KEY's
    ar = both.ar.loc[0]
    expected = ar[["JPM@2024-07-31", "JPM@2024-09-18"]].mean() - ar[["KEY@2024-07-31", "KEY@2024-09-18"]].mean()
    assert fit.params["big"] == pytest.approx(expected, rel=1e-10)
    with pytest.raises(ConfigError, match="several rows for ticker 'JPM'; keep one row per ticker"):
        both.cross_section("ar ~ big", pd.concat([data, data.head(1)]), window="0:0")


def test_bad_formulas_and_keys_are_one_line(study, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    res, chars, _ = study
    from eventstudy.errors import ConfigError

    with pytest.raises(ConfigError, match="left side must be car, scar or ar"):
        res.cross_section("ret ~ runup", chars)
    with pytest.raises(ConfigError, match="needs groups"):
        res.cross_section("car ~ runup", chars, cov="cluster")
    with pytest.raises(ConfigError, match=r"cannot be fitted|formula"):
        res.cross_section("car ~ no_such_column", chars)
    path = tmp_path / "c.csv"
    path.write_text("ticker,ai\nNVDA,1\nCEG,1\nVST,1\nGOOGL,0\nGEV,1\n")
    out = tmp_path / "o.csv"
    assert (
        main(["xsection", "--characteristics", str(path), "--formula", "ar ~ ai", "--portfolio", "--out", str(out)])
        == 0
    )
    table = pd.read_csv(out)
    assert set(table["term"]) == {"Intercept", "ai"} and len(table) == 4
    assert main(["xsection", "--characteristics", str(path), "--formula", "car ~ nope"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 2  # the short-window warning, then one error line


def test_abnormal_volume_by_hand() -> None:
    """Mean-adjusted log volume (Campbell and Wasley 1996): log(1 + V_0) less its estimation-window mean."""
    res = event_study(["NVDA"], "2025-01-27", measure="volume", model="constant_mean")
    raw = pd.read_csv(bundled_csv("NVDA.csv"), index_col="date", parse_dates=True)["volume"]
    eid = res.event_ids[0]
    est_dates = res.dates.loc[res.est_mask[eid], eid]
    logv = np.log1p(raw)
    expected = logv[pd.Timestamp("2025-01-27")] - logv.reindex(est_dates).mean()
    assert res.ar.loc[0, eid] == pytest.approx(expected, rel=1e-12)
    sd = logv.reindex(est_dates).std(ddof=1)
    assert res.params.loc[eid, "sigma"] == pytest.approx(sd, rel=1e-12)
    # shown as log points, not as a return in per cent
    table = res.summary().table
    assert "ret(0)" not in table.columns and table.loc[eid, "AR(0)"] == f"{expected:.4f}"
    assert table.loc[eid, "log vol(0)"] == f"{logv[pd.Timestamp('2025-01-27')]:.4f}"
    assert "AR and CAR are abnormal log volumes" in str(res.summary())


def test_abnormal_volume_from_the_command_line(tmp_path: Path) -> None:
    """``run --measure volume`` writes the mean-adjusted log volume worked by hand from the bundled file."""
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\nnv,NVDA,2025-01-27\n")
    out = tmp_path / "o"
    args = ["run", "--events", str(events), "--market", "^GSPC", "--measure", "volume", "--model", "constant_mean"]
    assert main([*args, "--out", str(out)]) == 0
    ar = pd.read_csv(out / "ar.csv")
    day0 = ar[(ar["event_id"] == "nv") & (ar["rel_day"] == 0)]["ar"].iloc[0]
    raw = np.log1p(pd.read_csv(bundled_csv("NVDA.csv"), index_col="date", parse_dates=True)["volume"])
    sessions = raw.index[raw.index < pd.Timestamp("2025-01-27")]
    est = raw.loc[sessions[-250] : sessions[-11]]  # [-250,-11]: NVDA trades every session of the calendar
    assert len(est) == 240
    assert day0 == pytest.approx(raw[pd.Timestamp("2025-01-27")] - est.mean(), rel=1e-9)


def test_volume_needs_volume_data() -> None:
    from eventstudy.errors import DataFormatError

    with pytest.raises(DataFormatError, match="has none for GEV"):
        event_study(["GEV"], "2025-01-27", measure="volume", model="constant_mean")
    # beside a firm with volume, a firm without it is left out with its reason, as a firm without prices is
    with pytest.warns(EventExcludedWarning, match="no traded volume for GEV; its firm-events are left out"):
        res = event_study(["NVDA", "GEV"], "2025-01-27", measure="volume", model="constant_mean")
    status = res.events.set_index("ticker")["status"]
    assert status["NVDA"] == "ok" and status["GEV"].startswith("excluded: 0 estimation returns of 240")
    assert "(GEV has no log volumes)" in status["GEV"]
    with pytest.raises(DataFormatError, match="has none for GEV"):
        event_study(["NVDA", "GEV"], "2025-01-27", measure="volume", model="constant_mean", strict=True)


def test_variance_ratio_by_hand() -> None:
    res = event_study(["NVDA", "CEG"], "2025-01-27")
    ratio = res.variance_ratio("-1:1")
    for eid in res.event_ids:
        ar = res.ar.loc[-1:1, eid].to_numpy()
        sigma, df = res.params.loc[eid, "sigma"], res.params.loc[eid, "df"]
        f = np.mean(ar**2) / sigma**2
        assert ratio.loc[eid, "statistic"] == pytest.approx(f, rel=1e-12)
        assert ratio.loc[eid, "pvalue"] == pytest.approx(stats.f.sf(f, 3, df), rel=1e-10)
    tidy = res.tidy()
    assert (tidy["test"] == "variance_ratio").sum() == len(res.event_ids) * len(res.windows)


def test_garch_standardised_ars_against_arch_on_the_raw_files() -> None:
    from arch import arch_model

    from eventstudy.volatility import garch_standardised, savickas_test

    res = event_study(["NVDA", "CEG", "VST"], "2025-01-27")
    ours = garch_standardised(res)
    gspc = pd.read_csv(bundled_csv("_GSPC.csv"), index_col="date", parse_dates=True)["adj_close"].pct_change() * 100
    for eid in res.event_ids:
        ticker = res.events.loc[eid, "ticker"]
        firm = (
            pd.read_csv(bundled_csv(f"{ticker}.csv"), index_col="date", parse_dates=True)["adj_close"].pct_change()
            * 100
        )
        est_dates = res.dates.loc[res.est_mask[eid], eid]
        # The study's returns are the raw files' returns (to 1e-10); the GARCH fit below uses the study's own
        # arrays, because a maximum-likelihood optimiser fed inputs that differ in the last bit stops at a
        # slightly different point.
        y = res.ret.loc[res.est_mask[eid], eid].to_numpy() * 100
        x = res.market_ret.loc[res.est_mask[eid], eid].to_numpy() * 100
        np.testing.assert_allclose(y, firm.reindex(est_dates).to_numpy(), rtol=1e-10)
        np.testing.assert_allclose(x, gspc.reindex(est_dates).to_numpy(), rtol=1e-10)
        fit = arch_model(y, x=x[:, None], mean="LS", vol="GARCH", rescale=False).fit(disp="off")
        a, b = fit.params.iloc[0], fit.params.iloc[1]
        omega, alpha, beta = fit.params["omega"], fit.params["alpha[1]"], fit.params["beta[1]"]
        h = omega + alpha * fit.resid[-1] ** 2 + beta * fit.conditional_volatility[-1] ** 2  # one step ahead
        day = pd.Timestamp("2025-01-27")
        ar = (firm[day] - a - b * gspc[day]) / 100
        assert ours.loc[eid, "ar"] == pytest.approx(ar, rel=1e-9)
        assert ours.loc[eid, "sigma_garch"] == pytest.approx(np.sqrt(h) / 100, rel=1e-9)
    test = savickas_test(ours["sar"])
    direct = stats.ttest_1samp(ours["sar"], 0.0)
    assert test.statistic == pytest.approx(direct.statistic, rel=1e-12)
    assert test.pvalue == pytest.approx(direct.pvalue, rel=1e-10)


def test_the_study_s_groups_and_dates_are_variables_of_the_formula() -> None:
    """On a group dummy alone, OLS gives the difference of the groups' mean CARs."""
    from eventstudy import EventStudy, StudyConfig
    from eventstudy.config import Event

    days = ("2024-09-18", "2024-11-07")
    banks = {"regional": ("KEY", "RF", "HBAN"), "money": ("JPM", "BAC", "C")}
    events = tuple(Event(f"{t}@{d}", t, d, "^GSPC", g) for g, ts in banks.items() for t in ts for d in days)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(StudyConfig(name="banks", events=events, event_window="0:1")).fit()
    car = res.car("0:1")
    group = pd.Series({e.event_id: e.group for e in events})
    by_hand = car[group == "regional"].mean() - car[group == "money"].mean()
    data = pd.DataFrame({"event_id": [e.event_id for e in events], "size": np.arange(len(events), dtype=float)})
    fit = res.cross_section(
        "car ~ C(group, Treatment('money'))", data, window="0:1", cov="cluster", groups="event_date"
    )
    assert fit.params.iloc[1] == pytest.approx(by_hand, rel=1e-12)
    assert fit.df_resid == 1  # two dates, so t(G - 1) = t(1)
    # the study's own variables need no characteristics at all
    bare = res.cross_section("car ~ C(group, Treatment('money'))", window="0:1", cov="cluster", groups="event_date")
    assert bare.params.iloc[1] == pytest.approx(by_hand, rel=1e-12)
    # a variable with one value would be dropped by patsy without a word: refused, saying why
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the same firms' events of two dates overlap, as above
        one_day = res.with_events([e.event_id for e in events if str(e.event_date) == days[0]])
        plain = tuple(Event(e.event_id, e.ticker, e.event_date, e.market) for e in events[:4])
        ungrouped = EventStudy(StudyConfig(name="plain", events=plain)).fit()
    with pytest.raises(ConfigError, match=r"event_date is '2024-09-18' for every firm-event in the regression"):
        one_day.cross_section("car ~ C(group) + C(event_date)", window="0:1")
    with pytest.raises(ConfigError, match=r"group is '' .* the study's events have no group: add a group column"):
        ungrouped.cross_section("car ~ C(group)")
    with pytest.raises(ConfigError, match=r"these fall on 2 \(2024-09-18, 2024-11-07\).*groups='event_date'"):
        portfolio_time_series(res, "car ~ C(group)", data, window="0:1")
    # a characteristics file's own group column speaks for the study's
    data["group"] = ["a", "b"] * (len(events) // 2)
    mine = res.cross_section("car ~ C(group)", data, window="0:1")
    assert list(mine.params.index) == ["Intercept", "C(group)[T.b]"]


def test_groups_without_clustering_are_refused_rather_than_ignored(study) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.errors import ConfigError

    res, chars, _ = study
    with pytest.raises(ConfigError, match=r"clusters the standard errors only with cov='cluster'"):
        res.cross_section("car ~ beta_market", chars, window="0:2", groups="sector")


def test_characteristics_that_miss_firm_events_or_names_are_said(tmp_path: Path) -> None:
    """Rows dropped for a missing value are counted in a warning; a repeated id and an unknown name are named."""
    import warnings

    from eventstudy import event_study
    from eventstudy.errors import ConfigError, EventExcludedWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = event_study(["NVDA", "AVGO", "MU", "TSM", "CEG", "VST"], "2025-01-27")
    data = pd.DataFrame({"event_id": res.event_ids, "size": [1.0, 2.0, 3.0, 4.0, np.nan, np.nan]})
    with pytest.warns(
        EventExcludedWarning,
        match=r"2 of 6 firm-events with a car lack a value the formula .* needs "
        r"\(first: 'CEG@2025-01-27', 'VST@2025-01-27'\)",
    ):
        fit = res.cross_section("car ~ size", data, window="0:1")
    assert fit.nobs == 4
    with pytest.raises(ConfigError, match="several rows for event_id 'NVDA@2025-01-27'"):
        res.cross_section("car ~ size", pd.concat([data, data.iloc[:1]]))
    with pytest.raises(ConfigError, match=r"name 'sise' is not defined\. The columns are: .*Did you mean 'size'\?"):
        res.cross_section("car ~ sise", data)


def test_a_refused_portfolio_estimate_prints_no_half_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Firm-events on two dates: the portfolio estimate is refused before the OLS table is printed."""
    study = tmp_path / "s.toml"
    study.write_text(
        '[study]\nname = "two"\n[[study.events]]\nticker = "NVDA"\nevent_date = 2025-01-27\n'
        '[[study.events]]\nticker = "CEG"\nevent_date = 2024-09-20\n[[study.events]]\nticker = "VST"\n'
        "event_date = 2024-09-20\n"
    )
    chars = tmp_path / "c.csv"
    chars.write_text("ticker,ai\nNVDA,1\nCEG,0\nVST,0\n")
    argv = ["xsection", "--study", str(study), "--characteristics", str(chars), "--formula", "car ~ ai"]
    assert main([*argv, "--portfolio"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "needs firm-events that share one event date" in captured.err
    assert "Leave it out (drop --portfolio)" in captured.err
