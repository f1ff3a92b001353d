"""A thin adapter over ``exchange_calendars``: event dates to sessions.

The package says "session" for a trading day and "relative day" for event time; it never
counts calendar days.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import pandas as pd

from eventstudy._io import cache_root, write_bytes_atomic
from eventstudy.errors import EventDateError, EventDateMovedWarning, FutureEventDateError, InvalidOptionError, warn

Date: TypeAlias = pd.Timestamp | dt.date | str
"""A calendar date that may or may not be a session."""


if TYPE_CHECKING:
    import exchange_calendars as xcals


@functools.cache
def _calendar(name: str, start: str, end: str) -> xcals.ExchangeCalendar:
    import exchange_calendars as xcals  # loaded with the first calendar, not at import

    try:
        return xcals.get_calendar(name, start=start, end=end)
    except xcals.errors.InvalidCalendarName:
        raise InvalidOptionError("calendar", name, xcals.get_calendar_names()) from None


def sessions_between(name: str, start: Date, end: Date) -> pd.DatetimeIndex:
    """Return the sessions of calendar ``name`` from ``start`` to ``end`` inclusive."""
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    sessions = _sessions(name, str((first - pd.Timedelta(days=7)).date()), str((last + pd.Timedelta(days=30)).date()))
    return sessions[(sessions >= first) & (sessions <= last)]


@functools.cache
def _sessions(name: str, start: str, end: str) -> pd.DatetimeIndex:
    """All sessions of ``name`` from ``start`` to ``end``, kept on disk per calendar version.

    Building a calendar computes its holiday rules back to their first year (a fifth of a
    second for XNYS); the sessions it gives depend only on these arguments and the
    exchange_calendars version, so a study run again reads them back instead.
    """
    from importlib.metadata import version

    key = re.sub(r"[^A-Za-z0-9.-]+", "_", f"{name}_{start}_{end}_{version('exchange_calendars')}")
    path = cache_root() / "calendars" / f"{key}.npy"
    with contextlib.suppress(OSError, ValueError):
        return pd.DatetimeIndex(np.load(path, allow_pickle=False), name="date")
    sessions = _calendar(name, start, end).sessions
    days = pd.DatetimeIndex(sessions.tz_localize(None) if sessions.tz else sessions, name="date")
    buffer = io.BytesIO()
    np.save(buffer, days.to_numpy(dtype="datetime64[ns]"), allow_pickle=False)
    with contextlib.suppress(OSError):  # a read-only cache only costs the next run the fifth of a second
        write_bytes_atomic(path, buffer.getvalue())
    return days


def to_session(name: str, date: Date, sessions: pd.DatetimeIndex, *, label: str = "event_date") -> pd.Timestamp:
    """Map ``date`` to a session of ``sessions``, moving a non-session to the next one.

    Parameters
    ----------
    name
        Calendar name (``"XNYS"``), for messages.
    date
        The date to place.
    sessions
        The session grid of the data.
    label
        What ``date`` is, for messages.

    Returns
    -------
    pandas.Timestamp
        The session itself, or the next session with an :class:`EventDateMovedWarning`
        naming both dates.

    Raises
    ------
    EventDateError
        If ``date`` is before the first or after the last session of the data.
    """
    try:
        ts = pd.Timestamp(date).normalize()
    except (ValueError, TypeError):
        raise EventDateError(label, date, "is not a date", "write it as YYYY-MM-DD") from None
    if ts.tz is not None:
        ts = ts.tz_localize(None)
    first, last = sessions[0], sessions[-1]
    today = pd.Timestamp.now().normalize()
    if ts > today:
        raise FutureEventDateError(
            label,
            str(ts.date()),
            f"is in the future (today is {today.date()}); no prices exist for it yet",
            "check the year, or wait until the event window has passed",
        )
    if ts < first or ts > last:
        raise EventDateError(
            label,
            str(ts.date()),
            f"is outside the price data ({first.date()} to {last.date()})",
            "choose a date inside that range, or load prices that cover it (source='yahoo' downloads them, or give "
            "your own)",
        )
    pos = int(sessions.searchsorted(ts, side="left"))
    session = sessions[pos]
    if session != ts:
        warn(
            f"{label} is {ts.date()}, not a {name} session; using the next session {session.date()}.",
            EventDateMovedWarning,
        )
    return pd.Timestamp(session)


def to_sessions(
    name: str, dates: Sequence[Date], sessions: pd.DatetimeIndex, labels: Sequence[str]
) -> list[pd.Timestamp]:
    """Vectorised :func:`to_session` for many dates (same errors and warnings).

    Each distinct date is checked and placed once: thousands of events share few dates. Its
    warning or error names the first firm-event of that date and how many others share it.
    """
    sharing: dict[object, list[str]] = {}
    for date, label in zip(dates, labels, strict=True):
        sharing.setdefault(date, []).append(label)
    placed: dict[object, pd.Timestamp] = {}
    today = pd.Timestamp.now().normalize()
    for date, named in sharing.items():
        ts = pd.Timestamp(date) if isinstance(date, dt.date) else None
        in_range = ts is not None and sessions[0] <= ts <= min(sessions[-1], today)
        pos = int(sessions.searchsorted(ts)) if in_range else -1
        if in_range and sessions[pos] == ts:
            placed[date] = sessions[pos]  # the common case: already a session
        else:
            others = len(named) - 1
            label = named[0] + (f" (and {others} other firm-event{'s' * (others > 1)} of that date)" if others else "")
            placed[date] = to_session(name, date, sessions, label=label)
    return [placed[date] for date in dates]


FREQUENCY_RATIO = 2.0
"""Two sets of dates whose median spacings differ by more than this factor have different frequencies."""


def median_spacing(dates: pd.DatetimeIndex) -> float:
    """Median number of calendar days between consecutive dates (NaN for fewer than two)."""
    days = pd.DatetimeIndex(dates).sort_values().unique()
    if len(days) < 2:
        return float("nan")
    return float(np.median(np.diff(days.to_numpy()) / np.timedelta64(1, "D")))


def coarse_series(prices: pd.DataFrame, sessions: pd.DatetimeIndex) -> dict[str, float]:
    """Return the series dated much more sparsely than ``sessions`` (weekly prices on a daily calendar), by spacing.

    A return needs prices on two consecutive sessions, so such a series has few returns or none.
    Only series with fewer consecutive prices than gaps are measured (one vectorised pass).
    """
    held = prices.reindex(sessions).notna().to_numpy()
    consecutive = (held[1:] & held[:-1]).sum(axis=0)
    steps = held.sum(axis=0) - 1
    step = median_spacing(sessions)
    out: dict[str, float] = {}
    for k in np.flatnonzero(2 * consecutive < steps):
        name = prices.columns[k]
        spacing = median_spacing(pd.DatetimeIndex(prices.index[prices[name].notna().to_numpy()]))
        if np.isfinite(spacing) and spacing > FREQUENCY_RATIO * step:
            out[str(name)] = spacing
    return out
