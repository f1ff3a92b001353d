"""Shared fixtures. Plots use the non-interactive Agg backend; nothing touches the network."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pandas as pd

matplotlib.use("Agg")

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's Yahoo cache out of the user's home folder."""
    monkeypatch.setenv("EVENTSTUDY_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("CI", os.environ.get("CI", "true"))


@pytest.fixture
def root() -> Path:
    return ROOT


def bundled_csv(name: str) -> Path:
    """Path of a bundled price file, read directly (independently of the package)."""
    return ROOT / "data" / "prices" / name


def bundled_closes(*tickers: str, rule: str) -> pd.DataFrame:
    """Bundled adjusted closes of ``tickers`` at the last session of each ``rule`` period (``"W-FRI"``, ``"ME"``)."""
    closes = {
        t: pd.read_csv(bundled_csv(f"{t.replace('^', '_')}.csv"), index_col="date", parse_dates=["date"])["adj_close"]
        for t in tickers
    }
    return pd.DataFrame(closes).resample(rule).last().rename_axis("date")
