"""Whole process, side by side: 2,000 firms as one CSV per ticker, this package's CLI against Lemaire's package.

Both commands start a fresh Python process, read the same per-ticker CSV files and fit a
market model (estimation [-250,-11], window [-1,+1]) for each firm; runs alternate in
balanced pairs (A B, B A, A B, ...) so a drift in the machine's speed hits both, and each
command follows the other as often as itself. Prints each command's median and the
ratio of medians. Lemaire's package (PyPI ``eventstudy`` 0.1a12) shares this package's
import name, so it runs from its own folder (``make benchmark`` installs it there).

    python benchmarks/bench_files.py --lemaire benchmarks/.lemaire [--firms 2000] [--runs 15]
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

PEER = r"""
import sys, warnings
from pathlib import Path
import numpy as np
import pandas as pd
import eventstudy as es
warnings.simplefilter("ignore")
folder, events_csv = Path(sys.argv[1]), sys.argv[2]
events = pd.read_csv(events_csv)
prices = {p.stem: pd.read_csv(p, index_col="date", parse_dates=["date"])["adj_close"] for p in sorted(folder.glob("*.csv"))}
returns = pd.DataFrame(prices).pct_change(fill_method=None).iloc[1:]
out = Path(sys.argv[3])
returns.rename_axis("date").reset_index().assign(date=lambda f: f["date"].dt.strftime("%Y-%m-%d")).to_csv(out, index=False)
es.Single.import_returns(str(out))
agg = es.Multiple.from_list(
    [{"event_date": np.datetime64(d), "security_ticker": t, "market_ticker": "MKT"}
     for t, d in zip(events["ticker"], events["event_date"])],
    es.Single.market_model, event_window=(-1, 1), estimation_size=240, buffer_size=10,
)
print(len(agg.sample))
"""


def make_files(folder: Path, firms: int) -> Path:
    """Write one CSV per firm and the market (400 business days) and an events file; return its path."""
    rng = np.random.default_rng(1)
    dates = pd.bdate_range("2023-01-02", periods=400)
    prices = folder / "prices"
    prices.mkdir()
    market = 1000 * np.cumprod(1 + rng.normal(0.0003, 0.01, len(dates)))
    day = dates.strftime("%Y-%m-%d")
    pd.DataFrame({"date": day, "adj_close": market}).to_csv(prices / "MKT.csv", index=False, float_format="%.6f")
    rows = []
    log_market = np.diff(np.log(market), prepend=np.log(market[0]))
    for i in range(firms):
        p = 50 * np.exp(np.cumsum(0.0002 + 1.1 * log_market + rng.normal(0, 0.02, len(dates))))
        pd.DataFrame({"date": day, "adj_close": p}).to_csv(prices / f"F{i:04d}.csv", index=False, float_format="%.6f")
        rows.append((f"e{i}", f"F{i:04d}", day[300 + i % 80], "MKT"))
    events = folder / "events.csv"
    pd.DataFrame(rows, columns=["event_id", "ticker", "event_date", "market"]).to_csv(events, index=False)
    return events


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    """Wall seconds of one whole process; a failure is reported, not timed."""
    started = time.perf_counter()
    out = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if out.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {out.stderr.strip().splitlines()[-1:]}")
    return seconds


def main() -> int:
    """Run the comparison and print medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lemaire", type=Path, required=True, help="folder with Lemaire's eventstudy installed")
    parser.add_argument("--firms", type=int, default=2000)
    parser.add_argument(
        "--runs", type=int, default=15, help="pairs of runs (the machine is noisy: medians of 15 or more)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        events = make_files(folder, args.firms)
        ours = [sys.executable, "-m", "eventstudy", "run", "--events", str(events), "--prices", str(folder / "prices")]
        peer_script = folder / "peer.py"
        peer_script.write_text(PEER)
        peer = [sys.executable, str(peer_script), str(folder / "prices"), str(events), str(folder / "returns.csv")]
        env_ours = {**os.environ, "CI": "1"}
        env_peer = {**os.environ, "PYTHONPATH": str(args.lemaire.resolve())}
        # pip compiled the peer's bytecode when it installed it; an editable install of this
        # package leaves it to the first import, which keeps nothing under PYTHONDONTWRITEBYTECODE.
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parents[1] / "eventstudy")],
            check=True,
        )
        timed([*ours, "--out", str(folder / "warm")], env_ours, folder)  # warm the file cache for both
        timed(peer, env_peer, folder)
        a, b = [], []
        for k in range(args.runs):
            # Pairs in turn A B, B A, ...: a command runs after the other as often as after itself.
            # On this kind of machine a run that follows several seconds of full load is slower
            # (up to a third, seen here), so strict A B A B would always time the shorter command
            # right after the longer one.
            order = ("ours", "peer") if k % 2 == 0 else ("peer", "ours")
            for which in order:
                if which == "ours":
                    a.append(timed([*ours, "--out", str(folder / f"out{k}")], env_ours, folder))
                else:
                    b.append(timed(peer, env_peer, folder))
    ma, mb = statistics.median(a), statistics.median(b)
    print(
        f"{args.firms:,} firms, one CSV each, whole process, {args.runs} balanced alternating runs (min / median / max):"
    )
    print(f"  eventstudy run (every test, outputs written): {min(a):.2f} / {ma:.2f} / {max(a):.2f} s")
    print(f"  Lemaire's eventstudy 0.1a12 (market model):   {min(b):.2f} / {mb:.2f} / {max(b):.2f} s")
    print(f"  ratio of medians: {mb / ma:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
