"""Report stage: figures, tables, HTML and Markdown for a study."""

from eventstudy.report.render import build_report

__all__ = ["build_report"]
