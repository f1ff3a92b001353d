"""Another event of the same firm inside a firm-event's estimation window is found, said and recorded."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy import Window
from eventstudy.cli import main
from eventstudy.config import Event, StudyConfig
from eventstudy.errors import EstimationOverlapWarning
from eventstudy.study import EventStudy, estimation_overlaps


@st.composite
def _placed(draw: st.DrawFn) -> tuple[list[str], np.ndarray, np.ndarray]:
    n = draw(st.integers(0, 12))
    firms = draw(st.lists(st.sampled_from("ABC"), min_size=n, max_size=n))
    day = np.array(draw(st.lists(st.integers(0, 400), min_size=n, max_size=n)), dtype=np.int64)
    est_lo, est_hi = sorted(draw(st.lists(st.integers(-120, 5), min_size=2, max_size=2)))
    ev_lo, ev_hi = sorted(draw(st.lists(st.integers(-5, 5), min_size=2, max_size=2)))
    est = np.column_stack([day + est_lo, day + est_hi])
    ev = np.column_stack([day + ev_lo, day + ev_hi])
    return firms, est, ev


@settings(max_examples=300, deadline=None)
@given(_placed())
def test_overlaps_are_every_same_firm_pair_sharing_a_session(placed: tuple[list[str], np.ndarray, np.ndarray]) -> None:
    firms, est, ev = placed
    # Session by session, pair by pair: the definition itself.
    expected = [
        tuple(
            j
            for j in range(len(firms))
            if j != i
            and firms[j] == firms[i]
            and set(range(est[i, 0], est[i, 1] + 1)) & set(range(ev[j, 0], ev[j, 1] + 1))
        )
        for i in range(len(firms))
    ]
    assert estimation_overlaps(firms, est, ev) == expected


def _ev(event_id: str, ticker: str, day: str) -> Event:
    return Event(event_id, ticker, dt.date.fromisoformat(day), "^GSPC")


def _fit(events: list[Event], **model: object) -> tuple[list[str], list[warnings.WarningMessage]]:
    cfg = StudyConfig(name="overlaps", events=tuple(events), **model)  # type: ignore[arg-type]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = EventStudy(cfg).fit()
    return list(res.events["status"]), [w for w in caught if issubclass(w.category, EstimationOverlapWarning)]


def test_a_firm_s_earlier_event_in_a_later_estimation_window_is_said_and_recorded() -> None:
    # NVDA 2024-09-18 lies about 63 sessions before 2024-12-18: inside [-250,-11] of the later one.
    events = [
        _ev("sep", "NVDA", "2024-09-18"),
        _ev("dec", "NVDA", "2024-12-18"),
        _ev("dec-ceg", "CEG", "2024-12-18"),
    ]
    status, said = _fit(events)
    assert status[0] == "ok" and status[2] == "ok"  # CEG is another firm; sep's window holds nothing earlier
    assert status[1] == "ok: estimation window holds the event window of event 'sep'"
    assert len(said) == 1 and "event 'dec' (NVDA)" in str(said[0].message)
    assert "[-250,-11]" in str(said[0].message)


def test_the_estimation_window_s_last_session_counts() -> None:
    # Counted back from 2024-12-18: 2024-12-04 is session -10, so its window [-1,+1] starts on -11, the
    # estimation window's last session; 2024-12-05 (session -9) starts on -10, after it.
    status, said = _fit(
        [_ev("in", "NVDA", "2024-12-04"), _ev("out", "NVDA", "2024-12-05"), _ev("last", "NVDA", "2024-12-18")],
        event_window="-1:1",
    )
    # 'in' and 'out' are one session apart, so their own event windows share sessions too
    assert status == [
        "ok: event window shares sessions with the event window of event 'out'",
        "ok: event window shares sessions with the event window of event 'in'",
        "ok: estimation window holds the event window of event 'in'",
    ]
    assert len(said) == 1


def test_the_note_follows_a_short_window_note() -> None:
    # GEV listed on 2024-04-02: both windows are shortened for lack of history; that note comes first.
    status, _ = _fit([_ev("jan", "GEV", "2025-01-27"), _ev("mar", "GEV", "2025-03-03")])
    assert status[0] == "ok: short estimation window (197 of 240)"
    assert status[1].startswith("ok: short estimation window (")
    assert status[1].endswith("; estimation window holds the event window of event 'jan'")


@pytest.mark.parametrize("n_earlier", [2, 5])
def test_several_events_are_named_with_a_count(n_earlier: int) -> None:
    days = ["2024-06-03", "2024-07-01", "2024-08-01", "2024-09-03", "2024-10-01"][:n_earlier]
    events = [_ev(f"e{k}", "KO", d) for k, d in enumerate(days)] + [_ev("last", "KO", "2024-12-18")]
    status, _ = _fit(events)
    expected = (
        "the event windows of events 'e0' and 'e1'"
        if n_earlier == 2
        else "the event windows of events 'e0', 'e1', 'e2' and 2 more"
    )
    assert status[-1] == f"ok: estimation window holds {expected}"


def test_skip_fits_on_the_estimation_days_outside_the_other_event_s_window() -> None:
    events = [_ev("sep", "NVDA", "2024-09-18"), _ev("dec", "NVDA", "2024-12-18")]
    with pytest.warns(EstimationOverlapWarning, match="event 'dec'"):
        keep = EventStudy(StudyConfig(name="keep", events=tuple(events))).fit()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        skip = EventStudy(StudyConfig(name="skip", events=tuple(events), estimation_overlap="skip")).fit()
    assert not [w for w in caught if issubclass(w.category, EstimationOverlapWarning)]
    # By hand: the later event's estimation sessions, less the three of the earlier one's window [-1,+1].
    dates, ret, mkt = keep.dates["dec"], keep.ret["dec"], keep.market_ret["dec"]
    sep_window = set(keep.dates["sep"].loc[-1:1])
    days = [r for r in range(-250, -10) if dates[r] not in sep_window]
    assert len(days) == 237
    ols = sm.OLS(ret.loc[days].to_numpy(), sm.add_constant(mkt.loc[days].to_numpy())).fit()
    got = skip.params.loc["dec"]
    assert got["alpha"] == pytest.approx(ols.params[0], rel=1e-10)
    assert got["beta"] == pytest.approx(ols.params[1], rel=1e-10)
    assert got["sigma"] == pytest.approx(np.sqrt(ols.scale), rel=1e-10)
    assert int(skip.events.loc["dec", "n_est"]) == 237
    # Its window's AR is the day's return less the fit's expectation; the earlier event is untouched.
    day0 = ret.loc[0] - (ols.params[0] + ols.params[1] * mkt.loc[0])
    assert skip.ar.loc[0, "dec"] == pytest.approx(day0, rel=1e-9)
    assert skip.params.loc["sep"].equals(keep.params.loc["sep"])
    status = skip.events["status"]
    assert status["sep"] == "ok"
    assert status["dec"] == "ok: estimation window skips the event window of event 'sep' (3 returns)"
    # The later event alone keeps the fit by hand above: the earlier one is fitted, untested.
    alone = skip.with_events(["dec"])
    assert alone.event_ids == ["dec"] and alone.config.events == (events[1],)
    assert alone.params.loc["dec", "alpha"] == pytest.approx(ols.params[0], rel=1e-10)
    assert alone.events.loc["dec", "status"] == status["dec"]
    assert alone.aggregate_estimates.loc[Window(0, 0), "n"] == 1
    assert alone.aggregate_estimates.loc[Window(0, 0), "mean"] == pytest.approx(day0, rel=1e-9)


def test_skip_is_read_from_toml_and_the_command_line_and_a_wrong_value_is_named(tmp_path: Path) -> None:
    toml = tmp_path / "s.toml"
    toml.write_text(
        '[study]\nname = "s"\nmarket = "^GSPC"\n'
        '[[study.events]]\nevent_id = "sep"\nticker = "NVDA"\nevent_date = 2024-09-18\n'
        '[[study.events]]\nevent_id = "dec"\nticker = "NVDA"\nevent_date = 2024-12-18\n'
        '[model]\nestimation_overlap = "skip"\n'
    )
    assert StudyConfig.from_toml(toml).estimation_overlap == "skip"
    out = tmp_path / "out"
    assert main(["run", "--config", str(toml), "--out", str(out)]) == 0
    params = pd.read_csv(out / "params.csv").set_index("event_id")
    assert params.loc["dec", "n_est"] == 237
    assert main(["run", "--config", str(toml), "--estimation-overlap", "keep", "--out", str(tmp_path / "k")]) == 0
    assert pd.read_csv(tmp_path / "k" / "params.csv").set_index("event_id").loc["dec", "n_est"] == 240
    with pytest.raises(ValueError, match=r"estimation_overlap='drop' is not valid; choose one of: keep, skip"):
        StudyConfig(name="s", events=(_ev("a", "NVDA", "2024-09-18"),), estimation_overlap="drop")
    assert main(["run", "--config", str(toml), "--estimation-overlap", "drop"]) == 2


def test_same_firm_event_windows_that_share_sessions_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2024-07-19 and 2024-07-22 with window [-1,+3]: DAL's two windows share four sessions, DAL and UAL's none."""
    events = tmp_path / "e.csv"
    events.write_text("event_id,ticker,event_date\na,DAL,2024-07-19\nb,DAL,2024-07-22\nc,UAL,2024-07-22\n")
    out = tmp_path / "o"
    assert main(["run", "--events", str(events), "--market", "^GSPC", "--window", "-1:3", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "'a' (DAL): its event window [-1,+3] shares sessions with the event window of event 'b'" in err
    assert "'b' (DAL): its event window [-1,+3] shares sessions with the event window of event 'a'" in err
    status = pd.read_csv(out / "params.csv").set_index("event_id")["status"]
    assert status["a"] == "ok: event window shares sessions with the event window of event 'b'"
    assert status["c"] == "ok"
