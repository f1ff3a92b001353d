"""Benchmark the stacked engine against a per-firm statsmodels loop (and another package).

Prints, for synthetic market-model panels of 1, 500, 10,000 and 100,000 firm-events
(250-day estimation window -260:-11, event window -1:+1, market model, every single-firm
and many-firm test): wall time, firm-events per second and peak memory; then the same
batch through a straightforward per-firm statsmodels OLS loop, timed on a sample and
extrapolated, as the ratio baseline. With ``--lemaire DIR`` (a folder where the PyPI
package ``eventstudy`` 0.1a12 by J.-B. Lemaire is installed, see ``make benchmark``) it
also times that package on the 500-firm batch.

Each size runs in a fresh process (so its peak memory, the maximum resident set size,
is its own); after one untimed warm-up run of the same batch, the best of several runs
is reported (5 up to 10,000 firm-events, 2 above). The engine keeps per-day paths from the
day before the event window on (``paths="windows"``); every statistic is computed from
the full estimation window. Run ``python benchmarks/bench_engine.py --help`` for options.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

SIZES = {1: (1, 1), 500: (500, 1), 10_000: (100, 100), 100_000: (1000, 100)}
"""firm-events -> (firms, events per firm)."""


def _panel(n: int):  # type: ignore[no-untyped-def]
    from eventstudy.simulate import simulate_event_panel

    firms, per_firm = SIZES[n]
    return simulate_event_panel(firms, seed=n, true_ar=-0.01, n_sessions=400, events_per_firm=per_firm)


def _config(sim):  # type: ignore[no-untyped-def]
    from eventstudy import StudyConfig, Window

    return StudyConfig(
        name="bench",
        events=sim.events,
        estimation=Window(-260, -11),
        event_window=Window(-1, 1),
        car_windows=(Window(-1, 1),),
        min_estimation_obs=200,
    )


def run_one(n: int, repeats: int) -> dict[str, float]:
    """Time the engine on ``n`` firm-events in this process; return seconds and peak RSS."""
    from eventstudy import EventStudy
    from eventstudy.data.sources import PanelSource

    sim = _panel(n)
    cfg = _config(sim)
    times = []
    for _ in range(repeats + 1):  # the first, untimed run warms imports, caches and the allocator
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = EventStudy(cfg, PanelSource(sim.panel), progress=False, paths="windows").fit()
        times.append(time.perf_counter() - started)
        assert len(res.events) == n
        del res  # one result alive at a time, as in a user's session
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return {"n": n, "seconds": min(times[1:]), "peak_mb": peak}


def statsmodels_loop(sample: int) -> float:
    """Seconds per firm-event of a straightforward per-firm loop computing the same statistics.

    For each firm-event: slice the estimation and event windows from the return frame,
    fit OLS with statsmodels, predict the event window, then AR, CAR, the exact CAR
    variance from the parameter covariance, the t p-value and the SQ p-value from the
    rolling 3-day sums of the residuals.
    """
    import numpy as np
    import statsmodels.api as sm
    from scipy import stats

    sim = _panel(500)
    rets = sim.panel.adj_close.pct_change(fill_method=None)
    events = sim.events[:sample]
    started = time.perf_counter()
    for ev in events:
        pos = rets.index.get_loc(str(ev.event_date))
        y, x = rets[ev.ticker], rets[ev.market]
        fit = sm.OLS(y.iloc[pos - 260 : pos - 10], sm.add_constant(x.iloc[pos - 260 : pos - 10]), missing="drop").fit()
        x_win = sm.add_constant(x.iloc[pos - 1 : pos + 2], has_constant="add")
        ar = y.iloc[pos - 1 : pos + 2] - fit.predict(x_win)
        car = float(ar.sum())
        g = x_win.to_numpy().sum(axis=0)
        var = fit.scale * 3 + g @ fit.cov_params().to_numpy() @ g
        t = car / np.sqrt(var)
        _p_t = 2 * stats.t.sf(abs(t), fit.df_resid)
        sums = fit.resid.rolling(3).sum().dropna()
        _p_sq = min(1.0, 2 * (min((sums <= car).sum(), (sums >= car).sum()) + 1) / (len(sums) + 1))
    return (time.perf_counter() - started) / len(events)


_LEMAIRE = r"""
import json, sys, time, warnings
import numpy as np
import eventstudy as es
warnings.simplefilter("ignore")
path, events = sys.argv[1], json.loads(sys.argv[2])
es.Single.import_returns(path)
started = time.perf_counter()
agg = es.Multiple.from_list(
    [{"event_date": np.datetime64(d), "security_ticker": t, "market_ticker": "MKT"} for t, d in events],
    es.Single.market_model, event_window=(-1, 1), estimation_size=250, buffer_size=10,
)
print(json.dumps({"seconds": time.perf_counter() - started, "n": len(agg.sample)}))
"""


def lemaire(folder: Path) -> dict[str, float] | None:
    """Time Lemaire's ``eventstudy`` on the 500-firm batch (in its own process: same import name)."""
    sim = _panel(500)
    rets = sim.panel.adj_close.pct_change(fill_method=None).iloc[1:]
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "returns.csv"
        rets.rename_axis("date").reset_index().assign(date=lambda f: f["date"].dt.strftime("%Y-%m-%d")).to_csv(
            csv, index=False
        )
        events = [[e.ticker, str(e.event_date)] for e in sim.events]
        env = {**os.environ, "PYTHONPATH": str(folder.resolve())}
        out = subprocess.run(
            [sys.executable, "-c", _LEMAIRE, str(csv), json.dumps(events)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            cwd=tmp,
        )
    if out.returncode != 0:
        print(f"(Lemaire's package could not run: {out.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def sector_batch() -> float:
    """Seconds to compute the DeepSeek report's sector section data (best of 3, after a warm-up)."""
    from eventstudy import StudyConfig
    from eventstudy.cli import default_study_path
    from eventstudy.report.sectors import member_study

    cfg = StudyConfig.from_toml(default_study_path())
    member_study(cfg)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        member_study(cfg)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    """Run every size in a child process and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,500,10000,100000", help="firm-event counts (from 1,500,10000,100000)")
    parser.add_argument("--sample", type=int, default=200, help="firm-events timed in the statsmodels loop")
    parser.add_argument("--lemaire", type=Path, help="folder with Lemaire's eventstudy package installed")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, repeats=5 if args.one <= 10_000 else 2)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    per_event = statsmodels_loop(args.sample)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"baseline: per-firm statsmodels OLS loop, {per_event * 1e3:.3f} ms per firm-event (timed on {args.sample})")
    print()
    header = f"{'firm-events':>12} {'wall time':>11} {'firm-events/s':>14} {'peak memory':>12} {'loop (extrap.)':>15} {'speed-up':>9}"
    print(header)
    print("-" * len(header))
    rows = []
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        loop = per_event * n
        rows.append({**r, "loop_seconds": loop, "speedup": loop / r["seconds"]})
        print(
            f"{n:>12,} {r['seconds'] * 1e3:>9.1f}ms {n / r['seconds']:>14,.0f} {r['peak_mb']:>9,.0f} MB "
            f"{loop:>14.2f}s {loop / r['seconds']:>8.1f}x"
        )
    print()
    print(f"report section 'where the shock landed' (every bundled S&P 500 member): {sector_batch() * 1e3:.0f} ms")
    if args.lemaire:
        other = lemaire(args.lemaire)
        ours = next((r for r in rows if r["n"] == 500), None) or run_one(500, 5)
        if other:
            print()
            print(
                f"500 firm-events, Lemaire's eventstudy 0.1a12: {other['seconds']:.2f}s; this package "
                f"{ours['seconds'] * 1e3:.1f}ms (with every test): {other['seconds'] / ours['seconds']:.0f}x faster"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
