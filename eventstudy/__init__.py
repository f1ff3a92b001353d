"""eventstudy: market-impact event studies.

Fetch prices, compute abnormal returns around event dates against a market model (and
others), test them properly, put dollar figures on them and render a report.

Examples
--------
>>> import eventstudy as es
>>> res = es.event_study(["NVDA", "CEG"], "2025-01-27", market="^GSPC")
>>> round(float(res.ret.loc[0, "NVDA@2025-01-27"]) * 100, 2)
-16.97
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eventstudy.config import Event, StudyConfig, read_events
    from eventstudy.conventions import CONVENTIONS, Convention
    from eventstudy.data import BundledSource, CrspSource, CsvSource, PricePanel, YahooSource
    from eventstudy.data.sources import MultiSource, PanelSource, ReturnsSource, Source
    from eventstudy.inference import InvalidTestStatistic, TestStatistic
    from eventstudy.models import MODELS, ReturnModel
    from eventstudy.resolved import ResolvedConfig, resolve
    from eventstudy.results import EventStudyResults, Summary
    from eventstudy.study import EventStudy, event_study
    from eventstudy.windows import Window

# Where each public name lives. Importing the package loads none of them (pandas and scipy
# take half a second to import, which `eventstudy --help` does not need); a name's first
# use loads its module.
_HOMES = {
    "Event": "eventstudy.config",
    "StudyConfig": "eventstudy.config",
    "read_events": "eventstudy.config",
    "CONVENTIONS": "eventstudy.conventions",
    "Convention": "eventstudy.conventions",
    "BundledSource": "eventstudy.data",
    "CrspSource": "eventstudy.data",
    "CsvSource": "eventstudy.data",
    "PricePanel": "eventstudy.data",
    "YahooSource": "eventstudy.data",
    "MultiSource": "eventstudy.data.sources",
    "PanelSource": "eventstudy.data.sources",
    "ReturnsSource": "eventstudy.data.sources",
    "Source": "eventstudy.data.sources",
    "InvalidTestStatistic": "eventstudy.inference",
    "TestStatistic": "eventstudy.inference",
    "MODELS": "eventstudy.models",
    "ReturnModel": "eventstudy.models",
    "ResolvedConfig": "eventstudy.resolved",
    "resolve": "eventstudy.resolved",
    "EventStudyResults": "eventstudy.results",
    "Summary": "eventstudy.results",
    "EventStudy": "eventstudy.study",
    "event_study": "eventstudy.study",
    "Window": "eventstudy.windows",
}


def __getattr__(name: str) -> Any:
    """Load a public name, a submodule (``eventstudy.errors``) or ``__version__`` on first use."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value: Any = version("eventstudy")
        except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
            value = "0+unknown"
    elif name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
    elif name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    else:
        try:
            value = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES, "__version__"})


__all__ = [
    "CONVENTIONS",
    "MODELS",
    "BundledSource",
    "Convention",
    "CrspSource",
    "CsvSource",
    "Event",
    "EventStudy",
    "EventStudyResults",
    "InvalidTestStatistic",
    "MultiSource",
    "PanelSource",
    "PricePanel",
    "ResolvedConfig",
    "ReturnModel",
    "ReturnsSource",
    "Source",
    "StudyConfig",
    "Summary",
    "TestStatistic",
    "Window",
    "YahooSource",
    "__version__",
    "event_study",
    "read_events",
    "resolve",
]
