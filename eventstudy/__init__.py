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

from importlib.metadata import PackageNotFoundError, version

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

try:
    __version__ = version("eventstudy")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"

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
