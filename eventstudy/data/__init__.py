"""Data stage: sources of prices, the bundled snapshot and returns."""

from eventstudy.data.crsp import CrspSource
from eventstudy.data.panel import PricePanel
from eventstudy.data.returns import ReturnPanel, compute_returns
from eventstudy.data.sources import BundledSource, CsvSource, Source, bundled_path
from eventstudy.data.yahoo import YahooSource

__all__ = [
    "BundledSource",
    "CrspSource",
    "CsvSource",
    "PricePanel",
    "ReturnPanel",
    "Source",
    "YahooSource",
    "bundled_path",
    "compute_returns",
]
