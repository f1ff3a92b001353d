"""What is recorded beside results: JSON-safe values and the versions that shaped them."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import numpy as np
import pandas as pd


def json_safe(value: Any) -> Any:
    """Make ``value`` JSON-safe: NaN to None, numpy scalars to Python, dates to text."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # most values: returned as they are
        return value
    if kind is float:
        return value if math.isfinite(value) else None
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


def json_text(value: Any, width: int = 100) -> str:
    """Return JSON-safe ``value`` as indented JSON text, each container short enough on one line.

    Long lists of records (events, per-series provenance) then read one record per line,
    and the text is written by the json module's C encoder (its indenting encoder is
    pure Python, a tenth of a second for a study of thousands of events).

    Examples
    --------
    >>> print(json_text({"events": [{"id": "a", "day": 0}], "n": 1}, width=40), end="")
    {
      "events": [{"id": "a", "day": 0}],
      "n": 1
    }
    """
    return _json_lines(value, 0, width) + "\n"


def _json_lines(value: Any, level: int, width: int) -> str:
    """``value`` at nesting ``level``: on one line if it fits in ``width``, else one member per line."""
    if not isinstance(value, dict | list) or not value:
        return json.dumps(value)
    if 4 * len(value) + 2 * level <= width:  # else too many members to fit, whatever they are
        flat = json.dumps(value)
        if len(flat) + 2 * level <= width:
            return flat
    pad = "  " * (level + 1)
    members_of = value.values() if isinstance(value, dict) else value
    if all(not isinstance(v, dict | list) for v in members_of):
        # Members that are plain values: one call to the encoder, its item separator a new line.
        inner = json.dumps(value, separators=(",\n" + pad, ": "))
        return inner[0] + "\n" + pad + inner[1:-1] + "\n" + "  " * level + inner[-1]
    if isinstance(value, dict):
        members = [f"{pad}{json.dumps(k)}: {_json_lines(v, level + 1, width)}" for k, v in value.items()]
        return "{\n" + ",\n".join(members) + "\n" + "  " * level + "}"
    members = [pad + _json_lines(v, level + 1, width) for v in value]
    return "[\n" + ",\n".join(members) + "\n" + "  " * level + "]"


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
