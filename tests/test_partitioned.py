"""Partitioned runs: the events split by ticker, each partition fitted on its own prices, equal one study of them all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.cli import main
from eventstudy.config import StudyConfig, read_events
from eventstudy.data.sources import BundledSource
from eventstudy.errors import ConfigError
from eventstudy.partitioned import (
    PartitionTask,
    aggregate_table,
    estimation_round,
    fit_partition,
    merge_inputs,
    read_event_table,
    run_partitioned,
)
from eventstudy.resolved import resolve

pytest.importorskip("pyarrow")

TICKERS = ["AAPL", "MSFT", "AMZN", "GOOGL", "META", "NVDA", "TSLA", "JPM", "XOM", "JNJ", "PG", "KO", "PEP", "WMT"]
DATES = ["2024-08-05", "2024-08-07", "2025-01-27", "2024-11-06"]
KEY = ["group", "window", "kind", "measure", "test"]
NUMBERS = ["n", "estimate", "estimate_weighted", "statistic", "p_value"]


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bundled prices as one long Parquet file, and events whose windows overlap across firms (and partitions)."""
    folder = tmp_path_factory.mktemp("partitioned")
    panel = BundledSource().load([*TICKERS, "^GSPC"])
    long = panel.adj_close.stack().rename("adj_close").reset_index()
    long.to_parquet(folder / "prices.parquet", index=False)
    rows = [(t, d) for i, t in enumerate(TICKERS) for d in DATES[: 1 + i % 4]]
    events = pd.DataFrame(rows, columns=["ticker", "event_date"]).assign(market="^GSPC")
    events.insert(0, "event_id", [f"e{i}" for i in range(len(events))])
    events.to_csv(folder / "events.csv", index=False)
    run = ["run", "--events", str(folder / "events.csv"), "--prices", str(folder / "prices.parquet")]
    assert main([*run, "--out", str(folder / "whole")]) == 0
    return folder


def _same_aggregate(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert len(a) == len(b) > 40
    assert b.loc[b["test"].isin(["grank_t", "grank_z"]), "statistic"].notna().all()
    both = a.merge(b, on=KEY, suffixes=("_a", "_b"), validate="one_to_one")
    assert len(both) == len(a)
    for col in NUMBERS:
        x, y = both[f"{col}_a"].to_numpy(float), both[f"{col}_b"].to_numpy(float)
        # Sums taken over partitions in another order differ in the last bits only.
        same = (np.isnan(x) & np.isnan(y)) | np.isclose(x, y, rtol=1e-9, atol=1e-12)
        assert same.all(), both.loc[~same, [*KEY, f"{col}_a", f"{col}_b"]]


@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_a_partitioned_run_equals_one_study_of_every_event(study: Path, partitions: int) -> None:
    out = study / f"parted{partitions}"
    argv = ["run", "--events", str(study / "events.csv"), "--prices", str(study / "prices.parquet")]
    assert main([*argv, "--partitions", str(partitions), "--out", str(out)]) == 0
    _same_aggregate(pd.read_csv(study / "whole" / "aggregate.csv"), pd.read_csv(out / "aggregate.csv"))
    assert len(list((out / "ar").glob("part-*.parquet"))) == min(partitions, len(TICKERS))
    assert sorted(p.name for p in out.iterdir()) == [
        ".eventstudy",
        "aggregate.csv",
        "ar",
        "params",
        "summary.json",
        "tests",
    ]
    for name, keys in (
        ("ar", ["event_id", "rel_day"]),
        ("params", ["event_id"]),
        ("tests", ["event_id", "window", "test"]),
    ):
        whole = pd.read_csv(study / "whole" / f"{name}.csv", keep_default_na=False, na_values=[""])
        if name == "tests":
            whole = whole[whole["scope"].eq("event")].drop(columns="scope")
        parted = pd.read_parquet(out / name)
        whole = whole.sort_values(keys, ignore_index=True)
        parted = parted.sort_values(keys, ignore_index=True)[list(whole.columns)]
        assert len(whole) == len(parted)
        for col in whole.columns:
            if pd.api.types.is_numeric_dtype(whole[col]):
                x, y = whole[col].to_numpy(float), parted[col].to_numpy(float)
                # The CSV keeps 12 significant digits.
                assert ((np.isnan(x) & np.isnan(y)) | np.isclose(x, y, rtol=1e-11, atol=1e-15)).all(), (name, col)
            else:
                assert whole[col].astype(str).tolist() == parted[col].astype(str).tolist(), (name, col)


def test_a_partitioned_run_pairs_estimation_ars_by_position_as_one_study_does(study: Path) -> None:
    """Under the eventstudytools profile r comes from every pair, across partitions too."""
    argv = ["run", "--events", str(study / "events.csv"), "--prices", str(study / "prices.parquet")]
    argv += ["--convention", "eventstudytools"]
    assert main([*argv, "--out", str(study / "est_whole")]) == 0
    assert main([*argv, "--partitions", "3", "--out", str(study / "est_parted")]) == 0
    whole = pd.read_csv(study / "est_whole" / "aggregate.csv")
    _same_aggregate(whole, pd.read_csv(study / "est_parted" / "aggregate.csv"))
    assert whole.loc[whole["test"].isin(["kp_patell", "kp_bmp"]), "statistic"].notna().all()


def test_dask_workers_give_the_same_tests(study: Path) -> None:
    distributed = pytest.importorskip("distributed")
    events = read_event_table(study / "events.csv")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        distributed.Client(cluster),
    ):
        run = run_partitioned(events, {}, study / "prices.parquet", study / "on_dask", partitions=4, backend="dask")
    assert run.n_used == run.n_events == len(events)
    _same_aggregate(pd.read_csv(study / "whole" / "aggregate.csv"), run.aggregate)


def test_partitioned_runs_refuse_what_they_cannot_do(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["run", "--events", str(study / "events.csv"), "--prices", str(study / "prices.parquet")]
    assert main([*argv, "--partitions", "3"]) == 2
    assert "--partitions needs --events FILE, one --prices PATH" in capsys.readouterr().err
    events = read_event_table(study / "events.csv")
    with pytest.raises(ConfigError, match="partitions=0 must be a whole number"):
        run_partitioned(events, {}, study / "prices.parquet", study / "none", partitions=0)
    grouped = study / "grouped.csv"
    pd.read_csv(study / "events.csv").assign(group="a").to_csv(grouped, index=False)
    with pytest.raises(ConfigError, match="has groups, which a partitioned run pools"):
        read_event_table(grouped)
    twice = study / "twice.csv"
    pd.concat([pd.read_csv(study / "events.csv")] * 2).to_csv(twice, index=False)
    with pytest.raises(ConfigError, match="event_id 'e0' appears twice"):
        read_event_table(twice)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=4), min_size=33, max_size=33))
def test_any_split_of_the_events_merges_into_the_same_tests(study: Path, tmp_path: Path, labels: list[int]) -> None:
    """Whatever disjoint sets the events fall into (a firm may even be split), the merged tests are the same."""
    events = read_event_table(study / "events.csv")
    assert len(events) == len(labels)
    split = np.asarray(labels)
    outcomes = [
        fit_partition(PartitionTask(k, events[split == k], {}, str(study / "prices.parquet"), str(tmp_path)))
        for k in np.unique(split)
    ]
    fitted = [o for o in outcomes if o.inputs is not None]
    order = np.argsort(np.concatenate([o.rows for o in fitted]), kind="stable")
    bhar = {w: np.concatenate([o.bhar[w] for o in fitted])[order] for w in fitted[0].bhar}
    config = resolve(StudyConfig(name="whole", events=read_events(study / "events.csv")))
    partial = merge_inputs([o.inputs for o in fitted if o.inputs is not None])
    merged = aggregate_table(partial, bhar, config, estimation_round(fitted, partial, config, tmp_path))
    _same_aggregate(pd.read_csv(study / "whole" / "aggregate.csv"), merged)


def test_warnings_beyond_the_printed_twenty_are_said_where_to_find(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saturdays = pd.date_range("2024-06-01", periods=2 * len(TICKERS), freq="7D").strftime("%Y-%m-%d")
    events = pd.DataFrame(
        {
            "event_id": [f"w{i}" for i in range(len(saturdays))],
            "ticker": [*TICKERS, *TICKERS],
            "event_date": saturdays,
            "market": "^GSPC",
        }
    )
    events.to_csv(study / "weekends.csv", index=False)
    out = study / "weekends"
    argv = ["run", "--events", str(study / "weekends.csv"), "--prices", str(study / "prices.parquet")]
    assert main([*argv, "--partitions", "3", "--out", str(out)]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("eventstudy: warning:")]
    assert len(said) == 21
    assert said[-1].endswith(
        f"more warnings; the status column of {out / 'params'} records, for each firm-event, what they said of it"
    )
