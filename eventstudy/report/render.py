"""Build a study's report folder: figures, tables, results.json, report.md and index.html.

The folder is written through a staging directory, so a failure leaves the previous
report untouched. The same data and configuration give byte-identical files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from eventstudy._io import staged_directory
from eventstudy._meta import json_safe, record_versions
from eventstudy.config import StudyConfig
from eventstudy.data.sources import Source
from eventstudy.report import figures
from eventstudy.report.builder import ReportBuilder, Section, html_table
from eventstudy.report.format import finite, fmt_bn, fmt_num, fmt_p, fmt_pct
from eventstudy.report.robustness import aggregate_section, robustness_section
from eventstudy.report.sectors import sector_section
from eventstudy.resolved import ResolvedConfig
from eventstudy.results import EventStudyResults
from eventstudy.study import EventStudy, make_source
from eventstudy.windows import Window


def firm_table(res: EventStudyResults) -> pd.DataFrame:
    """One row per firm-event: raw return, AR, CARs with t, t p-value and SQ p-value, parameters."""
    rows = []
    events, window_table, ret, ar, ar_var = res.events, res.window_table, res.ret, res.ar, res.ar_var
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
                "alpha": res.params.loc[eid, "alpha"],
                "beta": res.params.loc[eid, "beta"] if "beta" in res.params.columns else np.nan,
                "sigma": res.params.loc[eid, "sigma"],
                "est_start": ev["est_start"],
                "est_end": ev["est_end"],
                "n_est": ev["n_est"],
                "status": ev["status"],
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _t_text(res: EventStudyResults) -> str:
    return (
        f"t-statistics are CAR / sqrt(Var(CAR)) with t(M-k) p-values, where "
        f"{res.convention.variance.describe(res.model.n_params)} ({res.convention.name} convention)."
    )


def core_sections(b: ReportBuilder) -> None:
    """Sections 1-3: price paths, per-firm statistics and dollar impact."""
    cfg, res = b.config, b.results
    event = pd.Timestamp(res.events["event_session"].iloc[0])
    markets = list(dict.fromkeys([*cfg.markets, *cfg.context_tickers]))
    names = list(dict.fromkeys([*cfg.tickers, *markets]))
    panel = b.source.load(names)
    closes = panel.adj_close
    base = pd.Timestamp(cfg.index_date) if cfg.index_date else closes.index[closes.index < event][-1]
    pos = closes.index.get_loc(event)
    window = closes.iloc[max(0, pos - 15) : pos + 16]
    window = window.loc[:, window.loc[base].notna()]
    fig = figures.price_paths(
        window, base, event, markets, f"Prices around {event.date()}, indexed to 100 on {base.date()}"
    )
    price_fig = b.add_figure(
        "price_paths",
        fig,
        f"Adjusted closes indexed to 100 on {base.date()}; dotted line: event session {event.date()}; dashed: indices.",
    )
    index_table = (window.div(window.loc[base]) * 100).reset_index()
    index_table["date"] = index_table["date"].dt.strftime("%Y-%m-%d")
    b.add_table("price_index", index_table)
    b.data["provenance"] = {t: panel.provenance.get(t, "") for t in names}

    ft = firm_table(res)
    b.add_table("firms", ft)
    w_labels = sorted(res.windows, key=lambda w: (w.length, w.start))
    day0 = Window(0, 0) in w_labels  # then the day-0 AR has its own t and SQ p-values
    header = ["firm", "return day 0", *([] if day0 else ["AR day 0", "t(AR)"])]
    for w in w_labels:
        header += ["AR day 0" if w == Window(0, 0) else f"CAR{w}", "t", "p (t)", "p (SQ)"]
    header += ["alpha", "beta", "sigma", "estimation window (M)"]
    rows = []
    for _, r in ft.iterrows():
        row = [str(r["ticker"]), fmt_pct(r["ret_0"])]
        if not day0:
            row += [fmt_pct(r["ar_0"]), fmt_num(r["t_ar_0"], 2)]
        for w in w_labels:
            row += [
                fmt_pct(r[f"car_{w.label}"]),
                fmt_num(r[f"t_{w.label}"], 2),
                fmt_p(r[f"p_t_{w.label}"]),
                fmt_p(r[f"p_sq_{w.label}"]),
            ]
        row += [
            fmt_num(r["alpha"], 5),
            fmt_num(r["beta"], 3),
            fmt_num(r["sigma"], 4),
            f"{r['est_start']} to {r['est_end']} ({int(r['n_est'])})",
        ]
        rows.append(row)
    ar_fig = b.add_figure(
        "event_day_ar",
        figures.event_day_ar(res),
        "Raw return and market-model abnormal return on the event day; bars show the AR's 95% prediction interval.",
    )
    car_fig = b.add_figure(
        "car_paths",
        figures.car_paths(res),
        f"Cumulative abnormal returns from the first day of the event window {cfg.event_window}; grey band: event window.",
    )
    b.add_table("ar", res.to_frame())
    b.add_table("params", res.params_table())
    b.add_table("tests", res.tests_table())

    dollars = res.dollar_impact()
    dollar_rows = []
    dollar_fig = None
    if not dollars.empty:
        dtab = dollars.reset_index()
        b.add_table("dollar_impact", dtab)
        dollar_fig = b.add_figure(
            "dollar_impact",
            figures.dollar_bars(dtab),
            "Change in market value on the event day (shares x change in close) and its abnormal part (AR x prior market value), US$ billion.",
        )
        for _, r in dtab.iterrows():
            dollar_rows.append(
                [
                    str(r["ticker"]),
                    fmt_bn(r["mv_prev"]),
                    fmt_bn(r["mv"]),
                    fmt_bn(r["mv_change"]),
                    fmt_bn(r["abnormal_change"]),
                    str(r["shares_note"]),
                ]
            )
    notes = [s for s in (f"{r['ticker']}: {r['status']}" for _, r in ft.iterrows() if r["status"] != "ok")]
    b.sections.append(
        {
            "id": "prices",
            "title": "1. Price paths",
            "text": "Adjusted closes of the studied firms and the market indices, indexed to 100 on the last session before the event.",
            "figures": [price_fig],
            "tables": [],
        }
    )
    b.sections.append(
        {
            "id": "firms",
            "title": "2. Abnormal returns per firm",
            "text": (
                f"{res.model.description[:1].upper() + res.model.description[1:]}, fitted on the estimation window {cfg.estimation} "
                f"(relative sessions, both ends inclusive). {_t_text(res)} The SQ p-value (Gelbach, Helland and Klick 2013) ranks the CAR among "
                f"all same-length sums of estimation-window abnormal returns, without assuming normality."
            ),
            "figures": [ar_fig, car_fig],
            "tables": [html_table(header, rows)],
            "notes": notes,
            "sources": ["tables/firms.csv", "tables/ar.csv", "tables/params.csv", "tables/tests.csv"],
        }
    )
    if dollar_rows:
        b.sections.append(
            {
                "id": "dollars",
                "title": "3. Dollar impact",
                "text": "Market value is as-traded close times shares outstanding (latest bundled count dated on or before the event). Alphabet's figure covers the listed class A shares only.",
                "figures": [dollar_fig],
                "tables": [
                    html_table(
                        ["firm", "value before", "value after", "change", "abnormal part", "shares used"], dollar_rows
                    )
                ],
                "sources": ["tables/dollar_impact.csv"],
            }
        )
    headline = []
    for _, r in ft.iterrows():
        item = {
            "ticker": r["ticker"],
            "return_day0": r["ret_0"],
            "ar_day0": r["ar_0"],
            "t_ar_day0": r["t_ar_0"],
        }
        for w in w_labels:
            item[f"car{w}"] = r[f"car_{w.label}"]
            item[f"t{w}"] = r[f"t_{w.label}"]
            item[f"p_t{w}"] = r[f"p_t_{w.label}"]
            item[f"p_sq{w}"] = r[f"p_sq_{w.label}"]
        if not dollars.empty and r["event_id"] in dollars.index:
            item["mv_change_usd"] = dollars.loc[r["event_id"], "mv_change"]
            item["abnormal_mv_change_usd"] = dollars.loc[r["event_id"], "abnormal_change"]
        headline.append(item)
    b.data["headline"] = headline


def claims_section(b: ReportBuilder) -> None:
    """Section 4: every reported figure beside the computed one, with its verdict."""
    from eventstudy.claims import RULE_TEXT, SHARES_UNCERTAINTY, claims_path, load_claims, verify

    if not b.config.claims:
        return
    table = verify(load_claims(claims_path(b.config, b.base_dir)))
    b.add_table("claims", table)
    numeric = table[table["unit"].isin(["percent", "USD bn"]) & table["computed"].notna()].copy()
    numeric["reported"] = pd.to_numeric(numeric["reported"], errors="coerce")
    numeric = numeric.dropna(subset=["reported"])
    numeric = numeric[~numeric["id"].str.startswith("C13")]  # calendar-year gains would swamp the daily moves
    fig = b.add_figure(
        "claims",
        figures.claims_chart(numeric),
        "Bars: computed from the data, coloured by verdict; diamonds: the figure the article reported.",
    )
    counts = table["verdict"].value_counts()
    contradicted = table[table["verdict"] == "contradicted"]
    findings = [
        f"{r['id']} ({r['outlet']}): \u201c{r['quote']}\u201d \u2014 computed {r['computed_text']}. {r['rule']}."
        for _, r in contradicted.iterrows()
    ]
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
                r["verdict"] + (" (gate)" if r["gate"] else ""),
                r["rule"],
            ]
        )
        classes.append("verdict-" + str(r["verdict"]).replace(" ", "-"))
    rules = [f"{k}: {v}" for k, v in RULE_TEXT.items()]
    b.sections.append(
        {
            "id": "claims",
            "title": "4. Reported vs computed",
            "text": (
                f"Every market figure in the source articles ({len(table)} claims): "
                f"{counts.get('supported', 0)} supported, {counts.get('contradicted', 0)} contradicted, "
                f"{counts.get('not checkable', 0)} not checkable with daily data. Gated claims (marked) fail the CI check "
                f"if they stop being supported. Market values use shares outstanding with a +/-{SHARES_UNCERTAINTY:.0%} uncertainty."
            ),
            "paragraphs": ["Contradicted claims are findings:", *findings, "Rules used: " + "; ".join(rules) + "."],
            "figures": [fig],
            "tables": [
                {
                    **html_table(
                        ["id", "outlet", "quote", "series", "reported", "qualifier", "computed", "verdict", "why"], rows
                    ),
                    "row_classes": classes,
                    "text_cols": [1, 2, 5, 8],
                }
            ],
            "sources": ["tables/claims.csv"],
        }
    )


def _default_sections() -> list[Section]:
    return [core_sections, claims_section, aggregate_section, robustness_section, sector_section]


def build_report(
    config: StudyConfig | ResolvedConfig,
    out: Path | str,
    *,
    source: Source | None = None,
    sections: list[Section] | None = None,
    base_dir: Path | None = None,
    offline: bool = False,
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

    Returns
    -------
    pathlib.Path
        The output folder.
    """
    src = source if source is not None else make_source(config, offline=offline)
    res = EventStudy(config, src).fit()
    config = res.config  # every choice explicit from here on
    builder = ReportBuilder(config, res, src, base_dir)
    for section in sections if sections is not None else _default_sections():
        section(builder)
    summary = {
        "study": config.name,
        "title": config.title,
        "config": config.to_dict(),
        "conventions": {
            "profile": res.convention.name,
            "description": res.convention.description,
            **dict(res.convention.as_rows(res.model.n_params)),
            "returns": config.returns,
            "model": res.model.description,
            "sigma": "SSR / (M - k)",
            "t_distribution": "t(M - k)",
            "sq_test": "Gelbach, Helland and Klick (2013), rank p-value (k+1)/(N+1)",
        },
        "versions": record_versions(),
        **builder.data,
    }
    builder.files["results.json"] = (json.dumps(json_safe(summary), indent=2, sort_keys=False) + "\n").encode()
    env = Environment(
        loader=PackageLoader("eventstudy.report", "templates"),
        autoescape=select_autoescape(["html.j2"], default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    context = {
        "config": config,
        "config_echo": json.dumps(json_safe(config.to_dict()), indent=2),
        "sections": builder.sections,
        "conventions": summary["conventions"],
        "versions": summary["versions"],
        "provenance": builder.data.get("provenance", {}),
        "headline": _headline_sentence(builder.data.get("headline", [])),
    }
    builder.files["index.html"] = env.get_template("report.html.j2").render(**context).encode()
    builder.files["report.md"] = env.get_template("report.md.j2").render(**context).encode()
    out = Path(out)
    with staged_directory(out) as stage:
        for rel, payload in sorted(builder.files.items()):
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(payload)
    return out


def _headline_sentence(items: list[dict[str, Any]]) -> str:
    if not items:
        return ""
    top = items[0]
    text = (
        f"{top['ticker']} returned {fmt_pct(top['return_day0'])} on the event day; its abnormal return "
        f"against the market model was {fmt_pct(top['ar_day0'])} (t = {fmt_num(top['t_ar_day0'], 2)})"
    )
    if "mv_change_usd" in top:
        text += (
            f", a market value change of {fmt_bn(top['mv_change_usd'])}, of which "
            f"{fmt_bn(top['abnormal_mv_change_usd'])} abnormal"
        )
    return text + "."
