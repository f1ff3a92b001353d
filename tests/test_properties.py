"""Invariants of the engine on seeded simulated panels (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy import EventStudy, StudyConfig, Window
from eventstudy.data.sources import PanelSource
from eventstudy.simulate import simulate_event_panel

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fit(sim, events=None, chunk=20_000, **kw):  # type: ignore[no-untyped-def]
    cfg = StudyConfig(name="sim", events=tuple(events or sim.events), **kw)
    return EventStudy(cfg, PanelSource(sim.panel), chunk_size=chunk).fit()


@FAST
@given(seed=st.integers(0, 10_000), start=st.integers(-5, 0), length=st.integers(1, 6))
def test_car_is_sum_of_ars(seed: int, start: int, length: int) -> None:
    sim = simulate_event_panel(4, seed=seed)
    w = Window(start, start + length - 1)
    res = _fit(sim, car_windows=(w,))
    manual = res.ar.loc[w.start : w.end].sum(axis=0)
    np.testing.assert_allclose(res.car(w).to_numpy(), manual.to_numpy(), rtol=0, atol=1e-14)


# Simulated firms have several events a few months apart: the overlap warning is expected there.
@pytest.mark.filterwarnings("ignore::eventstudy.errors.EstimationOverlapWarning")
@FAST
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
def test_event_order_does_not_matter(seed: int, perm_seed: int) -> None:
    sim = simulate_event_panel(6, seed=seed, events_per_firm=2)
    base = _fit(sim)
    order = np.random.default_rng(perm_seed).permutation(len(sim.events))
    shuffled = _fit(sim, [sim.events[i] for i in order])
    for col in ("car", "bse", "tvalues", "pvalues", "sq_pvalues"):
        a = base.window_table[col].sort_index()
        b = shuffled.window_table[col].sort_index()
        np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())


@FAST
@given(seed=st.integers(0, 10_000), chunk=st.integers(1, 7))
def test_chunk_size_does_not_change_results(seed: int, chunk: int) -> None:
    sim = simulate_event_panel(7, seed=seed)
    whole = _fit(sim)
    parts = _fit(sim, chunk=chunk)
    np.testing.assert_allclose(parts.window_table.to_numpy(), whole.window_table.to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(parts.params.to_numpy(), whole.params.to_numpy(), rtol=0, atol=1e-12)


def test_planted_effect_is_recovered() -> None:
    sim = simulate_event_panel(300, seed=11, true_ar=-0.1)
    res = _fit(sim, car_windows=(Window(0, 0),))
    assert res.ar.loc[0].mean() == pytest.approx(-0.1, abs=0.004)
    # residual sd is 1-3%: the planted -10% is 3-10 sd, so nearly every test rejects
    assert (res.window_stats("0:0").pvalues < 0.05).mean() > 0.9


def test_zero_effect_gives_caar_near_zero_and_nominal_size() -> None:
    sim = simulate_event_panel(1000, seed=5, true_ar=0.0)
    res = _fit(sim)
    stats = res.window_stats("-1:1")
    assert abs(stats.car.mean()) < 0.003
    rate = (stats.pvalues < 0.05).mean()
    assert 0.03 < rate < 0.07, rate  # binomial sd at n=1000 is 0.007
    sq_rate = (stats.sq_pvalues < 0.05).mean()
    assert 0.02 < sq_rate < 0.08, sq_rate


def test_windows_never_cross_a_missing_session() -> None:
    """A price missing inside the event window leaves the CAR empty, never a zero-filled one."""
    sim = simulate_event_panel(2, seed=2)
    ev = sim.events[0]
    adj = sim.panel.adj_close.copy()
    adj.loc[str(ev.event_date), ev.ticker] = np.nan
    from eventstudy.data.panel import PricePanel

    panel = PricePanel(adj, adj, adj * np.nan, adj * np.nan, adj * np.nan, sim.panel.provenance)
    cfg = StudyConfig(name="gap", events=sim.events)
    with pytest.warns(UserWarning, match="missing inside window"):
        res = EventStudy(cfg, PanelSource(panel)).fit()
    assert np.isnan(res.car("-1:1")[ev.event_id])
    assert np.isfinite(res.car("-1:1")[sim.events[1].event_id])


# Simulated firms have several events a few months apart: the overlap warning is expected there.
@pytest.mark.filterwarnings("ignore::eventstudy.errors.EstimationOverlapWarning")
def test_window_paths_give_the_same_statistics() -> None:
    sim = simulate_event_panel(8, seed=9, events_per_firm=2)
    cfg = StudyConfig(name="sim", events=sim.events, car_windows=("-1:1", "0:5"))
    full = EventStudy(cfg, PanelSource(sim.panel)).fit()
    lean = EventStudy(cfg, PanelSource(sim.panel), paths="windows").fit()
    np.testing.assert_array_equal(full.window_table.to_numpy(), lean.window_table.to_numpy())
    assert full.events.equals(lean.events)
    assert list(lean.ar.index) == list(range(-2, 6))  # the day before the first window on
    np.testing.assert_array_equal(full.ar.loc[-2:].to_numpy(), lean.ar.to_numpy())
    for key, value in full.aggregate_tests.items():
        assert lean.aggregate_tests[key].statistic == value.statistic


def test_a_large_batch_warns_once_per_kind() -> None:
    """Most of thirty firm-events lack history: one summary warning, not one each."""
    sim = simulate_event_panel(30, seed=4, n_sessions=300)
    cfg = StudyConfig(name="sim", events=sim.events, estimation=Window(-290, -11), min_estimation_obs=275)
    with pytest.warns(UserWarning) as record:
        res = EventStudy(cfg, PanelSource(sim.panel)).fit()
    excluded = [w for w in record if "left out" in str(w.message)]
    n_excluded = int(res.events["status"].str.startswith("excluded").sum())
    assert n_excluded > 20
    assert len(excluded) == 1 and f"{n_excluded} firm-events" in str(excluded[0].message)
    assert res.events["status"].str.startswith("excluded").sum() + res.events["status"].str.startswith("ok").sum() == 30


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.one_of(st.none(), st.integers(-6, 6).map(float)), min_size=6, max_size=6), min_size=2, max_size=7
    )
)
def test_position_correlation_is_the_mean_of_pairwise_complete_correlations(rows: list[list[float | None]]) -> None:
    """Against pandas' pairwise-complete Pearson correlation of the rows lined up from their first value."""
    from eventstudy.conventions import position_lengths, position_mean, position_sums

    x = np.array([[np.nan if v is None else v for v in row] for row in rows])
    kept = [row[np.isfinite(row)] for row in x]
    lined = pd.DataFrame({i: np.pad(v, (0, x.shape[1] - len(v)), constant_values=np.nan) for i, v in enumerate(kept)})
    c = lined.corr().to_numpy()
    pairs = c[~np.eye(len(x), dtype=bool)]
    pairs = pairs[np.isfinite(pairs)]
    lengths = position_lengths(x)
    ours = position_mean(position_sums(x, lengths))
    # a partitioned run adds the sums of disjoint sets of rows, each taken over every length
    half = np.arange(len(x)) % 2 == 0
    a, b = position_sums(x[half], lengths), position_sums(x[~half], lengths)
    added = position_mean({m: a[m] + b[m] for m in lengths})
    if len(pairs) == 0:
        assert np.isnan(ours) and np.isnan(added)
    else:
        assert ours == pytest.approx(pairs.mean(), abs=1e-12)
        assert added == pytest.approx(ours, abs=1e-12)
