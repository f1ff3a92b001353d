"""Event groups: read from every events format, tested per group, and compared between groups."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy, StudyConfig, Window
from eventstudy.cli import main
from eventstudy.config import Event, read_events
from eventstudy.simulate import simulate_event_panel

AXON = Path(__file__).parent / "reference" / "eventstudytools_axon_gspc"

EVENTS = """event_id,ticker,event_date,market,group
NVDA,NVDA,2025-01-27,^GSPC,chips
AVGO,AVGO,2025-01-27,^GSPC,chips
MRVL,MRVL,2025-01-27,^GSPC,chips
CEG,CEG,2025-01-27,^GSPC,power
VST,VST,2025-01-27,^GSPC,power
TLN,TLN,2025-01-27,^GSPC,power
"""


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("groups") / "events.csv"
    path.write_text(EVENTS)
    events = read_events(path)
    cfg = StudyConfig(name="groups", events=events, car_windows=(Window(-1, 1),), event_window=Window(-1, 1))
    return EventStudy(cfg).fit()


def test_the_group_column_is_read_from_csv_toml_and_request_files(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS)
    assert [e.group for e in read_events(path)] == ["chips"] * 3 + ["power"] * 3
    toml = tmp_path / "study.toml"
    toml.write_text(
        '[study]\nname = "t"\n[[study.events]]\nticker = "NVDA"\nevent_date = 2025-01-27\nmarket = "^GSPC"\n'
        'group = "chips"\n[[study.events]]\nticker = "CEG"\nevent_date = 2025-01-27\nmarket = "^GSPC"\n'
    )
    assert [e.group for e in StudyConfig.from_toml(toml).events] == ["chips", ""]
    request = read_events(AXON / "01_requestFile.csv")  # the request file's fifth column
    assert {e.group for e in request} == {"CurrentReport"}
    assert Event("a", "NVDA", request[0].event_date, "^GSPC").as_dict().keys() == {
        "event_id",
        "ticker",
        "event_date",
        "market",
    }  # summary.json stays as it was for studies without groups


def test_each_group_is_tested_as_a_study_of_its_own_events(grouped) -> None:  # type: ignore[no-untyped-def]
    table = grouped.aggregate_table()
    assert grouped.groups == ("chips", "power")
    assert list(dict.fromkeys(table["group"])) == ["all", "chips", "power", "chips - power"]
    for name in ("chips", "power"):
        events = tuple(e for e in grouped.config.events if e.group == name)
        alone = EventStudy(grouped.request.with_(events=events)).fit().aggregate_table()
        mine = table[table["group"] == name].drop(columns="group").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.drop(columns="group"), check_exact=True)


def test_groups_are_compared_by_welch_t_and_rank_sum_by_hand(grouped) -> None:  # type: ignore[no-untyped-def]
    car = grouped.window_table.xs(Window(-1, 1), level="window")["car"]
    x = car[["NVDA", "AVGO", "MRVL"]].to_numpy()
    y = car[["CEG", "VST", "TLN"]].to_numpy()
    vx, vy = x.var(ddof=1) / 3, y.var(ddof=1) / 3
    t = (x.mean() - y.mean()) / np.sqrt(vx + vy)
    df = (vx + vy) ** 2 / (vx**2 / 2 + vy**2 / 2)  # Welch-Satterthwaite
    rows = grouped.group_comparison()
    rows = rows[rows["window"] == "[-1,+1]"].set_index("test")
    assert rows.loc["welch_t", "estimate"] == pytest.approx(x.mean() - y.mean(), rel=1e-12)
    assert rows.loc["welch_t", "statistic"] == pytest.approx(t, rel=1e-12)
    assert rows.loc["welch_t", "distribution"] == f"t({df:.4g}) (Welch)"
    u = sum(float(a > b) + 0.5 * float(a == b) for a in x for b in y)  # Mann-Whitney U of the first group
    assert rows.loc["rank_sum", "statistic"] == u
    # exact: of the C(6,3) = 20 equally likely ways to split six ranks, the share at least as far from 4.5
    splits = [set(c) for c in itertools.combinations(range(6), 3)]
    far = [abs(sum(a > b for a in c for b in set(range(6)) - c) - 4.5) >= abs(u - 4.5) - 1e-12 for c in splits]
    assert rows.loc["rank_sum", "p_value"] == pytest.approx(sum(far) / 20, rel=1e-12)
    assert "exact" in rows.loc["rank_sum", "distribution"]


def test_a_planted_difference_between_groups_is_found() -> None:
    """Every firm gets +3% on its event day; the "miss" group is dated ten sessions earlier, off the effect."""
    sim = simulate_event_panel(40, seed=21, true_ar=0.03)
    sessions = sim.panel.adj_close.index
    events = []
    for k, e in enumerate(sim.events):
        if k < 20:
            events.append(Event(e.event_id, e.ticker, e.event_date, e.market, "hit"))
        else:
            earlier = sessions[sessions.get_loc(pd.Timestamp(e.event_date)) - 10].date()
            events.append(Event(e.event_id, e.ticker, earlier, e.market, "miss"))
    cfg = StudyConfig(name="planted", events=tuple(events), event_window=Window(0, 0), car_windows=(Window(0, 0),))
    res = EventStudy(cfg, source=sim.panel).fit()
    rows = res.group_comparison().set_index("test")
    assert rows.loc["welch_t", "estimate"] == pytest.approx(0.03, abs=0.01)
    assert rows.loc["welch_t", "p_value"] < 1e-3 and rows.loc["rank_sum", "p_value"] < 1e-3
    assert rows.loc["bw1985", "p_value"] < 1e-3


def test_a_group_too_small_to_compare_says_why(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS.replace("TLN,TLN,2025-01-27,^GSPC,power", "TLN,TLN,2025-01-27,^GSPC,nuclear"))
    res = EventStudy(StudyConfig(name="g", events=read_events(path))).fit()
    rows = res.group_comparison()
    single = rows[rows["group"].str.contains("nuclear")]
    independent = single[single["test"] != "bw1985"]
    assert not independent.empty and independent["note"].str.contains("two firm-events").all()
    # the portfolio's crude-dependence t needs no spread across firm-events: one firm's own series serves
    assert single.loc[single["test"] == "bw1985", "p_value"].notna().all()
    assert list(res.group_results("nuclear").event_ids) == ["TLN"]
    with pytest.raises(ValueError, match="group='nope'"):
        res.group_results("nope")


def test_grouped_runs_write_groups_to_aggregate_csv(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(EVENTS)
    assert main(["run", "--events", str(events), "--out", str(tmp_path / "out")]) == 0
    agg = pd.read_csv(tmp_path / "out" / "aggregate.csv")
    assert set(agg["group"]) == {"all", "chips", "power", "chips - power"}
    assert set(agg.loc[agg["group"] == "chips - power", "test"]) == {"welch_t", "rank_sum", "bw1985"}


def test_a_grouped_report_compares_the_groups(tmp_path: Path) -> None:
    from eventstudy.report import build_report
    from eventstudy.report.robustness import aggregate_section, groups_section

    events = tmp_path / "events.csv"
    events.write_text(EVENTS)
    cfg = StudyConfig(name="g", events=read_events(events), event_window=Window(-1, 1))
    build_report(cfg, tmp_path / "report", sections=[aggregate_section, groups_section])
    text = (tmp_path / "report" / "report.md").read_text()
    assert "Groups compared" in text and "| chips - power |" in text
    assert (tmp_path / "report" / "figures" / "groups.png").stat().st_size > 0
    assert (tmp_path / "report" / "figures" / "caar_by_group.png").stat().st_size > 0
    # a study without groups has no such section
    plain = tuple(Event(e.event_id, e.ticker, e.event_date, e.market) for e in cfg.events)
    build_report(StudyConfig(name="n", events=plain), tmp_path / "plain", sections=[groups_section])
    assert "Groups compared" not in (tmp_path / "plain" / "report.md").read_text()


def test_a_report_does_not_call_an_uncomputable_comparison_not_significant(tmp_path: Path) -> None:
    from eventstudy.report import build_report
    from eventstudy.report.robustness import groups_section

    # firm-events on dates apart: Welch's t judges, and a group of one firm-event has no spread to compare
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,ticker,event_date,market,group\nNVDA,NVDA,2025-01-27,^GSPC,chips\nMU,MU,2024-12-18,^GSPC,chips\n"
        "CEG,CEG,2024-02-27,^GSPC,power\nVST,VST,2024-09-23,^GSPC,power\nTLN,TLN,2024-06-03,^GSPC,nuclear\n"
    )
    build_report(StudyConfig(name="g", events=read_events(events)), tmp_path / "r", sections=[groups_section])
    text = (tmp_path / "r" / "report.md").read_text().split("## 1. Groups compared")[1]
    opening = text.strip().splitlines()[0]
    assert "(Welch p = " in opening and "crude-dependence" not in opening
    assert "Welch's t cannot compare chips and nuclear, power and nuclear" in opening
    # on one date the crude-dependence t judges, and it needs no spread: every pair is compared
    events.write_text(EVENTS.replace("TLN,TLN,2025-01-27,^GSPC,power", "TLN,TLN,2025-01-27,^GSPC,nuclear"))
    build_report(StudyConfig(name="g", events=read_events(events)), tmp_path / "s", sections=[groups_section])
    text = (tmp_path / "s" / "report.md").read_text().split("## 1. Groups compared")[1]
    opening = text.strip().splitlines()[0]
    assert "under the crude-dependence t" in opening or "(crude-dependence p = " in opening
    assert "cannot compare" not in opening


def test_with_events_is_a_study_of_those_events_and_names_an_unknown_one(grouped) -> None:  # type: ignore[no-untyped-def]
    ids = ["NVDA", "CEG", "TLN"]
    alone = grouped.with_events(ids)
    cfg = StudyConfig(
        name="three",
        events=tuple(e for e in grouped.config.events if e.event_id in ids),
        car_windows=(Window(-1, 1),),
        event_window=Window(-1, 1),
    )
    fresh = EventStudy(cfg).fit()
    assert alone.event_ids == ids
    for key, value in fresh.aggregate_tests.items():
        assert alone.aggregate_tests[key].statistic == pytest.approx(value.statistic, rel=1e-12, nan_ok=True), key
    with pytest.raises(ValueError, match=r"event_ids='AMD' names no firm-event of this study; pass ids from"):
        grouped.with_events(["NVDA", "AMD"])
    with pytest.raises(ValueError, match=r"event_ids=\[\] is empty"):
        grouped.with_events([])


def test_a_part_of_a_skipping_study_is_tested_as_the_part_alone() -> None:
    """Under "skip" the other events are fitted but not tested; with no same-firm overlap that is the part alone.

    KO's window overlaps NVDA's and JPM's, which do not overlap each other: left out of the
    tests, KO must not tie them together in the cross-correlation either.
    """
    days = pd.bdate_range("2024-08-05", periods=5)
    events = tuple(Event(t, t, d.date(), "^GSPC") for t, d in (("NVDA", days[0]), ("KO", days[2]), ("JPM", days[4])))
    base = StudyConfig(name="part", events=events, event_window=Window(-1, 1), car_windows=(Window(-1, 1),))
    skipping = EventStudy(replace(base, estimation_overlap="skip")).fit().with_events(["NVDA", "JPM"])
    alone = EventStudy(replace(base, events=(events[0], events[2]))).fit()
    assert skipping.event_ids == alone.event_ids == ["NVDA", "JPM"]
    for field in ("overlapping_pairs", "pairs", "effective"):
        assert getattr(skipping.cross_correlation, field) == getattr(alone.cross_correlation, field), field
    assert alone.cross_correlation.overlapping_pairs == 0
    ours, theirs = skipping.aggregate_table(), alone.aggregate_table()
    pd.testing.assert_frame_equal(
        ours.drop(columns=["statistic", "p_value"]), theirs.drop(columns=["statistic", "p_value"])
    )
    np.testing.assert_allclose(ours["statistic"], theirs["statistic"], rtol=1e-12, equal_nan=True)


def test_a_clear_difference_is_said_with_its_direction_and_size_and_unmeasured_exposures_are_explained(
    tmp_path: Path,
) -> None:
    from eventstudy.report import build_report
    from eventstudy.report.explain import explain_section
    from eventstudy.report.robustness import groups_section

    events = [Event(f"{t}@2024-11-06", t, "2024-11-06", "^GSPC", "banks") for t in ("JPM", "BAC", "WFC")]
    events += [Event(f"{t}@2024-11-06", t, "2024-11-06", "^GSPC", "homebuilders") for t in ("DHI", "LEN", "PHM")]
    events.append(Event("JPM@2024-09-18", "JPM", "2024-09-18", "^GSPC", "banks"))
    cfg = StudyConfig(
        name="g",
        events=tuple(events),
        model="ff3",
        estimation=Window(-120, -6),
        event_window=Window(0, 1),
        exposures=(("utilities", "XLU"),),
    )
    res = EventStudy(cfg).fit()
    cars = res.car("0:1")
    banks = cars[[e.event_id for e in events if e.group == "banks"]].mean()
    builders = cars[[e.event_id for e in events if e.group == "homebuilders"]].mean()
    build_report(cfg, tmp_path / "r", sections=[groups_section, explain_section])
    text = (tmp_path / "r" / "report.md").read_text()
    gap = f"{abs(banks - builders) * 100:.2f}"
    direction = "higher" if banks > builders else "lower"
    # one date: the firm-events are correlated, so the crude-dependence t judges
    assert (
        f"The mean CAR of banks is {gap} percentage points {direction} than that of homebuilders (crude-dependence "
        "p = " in text
    )
    # the members' cross-section needs one date: the exposures named are said not to be measured, and why
    assert "Not computed: the exposures this study names, utilities (XLU)," in text
    assert "it has 2 event dates" in text


def test_an_event_without_a_group_among_grouped_ones_is_pooled_only_with_a_warning(tmp_path: Path) -> None:
    from eventstudy.errors import UngroupedEventWarning

    path = tmp_path / "events.csv"
    path.write_text(EVENTS.replace("TLN,TLN,2025-01-27,^GSPC,power", "TLN,TLN,2025-01-27,^GSPC,"))
    cfg = StudyConfig(name="g", events=read_events(path))
    with pytest.warns(UngroupedEventWarning, match=r"event 'TLN' \(TLN\): no group, while other events have one"):
        res = EventStudy(cfg).fit()
    table = res.aggregate_table()
    n = table[(table["test"] == "csect_t") & (table["window"] == "[-1,+1]") & (table["measure"] == "ar")]
    assert n.set_index("group")["n"].to_dict() == {"all": 6, "chips": 3, "power": 2}


@pytest.mark.parametrize("name", ["all", "power - utilities"])
def test_a_group_named_as_aggregate_csv_names_the_pooled_rows_or_a_pair_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """'A - B' names a pair of groups in aggregate.csv: a group 'power - utilities' would read as two."""
    from eventstudy.errors import ConfigError

    events = (Event("n", "NVDA", "2025-01-27", "^GSPC", "chips"), Event("c", "CEG", "2025-01-27", "^GSPC", name))
    with pytest.raises(ConfigError, match="rename it"):
        StudyConfig(name="g", events=events)
    path = tmp_path / "ev.csv"
    path.write_text(f'event_id,ticker,event_date,group\nn,NVDA,2025-01-27,chips\nc,CEG,2025-01-27,"{name}"\n')
    assert main(["run", "--events", str(path), "--market", "^GSPC", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"group={name!r}" in err and not (tmp_path / "o").exists()
    # a hyphen alone is a name like any other
    StudyConfig(name="g", events=(*events[:1], Event("c", "CEG", "2025-01-27", "^GSPC", "power-utilities")))


def test_one_group_beside_ungrouped_events_is_tested_alone_and_one_group_for_all_is_the_pool(tmp_path: Path) -> None:
    """A group is a subset worth its own rows only while other events stay outside it."""
    import warnings

    from eventstudy.errors import UngroupedEventWarning
    from eventstudy.report import build_report
    from eventstudy.report.robustness import groups_section

    path = tmp_path / "events.csv"
    path.write_text(EVENTS.replace(",power", ","))
    cfg = StudyConfig(name="g", events=read_events(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(cfg).fit()
    table = res.aggregate_table()
    assert set(table["group"]) == {"all", "chips"}  # no pair: nothing to compare with
    chips = table[(table["group"] == "chips") & (table["test"] == "csect_t") & (table["window"] == "[-1,+1]")]
    car = res.window_table.xs(Window(-1, 1), level="window").loc[["NVDA", "AVGO", "MRVL"], "car"]
    assert float(chips.loc[chips["measure"] == "ar", "estimate"].iloc[0]) == pytest.approx(car.mean(), rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "r", sections=[groups_section])
    md = (tmp_path / "r" / "report.md").read_text()
    assert "## 1. The group tested alone" in md and "of the one group, chips." in md
    assert "CEG, VST and TLN have no group and count only in the tests of all firm-events pooled" in md
    assert "Welch" not in md

    path.write_text(EVENTS.replace(",power", ",chips"))
    with pytest.warns(UngroupedEventWarning, match="every event is in group 'chips': one group is the whole study"):
        res = EventStudy(StudyConfig(name="g", events=read_events(path))).fit()
    assert set(res.aggregate_table()["group"]) == {"all"}


def test_events_without_a_market_are_measured_against_one_default_market(tmp_path: Path) -> None:
    """The API, an events file, a study file and the command line all give a row without a market the S&P 500."""
    import json

    from eventstudy import event_study
    from eventstudy._options import DEFAULT_MARKET
    from eventstudy.partitioned import read_event_table

    path = tmp_path / "events.csv"
    path.write_text("event_id,ticker,event_date\nn,NVDA,2025-01-27\n")
    assert [e.market for e in read_events(path)] == ["^GSPC"] == [DEFAULT_MARKET]
    assert read_event_table(path)["market"].tolist() == ["^GSPC"]
    assert [e.market for e in read_events(path, market="^NDX")] == ["^NDX"]
    study = tmp_path / "s.toml"
    study.write_text('[study]\nname = "s"\nevents_file = "events.csv"\n')
    assert [e.market for e in StudyConfig.from_toml(study).events] == ["^GSPC"]
    assert event_study(["NVDA"], "2025-01-27").config.events[0].market == "^GSPC"
    assert main(["run", "--events", str(path), "--out", str(tmp_path / "o")]) == 0
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["config"]["events"][0]["market"] == "^GSPC"


def test_the_groups_crude_dependence_t_is_brown_warner_on_the_long_short_portfolio_by_hand(grouped) -> None:  # type: ignore[no-untyped-def]
    """Brown and Warner (1985): the difference of the groups' mean CARs over sqrt(L) sd of the portfolio's AAR."""
    ar, est = grouped.ar, grouped.est_mask
    ids = {g: grouped.group_event_ids(g) for g in ("chips", "power")}
    # each group's average AR on each relative estimation day, from the ARs themselves
    aar = {g: ar[ids[g]].where(est[ids[g]]).mean(axis=1) for g in ids}
    diff = (aar["chips"] - aar["power"]).dropna().to_numpy()
    car = grouped.window_table.xs(Window(-1, 1), level="window")["car"]
    t = (car[ids["chips"]].mean() - car[ids["power"]].mean()) / (np.sqrt(3) * diff.std(ddof=1))
    row = grouped.group_comparison().query("window == '[-1,+1]' and test == 'bw1985'").iloc[0]
    assert row["statistic"] == pytest.approx(t, rel=1e-10)
    assert row["distribution"] == f"t({len(diff) - 1})"
    from scipy import stats

    assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(t), len(diff) - 1), rel=1e-9)


def test_the_crude_dependence_t_keeps_its_size_when_one_group_shares_a_shock_and_welch_does_not() -> None:
    """Null simulation: group A's firms share a sector shock the market does not carry, all on one date.

    The shock moves A's mean on the event day as on any other day; Welch's t sees only the spread
    within each group and rejects far too often, while the long-short portfolio's estimation-window
    sd holds the shock and the crude-dependence t rejects about 5% of the time (400 replications:
    3 binomial sds either side of 5% is 1.7% to 8.3%).
    """
    from scipy import stats

    from eventstudy.aggregate import crude_difference_t

    rng = np.random.default_rng(11)
    days, n, reps = 251, 10, 400
    crude = welch = 0
    for _ in range(reps):
        shock = rng.normal(0, 0.01, days)  # last day: the event day
        a = shock[:, None] + rng.normal(0, 0.01, (days, n))
        b = rng.normal(0, 0.01, (days, n))
        est_a, est_b = pd.Series(a[:-1].mean(axis=1)), pd.Series(b[:-1].mean(axis=1))
        crude += crude_difference_t(a[-1], b[-1], est_a, est_b, 1).pvalue < 0.05
        welch += stats.ttest_ind(a[-1], b[-1], equal_var=False).pvalue < 0.05
    assert 0.017 <= crude / reps <= 0.083
    assert welch / reps > 0.2
