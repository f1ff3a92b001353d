"""Dates from users: ISO always; other layouts only when they cannot be misread.

A date such as ``05/08/2024`` reads as 5 August or 8 May. Nothing here guesses: a
column of dates is read with the one layout under which every value parses, and when
two layouts both fit (and give different days) the error names both readings and the
option that settles it (``date_format=`` in the API, ``--date-format`` on the command
line). Partial dates (``2025``, ``2025-01``, ``2025Q1``) are refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from eventstudy.errors import EventDateError

ISO = "%Y-%m-%d"
# Layouts tried when a value is not ISO; day-first and month-first both, so that an
# ambiguous value is caught rather than read one way. A month's (English) name cannot be
# misread as a day, so those layouts are read as they come; a year is always four digits.
CANDIDATES = (
    "%d.%m.%Y",
    "%m.%d.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y%m%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%Y",
)
_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?$")
_PLAUSIBLE = (1800, 2200)
_HINT = "write it as YYYY-MM-DD or pass date_format= (--date-format), e.g. %d/%m/%Y"


_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T](\d{2}:\d{2})")


def times_of_day(values: Sequence[object]) -> list[str]:
    """Return the values given with a time of day other than midnight (ISO text such as ``2025-01-27 16:30``)."""
    found = [(str(v).strip(), _TIME.match(str(v).strip())) for v in values]
    return [text for text, m in found if m is not None and m.group(1) != "00:00"]


def parse_date(parameter: str, value: object, date_format: str | None = None) -> dt.date:
    """Return ``value`` as a date, or raise :class:`EventDateError` naming ``parameter``.

    Parameters
    ----------
    parameter
        Name used in the error message.
    value
        A ``date``, ``datetime``, ISO string, or a string in ``date_format``.
    date_format
        A ``strptime`` layout for non-ISO strings; without it a non-ISO string is read
        only when exactly one layout fits it.

    Examples
    --------
    >>> parse_date("event_date", "2025-01-27")
    datetime.date(2025, 1, 27)
    >>> parse_date("event_date", "27.01.2025"), parse_date("event_date", "Jan 27, 2025")
    (datetime.date(2025, 1, 27), datetime.date(2025, 1, 27))
    >>> parse_date("event_date", "05/08/2024", "%m/%d/%Y")
    datetime.date(2024, 5, 8)
    """
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    return parse_date_column(parameter, [str(value)], date_format)[0]


def _iso_day(parameter: str, text: str) -> dt.date:
    try:
        return pd.Timestamp(text).date()
    except (ValueError, OverflowError):  # 2024-02-30 looks ISO but is no day
        raise EventDateError(parameter, text, "is not a day of the calendar", _HINT) from None


def parse_date_column(parameter: str, values: Sequence[str], date_format: str | None = None) -> list[dt.date]:
    """Parse strings that share one layout (a file's date column) to dates.

    Raises
    ------
    EventDateError
        If a value fits no layout, is partial or implausible, or two layouts fit every
        value with different results (the message names both readings).
    """
    text = [str(v).strip() for v in values]
    if date_format is not None:
        return [_strptime(parameter, v, date_format) for v in text]
    iso = [bool(_ISO_LIKE.match(v)) for v in text]
    if all(iso):
        return [_plausible(parameter, v, _iso_day(parameter, v)) for v in text]
    others = sorted({v for v, ok in zip(text, iso, strict=True) if not ok})
    unreadable = [v for v in others if all(_try(v, f) is None for f in CANDIDATES)]
    if unreadable:
        serial = re.fullmatch(r"\d{5}", unreadable[0]) is not None  # Excel's day count since 1899
        raise EventDateError(
            parameter,
            unreadable[0],
            "is not a full date in a layout that can be read"
            + (" (it looks like a spreadsheet's serial day number)" if serial else ""),
            ("format the column as dates in the spreadsheet before saving it, or " if serial else "") + _HINT,
        )
    fits = [fmt for fmt in CANDIDATES if all(_try(v, fmt) is not None for v in others)]
    if any(iso) or not fits:  # one layout per column: nothing is read two ways
        raise EventDateError(parameter, others[0], "is not in the same layout as the other dates of the column", _HINT)
    readings = {fmt: [_try(v, fmt) for v in others] for fmt in fits}
    distinct = {tuple(r) for r in readings.values()}
    if len(distinct) > 1:
        a, b = fits[0], next(f for f in fits if readings[f] != readings[fits[0]])
        clash = next(v for i, v in enumerate(others) if readings[a][i] != readings[b][i])
        ra, rb = _try(clash, a), _try(clash, b)
        raise EventDateError(
            parameter,
            clash,
            f"is ambiguous: it reads as {ra:%d %B %Y} ({a}) or {rb:%d %B %Y} ({b})",
            f"write dates as YYYY-MM-DD or pass date_format= (--date-format) {a!r} or {b!r}",
        )
    fmt = fits[0]
    return [_plausible(parameter, v, _strptime(parameter, v, fmt)) for v in text]


def _try(value: str, fmt: str) -> dt.date | None:
    try:
        day = dt.datetime.strptime(value, fmt).date()
    except ValueError:
        return None
    return day if _PLAUSIBLE[0] <= day.year <= _PLAUSIBLE[1] else None


def _strptime(parameter: str, value: str, fmt: str) -> dt.date:
    try:
        day = dt.datetime.strptime(value, fmt).date()
    except ValueError:
        raise EventDateError(parameter, value, f"does not match date_format {fmt!r}", _HINT) from None
    return _plausible(parameter, value, day)


def _plausible(parameter: str, value: str, day: dt.date) -> dt.date:
    if not _PLAUSIBLE[0] <= day.year <= _PLAUSIBLE[1]:
        raise EventDateError(parameter, value, "is not a plausible date", _HINT)
    return day
