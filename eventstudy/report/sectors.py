"""Report section: the event-day abnormal return of every bundled S&P 500 member, by sector."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy.config import Event
from eventstudy.data.sources import MEMBERS_AS_OF, BundledSource, PanelSource
from eventstudy.data.universe import (
    MEMBERSHIP_CURRENT_DAYS,
    constituents,
    equal_weighted_index,
    list_is_current,
    member_prices,
    with_series,
)
from eventstudy.errors import EventStudyError
from eventstudy.inference import adjust_pvalues
from eventstudy.models import MARKET
from eventstudy.report import figures
from eventstudy.report.format import fmt_p, fmt_pct, index_phrase
from eventstudy.study import EventStudy

if TYPE_CHECKING:
    from eventstudy.config import StudyConfig
    from eventstudy.report.builder import ReportBuilder
    from eventstudy.resolved import ResolvedConfig
    from eventstudy.results import EventStudyResults

EW_ALL = "EW_SP500_ALL"
"""An equal-weighted index of every bundled member (each counts the same, whatever its size)."""


def members_market(config: StudyConfig | ResolvedConfig) -> str:
    """Return the market the members are measured against: the S&P 500 if the study uses it, else its first market.

    The members are S&P 500 firms, so a study that mixes proxies measures them against their own index.
    """
    markets = [e.market for e in config.events]
    return "^GSPC" if "^GSPC" in markets else markets[0]


def member_fit(config: StudyConfig | ResolvedConfig, *, equal_weighted: bool = False) -> EventStudyResults:
    """Fit the study's model for every bundled S&P 500 member on the study's first event date.

    ``equal_weighted``: against an equal-weighted index of all bundled members instead of
    the study's market.
    """
    date = config.events[0].event_date
    market = EW_ALL if equal_weighted else members_market(config)
    members = constituents().set_index("Symbol")
    tickers = [t for t in member_prices().columns if t in members.index]
    cfg = config.with_(events=tuple(Event(t, t, date, market) for t in tickers), car_windows=(config.event_window,))
    source: BundledSource | PanelSource = BundledSource()
    if equal_weighted:
        panel = BundledSource().load(tickers)
        index = equal_weighted_index(member_prices()).rename(EW_ALL)
        panel = with_series(panel, index, "equal-weighted index of every bundled S&P 500 member, rebalanced daily")
        source = PanelSource(panel, "bundled members with their equal-weighted index")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # members listed recently are left out, and counted in the text
        return EventStudy(cfg, source).fit()


def member_study(
    config: StudyConfig | ResolvedConfig, *, equal_weighted: bool = False, fit: EventStudyResults | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the study's model for every bundled S&P 500 member on the study's event date.

    Parameters
    ----------
    config
        The study (its model, windows and first event's date are used, and the market :func:`members_market` picks).
    equal_weighted
        Measure every member against an equal-weighted index of all bundled members
        instead of the study's market.

    Returns
    -------
    members, dollars
        One row per member (``ticker, security, sector, ret, ar, t, p, status``), and
        the event-day dollar figures of the members with a bundled share count.
    """
    members = constituents().set_index("Symbol")
    tickers = [t for t in member_prices().columns if t in members.index]
    res = fit if fit is not None else member_fit(config, equal_weighted=equal_weighted)
    t0 = res.ar.loc[0] / np.sqrt(res.ar_var.loc[0])
    df = res.params["df"]
    table = pd.DataFrame(
        {
            "ticker": tickers,
            "security": [members.loc[t, "Security"] for t in tickers],
            "sector": [members.loc[t, "GICS Sector"] for t in tickers],
            "ret": res.ret.loc[0, tickers].to_numpy(),
            "ar": res.ar.loc[0, tickers].to_numpy(),
            "t": t0[tickers].to_numpy(),
            "p": 2 * stats.t.sf(np.abs(t0[tickers].to_numpy()), df[tickers].to_numpy()),
            "status": res.events.loc[tickers, "status"].to_numpy(),
        }
    )
    table["p_holm"] = adjust_pvalues(table["p"].to_numpy(), "holm")
    table["p_bh"] = adjust_pvalues(table["p"].to_numpy(), "bh")
    dollars = res.dollar_impact().dropna(subset=["shares"])
    if not dollars.empty:
        dollars = dollars.assign(sector=[members.loc[t, "GICS Sector"] for t in dollars["ticker"]])
    return table, dollars


def sector_section(b: ReportBuilder) -> None:
    """Where the shock landed: every member's event-day AR by GICS sector, against two benchmarks."""
    if not isinstance(b.source, BundledSource) or len({e.event_date for e in b.config.events}) != 1:
        return
    cfg, res = b.config, b.results
    uses_market = MARKET in res.model.regressors or res.model.offset_market
    try:
        b.cache["member_fit"] = member_fit(cfg)
        table, dollars = member_study(cfg, fit=b.cache["member_fit"])
        ew_table, _ = member_study(cfg, equal_weighted=True) if uses_market else (table, None)
    except EventStudyError as exc:
        b.sections.append(
            {
                "id": "sectors",
                "title": "Where the shock landed",
                "text": f"Not computed for the bundled S&P 500 members: {exc}",
                "figures": [],
                "tables": [],
            }
        )
        return
    table = table.join(ew_table.set_index("ticker")[["ar", "t", "p"]].add_suffix("_ew"), on="ticker")
    used = table[table["status"].str.startswith("ok") & table["ar"].notna()].copy()
    b.add_table("sector_members", table)
    by_sector = (
        used.groupby("sector")
        .agg(
            firms=("ar", "size"),
            median_ar=("ar", "median"),
            mean_ar=("ar", "mean"),
            share_negative=("ar", lambda s: float((s < 0).mean())),
            median_ar_ew=("ar_ew", "median"),
            share_negative_ew=("ar_ew", lambda s: float((s < 0).mean())),
        )
        .sort_values("median_ar")
        .reset_index()
    )
    # Dollar figures need shares outstanding, bundled for a few members only.
    if not dollars.empty:
        sums = dollars.groupby("sector")[["mv_change", "abnormal_change"]].sum()
        covered = dollars.groupby("sector")["ticker"].apply(lambda s: ", ".join(s))
        by_sector = by_sector.join(sums, on="sector").join(covered.rename("dollar_firms"), on="sector")
    if not uses_market:
        by_sector = by_sector.drop(columns=["median_ar_ew", "share_negative_ew"])
    b.add_table("sectors", by_sector)
    highlight = [e.ticker for e in cfg.events]
    market = members_market(cfg)
    model = f"{res.model.name.replace('_', '-')} model" + (f" against {index_phrase(market)}" if uses_market else "")
    fig = b.add_figure(
        "sectors",
        figures.sector_strip(used, highlight, model),
        f"Each dot is one S&P 500 member's abnormal return on the event day ({model}); the bar marks the sector "
        f"median; {_red_dots(set(highlight), set(used['ticker']))}",
    )
    losers = used.nsmallest(10, "ar")
    gainers = used.nlargest(10, "ar")

    def rows(frame: pd.DataFrame) -> list[list[str]]:
        return [
            [
                str(r["ticker"]),
                str(r["security"]),
                str(r["sector"]),
                fmt_pct(r["ret"]),
                fmt_pct(r["ar"]),
                f"{r['t']:.1f}",
                fmt_p(r["p_holm"]),
                *([fmt_pct(r["ar_ew"])] if uses_market else []),
            ]
            for _, r in frame.iterrows()
        ]

    sector_rows = []
    for _, r in by_sector.iterrows():
        dollars_txt = "n/a"
        if "abnormal_change" in by_sector.columns and isinstance(r.get("dollar_firms"), str):
            dollars_txt = f"{r['abnormal_change'] / 1e9:,.1f}bn ({r['dollar_firms']} only)"
        sector_rows.append(
            [
                str(r["sector"]),
                str(int(r["firms"])),
                fmt_pct(r["median_ar"]),
                fmt_pct(r["mean_ar"]),
                f"{r['share_negative']:.0%}",
                *([fmt_pct(r["median_ar_ew"]), f"{r['share_negative_ew']:.0%}"] if uses_market else []),
                dollars_txt,
            ]
        )
    ew_head = ["AR, equal-weighted"] if uses_market else []
    member_head = ["name", "sector", "return", "AR", "t", "p (Holm)", *ew_head]
    n_excluded = int((~table["status"].str.startswith("ok")).sum())
    raw = int((used["p"] < 0.05).sum())
    holm = int((used["p_holm"] < 0.05).sum())
    bh = int((used["p_bh"] < 0.05).sum())
    positive = (
        f"{(used['ar'] > 0).mean():.0%} of the members have a positive abnormal return on the event day (median "
        f"{fmt_pct(used['ar'].median())})"
    )
    benchmark = (
        f"Against {index_phrase(market)}, {positive}. A cap-weighted benchmark weights members by size, so its own "
        "move follows the largest members; against an equal-weighted index of all bundled members, where each counts the same, "
        f"{(used['ar_ew'] > 0).mean():.0%} are positive (median {fmt_pct(used['ar_ew'].median())}). The table shows "
        "both."
        if uses_market
        else f"Under the {res.model.name.replace('_', '-')} model, which does not use {index_phrase(market)}, "
        f"{positive}."
    )
    paragraphs = [
        benchmark,
        f"Of the {len(used)} single-firm t-tests, {raw} reject at 5% one at a time, {holm} after Holm's adjustment "
        f"for the whole family and {bh} after Benjamini-Hochberg's (tables/sector_members.csv has every p-value).",
    ]
    shares = ", ".join(sorted(dollars["ticker"])) if not dollars.empty else "no member"
    day = cfg.events[0].event_date
    b.sections.append(
        {
            "id": "sectors",
            "title": "Where the shock landed",
            "text": (
                f"The event-day abnormal return of all {len(used)} bundled S&P 500 members with enough history"
                + (f" ({n_excluded} left out for a short estimation window)" if n_excluded else "")
                + f", {model}, grouped by GICS sector from the "
                f"constituents list of {MEMBERS_AS_OF}."
                + (
                    ""
                    if list_is_current([day])
                    else f" The event, {day}, lies more than {MEMBERSHIP_CURRENT_DAYS} days from that list, so some "
                    "of these firms may not have been members on it, and some members of that day are missing."
                )
                + " Dollar figures need shares outstanding, which the snapshot holds "
                f"only for {shares}; the sector dollar column covers those firms only and is n/a elsewhere."
            ),
            "paragraphs": paragraphs,
            "figures": [fig],
            "tables": [
                {
                    "header": [
                        "sector",
                        "firms",
                        "median AR",
                        "mean AR",
                        "share negative",
                        *(["median AR, equal-weighted", "share negative, equal-weighted"] if uses_market else []),
                        "abnormal US$ (covered firms)",
                    ],
                    "rows": sector_rows,
                },
                {
                    "header": ["biggest losers", *member_head],
                    "rows": rows(losers),
                },
                {
                    "header": ["biggest gainers", *member_head],
                    "rows": rows(gainers),
                },
            ],
            "sources": ["tables/sectors.csv", "tables/sector_members.csv"],
        }
    )
    b.data["sectors"] = {
        "n_members": len(used),
        "median_ar_by_sector": dict(zip(by_sector["sector"], by_sector["median_ar"], strict=True)),
        "share_positive": float((used["ar"] > 0).mean()),
        "share_positive_equal_weighted": float((used["ar_ew"] > 0).mean()) if uses_market else None,
        "biggest_losers": losers["ticker"].tolist(),
    }


def _red_dots(studied: set[str], members: set[str]) -> str:
    """Say which studied firms the sector chart marks in red: those among the members (a fund or non-member is not)."""
    drawn = studied & members
    if not drawn:
        return "no studied firm is among them."
    if drawn == studied:
        return "red dots are the studied firms." if len(drawn) > 1 else "the red dot is the studied firm."
    if len(drawn) > 1:
        return f"red dots are the studied firms among them ({', '.join(sorted(drawn))})."
    return f"the red dot is {next(iter(drawn))}, the one studied firm among them."
