"""Event-day returns from the bundled data against published closes and press figures.

Reference: the closes in data/PROVENANCE.md ("Known-value checks": NVDA 142.62 -> 118.42,
S&P 500 6101.24 -> 6012.28) and the figures the press reported for 27 January 2025.
"""

from __future__ import annotations

import pandas as pd
import pytest

import eventstudy as es

from .conftest import bundled_csv

EXPECTED = {  # percent, rounded to 2 dp as published
    "NVDA": -16.97,
    "CEG": -20.85,
    "VST": -28.27,
    "GOOGL": -4.20,
    "^GSPC": -1.46,
}


@pytest.fixture(scope="module")
def results() -> es.EventStudyResults:
    return es.event_study(["NVDA", "CEG", "VST", "GOOGL"], "2025-01-27", market="^GSPC")


@pytest.mark.parametrize("ticker", ["NVDA", "CEG", "VST", "GOOGL"])
def test_event_day_return(results: es.EventStudyResults, ticker: str) -> None:
    assert round(100 * results.ret.loc[0, f"{ticker}@2025-01-27"], 2) == EXPECTED[ticker]


def test_market_return(results: es.EventStudyResults) -> None:
    assert round(100 * results.market_ret.loc[0, "NVDA@2025-01-27"], 2) == EXPECTED["^GSPC"]


def test_nvidia_raw_closes_give_the_published_move(results: es.EventStudyResults) -> None:
    close = results.prices.close["NVDA"]
    assert close.loc["2025-01-24"] == pytest.approx(142.62)
    assert close.loc["2025-01-27"] == pytest.approx(118.42)


def test_event_session_and_window(results: es.EventStudyResults) -> None:
    ev = results.events.loc["NVDA@2025-01-27"]
    assert str(ev["event_session"]) == "2025-01-27"
    assert ev["n_est"] == 240
    # Count sessions as rows of the bundled file (every NYSE session, closed 1, 9 and 20 January)
    dates = pd.read_csv(bundled_csv("_GSPC.csv"))["date"].tolist()
    e = dates.index("2025-01-27")
    assert str(ev["est_start"]) == dates[e - 250]
    assert str(ev["est_end"]) == dates[e - 11] == "2025-01-08"


def test_nvidia_dollar_loss_near_reported(results: es.EventStudyResults) -> None:
    """Press: about $589bn; 24.5bn shares (3 significant figures) x $24.20 = $592.9bn."""
    dollars = results.dollar_impact()
    assert dollars.loc["NVDA@2025-01-27", "mv_change"] / 1e9 == pytest.approx(-592.9, abs=0.05)
    assert dollars.loc["NVDA@2025-01-27", "mv_change"] / 1e9 == pytest.approx(-588.8, rel=0.01)
