"""Report sections: what went with larger or smaller abnormal returns (a cross-section of the members), volume and volatility."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.characteristics import RUNUP, exposures
from eventstudy.crosssection import cross_section, portfolio_time_series, standardise
from eventstudy.data.sources import BundledSource
from eventstudy.data.universe import constituents
from eventstudy.errors import ConfigError, EventStudyError
from eventstudy.inference import InvalidTestStatistic, TestStatistic
from eventstudy.report import figures
from eventstudy.report.format import fmt_num, fmt_p, fmt_pct
from eventstudy.results import event_labels
from eventstudy.study import EventStudy
from eventstudy.volatility import GARCH_MIN_OBS, garch_standardised, savickas_test
from eventstudy.windows import Window

if TYPE_CHECKING:
    from eventstudy.report.builder import ReportBuilder

NUMERIC = ("beta_market", "runup", "volatility")
TITLE = "What went with larger or smaller abnormal returns"


def _stated(test: TestStatistic | InvalidTestStatistic) -> str:
    """Write a test as the report's tables do: the statistic to 2 decimals, the p-value as fmt_p writes it."""
    if isinstance(test, InvalidTestStatistic):
        return str(test)
    return f"{fmt_num(test.statistic, 2)} (p = {fmt_p(test.pvalue)}, {test.distribution}; H0: {test.null})"


def _why_no_members(b: ReportBuilder) -> str:
    """Say why the exposures a study names were not measured: the members' cross-section needs one date and the snapshot."""
    cfg = b.config
    reasons = []
    if not isinstance(b.source, BundledSource):
        reasons.append(f"this study reads its prices from {b.source.name}")
    dates = len({e.event_date for e in cfg.events})
    if dates != 1:
        reasons.append(f"it has {dates} event dates")
    if not reasons:
        reasons.append("the members could not be fitted (see where the shock landed)")
    named = ", ".join(f"{name} ({ticker})" for name, ticker in cfg.exposures)
    return (
        f"Not computed: the exposures this study names, {named}, are measured for the bundled S&P 500 members on "
        f"a study's one event date, from the bundled prices; {' and '.join(reasons)}. For the study's own "
        "firm-events, eventstudy xsection --study STUDY.toml --characteristics FILE --formula ... regresses their CARs on "
        "characteristics from a file."
    )


def explain_section(b: ReportBuilder) -> None:
    """Regress every member's event-day AR on pre-event exposures and sector: what went with larger or smaller ARs."""
    fit = b.cache.get("member_fit")
    cfg = b.config
    if fit is None or not isinstance(b.source, BundledSource):
        # The members come from the bundled snapshot, fitted by the sector section on one date.
        if cfg.exposures:
            b.sections.append({"id": "explain", "title": TITLE, "text": _why_no_members(b)})
        return
    members = constituents().set_index("Symbol")
    sectors = members["GICS Sector"].astype(str).to_dict()
    named = dict(cfg.exposures)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an exposure measured on too few days is said below, in the text
        chars = exposures(fit, named, sectors=sectors)
    # a named series with too few returns in the members' estimation windows has no betas to regress on
    unmeasured = [n for n in named if chars[f"beta_{n}"].isna().all()]
    columns = [*NUMERIC[:1], *(f"beta_{n}" for n in named if n not in unmeasured), *NUMERIC[1:]]
    left_out = "".join(
        f" The beta to {n} ({named[n]}) is left out: {named[n]} has fewer than {fit.config.min_estimation_obs} "
        "returns in every member's estimation window."
        for n in unmeasured
    )
    if chars["runup"].isna().all():
        columns.remove("runup")
        left_out += (
            f" The pre-event run-up (sessions {RUNUP[0]} to {RUNUP[1]}) is left out: the study's days begin with its "
            f"estimation window {cfg.estimation}."
        )
    data = standardise(chars, columns).reset_index()
    formula = "ar ~ " + " + ".join(columns) + " + C(sector)"
    day = Window(0, 0)
    try:
        hc3 = cross_section(fit, formula, data, window=day, cov="HC3")
        clustered = cross_section(fit, formula, data, window=day, cov="cluster", groups="sector")
        portfolio = portfolio_time_series(fit, formula, data, window=day)
    except EventStudyError as exc:
        b.sections.append(
            {
                "id": "explain",
                "title": TITLE,
                "text": f"Not computed: {exc}",
            }
        )
        return
    table = pd.DataFrame(
        {
            "coef": hc3.params,
            "se_hc3": hc3.bse,
            "p_hc3": hc3.pvalues,
            "se_cluster": clustered.bse,
            "p_cluster": clustered.pvalues,
            "se_portfolio": portfolio.bse,
            "p_portfolio": portfolio.pvalues,
        }
    )
    b.add_table("xsection", table.reset_index(names="term"))
    b.add_table("exposures", chars.reset_index())
    rows = [
        [
            _label(t),
            f"{fmt_num(table.loc[t, 'coef'] * 100, 2)} pp",
            fmt_p(table.loc[t, "p_hc3"]),
            fmt_p(table.loc[t, "p_cluster"]),
            fmt_p(table.loc[t, "p_portfolio"]),
        ]
        for t in columns
    ]
    coef_fig = b.add_figure(
        "xsection_coefficients",
        figures.coefficient_plot(
            {"HC3": hc3, "portfolio time series": portfolio},
            columns,
            "Event-day AR per standard deviation of exposure",
            [_label(c) for c in columns],
        ),
        "Change in the event-day abnormal return for one standard deviation more of each exposure, with 95% "
        "intervals from HC3 and from the portfolio time series (sector effects held fixed).",
    )
    focus = f"beta_{next(iter(named))}" if named else "beta_market"
    part_fig = b.add_figure(
        "xsection_partial",
        figures.partial_regression(hc3, focus, _label(focus)),
        f"Partial regression: event-day AR against {_label(focus)}, each net of the other exposures and sector.",
    )
    clear = [t for t in columns if table.loc[t, "p_portfolio"] < 0.05]
    findings = [
        f"one standard deviation more of {_label(t)} went with an event-day abnormal return "
        f"{fmt_num(abs(table.loc[t, 'coef']) * 100, 2)} percentage points "
        f"{'lower' if table.loc[t, 'coef'] < 0 else 'higher'}"
        for t in clear
    ]
    said = (
        "With the portfolio standard errors, " + "; ".join(findings) + "."
        if findings
        else "With the portfolio standard errors no exposure has a clear association with the event-day abnormal return."
    )
    b.sections.append(
        {
            "id": "explain",
            "title": TITLE,
            "text": (
                f"The event-day abnormal return of {hc3.nobs} bundled S&P 500 members regressed on their exposures "
                f"before the event (betas and volatility over each member's estimation window"
                f"{f', the run-up over sessions {RUNUP[0]} to {RUNUP[1]}' if 'runup' in columns else ''}; "
                "in standard deviations: "
                f"{', '.join(_label(c) for c in columns)}) and GICS sector; R-squared {hc3.rsquared:.2f}. {said}"
                f"{left_out}"
            ),
            "paragraphs": [
                "Three sets of standard errors: HC3 (robust to unequal variances), clustered by the "
                f"{data['sector'].nunique()} sectors (p-values from t({data['sector'].nunique() - 1}), one less than "
                "the clusters), and the portfolio time series of Sefcik and Thompson (1986), "
                "whose coefficients are abnormal returns of exposure-weighted portfolios; the text uses the last, "
                "because the members share one date and their abnormal returns are correlated, which the other two "
                "do not allow for across sectors.",
                "A cross-section of one day: the coefficients say which exposures went with larger or smaller abnormal returns "
                "that day. "
                "They are associations, the exposures are correlated with one another, and one day cannot separate "
                "an exposure from what else the same firms share.",
            ],
            "figures": [coef_fig, part_fig],
            "tables": [
                b.show(
                    "xsection",
                    "Event-day abnormal return on exposures (per standard deviation) and sector",
                    ["exposure", "coefficient per sd", "p (HC3)", "p (sector clusters)", "p (portfolio)"],
                    rows,
                )
            ],
            "sources": ["tables/xsection.csv", "tables/exposures.csv"],
        }
    )
    b.data["xsection"] = {t: dict(table.loc[t]) for t in columns}


def _label(term: str) -> str:
    names = {"beta_market": "market beta", "runup": "pre-event run-up", "volatility": "volatility"}
    if term in names:
        return names[term]
    return f"{term.removeprefix('beta_').replace('_', '-')} beta"


def volume_section(b: ReportBuilder) -> None:
    """Trading volume and volatility around the event for the studied firms."""
    res = b.results
    cfg = b.config
    if cfg.measure != "returns":
        return
    volume = res.prices.volume_frame
    # the firms the study measured: one it left out has no abnormal return to set its volume beside
    ok = res.events["status"].str.startswith("ok")
    measured_ids = set(res.events.index[ok])
    measured = list(dict.fromkeys(res.events.loc[ok, "ticker"].astype(str)))
    with_volume = [t for t in measured if t in volume.columns and volume[t].notna().any()]
    without = [t for t in measured if t not in with_volume]
    ratio = res.variance_ratio()
    rows = []
    volume_res = None
    if with_volume:
        events = tuple(e for e in cfg.events if e.ticker in with_volume and e.event_id in measured_ids)
        request = cfg.with_(events=events, measure="volume", model="constant_mean", factors=None, factor_columns=())
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                volume_res = EventStudy(request, b.source).fit()
        except EventStudyError:
            volume_res = None
    garch_text = ""
    garch = None
    try:
        garch = garch_standardised(res)
        garch_text = (
            "GARCH(1,1)-standardised: the event-day abnormal return of a market model with GARCH(1,1) errors, divided "
            "by its conditional standard deviation"
            + (
                ""
                if res.model.name == "market"
                else f" (a market model whatever the study's own, here {res.model.name}: its abnormal returns are not "
                "the tables' and need not agree with them)"
            )
        )
        if len(res.event_ids) > 1:  # a mean across firm-events needs more than one
            garch_text += (
                ", so that a firm whose volatility was already high counts for less; the Savickas (2003) test of "
                f"their mean: {_stated(savickas_test(garch['sar']))}."
            )
        else:
            garch_text += "."
        used = [e for e in res.event_ids if np.isfinite(res.ar.loc[0, e])]
        unfitted = garch.loc[used, "sar"].isna()
        if unfitted.any():
            few = garch.loc[used, "note"].str.contains("needs at least")[unfitted]
            why = []
            if few.any():
                why.append(
                    f"{int(few.sum())} with fewer than {GARCH_MIN_OBS} estimation returns, the fewest it is tried on"
                )
            if (~few).any():
                why.append(f"{int((~few).sum())} whose GARCH likelihood did not converge")
            garch_text += (
                f" No GARCH fit for {int(unfitted.sum())} of the {len(used)} firm-events: {' and '.join(why)}."
            )
    except ConfigError as exc:  # the optional arch package is missing
        garch_text = f"GARCH-standardised returns not computed: {exc}"
    label = event_labels(res.events)
    for eid in res.event_ids:
        av = t_av = np.nan
        if volume_res is not None and eid in volume_res.event_ids:
            av = float(volume_res.ar.loc[0, eid])
            t_av = float(volume_res.ar_t.loc[0, eid])
        left_out = eid not in measured_ids  # its status, in the firm table, says why
        volume_cells = [
            "left out" if left_out else fmt_pct(np.expm1(av)) if np.isfinite(av) else "no volume data",
            fmt_num(t_av, 2),
        ]
        rows.append(
            [
                label[eid],
                *(volume_cells if volume_res is not None else []),
                fmt_num(ratio.loc[eid, "statistic"], 2),
                fmt_p(ratio.loc[eid, "pvalue"]),
                fmt_num(garch.loc[eid, "sar"], 2) if garch is not None else "n/a",
            ]
        )
    table = ratio.rename(columns={"statistic": "variance_ratio", "pvalue": "variance_ratio_p"})
    if garch is not None:
        table = table.join(garch[["sigma_garch", "sar"]].rename(columns={"sar": "garch_standardised_ar"}))
    if volume_res is not None:
        table = table.join(
            pd.DataFrame({"abnormal_log_volume": volume_res.ar.loc[0], "t_abnormal_log_volume": volume_res.ar_t.loc[0]})
        )
    b.add_table("volume_volatility", table.reset_index())
    w = cfg.event_window
    has_volume = volume_res is not None
    volume_text = (
        "Abnormal volume is the event-day log(1 + shares traded) less its estimation-window mean (the "
        "mean-adjusted model of Campbell and Wasley 1996), shown as the percentage above normal volume with "
        "its t-statistic. "
    )
    if has_volume:
        who = (
            ", ".join(without)
            if len(without) <= 12
            else f"{len(without)} of the {len(measured)} firms (the table below marks them)"
        )
        missing = [f"No volume data for {who}."] if without else []
    elif with_volume:  # a column of "no volume data" for every firm says nothing a sentence does not
        missing = ["Abnormal volume could not be estimated from the volume data, so it is not shown."]
    else:
        # a report has at least one firm-event measured; "measured" where others were left out
        some = " measured" if len(measured) < len(cfg.tickers) else ""
        firms = measured[0] if len(measured) == 1 else f"any of the firms{some}"
        missing = [f"The data have no trading volume for {firms}, so abnormal volume is not shown."]
    b.sections.append(
        {
            "id": "volume",
            "title": "Trading volume and volatility" if has_volume else "Volatility",
            "text": (volume_text if has_volume else "")
            + f"The variance ratio is the mean squared abnormal return over the event window {w} "
            "divided by the estimation-window variance; under no change it is F(L, M - k), and its p-value is "
            "one-sided (the variance rose).",
            "paragraphs": [*missing, garch_text],
            "figures": [],
            "tables": [
                b.show(
                    "volume",
                    "Abnormal volume on the event day and event-window variance ratio"
                    if has_volume
                    else "Event-window variance ratio",
                    [
                        "firm",
                        *(["volume above normal", "t"] if has_volume else []),
                        f"variance ratio {w}",
                        "p",
                        "GARCH-standardised AR",
                    ],
                    rows,
                )
            ],
            "sources": ["tables/volume_volatility.csv"],
        }
    )
