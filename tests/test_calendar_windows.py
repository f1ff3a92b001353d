"""Event dates to sessions, windows and configuration checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import eventstudy as es
from eventstudy.calendar import sessions_between, to_session
from eventstudy.errors import ConfigError, EventDateError, EventDateMovedWarning, WindowError
from eventstudy.windows import Window

SESSIONS = sessions_between("XNYS", "2024-12-01", "2025-02-28")


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2025-01-25", "2025-01-27"),
        ("2025-01-26", "2025-01-27"),
        ("2025-01-20", "2025-01-21"),
        ("2025-01-09", "2025-01-10"),
    ],
)
def test_non_session_moves_to_next_session_with_warning(date: str, expected: str) -> None:
    with pytest.warns(EventDateMovedWarning, match=f"{date}.*{expected}"):
        assert to_session("XNYS", date, SESSIONS) == pd.Timestamp(expected)


def test_session_is_kept() -> None:
    assert to_session("XNYS", "2025-01-27", SESSIONS) == pd.Timestamp("2025-01-27")


def test_known_closures_are_not_sessions() -> None:
    for day in ("2025-01-01", "2025-01-09", "2025-01-20"):
        assert pd.Timestamp(day) not in SESSIONS


def test_date_outside_data() -> None:
    with pytest.raises(EventDateError, match="outside the price data"):
        to_session("XNYS", "2026-01-05", SESSIONS)


@pytest.mark.parametrize(
    ("text", "start", "end", "length"), [("-250:-11", -250, -11, 240), ("[-1,1]", -1, 1, 3), ("0:5", 0, 5, 6)]
)
def test_window_parse(text: str, start: int, end: int, length: int) -> None:
    w = Window.parse(text)
    assert (w.start, w.end, w.length) == (start, end, length)


@pytest.mark.parametrize("text", ["1:-1", "abc", "1", "-3:-5"])
def test_bad_window(text: str) -> None:
    with pytest.raises(WindowError):
        Window.parse(text)


def test_weekend_event_in_a_study() -> None:
    moved = r"event_date of NVDA@2025-01-25 is 2025-01-25, not a XNYS session; using the next session 2025-01-27"
    with pytest.warns(EventDateMovedWarning, match=moved):
        res = es.event_study(["NVDA"], "2025-01-25")
    assert str(res.events["event_session"].iloc[0]) == "2025-01-27"


def test_weekend_date_shared_by_firms_is_one_warning_with_their_count() -> None:
    with pytest.warns(EventDateMovedWarning) as caught:
        es.event_study(["NVDA", "AVGO", "MU"], "2025-01-25")
    moved = [str(w.message) for w in caught if issubclass(w.category, EventDateMovedWarning)]
    assert moved == [
        "event_date of NVDA@2025-01-25 (and 2 other firm-events of that date) is 2025-01-25, not a XNYS session; "
        "using the next session 2025-01-27."
    ]


def test_short_history_uses_shorter_window_with_warning() -> None:
    with pytest.warns(UserWarning, match="shortened to 197 returns of 240"):
        res = es.event_study(["GEV"], "2025-01-27")
    assert res.events["n_est"].iloc[0] == 197
    assert res.events["status"].iloc[0].startswith("ok: short")


def test_strict_runs_say_why_an_estimation_window_is_empty_and_what_to_do() -> None:
    from eventstudy.errors import InsufficientEstimationDataError

    # GE Vernova's first close is 2024-03-27: a window before it holds nothing, a shorter one would not help
    late = r"0 usable returns of 19 requested \(GEV's returns run from 2024-03-28 to .*, after the event\), .*; no "
    with pytest.raises(
        InsufficientEstimationDataError, match=late + "estimation window before the event can hold them"
    ):
        es.event_study(["GEV"], "2024-03-20", event_window="8:10", estimation="-20:-2", strict=True)
    with pytest.raises(InsufficientEstimationDataError, match=r"0 usable returns of 240 requested, .*; use a shorter"):
        es.event_study(["GEV"], "2024-04-10", strict=True)


def test_config_rejects_unknown_model() -> None:
    with pytest.raises(ValueError, match=r"model='capm'.*market_adjusted"):
        es.event_study(["NVDA"], "2025-01-27", model="capm")


def test_config_rejects_duplicate_event_ids() -> None:
    ev = es.Event("a", "NVDA", pd.Timestamp("2025-01-27").date(), "^GSPC")
    with pytest.raises(ConfigError, match="more than once"):
        es.StudyConfig(name="x", events=(ev, ev))


def test_results_are_immutable() -> None:
    res = es.event_study(["NVDA"], "2025-01-27")
    with pytest.raises(AttributeError):
        res.ar = None  # type: ignore[misc]


@pytest.mark.parametrize("name", ["XNYS", "XLON", "XTKS"])
def test_sessions_read_back_from_the_cache_are_the_calendar_s_own(name: str, tmp_path: Path) -> None:
    """Sessions come from exchange_calendars the first time and from the disk cache after; a spoilt file is rebuilt."""
    import exchange_calendars as xcals

    from eventstudy import calendar

    want = xcals.get_calendar(name, start="2019-01-01", end="2021-01-31").sessions_in_range("2019-03-01", "2020-12-31")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVENTSTUDY_CACHE_DIR", str(tmp_path))
        for step in ("build", "read back", "rebuild"):
            calendar._sessions.cache_clear()
            if step == "read back":
                mp.setattr(calendar, "_calendar", None)  # reading back must not build the calendar
            else:
                mp.undo()
                mp.setenv("EVENTSTUDY_CACHE_DIR", str(tmp_path))
            if step == "rebuild":
                for path in (tmp_path / "calendars").iterdir():
                    path.write_bytes(b"not an array")
            got = sessions_between(name, "2019-03-01", "2020-12-31")
            assert list(got) == list(want.tz_localize(None) if want.tz else want)
            assert len(list((tmp_path / "calendars").iterdir())) == 1


def test_prices_on_days_the_calendar_does_not_open_are_named() -> None:
    import exchange_calendars as xcals

    from eventstudy.errors import OffCalendarPricesWarning
    from tests.conftest import bundled_csv

    with pytest.warns(OffCalendarPricesWarning) as caught:
        es.event_study(["NVDA"], "2024-10-31", calendar="XLON")
    dates = pd.DatetimeIndex(pd.read_csv(bundled_csv("NVDA.csv"))["date"])
    london = xcals.get_calendar("XLON", start=str(dates[0].date()), end=str(dates[-1].date())).sessions
    off = dates.difference(london)  # US sessions on which London is closed, worked out apart
    message = str(next(w.message for w in caught if isinstance(w.message, OffCalendarPricesWarning)))
    assert f"have {len(off)} date(s) that are not its sessions (first: {off[0].date()}" in message
    assert "calendar='rows'" in message


def test_a_window_past_the_last_price_says_when_the_prices_end() -> None:
    from eventstudy.errors import MissingReturnsWarning
    from tests.conftest import bundled_csv

    last = pd.read_csv(bundled_csv("NVDA.csv"))["date"].iloc[-1]
    with pytest.warns(MissingReturnsWarning, match=rf"\[0,\+5\] \(NVDA's returns end on {last}, before the window"):
        res = es.event_study(["NVDA"], last, car_windows=["0:5"], event_window="0:0")
    assert np.isnan(res.car("0:5").iloc[0])


def test_a_window_asked_for_after_the_fit_says_when_it_runs_past_the_prices() -> None:
    """``res.car("0:100")`` refits with the window added: its empty CARs are warned about, nothing else again."""
    import warnings

    from eventstudy.errors import MissingReturnsWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = es.event_study(["NVDA"], "2025-04-03")
    with pytest.warns(MissingReturnsWarning, match=r"\[0,\+100\] \(NVDA's returns end on 2025-06-30") as caught:
        assert np.isnan(res.car("0:100").iloc[0])
    assert len(caught) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a window inside the data refits in silence
        assert np.isfinite(res.car("0:5").iloc[0])
