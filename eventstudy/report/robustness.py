"""Report sections on inference across firms and on robustness to model and market proxy."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy import aggregate
from eventstudy.data.sources import BundledSource, PanelSource
from eventstudy.data.universe import EW_TICKER, equal_weighted_index, member_prices, with_series
from eventstudy.errors import EventStudyError
from eventstudy.models import MARKET, get_model
from eventstudy.report import figures
from eventstudy.report.format import finite, fmt_num, fmt_pct
from eventstudy.study import EventStudy
from eventstudy.windows import Window

if TYPE_CHECKING:
    from eventstudy.report.builder import ReportBuilder
    from eventstudy.results import EventStudyResults

ROBUSTNESS_MODELS = ("market", "market_adjusted", "constant_mean", "ff3", "carhart")
PROXY_NAMES = {"^GSPC": "S&P 500", "^NDX": "Nasdaq-100", EW_TICKER: "equal-weighted S&P 500 ex studied firms"}
KEY_TESTS = ("csect_t", "patell", "kp_patell", "bmp", "kp_bmp", "bw1985", "sign", "rank", "wilcoxon")


def aggregate_section(b: ReportBuilder) -> None:
    """All firms together: the many-firm tests, with the cross-correlation adjustment explained."""
    res = b.results
    table = res.aggregate_table()
    if table.empty or res.events["status"].str.startswith("ok").sum() < 2:
        return
    b.add_table("aggregate_tests", table)
    labels = ["[0,0]", *[str(w) for w in res.windows if w.length > 1]]
    header = [
        "test",
        *[f"{lab} stat" if lab != "[0,0]" else "day 0 stat" for lab in labels],
        *[f"p {lab}" for lab in labels],
    ]
    rows = []
    for test in KEY_TESTS:
        stats_, ps = [], []
        for lab in labels:
            got = res.aggregate_tests.get((lab, test))
            stats_.append(fmt_num(got.statistic if got else np.nan, 2))
            ps.append(f"{got.pvalue:.3g}" if got and finite(got.pvalue) else "n/a")
        rows.append([test, *stats_, *ps])
    est = res.aggregate_estimates
    rbar = res.residual_correlation
    n = int(est.loc[Window(0, 0), "n"])
    factor = np.sqrt((1 - rbar) / (1 + (n - 1) * rbar)) if np.isfinite(rbar) else np.nan
    patell_factor = 1 / np.sqrt(1 + (n - 1) * rbar) if np.isfinite(rbar) else np.nan
    text = (
        f"The {n} firms share one event date, so their abnormal returns are cross-correlated and tests that "
        f"treat them as independent (Patell, BMP, cross-sectional t) overstate significance. The mean pairwise "
        f"correlation of their estimation-window abnormal returns is {rbar:.3f}; the Kolari-Pynnonen versions "
        f"multiply BMP's t by sqrt((1 - r)/(1 + (N - 1) r)) = {factor:.3f} and Patell's z by "
        f"1/sqrt(1 + (N - 1) r) = {patell_factor:.3f} (Patell estimates no cross-sectional variance). The portfolio test "
        f"(Brown-Warner 1985, crude dependence) divides the average AR by the time-series sd of the equally "
        f"weighted portfolio's estimation-window AR, which already contains the correlation. AAR on day 0: "
        f"{est.loc[Window(0, 0), 'mean'] * 100:.2f}%."
    )
    days = aggregate.event_days(b.config.event_window, res.windows)
    day_labels = [str(Window(d, d)) for d in days]
    fig = b.add_figure(
        "aar",
        figures.aar_bars(
            days,
            [float(est.loc[Window.parse(lab), "mean"]) for lab in day_labels],
            [res.aggregate_tests[(lab, "kp_bmp")].pvalue for lab in day_labels],
            "the Kolari-Pynnonen-adjusted BMP test",
        ),
        "Average abnormal return of the firms on each relative day; red bars are significant at 5% once the "
        "cross-correlation of same-date firms is allowed for (KP-adjusted BMP).",
    )
    b.sections.append(
        {
            "id": "aggregate",
            "title": "5. All firms together",
            "text": text,
            "paragraphs": [
                "Every test of the package is in tables/aggregate_tests.csv (and in tests.csv with scope "
                "'aggregate'); the table shows the main ones. Convention profile: "
                f"{res.convention.name} ({res.convention.description})."
            ],
            "figures": [fig],
            "tables": [{"header": header, "rows": rows}],
            "sources": ["tables/aggregate_tests.csv"],
        }
    )
    b.data["aggregate"] = {
        "mean_residual_correlation": rbar,
        "kp_factor": factor,
        "kp_patell_factor": patell_factor,
        "aar_day0": est.loc[Window(0, 0), "mean"],
        "tests_day0": {t: res.aggregate_tests[("[0,0]", t)].pvalue for t in KEY_TESTS},
    }


def robustness_table(b: ReportBuilder) -> pd.DataFrame:
    """AR on day 0 and CAR[-1,+1] of each firm under other models and market proxies."""
    cfg = b.config
    window = cfg.event_window
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for model in ROBUSTNESS_MODELS:
            res = EventStudy(cfg.with_(model=model), b.source).fit()
            m = get_model(model)
            if MARKET in m.regressors and len(m.regressors) == 1:
                label = "market vs S&P 500"
            elif m.uses_factors:
                label = f"{m.name} (Fama-French factors)"
            else:
                label = m.name
            rows += _spec_rows(res, label, window)
        panel = b.source.load(list(dict.fromkeys([*cfg.tickers, *cfg.markets, "^NDX"])))
        ew = equal_weighted_index(member_prices(), exclude=cfg.tickers)
        panel = with_series(
            panel, ew, "equal-weighted index of the bundled S&P 500 members without the studied firms, rebalanced daily"
        )
        source = PanelSource(panel, "bundled snapshot with derived index")
        for proxy in ("^NDX", EW_TICKER):
            events = tuple(type(e)(e.event_id, e.ticker, e.event_date, proxy) for e in cfg.events)
            res = EventStudy(cfg.with_(events=events, model="market"), source).fit()
            rows += _spec_rows(res, f"market vs {PROXY_NAMES[proxy]}", window)
    return pd.DataFrame(rows)


def _spec_rows(res: EventStudyResults, spec: str, window: Window) -> list[dict[str, Any]]:
    out = []
    car = res.car(window)
    for eid in res.event_ids:
        out.append(
            {
                "spec": spec,
                "ticker": res.events.loc[eid, "ticker"],
                "ar_0": float(res.ar.loc[0, eid]),
                f"car_{window.label}": float(car[eid]),
                "status": res.events.loc[eid, "status"],
            }
        )
    return out


def robustness_section(b: ReportBuilder) -> None:
    """Each firm's AR and CAR under the other models and market proxies."""
    if not isinstance(b.source, BundledSource):
        return  # the proxies come from the bundled snapshot
    try:
        table = robustness_table(b)
    except EventStudyError as exc:
        b.sections.append(
            {"id": "robustness", "title": "6. Robustness", "text": f"Not computed: {exc}", "figures": [], "tables": []}
        )
        return
    window = b.config.event_window
    car_col = f"car_{window.label}"
    b.add_table("robustness", table)
    fig = b.add_figure(
        "robustness",
        figures.spec_grid(
            table.rename(columns={"ar_0": "value"}), "value", "Event-day abnormal return by model and market proxy"
        ),
        "Abnormal return on the event day under each normal-return model (against the S&P 500) and under the market model with other market proxies.",
    )
    specs = list(dict.fromkeys(table["spec"]))
    firms = list(dict.fromkeys(table["ticker"]))
    wide_ar = table.pivot(index="ticker", columns="spec", values="ar_0").reindex(index=firms, columns=specs)
    wide_car = table.pivot(index="ticker", columns="spec", values=car_col).reindex(index=firms, columns=specs)
    rows = [[f, *[fmt_pct(wide_ar.loc[f, s]) for s in specs]] for f in firms]
    rows_car = [[f, *[fmt_pct(wide_car.loc[f, s]) for s in specs]] for f in firms]
    spread = (wide_ar.max(axis=1) - wide_ar.min(axis=1)) * 100
    first = firms[0]
    b.sections.append(
        {
            "id": "robustness",
            "title": "6. Robustness",
            "text": (
                "The same firms under other normal-return models (Fama-French three-factor and Carhart four-factor "
                "use the bundled Ken French daily factors) and under other market proxies. The studied firms' own "
                "falls pulled the cap-weighted indices down, so a market model against them understates the "
                "abnormal returns; the equal-weighted index of the other members avoids that. "
                f"{first}'s event-day AR is {100 * wide_ar.loc[first, specs[0]]:.2f}% against the S&P 500 and "
                f"{100 * wide_ar.loc[first, specs[-1]]:.2f}% against the equal-weighted index; across all "
                f"specifications the widest spread for one firm is {spread.max():.1f} percentage points ({spread.idxmax()})."
            ),
            "figures": [fig],
            "tables": [
                {"header": ["AR day 0", *specs], "rows": rows},
                {"header": [f"CAR{window}", *specs], "rows": rows_car},
            ],
            "sources": ["tables/robustness.csv"],
        }
    )
    b.data["robustness"] = {
        f: {s: {"ar_0": wide_ar.loc[f, s], car_col: wide_car.loc[f, s]} for s in specs} for f in firms
    }
