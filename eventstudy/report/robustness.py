"""Report sections on inference across firms and on robustness to model and market proxy."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy import aggregate
from eventstudy.conventions import ExchangeSessions
from eventstudy.data.sources import MEMBERS_AS_OF, BundledSource, PanelSource
from eventstudy.data.universe import (
    EW_TICKER,
    MEMBERSHIP_CURRENT_DAYS,
    constituents,
    equal_weighted_index,
    list_is_current,
    member_prices,
    with_series,
)
from eventstudy.errors import EventStudyError, FactorFrequencyError
from eventstudy.inference import TestStatistic, adjust_pvalues, variance_check
from eventstudy.models import MARKET
from eventstudy.report import figures
from eventstudy.report.builder import day_unit
from eventstudy.report.format import (
    INDEX_NAMES,
    finite,
    first_of,
    fmt_num,
    fmt_p,
    fmt_pct,
    return_word,
    word_list,
)
from eventstudy.results import event_labels
from eventstudy.study import EventStudy
from eventstudy.windows import Window

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from eventstudy.report.builder import ReportBuilder
    from eventstudy.results import EventStudyResults

ROBUSTNESS_MODELS = ("market", "market_adjusted", "constant_mean", "ff3", "carhart")
PROXY_NAMES = {**INDEX_NAMES, EW_TICKER: "equal-weighted S&P 500 ex studied firms"}
MIN_INDEX_MEMBERS = 30
"""Fewest other members an equal-weighted benchmark needs to be one (not a handful of stocks)."""
FRENCH_FACTORS = "(Fama-French factors)"
OWN_FACTORS = "(the study's factor file)"
KEY_TESTS = ("csect_t", "patell", "kp_patell", "bmp", "kp_bmp", "grank_t", "bw1985", "sign", "rank", "wilcoxon")
ROBUSTNESS_ROWS_AT_MOST = 12
"""Up to this many firm-events the robustness section shows each one; above it, means across them."""
FEW_PER_GROUP = 30
"""Below this many firm-events in its smallest group, a comparison of groups is said to have little power."""
DATES_AT_MOST = 10
"""Up to this many event dates the section on all firms also tests each date's firm-events alone (if any date has two)."""


def aggregate_section(b: ReportBuilder) -> None:
    """All firms together: the many-firm tests, adjusted for multiple testing, with what they assume."""
    res = b.results
    table = res.aggregate_table()
    ok = res.events["status"].str.startswith("ok")
    if table.empty or ok.sum() < 2:
        return
    b.add_table("aggregate_tests", table)
    est = res.aggregate_estimates
    days = aggregate.event_days(b.config.event_window, res.windows)
    day = 0 if 0 in days else days[0]
    lead = Window(day, day)
    n = int(est.loc[lead, "n"])
    sessions = sessions_of(res)
    n_dates = int(sessions.nunique())
    unit = day_unit(res)  # what a relative day is: a session, or a row of weekly or monthly data
    check = variance_check(res.ar_t.loc[day, ok[ok].index].to_numpy())
    order = list(KEY_TESTS)
    if check.event_induced:
        order = ["bmp", "kp_bmp", "grank_t", *[t for t in order if t not in ("bmp", "kp_bmp", "grank_t")]]
    # shortest window first, as the firm table orders its columns
    windows = [lead, *sorted((w for w in res.windows if w.length > 1), key=lambda w: (w.length, w.start))]
    family = [(t, w, res.aggregate_tests[w, t]) for t in order for w in windows]
    raw = np.array([x.pvalue for _, _, x in family])
    holm, bh = adjust_pvalues(raw, "holm"), adjust_pvalues(raw, "bh")
    rows = [
        [
            t,
            "AAR day " + f"{day:+d}".replace("+0", "0") if w == lead else f"CAAR{w}",
            fmt_num(x.statistic, 2),
            fmt_p(x.pvalue),
            fmt_p(h),
            fmt_p(q),
            x.distribution if isinstance(x, TestStatistic) else f"not applicable: {getattr(x, 'reason', '')}",
        ]
        for (t, w, x), h, q in zip(family, holm, bh, strict=True)
    ]
    paragraphs = []
    if b.config.selected_on_outcome:
        paragraphs.append(
            "These firms were chosen because they moved (the study file says so), so tests of 'mean abnormal "
            "return = 0' on them describe how large the moves were; they do not test a hypothesis chosen before "
            "looking at the data."
        )
    cc = res.cross_correlation
    if n_dates == 1:
        dates = f"The {n} firm-events share one event date, so their abnormal returns are cross-correlated"
    elif cc.overlapping_pairs == 0:
        dates = f"The {n} firm-events fall on {n_dates} dates and no two event windows overlap in calendar time"
    elif cc.overlapping_pairs == cc.pairs:
        dates = (
            f"The {n} firm-events fall on {n_dates} dates whose event windows are all linked in calendar time "
            "(overlapping, directly or through a chain of other firm-events' windows), so all their abnormal returns "
            "are taken as cross-correlated"
        )
    else:
        share = cc.overlapping_pairs / cc.pairs
        dates = (
            f"The {n} firm-events fall on {n_dates} dates; {share:.0%} of the pairs have event windows linked in "
            "calendar time (overlapping, directly or through a chain of other firm-events' windows), and only those "
            "are taken as cross-correlated"
        )
    overlap = n_dates == 1 or cc.overlapping_pairs > 0
    independent = "tests that treat them as independent (Patell, BMP, cross-sectional t) misstate significance"
    if cc.applies:
        r = cc.effective
        factors = (
            f"multiplying BMP's t by sqrt((1 - r)/(1 + (N - 1) r)) = {np.sqrt((1 - r) / (1 + (n - 1) * r)):.3f} and "
            f"Patell's z by 1/sqrt(1 + (N - 1) r) = {1 / np.sqrt(1 + (n - 1) * r):.3f}"
        )
        if cc.paired == "position":
            opening = (
                f"{dates}: {independent}. As"
                if overlap
                else f"{dates}, so no common shock ties their abnormal returns together; still, as"
            )
            measured = (
                f"{opening} EventStudyTools does, the Kolari-Pynnonen versions take r = {r:.3g}, the mean correlation "
                "over all pairs of their estimation-window abnormal returns paired by position from each window's "
                f"first day, whatever their dates, {factors}."
            )
        elif cc.overlapping_pairs == cc.pairs:  # every pair linked (one date, or windows that all overlap)
            measured = (
                f"{dates}: {independent}. The mean correlation of their estimation-window abnormal returns, on the "
                f"{unit}s each pair shares, is r = {r:.3f}; the Kolari-Pynnonen versions use it, {factors}."
            )
        else:
            measured = (
                f"{dates}: {independent}. The mean correlation of the linked pairs' estimation-window abnormal "
                f"returns, on the {unit}s they share, is {cc.mean:.3f} ({r:.3f} over all pairs, the others counting "
                f"zero); the Kolari-Pynnonen versions use the latter, {factors}."
            )
        paragraphs.append(
            f"{measured} The portfolio test (Brown-Warner 1985, crude dependence) divides the average AR by "
            "the time-series sd of the equally weighted portfolio's estimation-window AR, which already contains the "
            "correlation."
        )
    else:
        paragraphs.append(
            f"{dates}, so there is no cross-correlation to adjust for: the Kolari-Pynnonen versions are not applied "
            "and say why in the table."
        )
    spread = (
        f"Across the firm-events the standardised abnormal returns of day {day:+d} have sd {check.sd:.2f} "
        f"(1 if the event left their variance unchanged; chi-square test p = {fmt_p(check.pvalue)})."
    ).replace("+0", "0")
    if check.event_induced:
        spread += (
            " The spread differs from 1 (the event changed the variance, or the returns have heavier tails than the "
            "normal), so Patell, Brown-Warner 1980 and the single-firm t, which assume a spread of 1, misstate "
            + (
                "significance; BMP and its Kolari-Pynnonen version allow for it and lead the table"
                if cc.applies
                else "significance; BMP allows for it and leads the table"
            )
            + ", with Kolari and Pynnonen's generalized rank t, which rescales the event-day values by their spread "
            "before ranking them."
        )
    paragraphs.append(spread)
    # The profile's description gives its defaults; say where the study chose otherwise.
    own = []
    if res.config.returns != res.convention.returns:
        own.append(f"{res.config.returns} returns")
    if res.config.estimation != Window.parse(res.convention.estimation):
        own.append(f"the estimation window {res.config.estimation}")
    if res.config.calendar == "rows" and isinstance(res.convention.days, ExchangeSessions):
        own.append("each series' own rows as its days (calendar = rows)")
    chose = f" This study chose {word_list(own)} over the profile's defaults." if own else ""
    paragraphs.append(
        "Holm's and Benjamini-Hochberg's adjustments treat every p-value of the table as one family. Every test of "
        "the package, with the average buy-and-hold abnormal return of each window longer than a day, is in "
        "tables/aggregate_tests.csv. Convention profile: "
        f"{res.convention.name} ({res.convention.description}).{chose}"
    )
    day_windows = [Window(d, d) for d in days]
    kp = "kp_bmp" if cc.applies else "bmp"
    fig = b.add_figure(
        "aar",
        figures.aar_bars(
            days,
            [float(est.loc[w, "mean"]) for w in day_windows],
            [res.aggregate_tests[(w, kp)].pvalue for w in day_windows],
            "the Kolari-Pynnonen-adjusted BMP test" if cc.applies else "the BMP test",
            f"{unit}s",
        ),
        "Average abnormal return on each relative day; orange bars are significant at 5% under "
        + (
            (
                "the BMP test adjusted for the firm-events' cross-correlation."
                if cc.paired == "position"
                else "the BMP test adjusted for the cross-correlation of overlapping firm-events."
            )
            if cc.applies
            else "the BMP test."
        ),
    )
    tables = [
        b.show(
            "tests",
            "Tests across firm-events, with p-values adjusted for multiple testing",
            ["test", "of", "statistic", "p", "Holm", "BH", "reference distribution"],
            rows,
        )
    ]
    sources = ["tables/aggregate_tests.csv"]
    figs = [fig]
    if 2 <= n_dates <= DATES_AT_MOST and n_dates < int(ok.sum()):  # one per date: the firms' table again
        by_date = date_rows(res, lead)
        paragraphs.append(_dates_text(by_date))
        tables.append(_dates_table(b, by_date, lead))
        b.data["by_date"] = by_date
        sources.append("tables/dates.csv")
        dated = {
            when.strftime("%Y-%m-%d"): list(sessions.index[sessions == when]) for when in sorted(sessions.unique())
        }
        figs.append(
            b.add_figure(
                "caar_by_date",
                figures.caar_by(res, dated, "event date"),
                "Average cumulative abnormal return of each event date's firm-events (their number in brackets), "
                "from the event window's first day; grey band: event window.",
            )
        )
    elif 2 <= n_dates == int(ok.sum()):
        used = ok[ok].index
        tests = res.tests(main_window(res))
        paragraphs.extend(_mixed_signs(tests.loc[used, "car"], tests.loc[used, "pvalues"], main_window(res)))
    b.sections.append(
        {
            "id": "aggregate",
            "title": "All firms together",
            "text": f"Average abnormal {return_word(res.config.returns)} on day {day:+d}: {est.loc[lead, 'mean'] * 100:.2f}% over {n} firm-events.".replace(
                "+0", "0"
            ),
            "paragraphs": paragraphs,
            "figures": figs,
            "tables": tables,
            "sources": sources,
        }
    )
    b.data["aggregate"] = {
        "mean_residual_correlation": cc.mean,
        "effective_correlation": cc.effective,
        "overlapping_pairs": cc.overlapping_pairs,
        "pairs": cc.pairs,
        "aar_lead_day": est.loc[lead, "mean"],
        "standardised_ar_sd": check.sd,
        "variance_check_pvalue": check.pvalue,
        "tests_lead_day": {t: res.aggregate_tests[(lead, t)].pvalue for t in order},
    }


def date_rows(res: EventStudyResults, lead: Window) -> list[dict[str, Any]]:
    """Each event date's usable firm-events tested alone: N, AAR of ``lead``, CAAR of the main window, its p-value.

    The p-value is the Kolari-Pynnonen BMP test's where the date's firm-events are
    cross-correlated (they share the date), BMP's otherwise, as a study of that date alone
    computes them.
    """
    window = main_window(res)
    sessions = sessions_of(res)
    rows = []
    for session in sorted(sessions.unique()):
        ids = [str(i) for i in sessions.index[sessions == session]]
        one = res.with_events(ids)
        test = "kp_bmp" if one.cross_correlation.applies else "bmp"
        result = one.aggregate_tests[(window, test)]
        rows.append(
            {
                "date": pd.Timestamp(session).strftime("%Y-%m-%d"),
                "n": len(ids),
                "aar": float(one.aggregate_estimates.loc[lead, "mean"]),
                "window": str(window),
                "caar": float(one.aggregate_estimates.loc[window, "mean"]),
                "test": test,
                "p_value": float(result.pvalue),
            }
        )
    return rows


def sessions_of(res: EventStudyResults) -> pd.Series:
    """Each usable firm-event's event session, by event id."""
    ok = res.events["status"].str.startswith("ok")
    return res.events.loc[ok, "event_session"]


def main_window(res: EventStudyResults) -> Window:
    """Return the window groups and dates are compared on: the event window when computed, else the first."""
    return res.config.event_window if res.config.event_window in res.windows else res.windows[0]


SIGN_LEVEL = 0.05
"""A mean of one sign counts as a move in that direction only when its test rejects at this level."""


def _noise_clause(significant_up: list[str], significant_down: list[str], noun: str, what: str) -> str | None:
    """Say why moves of both signs are, or are not, shown; None when both directions reject.

    ``noun`` names one estimate (``mean``, ``CAR``), ``what`` all of them (``dates' means``).
    """
    if significant_up and significant_down:
        return None
    moved = significant_up or significant_down
    if not moved:
        return f"none of the {what} differs from zero at 5%, so the difference in sign may be noise"
    direction = "up" if significant_up else "down"
    one = len(moved) == 1
    who = f"the {noun}{'' if one else 's'} of {word_list(moved)}" if len(moved) <= 6 else f"{len(moved)} of the {what}"
    return (
        f"only {who} {'differs' if one else 'differ'} from zero at 5% ({direction if one else f'all {direction}'}), "
        "so this is no evidence of moves in both directions"
    )


def _dates_text(rows: list[dict[str, Any]]) -> str:
    label = rows[0]["window"]
    text = (
        f"The {len(rows)} event dates taken one at a time (each date's firm-events tested alone, each keeping its fit, "
        "with the Kolari-Pynnonen BMP test where they are cross-correlated) are in the table of event dates below."
    )
    signs = {np.sign(r["caar"]) for r in rows if finite(r["caar"]) and r["caar"] != 0}
    if len(signs) > 1:
        each = ", ".join(f"{fmt_pct(r['caar'])} on {r['date']}" for r in rows)
        sig = [r for r in rows if finite(r["p_value"]) and r["p_value"] < SIGN_LEVEL]
        noise = _noise_clause(
            [str(r["date"]) for r in sig if r["caar"] > 0],
            [str(r["date"]) for r in sig if r["caar"] < 0],
            "mean",
            "dates' means",
        )
        text += f" Their mean CARs over {label} differ in sign ({each}), {_sign_tail(noise, 'the dates')}"
    return text


def _sign_tail(noise: str | None, whom: str) -> str:
    """End the sentence on means of both signs: they mix moves in both directions, or ``noise`` says why not."""
    if noise is None:
        return f"so the average over all firm-events mixes moves in both directions and describes none of {whom} well."
    return f"but {noise}."


def _mixed_signs(cars: pd.Series, pvalues: pd.Series, window: Window) -> list[str]:
    """Say so when firm-events on dates of their own moved in both directions: their average describes neither."""
    up, down = int((cars > 0).sum()), int((cars < 0).sum())
    if not (up and down):
        return []
    sig = pvalues[pvalues < SIGN_LEVEL].index
    noise = _noise_clause(
        [str(e) for e in sig if cars[e] > 0], [str(e) for e in sig if cars[e] < 0], "CAR", "firm-events' CARs"
    )
    return [
        f"Each firm-event has a date of its own, and their CARs over {window} differ in sign ({up} positive, "
        f"{down} negative), {_sign_tail(noise, 'them')}"
    ]


def _dates_table(b: ReportBuilder, rows: list[dict[str, Any]], lead: Window) -> dict[str, Any]:
    b.add_table("dates", pd.DataFrame(rows))
    day = f"{lead.start:+d}".replace("+0", "0")
    label = rows[0]["window"]
    body = [
        [r["date"], str(r["n"]), fmt_pct(r["aar"]), fmt_pct(r["caar"]), fmt_p(r["p_value"]), r["test"]] for r in rows
    ]
    caption = "Each event date's firm-events tested alone"
    header = ["event date", "N", f"AAR day {day}", f"CAAR{label}", f"p (CAAR{label})", "test"]
    return {**b.show("dates", caption, header, body), "caption": caption}


def groups_section(b: ReportBuilder) -> None:
    """Set groups side by side: each group's mean CAR with its test, and each pair compared.

    One group beside firm-events without a group is tested alone, with nothing to compare.
    """
    res = b.results
    if not res.split_by_group:
        return
    single = len(res.groups) == 1
    window = main_window(res)
    label = str(window)
    table = res.aggregate_table()
    comparison = table[table["group"].str.contains(" - ", regex=False)]
    car = res.window_table.xs(window, level="window")["car"]
    ids = {g: res.group_event_ids(g) for g in res.groups}
    values = {g: car.reindex(ids[g]).to_numpy(dtype=float) for g in res.groups}
    # tickers name a group's points unless one firm has several events in it; then the event ids do
    tickers = {g: res.events.loc[ids[g], "ticker"].astype(str).tolist() for g in res.groups}
    names = {g: tickers[g] if len(set(tickers[g])) == len(tickers[g]) else list(ids[g]) for g in res.groups}
    rows = []
    for g in res.groups:
        mine = table[(table["group"] == g) & (table["window"] == label) & (table["measure"] == "ar")].set_index("test")
        if mine.empty:
            continue
        # as for the dates: a group whose firm-events are cross-correlated gets the tests that allow for it
        linked = res.group_results(g).cross_correlation.applies
        csect, bmp = ("kp_csect_t", "kp_bmp") if linked else ("csect_t", "bmp")
        rows.append(
            [
                g,
                str(int(mine.loc["csect_t", "n"])),
                fmt_pct(float(mine.loc["csect_t", "estimate"])),
                fmt_p(float(mine.loc[csect, "p_value"])),
                fmt_p(float(mine.loc[bmp, "p_value"])),
                f"{csect}, {bmp}",
            ]
        )
    pairs = comparison[comparison["window"] == label]
    pair_rows = [
        [r.group, fmt_pct(r.estimate), r.test, fmt_num(r.statistic, 2), fmt_p(r.p_value), r.note or r.distribution]
        for r in pairs.itertuples()
    ]
    fig = b.add_figure(
        "groups",
        figures.group_strip(values, names, label),
        f"Each firm-event's cumulative abnormal return over {label}, by group; the black bar is the group mean.",
    )
    paths = b.add_figure(
        "caar_by_group",
        figures.caar_by(res, {g: list(ids[g]) for g in res.groups}, "group"),
        "Average cumulative abnormal return of each group (its number of firm-events in brackets), from the event "
        "window's first day; grey band: event window.",
    )
    smallest = min(len(ids[g]) for g in res.groups)
    # firm-events linked in calendar time are not independent: the text then judges by the long-short
    # portfolio's crude-dependence t, which allows for their correlation, and Welch's stays in the table
    linked = res.cross_correlation.overlapping_pairs > 0  # a profile may adjust pairs that are not linked
    judge, short, named = (
        ("bw1985", "crude-dependence", "the crude-dependence t") if linked else ("welch_t", "Welch", "Welch's t")
    )
    judged = [r for r in pairs.itertuples() if r.test == judge]
    tested = [r for r in judged if finite(r.p_value)]
    # several pairs are several tests: a difference counts once Holm's adjustment over the pairs keeps it
    holm = adjust_pvalues(np.array([r.p_value for r in tested]), "holm") if tested else np.array([])
    clear = [(r, h) for r, h in zip(tested, holm, strict=True) if h < 0.05]
    raw_only = [r for r, h in zip(tested, holm, strict=True) if r.p_value < 0.05 <= h]
    untested = [r.group.replace(" - ", " and ") for r in judged if not finite(r.p_value)]
    pairs_said = f" after Holm's adjustment over the {len(tested)} pairs" if len(tested) > 1 else ""
    ranks = {r.group: r.p_value for r in pairs.itertuples() if r.test == "rank_sum"}
    members = {f"{a} - {c}": (a, c) for a in res.groups for c in res.groups if a != c}  # a pair's two groups
    if clear:
        said = " ".join(
            f"{_higher(r.group, r.estimate)} ({short} p = {fmt_p(r.p_value)}"
            + (f", {fmt_p(h)}{pairs_said})" if pairs_said else ")")
            + ("" if linked else _unconfirmed(ranks.get(r.group, float("nan")), *(values[g] for g in members[r.group])))
            + "."
            for r, h in clear
        )
    elif len(tested) == 1:
        only = tested[0]
        said = (
            f"The difference between the mean CARs of {only.group.replace(' - ', ' and ')} is not significant at "
            f"5% under {named} (p = {fmt_p(only.p_value)})."
        )
    elif tested:
        said = f"No two groups' mean CARs differ significantly at 5% under {named}{pairs_said}."
    else:
        said = ""
    if raw_only:
        said += (
            f" The pair{'' if len(raw_only) == 1 else 's'} {word_list([r.group for r in raw_only])} "
            f"{'differs' if len(raw_only) == 1 else 'differ'} at 5% taken "
            f"alone ({short} p = {word_list([fmt_p(r.p_value) for r in raw_only])}), but not once the "
            f"{len(tested)} pairs are adjusted for together."
        )
    if untested:
        said += f" {named[:1].upper() + named[1:]} cannot compare {', '.join(untested)}: " + (
            "the groups share too few estimation days."
            if linked
            else "each group needs at least two firm-events with distinct CARs."
        )
    measured = set(car.dropna().index)
    ungrouped = [e.event_id for e in res.config.events if not e.group and e.event_id in measured]
    if ungrouped:  # the pooled rows count them, the groups' rows do not: the Ns would not add up unsaid
        shown = first_of(ungrouped, 5)
        said += (
            f" {shown} {'has' if len(ungrouped) == 1 else 'have'} no group and "
            f"{'counts' if len(ungrouped) == 1 else 'count'} only in the tests of all firm-events pooled."
        )
    tested_alone = "is tested as a study of its own events would be, each firm-event keeping its fit; " + (
        "as EventStudyTools does, every group gets the Kolari-Pynnonen versions of the cross-sectional t and BMP "
        "tests, its pairs correlated by position whatever their dates."
        if res.cross_correlation.paired == "position"
        else "a group whose firm-events are cross-correlated (linked in calendar time) gets the Kolari-Pynnonen "
        "versions of the cross-sectional t and BMP tests, as the tests column says."
    )
    tests_table = b.show(
        "groups_tests",
        f"{'The group' if single else 'Each group'}'s CAAR over {label}",
        ["group", "N", "CAAR", "p (cross-sectional t)", "p (BMP)", "tests"],
        rows,
    )
    if single:
        b.sections.append(
            {
                "id": "groups",
                "title": "The group tested alone",
                "text": f"Mean cumulative abnormal {return_word(res.config.returns)} over {label} of the one group, "
                f"{res.groups[0]}. {said.strip()} With one group there is nothing to compare: a group for the other "
                "firm-events would compare the two.",
                "paragraphs": [f"The group {tested_alone}"],
                "figures": [fig, paths],
                "tables": [tests_table],
                "sources": ["tables/aggregate_tests.csv"],
            }
        )
        return
    b.sections.append(
        {
            "id": "groups",
            "title": "Groups compared",
            "text": f"Mean cumulative abnormal {return_word(res.config.returns)} over {label} for each of the "
            f"{len(res.groups)} groups. {said.strip()}",
            "paragraphs": [
                f"Each group {tested_alone} Welch's t compares two groups' "
                "mean CARs without assuming equal variances; the Wilcoxon rank-sum test compares their ranks and is "
                "exact for small groups without ties. "
                + (
                    "Both treat the firm-events as independent, which firm-events linked in calendar time are not, "
                    "so here their p-values may be too small, and the text judges by the crude-dependence t of Brown "
                    "and Warner (1985) instead: the difference of the mean CARs over sqrt(L) times the sd of the "
                    "long-short portfolio's estimation-window abnormal return (one group's average less the other's), "
                    "whose variance holds the firm-events' correlation. "
                    if linked
                    else ""
                )
                + (
                    "With few firm-events per group the tests have little power: a "
                    if smallest < FEW_PER_GROUP
                    else "A "
                )
                + "difference that is not significant is not shown to be absent.",
            ],
            "figures": [fig, paths],
            "tables": [
                tests_table,
                b.show(
                    "groups_compared",
                    f"Groups compared over {label}",
                    ["groups", "difference", "test", "statistic", "p", "reference distribution"],
                    pair_rows,
                ),
            ],
            "sources": ["tables/aggregate_tests.csv"],
        }
    )
    crude = {r.group: r.p_value for r in pairs.itertuples() if r.test == "bw1985"}
    b.data["groups"] = {
        r.group: {"difference": r.estimate, "welch_p": r.p_value, "bw1985_p": crude.get(r.group, float("nan"))}
        for r in pairs.itertuples()
        if r.test == "welch_t"
    }


def model_fits(b: ReportBuilder) -> dict[str, EventStudyResults]:
    """Return the study refitted under each robustness model on the same prices (computed once per report).

    The study's own model is always among them. A model whose inputs do not cover the
    study (Fama-French factors end before the event, say) is left out, and
    :func:`models_left_out` says why.
    """
    if "model_fits" not in b.cache:
        fits: dict[str, EventStudyResults] = {}
        left_out: dict[str, str] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for model in dict.fromkeys([*ROBUSTNESS_MODELS, b.results.model.name]):
                if model == b.results.model.name:
                    fits[model] = b.results
                    continue
                try:
                    fits[model] = b.results.with_model(model)
                except FactorFrequencyError as exc:
                    left_out[model] = exc.why
                except EventStudyError:
                    continue
        b.cache["model_fits"] = fits
        b.cache["models_left_out"] = left_out
    return dict(b.cache["model_fits"])


def models_left_out(b: ReportBuilder) -> str:
    """Say which robustness models could not be fitted for a reason of the study's data, and why ("" if none)."""
    model_fits(b)
    by_reason: dict[str, list[str]] = {}
    for model, why in b.cache["models_left_out"].items():
        by_reason.setdefault(why, []).append(model)
    return "".join(
        f" {word_list(models)} {'is' if len(models) == 1 else 'are'} not compared: {why}."
        for why, models in by_reason.items()
    )


def model_range(b: ReportBuilder) -> pd.DataFrame:
    """Lowest and highest abnormal dollar change on the event day across the robustness models.

    Columns ``model_low`` and ``model_high`` by event id; ``attrs["models"]`` names the
    models that could be fitted.
    """
    fits = model_fits(b)
    dollars = {m: r.dollar_impact()["abnormal_change"] for m, r in fits.items()}
    if not dollars:
        return pd.DataFrame()
    wide = pd.DataFrame(dollars)
    out = pd.DataFrame({"model_low": wide.min(axis=1), "model_high": wide.max(axis=1)})
    out.attrs["models"] = list(fits)
    return out


def robustness_table(b: ReportBuilder) -> pd.DataFrame:
    """AR on day 0 and CAR[-1,+1] of each firm under other models and market proxies."""
    cfg = b.config
    window = cfg.event_window
    rows = []
    market = PROXY_NAMES.get(cfg.markets[0], cfg.markets[0]) if len(cfg.markets) == 1 else "each event's market"
    for res in model_fits(b).values():
        m = res.model
        if MARKET in m.regressors and len(m.regressors) == 1:
            label = f"market vs {market}"
        elif m.name == "custom":
            label = f"custom {OWN_FACTORS}"
        elif m.uses_factors:
            label = f"{m.name} {FRENCH_FACTORS}"
        else:
            label = m.name
        rows += _spec_rows(res, label, window)
    if not isinstance(b.source, BundledSource):  # the other market proxies come from the bundled snapshot
        return pd.DataFrame(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = b.source.load(list(dict.fromkeys([*cfg.tickers, *cfg.markets, "^GSPC", "^NDX"])))
        others = member_prices().drop(columns=[t for t in cfg.tickers if t in member_prices().columns])
        proxies = ["^GSPC", "^NDX", EW_TICKER] if others.shape[1] >= MIN_INDEX_MEMBERS else ["^GSPC", "^NDX"]
        ew = equal_weighted_index(others)
        panel = with_series(
            panel, ew, "equal-weighted index of the bundled S&P 500 members without the studied firms, rebalanced daily"
        )
        source = PanelSource(panel, "bundled snapshot with derived index")
        for proxy in [p for p in proxies if p not in cfg.markets]:  # the study's own market is already there
            events = tuple(type(e)(e.event_id, e.ticker, e.event_date, proxy) for e in cfg.events)
            res = EventStudy(cfg.with_(events=events, model="market", factors=None, factor_columns=()), source).fit()
            rows += _spec_rows(res, f"market vs {PROXY_NAMES[proxy]}", window)
    return pd.DataFrame(rows)


def _spec_rows(res: EventStudyResults, spec: str, window: Window) -> list[dict[str, Any]]:
    out = []
    car = res.car(window)
    ar, events = res.ar, res.events
    for eid in res.event_ids:
        out.append(
            {
                "spec": spec,
                "event_id": eid,
                "ticker": events.loc[eid, "ticker"],
                "ar_0": float(ar.loc[0, eid]),
                f"car_{window.label}": float(car[eid]),
                "status": events.loc[eid, "status"],
            }
        )
    return out


def _model_of(spec: str) -> str:
    """Return the model name of a robustness specification's label ('ff3 (Fama-French factors)' -> 'ff3')."""
    return spec.removesuffix(f" {FRENCH_FACTORS}").removesuffix(f" {OWN_FACTORS}")


def robustness_section(b: ReportBuilder) -> None:
    """Each firm-event's AR and CAR under the other models and market proxies."""
    bundled = isinstance(b.source, BundledSource)  # the other market proxies come from the bundled snapshot
    try:
        table = robustness_table(b)
    except EventStudyError as exc:
        b.sections.append(
            {"id": "robustness", "title": "Robustness", "text": f"Not computed: {exc}", "figures": [], "tables": []}
        )
        return
    cfg = b.config
    window = cfg.event_window
    car_col = f"car_{window.label}"
    # the study's own firm-events: one it left out (its own market, say) would tilt the other models' averages
    used = b.results.events.index[b.results.events["status"].str.startswith("ok")]
    table = table[table["event_id"].isin(used)].reset_index(drop=True)
    b.add_table("robustness", table)
    specs = list(dict.fromkeys(table["spec"]))
    table = table.assign(label=table["event_id"].map(event_labels(b.results.events)))
    keys = list(dict.fromkeys(table["label"]))
    wide_ar = table.pivot(index="label", columns="spec", values="ar_0").reindex(index=keys, columns=specs)
    wide_car = table.pivot(index="label", columns="spec", values=car_col).reindex(index=keys, columns=specs)
    spread = (wide_ar.max(axis=1) - wide_ar.min(axis=1)) * 100
    means = wide_ar.mean(axis=0)
    ew_spec = f"market vs {PROXY_NAMES[EW_TICKER]}"
    # the study's own fit anchors the text; the market model comes first in the table whatever the study's model
    main_spec = specs[0]
    own_spec = next((s for s in specs if _model_of(s) == cfg.model), main_spec)  # "market vs ..." is the market's
    per_event = len(keys) <= ROBUSTNESS_ROWS_AT_MOST
    single = len(keys) == 1
    car = window != Window(0, 0)  # over [0,0] the CAR is the day-0 AR: it is shown once
    if per_event:
        fig_table = table.rename(columns={"ar_0": "value", "label": "ticker_label"})
        fig_table = fig_table.assign(ticker=fig_table["ticker_label"])
        tables = [
            {"header": ["AR day 0", *specs], "rows": [[k, *[fmt_pct(wide_ar.loc[k, s]) for s in specs]] for k in keys]},
            *(
                [
                    {
                        "header": [f"CAR{window}", *specs],
                        "rows": [[k, *[fmt_pct(wide_car.loc[k, s]) for s in specs]] for k in keys],
                    }
                ]
                if car
                else []
            ),
        ]
    else:
        fig_table = pd.DataFrame({"ticker": "mean of all firm-events", "spec": specs, "value": means.to_numpy()})
        tables = [
            {
                "header": [
                    "specification",
                    "mean AR day 0",
                    "median AR day 0",
                    "share negative",
                    *([f"mean CAR{window}"] if car else []),
                ],
                "rows": [
                    [
                        s,
                        fmt_pct(wide_ar[s].mean()),
                        fmt_pct(wide_ar[s].median()),
                        f"{(wide_ar[s].dropna() < 0).mean():.0%}",
                        *([fmt_pct(wide_car[s].mean())] if car else []),
                    ]
                    for s in specs
                ],
            }
        ]
    fig = b.add_figure(
        "robustness",
        figures.spec_grid(
            fig_table, "value", "Event-day abnormal return by model" + (" and market proxy" if bundled else "")
        ),
        (
            "Abnormal return on the event day"
            if per_event
            else f"Mean event-day abnormal return of the {int(wide_ar[own_spec].notna().sum())} firm-events"
        )
        + " under each normal-return model"
        + (" and under the market model with other market proxies." if bundled else "."),
    )
    members = set(constituents()["Symbol"].astype(str))
    # only firms measured against the S&P 500 have their own move in their market's return
    inside = sorted({e.ticker for e in cfg.events if e.ticker in members and e.market == "^GSPC"})
    has_ew = ew_spec in means.index
    models = [_model_of(s) for s in specs if not s.startswith("market vs ")]
    proxies = [s.removeprefix("market vs ") for s in specs if s.startswith("market vs ") and s != main_spec]
    french = [s.removesuffix(f" {FRENCH_FACTORS}") for s in specs if s.endswith(FRENCH_FACTORS)]
    own = any(s.endswith(OWN_FACTORS) for s in specs)
    factors = (
        f" ({word_list(french)} use the bundled Ken French daily factors"
        + (", custom the study's own factor file)" if own else ")")
        if french
        else (" (custom uses the study's own factor file)" if own else "")
    )
    text = (
        f"The same {'firm-event' if single else 'firm-events'} under the market model and these normal-return "
        f"models: {', '.join(models)}{factors}"
        + (
            f"; and under the market model with other market proxies: {', '.join(proxies) or 'none'}."
            if bundled
            else f". Other market proxies are not compared: they come from the bundled snapshot, and this study reads "
            f"{b.source.name}."
        )
        + models_left_out(b)
        + (
            ""
            if has_ew or not bundled
            else f" Too few bundled S&P 500 members remain without the studied firms for an equal-weighted index of "
            f"at least {MIN_INDEX_MEMBERS}."
        )
        + (f" For {keys[0]}" if single else " Averaged over the firm-events")
        + f", the event-day AR is {fmt_pct(means[own_spec])}"
        + (f" under the study's own model ({cfg.model})" if own_spec != main_spec else f" ({main_spec})")
        + (f" and {fmt_pct(means[ew_spec])} against the equal-weighted index" if has_ew else "")
        + (
            f"; across all specifications it spans {spread.max():.1f} percentage points."
            if single
            else f"; across all specifications the widest spread for one firm-event is {spread.max():.1f} percentage "
            f"points ({spread.idxmax()})."
        )
    )
    current = list_is_current(e.event_date for e in cfg.events)
    if inside and has_ew:
        who = (
            ", ".join(inside)
            if len(inside) <= 6
            else f"All {len(inside)} studied firms"
            if len(inside) == len(cfg.tickers)
            else f"{len(inside)} of the {len(cfg.tickers)} studied firms"
        )
        one = len(inside) == 1
        one_date = len({e.event_date for e in cfg.events}) == 1
        text += (
            (
                f" {who} {'is a member' if one else 'are members'} of the cap-weighted S&P 500, so a "
                f"market model against it absorbs part of {'its' if one else 'their'} own move; the "
                "equal-weighted index of the other members does not."
            )
            if current
            else (
                f" {who} {'is' if one else 'are'} on the S&P 500 member list of {MEMBERS_AS_OF}. A market model "
                "against the cap-weighted index absorbs part of "
                + (
                    "the own move of each firm that was a member on its event date"
                    if not one
                    else "its own move if it was a member on the event date"
                    if one_date
                    else "its own move on each event date on which it was a member"
                )
                + f" (the list, more than {MEMBERSHIP_CURRENT_DAYS} days from "
                + ("the event date" if one_date else "some event dates")
                + ", does not say); the equal-weighted index of the list's other members absorbs none of it."
            )
        )
    if has_ew and not current:
        text += (
            f" The equal-weighted index is made of the members listed on {MEMBERS_AS_OF}, so for events more than "
            f"{MEMBERSHIP_CURRENT_DAYS} days away it may hold firms that were not members then and lack firms "
            "that were."
        )
    b.sections.append(
        {
            "id": "robustness",
            "title": "Robustness",
            "text": text,
            "figures": [fig],
            "tables": tables,
            "sources": ["tables/robustness.csv"],
        }
    )
    b.data["robustness"] = {
        k: {s: {"ar_0": wide_ar.loc[k, s], car_col: wide_car.loc[k, s]} for s in specs} for k in keys
    }


def _unconfirmed(rank_p: float, first: NDArray[np.float64], second: NDArray[np.float64]) -> str:
    """Say when the rank-sum test does not bear out a Welch difference, and why it cannot when the groups are tiny."""
    if not finite(rank_p) or rank_p < 0.05:
        return ""
    n, m = int(np.isfinite(first).sum()), int(np.isfinite(second).sum())
    # two-sided exact rank-sum p-values cannot fall below 2 / C(n + m, n): all of one group above the other
    floor = min(1.0, 2 / math.comb(n + m, n))
    return f"; the rank-sum test does not bear it out (p = {fmt_p(rank_p)}" + (
        f", the smallest it can give with {n} and {m} firm-events)"
        if floor >= 0.05 and rank_p <= floor + 1e-12
        else ")"
    )


def _higher(pair: str, difference: float) -> str:
    """Say which group of the pair ``A - B`` had the higher mean CAR, and by how much."""
    first, second = pair.split(" - ", 1)
    return (
        f"The mean CAR of {first} is {fmt_num(abs(difference) * 100, 2)} percentage points "
        f"{'higher' if difference > 0 else 'lower'} "
        f"than that of {second}"
    )
