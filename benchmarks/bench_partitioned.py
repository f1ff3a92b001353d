"""One million firm-events on a two-worker Dask LocalCluster: the client's memory stays bounded.

Writes a synthetic long Parquet panel (by default 20,000 firms and a market over 1,300
sessions, 26 million rows, sorted by ticker in row groups so a partition's filter skips
the rest) and 50 events per firm, starts a ``LocalCluster`` with two single-threaded
worker processes, and runs ``eventstudy run --partitions 40 --backend dask`` against it
as a separate client process (market model, estimation [-250,-11], window [-1,+1]).
Prints the wall time, the client's peak resident memory, the workers' peak, and then
checks a sample: 2,000 of the events run through the local engine on their own give the
same per-event abnormal returns as the partitioned run.

    python benchmarks/bench_partitioned.py [--firms 20000] [--events-per-firm 50] [--partitions 40]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_panel(folder: Path, firms: int, per_firm: int, sessions: int) -> tuple[Path, Path]:
    """Write the Parquet panel (sorted by ticker) and the events CSV, a block of firms at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(11)
    dates = pd.bdate_range("2019-01-02", periods=sessions)
    market = np.cumprod(1 + rng.normal(0.0003, 0.01, sessions)) * 1000
    log_market = np.diff(np.log(market), prepend=np.log(market[0]))
    names = [f"F{i:06d}" for i in range(firms)]
    schema = pa.schema([("ticker", pa.string()), ("date", pa.timestamp("ns")), ("adj_close", pa.float64())])
    path = folder / "panel.parquet"
    block = 500
    with pq.ParquetWriter(path, schema) as writer:
        for lo in range(0, firms, block):
            hi = min(firms, lo + block)
            beta = rng.uniform(0.5, 1.5, hi - lo)
            noise = rng.normal(0, 0.02, (sessions, hi - lo))
            prices = 50 * np.exp(np.cumsum(0.0002 + log_market[:, None] * beta[None, :] + noise, axis=0))
            table = pa.table(
                {
                    "ticker": np.repeat(np.array(names[lo:hi], dtype=object), sessions),
                    "date": np.tile(dates.to_numpy(), hi - lo),
                    "adj_close": prices.T.ravel(),
                },
                schema=schema,
            )
            writer.write_table(table, row_group_size=len(table))
        writer.write_table(
            pa.table({"ticker": ["MKT"] * sessions, "date": dates.to_numpy(), "adj_close": market}, schema=schema)
        )
    days = 262 + np.argsort(rng.random((firms, sessions - 264)), axis=1)[:, :per_firm]
    events = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(firms * per_firm)],
            "ticker": np.repeat(names, per_firm),
            "event_date": dates[days.ravel()].strftime("%Y-%m-%d"),
            "market": "MKT",
        }
    )
    events_path = folder / "events.csv"
    events.to_csv(events_path, index=False)
    return path, events_path


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB and standard output of one whole process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = child.communicate()
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed: {err.strip().splitlines()[-3:]}")
    # The largest peak of the children waited for so far: run the client first (cluster workers are not waited for).
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, out


def main() -> int:
    """Build the panel, start the cluster, run the client, check a sample."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=20_000)
    parser.add_argument("--events-per-firm", type=int, default=50)
    parser.add_argument("--sessions", type=int, default=1300)
    parser.add_argument("--partitions", type=int, default=40)
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        panel, events = make_panel(folder, args.firms, args.events_per_firm, args.sessions)
        n = args.firms * args.events_per_firm
        rows = (args.firms + 1) * args.sessions
        print(
            f"panel: {rows:,} rows, {panel.stat().st_size / 1e6:,.0f} MB Parquet; {n:,} firm-events "
            f"(written in {time.perf_counter() - started:.0f} s)"
        )
        with (
            LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, memory_limit="4GB") as cluster,
            Client(cluster) as client,
        ):
            env = {**os.environ, "CI": "1", "EVENTSTUDY_DASK_SCHEDULER": cluster.scheduler_address}
            command = [sys.executable, "-m", "eventstudy", "run", "--events", str(events), "--prices", str(panel)]
            command += ["--partitions", str(args.partitions), "--backend", "dask", "--out", str(folder / "out")]
            seconds, client_peak, said = run(command, env)
            worker_peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(said.strip())
        print(
            f"whole run on 2 workers: {seconds:.0f} s; client peak memory {client_peak:,.0f} MB; worker peaks "
            + ", ".join(f"{v:,.0f} MB" for v in worker_peaks.values())
        )
        # A sample through the local engine alone: the same per-event ARs.
        sample = pd.read_csv(events).sample(args.sample, random_state=0)
        sample.to_csv(folder / "sample.csv", index=False)
        local = [sys.executable, "-m", "eventstudy", "run", "--events", str(folder / "sample.csv")]
        run([*local, "--prices", str(panel), "--out", str(folder / "sample_out")], {**os.environ, "CI": "1"})
        alone = pd.read_csv(folder / "sample_out" / "ar.csv").set_index(["event_id", "rel_day"])["ar"]
        parted = pd.read_parquet(folder / "out" / "ar", filters=[("event_id", "in", sample["event_id"].tolist())])
        parted_ar = parted.set_index(["event_id", "rel_day"])["ar"].reindex(alone.index)
        gap = float(np.nanmax(np.abs(parted_ar.to_numpy() - alone.to_numpy())))
        print(f"sample of {args.sample:,} events through the local engine alone: largest AR difference {gap:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
