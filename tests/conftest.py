"""Shared fixtures. Plots use the non-interactive Agg backend; nothing touches the network."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

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
