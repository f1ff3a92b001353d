"""Reports of studies the package was not written for: every sentence must hold for the study at hand."""

from __future__ import annotations

import re
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy, Window
from eventstudy.config import StudyConfig
from eventstudy.errors import EstimationOverlapWarning
from eventstudy.report import build_report
from eventstudy.report.format import fmt_p, fmt_pct

from .conftest import bundled_closes, bundled_csv

DEEPSEEK_WORDS = ("DeepSeek", "Alphabet", "class A", "pulled the cap-weighted", "Nvidia")


def _report(tmp: Path, name: str, toml: str) -> str:
    path = tmp / f"{name}.toml"
    path.write_text(toml)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig.from_toml(path), tmp / name)
    return (tmp / name / "report.md").read_text()


def _sections(md: str) -> list[int]:
    return [int(n) for n in re.findall(r"^## (\d+)\. ", md, flags=re.M)]


@pytest.fixture(scope="module")
def ff3_day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("ff3")
    md = _report(
        tmp,
        "aug",
        '[study]\nname = "aug"\nevent_date = 2024-08-05\ntickers = ["AAPL", "JPM", "NVDA", "BAC"]\n'
        'market = "^GSPC"\n[model]\nname = "ff3"\ncar_windows = ["0:0", "-1:1"]\n',
    )
    return tmp / "aug", md


@pytest.fixture(scope="module")
def many_dates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("many")
    days = pd.bdate_range("2023-03-01", periods=12, freq="21B")  # about a month apart: no window overlaps
    tickers = ["AAPL", "MSFT", "JPM", "XOM", "PFE", "KO", "HD", "CAT", "DUK", "PLD", "LIN", "AMT"]
    events = "".join(
        f'[[study.events]]\nticker = "{t}"\nevent_date = {d.date()}\n' for t, d in zip(tickers, days, strict=True)
    )
    md = _report(
        tmp, "many", f'[study]\nname = "many"\nmarket = "^GSPC"\n{events}[model]\ncar_windows = ["0:0", "-1:1"]\n'
    )
    return tmp / "many", md


def test_sections_are_numbered_in_order(ff3_day: tuple[Path, str], many_dates: tuple[Path, str]) -> None:
    for _, md in (ff3_day, many_dates):
        numbers = _sections(md)
        assert numbers == list(range(1, len(numbers) + 1)), numbers


def test_nothing_about_another_study(ff3_day: tuple[Path, str], many_dates: tuple[Path, str]) -> None:
    for folder, md in (ff3_day, many_dates):
        html = (folder / "index.html").read_text()
        for word in DEEPSEEK_WORDS:
            assert word not in md and word not in html, word


def test_the_headline_names_the_model_and_window_used(ff3_day: tuple[Path, str]) -> None:
    _, md = ff3_day
    lead = next(line for line in md.splitlines() if line.startswith("**"))
    assert "ff3 model" in lead and "[-250,-11]" in lead and "market model" not in lead
    assert "Fama-French 3-factor" in md


def test_a_share_count_after_the_event_is_said_and_firms_without_one_are_listed(ff3_day: tuple[Path, str]) -> None:
    folder, md = ff3_day
    dollars = pd.read_csv(folder / "tables" / "dollar_impact.csv").set_index("ticker")
    assert "dated after the event (2024-08-05)" in dollars.loc["NVDA", "shares_note"]
    assert {"AAPL", "JPM", "BAC"} <= set(dollars.index)  # listed, not dropped
    assert "No share count is bundled for AAPL, BAC, JPM" in md


def test_many_dates_in_event_time_without_common_date_sentences(many_dates: tuple[Path, str]) -> None:
    folder, md = many_dates
    assert "share one event date" not in md
    assert "12 different sessions, so prices are shown in event time" in md
    assert "fall on 12 dates and no two event windows overlap in calendar time, so there is no cross-correlation" in md
    table = pd.read_csv(folder / "tables" / "aggregate_tests.csv")
    kp = table[table["test"].isin(["kp_patell", "kp_bmp"])]
    assert kp["statistic"].isna().all() and kp["note"].str.contains("overlap in calendar time").all()
    assert "Over 12 firm-events on 12 dates" in md
    # 12 firm-events are more than the figure colours: the caption says which it does
    assert "in colour the three lowest and three highest by the last day shown" in md
    assert (
        "in colour the three lowest and three highest by the last day, the others in grey, the average in black" in md
    )


def test_under_the_eventstudytools_profile_r_pairs_every_firm_event_and_the_report_says_so(tmp_path: Path) -> None:
    """The service's r comes from all pairs, paired by position: no common shock is claimed where none is."""
    days = pd.bdate_range("2023-03-01", periods=4, freq="21B")  # about a month apart: no window overlaps
    events = "".join(
        f'[[study.events]]\nticker = "{t}"\nevent_date = {d.date()}\n'
        for t, d in zip(["AAPL", "MSFT", "JPM", "XOM"], days, strict=True)
    )
    md = _report(
        tmp_path,
        "apart",
        f'[study]\nname = "apart"\nmarket = "^GSPC"\n{events}[model]\nconvention = "eventstudytools"\n'
        'car_windows = ["0:0"]\n',
    )
    paragraph = next(line for line in md.splitlines() if "Kolari-Pynnonen versions" in line)
    assert "no two event windows overlap in calendar time, so no common shock ties" in paragraph
    assert "misstate significance" not in paragraph
    assert "paired by position from each window's first day" in paragraph
    table = pd.read_csv(tmp_path / "apart" / "tables" / "aggregate_tests.csv")
    assert table.loc[table["test"].isin(["kp_patell", "kp_bmp"]), "statistic"].notna().all()


def test_a_few_firms_on_one_date_are_all_in_colour(ff3_day: tuple[Path, str]) -> None:
    _, md = ff3_day
    assert "in colour the three largest" not in md


def test_multiple_testing_and_the_sq_floor_are_reported(ff3_day: tuple[Path, str]) -> None:
    folder, md = ff3_day
    adjusted = pd.read_csv(folder / "tables" / "pvalues_adjusted.csv")
    assert {"p_value", "p_holm", "p_bh"} <= set(adjusted.columns)
    assert (adjusted["p_holm"] >= adjusted["p_value"] - 1e-15).all()
    assert list(adjusted["window"].unique()) == ["[0,0]", "[-1,+1]"]  # as the firm table's columns
    assert "Holm" in md and "cannot fall below 2/(N + 1)" in md
    assert "standardised abnormal returns of day 0 have sd" in md


def test_a_model_without_a_market_index_gets_no_market_benchmark_sentence(ff3_day: tuple[Path, str]) -> None:
    _, md = ff3_day
    sector = md[md.index("Where the shock landed") :]
    # its market factor is Ken French's, not the study's index: the sentence names what it does not use
    assert "Under the ff3 model, which does not use the S&P 500, " in sector
    assert "equal-weighted index of all bundled members" not in sector


def test_no_network_requests_in_the_html(ff3_day: tuple[Path, str]) -> None:
    folder, _ = ff3_day
    html = (folder / "index.html").read_text()
    assert not re.search(r"""(src|href)=["']https?:""", html)


def test_plot_draws_the_numbers_of_cumulative_ar() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from eventstudy import event_study

    res = event_study(["NVDA", "CEG", "VST"], "2025-01-27", car_windows=["0:5"])
    fig = res.plot()
    lines = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    cum = res.cumulative_ar * 100
    for eid, ticker in res.events["ticker"].items():
        x, y = lines[ticker].get_data()
        assert list(x) == list(cum.index)
        assert y == pytest.approx(cum[eid].to_numpy(), abs=1e-12)
    window = res.plot(window="0:2", tickers=["CEG"])
    (line,) = [ln for ln in window.axes[0].get_lines() if ln.get_label() == "CEG"]
    assert list(line.get_xdata()) == [0, 1, 2]
    assert line.get_ydata()[-1] == pytest.approx(res.car("0:2")["CEG@2025-01-27"] * 100, rel=1e-12)
    caar = res.plot("caar")
    assert any("CAAR" in ln.get_label() for ln in caar.axes[0].get_lines())
    many = event_study([*["ABT", "AEE", "BALL", "BKR", "CI", "CMG", "COST", "DAL", "DRI", "ECL"]], "2025-01-27").plot()
    coloured = [ln for ln in many.axes[0].get_lines() if not ln.get_label().startswith("_")]
    assert len(coloured) <= 8  # a highlighted few, the average, and the event-window marker
    for ax in (fig.axes[0], many.axes[0]):
        legend = ax.get_legend()
        assert legend.get_bbox_to_anchor().x0 >= ax.get_window_extent().x1 - 1  # outside the data
    with pytest.raises(ValueError, match="kind"):
        res.plot("pie")


@pytest.fixture(scope="module")
def repeated_firms(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Two firms with a share count, each on two dates, under a model outside the robustness list."""
    tmp = tmp_path_factory.mktemp("repeated")
    events = "".join(
        f'[[study.events]]\nevent_id = "{t}-{d}"\nticker = "{t}"\nevent_date = {d}\n'
        for d in ("2025-04-03", "2025-04-09")
        for t in ("NVDA", "GOOGL")
    )
    toml = f'[study]\nname = "twice"\nmarket = "^GSPC"\n{events}[model]\nname = "ff5"\nestimation = "-150:-11"\n'
    return tmp / "twice", _report(tmp, "twice", toml)


def test_a_firm_with_several_events_is_named_by_event_in_the_dollar_table(repeated_firms: tuple[Path, str]) -> None:
    _, md = repeated_firms
    dollars = md.split("## 3. Dollar impact")[1].split("## 4.")[0]
    rows = [line.split("|")[1].strip() for line in dollars.splitlines() if line.startswith("| ") and "$" in line]
    assert rows == ["NVDA-2025-04-03", "GOOGL-2025-04-03", "NVDA-2025-04-09", "GOOGL-2025-04-09"]


def test_the_study_s_own_model_is_among_the_robustness_models(repeated_firms: tuple[Path, str]) -> None:
    folder, md = repeated_firms
    table = pd.read_csv(folder / "tables" / "robustness.csv")
    assert "ff5 (Fama-French factors)" in set(table["spec"])
    # the text's average is the study's own ff5 fit, not the market model that heads the table
    own = table.loc[table["spec"] == "ff5 (Fama-French factors)", "ar_0"].mean()
    assert f"the event-day AR is {fmt_pct(own)} under the study's own model (ff5)" in md


def test_volume_columns_appear_only_when_some_firm_has_volume(tmp_path: Path, ff3_day: tuple[Path, str]) -> None:
    _, mixed = ff3_day  # AAPL and NVDA have volume in the bundled files; JPM and BAC do not
    assert "volume above normal" in mixed and "No volume data for JPM, BAC." in mixed
    # the GARCH figures come from a market model: an ff3 study is told they are not its own ARs
    assert "(a market model whatever the study's own, here ff3: its abnormal returns are not the tables'" in mixed
    none = _report(  # both come from the wide S&P 500 file, which holds adjusted closes only
        tmp_path,
        "banks",
        '[study]\nname = "banks"\nevent_date = 2024-07-31\ntickers = ["JPM", "BAC"]\nmarket = "^GSPC"\n',
    )
    section = none.split("Volatility\n")[1].split("\n## ")[0]
    assert "no trading volume for any of the firms" in section
    assert "volume above normal" not in section and "no volume data" not in section


def test_many_firm_events_are_drawn_and_captioned_as_sorted_points(tmp_path: Path) -> None:
    tickers = ["ABT", "AEE", "BALL", "BKR", "CI", "CMG", "COST", "DAL", "DRI", "ECL", "JPM", "BAC", "KO", "PEP"]
    events = "".join(
        f'[[study.events]]\nticker = "{t}"\nevent_date = {d}\n' for d in ("2024-07-31", "2024-09-18") for t in tickers
    )
    md = _report(tmp_path, "wide", f'[study]\nname = "wide"\nmarket = "^GSPC"\n{events}')
    assert "on the event day of each firm-event, sorted, with its 95% prediction interval" in md
    assert "Raw return and abnormal return" not in md
    assert "Mean event-day abnormal return of the 28 firm-events under each normal-return model" in md


def test_one_firm_event_is_spoken_of_in_the_singular(tmp_path: Path) -> None:
    md = _report(
        tmp_path, "one", '[study]\nname = "one"\nevent_date = 2024-07-19\ntickers = ["CRWD"]\nmarket = "^GSPC"\n'
    )
    robustness = md.split("Robustness\n")[1].split("\n## ")[0]
    assert "The same firm-event under" in robustness and "For CRWD, the event-day AR is" in robustness
    assert "Averaged over the firm-events" not in robustness
    # CRWD joined the S&P 500 on 2024-09-23, after the event; the bundled list is of 2024-12-27
    assert "CRWD is on the S&P 500 member list of 2024-12-27" in " ".join(robustness.split())
    assert "part of its own move if it was a member on the event date" in " ".join(robustness.split())
    volatility = md.split("Volatility\n")[1].split("\n## ")[0]
    assert "no trading volume for CRWD" in volatility and "Savickas" not in volatility
    assert "the red dot is the studied firm" in md


def test_a_firm_s_earlier_event_inside_a_later_estimation_window_is_reported(
    tmp_path: Path, repeated_firms: tuple[Path, str]
) -> None:
    events = "".join(
        f'[[study.events]]\nevent_id = "{t}-{d}"\nticker = "{t}"\nevent_date = {d}\n'
        for d in ("2024-09-18", "2024-12-18")
        for t in ("NVDA", "KO")
    )
    md = _report(tmp_path, "cuts", f'[study]\nname = "cuts"\nmarket = "^GSPC"\n{events}')
    firms = md.split("## 2. Abnormal returns per firm")[1].split("## 3.")[0]
    assert "2 of the 4 firm-events hold another event of the same firm in their estimation window [-250,-11]" in firms
    assert "can shift the fitted normal return" in firms  # whatever the model: no slopes under constant_mean
    assert "- NVDA-2024-12-18: ok: estimation window holds the event window of event 'NVDA-2024-09-18'" in firms
    assert "- KO-2024-12-18: ok: estimation window holds the event window of event 'KO-2024-09-18'" in firms
    # Two events of one firm four sessions apart: neither lies in the other's estimation window.
    assert "another event of the same firm" not in repeated_firms[1]
    skip = _report(
        tmp_path,
        "cuts_skip",
        f'[study]\nname = "cuts_skip"\nmarket = "^GSPC"\n{events}[model]\nestimation_overlap = "skip"\n',
    )
    firms = skip.split("## 2. Abnormal returns per firm")[1].split("## 3.")[0]
    assert "2 of the 4 firm-events had another event of the same firm in their estimation window [-250,-11]" in firms
    assert "- KO-2024-12-18: ok: estimation window skips the event window of event 'KO-2024-09-18' (3 returns)" in firms
    assert "hold another event" not in firms
    # A date or group tested alone keeps each firm-event's fit: December still skips September.
    december = ["NVDA-2024-12-18", "KO-2024-12-18"]
    cars = {}
    for name in ("cuts", "cuts_skip"):
        dates = pd.read_csv(tmp_path / name / "tables" / "dates.csv").set_index("date")
        cars[name] = pd.read_csv(tmp_path / name / "tables" / "firms.csv").set_index("event_id")["car_m1_p1"]
        assert dates.loc["2024-12-18", "caar"] == pytest.approx(cars[name][december].mean(), rel=1e-9)
    assert (cars["cuts"][december] - cars["cuts_skip"][december]).abs().min() > 1e-6  # skipping changed the fits
    by_date = events.replace("event_date = 2024-09-18\n", 'event_date = 2024-09-18\ngroup = "sep"\n')
    by_date = by_date.replace("event_date = 2024-12-18\n", 'event_date = 2024-12-18\ngroup = "dec"\n')
    _report(
        tmp_path,
        "cuts_groups",
        f'[study]\nname = "cuts_groups"\nmarket = "^GSPC"\n{by_date}[model]\nestimation_overlap = "skip"\n',
    )
    table = pd.read_csv(tmp_path / "cuts_groups" / "tables" / "aggregate_tests.csv")
    dec = table[(table["group"] == "dec") & (table["window"] == "[-1,+1]") & (table["test"] == "csect_t")]
    assert float(dec["estimate"].iloc[0]) == pytest.approx(cars["cuts_skip"][december].mean(), rel=1e-9)


def test_many_firms_on_one_date_open_on_their_average(tmp_path: Path) -> None:
    """Six firms on one date: the headline is their average, not whichever firm is listed first."""
    md = _report(
        tmp_path,
        "six",
        '[study]\nname = "six"\nevent_date = 2024-08-05\ntickers = ["KO", "PEP", "JPM", "BAC", "XOM", "CVX"]\n'
        'market = "^GSPC"\n',
    )
    headline = md.splitlines()[2]
    assert headline.startswith("**Over 6 firm-events on 2024-08-05, the average abnormal return on the event day")
    assert "KO returned" not in md


def test_each_of_a_few_dates_is_tested_as_a_study_of_its_own_firm_events(repeated_firms: tuple[Path, str]) -> None:
    """The dates table holds what a study of one date's events alone gives, and the sign sentence holds for it."""
    folder, md = repeated_firms
    dates = pd.read_csv(folder / "tables" / "dates.csv")
    assert dates["date"].tolist() == ["2025-04-03", "2025-04-09"] and dates["n"].tolist() == [2, 2]
    everything = pd.read_csv(folder / "tables" / "firms.csv").set_index("event_id")
    study = StudyConfig.from_toml(folder.parent / "twice.toml")
    for row in dates.itertuples():
        ids = [f"{t}-{row.date}" for t in ("NVDA", "GOOGL")]
        # each firm-event keeps its own fit, so the date's CAAR is the mean of the full study's CARs
        assert row.caar == pytest.approx(everything.loc[ids, f"car_{Window.parse(row.window).label}"].mean(), rel=1e-9)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alone = EventStudy(replace(study, events=tuple(e for e in study.events if e.event_id in ids))).fit()
        window = Window.parse(row.window)
        assert row.test == "kp_bmp"  # two firms on one date are cross-correlated
        assert row.p_value == pytest.approx(
            alone.aggregate_tests[(window, "kp_bmp")].pvalue, rel=1e-9
        )  # the CSV keeps 10 digits
    signs = set(dates["caar"].gt(0))
    aggregate = md.split("## 4. All firms together")[1].split("## 5.")[0]
    assert "| 2025-04-03 | 2 |" in aggregate and "| 2025-04-09 | 2 |" in aggregate
    assert ("differ in sign" in aggregate) == (len(signs) > 1)
    # moves in both directions are claimed only when a rise and a fall each reject at 5%
    sig = dates[dates["p_value"] < 0.05]
    both = bool(sig["caar"].gt(0).any() and sig["caar"].lt(0).any())
    text = " ".join(aggregate.split())
    assert ("mixes moves in both directions" in text) == (len(signs) > 1 and both)
    assert ("from zero at 5%" in text) == (len(signs) > 1 and not both)


def test_many_dates_get_no_table_of_dates(many_dates: tuple[Path, str]) -> None:
    folder, md = many_dates
    assert not (folder / "tables" / "dates.csv").exists()
    assert "table of event dates" not in md


def test_one_firm_event_per_date_gets_no_table_of_dates(tmp_path: Path) -> None:
    """Each date alone would be one firm-event: the table would repeat the firms' table with no test."""
    events = "".join(
        f'[[study.events]]\nticker = "{t}"\nevent_date = {d}\n'
        for t, d in (("NVDA", "2024-05-23"), ("AVGO", "2024-06-13"), ("MU", "2024-06-27"))
    )
    md = _report(tmp_path, "results", f'[study]\nname = "results"\nmarket = "^GSPC"\n{events}')
    assert not (tmp_path / "results" / "tables" / "dates.csv").exists()
    assert "taken one at a time" not in md
    # what the table would have shown of the dates' signs is said of the firm-events
    cars = pd.read_csv(tmp_path / "results" / "tables" / "firms.csv")["car_m1_p1"]
    up, down = int((cars > 0).sum()), int((cars < 0).sum())
    mixed = f"their CARs over [-1,+1] differ in sign ({up} positive, {down} negative)"
    assert (mixed in md) == (up > 0 and down > 0)
    firms = pd.read_csv(tmp_path / "results" / "tables" / "firms.csv")
    sig = firms[firms["p_t_m1_p1"] < 0.05]
    both = bool(sig["car_m1_p1"].gt(0).any() and sig["car_m1_p1"].lt(0).any())
    assert ("mixes moves in both directions" in md) == (up > 0 and down > 0 and both)


def test_a_model_that_estimates_nothing_is_not_said_to_be_fitted(tmp_path: Path) -> None:
    """Market-adjusted: the estimation window gives sigma only, and every sentence says so."""
    events = "".join(
        f'[[study.events]]\nevent_id = "{t}-{d}"\nticker = "{t}"\nevent_date = {d}\n'
        for d in ("2024-09-18", "2024-12-18")
        for t in ("NVDA", "KO")
    )
    toml = f'[study]\nname = "adj"\nmarket = "^GSPC"\n{events}[model]\nname = "market_adjusted"\n'
    path = tmp_path / "adj.toml"
    path.write_text(toml)
    with pytest.warns(EstimationOverlapWarning, match=r"so those abnormal returns enter its sigma;"):
        build_report(StudyConfig.from_toml(path), tmp_path / "adj")
    md = (tmp_path / "adj" / "report.md").read_text()
    assert "against the market-adjusted model was" in md.splitlines()[2]
    firms = md.split("## 2. Abnormal returns per firm")[1].split("## 3.")[0]
    assert "R_i - R_m (the market return is the normal return), with sigma estimated on the estimation window" in firms
    assert "The other event's abnormal returns enter sigma (the model estimates nothing else)" in firms
    assert "fitted" not in firms
    header = next(line for line in firms.splitlines() if line.startswith("| firm |"))
    # alpha is 0 by construction and no slope is estimated: neither gets a column
    assert "| sigma |" in header and "alpha" not in header and "beta" not in header
    # the notes are a list of their own: the line after it is not read as part of its last item
    assert "\n\nNumbers in this section" in firms and not re.search(r"^- .*\nNumbers in this section", firms, re.M)


def test_pairs_linked_in_calendar_time_are_said_to_be(repeated_firms: tuple[Path, str]) -> None:
    """Two dates six sessions apart: only the same-date pairs (2 of 6) are linked, the others count zero."""
    _, md = repeated_firms
    together = md.split("All firms together")[1]
    assert "fall on 2 dates; 33% of the pairs have event windows linked in calendar time" in together
    assert "over all pairs, the others counting zero); the Kolari-Pynnonen versions use the latter" in together


def test_a_firm_event_left_out_is_neither_drawn_nor_counted_in_the_plots() -> None:
    """GE Vernova has no prices before 2024-03-28: on 2024-03-04 it is left out, and the plots say 2 firm-events."""
    import matplotlib

    matplotlib.use("Agg")
    from eventstudy import event_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = event_study(["NVDA", "CEG", "GEV"], "2024-03-04")
    assert res.events.loc["GEV@2024-03-04", "status"].startswith("excluded")
    labels = [ln.get_label() for ln in res.plot().axes[0].get_lines()]
    assert "GEV" not in labels and {"NVDA", "CEG"} <= set(labels)
    assert "CAAR (2 firm-events)" in [ln.get_label() for ln in res.plot("caar").axes[0].get_lines()]
    with pytest.raises(ValueError, match="tickers"):
        res.plot(tickers=["GEV"])


def test_robustness_counts_only_the_firm_events_the_study_used(tmp_path: Path) -> None:
    """14 tickers on 2024-03-04, GE Vernova among them with no prices yet: the summary is of the 13 others."""
    tickers = ["AAPL", "MSFT", "NVDA", "AMZN", "META", "GOOGL", "TSLA", "AVGO", "ORCL", "MU", "CEG", "VST", "JPM"]
    tickers.append("GEV")
    listed = ", ".join(f'"{t}"' for t in tickers)
    md = _report(
        tmp_path, "mar", f'[study]\nname = "mar"\nevent_date = 2024-03-04\ntickers = [{listed}]\nmarket = "^GSPC"\n'
    )
    assert "Mean event-day abnormal return of the 13 firm-events" in md
    firms = pd.read_csv(tmp_path / "mar" / "tables" / "firms.csv")
    used = firms["ar_0"].dropna()
    assert len(used) == 13
    assert "GEV" not in set(pd.read_csv(tmp_path / "mar" / "tables" / "robustness.csv")["ticker"])
    row = re.search(r"^\| market vs S&P 500 \| [^|]+ \| [^|]+ \| (\d+)% \|", md, flags=re.M)
    assert row is not None and int(row.group(1)) == round(100 * (used < 0).mean())


def test_a_short_estimation_window_on_one_date_reports_without_the_run_up_and_garch(tmp_path: Path) -> None:
    """A 55-session estimation window: the members' cross-section leaves out the run-up (sessions -250 to -21,
    which the study never computes) and says so, and the volatility section says why there is no GARCH fit.
    """
    md = _report(
        tmp_path,
        "short",
        '[study]\nname = "short"\nevent_date = 2024-08-05\ntickers = ["AAPL", "NVDA"]\nmarket = "^GSPC"\n'
        '[model]\nestimation = "-60:-6"\nmin_estimation_obs = 40\n',
    )
    assert "No GARCH fit for 2 of the 2 firm-events: 2 with fewer than 100 estimation returns" in md
    assert "The pre-event run-up (sessions -250 to -21) is left out: the study's days begin with its" in md
    assert "in standard deviations: market beta, volatility)" in md


def test_a_few_firms_headline_opens_on_the_first_and_gives_the_average(ff3_day: tuple[Path, str]) -> None:
    """Four firms on 2024-08-05: the first firm's move, then the mean of the four event-day ARs."""
    folder, md = ff3_day
    firms = pd.read_csv(folder / "tables" / "firms.csv")
    headline = md.split("\n**", 1)[1].split("**", 1)[0]
    assert headline.startswith("AAPL returned ")
    mean = 100 * firms["ar_0"].mean()
    assert f"Across the 4 firms, the average abnormal return that day was {mean:.2f}%." in headline


def test_the_report_says_when_a_firm_s_event_windows_share_sessions(tmp_path: Path) -> None:
    """DAL on 2024-07-19 and 2024-07-22 with window [-1,+3]: both CARs count the sessions they share."""
    events = "".join(
        f'[[study.events]]\nticker = "{t}"\nevent_date = {d}\n'
        for t, d in (("DAL", "2024-07-19"), ("DAL", "2024-07-22"), ("UAL", "2024-07-19"))
    )
    md = _report(
        tmp_path, "shared", f'[study]\nname = "shared"\nmarket = "^GSPC"\n{events}[model]\nevent_window = "-1:3"\n'
    )
    assert (
        "2 of the 3 firm-events share sessions of their event window [-1,+3] with another event of the same firm" in md
    )
    assert "DAL@2024-07-19: ok: event window shares sessions with the event window of event 'DAL@2024-07-22'" in md


def test_only_firms_measured_against_the_s_and_p_500_are_said_to_move_it(tmp_path: Path) -> None:
    from eventstudy.config import Event
    from eventstudy.report.robustness import robustness_section

    events = (
        Event("MSFT", "MSFT", "2024-10-31", "^NDX"),
        Event("META", "META", "2024-10-31", "^NDX"),
        Event("JPM", "JPM", "2024-10-11", "^GSPC"),
        Event("WFC", "WFC", "2024-10-11", "^GSPC"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig(name="mixed", events=events), tmp_path / "r", sections=[robustness_section])
    text = (tmp_path / "r" / "report.md").read_text()
    assert "JPM, WFC are members of the cap-weighted S&P 500, so a market model against it absorbs" in text
    assert "MSFT" not in text.split("are members of the cap-weighted")[0].split(".")[-1]


def test_a_study_against_another_index_is_refitted_against_the_s_and_p_500(tmp_path: Path) -> None:
    from eventstudy.config import Event
    from eventstudy.report.robustness import robustness_section

    events = (Event("NVDA", "NVDA", "2024-11-21", "^NDX"), Event("AVGO", "AVGO", "2024-12-13", "^NDX"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig(name="ndx", events=events), tmp_path / "r", sections=[robustness_section])
    text = " ".join((tmp_path / "r" / "report.md").read_text().split())
    assert "other market proxies: S&P 500, equal-weighted S&P 500 ex studied firms." in text
    specs = set(pd.read_csv(tmp_path / "r" / "tables" / "robustness.csv")["spec"])
    assert {"market vs Nasdaq-100", "market vs S&P 500"} <= specs


def test_studied_funds_that_are_not_members_get_no_red_dot_in_the_caption(tmp_path: Path) -> None:
    from eventstudy.config import Event
    from eventstudy.report.sectors import sector_section

    events = tuple(Event(t, t, "2025-01-27", "SPY") for t in ("SMH", "XLU"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig(name="funds", events=events), tmp_path / "r", sections=[sector_section])
    text = (tmp_path / "r" / "report.md").read_text()
    assert "the bar marks the sector median; no studied firm is among them." in text
    assert "red dot" not in text


def test_groups_of_thirty_or_more_are_not_called_few(tmp_path: Path) -> None:
    from eventstudy.config import Event
    from eventstudy.data.universe import member_prices
    from eventstudy.report.robustness import groups_section

    tickers = sorted(member_prices().loc["2023-06-01":"2024-09-30"].dropna(axis=1).columns)[:62]
    events = tuple(Event(t, t, "2024-08-05", "^GSPC", "a" if i % 2 else "b") for i, t in enumerate(tickers))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig(name="wide", events=events), tmp_path / "w", sections=[groups_section])
        build_report(StudyConfig(name="narrow", events=events[:10]), tmp_path / "n", sections=[groups_section])
    assert "little power" not in (tmp_path / "w" / "report.md").read_text()  # 31 a side
    narrow = (tmp_path / "n" / "report.md").read_text()
    assert "With few firm-events per group the tests have little power" in narrow
    assert "Mean cumulative abnormal return over [-1,+1] for each of the 2 groups" in narrow
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(
            StudyConfig(name="log", events=events[:10], convention="estudy2"), tmp_path / "l", sections=[groups_section]
        )
    assert "Mean cumulative abnormal log return over" in (tmp_path / "l" / "report.md").read_text()


def test_many_firms_without_volume_are_counted_not_listed(tmp_path: Path) -> None:
    from eventstudy.config import Event
    from eventstudy.report.explain import volume_section

    wide_only = ["JPM", "BAC", "WFC", "C", "GS", "MS", "USB", "PNC", "TFC", "COF", "SCHW", "AXP", "STT"]
    events = tuple(Event(t, t, "2024-08-05", "^GSPC") for t in ["NVDA", *wide_only])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig(name="banks", events=events), tmp_path / "r", sections=[volume_section])
    text = (tmp_path / "r" / "report.md").read_text()
    assert "No volume data for 13 of the 14 firms (the table below marks them)." in text
    assert text.count("| no volume data |") == 13


def test_a_firm_event_left_out_is_not_said_to_lack_volume(tmp_path: Path) -> None:
    """NVDA's window runs past the snapshot's last price; NVDA has volume all the same."""
    from eventstudy.config import Event
    from eventstudy.report.explain import volume_section

    events = (Event("NVDA@late", "NVDA", "2025-06-26", "^GSPC"), Event("MSFT@may", "MSFT", "2025-05-01", "^GSPC"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(
            StudyConfig(name="late", events=events, event_window="-1:5"), tmp_path / "r", sections=[volume_section]
        )
    text = (tmp_path / "r" / "report.md").read_text()
    assert "| NVDA@late | left out |" in text and "No volume data" not in text


def test_an_abnormal_value_whose_interval_spans_zero_is_not_given_as_a_figure(tmp_path: Path) -> None:
    from eventstudy.config import Event
    from eventstudy.report.render import dollar_section, firm_section

    for day, spans in (("2024-08-05", True), ("2025-01-27", False)):  # NVDA's AR: t = 0.1, then t = -5
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            build_report(
                StudyConfig(name="nv", events=(Event("NVDA", "NVDA", day, "^GSPC"),)),
                tmp_path / day,
                sections=[firm_section, dollar_section],
            )
        headline = (tmp_path / day / "report.md").read_text().splitlines()[2]
        dollars = pd.read_csv(tmp_path / day / "tables" / "dollar_impact.csv").iloc[0]
        assert (dollars["abnormal_low"] < 0 < dollars["abnormal_high"]) == spans
        assert ("whose abnormal part cannot be told from zero (95% interval" in headline) == spans
        assert ("abnormal (95% interval" in headline) == (not spans)


def test_several_pairs_of_groups_are_judged_after_holm_s_adjustment(tmp_path: Path) -> None:
    """Five sectors the day after the 2024 election: ten pairs, so ten tests, adjusted together.

    The firm-events share a date, so the text judges by the crude-dependence t.
    """
    from statsmodels.stats.multitest import multipletests

    from eventstudy.config import Event
    from eventstudy.data.universe import constituents, member_prices
    from eventstudy.report.robustness import groups_section

    members, have = constituents(), set(member_prices().columns)
    sectors = ["Utilities", "Energy", "Information Technology", "Financials", "Health Care"]
    events = tuple(
        Event(t, t, "2024-11-06", "^GSPC", sector)
        for sector in sectors
        for t in [s for s in members.loc[members["GICS Sector"] == sector, "Symbol"] if s in have][:8]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig(name="five", events=events), tmp_path / "r", sections=[groups_section])
    md = (tmp_path / "r" / "report.md").read_text()
    text = next(line for line in md.splitlines() if line.startswith("Mean cumulative abnormal return over"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = EventStudy(StudyConfig(name="five", events=events)).fit().group_comparison()
    crude = rows[(rows["test"] == "bw1985") & (rows["window"] == "[-1,+1]")].reset_index(drop=True)
    assert len(crude) == 10
    holm = multipletests(crude["p_value"], method="holm")[1]
    for pair, raw, adjusted in zip(crude["group"], crude["p_value"], holm, strict=True):
        first, second = pair.split(" - ")
        said = rf"The mean CAR of {first} is [\d.]+ percentage points (higher|lower) than that of {second} \(crude"
        named = re.search(said, text) is not None
        assert named == (adjusted < 0.05), pair
        assert (pair in text) == (raw < 0.05 <= adjusted), pair
    assert "after Holm's adjustment over the 10 pairs" in text


def test_a_group_of_cross_correlated_firm_events_is_tested_with_the_adjusted_tests(tmp_path: Path) -> None:
    from eventstudy.config import Event
    from eventstudy.report.robustness import groups_section

    same_day = [Event(f"{t}-d", t, "2024-11-06", "^GSPC", "same day") for t in ("JPM", "BAC", "C")]
    apart = [Event(f"{t}-{d}", t, d, "^GSPC", "apart") for t, d in (("KO", "2024-02-13"), ("PEP", "2024-07-11"))]
    apart.append(Event("MCD-x", "MCD", "2024-10-29", "^GSPC", "apart"))
    cfg = StudyConfig(name="mixed", events=(*same_day, *apart))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "r", sections=[groups_section])
        res = EventStudy(cfg).fit()
    md = (tmp_path / "r" / "report.md").read_text()
    row = {line.split(" | ")[0].lstrip("| "): line for line in md.splitlines() if line.startswith("| same day |")}
    row |= {line.split(" | ")[0].lstrip("| "): line for line in md.splitlines() if line.startswith("| apart |")}
    assert row["same day"].endswith("| kp_csect_t, kp_bmp |") and row["apart"].endswith("| csect_t, bmp |")
    assert "Both treat the firm-events as independent" in md  # the same-day group's are not
    far = [
        Event(f"{t}-{d}", t, d, "^GSPC", g)
        for (t, d), g in zip(
            (("KO", "2024-02-13"), ("PEP", "2024-07-11"), ("MCD", "2024-10-29"), ("JPM", "2024-04-12")),
            "aabb",
            strict=True,
        )
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig(name="far", events=tuple(far)), tmp_path / "f", sections=[groups_section])
    assert "Both treat the firm-events as independent" not in (tmp_path / "f" / "report.md").read_text()
    same = res.group_results("same day").aggregate_tests[(Window(-1, 1), "kp_bmp")].pvalue
    assert f"| {fmt_p(same)} | kp_csect_t, kp_bmp |" in row["same day"]


def test_an_event_far_from_the_member_list_is_not_said_to_be_a_member_s(tmp_path: Path) -> None:
    """CrowdStrike joined the S&P 500 on 2024-09-23 (S&P Dow Jones Indices), after its outage of 2024-07-19.

    The bundled list is of 2024-12-27 and holds CRWD, so the report may only say it is on that list.
    """
    from eventstudy.config import Event
    from eventstudy.report.robustness import robustness_section

    events = (Event("CRWD", "CRWD", "2024-07-19", "^GSPC"), Event("DAL", "DAL", "2024-07-22", "^GSPC"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig(name="outage", events=events), tmp_path / "r", sections=[robustness_section])
    text = " ".join((tmp_path / "r" / "report.md").read_text().split())
    assert "are members of the cap-weighted" not in text
    assert "CRWD, DAL are on the S&P 500 member list of 2024-12-27." in text
    assert "each firm that was a member on its event date (the list, more than 90 days from some event dates" in text
    assert "for events more than 90 days away it may hold firms that were not members then" in text
    # one date: the sentence speaks of it, not of "some event dates"
    one_day = (Event("CRWD", "CRWD", "2024-07-19", "^GSPC"), Event("MSFT", "MSFT", "2024-07-19", "^GSPC"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig(name="outage", events=one_day), tmp_path / "d", sections=[robustness_section])
    text = " ".join((tmp_path / "d" / "report.md").read_text().split())
    assert "each firm that was a member on its event date (the list, more than 90 days from the event date," in text


def test_the_sector_section_says_how_far_its_member_list_is_from_the_event(ff3_day: tuple[Path, str]) -> None:
    """2024-08-05 lies 144 days before the list of 2024-12-27."""
    text = " ".join(ff3_day[1].split())
    assert "The event, 2024-08-05, lies more than 90 days from that list" in text
    left_out = re.search(r"members with enough history \((\d+) left out for a short estimation window\)", text)
    members = pd.read_csv(ff3_day[0] / "tables" / "sector_members.csv")
    excluded = int((~members["status"].str.startswith("ok")).sum())
    assert (int(left_out.group(1)) if left_out else 0) == excluded and "(0 left out" not in text


def test_each_date_s_and_each_group_s_average_path_is_drawn(repeated_firms: tuple[Path, str]) -> None:
    from eventstudy.report import figures

    folder, md = repeated_firms
    assert (folder / "figures" / "caar_by_date.png").stat().st_size > 0 and "figures/caar_by_date.png" in md
    events = tuple(
        replace(e, group="chips" if e.ticker == "NVDA" else "search")
        for e in StudyConfig.from_dict(pd.read_json(folder / "results.json", typ="series")["config"]).events
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(StudyConfig(name="g", events=events, model="ff5", estimation="-150:-11")).fit()
    subsets = {g: list(res.group_event_ids(g)) for g in res.groups}
    fig = figures.caar_by(res, subsets, "group")
    lines = {line.get_label(): line for line in fig.axes[0].get_lines() if "(" in str(line.get_label())}
    for g, ids in subsets.items():
        by_hand = res.ar.loc[res.config.event_window.start :, ids].cumsum().mean(axis=1) * 100
        drawn = lines[f"{g} ({len(ids)})"]
        np.testing.assert_allclose(drawn.get_ydata(), by_hand.to_numpy(), rtol=1e-12)


def test_a_study_on_its_own_prices_is_refitted_under_the_other_models(tmp_path: Path) -> None:
    from eventstudy.config import Event
    from eventstudy.report.robustness import robustness_section

    from .conftest import bundled_csv

    for name in ("NVDA.csv", "_GSPC.csv"):
        (tmp_path / name).write_bytes(bundled_csv(name).read_bytes())
    cfg = StudyConfig(
        name="own",
        events=(Event("NVDA", "NVDA", "2025-01-27", "^GSPC"),),
        prices=(str(tmp_path / "NVDA.csv"), str(tmp_path / "_GSPC.csv")),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "r", sections=[robustness_section])
    text = (tmp_path / "r" / "report.md").read_text()
    assert "## 1. Robustness" in text and "these normal-return models: market_adjusted, constant_mean" in text
    assert (
        "Other market proxies are not compared: they come from the bundled snapshot, and this study reads CSV" in text
    )
    table = pd.read_csv(tmp_path / "r" / "tables" / "robustness.csv")
    assert not table["spec"].str.contains("Nasdaq-100|equal-weighted").any()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ff3 = EventStudy(cfg.with_(model="ff3")).fit()
    by_hand = float(ff3.ar.loc[0].iloc[0])
    assert float(table.loc[table["spec"].str.startswith("ff3"), "ar_0"].iloc[0]) == pytest.approx(
        by_hand, rel=1e-9
    )  # the CSV keeps 10 digits


def test_a_study_counting_each_firm_s_own_rows_says_so(tmp_path: Path) -> None:
    """calendar = "rows" overrides the profile's exchange sessions: the text and the conventions list say rows."""
    from eventstudy.config import Event
    from eventstudy.report.render import firm_section

    cfg = StudyConfig(name="rows", events=(Event("n", "NVDA", "2025-01-27", "^GSPC"),), calendar="rows")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "r", sections=[firm_section])
    md = (tmp_path / "r" / "report.md").read_text()
    assert "estimation window [-250,-11] (relative rows of each firm, both ends inclusive)" in md
    assert "- **days**: relative days count each firm's own trading days (its rows with a price)" in md
    assert "exchange calendar" not in md


def test_one_firm_on_dates_apart_is_described_without_the_adjustments_it_does_not_get(tmp_path: Path) -> None:
    """Tesla on nine delivery days: no windows overlap, so no Kolari-Pynnonen test is said to lead the table."""
    from eventstudy.config import Event
    from eventstudy.report.robustness import aggregate_section

    days = ("2023-04-03", "2023-07-03", "2023-10-02", "2024-01-02", "2024-04-02", "2024-07-02", "2024-10-02")
    days += ("2025-01-02", "2025-04-02")
    cfg = StudyConfig(
        name="tsla",
        events=tuple(Event(f"TSLA@{d}", "TSLA", d, "^GSPC") for d in days),
        model="constant_mean",
        estimation="-120:-6",
        event_window="-5:5",
        car_windows=("0:0", "0:1", "-5:5"),
        estimation_overlap="skip",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "t", sections=[aggregate_section])
    text = " ".join((tmp_path / "t" / "report.md").read_text().split())
    assert "The spread differs from 1" in text  # Tesla's delivery days are more volatile than its other days
    assert "BMP allows for it and leads the table" in text and "Kolari-Pynnonen version allow" not in text
    # one significant CAR is said to go one way, not "all up"
    assert re.search(r"only the CAR of TSLA@\S+ differs from zero at 5% \((up|down)\), so this is no evidence", text)
    table = (tmp_path / "t" / "report.md").read_text()
    bmp = [line.split("|")[2].strip() for line in table.splitlines() if line.startswith("| bmp |")]
    assert bmp == ["AAR day 0", "CAAR[0,+1]", "CAAR[-5,+5]"]  # shortest window first, as the firm table


def test_holiday_dates_and_windows_all_linked_are_said_as_they_are(tmp_path: Path) -> None:
    """Christmas Day and Thanksgiving 2024 were NYSE holidays; +-20-session windows four weeks apart all overlap."""
    from eventstudy.config import Event
    from eventstudy.report.render import firm_section
    from eventstudy.report.robustness import aggregate_section

    events = tuple(
        Event(f"{t}@{d}", t, d, "^GSPC")
        for t, d in (("AMZN", "2024-12-25"), ("WMT", "2024-12-25"), ("TGT", "2024-11-28"), ("BBY", "2024-11-28"))
    )
    cfg = StudyConfig(
        name="holidays",
        events=events,
        model="ff5",
        estimation="-270:-21",
        event_window="-20:20",
        car_windows=("0:0", "-20:20", "0:5"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(cfg).fit()
        build_report(cfg, tmp_path / "h", sections=[firm_section, aggregate_section])
    text = " ".join((tmp_path / "h" / "report.md").read_text().split())
    assert (
        "2 event dates fall on days the exchange (XNYS) was closed, so their day 0 is the next session: "
        "2024-11-28 to 2024-11-29, 2024-12-25 to 2024-12-26 (4 firm-events)." in text
    )
    assert "whose event windows are all linked in calendar time" in text and "only those" not in text
    raw = (res.tests("0:0")["pvalues"] < 0.05).sum() + sum((res.tests(w)["pvalues"] < 0.05).sum() for w in res.windows)
    assert raw == 0  # no single-firm t-test rejects on these dates: said once, without "0 t-tests reject ... 0 do"
    assert "No t-test rejects at 5%, even taken one at a time" in text and "0 t-tests reject" not in text
    assert "Fama-French 5-factor: R_i - RF on Mkt-RF, SMB, HML, RMW, CMA (OLS)" in text


def test_event_time_prices_start_where_the_study_s_windows_do() -> None:
    """A [-20,+20] window is drawn whole: the picture starts at day -20, not at its usual -15."""
    from eventstudy.config import Event
    from eventstudy.report.figures import event_time_paths

    events = (Event("a", "AMZN", "2024-12-26", "^GSPC"), Event("b", "TGT", "2024-11-29", "^GSPC"))
    cfg = StudyConfig(name="t", events=events, estimation="-270:-21", event_window="-20:20")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig, _ = event_time_paths(EventStudy(cfg).fit())
    starts = {float(line.get_xdata()[0]) for line in fig.axes[0].get_lines() if len(line.get_xdata()) > 2}
    assert starts == {-20.0}


def test_an_index_date_after_the_event_draws_the_prices_and_colours_the_event_day_s_moves(tmp_path: Path) -> None:
    """Prices indexed to a session weeks after the event: the chart reaches it, and its colours are the day's moves."""
    from eventstudy.config import Event
    from eventstudy.report.figures import price_paths
    from eventstudy.report.render import price_section

    tickers = ["AAPL", "NKE", "DECK", "RL", "BBY", "DG", "DLTR", "WMT", "DUK", "SO", "WM", "VZ", "T", "KO"]
    events = tuple(Event(t, t, "2025-04-03", "^GSPC") for t in tickers)
    cfg = StudyConfig(name="late", events=events, index_date="2025-05-20")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "l", sections=[price_section])
    assert "indexed to 100 on 2025-05-20." in (tmp_path / "l" / "report.md").read_text()
    wide = pd.read_csv(bundled_csv("sp500_adj_close_wide_2022_2025H1.csv"), index_col="date", parse_dates=True)
    window = wide.loc["2025-03-13":"2025-05-20", tickers]
    fig, _ = price_paths(window, pd.Timestamp("2025-05-20"), pd.Timestamp("2025-04-03"), [], "t")
    coloured = {line.get_label() for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")}
    day = (wide.loc["2025-04-03", tickers] / wide.loc["2025-04-02", tickers]).sort_values()
    assert coloured == {*day.index[:3], *day.index[-3:]}


def test_many_notes_are_counted_not_listed(tmp_path: Path) -> None:
    """JPM on the Fed's 24 decision days of 2022 to 2024: some left out, the rest with another event's window skipped."""
    from eventstudy.config import Event
    from eventstudy.report.render import NOTES_AT_MOST, firm_section

    days = [
        *("2022-01-26", "2022-03-16", "2022-05-04", "2022-06-15", "2022-07-27", "2022-09-21", "2022-11-02"),
        *("2022-12-14", "2023-02-01", "2023-03-22", "2023-05-03", "2023-06-14", "2023-07-26", "2023-09-20"),
        *("2023-11-01", "2023-12-13", "2024-01-31", "2024-03-20", "2024-05-01", "2024-06-12", "2024-07-31"),
        *("2024-09-18", "2024-11-07", "2024-12-18"),
    ]
    cfg = StudyConfig(
        name="fed",
        events=tuple(Event(f"JPM@{d}", "JPM", d, "^GSPC") for d in days),
        estimation="-120:-11",
        event_window="0:1",
        estimation_overlap="skip",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(cfg).fit()
        build_report(cfg, tmp_path / "f", sections=[firm_section])
    status = res.events["status"]
    left_out, noted = int(status.str.startswith("excluded").sum()), int(status.str.startswith("ok: ").sum())
    assert left_out and noted and left_out + noted > NOTES_AT_MOST
    md = (tmp_path / "f" / "report.md").read_text()
    notes = [line for line in md.splitlines() if line.startswith("- ") and not line.startswith("- **")]
    assert len(notes) == 3
    first = ", ".join(status[status.str.startswith("excluded")].index[:3])
    assert notes[0] == f"- {left_out} firm-events left out (first: {first})"
    assert notes[1].startswith(f"- {noted} firm-events used with a note (first: JPM@")
    assert notes[2] == "- tables/params.csv gives every firm-event's status."
    assert "(the statuses in tables/params.csv say how many returns each lost)" in " ".join(md.split())


def test_a_welch_difference_the_rank_sum_test_cannot_bear_out_is_said_to_be(tmp_path: Path) -> None:
    """Two chip firms' falls against two power firms' rises, on dates apart: Welch rejects, the exact rank-sum cannot."""
    from scipy import stats

    from eventstudy.config import Event
    from eventstudy.report.robustness import groups_section

    when = {"NVDA": "2025-01-27", "MU": "2024-12-18", "CEG": "2024-02-27", "VST": "2024-09-23"}
    events = tuple(
        Event(t, t, when[t], "^GSPC", g)
        for t, g in (("NVDA", "chips"), ("MU", "chips"), ("CEG", "power"), ("VST", "power"))
    )
    cfg = StudyConfig(name="g", events=events)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(cfg).fit()
        build_report(cfg, tmp_path / "g", sections=[groups_section])
    assert not res.cross_correlation.applies  # windows apart: Welch's t judges
    car = res.car()
    welch = stats.ttest_ind(car[["NVDA", "MU"]], car[["CEG", "VST"]], equal_var=False).pvalue
    ranks = stats.mannwhitneyu(car[["NVDA", "MU"]], car[["CEG", "VST"]], method="exact").pvalue
    assert welch < 0.05 and ranks == pytest.approx(1 / 3)
    text = " ".join((tmp_path / "g" / "report.md").read_text().split())
    assert (
        f"(Welch p = {fmt_p(welch)}); the rank-sum test does not bear it out (p = 0.333, the smallest it can give "
        "with 2 and 2 firm-events)." in text
    )


def test_a_context_ticker_without_a_close_on_the_index_session_is_named_with_its_span(tmp_path: Path) -> None:
    """The bundled Nasdaq Composite covers early 2025 only: a 2024 chart cannot index it, and says so."""
    from eventstudy.config import Event
    from eventstudy.report.render import price_section

    cfg = StudyConfig(
        name="yen",
        events=(Event("NVDA", "NVDA", "2024-08-05", "^GSPC"),),
        context_tickers=("^IXIC", "QQQ"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "y", sections=[price_section])
    md = (tmp_path / "y" / "report.md").read_text()
    held = pd.read_csv(bundled_csv("_IXIC.csv"), parse_dates=["date"]).dropna()["date"]
    first, last = held.min().date(), held.max().date()
    assert f"^IXIC is not shown: it has no close on 2024-08-02 (its closes run from {first} to {last})." in md
    shown = pd.read_csv(tmp_path / "y" / "tables" / "price_index.csv").columns
    assert "QQQ" in shown and "^IXIC" not in shown


@pytest.mark.parametrize(
    ("report", "said"),
    [
        ('context_tickers = ["QQQ"]\n', "The study's context tickers (QQQ) set"),
        ("index_date = 2023-02-24\n", "The study's index date (2023-02-24) sets"),
        ("", None),
    ],
)
def test_a_study_of_many_dates_says_its_calendar_chart_options_are_not_used(
    tmp_path: Path, report: str, said: str | None
) -> None:
    from eventstudy.report.render import price_section

    path = tmp_path / "s.toml"
    path.write_text(
        '[study]\nname = "s"\nmarket = "^GSPC"\n'
        '[[study.events]]\nticker = "AAPL"\nevent_date = 2023-03-01\n'
        '[[study.events]]\nticker = "MSFT"\nevent_date = 2023-06-01\n'
        f"[report]\n{report}"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig.from_toml(path), tmp_path / "s", sections=[price_section])
    md = (tmp_path / "s" / "report.md").read_text()
    if said is None:
        assert "not used here" not in md
    else:
        assert said in md and "not used here: each firm-event is indexed on the session before its own event." in md


def test_without_a_day_zero_window_the_counted_family_is_said_to_be_the_car_tests(tmp_path: Path) -> None:
    """Nvidia's May 2024 results: its day-0 t (4.8) stands in the table, but the family counted is the CARs'."""
    from eventstudy.config import Event
    from eventstudy.report.render import firm_section

    cfg = StudyConfig(
        name="nv", events=(Event("n", "NVDA", "2024-05-23", "^GSPC"),), event_window="-10:0", car_windows=("-10:-1",)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "r", sections=[firm_section])
    md = (tmp_path / "r" / "report.md").read_text()
    family = pd.read_csv(tmp_path / "r" / "tables" / "pvalues_adjusted.csv").query("test == 't'")
    assert set(family["window"]) == {"[-10,-1]", "[-10,0]"}
    assert (
        f"The table holds {len(family)} CAR t-tests (the t of the day-0 AR beside them is not one of this family) "
        "and as many SQ tests." in md
    )
    firms = pd.read_csv(tmp_path / "r" / "tables" / "firms.csv")
    assert abs(float(firms["t_ar_0"].iloc[0])) > 1.96  # a day-0 t that rejects, outside the family


def test_a_first_firm_left_out_does_not_lead_the_headline_or_the_robustness_table(tmp_path: Path) -> None:
    """SPY against SPY is left out (its own market): the headline opens on QQQ, the first firm measured."""
    md = _report(
        tmp_path,
        "etfs",
        '[study]\nname = "etfs"\nevent_date = 2025-01-27\ntickers = ["SPY", "QQQ", "SMH"]\nmarket = "SPY"\n',
    )
    lead = next(line for line in md.splitlines() if line.startswith("**"))
    qqq = pd.read_csv(bundled_csv("QQQ.csv"), index_col="date")["adj_close"]
    day = qqq.loc["2025-01-27"] / qqq.loc["2025-01-24"] - 1
    assert lead.startswith(f"**QQQ returned {100 * day:.2f}% on 2025-01-27;") and "n/a" not in lead
    assert "Across the 2 firms" in lead
    # nor does it enter the robustness averages, though the other models could measure it
    robustness = pd.read_csv(tmp_path / "etfs" / "tables" / "robustness.csv")
    assert set(robustness["ticker"]) == {"QQQ", "SMH"}
    # SPY's volume is in the data, but SPY is not measured: the funds measured have none
    assert pd.read_csv(bundled_csv("SPY.csv"))["volume"].notna().any()
    assert pd.read_csv(bundled_csv("QQQ.csv")).get("volume", pd.Series(dtype=float)).isna().all()
    assert "The data have no trading volume for any of the firms measured, so abnormal volume is not shown." in md


def test_a_long_event_window_is_all_in_the_calendar_price_chart(tmp_path: Path) -> None:
    """Event window [-30,+60] on one date: the indexed prices run from its first session to its last."""
    from eventstudy.config import Event
    from eventstudy.report.render import price_section

    cfg = StudyConfig(
        name="long",
        events=(Event("n", "NVDA", "2025-01-27", "^GSPC"),),
        estimation="-280:-31",
        event_window="-30:60",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "l", sections=[price_section])
    shown = pd.read_csv(tmp_path / "l" / "tables" / "price_index.csv")["date"]
    sessions = pd.read_csv(bundled_csv("NVDA.csv"))["date"].tolist()
    day0 = sessions.index("2025-01-27")
    assert (shown.iloc[0], shown.iloc[-1]) == (sessions[day0 - 30], sessions[day0 + 60])


def test_an_exposure_series_without_history_is_left_out_of_the_members_regression_and_said_so(tmp_path: Path) -> None:
    from eventstudy.config import Event
    from eventstudy.report.explain import explain_section
    from eventstudy.report.sectors import sector_section

    cfg = StudyConfig(
        name="x",
        events=(Event("n", "NVDA", "2025-01-27", "^GSPC"),),
        exposures={"ai_chip": "SMH", "nasdaq": "^IXIC"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "r", sections=[sector_section, explain_section])
    md = (tmp_path / "r" / "report.md").read_text()
    assert "The beta to nasdaq (^IXIC) is left out: ^IXIC has fewer than 120 returns in every member's" in md
    terms = set(pd.read_csv(tmp_path / "r" / "tables" / "xsection.csv")["term"])
    assert "beta_ai_chip" in terms and "beta_nasdaq" not in terms


def test_a_study_mixing_market_proxies_measures_the_members_against_the_s_p_500_and_names_the_ungrouped() -> None:
    """NVDA and AVGO against the Nasdaq-100 first, CEG and VST against the S&P 500, MSFT without a group."""
    from eventstudy.config import Event
    from eventstudy.report.sectors import members_market

    events = (
        Event("NVDA", "NVDA", "2025-01-27", "^NDX", "tech"),
        Event("CEG", "CEG", "2025-01-27", "^GSPC", "power"),
    )
    assert members_market(StudyConfig(name="m", events=events)) == "^GSPC"
    assert members_market(StudyConfig(name="n", events=events[:1])) == "^NDX"


def test_firm_events_without_a_group_are_said_to_count_only_in_the_pooled_tests(tmp_path: Path) -> None:
    from eventstudy.config import Event
    from eventstudy.report.robustness import groups_section

    events = (
        Event("NVDA", "NVDA", "2025-01-27", "^GSPC", "tech"),
        Event("AVGO", "AVGO", "2025-01-27", "^GSPC", "tech"),
        Event("CEG", "CEG", "2025-01-27", "^GSPC", "power"),
        Event("VST", "VST", "2025-01-27", "^GSPC", "power"),
        Event("MSFT", "MSFT", "2025-01-27", "^GSPC"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig(name="g", events=events), tmp_path / "g", sections=[groups_section])
    md = (tmp_path / "g" / "report.md").read_text()
    assert "MSFT has no group and counts only in the tests of all firm-events pooled." in md


def test_a_study_counting_london_sessions_names_its_calendar_and_an_event_day_without_us_prices_is_refused(
    tmp_path: Path,
) -> None:
    """US prices counted in XLON sessions: 5 August 2024 is both exchanges' session; 4 July 2024 is London's only."""
    from eventstudy.config import Event
    from eventstudy.errors import NoUsableEventsError
    from eventstudy.report.render import firm_section

    cfg = StudyConfig(name="x", events=(Event("n", "NVDA", "2024-08-05", "^GSPC"),), calendar="XLON")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "x", sections=[firm_section])
        md = (tmp_path / "x" / "report.md").read_text()
        assert "(relative sessions of the XLON calendar, both ends inclusive)" in md
        assert "- **days**: relative days count the sessions of the XLON exchange calendar" in md
        assert "2024-07-04" not in pd.read_csv(bundled_csv("NVDA.csv"))["date"].tolist()  # Independence Day
        july = cfg.with_(events=(Event("n", "NVDA", "2024-07-04", "^GSPC"),))
        with pytest.raises(NoUsableEventsError, match=r"no firm-event has an abnormal return on its event day"):
            build_report(july, tmp_path / "j", sections=[firm_section])
    assert not (tmp_path / "j").exists()


def test_counting_each_firm_s_own_rows_is_said_to_be_the_study_s_choice_over_the_profile_s(tmp_path: Path) -> None:
    """The mackinlay profile counts exchange sessions; a study with calendar = "rows" says it chose otherwise."""
    from eventstudy.config import Event
    from eventstudy.report.robustness import aggregate_section

    events = (Event("n", "NVDA", "2025-01-27", "^GSPC"), Event("c", "CEG", "2025-01-27", "^GSPC"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(
            StudyConfig(name="r", events=events, calendar="rows"), tmp_path / "r", sections=[aggregate_section]
        )
        build_report(StudyConfig(name="s", events=events), tmp_path / "s", sections=[aggregate_section])
    chose = "This study chose each series' own rows as its days (calendar = rows) over the profile's defaults."
    assert chose in (tmp_path / "r" / "report.md").read_text()
    assert "This study chose" not in (tmp_path / "s" / "report.md").read_text()


def test_a_firm_measured_twice_on_one_date_is_named_by_event_id_wherever_it_appears(tmp_path: Path) -> None:
    """Nvidia against the S&P 500 and against the Nasdaq-100: two rows that a ticker alone could not tell apart."""
    from eventstudy.config import Event
    from eventstudy.report.render import firm_section

    events = (
        Event("nv-spx", "NVDA", "2025-01-27", "^GSPC"),
        Event("nv-ndx", "NVDA", "2025-01-27", "^NDX"),
        Event("ceg", "CEG", "2025-01-27", "^GSPC"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(StudyConfig(name="d", events=events), tmp_path / "d", sections=[firm_section])
        fig = EventStudy(StudyConfig(name="d", events=events)).fit().plot()
    md = (tmp_path / "d" / "report.md").read_text()
    rows = [
        line.split("|")[1].strip() for line in md.splitlines() if line.startswith("| nv-") or line.startswith("| ceg")
    ]
    assert rows[:3] == ["nv-spx", "nv-ndx", "ceg"] and "| NVDA |" not in md
    legend = {t.get_text() for t in fig.axes[0].get_legend().get_texts()}
    assert {"nv-spx", "nv-ndx", "ceg"} <= legend


@pytest.mark.parametrize(("car_windows", "paths"), [((), False), (("0:5",), True)])
def test_cumulative_paths_are_drawn_only_over_more_than_one_day(
    tmp_path: Path, car_windows: tuple, paths: bool
) -> None:
    """Event window [0,0]: a CAR path of one day would repeat the event-day chart; a CAR window to +5 gives one."""
    from eventstudy.config import Event
    from eventstudy.report.render import firm_section

    events = (Event("n", "NVDA", "2025-01-27", "^GSPC"), Event("c", "CEG", "2025-01-27", "^GSPC"))
    cfg = StudyConfig(name="d", events=events, event_window="0:0", car_windows=car_windows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "d", sections=[firm_section])
    figures_drawn = {p.name for p in (tmp_path / "d" / "figures").iterdir()}
    assert "event_day_ar.png" in figures_drawn
    assert ({"car_paths.png", "caar_path.png"} <= figures_drawn) is paths
    assert ("car_paths.png" in figures_drawn) == ("caar_path.png" in figures_drawn)


def test_robustness_over_the_event_day_alone_shows_the_ar_once(tmp_path: Path) -> None:
    from eventstudy.config import Event
    from eventstudy.report.robustness import robustness_section

    events = (Event("n", "NVDA", "2025-01-27", "^GSPC"), Event("c", "CEG", "2025-01-27", "^GSPC"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(
            StudyConfig(name="d", events=events, event_window="0:0"), tmp_path / "d", sections=[robustness_section]
        )
    md = (tmp_path / "d" / "report.md").read_text()
    assert md.count("| AR day 0 |") == 1 and "| CAR[0,0] |" not in md


def _rows_study(path: Path, rule: str, name: str, estimation: str, min_obs: int) -> StudyConfig:
    """NVDA and AVGO on 2025-01-31, on the bundled closes of each ``rule`` period written to ``path``, in rows."""
    from eventstudy.config import Event

    bundled_closes("NVDA", "AVGO", "^GSPC", rule=rule).to_csv(path)
    events = tuple(Event(t, t, "2025-01-31", "^GSPC") for t in ("NVDA", "AVGO"))
    return StudyConfig(
        name=name,
        events=events,
        prices=(str(path),),
        calendar="rows",
        estimation=estimation,
        event_window="-1:1",
        min_estimation_obs=min_obs,
    )


def test_monthly_prices_say_why_the_daily_factor_models_are_not_compared(tmp_path: Path) -> None:
    """Robustness leaves out ff3 and carhart for month-end prices, and the text gives the reason."""
    from eventstudy.config import Event
    from eventstudy.report.render import firm_section
    from eventstudy.report.robustness import robustness_section

    path = tmp_path / "monthly.csv"
    cfg = _rows_study(path, "ME", "m", "-30:-2", 20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "r", sections=[firm_section, robustness_section])
    text = (tmp_path / "r" / "report.md").read_text()
    assert "these normal-return models: market_adjusted, constant_mean." in text
    assert (
        "ff3 and carhart are not compared: the bundled Ken French daily factors are dated a median of 1 day apart "
        "and the prices a median of 3" in text
    )
    assert "ff3" not in set(pd.read_csv(tmp_path / "r" / "tables" / "robustness.csv")["spec"].str.split().str[0])
    assert "NVDA returned" in text and "Across the 2 firms, the average abnormal return in that period was" in text
    # more firms than the headline names open on their average, over the event period
    many = ("NVDA", "AVGO", "MU", "TSM", "AMZN", "MSFT", "^GSPC")
    bundled_closes(*many, rule="ME").to_csv(path)
    cfg = cfg.with_(events=tuple(Event(t, t, "2025-01-31", "^GSPC") for t in many[:-1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "m", sections=[firm_section])
    many_text = (tmp_path / "m" / "report.md").read_text()
    assert "the average abnormal return in the event period against the market model" in many_text
    # the EventStudyTools profile counts each firm's rows whatever the calendar: the same words
    ets = cfg.with_(convention="eventstudytools", calendar="XNYS")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(ets, tmp_path / "e", sections=[firm_section])
    ets_text = (tmp_path / "e" / "report.md").read_text()
    assert "in the event period against the market model estimated over each firm's rows [-30,-2]" in ets_text


def test_weekly_prices_counted_in_rows_are_said_to_be_weekly(tmp_path: Path) -> None:
    """A weekly row's return is the week's: the headline and the method text say so, and daily data say nothing."""
    from eventstudy.report.render import firm_section, price_section

    path = tmp_path / "weekly.csv"
    cfg = _rows_study(path, "W-FRI", "w", "-104:-5", 80)
    events = cfg.events
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "r", sections=[price_section, firm_section])
    md = (tmp_path / "r" / "report.md").read_text()
    assert "NVDA returned" in md and " in the period to 2025-01-31; its abnormal return" in md
    assert "average abnormal return in that period was" in md
    assert "The prices are dated a median of 7 days apart: each relative day is one row of the data" in md
    # a row is no exchange session: the price chart's text and caption count rows
    assert "indexed to 100 on the last row before the event." in md
    assert "dotted line: event row 2025-01-31; dashed: indices." in md and "session" not in md.split("## 2.")[0]
    # weekly returns read as returns are said to be dated so, not prices
    returns = tmp_path / "weekly_returns.csv"
    pd.read_csv(path, index_col=0).pct_change().iloc[1:].to_csv(returns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(
            cfg.with_(prices=(), source="bundled", returns_data=str(returns)), tmp_path / "rr", sections=[firm_section]
        )
    assert "The returns are dated a median of 7 days apart" in (tmp_path / "rr" / "report.md").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(
            StudyConfig(name="d", events=events, calendar="rows"),
            tmp_path / "d",
            sections=[price_section, firm_section],
        )
    daily = (tmp_path / "d" / "report.md").read_text()
    assert "period" not in daily.split("##")[0] and "dated a median of" not in daily
    assert "indexed to 100 on the last row before the event." in daily  # rows, daily or not


def test_a_window_longer_than_the_estimation_sums_has_no_sq_test_and_says_so(tmp_path: Path) -> None:
    """Sixty-one days after the event against fifty estimation days: two t-tests, no SQ test, no floor sentence."""
    from eventstudy.config import Event
    from eventstudy.report.render import firm_section

    events = tuple(Event(t, t, "2024-06-03", "^GSPC") for t in ("NVDA", "AVGO"))
    cfg = StudyConfig(name="long", events=events, estimation="-60:-11", event_window="0:60", min_estimation_obs=40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "r", sections=[firm_section])
    md = (tmp_path / "r" / "report.md").read_text()
    assert (
        "The table holds 2 CAR t-tests (the t of the day-0 AR beside them is not one of this family) and no SQ test:"
        in md
    )
    assert "cannot fall below 2/(N + 1)" not in md


def test_the_sq_floor_is_given_for_the_shortest_window_the_table_shows(tmp_path: Path) -> None:
    """Seven estimation days and a two-day window: six sums, so the floor is 2/7, not the one-day 2/8."""
    from eventstudy.config import Event
    from eventstudy.report.render import firm_section

    events = tuple(Event(t, t, "2025-01-27", "^GSPC") for t in ("NVDA", "AVGO"))
    cfg = StudyConfig(name="short", events=events, estimation="-8:-2", event_window="0:1", min_estimation_obs=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "r", sections=[firm_section])
    md = (tmp_path / "r" / "report.md").read_text()
    assert f"(for [0,+1] and M = 7: {2 / 7:.4f})" in md


def test_groups_on_dates_apart_are_judged_by_welch_under_eventstudytools_too(tmp_path: Path) -> None:
    """The profile adjusts every pair by position, but no firm-events are linked in calendar time."""
    from eventstudy.config import Event
    from eventstudy.report.robustness import groups_section

    when = {"NVDA": "2025-01-27", "MU": "2024-12-18", "CEG": "2024-02-27", "VST": "2024-09-23"}
    groups = {"NVDA": "chips", "MU": "chips", "CEG": "power", "VST": "power"}
    events = tuple(Event(t, t, when[t], "^GSPC", groups[t]) for t in when)
    cfg = StudyConfig(name="g", events=events, convention="eventstudytools")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(cfg).fit()
        build_report(cfg, tmp_path / "g", sections=[groups_section])
    assert res.cross_correlation.applies and res.cross_correlation.overlapping_pairs == 0
    text = " ".join((tmp_path / "g" / "report.md").read_text().split())
    assert "(Welch p = " in text or "under Welch's t" in text
    assert "crude-dependence" not in text and "linked in calendar time are not" not in text
    assert "as EventStudyTools does, every group gets the Kolari-Pynnonen versions" in text
