"""Whole process from one Parquet long panel: 100,000 firm-events, wall time and peak memory.

Writes a synthetic long panel (``ticker, date, adj_close``; by default 5,000 firms and a
market over 1,300 sessions, 6.5 million rows, as a quarter-century of earnings dates
would need for 20 events a firm) and an events file with 20 dates per firm, then runs
``eventstudy run`` on them in a fresh process (market model, estimation [-250,-11],
window [-1,+1], every test, outputs written). Prints the wall time of each run and the
child's peak resident memory (the maximum resident set size the kernel reports for it);
the goal is under 2 GB.

    python benchmarks/bench_parquet.py [--firms 5000] [--events-per-firm 20] [--sessions 1300] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_panel(folder: Path, firms: int, per_firm: int, sessions: int) -> tuple[Path, Path]:
    """Write the Parquet panel and the events CSV; return their paths."""
    rng = np.random.default_rng(7)
    dates = pd.bdate_range("2019-01-02", periods=sessions)
    market = np.cumprod(1 + rng.normal(0.0003, 0.01, sessions)) * 1000
    log_market = np.diff(np.log(market), prepend=np.log(market[0]))
    beta = rng.uniform(0.5, 1.5, firms)
    noise = rng.normal(0, 0.02, (sessions, firms)).astype("float64")
    prices = 50 * np.exp(np.cumsum(0.0002 + log_market[:, None] * beta[None, :] + noise, axis=0))
    names = np.array([f"F{i:05d}" for i in range(firms)])
    long = pd.DataFrame(
        {
            "ticker": np.concatenate([np.repeat(names, sessions), np.repeat("MKT", sessions)]),
            "date": np.concatenate([np.tile(dates.to_numpy(), firms), dates.to_numpy()]),
            "adj_close": np.concatenate([prices.T.ravel(), market]),
        }
    )
    panel = folder / "panel.parquet"
    long.to_parquet(panel, index=False)
    # Distinct event days per firm, after a full estimation window and before the last window ends.
    days = 262 + np.argsort(rng.random((firms, sessions - 264)), axis=1)[:, :per_firm]
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(firms * per_firm)],
            "ticker": np.repeat(names, per_firm),
            "event_date": dates[days.ravel()].strftime("%Y-%m-%d"),
            "market": "MKT",
        }
    )
    path = folder / "events.csv"
    events.to_csv(path, index=False)
    return panel, path


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one whole process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    err = child.stderr.read().decode() if child.stderr else ""
    if status != 0:
        raise SystemExit(f"eventstudy run failed: {err.strip().splitlines()[-1:]}")
    return seconds, usage.ru_maxrss / 1024  # kB on Linux


def main() -> int:
    """Build the panel, run the study, print times and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=5000)
    parser.add_argument("--events-per-firm", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=1300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        panel, events = make_panel(folder, args.firms, args.events_per_firm, args.sessions)
        built = time.perf_counter() - started
        rows = (args.firms + 1) * args.sessions
        n = args.firms * args.events_per_firm
        print(
            f"panel: {rows:,} rows, {panel.stat().st_size / 1e6:.0f} MB Parquet; {n:,} firm-events (built in {built:.0f} s)"
        )
        env = {**os.environ, "CI": "1"}  # no progress bar
        command = [sys.executable, "-m", "eventstudy", "run", "--events", str(events), "--prices", str(panel)]
        times, peaks = [], []
        for k in range(args.runs):
            seconds, peak = run([*command, "--out", str(folder / f"out{k}")], env)
            times.append(seconds)
            peaks.append(peak)
            print(f"  run {k + 1}: {seconds:.1f} s, peak {peak:,.0f} MB")
    print(
        f"whole process, {args.runs} runs (min / median / max): {min(times):.1f} / {statistics.median(times):.1f} / "
        f"{max(times):.1f} s; peak memory {max(peaks):,.0f} MB (goal: under 2,048 MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
