"""The Dask backend gives the in-process results, and the progress bar stays quiet in CI."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy import EventStudy, StudyConfig
from eventstudy.backends import run_chunks, show_progress
from eventstudy.data.sources import PanelSource
from eventstudy.errors import InvalidOptionError
from eventstudy.simulate import simulate_event_panel

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_dask_matches_in_process(client) -> None:  # type: ignore[no-untyped-def]
    sim = simulate_event_panel(40, seed=4, events_per_firm=3, true_ar=-0.01)
    cfg = StudyConfig(name="dask", events=sim.events)
    local = EventStudy(cfg, PanelSource(sim.panel), chunk_size=7).fit()
    remote = EventStudy(cfg, PanelSource(sim.panel), chunk_size=7, backend="dask").fit()
    np.testing.assert_array_equal(local.window_table.to_numpy(), remote.window_table.to_numpy())
    np.testing.assert_array_equal(local.params.to_numpy(), remote.params.to_numpy())
    np.testing.assert_array_equal(local.ar.to_numpy(), remote.ar.to_numpy())
    for key, value in local.aggregate_tests.items():
        assert remote.aggregate_tests[key].statistic == value.statistic, key


def test_dask_keeps_chunk_order(client) -> None:  # type: ignore[no-untyped-def]
    out = run_chunks(lambda x: x * 2, range(25), [1] * 25, "dask", progress=False)
    assert out == [2 * i for i in range(25)]


def test_unknown_backend_is_named() -> None:
    with pytest.raises(InvalidOptionError, match=r"backend='spark'.*dask, local"):
        run_chunks(lambda x: x, [1], [1], "spark")


def test_progress_bar_only_for_long_runs_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert not show_progress(10)  # short run
    monkeypatch.setenv("CI", "true")
    assert not show_progress(1_000_000)  # CI
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert not show_progress(1_000_000)  # piped


def test_progress_bar_counts_firm_events(capsys: pytest.CaptureFixture[str]) -> None:
    run_chunks(lambda x: x, range(3), [10, 10, 5], progress=True)
    err = capsys.readouterr().err
    assert "/25" in err and "firm-events" in err
