"""Build a study's report folder: figures, tables, results.json, report.md and index.html.

The folder is written through a staging directory, so a failure leaves the previous
report untouched. The same data and configuration give byte-identical files.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from eventstudy._io import staged_directory
from eventstudy._meta import json_safe, record_versions
from eventstudy.backends import progress_bar, show_progress
from eventstudy.config import StudyConfig
from eventstudy.conventions import Convention, ExchangeSessions, OwnRows
from eventstudy.data.manifest import data_root
from eventstudy.data.panel import held_span
from eventstudy.data.sources import Source
from eventstudy.dollar import NO_CLOSE, NO_PRICE_LEVEL, describe_jump, share_table, split_like_jumps
from eventstudy.errors import ConfigError, EventDateError, NoUsableEventsError, UnknownTickerError
from eventstudy.inference import adjust_pvalues
from eventstudy.report import figures
from eventstudy.report.builder import ReportBuilder, Section, day_unit, html_table, row_spacing
from eventstudy.report.explain import explain_section, volume_section
from eventstudy.report.exports import excel_workbook, latex_table
from eventstudy.report.format import (
    finite,
    first_of,
    fmt_bn,
    fmt_bn_rounded,
    fmt_num,
    fmt_p,
    fmt_pct,
    return_word,
    word_list,
)
from eventstudy.report.robustness import aggregate_section, groups_section, model_range, robustness_section
from eventstudy.report.sectors import sector_section
from eventstudy.resolved import ResolvedConfig
from eventstudy.results import EventStudyResults, event_labels
from eventstudy.study import ESTIMATION_OVERLAP, ESTIMATION_SKIP, SHARED_EVENT_WINDOW, EventStudy, make_source
from eventstudy.windows import Window


def firm_table(res: EventStudyResults) -> pd.DataFrame:
    """One row per firm-event: raw return, AR, CARs with t, t p-value and SQ p-value, parameters."""
    rows = []
    events, window_table, ret, ar, ar_var = res.events, res.window_table, res.ret, res.ar, res.ar_var
    params = res.params
    for eid in res.event_ids:
        ev = events.loc[eid]
        row: dict[str, Any] = {
            "event_id": eid,
            "ticker": ev["ticker"],
            "event_session": ev["event_session"],
            "ret_0": ret.loc[0, eid],
            "ar_0": ar.loc[0, eid],
            "t_ar_0": ar.loc[0, eid] / math.sqrt(ar_var.loc[0, eid]) if finite(ar_var.loc[0, eid]) else np.nan,
        }
        for w in res.windows:
            tab = window_table.loc[(eid, w)]
            row[f"car_{w.label}"] = tab["car"]
            row[f"t_{w.label}"] = tab["tvalues"]
            row[f"p_t_{w.label}"] = tab["pvalues"]
            row[f"p_sq_{w.label}"] = tab["sq_pvalues"]
        row.update(
            {
                "alpha": params.loc[eid, "alpha"],
                "beta": params.loc[eid, _slope(params)] if _slope(params) else np.nan,
                "sigma": params.loc[eid, "sigma"],
                "est_start": ev["est_start"],
                "est_end": ev["est_end"],
                "n_est": ev["n_est"],
                "status": ev["status"],
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _slope(params: pd.DataFrame) -> str | None:
    """Return the first slope column: ``beta`` for the market model, ``beta_mkt_rf`` for factor models."""
    return next((c for c in params.columns if c.startswith("beta")), None)


NOTES_AT_MOST = 20
"""Up to this many firm-events with a note are listed one by one under the firm table; beyond it, counted."""


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def adjusted_pvalues(res: EventStudyResults) -> pd.DataFrame:
    """Every firm-event's t and SQ p-values with Holm and Benjamini-Hochberg adjustments.

    Each test's p-values over all firm-events and windows form one family; windows come
    shortest first, as in the firm table.
    """
    order = {w: i for i, w in enumerate(sorted(res.windows, key=lambda w: (w.length, w.start)))}
    tab = res.window_table.reset_index()
    tab = tab.iloc[np.argsort(tab["window"].map(order).to_numpy(), kind="stable")]
    tab["ticker"] = tab["event_id"].map(res.events["ticker"])
    tab["window"] = tab["window"].map(str)
    out = []
    for test, col in (("t", "pvalues"), ("sq", "sq_pvalues")):
        part = tab[["event_id", "ticker", "window"]].assign(test=test, p_value=tab[col].to_numpy())
        part["p_holm"] = adjust_pvalues(part["p_value"].to_numpy(), "holm")
        part["p_bh"] = adjust_pvalues(part["p_value"].to_numpy(), "bh")
        out.append(part)
    return pd.concat(out, ignore_index=True)


def sq_floors(res: EventStudyResults) -> pd.DataFrame:
    """Return the smallest SQ p-value each firm-event and window can reach: 2 / (N + 1), N the estimation sums."""
    est = res.est_mask
    rows = []
    for w in res.windows:
        for eid in res.event_ids:
            days = est[eid].to_numpy().astype(np.int64)
            n_sums = int((np.convolve(days, np.ones(w.length, dtype=np.int64), "valid") == w.length).sum())
            rows.append({"event_id": eid, "window": str(w), "n_sums": n_sums, "floor": 2.0 / (n_sums + 1)})
    return pd.DataFrame(rows)


def _study_shape(res: EventStudyResults) -> tuple[int, int]:
    """Return the number of usable firm-events and of distinct event sessions among them."""
    ok = res.events["status"].str.startswith("ok")
    return int(ok.sum()), int(res.events.loc[ok, "event_session"].nunique())


def price_section(b: ReportBuilder) -> None:
    """Prices around the event: on the calendar for one date, in event time for several."""
    cfg, res = b.config, b.results
    n, n_dates = _study_shape(res)
    unit = day_unit(res)
    if n_dates > 1:
        fig = b.add_figure("price_paths", *figures.event_time_paths(res, unit=unit))
        unused = [
            *([f"context tickers ({word_list(list(cfg.context_tickers))})"] if cfg.context_tickers else []),
            *([f"index date ({cfg.index_date})"] if cfg.index_date else []),
        ]
        # both shape the calendar-time chart of a one-date study; silence would hide that they did nothing
        one = not cfg.context_tickers  # the index date alone: a singular subject
        unused_text = (
            f" The study's {' and '.join(unused)} {'sets' if one else 'set'} the calendar-time chart of a one-date "
            f"study and {'is' if one else 'are'} not used here: each firm-event is indexed on the {unit} before its "
            "own event."
            if unused
            else ""
        )
        b.sections.append(
            {
                "id": "prices",
                "title": "Price paths",
                "text": f"The {n} firm-events fall on {n_dates} different sessions, so prices are shown in event time."
                + unused_text,
                "figures": [fig],
                "tables": [],
            }
        )
        b.data["provenance"] = dict(res.prices.provenance)
        return
    event = pd.Timestamp(res.events["event_session"].iloc[0])
    markets = list(dict.fromkeys([*cfg.markets, *cfg.context_tickers]))
    names = list(dict.fromkeys([*cfg.tickers, *markets]))
    panel = b.source.load(names)
    closes = panel.adj_close
    before = closes.index[closes.index < event]
    if cfg.index_date:
        on_or_before = closes.index[closes.index <= pd.Timestamp(cfg.index_date)]
        if not len(on_or_before):
            raise EventDateError(
                "index_date",
                str(cfg.index_date),
                f"is before the price data, which begin on {closes.index[0].date()}",
                "choose a session inside the data",
            )
        if pd.Timestamp(cfg.index_date) > closes.index[-1]:  # the last close would stand in for it, unsaid
            raise EventDateError(
                "index_date",
                str(cfg.index_date),
                f"is after the price data, which end on {closes.index[-1].date()}",
                "choose a session inside the data",
            )
        base = on_or_before[-1]  # a weekend or holiday means the last session before it
    else:
        base = before[-1]
    # the event session need not be a row of the prices (sessions of another exchange's calendar)
    pos, at = int(closes.index.searchsorted(event)), closes.index.get_loc(base)
    # fifteen sessions either side of the event, every window the study measures, and the index date
    first = min(-15, *(w.start for w in res.windows))
    last = max(15, *(w.end for w in res.windows))
    window = closes.iloc[max(0, min(pos + first, at)) : max(pos + last + 1, at + 1)]
    missing = [t for t in window.columns if pd.isna(window.loc[base, t])]
    window = window.drop(columns=missing)
    # returns chained into an index have the returns of closes, not their level
    what = "Returns chained into an index" if panel.chained & set(window.columns) else "Adjusted closes"
    price_fig = b.add_figure(
        "price_paths",
        *figures.price_paths(
            window,
            base,
            event,
            markets,
            f"Prices around {event.date()}, indexed to 100 on {base.date()}",
            what,
            unit=unit,
        ),
    )
    index_table = (window.div(window.loc[base]) * 100).reset_index()
    index_table["date"] = index_table["date"].dt.strftime("%Y-%m-%d")
    b.add_table("price_index", index_table)
    b.data["provenance"] = {t: panel.provenance.get(t, "") for t in names}
    base_text = f"the last {unit} before the event" if not cfg.index_date else str(base.date())
    b.sections.append(
        {
            "id": "prices",
            "title": "Price paths",
            "text": f"{what} of the studied firms and the market indices, indexed to 100 on {base_text}."
            + "".join(f" {_not_indexed(closes[t], t, base)}" for t in missing),
            "figures": [price_fig],
            "tables": [],
        }
    )


def _sessions(cfg: ResolvedConfig) -> str:
    """Say what relative days count: each firm's rows, or sessions (of a calendar named when not New York's)."""
    if cfg.calendar == "rows":
        return "relative rows of each firm"
    return "relative sessions" if cfg.calendar == "XNYS" else f"relative sessions of the {cfg.calendar} calendar"


def _rows_text(res: EventStudyResults) -> str:
    """Say what a relative day and a return are when the rows are weekly or monthly ("" for daily data)."""
    spacing = row_spacing(res)
    if spacing is None:
        return ""
    return (
        f" The {'returns' if res.config.returns_data else 'prices'} are dated a median of {spacing:.3g} days apart: "
        "each relative day is one row of the data, and "
        "each return runs from the row before, so the event day's return is that of the period ending on it."
    )


def _days(cfg: ResolvedConfig, convention: Convention) -> dict[str, str]:
    """Return the conventions list's ``days`` where the study's calendar says more than the profile's words."""
    if cfg.calendar == "rows":  # each series' own rows, whatever the profile counts
        return {"days": OwnRows().describe()}
    if isinstance(convention.days, ExchangeSessions):  # an exchange's sessions, named by the study's calendar
        return {"days": f"relative days count the sessions of the {cfg.calendar} exchange calendar"}
    return {}


def _not_indexed(series: pd.Series, name: str, base: pd.Timestamp) -> str:
    """Say why ``name`` is left out of a chart indexed on ``base``: where its closes are, if anywhere."""
    held = held_span(series)
    if not held:
        return f"{name} is not shown: the data hold no closes for it."
    return f"{name} is not shown: it has no close on {base.date()} (its closes run {held})."


def firm_section(b: ReportBuilder) -> None:
    """Per firm-event statistics, their adjusted p-values, and the AR and CAR figures."""
    cfg, res = b.config, b.results
    ft = firm_table(res)
    b.add_table("firms", ft)
    adjusted = adjusted_pvalues(res)
    b.add_table("pvalues_adjusted", adjusted)
    floors = sq_floors(res)
    w_labels = sorted(res.windows, key=lambda w: (w.length, w.start))
    day0 = Window(0, 0) in w_labels  # then the day-0 AR has its own t and SQ p-values
    header = ["firm", f"{return_word(res.config.returns)} day 0", *([] if day0 else ["AR day 0", "t(AR)"])]
    for w in w_labels:
        header += ["AR day 0" if w == Window(0, 0) else f"CAR{w}", "t", "p (t)", "p (SQ)"]
    slope = _slope(res.params)
    # a model without slopes (constant mean, market-adjusted) gets no beta column, and one that
    # estimates no mean (market-adjusted: alpha is 0 by construction) no alpha column
    alpha = res.model.estimates_mean
    header += [
        *(["alpha"] if alpha else []),
        *([] if slope is None else [slope.replace("beta_", "beta ").replace("_", "-")]),
        "sigma",
    ]
    header += ["estimation window (M)"]
    floor_of = {(r.event_id, r.window): r.floor for r in floors.itertuples()}
    at_floor = 0
    rows = []
    label = event_labels(res.events)  # tickers, unless they would be ambiguous
    for _, r in ft.iterrows():
        row = [label[r["event_id"]], fmt_pct(r["ret_0"])]
        if not day0:
            row += [fmt_pct(r["ar_0"]), fmt_num(r["t_ar_0"], 2)]
        for w in w_labels:
            p_sq = r[f"p_sq_{w.label}"]
            floor = floor_of[(r["event_id"], str(w))]
            is_floor = finite(p_sq) and abs(float(p_sq) - floor) < 1e-12
            at_floor += int(is_floor)
            row += [
                fmt_pct(r[f"car_{w.label}"]),
                fmt_num(r[f"t_{w.label}"], 2),
                fmt_p(r[f"p_t_{w.label}"]),
                ("\u2264 " if is_floor else "") + fmt_p(p_sq),
            ]
        row += [
            *([fmt_num(r["alpha"], 5)] if alpha else []),
            *([] if slope is None else [fmt_num(r["beta"], 3)]),
            fmt_num(r["sigma"], 4),
            f"{r['est_start']} to {r['est_end']} ({int(r['n_est'])})" if pd.notna(r["est_start"]) else "n/a",
        ]
        rows.append(row)
    figs = [b.add_figure("event_day_ar", *figures.event_day_ar(res))]
    # a path needs two days: over the event day alone it would repeat the event-day chart as points
    path_days = int(res.ar.index.max()) - cfg.event_window.start + 1
    if path_days > 1:
        figs.append(b.add_figure("car_paths", *figures.car_paths(res)))
    if len(res.event_ids) > 1 and path_days > 1:
        figs.append(
            b.add_figure(
                "caar_path",
                figures.caar_path(res),
                "Average cumulative abnormal return across firm-events, with its 95% band (cross-sectional "
                "standard error, t(N - 1)).",
            )
        )
    b.add_table("ar", res.to_frame())
    b.add_table("params", res.params_table())
    b.add_table("tests", res.tests_table())
    noted = ft[ft["status"] != "ok"]
    name = noted["event_id"].map(label)
    notes = [f"{n}: {st}" for n, st in zip(name.astype(str), noted["status"].astype(str), strict=True)]
    notes_where = "the notes below" if len(notes) <= NOTES_AT_MOST else "the statuses in tables/params.csv"
    if len(notes) > NOTES_AT_MOST:  # a list of hundreds of lines hides what it says: count them instead
        out = noted["status"].str.startswith("excluded")
        notes = [
            f"{_count(int(k.sum()), 'firm-event', 'firm-events')} {what} (first: {', '.join(name[k].astype(str)[:3])})"
            for k, what in ((out, "left out"), (~out, "used with a note"))
            if k.any()
        ] + ["tables/params.csv gives every firm-event's status."]
    # an event dated on a day the exchange was closed is measured from the next session
    moved = res.events[
        res.events["event_session"].notna()
        & (res.events["event_date"].astype(str) != res.events["event_session"].astype(str))
    ]
    moved_dates = dict(zip(moved["event_date"].astype(str), moved["event_session"].astype(str), strict=True))
    overlapped = int(ft["status"].str.contains(ESTIMATION_OVERLAP, regex=False).sum())
    skipped = int(ft["status"].str.contains(ESTIMATION_SKIP, regex=False).sum())
    sharing = int(ft["status"].str.contains(SHARED_EVENT_WINDOW, regex=False).sum())
    holm_t = adjusted[(adjusted["test"] == "t")]
    n_tests = int(holm_t["p_value"].notna().sum())
    # an SQ test needs estimation-window sums as long as its window: a window longer than that has none
    n_sq = int(adjusted.loc[adjusted["test"] == "sq", "p_value"].notna().sum())
    kept = int((holm_t["p_holm"] < 0.05).sum())
    raw = int((holm_t["p_value"] < 0.05).sum())
    m_max = int(res.events["n_est"].max())
    # without a [0,0] window the day-0 AR's t stands beside the CAR tests but is not one of the family counted
    test = "t-test" if day0 else "CAR t-test"
    if n_sq == n_tests:
        sq_count = " and as many SQ tests"
    elif n_sq:
        sq_count = (
            f" and {_count(n_sq, 'SQ test', 'SQ tests')} (an SQ test needs estimation-window sums as long as its "
            "window, and the estimation window holds none for the others, marked n/a)"
        )
    else:
        sq_count = " and no SQ test: the estimation window holds no sum as long as the windows, so p (SQ) is n/a"
    paragraphs = [
        f"The table holds {_count(n_tests, test, test + 's')}"
        + ("" if day0 else " (the t of the day-0 AR beside them is not one of this family)")
        + sq_count
        + ". "
        + (
            f"Taken one at a time, {_count(raw, test + ' rejects', test + 's reject')} at 5%; with Holm's "
            f"adjustment for the whole family, {kept} {'does' if kept == 1 else 'do'}"
            if raw
            else f"No {test} rejects at 5%, even taken one at a time"
        )
        + " (tables/pvalues_adjusted.csv has Holm and Benjamini-Hochberg p-values for every test).",
    ]
    if n_sq:
        # the floor of the shortest window the table shows: M - L + 1 sums of its length L
        shortest = min(res.windows, key=lambda w: w.length)
        paragraphs.append(
            f"The SQ p-value cannot fall below 2/(N + 1), N the number of same-length sums in the estimation window "
            f"(for {'one day' if shortest.length == 1 else shortest} and M = {m_max}: "
            f"{2 / (m_max - shortest.length + 2):.4f}); a p-value marked \u2264 sits at that floor: the CAR lies "
            "beyond every estimation-window sum, and a longer estimation window would be needed to say how far."
            + (f" {at_floor} of the SQ p-values {'sits' if at_floor == 1 else 'sit'} at the floor." if at_floor else "")
        )
    if moved_dates:
        paragraphs.append(
            f"{_count(len(moved_dates), 'event date falls', 'event dates fall')} on "
            + ("a day" if len(moved_dates) == 1 else "days")
            + (f" the exchange ({cfg.calendar}) was closed" if cfg.calendar != "rows" else " without a price")
            + f", so {'its' if len(moved_dates) == 1 else 'their'} day 0 is the next session: "
            + ", ".join(f"{d} to {s}" for d, s in sorted(moved_dates.items()))
            + f" ({_count(len(moved), 'firm-event', 'firm-events')})."
        )
    # A model that estimates no mean (market-adjusted) takes only sigma from the estimation window.
    estimates = res.model.estimates_mean
    fit = "fit" if estimates else "sigma"
    if overlapped:
        one = overlapped == 1
        pulled = f"pulling {'its t-statistics' if one else 'their t-statistics'} towards zero"
        effect = (
            f"enter the fitted model: a large move there widens sigma, {pulled}, and can shift the fitted normal return"
            if estimates
            else f"enter sigma (the model estimates nothing else): a large move there widens it, {pulled}"
        )
        paragraphs.append(
            f"{overlapped} of the {len(ft)} firm-events {'holds' if one else 'hold'} another event of the same firm "
            f"in {'its' if one else 'their'} estimation window {cfg.estimation} ({notes_where} name "
            f"{'it' if one else 'them'}). The other event's abnormal returns {effect}. An estimation window that ends "
            'before the firm\'s earlier event, or one event per firm, avoids it (or estimation_overlap = "skip", which '
            f"leaves the other event's window out of the {fit})."
        )
    if skipped:
        one = skipped == 1
        whose = "its" if one else "each one's"
        paragraphs.append(
            f"{skipped} of the {len(ft)} firm-events had another event of the same firm in "
            f"{'its' if one else 'their'} estimation window {cfg.estimation}; as the study asks "
            '(estimation_overlap = "skip"), the other event\'s window was left out of '
            f"{whose} {fit}, so its M counts only the remaining days ({notes_where} "
            f"say how many returns {'it' if one else 'each'} lost)."
        )
    if sharing:
        paragraphs.append(
            f"{sharing} of the {len(ft)} firm-events share sessions of their event window {cfg.event_window} with "
            f"another event of the same firm ({notes_where} name them): both CARs count the abnormal returns of "
            "those sessions, so such firm-events are not independent observations, and averages and tests over "
            "all firm-events count those returns twice."
        )
    tables = [b.show("firms", f"Abnormal returns per firm ({res.model.name} model)", header, rows)]
    if len(adjusted) // 2 <= 60:
        t_part = adjusted[adjusted["test"] == "t"].reset_index(drop=True)
        sq_part = adjusted[adjusted["test"] == "sq"].reset_index(drop=True)
        adj_rows = [
            [
                label[t["event_id"]],
                str(t["window"]),
                fmt_p(t["p_value"]),
                fmt_p(t["p_holm"]),
                fmt_p(t["p_bh"]),
                fmt_p(q["p_value"]),
                fmt_p(q["p_holm"]),
                fmt_p(q["p_bh"]),
            ]
            for (_, t), (_, q) in zip(t_part.iterrows(), sq_part.iterrows(), strict=True)
        ]
        tables.append(
            {
                **html_table(["firm", "window", "p (t)", "Holm", "BH", "p (SQ)", "Holm", "BH"], adj_rows),
                "caption": "p-values adjusted for multiple testing (each test's family: every firm-event and window)",
            }
        )
    b.sections.append(
        {
            "id": "firms",
            "title": "Abnormal returns per firm",
            "text": (
                f"{res.model.description[:1].upper() + res.model.description[1:]}, "
                f"{'fitted on' if estimates else 'with sigma estimated on'} the estimation window "
                f"{cfg.estimation} ({_sessions(cfg)}, "
                f"both ends inclusive).{_rows_text(res)} {_t_text(res)} The SQ p-value (Gelbach, "
                "Helland and Klick 2013) ranks the CAR among all same-length sums of estimation-window abnormal "
                "returns, without assuming normality."
            ),
            "paragraphs": paragraphs,
            "figures": figs,
            "tables": tables,
            "notes": notes,
            "sources": [
                "tables/firms.csv",
                "tables/pvalues_adjusted.csv",
                "tables/ar.csv",
                "tables/params.csv",
                "tables/tests.csv",
            ],
        }
    )
    headline = []
    for _, r in ft.iterrows():
        item = {
            "ticker": r["ticker"],
            "status": r["status"],
            "return_day0": r["ret_0"],
            "ar_day0": r["ar_0"],
            "t_ar_day0": r["t_ar_0"],
        }
        for w in w_labels:
            item[f"car{w}"] = r[f"car_{w.label}"]
            item[f"t{w}"] = r[f"t_{w.label}"]
            item[f"p_t{w}"] = r[f"p_t_{w.label}"]
            item[f"p_sq{w}"] = r[f"p_sq_{w.label}"]
        headline.append(item)
    b.data["headline"] = headline


def _no_close(rows: pd.DataFrame) -> str:
    """Say which firms lack a close as traded on the event day or the session before, and on which day."""
    gaps = [f"{r['ticker']} on {str(r['shares_note']).removeprefix(NO_CLOSE).strip()}" for _, r in rows.iterrows()]
    return (
        f"The data have no close as traded for {word_list(gaps)} (returns come from the adjusted close, which they "
        f"do have), so {'its' if len(gaps) == 1 else 'their'} market value is not computed."
    )


def dollar_section(b: ReportBuilder) -> None:
    """Market value moved on the event day and its abnormal part, with the AR's interval and the models' range."""
    cfg, res = b.config, b.results
    dollars = res.dollar_impact()
    counted = dollars[dollars["shares"].notna()]
    # returns chained into an index give exact returns but no price level to multiply by shares
    levelless = dollars["shares_note"] == NO_PRICE_LEVEL
    closeless = dollars["shares_note"].astype(str).str.startswith(NO_CLOSE)
    if counted.empty:
        held = (
            f"neither the study's share file ({Path(cfg.shares).name}) nor the bundled counts hold a share count"
            if cfg.shares
            else "the bundled counts hold no share count"
        )
        text = (
            "Not computed: the study's data are returns, chained into an index whose level is not a price, so no "
            "market value can be taken from them. Prices instead of returns give dollar figures for the firms with a "
            "share count."
            if levelless.any()
            else f"Not computed. {_no_close(dollars[closeless])}"
            if closeless.any()
            else f"Not computed: {held} for any firm of the study. A CSV of "
            "ticker,as_of_date,shares, named as shares in the study file's [data] section, adds them."
        )
        b.sections.append({"id": "dollars", "title": "Dollar impact", "text": text})
        return
    missing = dollars[dollars["shares"].isna() & ~levelless & ~closeless]
    spread = model_range(b)
    dtab = dollars.reset_index()
    if not spread.empty:
        dtab = dtab.join(spread, on="event_id")
    b.add_table("dollar_impact", dtab)
    notes = dict(cfg.share_notes)
    # a firm with several events is named by each event's id
    names = dtab["event_id"] if dtab["ticker"].duplicated().any() else dtab["ticker"]
    dtab = dtab.assign(name=names.astype(str))
    dollar_rows = []
    for _, r in dtab[dtab["shares"].notna()].iterrows():
        half = (r["abnormal_high"] - r["abnormal_low"]) / 2
        across = (
            f"{fmt_bn_rounded(r['model_low'], half)} to {fmt_bn_rounded(r['model_high'], half)}"
            if "model_low" in dtab.columns and finite(r.get("model_low"))
            else "n/a"
        )
        dollar_rows.append(
            [
                r["name"],
                fmt_bn(r["mv_prev"]),
                fmt_bn(r["mv"]),
                fmt_bn(r["mv_change"]),
                f"{fmt_bn_rounded(r['abnormal_change'], half)} ({fmt_bn_rounded(r['abnormal_low'], half)} to "
                f"{fmt_bn_rounded(r['abnormal_high'], half)})",
                across,
                str(r["shares_note"]) + (f"; {notes[str(r['ticker'])]}" if str(r["ticker"]) in notes else ""),
            ]
        )
    paragraphs = []
    if not missing.empty:
        who = (
            ", ".join(sorted(set(missing["ticker"].astype(str))))
            if missing["ticker"].nunique() <= 12
            else f"{len(missing)} of the {len(dollars)} firm-events (tables/dollar_impact.csv lists them)"
        )
        paragraphs.append(
            f"No share count is {'given or ' if cfg.shares else ''}bundled for {who}, so "
            f"{'its' if missing['ticker'].nunique() == 1 else 'their'} market value is not computed."
        )
    if closeless.any():
        paragraphs.append(_no_close(dollars[closeless]))
    if levelless.any():
        paragraphs.append(
            f"The data of {', '.join(sorted(set(dollars.loc[levelless, 'ticker'].astype(str))))} are returns, chained "
            "into an index whose level is not a price, so their market value is not computed."
        )
    jumps = split_like_jumps(share_table(cfg.shares))
    jumps = jumps[jumps["ticker"].isin(set(counted["ticker"].astype(str)))]
    if not jumps.empty:
        paragraphs.append(
            "; ".join(describe_jump(r) for _, r in jumps.iterrows())
            + ", as a split would make it. The closes are on one split basis, so a count from the other side of a "
            "split gives a market value off by the split's factor: check that the counts share the closes' basis."
        )
    # a log AR is not a share of value: its abnormal part multiplies the abnormal simple return
    abnormal = "abnormal simple return" if cfg.returns == "log" else "AR"
    figs = []
    if not counted.empty:
        figs.append(
            b.add_figure(
                "dollar_impact",
                figures.dollar_bars(dtab[dtab["shares"].notna()], "name", abnormal),
                "Change in market value on the event day (shares x change in close) and its abnormal part "
                f"({abnormal} x prior market value), US$ billion; the abnormal part rounded to what its 95% interval "
                "supports.",
            )
        )
    models = ", ".join(str(m) for m in spread.attrs.get("models", []))
    latest = "count in the study's share file, else the bundled count," if cfg.shares else "bundled count"
    part = (
        "the simple return less the simple normal return, exp(r) - exp(r - AR) of the log return r,"
        if cfg.returns == "log"
        else "the AR"
    )
    b.sections.append(
        {
            "id": "dollars",
            "title": "Dollar impact",
            "text": (
                f"Market value is the close as the data give it (Yahoo's is adjusted for splits, not dividends) times "
                f"shares outstanding on the same split basis (the latest {latest} dated on or before the event; a "
                "later count only where none precedes it, as the last column says). The change "
                f"is measured; its abnormal part is {part} times the prior market value, so it carries the AR's "
                "uncertainty: the brackets give the 95% interval from the AR's standard error, and the next column "
                f"the range of the abnormal part across normal-return models ({models or 'not computed'}). "
                "Abnormal figures are rounded to what that interval supports."
            ),
            "paragraphs": paragraphs,
            "figures": figs,
            "tables": [
                html_table(
                    [
                        "firm",
                        "value before",
                        "value after",
                        "change",
                        "abnormal part (95% interval)",
                        "abnormal part across models",
                        "shares used",
                    ],
                    dollar_rows,
                )
            ],
            "sources": ["tables/dollar_impact.csv"],
        }
    )
    for item in b.data.get("headline", []):
        row = dtab[(dtab["ticker"] == item["ticker"]) & dtab["shares"].notna()]
        if not row.empty:
            r = row.iloc[0]
            item["mv_change_usd"] = r["mv_change"]
            item["abnormal_mv_change_usd"] = r["abnormal_change"]
            item["abnormal_mv_change_low_usd"] = r["abnormal_low"]
            item["abnormal_mv_change_high_usd"] = r["abnormal_high"]


def _t_text(res: EventStudyResults) -> str:
    return (
        f"t-statistics are CAR / sqrt(Var(CAR)) with t(M-k) p-values, where "
        f"{res.convention.variance.describe(res.model.n_params, len(res.model.regressors))} "
        f"({res.convention.name} convention)."
    )


def claims_section(b: ReportBuilder) -> None:
    """Every reported figure beside the computed one, graded, with the distance to the rule."""
    from eventstudy.claims import RULE_TEXT, claims_notes, claims_path, load_claims, summary_line, verify

    if not b.config.claims:
        return
    path = claims_path(b.config, b.base_dir)
    table = verify(load_claims(path), b.source, b.config.shares)
    b.add_table("claims", table)
    numeric = table[table["unit"].isin(["percent", "USD bn"]) & table["computed"].notna()].copy()
    numeric["reported"] = pd.to_numeric(numeric["reported"], errors="coerce")
    numeric = numeric.dropna(subset=["reported"])
    numeric = numeric[numeric["span_days"].fillna(0) <= 31]  # long-period claims would swamp the daily moves
    fig = b.add_figure(
        "claims",
        figures.claims_chart(numeric),
        "Bars: computed from the data, coloured by grade; diamonds: the figure the article reported. Labels: claim, "
        "outlet, what it is about.",
    )
    findings = []
    for _, r in table[table["verdict"].isin(["close", "contradicted"])].iterrows():
        # A market value is graded as a band: the share count's uncertainty narrows the gap.
        counted = " once the share count's uncertainty is allowed for" if r["unit"] == "USD bn" else ""
        gap = (
            f"; outside the rule by {_gap_text(r['gap'], r['unit'])}{counted}"
            if finite(r["gap"]) and r["gap"] > 0
            else ""
        )
        allowed = f" (the rule allowed {r['allowed']})" if r["allowed"] else ""
        implied = f"; {r['implied']}" if r["implied"] else ""
        findings.append(
            f"{r['id']} ({r['outlet']}), {r['verdict']}: \u201c{r['quote']}\u201d \u2014 reported {r['reported']}"
            f"{(' ' + r['unit']) if r['unit'] else ''}, computed {r['computed_text']}{allowed}{gap}{implied}."
        )
    gate_failures = table[~table["gate_passes"]]
    rows = []
    classes = []
    for _, r in table.iterrows():
        rows.append(
            [
                r["id"],
                r["outlet"],
                r["quote"],
                r["series"],
                r["reported"] + (f" {r['unit']}" if r["unit"] else ""),
                r["qualifier"],
                r["computed_text"] or "\u2014",
                r["verdict"] + (f" (gate: {r['gate']})" if r["gate"] else ""),
                _gap_text(r["gap"], r["unit"]) if finite(r["gap"]) else "",
                r["allowed"],
                r["rule"] + (f"; {r['implied']}" if r["implied"] else ""),
            ]
        )
        classes.append("verdict-" + str(r["verdict"]).replace(" ", "-"))
    rules = [f"{v}" for v in RULE_TEXT.values()]
    b.sections.append(
        {
            "id": "claims",
            "title": "Reported vs computed",
            "text": (
                f"The market figures the claims file ({path.name}) takes from its articles, each graded by rules "
                "fixed before looking at the data. "
                f"{summary_line(table)} A gated claim fails the CI check if it falls below the grade its claims-file "
                f"row declares"
                + (f"; failing now: {', '.join(gate_failures['id'])}." if len(gate_failures) else "; none fails now.")
            ),
            "paragraphs": [
                *(["Claims that are close or contradicted are findings:", *findings] if findings else []),
                "Rules: " + "; ".join(rules) + ".",
                *claims_notes(path),
            ],
            "figures": [fig],
            "tables": [
                {
                    **html_table(
                        [
                            "id",
                            "outlet",
                            "quote",
                            "series",
                            "reported",
                            "qualifier",
                            "computed",
                            "grade",
                            "gap",
                            "rule allowed",
                            "why",
                        ],
                        rows,
                    ),
                    "row_classes": classes,
                    "text_cols": [1, 2, 5, 10],
                }
            ],
            "sources": ["tables/claims.csv"],
        }
    )


def _gap_text(gap: float, unit: str) -> str:
    """Return a claim's distance to its rule in the claim's unit."""
    return f"${gap:,.2f}bn" if unit == "USD bn" else f"{gap:.2f} percentage points"


def _default_sections() -> list[Section]:
    return [
        price_section,
        firm_section,
        dollar_section,
        claims_section,
        aggregate_section,
        groups_section,
        robustness_section,
        sector_section,
        explain_section,
        volume_section,
    ]


def build_report(
    config: StudyConfig | ResolvedConfig,
    out: Path | str,
    *,
    source: Source | None = None,
    sections: list[Section] | None = None,
    base_dir: Path | None = None,
    offline: bool = False,
    force: bool = False,
) -> Path:
    """Run ``config`` and write its report into ``out``.

    Parameters
    ----------
    config
        The study.
    out
        Output folder (created; files replaced atomically).
    source
        Price source (default: the one the config names).
    sections
        Section builders to run, in order (default: every section the package has).
    base_dir
        Folder of the study file, against which its relative paths are resolved.
    offline
        Never touch the network (a Yahoo study reads the on-disk cache only).
    force
        Write into an existing folder that eventstudy did not write (its other files are
        kept); otherwise such a folder is refused. An earlier report is replaced whole.

    Returns
    -------
    pathlib.Path
        The output folder.
    """
    if config.measure != "returns":
        # Every section speaks of returns, prices and market values; a volume study has its own tables.
        raise ConfigError(
            f"measure={config.measure!r}: the report is written for abnormal returns (with a section on each firm's "
            "abnormal volume too); drop measure from the study for that report, or get the abnormal-volume tables "
            "with `eventstudy run --config STUDY.toml --out DIR` or the API."
        )
    window = config.event_window
    if not window.start <= 0 <= window.end:
        # the headline, the firm table, the dollar figures and the charts all describe the event day itself
        fits = Window(min(window.start, 0), max(window.end, 0))
        raise ConfigError(
            f"event_window='{window.start}:{window.end}': the report describes the event day (day 0), which this "
            f'window leaves out; use event_window = "{fits.start}:{fits.end}" and keep these days as a CAR window '
            f'(car_windows = ["{window.start}:{window.end}"]), or get their tables alone with `eventstudy run '
            "--config STUDY.toml --out DIR` or the API."
        )
    src = source if source is not None else make_source(config, offline=offline)
    res = EventStudy(config, src).fit()
    config = res.config  # every choice explicit from here on
    if not np.isfinite(res.ar.loc[0].to_numpy(dtype=float)).any():
        # every section describes day 0; with no abnormal return that day there is nothing to report on
        sessions = sorted({str(d) for d in res.events["event_session"].dropna().astype(str)})
        raise NoUsableEventsError(
            f"no firm-event has an abnormal return on its event day ({first_of(sessions, 3)}): the prices have no "
            "close there, or the firm-events were left out (tables of `eventstudy run "
            "--config STUDY.toml --out DIR` give each status); if the prices come from another exchange than "
            f"calendar={config.calendar!r}, choose that exchange's calendar."
        )
    builder = ReportBuilder(config, res, src, base_dir)
    import matplotlib

    steps = list(sections if sections is not None else _default_sections())
    # Names and tickers are text, never TeX: "$...$" in a ticker must not be parsed as maths.
    shown = show_progress(len(res.event_ids), threshold=REPORT_PROGRESS_FIRMS)
    with (
        matplotlib.rc_context({"text.parse_math": False}),
        progress_bar(len(steps), shown, unit="section", desc="report") as bar,
    ):
        for section in steps:
            bar.set_postfix_str(getattr(section, "__name__", "").removesuffix("_section"))  # the section under way
            try:
                section(builder)
            except UnknownTickerError as exc:  # a report option named it: say which, so it can be fixed there
                option = _report_option_of(config, exc.ticker)
                if option is None:
                    raise
                raise ConfigError(f"[report] {option} names {exc.ticker!r}: {exc}") from None
            bar.update(1)
    for number, s in enumerate(builder.sections, start=1):
        s["title"] = f"{number}. {s['title']}"
    summary = {
        "study": config.name,
        "title": config.title,
        "config": config.to_dict(),
        "conventions": {
            "profile": res.convention.name,
            "description": res.convention.description,
            **dict(res.convention.as_rows(res.model.n_params, len(res.model.regressors))),
            **_days(config, res.convention),
            # The study's own choices, where the profile only gives defaults.
            "returns": f"{config.returns} returns",
            "estimation": f"estimation window {config.estimation}"
            + (
                ""
                if config.estimation == Window.parse(res.convention.estimation)
                else f" (the profile's default is {Window.parse(res.convention.estimation)})"
            ),
            "model": res.model.description,
            "sigma": "SSR / (M - k)",
            "t_distribution": "t(M - k)",
            "sq_test": "Gelbach, Helland and Klick (2013), rank p-value (k+1)/(N+1)",
        },
        "versions": record_versions(),
        **builder.data,
    }
    builder.files["results.json"] = (json.dumps(json_safe(summary), indent=2, sort_keys=False) + "\n").encode()
    for name, (caption, header, rows) in builder.shown.items():
        frame = pd.DataFrame(rows, columns=header)
        builder.files[f"tables/{name}.tex"] = latex_table(frame, caption, f"tab:{name}").encode()
    sheets = ("firms", "pvalues_adjusted", "tests", "aggregate_tests", "dollar_impact", "robustness")
    workbook = {n: builder.frames[n] for n in sheets if n in builder.frames}
    if workbook:  # a report of only some sections may have none of these tables; Excel needs one sheet
        builder.files["tables/tables.xlsx"] = excel_workbook(workbook)
    env = Environment(
        loader=PackageLoader("eventstudy.report", "templates"),
        autoescape=select_autoescape(["html.j2"], default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_text
    env.filters["md_cell"] = md_cell
    context = {
        "config": config,
        "config_echo": json.dumps(json_safe(config.to_dict()), indent=2),
        "sections": builder.sections,
        "conventions": summary["conventions"],
        "versions": summary["versions"],
        "provenance": builder.data.get("provenance", {}),
        "headline": _headline_sentence(builder.data.get("headline", []), res),
    }
    builder.files["index.html"] = env.get_template("report.html.j2").render(**context).encode()
    builder.files["report.md"] = env.get_template("report.md.j2").render(**context).encode()
    out = Path(out)
    inputs, protected = config.input_files, [data_root()]
    with staged_directory(out, force=force, inputs=inputs, protected=protected, option="out") as stage:
        for rel, payload in sorted(builder.files.items()):
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(payload)
    return out


def md_text(value: object) -> str:
    """Return text for Markdown with every ``<`` that could open a tag escaped, so no HTML passes through.

    Examples
    --------
    >>> md_text("<script>x</script> S&P, N < 30, 1 -> 3")
    '&lt;script>x&lt;/script> S&P, N < 30, 1 -> 3'
    """
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", str(value))


def md_cell(value: object) -> str:
    r"""Return text for a Markdown table cell: as :func:`md_text`, with pipes and line breaks escaped.

    Examples
    --------
    >>> print(md_cell("A|B"))
    A\|B
    """
    return md_text(value).replace("|", "\\|").replace("\n", " ")


REPORT_PROGRESS_FIRMS = 100
"""From this many firm-events on, a report written on a terminal shows which section it is on (refits take a while)."""


HEADLINE_FIRMS = 5
"""Most firms on one date whose report opens on the first firm's move; more open on their average."""


def _report_option_of(config: ResolvedConfig, ticker: str) -> str | None:
    """Name the report option that asks for ``ticker``, if one does."""
    if ticker in config.context_tickers:
        return "context_tickers"
    if ticker in dict(config.exposures).values():
        return "exposures"
    return None


def _headline_sentence(items: list[dict[str, Any]], res: EventStudyResults) -> str:
    if not items:
        return ""
    cfg = res.config
    model = f"the {res.model.name.replace('_', '-')} model"
    daily = row_spacing(res) is None  # else a weekly or monthly row's return, that of the period to its date
    if res.model.estimates_mean:
        days = "each firm's rows" if day_unit(res) == "row" else "sessions"
        model += f" estimated over {days} {cfg.estimation}"
    ok = res.events["status"].str.startswith("ok")
    sessions = res.events.loc[ok, "event_session"]
    n_dates = int(sessions.nunique())
    aar = float(res.aggregate_estimates.loc[Window(0, 0), "mean"]) if 0 in res.ar.index else float("nan")
    log = cfg.returns == "log"
    abnormal = f"abnormal {return_word(cfg.returns)}"
    if n_dates > 1 or int(ok.sum()) > HEADLINE_FIRMS:
        when = f"{n_dates} dates" if n_dates > 1 else str(sessions.iloc[0])
        return (
            f"Over {int(ok.sum())} firm-events on {when}, the average {abnormal} "
            f"{'on the event day' if daily else 'in the event period'} against {model} was {fmt_pct(aar)}."
        )
    # the first firm is the study's focus; one left out (its own market, say) has no move to lead with
    top = next((item for item in items if str(item.get("status", "ok")).startswith("ok")), None)
    if top is None:
        return ""
    day = res.events["event_session"].iloc[0]
    # a log return is said as the price change it stands for, with the log figure beside it
    moved = (
        f"{fmt_pct(math.expm1(top['return_day0']))} (log return {fmt_pct(top['return_day0'])})"
        if log
        else fmt_pct(top["return_day0"])
    )
    on = "on" if daily else "in the period to"
    text = (
        f"{top['ticker']} returned {moved} {on} {day}; its {abnormal} against {model} "
        f"was {fmt_pct(top['ar_day0'])} (t = {fmt_num(top['t_ar_day0'], 2)})"
    )
    if "mv_change_usd" in top:
        low, high = top["abnormal_mv_change_low_usd"], top["abnormal_mv_change_high_usd"]
        half = (high - low) / 2
        interval = f"95% interval {fmt_bn_rounded(low, half)} to {fmt_bn_rounded(high, half)}"
        text += f", a market value change of {fmt_bn(top['mv_change_usd'])}, " + (
            f"of which about {fmt_bn_rounded(top['abnormal_mv_change_usd'], half)} abnormal ({interval})"
            if low > 0 or high < 0
            # an interval across zero does not tell the abnormal part from none
            else f"whose abnormal part cannot be told from zero ({interval})"
        )
    text += "."
    if int(ok.sum()) > 1:  # the first firm is the study's focus, not the whole of it
        that = "that day" if daily else "in that period"
        text += f" Across the {int(ok.sum())} firms, the average {abnormal} {that} was {fmt_pct(aar)}."
    return text
