"""A batch of thousands of firm-events from a CSV, with per-event market proxies and
several dates per firm, gives each firm-event the numbers it gets alone."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy, StudyConfig, Window
from eventstudy.cli import main
from eventstudy.config import Event
from eventstudy.data.universe import member_prices

DATES = ("2024-08-05", "2024-11-06", "2025-01-27", "2025-04-03")


def test_eighteen_hundred_events_from_a_csv(tmp_path: Path) -> None:
    prices = member_prices()
    tickers = [t for t in prices.columns if prices[t].loc["2023-06-01":].notna().all()][:450]
    rows = [
        (f"{t}@{d}", t, d, "^GSPC" if (i + k) % 2 else "^NDX")
        for i, t in enumerate(tickers)
        for k, d in enumerate(DATES)
    ]
    events = tmp_path / "events.csv"
    pd.DataFrame(rows, columns=["event_id", "ticker", "event_date", "market"]).to_csv(events, index=False)
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["run", "--events", str(events), "--out", str(out)]) == 0
    ar = pd.read_csv(out / "ar.csv")
    params = pd.read_csv(out / "params.csv").set_index("event_id")
    assert len(params) == 1800 and params["status"].str.startswith("ok").all()
    # Each firm's later dates hold its earlier ones' windows in their estimation windows (about a year).
    t = tickers[0]
    assert params.loc[f"{t}@{DATES[0]}", "status"] == "ok"
    assert params.loc[f"{t}@{DATES[3]}", "status"] == (
        f"ok: estimation window holds the event windows of events '{t}@{DATES[0]}', '{t}@{DATES[1]}' and "
        f"'{t}@{DATES[2]}'"
    )
    assert (params["status"] != "ok").sum() == 450 * 3
    assert len(ar) == 1800 * 3
    # any firm-event alone gives the same numbers as inside the batch
    rng = np.random.default_rng(0)
    for eid, t, d, m in (rows[i] for i in rng.choice(len(rows), 5, replace=False)):
        cfg = StudyConfig(
            name="one",
            events=(Event(eid, t, pd.Timestamp(d).date(), m),),
            car_windows=(Window(-1, 1),),
        )
        alone = EventStudy(cfg).fit()
        assert params.loc[eid, "beta"] == pytest.approx(alone.params.loc[eid, "beta"], rel=1e-11)  # CSV: 12 digits
        got = ar[ar["event_id"] == eid]["ar"].to_numpy()
        np.testing.assert_allclose(got, alone.ar.loc[-1:1, eid].to_numpy(), rtol=1e-11, atol=1e-13)
