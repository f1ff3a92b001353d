"""Many-firm tests against hand-worked cases, scipy, and simulations with a planted effect."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy import stats

from eventstudy import EventStudy, StudyConfig, Window, aggregate
from eventstudy.aggregate import AGGREGATE_TESTS, Sample
from eventstudy.config import Event
from eventstudy.data.sources import PanelSource
from eventstudy.errors import InvalidOptionError
from eventstudy.inference import InvalidTestStatistic
from eventstudy.inference import TestStatistic as Statistic
from eventstudy.simulate import simulate_event_panel

FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fit(sim, events=None, chunk=20_000, **kw):  # type: ignore[no-untyped-def]
    cfg = StudyConfig(name="sim", events=tuple(events or sim.events), **kw)
    return EventStudy(cfg, PanelSource(sim.panel), chunk_size=chunk).fit()


@pytest.fixture(scope="module")
def res():  # type: ignore[no-untyped-def]
    return _fit(simulate_event_panel(12, seed=3, true_ar=-0.02), car_windows=(Window(-1, 1), Window(0, 2)))


def test_every_test_is_reported_for_each_day_and_window(res) -> None:  # type: ignore[no-untyped-def]
    labels = {"[-1,-1]", "[0,0]", "[+1,+1]", "[+2,+2]", "[-1,+1]", "[0,+2]"}
    assert {str(k) for k, _ in res.aggregate_tests} == labels
    for label in labels:
        for name in AGGREGATE_TESTS:
            assert isinstance(res.aggregate_tests[(label, name)], Statistic)


def test_cross_sectional_t_by_hand(res) -> None:  # type: ignore[no-untyped-def]
    ar0 = res.ar.loc[0].to_numpy()
    t = ar0.mean() / (ar0.std(ddof=1) / np.sqrt(len(ar0)))
    got = res.aggregate_tests[("[0,0]", "csect_t")]
    assert got.statistic == pytest.approx(t, rel=1e-12)
    assert got.pvalue == pytest.approx(stats.ttest_1samp(ar0, 0.0).pvalue, rel=1e-10)


def test_patell_and_bmp_by_hand(res) -> None:  # type: ignore[no-untyped-def]
    """Patell (1976): sum of SAR over sqrt(sum (M-2)/(M-4)); BMP: t of the SARs."""
    sar = (res.ar.loc[0] / np.sqrt(res.ar_var.loc[0])).to_numpy()
    m = res.nobs.to_numpy().astype(float)
    z = sar.sum() / np.sqrt(((m - 2) / (m - 4)).sum())
    assert res.aggregate_tests[("[0,0]", "patell")].statistic == pytest.approx(z, rel=1e-12)
    bmp = sar.mean() / (sar.std(ddof=1) / np.sqrt(len(sar)))
    assert res.aggregate_tests[("[0,0]", "bmp")].statistic == pytest.approx(bmp, rel=1e-12)


@pytest.fixture(scope="module")
def one_date():  # type: ignore[no-untyped-def]
    """Twelve simulated firms, all with an event on the same session: one calendar-overlapping cluster."""
    sim = simulate_event_panel(12, seed=3, true_ar=-0.02)
    day = sim.events[0].event_date
    return _fit(sim, [Event(e.event_id, e.ticker, day, e.market) for e in sim.events])


def _pearson_rbar(res) -> float:  # type: ignore[no-untyped-def]
    est = res.est_mask.to_numpy()
    resid = np.where(est, res.ar.to_numpy(), np.nan)
    assert est.all(axis=1).any()  # the firms share their estimation days
    corr = np.corrcoef(resid[est.all(axis=1)].T)
    n = corr.shape[0]
    return float((corr.sum() - n) / (n * (n - 1)))


def test_kolari_pynnonen_factor_by_hand(one_date) -> None:  # type: ignore[no-untyped-def]
    """t_KP = t_BMP sqrt((1 - r)/(1 + (N - 1) r)), r the mean pairwise residual correlation (Pearson)."""
    rbar = _pearson_rbar(one_date)
    n = len(one_date.event_ids)
    assert one_date.residual_correlation == pytest.approx(rbar, rel=1e-9)
    factor = np.sqrt((1 - rbar) / (1 + (n - 1) * rbar))
    base = one_date.aggregate_tests[("[0,0]", "bmp")].statistic
    assert one_date.aggregate_tests[("[0,0]", "kp_bmp")].statistic == pytest.approx(base * factor, rel=1e-9)


def test_kolari_pynnonen_cross_sectional_t_by_hand(one_date) -> None:  # type: ignore[no-untyped-def]
    """The KP factor applied to the plain cross-sectional t of the ARs."""
    rbar = _pearson_rbar(one_date)
    ar0 = one_date.ar.loc[0].to_numpy()
    n = len(ar0)
    t = ar0.mean() / (ar0.std(ddof=1) / np.sqrt(n)) * np.sqrt((1 - rbar) / (1 + (n - 1) * rbar))
    got = one_date.aggregate_tests[("[0,0]", "kp_csect_t")]
    assert got.statistic == pytest.approx(t, rel=1e-9)
    assert got.pvalue == pytest.approx(2 * stats.t.sf(abs(t), n - 1), rel=1e-9)


def test_skewness_corrected_t_by_hand(res) -> None:  # type: ignore[no-untyped-def]
    """Hall (1992): sqrt(N) (S + g S^2/3 + g^2 S^3/27 + g/(6N)), g the bias-corrected sample skewness."""
    for window, x in (("[0,0]", res.ar.loc[0].to_numpy()), ("[-1,+1]", res.ar.loc[-1:1].sum().to_numpy())):
        n = len(x)
        ratio = x.mean() / x.std(ddof=1)
        g = stats.skew(x, bias=False)
        t = np.sqrt(n) * (ratio + g * ratio**2 / 3 + g**2 * ratio**3 / 27 + g / (6 * n))
        got = res.aggregate_tests[(window, "skew_t")]
        assert got.statistic == pytest.approx(t, rel=1e-9), window
        assert got.pvalue == pytest.approx(2 * stats.t.sf(abs(t), n - 1), rel=1e-9), window


def test_skewness_correction_vanishes_for_a_symmetric_sample() -> None:
    """Values symmetric about their mean have g = 0, so the corrected t is the plain t."""
    from eventstudy.aggregate import skew_t

    x = np.array([-3.0, -1.0, 0.5, 2.0, 2.5, 3.0, 4.5, 6.0, 8.0])  # symmetric about 2.5
    sample = Sample(Window(0, 0), [0], x, x, "AAR = 0")
    got = skew_t(sample, None)  # type: ignore[arg-type]  # the test needs nothing shared
    assert got.statistic == pytest.approx(x.mean() / (x.std(ddof=1) / 3.0), rel=1e-12)


def test_kolari_pynnonen_is_not_applied_to_windows_that_do_not_overlap() -> None:
    sim = simulate_event_panel(4, seed=5)
    days = [sim.events[0].event_date + dt.timedelta(days=30 * k) for k in range(4)]
    res = _fit(sim, [Event(e.event_id, e.ticker, d, e.market) for e, d in zip(sim.events, days, strict=True)])
    assert res.cross_correlation.overlapping_pairs == 0 and np.isnan(res.residual_correlation)
    for name in ("kp_patell", "kp_bmp"):
        got = res.aggregate_tests["0:0", name]
        assert isinstance(got, InvalidTestStatistic) and "overlap in calendar time" in got.reason
    assert isinstance(res.aggregate_tests["0:0", "bmp"], Statistic)


def test_kolari_pynnonen_counts_only_overlapping_pairs() -> None:
    """Two dates far apart, two firms each: only the two same-date pairs (4 ordered) overlap."""
    sim = simulate_event_panel(4, seed=6)
    first = sim.events[0].event_date
    days = [first, first, first + dt.timedelta(days=60), first + dt.timedelta(days=60)]
    res = _fit(sim, [Event(e.event_id, e.ticker, d, e.market) for e, d in zip(sim.events, days, strict=True)])
    cc = res.cross_correlation
    assert (cc.overlapping_pairs, cc.pairs) == (4, 12)
    pair_r = []
    for a, b in ((0, 1), (2, 3)):
        ids = [res.event_ids[a], res.event_ids[b]]
        est = res.est_mask[ids].to_numpy().all(axis=1)
        pair_r.append(np.corrcoef(res.ar[ids].to_numpy()[est].T)[0, 1])
    assert cc.mean == pytest.approx(np.mean(pair_r), rel=1e-9)
    assert cc.effective == pytest.approx(2 * sum(pair_r) / 12, rel=1e-9)


def test_on_one_date_pairing_by_position_is_pairing_on_the_calendar() -> None:
    """With every firm-event's estimation window on the same sessions, both rules correlate the same pairs of days."""
    from eventstudy.aggregate import cross_correlation
    from eventstudy.conventions import CalendarPairs, PositionPairs

    sim = simulate_event_panel(6, seed=8)
    first = sim.events[0].event_date
    cfg = StudyConfig(name="sim", events=tuple(Event(e.event_id, e.ticker, first, e.market) for e in sim.events))
    _, inputs = EventStudy(cfg, PanelSource(sim.panel)).fit_with_inputs()
    assert inputs is not None
    calendar = cross_correlation(inputs.partial, CalendarPairs())
    position = cross_correlation(inputs.partial, PositionPairs())
    assert calendar.overlapping_pairs == calendar.pairs == 30
    assert position.effective == pytest.approx(calendar.effective, abs=1e-12)
    assert position.paired == "position" and calendar.paired == "calendar"


def test_sign_tests_by_hand(res) -> None:  # type: ignore[no-untyped-def]
    ar0 = res.ar.loc[0].to_numpy()
    n, pos = len(ar0), (ar0 > 0).sum()
    assert res.aggregate_tests[("[0,0]", "sign")].statistic == pytest.approx((pos - n / 2) / np.sqrt(n / 4))
    est = res.est_mask.to_numpy()
    share = np.mean([(res.ar.to_numpy()[est[:, j], j] > 0).mean() for j in range(n)])
    gs = (pos - n * share) / np.sqrt(n * share * (1 - share))
    assert res.aggregate_tests[("[0,0]", "gen_sign")].statistic == pytest.approx(gs, rel=1e-12)


def test_wilcoxon_against_scipy(res) -> None:  # type: ignore[no-untyped-def]
    ar0 = res.ar.loc[0].to_numpy()
    ranks = stats.rankdata(np.abs(ar0))
    got = res.aggregate_tests[("[0,0]", "wilcoxon")]
    assert got.statistic == ranks[ar0 > 0].sum()
    assert got.pvalue == pytest.approx(stats.wilcoxon(ar0).pvalue)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-40, 40), min_size=1, max_size=120),
    st.sampled_from([1.0, 0.001, 1e-9]),
)
def test_wilcoxon_matches_scipy_for_any_sample(values: list[int], scale: float) -> None:
    """W+ and its p-value equal scipy.stats.wilcoxon's, exact, permutation and normal alike (ties and zeros included)."""
    x = np.asarray(values, dtype=float) * scale
    got = aggregate.wilcoxon(Sample(Window(0, 0), [0], x, x, "AAR = 0"), None)  # type: ignore[arg-type]
    nonzero = x[x != 0]
    if len(nonzero) == 0:
        assert isinstance(got, InvalidTestStatistic)
        return
    ranks = stats.rankdata(np.abs(nonzero))
    assert got.statistic == pytest.approx(ranks[nonzero > 0].sum(), rel=1e-12)
    assert got.pvalue == pytest.approx(stats.wilcoxon(nonzero).pvalue, rel=1e-9, abs=1e-15)


def _grank_by_hand(res, scar: pd.Series) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Kolari & Pynnonen (2011) section 2, step by step with scipy's ranks: (t, its df, z)."""
    est = res.est_mask
    est_days = est.index[est.any(axis=1)]
    g = scar / scar.std(ddof=1)  # re-standardised for event-induced volatility
    u_est = pd.DataFrame(np.nan, index=est_days, columns=res.ar.columns)
    u0 = {}
    for eid in res.ar.columns:
        days = est.index[est[eid]]
        sar = res.ar.loc[days, eid] / res.params.loc[eid, "sigma"]
        ranks = stats.rankdata(np.append(sar.to_numpy(), g[eid]))
        big_t = len(ranks)
        u = ranks / (big_t + 1) - 0.5
        u_est.loc[days, eid] = u[:-1]
        u0[eid] = u[-1]
    n = len(u0)
    u_bar0 = float(np.mean(list(u0.values())))
    n_t = u_est.notna().sum(axis=1)
    u_bar = u_est.mean(axis=1)
    t_points = len(est_days) + 1
    s_u = np.sqrt(((n_t / n * u_bar**2).sum() + u_bar0**2) / t_points)
    z = u_bar0 / s_u
    t = z * np.sqrt((t_points - 2) / (t_points - 1 - z**2))
    big = est.sum().to_numpy() + 1.0
    z_null = u_bar0 / (np.sqrt(((big - 1) / (12 * (big + 1))).sum()) / n)
    return t, t_points - 2, z_null


def test_generalized_rank_tests_by_hand(res) -> None:  # type: ignore[no-untyped-def]
    """Day 0 (the SAR) and the window [0,+2] (the SCAR) against the paper's steps computed here."""
    scar = res.car("0:2") / res.window_table.xs(Window(0, 2), level="window")["bse"]
    for label, observed in (("[0,0]", res.ar_t.loc[0]), ("[0,+2]", scar)):
        t, df, z = _grank_by_hand(res, observed)
        got_t, got_z = res.aggregate_tests[(label, "grank_t")], res.aggregate_tests[(label, "grank_z")]
        assert got_t.statistic == pytest.approx(t, rel=1e-12), label
        assert got_t.pvalue == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-9), label
        assert got_t.distribution == f"t({df:g})"
        assert got_z.statistic == pytest.approx(z, rel=1e-12), label
        assert got_z.pvalue == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9), label


def test_generalized_rank_tests_by_hand_with_missing_estimation_days() -> None:
    """Firm-events with fewer estimation returns rank among fewer values; each day averages the firms it has."""
    sim = simulate_event_panel(9, seed=5, true_ar=-0.01)
    prices = sim.panel.adj_close.copy()
    first = prices.columns[0]
    prices.iloc[40:70, 0] = np.nan  # one firm misses 30 estimation days (and a return after each gap)
    prices.iloc[90:95, 2] = np.nan
    cfg = StudyConfig(name="gaps", events=tuple(sim.events), min_estimation_obs=100)
    res = EventStudy(cfg, prices).fit()
    assert res.est_mask.sum().nunique() > 1, first
    t, _, z = _grank_by_hand(res, res.ar_t.loc[0])
    assert res.aggregate_tests[("[0,0]", "grank_t")].statistic == pytest.approx(t, rel=1e-12)
    assert res.aggregate_tests[("[0,0]", "grank_z")].statistic == pytest.approx(z, rel=1e-12)


def test_corrado_rank_by_hand(res) -> None:  # type: ignore[no-untyped-def]
    """Corrado (1989): mean rank deviation on the day over its sd across all ranked days."""
    days = [-1, 0, 1, 2]
    ar = res.ar.to_numpy()
    keep = res.est_mask.to_numpy() | np.isin(res.ar.index, days)[:, None]
    dev = np.full(ar.shape, np.nan)
    for j in range(ar.shape[1]):
        col = ar[keep[:, j], j]
        dev[keep[:, j], j] = stats.rankdata(col) - (len(col) + 1) / 2
    counts = np.isfinite(dev).sum(axis=1)
    ok = counts > 0
    daily = np.where(ok, np.nansum(dev, axis=1) / np.maximum(counts, 1), np.nan)
    sd = np.sqrt(np.sum(daily[ok] ** 2) / keep.sum(axis=0).mean())
    day0 = list(res.ar.index).index(0)
    assert res.aggregate_tests[("[0,0]", "rank")].statistic == pytest.approx(daily[day0] / sd, rel=1e-12)


def test_a_test_that_cannot_apply_says_why() -> None:
    sim = simulate_event_panel(1, seed=1)
    res = _fit(sim)
    got = res.aggregate_tests[("[0,0]", "csect_t")]
    assert isinstance(got, InvalidTestStatistic)
    assert "at least two" in got.reason
    assert "not applicable" in str(got)


def test_aggregate_rows_in_tests_table_and_tidy(res) -> None:  # type: ignore[no-untyped-def]
    table = res.tests_table()
    agg = table[table["scope"] == "aggregate"]
    assert set(agg["test"]) == set(AGGREGATE_TESTS)  # AAR/CAAR rows; the ABHAR's are in aggregate_table
    assert (agg["event_id"] == "all").all()
    assert set(table[table["scope"] == "event"]["test"]) == {"t", "sq", "variance_ratio"}
    tidy = res.tidy()
    assert len(tidy) == len(table)
    events_only = res.tests_table(scope="event")
    pd.testing.assert_frame_equal(events_only, table[table["scope"] == "event"].reset_index(drop=True))
    with pytest.raises(InvalidOptionError, match="scope='firm' is not valid"):
        res.tests_table(scope="firm")


@FAST
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000), chunk=st.integers(1, 5))
def test_aggregate_tests_ignore_order_and_chunking(seed: int, perm_seed: int, chunk: int) -> None:
    sim = simulate_event_panel(6, seed=seed)
    base = _fit(sim)
    order = np.random.default_rng(perm_seed).permutation(len(sim.events))
    other = _fit(sim, [sim.events[i] for i in order], chunk=chunk)
    for key, value in base.aggregate_tests.items():
        assert other.aggregate_tests[key].statistic == pytest.approx(
            value.statistic, rel=1e-12, abs=1e-12, nan_ok=True
        ), key


def test_planted_effect_is_rejected_by_every_test() -> None:
    res = _fit(simulate_event_panel(60, seed=8, true_ar=-0.05))
    for name in AGGREGATE_TESTS:
        assert res.aggregate_tests[("[0,0]", name)].pvalue < 0.01, name


@pytest.fixture(scope="module")
def null_pvalues() -> dict[str, np.ndarray]:
    """Day-0 p-values of 200 independent samples of 30 firms with no effect."""
    out: dict[str, list[float]] = {name: [] for name in AGGREGATE_TESTS}
    for seed in range(200):
        sim = simulate_event_panel(30, seed=10_000 + seed, n_sessions=300)
        res = _fit(sim, car_windows=(Window(0, 0),), event_window=Window(0, 0))
        for name in AGGREGATE_TESTS:
            out[name].append(res.aggregate_tests[("[0,0]", name)].pvalue)
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize(
    "name",
    [
        "csect_t",
        "skew_t",
        "kp_csect_t",
        "bw1980",
        "patell",
        "bmp",
        "sign",
        "gen_sign",
        "rank",
        "grank_t",
        "grank_z",
        "wilcoxon",
    ],
)
def test_size_under_no_effect(null_pvalues: dict[str, np.ndarray], name: str) -> None:
    """Rejection at 5% near 5% of 200 runs (binomial 99.9% band 2..20)."""
    rejections = int((null_pvalues[name] < 0.05).sum())
    assert 2 <= rejections <= 20, rejections


@FAST
@given(
    seed=st.integers(0, 10_000),
    rows=st.integers(1, 6),
    cols=st.integers(1, 30),
    decimals=st.integers(0, 2),
    missing=st.floats(0, 0.6),
    infinite=st.booleans(),
)
@example(seed=1851, rows=1, cols=3, decimals=0, missing=0.5, infinite=True)  # -inf and +inf in the middle
def test_one_sort_gives_scipy_ranks_and_numpy_medians(
    seed: int, rows: int, cols: int, decimals: int, missing: float, infinite: bool
) -> None:
    """Ties (values rounded to few decimals), missing values and infinite ones included."""
    import warnings

    from eventstudy.aggregate import row_medians_and_ranks

    rng = np.random.default_rng(seed)
    v = np.round(rng.normal(size=(rows, cols)), decimals)
    v[rng.random(v.shape) < missing] = np.nan
    if infinite:
        v[rng.random(v.shape) < 0.1] = np.inf
        v[rng.random(v.shape) < 0.1] = -np.inf
    med, ranks = row_medians_and_ranks(v, (~np.isnan(v)).sum(axis=1).astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
        np.testing.assert_allclose(med, np.nanmedian(v, axis=1), equal_nan=True)
    np.testing.assert_allclose(ranks, stats.rankdata(v, axis=1, nan_policy="omit"), equal_nan=True)


def test_with_convention_and_with_model_give_new_results(res) -> None:  # type: ignore[no-untyped-def]
    other = res.with_convention("estudy2")
    assert other is not res and other.convention.name == "estudy2" and other.config.returns == "log"
    assert res.convention.name == "mackinlay"  # unchanged
    fresh = _fit(
        simulate_event_panel(12, seed=3, true_ar=-0.02),
        car_windows=(Window(-1, 1), Window(0, 2)),
        convention="estudy2",
        returns="log",
    )
    for key, value in fresh.aggregate_tests.items():
        assert other.aggregate_tests[key].statistic == pytest.approx(value.statistic, rel=1e-12), key
    adjusted = res.with_model("market_adjusted")
    assert adjusted.model.name == "market_adjusted" and "beta" not in adjusted.params.columns


def test_kolari_pynnonen_patell_by_hand(one_date) -> None:  # type: ignore[no-untyped-def]
    """z_KP = z_Patell / sqrt(1 + (N - 1) r) (Kolari and Pynnonen 2010): no (1 - r) term for Patell."""
    rbar = _pearson_rbar(one_date)
    n = len(one_date.event_ids)
    base = one_date.aggregate_tests[("[0,0]", "patell")].statistic
    got = one_date.aggregate_tests[("[0,0]", "kp_patell")]
    assert got.statistic == pytest.approx(base / np.sqrt(1 + (n - 1) * rbar), rel=1e-9)
    assert got.pvalue == pytest.approx(2 * stats.norm.sf(abs(got.statistic)), rel=1e-12)


def test_small_samples_take_exact_binomial_sign_p_values() -> None:
    """All five DeepSeek firms fell on day 0: the exact two-sided sign p is 2 / 2^5 = 0.0625, not 0.025."""
    from eventstudy import event_study

    res = event_study(["NVDA", "CEG", "VST", "GOOGL", "GEV"], "2025-01-27")
    assert (res.ar.loc[0] < 0).all()
    sign = res.aggregate_tests["0:0", "sign"]
    assert sign.pvalue == pytest.approx(2 / 2**5, rel=1e-12)
    assert sign.statistic == pytest.approx((0 - 5 / 2) / np.sqrt(5 / 4), rel=1e-12)  # the z is still reported
    assert "exact" in sign.distribution and "N < 30" in sign.distribution
    gen = res.aggregate_tests["0:0", "gen_sign"]
    est = res.est_mask.to_numpy()
    share = np.mean([(res.ar.to_numpy()[est[:, j], j] > 0).mean() for j in range(5)])
    assert gen.pvalue == pytest.approx(stats.binomtest(0, 5, share).pvalue, rel=1e-12)
    # the estudy2 profile keeps estudy2's normal approximation
    normal = res.with_convention("estudy2").aggregate_tests["0:0", "sign"]
    assert normal.distribution == "N(0,1)"


def test_exact_p_values_switch_to_the_normal_approximation_at_thirty(res) -> None:  # type: ignore[no-untyped-def]
    sim = simulate_event_panel(30, seed=4)
    big = _fit(sim)
    assert big.aggregate_tests["0:0", "sign"].distribution == "N(0,1)"
    assert "exact" in res.aggregate_tests["0:0", "sign"].distribution  # 12 firm-events


def test_the_caar_is_the_plain_mean_and_the_weighted_one_stands_beside_it(res) -> None:  # type: ignore[no-untyped-def]
    table = res.aggregate_table()
    row = table[(table["window"] == "[-1,+1]") & (table["test"] == "csect_t") & (table["measure"] == "ar")].iloc[0]
    cars = res.ar.loc[-1:1].sum()
    sigma = res.params["sigma"]
    assert row["estimate"] == pytest.approx(cars.mean(), rel=1e-12)
    assert row["estimate_weighted"] == pytest.approx((cars / sigma**2).sum() / (1 / sigma**2).sum(), rel=1e-12)
    assert (table["group"] == "all").all() and set(table["measure"]) == {"ar", "bhar"}


def test_one_firm_whose_event_day_sits_on_its_median_runs() -> None:
    """Vistra alone: its Corrado sign on day 0 can be zero, leaving no sign to count; the study still runs."""
    from eventstudy import event_study

    res = event_study(["VST"], "2025-01-27")
    got = res.aggregate_tests["0:0", "corrado_sign"]
    assert np.isfinite(got.pvalue) or isinstance(got, InvalidTestStatistic)


def test_abhar_rows_by_hand(res) -> None:  # type: ignore[no-untyped-def]
    """ABHAR: the plain mean of the BHARs; its cross-sectional and Hall t computed from them by hand."""
    table = res.aggregate_table()
    bhar_rows = table[table["measure"] == "bhar"]
    assert set(bhar_rows["window"]) == {"[-1,+1]", "[0,+2]"}  # multi-day windows only
    x = res.window_table.xs(Window(-1, 1), level="window")["bhar"].to_numpy()
    rows = bhar_rows[bhar_rows["window"] == "[-1,+1]"].set_index("test")
    assert rows["estimate"].iloc[0] == pytest.approx(x.mean(), rel=1e-12)
    assert rows.loc["csect_t", "statistic"] == pytest.approx(stats.ttest_1samp(x, 0.0).statistic, rel=1e-12)
    n, ratio, g = len(x), x.mean() / x.std(ddof=1), stats.skew(x, bias=False)
    hall = np.sqrt(n) * (ratio + g * ratio**2 / 3 + g**2 * ratio**3 / 27 + g / (6 * n))
    assert rows.loc["skew_t", "statistic"] == pytest.approx(hall, rel=1e-9)
    # twelve firm-events make resamples of three: the bootstrap runs
    assert rows.loc["boot_skew_t", "note"] == "" and 0 < rows.loc["boot_skew_t", "p_value"] <= 1


def test_bootstrapped_skewness_adjusted_t_by_hand() -> None:
    """Lyon, Barber & Tsai (1999): sqrt(N)(S + g S^2/3 + g/(6N)), g = sum((x - mean)^3) / (N sd^3)."""
    from eventstudy.aggregate import boot_skew_t

    rng = np.random.default_rng(11)
    x = rng.lognormal(0.0, 1.0, 80) - np.exp(0.5)  # skewed, mean about zero
    n, m, sd = len(x), x.mean(), x.std(ddof=1)
    g = ((x - m) ** 3).sum() / (n * sd**3)
    t = np.sqrt(n) * (m / sd + g * (m / sd) ** 2 / 3 + g / (6 * n))
    got = boot_skew_t(x, "ABHAR = 0")
    assert got.statistic == pytest.approx(t, rel=1e-12)
    assert boot_skew_t(x, "ABHAR = 0").pvalue == got.pvalue  # seeded: the same study prints the same p
    assert "1000 resamples of N/4 = 20" in got.distribution
    planted = boot_skew_t(x + 1.0, "ABHAR = 0")  # a planted effect of one sd or so is found
    assert planted.pvalue < 0.01
    few = boot_skew_t(x[:11], "ABHAR = 0")
    assert isinstance(few, InvalidTestStatistic) and "at least 12" in few.reason
