"""``python -m eventstudy``."""

from eventstudy.cli import entry

entry()
