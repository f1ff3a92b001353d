"""A seeded data-generating process with a planted abnormal return, for tests and demos."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.calendar import sessions_between
from eventstudy.config import Event
from eventstudy.data.panel import PricePanel


@dataclass(frozen=True)
class SimulatedPanel:
    """Simulated prices and the events planted in them."""

    panel: PricePanel
    events: tuple[Event, ...]
    true_ar: float


def simulate_event_panel(
    n_firms: int,
    *,
    seed: int,
    true_ar: float = 0.0,
    n_sessions: int = 400,
    beta: tuple[float, float] = (0.5, 1.5),
    sigma: tuple[float, float] = (0.01, 0.03),
    market_sigma: float = 0.01,
    start: str = "2021-01-04",
    events_per_firm: int = 1,
) -> SimulatedPanel:
    """Simulate market-model prices with an abnormal return planted on each event day.

    Returns follow ``R_i = alpha_i + beta_i R_m + e_i`` with normal errors; on each
    firm's event session ``true_ar`` is added to its return.

    Parameters
    ----------
    n_firms
        Number of firms (tickers ``F0000``, ``F0001``, ...); the market is ``MKT``.
    seed
        Seed of the random generator (same seed, same panel).
    true_ar
        Abnormal return planted on every event day.
    n_sessions
        XNYS sessions simulated from ``start``.
    beta, sigma
        Ranges from which firm betas and residual volatilities are drawn uniformly.
    market_sigma
        Daily volatility of the market return.
    start
        First session.
    events_per_firm
        Event dates per firm, spread over the second half of the sample.

    Returns
    -------
    SimulatedPanel

    Examples
    --------
    >>> sim = simulate_event_panel(3, seed=1, true_ar=-0.05)
    >>> len(sim.events), sim.panel.tickers[-1]
    (3, 'MKT')
    """
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(start)
    sessions = sessions_between("XNYS", first, first + pd.Timedelta(days=int(n_sessions * 1.6) + 30))[:n_sessions]
    rm = rng.normal(0.0003, market_sigma, n_sessions)
    betas = rng.uniform(*beta, n_firms)
    sigmas = rng.uniform(*sigma, n_firms)
    alphas = rng.normal(0.0, 0.0005, n_firms)
    eps = rng.normal(0.0, 1.0, (n_sessions, n_firms)) * sigmas
    returns = alphas + rm[:, None] * betas + eps
    lo, hi = max(270, n_sessions // 2), n_sessions - 10
    if hi <= lo:
        raise ValueError(f"n_sessions={n_sessions} is too short; use at least 290.")
    events = []
    for i in range(n_firms):
        days = rng.choice(np.arange(lo, hi), size=events_per_firm, replace=False)
        for k, d in enumerate(sorted(days)):
            returns[d, i] += true_ar
            day: dt.date = sessions[d].date()
            events.append(Event(f"F{i:04d}#{k}", f"F{i:04d}", day, "MKT"))
    prices = 100.0 * np.cumprod(1.0 + np.vstack([np.zeros((1, n_firms)), returns[1:]]), axis=0)
    mkt = 1000.0 * np.cumprod(1.0 + np.concatenate([[0.0], rm[1:]]))
    frames = {f"F{i:04d}": pd.DataFrame({"adj_close": prices[:, i]}, index=sessions) for i in range(n_firms)}
    frames["MKT"] = pd.DataFrame({"adj_close": mkt}, index=sessions)
    panel = PricePanel.from_frames(frames, {t: f"simulated (seed {seed})" for t in frames})
    return SimulatedPanel(panel, tuple(events), true_ar)
