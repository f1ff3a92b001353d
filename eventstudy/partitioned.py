"""Studies too large for one process: the events split by firm into partitions, each fitted where it runs.

Each partition is a whole study of its events. Whoever runs it (this process, or a Dask
worker) reads only the prices of the partition's firms and markets (a Parquet dataset
is filtered as it is scanned), fits them, and writes its per-event tables as Parquet
(``ar/part-00003.parquet``, likewise ``params/`` and ``tests/``). Only the inputs of the
many-firm tests come back: a few numbers per firm-event and per-day sums. Merged, they
give the tests of one study of every event: rows are stacked, sums added, and the
residual sums of the Kolari-Pynnonen correlation laid out again on the common session
grid, event windows that overlap across partitions joining one cluster.

The client thus holds the events table and the merged test inputs (a few hundred bytes
per firm-event), never the prices or the paths of abnormal returns. The generalized rank
tests also need each firm-event's estimation ARs: a partition leaves them in a file of its
own (``.grank/`` in the output folder, removed at the end), and once the client knows each
tested value's cross-sectional sd a second round ranks them where they lie, sending back
sums per estimation day. Where the profile pairs estimation ARs by position for the
Kolari-Pynnonen ``r`` (EventStudyTools), the same round sends back their sums per position.
"""

from __future__ import annotations

import functools
import io
import operator
import shutil
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy import aggregate
from eventstudy._io import csv_text, staged_directory, write_bytes_atomic
from eventstudy._meta import json_safe, json_text, record_versions
from eventstudy._options import DEFAULT_MARKET
from eventstudy.backends import run_chunks
from eventstudy.config import Event, StudyConfig, warn_unused_market
from eventstudy.conventions import PositionPairs, PositionSums, RankLength, position_sums
from eventstudy.data.sources import CsvSource
from eventstudy.dates import parse_date_column
from eventstudy.errors import ConfigError, DataSourceError, EventStudyWarning, NoUsableEventsError
from eventstudy.inference import InvalidTestStatistic
from eventstudy.resolved import ResolvedConfig, resolve
from eventstudy.results import AGGREGATE_COLUMNS, pooled_rows
from eventstudy.study import EventStudy, ManyFirmInputs, relative_layout
from eventstudy.windows import Window

EVENT_COLUMNS = ("event_id", "ticker", "event_date", "market")
TABLES = ("ar", "params", "tests")
"""Per-event tables each partition writes, one Parquet file per partition in a folder of that name."""


def read_event_table(path: str | Path, market: str | None = None) -> pd.DataFrame:
    """Read an events CSV as text columns ``event_id, ticker, event_date, market`` (checked for blanks and repeats).

    Dates stay text here: each partition parses its own (with the study's date format).

    Raises
    ------
    ConfigError
        If the file is missing or unreadable, lacks a column, has a blank cell, or
        repeats an event id.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (FileNotFoundError, IsADirectoryError):
        raise ConfigError(f"--events {path}: file not found; check the path.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--events {path}: not a readable CSV ({str(exc).splitlines()[0]}).") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "market" in frame.columns and frame["market"].str.strip().ne("").all():
        warn_unused_market(market, path)
    market = market or DEFAULT_MARKET
    if "market" not in frame.columns:
        frame["market"] = market
    if "group" in frame.columns and frame["group"].str.strip().ne("").any():
        raise ConfigError(
            f"--events {path}: has groups, which a partitioned run pools; run each group as a study of its own."
        )
    missing = [c for c in EVENT_COLUMNS if c not in frame.columns]
    if missing:
        raise ConfigError(f"--events {path}: no {', '.join(missing)} column; write {','.join(EVENT_COLUMNS)}.")
    frame = frame[list(EVENT_COLUMNS)].apply(lambda col: col.str.strip())
    frame["market"] = frame["market"].mask(frame["market"].eq(""), market)
    blank = frame.eq("").any(axis=1).to_numpy()
    if blank.any():
        row = int(np.argmax(blank))
        column = frame.columns[frame.iloc[row].eq("").to_numpy()][0]
        raise ConfigError(f"--events {path}: line {row + 2} has no {column}; fill it in.")
    repeated = frame["event_id"].duplicated()
    if repeated.any():
        raise ConfigError(
            f"--events {path}: event_id {frame['event_id'][repeated].iloc[0]!r} appears twice; give each event its own id."
        )
    if frame.empty:
        raise ConfigError(f"--events {path}: has no events.")
    return frame


def assign_partitions(tickers: pd.Series, partitions: int) -> np.ndarray:
    """Partition of each event: a stable hash of its ticker, so each firm's prices are read by one partition."""
    codes, names = pd.factorize(tickers)
    of_name = pd.util.hash_array(np.asarray(names, dtype=object)) % np.uint64(partitions)
    return np.asarray(of_name, dtype=np.int64)[codes]


@dataclass(frozen=True)
class PartitionTask:
    """One partition's work: its events, the study's options, where prices are and where tables go."""

    part: int
    events: pd.DataFrame  # indexed by each event's row in the whole events table
    options: Mapping[str, Any]
    prices: str
    out: str


@dataclass(frozen=True)
class PartitionOutcome:
    """What a partition sends back: counts, the inputs of the many-firm tests, BHARs and warnings."""

    part: int
    n_events: int
    n_used: int
    inputs: ManyFirmInputs | None  # None when no firm-event of the partition could be used
    rows: np.ndarray  # each event's row in the whole events table
    bhar: Mapping[Window, np.ndarray]
    warnings: tuple[str, ...]
    reason: str = ""


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def fit_partition(task: PartitionTask) -> PartitionOutcome:
    """Fit one partition's events on its own prices and write its per-event tables (see the module notes)."""
    options = dict(task.options)
    raw = task.events
    dates = parse_date_column("event_date", raw["event_date"].tolist(), options.get("date_format"))
    events = tuple(
        Event(event_id=e, ticker=t, event_date=d, market=m)
        for e, t, d, m in zip(raw["event_id"], raw["ticker"], dates, raw["market"], strict=True)
    )
    config = resolve(StudyConfig(name=f"partition {task.part}", events=events, **options))
    source = CsvSource(task.prices, config.negative_prices, date_format=config.date_format)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EventStudyWarning)
        try:
            # The partition's own many-firm tests would be thrown away: the client tests all events.
            res, inputs = EventStudy(config, source, progress=False, paths="windows").fit_with_inputs(
                many_firm_tests=False
            )
        except NoUsableEventsError as exc:
            said = tuple(dict.fromkeys(str(w.message) for w in caught))
            return PartitionOutcome(task.part, len(events), 0, None, raw.index.to_numpy(), {}, said, str(exc))
    said = tuple(dict.fromkeys(str(w.message) for w in caught))
    tables = {
        "ar": res.to_frame(),
        "params": res.params_table().reset_index(),
        "tests": res.tests_table(scope="event").drop(columns="scope"),
    }
    for name, table in tables.items():
        write_bytes_atomic(Path(task.out) / name / f"part-{task.part:05d}.parquet", _parquet_bytes(table))
    n_used = int(res.events["status"].str.startswith("ok").sum())
    buffer = io.BytesIO()
    np.save(buffer, inputs.partial.rows["est_ar"], allow_pickle=False)
    write_bytes_atomic(_estimation_file(task.out, task.part), buffer.getvalue())
    inputs = replace(inputs, partial=inputs.partial.without_estimation_rows())
    return PartitionOutcome(task.part, len(events), n_used, inputs, raw.index.to_numpy(), res.bhars, said)


ESTIMATION_FOLDER = ".grank"
"""Where partitions leave their estimation ARs for the second round (generalized ranks, positional r)."""


def _estimation_file(out: str | Path, part: int) -> Path:
    return Path(out) / ESTIMATION_FOLDER / f"part-{part:05d}.npy"


@dataclass(frozen=True)
class RankTask:
    """One partition's share of the second round over estimation ARs.

    Its estimation ARs' file, sigmas and event values (the generalized rank tests, their ranks
    scaled as the profile's ``rank_length`` says), and the sample's estimation lengths when the
    profile pairs estimation ARs by position (else empty).
    """

    path: str
    sigma: np.ndarray
    events: aggregate.GrankEvents
    rank_length: RankLength
    lengths: tuple[int, ...] = ()


def rank_partition(task: RankTask) -> tuple[dict[Window, aggregate.GrankSums], PositionSums]:
    """Rank one partition's event observations among its estimation SARs and sum its ARs by position.

    See :func:`aggregate.grank_sums` and :func:`conventions.position_sums`.
    """
    try:
        est_ar = np.load(task.path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise DataSourceError(
            f"{task.path}: a partition's estimation ARs cannot be read back ({exc}); run again"
        ) from None
    ranks = aggregate.grank_sums(est_ar, task.sigma, task.events, task.rank_length)
    return ranks, position_sums(est_ar, task.lengths)


@dataclass(frozen=True)
class EstimationRound:
    """What the client learns from the partitions' estimation ARs."""

    ranks: dict[Window, aggregate.GrankParts | InvalidTestStatistic]
    position: PositionSums | None  # None unless the profile pairs estimation ARs by position


def estimation_round(
    fitted: Sequence[PartitionOutcome],
    partial: aggregate.Partial,
    config: ResolvedConfig,
    out: str | Path,
    *,
    backend: str = "local",
    progress: bool | None = None,
) -> EstimationRound:
    """Compute what needs every partition's estimation ARs: the generalized rank tests and a positional ``r``.

    ``fitted`` are the partitions whose inputs were merged into ``partial``, in that order.
    """
    windows = list(config.windows)
    _, days, _ = relative_layout(config)
    samples = aggregate.test_samples(partial, days, windows, config.profile)
    sigma = aggregate.standardising_sd(partial, config.profile)
    events, invalid = aggregate.grank_events(samples, aggregate.grank_usable(partial, sigma))
    by_position = isinstance(config.profile.correlation, PositionPairs)
    # every partition sums over the lengths of the whole sample, so that the sums add up
    nobs = partial.rows["nobs"]
    lengths = tuple(int(m) for m in np.unique(nobs[nobs >= 2])) if by_position else ()
    if not events and not lengths:
        return EstimationRound(dict(invalid), None)
    sizes = [o.inputs.partial.n for o in fitted if o.inputs is not None]
    bounds = np.cumsum([0, *sizes])
    tasks = [
        RankTask(
            str(_estimation_file(out, o.part)),
            sigma[a:b],
            {w: (ok[a:b], g[a:b]) for w, (ok, g) in events.items()},
            config.profile.rank_length,
            lengths,
        )
        for o, a, b in zip(fitted, bounds[:-1], bounds[1:], strict=True)
    ]
    shares = run_chunks(rank_partition, tasks, sizes, backend, progress=progress)
    done: dict[Window, aggregate.GrankParts | InvalidTestStatistic] = dict(invalid)
    for w, (ok, _) in events.items():
        total = functools.reduce(operator.add, (share[w] for share, _ in shares))
        done[w] = aggregate.grank_parts(total, int(ok.sum()))
    position = {m: np.sum([sums[m] for _, sums in shares], axis=0) for m in lengths} if by_position else None
    return EstimationRound(done, position)


def merge_inputs(parts: Sequence[ManyFirmInputs]) -> aggregate.Partial:
    """Merge the test inputs of fits of disjoint events into those of one fit of them all.

    Raises
    ------
    DataSourceError
        If a partition counted days on a session grid that is not a stretch of the
        others' (its tests would not line up on the calendar).
    """
    sessions = pd.DatetimeIndex(np.unique(np.concatenate([p.sessions.to_numpy() for p in parts])))
    offsets = []
    for p in parts:
        start = int(sessions.get_loc(p.sessions[0]))
        if not sessions[start : start + len(p.sessions)].equals(pd.DatetimeIndex(p.sessions)):
            raise DataSourceError(
                "partitions counted days on different calendars (a partition's sessions are not a stretch of the "
                "common ones); use an exchange calendar (--calendar XNYS), not 'rows', for a partitioned run."
            )
        offsets.append(start)
    # Clusters of each partition, placed on the common grid and joined where their windows overlap.
    spans = np.concatenate([p.cluster_spans + off for p, off in zip(parts, offsets, strict=True)])
    joined = aggregate.overlap_clusters(spans[:, 0], spans[:, 1])
    width = len(sessions)
    n_joined = int(joined.max()) + 1 if len(joined) else 0
    u = np.zeros((n_joined, width))
    counts = np.zeros(n_joined)
    at = 0
    for p, off in zip(parts, offsets, strict=True):
        n_c = len(p.cluster_spans)
        ids = joined[at : at + n_c]
        at += n_c
        local = p.partial.sums["u_cluster"]
        np.add.at(u, (ids[:, None], off + np.arange(local.shape[1])[None, :]), local)
        np.add.at(counts, ids, p.partial.sums["n_cluster"])
    first = parts[0].partial
    rows = {k: np.concatenate([p.partial.rows[k] for p in parts]) for k in first.rows}
    sums = {
        k: np.sum([p.partial.sums[k] for p in parts], axis=0) for k in first.sums if k not in ("u_cluster", "n_cluster")
    }
    return aggregate.Partial(rows, {**sums, "u_cluster": u, "n_cluster": counts})


@dataclass(frozen=True)
class PartitionedRun:
    """What a partitioned run wrote, and its many-firm tests.

    Attributes
    ----------
    folder
        Output folder: ``aggregate.csv``, ``summary.json`` and the per-event tables as
        Parquet folders ``ar/``, ``params/`` and ``tests/``.
    aggregate
        The many-firm tests of all events, as ``aggregate.csv`` holds them.
    n_events, n_used
        Firm-events asked for and used.
    warnings
        Each distinct warning the partitions gave.
    """

    folder: Path
    aggregate: pd.DataFrame
    n_events: int
    n_used: int
    warnings: tuple[str, ...]


def run_partitioned(
    events: pd.DataFrame,
    options: Mapping[str, Any],
    prices: str | Path,
    out: str | Path,
    *,
    partitions: int,
    backend: str = "local",
    name: str = "study",
    force: bool = False,
    progress: bool | None = None,
) -> PartitionedRun:
    """Run a study partition by partition (see the module notes) and write its outputs to ``out``.

    Parameters
    ----------
    events
        Text columns ``event_id, ticker, event_date, market`` (see :func:`read_event_table`).
    options
        The study's options as :class:`~eventstudy.config.StudyConfig` takes them (no
        ``events`` or ``name``).
    prices
        Prices every partition reads its own series from: best a Parquet dataset or
        long Parquet file, of which only the partition's tickers are read.
    out
        Output folder (written all at once, as every run's).
    partitions
        How many partitions the events are split into, by ticker.
    backend
        ``local`` (one partition after another in this process) or ``dask``.

    Raises
    ------
    ConfigError
        If ``partitions`` is not a positive number.
    NoUsableEventsError
        If no partition has a usable firm-event.
    """
    if not isinstance(partitions, int) or partitions < 1:
        raise ConfigError(f"partitions={partitions!r} must be a whole number of at least 1, e.g. 8.")
    options = {k: v for k, v in options.items() if k not in ("events", "name")}
    # The study's windows and profile, resolved once on its first event.
    first = events.iloc[0]
    day = parse_date_column("event_date", [first["event_date"]], options.get("date_format"))[0]
    probe = Event(str(first["event_id"]), str(first["ticker"]), day, str(first["market"]))
    config = resolve(StudyConfig(name=name, events=(probe,), **options))
    part_of = assign_partitions(events["ticker"], partitions)
    with staged_directory(Path(out), force=force) as stage:
        tasks = [
            PartitionTask(k, events[part_of == k], options, str(prices), str(stage))
            for k in range(partitions)
            if (part_of == k).any()
        ]
        outcomes = run_chunks(fit_partition, tasks, [len(t.events) for t in tasks], backend, progress=progress)
        fitted = [o for o in outcomes if o.inputs is not None]
        if not fitted:
            raise NoUsableEventsError(outcomes[0].reason if outcomes else "there are no events")
        partial = merge_inputs([o.inputs for o in fitted if o.inputs is not None])
        # BHARs back in the events' order: the bootstrap resamples by position.
        order = np.argsort(np.concatenate([o.rows for o in fitted]), kind="stable")
        bhar = {w: np.concatenate([o.bhar[w] for o in fitted])[order] for w in fitted[0].bhar}
        second = estimation_round(fitted, partial, config, stage, backend=backend, progress=progress)
        shutil.rmtree(stage / ESTIMATION_FOLDER, ignore_errors=True)
        table = aggregate_table(partial, bhar, config, second)
        (stage / "aggregate.csv").write_text(csv_text(table, "%.12g"), encoding="utf-8")
        n_used = sum(o.n_used for o in outcomes)
        said = tuple(dict.fromkeys(w for o in outcomes for w in o.warnings))
        summary = {
            "config": {**config.to_dict(), "events": f"{len(events)} events, {len(tasks)} partitions by ticker"},
            "versions": record_versions(),
            "data": {"prices": str(prices)},
            "partitions": [
                {
                    "part": o.part,
                    "n_events": o.n_events,
                    "n_used": o.n_used,
                    **({"reason": o.reason} if o.reason else {}),
                }
                for o in outcomes
            ],
            "headline": {"n_events": len(events), "n_used": n_used},
        }
        (stage / "summary.json").write_text(json_text(json_safe(summary)), encoding="utf-8")
    return PartitionedRun(Path(out), table, len(events), n_used, said)


def aggregate_table(
    partial: aggregate.Partial,
    bhar: Mapping[Window, np.ndarray],
    config: ResolvedConfig,
    second: EstimationRound | None = None,
) -> pd.DataFrame:
    """Return the many-firm tests of merged inputs, as ``aggregate.csv`` holds them (group ``all``).

    ``second`` is what :func:`estimation_round` computed from the partitions' estimation ARs.
    """
    windows = list(config.windows)
    _, days, in_est = relative_layout(config)
    tests = aggregate.aggregate_tests(
        partial,
        days,
        windows,
        in_est,
        config.profile,
        second.ranks if second is not None else None,
        second.position if second is not None else None,
    )
    est = aggregate.estimates(partial, days, windows, config.profile)
    rows = pooled_rows(tests, est, {w: bhar[w] for w in windows if w in bhar})
    return pd.DataFrame(rows, columns=AGGREGATE_COLUMNS)


__all__ = [
    "EstimationRound",
    "PartitionOutcome",
    "PartitionTask",
    "PartitionedRun",
    "RankTask",
    "aggregate_table",
    "assign_partitions",
    "estimation_round",
    "fit_partition",
    "merge_inputs",
    "rank_partition",
    "read_event_table",
    "run_partitioned",
]
