"""Report section: the event-day abnormal return of every bundled S&P 500 member, by sector."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy.config import Event
from eventstudy.data.sources import BundledSource
from eventstudy.data.universe import constituents, member_prices
from eventstudy.report import figures
from eventstudy.study import EventStudy

if TYPE_CHECKING:
    from eventstudy.config import StudyConfig
    from eventstudy.report.builder import ReportBuilder
    from eventstudy.resolved import ResolvedConfig


def member_study(config: StudyConfig | ResolvedConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the study's model for every bundled S&P 500 member on the study's event date.

    Returns
    -------
    members, dollars
        One row per member (``ticker, security, sector, ret, ar, t, status``), and the
        event-day dollar figures of the members with a bundled share count.
    """
    date = config.events[0].event_date
    market = config.events[0].market
    members = constituents().set_index("Symbol")
    tickers = [t for t in member_prices().columns if t in members.index]
    cfg = config.with_(events=tuple(Event(t, t, date, market) for t in tickers), car_windows=(config.event_window,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # members listed recently are left out, and counted in the text
        res = EventStudy(cfg, BundledSource()).fit()
    t0 = res.ar.loc[0] / np.sqrt(res.ar_var.loc[0])
    table = pd.DataFrame(
        {
            "ticker": tickers,
            "security": [members.loc[t, "Security"] for t in tickers],
            "sector": [members.loc[t, "GICS Sector"] for t in tickers],
            "ret": res.ret.loc[0, tickers].to_numpy(),
            "ar": res.ar.loc[0, tickers].to_numpy(),
            "t": t0[tickers].to_numpy(),
            "status": res.events.loc[tickers, "status"].to_numpy(),
        }
    )
    dollars = res.dollar_impact()
    if not dollars.empty:
        dollars = dollars.assign(sector=[members.loc[t, "GICS Sector"] for t in dollars["ticker"]])
    return table, dollars


def sector_section(b: ReportBuilder) -> None:
    """Where the shock landed: every member's event-day AR by GICS sector, losers, gainers, dollars."""
    if not isinstance(b.source, BundledSource) or len({e.event_date for e in b.config.events}) != 1:
        return
    table, dollars = member_study(b.config)
    used = table[table["status"].str.startswith("ok") & table["ar"].notna()].copy()
    b.add_table("sector_members", table)
    by_sector = (
        used.groupby("sector")
        .agg(
            firms=("ar", "size"),
            median_ar=("ar", "median"),
            mean_ar=("ar", "mean"),
            share_negative=("ar", lambda s: float((s < 0).mean())),
        )
        .sort_values("median_ar")
        .reset_index()
    )
    # Dollar figures need shares outstanding, bundled for a few members only.
    if not dollars.empty:
        sums = dollars.groupby("sector")[["mv_change", "abnormal_change"]].sum()
        covered = dollars.groupby("sector")["ticker"].apply(lambda s: ", ".join(s))
        by_sector = by_sector.join(sums, on="sector").join(covered.rename("dollar_firms"), on="sector")
    b.add_table("sectors", by_sector)
    highlight = [e.ticker for e in b.config.events]
    fig = b.add_figure(
        "sectors",
        figures.sector_strip(used, highlight),
        "Each dot is one S&P 500 member's abnormal return on the event day (market model vs the S&P 500); the bar marks the sector median; red dots are the studied firms.",
    )
    losers = used.nsmallest(10, "ar")
    gainers = used.nlargest(10, "ar")

    def rows(frame: pd.DataFrame) -> list[list[str]]:
        return [
            [
                str(r["ticker"]),
                str(r["security"]),
                str(r["sector"]),
                f"{r['ret'] * 100:.2f}%",
                f"{r['ar'] * 100:.2f}%",
                f"{r['t']:.1f}",
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
                f"{r['median_ar'] * 100:.2f}%",
                f"{r['mean_ar'] * 100:.2f}%",
                f"{r['share_negative']:.0%}",
                dollars_txt,
            ]
        )
    n_excluded = int((~table["status"].str.startswith("ok")).sum())
    b.sections.append(
        {
            "id": "sectors",
            "title": "7. Where the shock landed",
            "text": (
                f"The event-day abnormal return of all {len(used)} bundled S&P 500 members with enough history "
                f"({n_excluded} left out for a short estimation window), market model against the S&P 500, grouped by "
                f"GICS sector from the constituents list of 2024-12-27. "
                "Dollar figures need shares outstanding, which the snapshot holds only for "
                f"{', '.join(sorted(dollars['ticker'])) if not dollars.empty else 'no member'}; the sector dollar "
                "column covers those firms only and is n/a elsewhere."
            ),
            "figures": [fig],
            "tables": [
                {
                    "header": [
                        "sector",
                        "firms",
                        "median AR",
                        "mean AR",
                        "share negative",
                        "abnormal US$ (covered firms)",
                    ],
                    "rows": sector_rows,
                },
                {"header": ["biggest losers", "name", "sector", "return", "AR", "t"], "rows": rows(losers)},
                {"header": ["biggest gainers", "name", "sector", "return", "AR", "t"], "rows": rows(gainers)},
            ],
            "sources": ["tables/sectors.csv", "tables/sector_members.csv"],
        }
    )
    b.data["sectors"] = {
        "n_members": len(used),
        "median_ar_by_sector": dict(zip(by_sector["sector"], by_sector["median_ar"], strict=True)),
        "biggest_losers": losers["ticker"].tolist(),
    }
