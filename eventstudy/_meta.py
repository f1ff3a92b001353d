"""What is recorded beside results: JSON-safe values and the versions that shaped them."""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import pandas as pd


def json_safe(value: Any) -> Any:
    """Make ``value`` JSON-safe: NaN to None, numpy scalars to Python, dates to text."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, np.bool_):
        return bool(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def record_versions() -> dict[str, str]:
    """Versions of the package and the libraries that shape its numbers.

    Read from the installed distributions' metadata: importing matplotlib and the
    calendars only to ask their versions would cost a run a tenth of a second.
    """
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
            return "0+unknown"

    scipy = sys.modules.get("scipy")  # already loaded by every study: its own attribute is free
    return {
        "eventstudy": installed("eventstudy"),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__ if scipy is not None else installed("scipy"),
        "matplotlib": installed("matplotlib"),
        "exchange_calendars": installed("exchange_calendars"),
    }
