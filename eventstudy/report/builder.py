"""The report under construction: files, sections and data collected before anything is written."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy._io import csv_text
from eventstudy.calendar import FREQUENCY_RATIO, median_spacing
from eventstudy.conventions import ExchangeSessions
from eventstudy.data.sources import Source
from eventstudy.report import figures
from eventstudy.resolved import ResolvedConfig
from eventstudy.results import EventStudyResults

Section = Callable[["ReportBuilder"], None]


def row_spacing(res: EventStudyResults) -> float | None:
    """Median calendar days between the rows of a study that counts rows, when they are not daily (else None)."""
    if res.config.calendar != "rows" and isinstance(res.convention.days, ExchangeSessions):
        return None  # exchange sessions are days
    names = list(dict.fromkeys([*res.config.tickers, *res.config.markets]))
    spacing = median_spacing(res.prices.adj_close[names].dropna(how="all").index)
    return spacing if spacing > FREQUENCY_RATIO else None


def day_unit(res: EventStudyResults) -> str:
    """Name one relative day in the report's words: ``row`` of each series' own dates, else ``session``."""
    return "row" if res.config.calendar == "rows" or row_spacing(res) is not None else "session"


@dataclass
class ReportBuilder:
    """Collects the files and sections of one report before they are written."""

    config: ResolvedConfig
    results: EventStudyResults
    source: Source
    base_dir: Path | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    sections: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # every table, for the workbook
    shown: dict[str, tuple[str, list[str], list[list[str]]]] = field(
        default_factory=dict
    )  # printed tables  # work several sections share (fits of other models)

    def add_figure(self, name: str, fig: Any, caption: str) -> dict[str, str]:
        """Store a figure as ``figures/<name>.png`` and return its reference."""
        png = figures.png_bytes(fig)
        self.files[f"figures/{name}.png"] = png
        return {
            "path": f"figures/{name}.png",
            "caption": caption,
            "data_uri": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        }

    def add_table(self, name: str, frame: pd.DataFrame) -> str:
        """Store ``frame`` as ``tables/<name>.csv`` and return the path."""
        self.files[f"tables/{name}.csv"] = csv_text(frame, "%.10g").encode()
        self.frames[name] = frame
        return f"tables/{name}.csv"

    def show(self, name: str, caption: str, header: list[str], rows: list[list[str]]) -> dict[str, Any]:
        """Return a printed table for a section, and keep it for the LaTeX export ``tables/<name>.tex``."""
        self.shown[name] = (caption, header, rows)
        return html_table(header, rows)


def html_table(header: list[str], rows: list[list[str]]) -> dict[str, Any]:
    """Return a table as the templates take it."""
    return {"header": header, "rows": rows}
