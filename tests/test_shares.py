"""Share counts a study brings: dollar figures, report and claims for firms the bundled counts lack."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy import EventStudy, StudyConfig
from eventstudy.claims import verify
from eventstudy.config import Event
from eventstudy.data.sources import CsvSource
from eventstudy.dollar import read_shares
from eventstudy.errors import ConfigError, DataFormatError, ShareCountJumpWarning
from eventstudy.report import build_report

from .conftest import bundled_csv

WIDE = bundled_csv("sp500_adj_close_wide_2022_2025H1.csv")
CLAIM_HEAD = (
    "id,group,outlet,article,article_date,entity,quote,reported,unit,qualifier,window,kind,series,start,end,rule,gate,"
    "how_checked\n"
)


def _prices(tmp: Path) -> Path:
    """DHI and the S&P 500 under a name no bundled file has: the study's own prices."""
    wide = pd.read_csv(WIDE, usecols=["date", "DHI"]).rename(columns={"DHI": "HORTON"})
    gspc = pd.read_csv(bundled_csv("_GSPC.csv"), usecols=["date", "adj_close"]).rename(columns={"adj_close": "^GSPC"})
    path = tmp / "prices.csv"
    wide.merge(gspc, on="date").to_csv(path, index=False)
    return path


def _study(tmp: Path, shares: str | None) -> StudyConfig:
    return StudyConfig(
        name="horton",
        events=(Event("HORTON@2024-11-06", "HORTON", "2024-11-06", "^GSPC"),),
        prices=(str(_prices(tmp)),),
        shares=shares,
    )


def test_a_study_s_share_file_gives_dollar_figures_by_hand(tmp_path: Path) -> None:
    shares = tmp_path / "shares.csv"
    shares.write_text("ticker,as_of_date,shares\nHORTON,2024-10-15,321000000\nHORTON,2024-12-31,318000000\n")
    cfg = _study(tmp_path, str(shares))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(cfg).fit()
    row = res.dollar_impact().iloc[0]
    close = pd.read_csv(WIDE, index_col="date")["DHI"]
    by_hand = 321e6 * (close["2024-11-06"] - close["2024-11-05"])  # the count dated before the event
    assert row["mv_change"] == pytest.approx(by_hand, rel=1e-12)
    assert row["abnormal_change"] == pytest.approx(res.ar.loc[0].iloc[0] * 321e6 * close["2024-11-05"], rel=1e-12)
    assert row["shares_note"].startswith("321,000,000 shares as of 2024-10-15 (shares.csv)")
    # without the file the firm has no count, and the report says how to give one
    plain = _study(tmp_path, None)
    build_report(plain, tmp_path / "none")
    section = (tmp_path / "none" / "report.md").read_text().split("Dollar impact")[1]
    assert "Not computed: the bundled counts hold no share count for any firm of the study." in section
    build_report(cfg, tmp_path / "given")
    text = (tmp_path / "given" / "report.md").read_text()
    assert "the latest count in the study's share file, else the bundled count," in text
    assert f"{'-' if by_hand < 0 else ''}${abs(by_hand) / 1e9:,.1f}bn" in text


def test_what_a_count_covers_travels_with_it(tmp_path: Path) -> None:
    """A count of one class of shares says so wherever it is used: the bundled GOOGL count, or a file's own."""
    googl = StudyConfig(name="g", events=(Event("g", "GOOGL", "2023-02-02", "^GSPC"),))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        note = EventStudy(googl).fit().dollar_impact()["shares_note"].iloc[0]
    assert note.endswith("; class A shares only (class B is unlisted; class C trades as GOOG)")
    shares = tmp_path / "shares.csv"
    shares.write_text("ticker,as_of_date,shares,covers\nHORTON,2024-10-15,321000000,common shares only\n")
    assert read_shares(shares)["covers"].tolist() == ["common shares only"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = EventStudy(_study(tmp_path, str(shares))).fit().dollar_impact().iloc[0]
    assert row["shares_note"] == "321,000,000 shares as of 2024-10-15 (shares.csv); common shares only"


def test_returns_give_no_market_value(tmp_path: Path) -> None:
    """Nvidia's returns chained into an index start at 1, not at its price: shares times that level is no market value.

    The bundled count exists, yet the dollar table, the report and a market-value claim all say why there is none.
    """
    from eventstudy.data.sources import ReturnsSource

    wide = pd.read_csv(bundled_csv("NVDA.csv"), index_col="date")[["adj_close"]].rename(columns={"adj_close": "NVDA"})
    wide["^GSPC"] = pd.read_csv(bundled_csv("_GSPC.csv"), index_col="date")["adj_close"]
    returns = tmp_path / "returns.csv"
    wide.pct_change().iloc[1:].to_csv(returns)
    cfg = StudyConfig(
        name="r",
        events=(Event("n", "NVDA", "2025-01-27", "^GSPC"),),
        returns_data=str(returns),
        selected_on_outcome=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(cfg).fit()
        build_report(cfg, tmp_path / "rep")
    row = res.dollar_impact().loc["n"]
    assert np.isnan(row["shares"]) and np.isnan(row["mv_change"]) and row["shares_note"].startswith("no price level")
    section = (tmp_path / "rep" / "report.md").read_text().split("Dollar impact")[1].split("##")[0]
    assert "Not computed: the study's data are returns, chained into an index whose level is not a price" in section
    claims = tmp_path / "c.csv"
    claims.write_text(
        CLAIM_HEAD + 'M,M,W,A,2025-01-27,Nvidia,"lost $589bn",-589,USD bn,none,day,mv_change,NVDA,'
        "2025-01-24,2025-01-27,as_written,,\n"
    )
    from eventstudy.claims import load_claims

    verdict = verify(load_claims(claims), ReturnsSource(returns)).iloc[0]
    assert verdict["verdict"] == "not checkable" and "no price level" in verdict["why_not_checkable"]


def test_returns_of_a_firm_without_a_share_count_are_said_to_lack_a_price_level_first(tmp_path: Path) -> None:
    """Apple has no bundled share count; from returns, a count would not help, and that is what the report says."""
    from eventstudy.report.render import dollar_section

    wide = pd.read_csv(bundled_csv("AAPL.csv"), index_col="date")[["adj_close"]].rename(columns={"adj_close": "AAPL"})
    wide["^GSPC"] = pd.read_csv(bundled_csv("_GSPC.csv"), index_col="date")["adj_close"]
    returns = tmp_path / "returns.csv"
    wide.pct_change().iloc[1:].to_csv(returns)
    cfg = StudyConfig(
        name="r", events=(Event("a", "AAPL", "2024-06-11", "^GSPC"),), returns_data=str(returns), calendar="rows"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(cfg).fit()
        build_report(cfg, tmp_path / "rep", sections=[dollar_section])
    assert res.dollar_impact().loc["a", "shares_note"].startswith("no price level")
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "Not computed: the study's data are returns, chained into an index" in md and "no share count" not in md


def test_a_firm_without_a_close_as_traded_has_no_market_value_and_the_report_says_why(tmp_path: Path) -> None:
    """Vistra's bundled file has adjusted closes from 2022 but closes as traded only from 2023-12-01."""
    raw = pd.read_csv(bundled_csv("VST.csv"), index_col="date")
    assert np.isnan(raw.loc["2023-05-10", "close"]) and np.isfinite(raw.loc["2023-05-10", "adj_close"])
    cfg = StudyConfig(
        name="v", events=(Event("v", "VST", "2023-05-11", "^GSPC"), Event("c", "CEG", "2023-05-11", "^GSPC"))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(cfg).fit()
        build_report(cfg, tmp_path / "rep")
    dollars = res.dollar_impact()
    assert dollars.loc["v", "shares_note"] == "no close in the data on 2023-05-10"
    assert np.isnan(dollars.loc["v", "mv_change"]) and np.isfinite(dollars.loc["c", "mv_change"])
    section = (tmp_path / "rep" / "report.md").read_text().split("Dollar impact")[1].split("\n## ")[0]
    assert "The data have no close as traded for VST on 2023-05-10" in section
    assert "| VST |" not in section and "No share count" not in section
    claims = tmp_path / "c.csv"
    claims.write_text(
        CLAIM_HEAD + 'V,V,W,A,2023-05-11,Vistra,"lost $1bn",-1,USD bn,none,day,mv_change,VST,2023-05-10,2023-05-11,'
        "as_written,,\n"
    )
    from eventstudy.claims import load_claims

    verdict = verify(load_claims(claims)).iloc[0]
    assert verdict["verdict"] == "not checkable"
    assert verdict["why_not_checkable"] == "VST: no close in the data on 2023-05-10"


def test_claims_are_checked_against_the_study_s_prices_and_share_counts(tmp_path: Path) -> None:
    shares = tmp_path / "shares.csv"
    shares.write_text("ticker,as_of_date,shares\nHORTON,2024-10-15,321000000\n")
    close = pd.read_csv(WIDE, index_col="date")["DHI"]
    move = 100 * (close["2024-11-06"] / close["2024-11-05"] - 1)
    loss = 321e6 * (close["2024-11-06"] - close["2024-11-05"]) / 1e9
    claims = tmp_path / "claims.csv"
    claims.write_text(
        CLAIM_HEAD
        + f'H1,H1,Wire,"A",2024-11-06,Horton,"Horton fell {abs(move):.1f}%.",{move:.1f},percent,none,"6 Nov",'
        "pct_change,HORTON,2024-11-05,2024-11-06,as_written,matches,\n"
        + f'H2,H2,Wire,"A",2024-11-06,Horton,"Horton lost ${abs(loss):.1f} billion.",{loss:.1f},USD bn,none,"6 Nov",'
        "mv_change,HORTON,2024-11-05,2024-11-06,as_written,matches,\n"
    )
    from eventstudy.claims import load_claims

    table = verify(load_claims(claims), CsvSource(_prices(tmp_path)), shares).set_index("id")
    assert table.loc["H1", "verdict"] == "matches"
    assert table.loc["H1", "computed"] == pytest.approx(move, rel=1e-12)
    assert table.loc["H2", "computed"] == pytest.approx(loss, rel=1e-12)
    assert table.loc["H2", "verdict"] == "matches"
    # the bundled snapshot has no HORTON, and the bundled counts none: not checkable, not an error
    assert set(verify(load_claims(claims))["verdict"]) == {"not checkable"}
    # on the command line, a study's claims are checked against its own prices and share counts
    from eventstudy.cli import main

    study = tmp_path / "study.toml"
    study.write_text(
        '[study]\nname = "h"\nevent_date = 2024-11-06\ntickers = ["HORTON"]\n'
        '[data]\nprices = "prices.csv"\nshares = "shares.csv"\n[report]\nclaims = "claims.csv"\n'
    )
    assert main(["verify", str(study)]) == 0


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("ticker,shares\nA,1\n", "has no 'as_of_date' column"),
        ("ticker,as_of_date,shares\nA,2024-01-02,0\n", "line 2 has shares='0'"),
        ("ticker,as_of_date,shares\nA,2024-01-02,many\n", "line 2 has shares='many'"),
        ("ticker,as_of_date,shares\nA,2024-01-02,5\nA,2024-01-02,6\n", "line 3 counts A again on 2024-01-02"),
    ],
)
def test_a_bad_share_file_is_named_with_its_line(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "shares.csv"
    path.write_text(content)
    with pytest.raises(DataFormatError, match=needle):
        read_shares(path)


def test_a_share_file_is_found_beside_the_study_file_or_refused(tmp_path: Path) -> None:
    (tmp_path / "shares.csv").write_text("ticker,as_of_date,shares\nNVDA,2025-01-02,24400000000\n")
    body = '[study]\nname = "s"\nevent_date = 2025-01-27\ntickers = ["NVDA"]\n[data]\nshares = "shares.csv"\n'
    (tmp_path / "s.toml").write_text(body)
    cfg = StudyConfig.from_toml(tmp_path / "s.toml")
    assert cfg.shares == str(tmp_path / "shares.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = EventStudy(cfg).fit()
    assert res.dollar_impact().loc["NVDA@2025-01-27", "shares"] == 24.4e9  # the file's count wins over the bundled
    assert np.isfinite(res.dollar_impact().loc["NVDA@2025-01-27", "mv_change"])
    (tmp_path / "s.toml").write_text(body.replace("shares.csv", "missing.csv"))
    with pytest.raises(ConfigError, match=r"shares='.*missing.csv': no such file"):
        StudyConfig.from_toml(tmp_path / "s.toml")


def test_a_returns_file_named_in_a_study_file_is_found_beside_it(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "returns.csv").write_text("date,A,^GSPC\n2025-01-02,0.01,0.005\n")
    (folder / "s.toml").write_text(
        '[study]\nname = "s"\nevent_date = 2025-01-02\ntickers = ["A"]\n[data]\nreturns_data = "returns.csv"\n'
    )
    assert StudyConfig.from_toml(folder / "s.toml").returns_data == str(folder / "returns.csv")


def test_counts_that_jump_as_a_split_would_are_warned_about(tmp_path: Path) -> None:
    """Nvidia's 10-K counts 2.47bn shares on 2023-02-17, before its 10-for-1 split of 2024-06-10.

    Against the 24.5bn of 2024-11-15 that is a jump of about 10: the closes are adjusted for the split,
    so the earlier count would make a market value ten times too small.
    """
    path = tmp_path / "shares.csv"
    path.write_text("ticker,as_of_date,shares\nNVDA,2023-02-17,2470000000\nNVDA,2024-11-15,24500000000\n")
    with pytest.warns(ShareCountJumpWarning, match=r"NVDA's share count goes from 2,470,000,000 on 2023-02-17") as got:
        read_shares(path)
    assert "x9.92" in str(got[0].message) and "split basis" in str(got[0].message)
    path.write_text("ticker,as_of_date,shares\nNVDA,2024-08-16,24530000000\nNVDA,2024-11-15,24490000000\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_shares(path)  # buybacks, not a split


def test_the_report_says_when_counts_jump_as_a_split_would(tmp_path: Path) -> None:
    from eventstudy.report.render import dollar_section

    path = tmp_path / "shares.csv"
    path.write_text("ticker,as_of_date,shares\nNVDA,2023-02-17,2470000000\nNVDA,2024-11-15,24500000000\n")
    cfg = StudyConfig(name="nv", events=(Event("NVDA", "NVDA", "2023-05-25", "^GSPC"),), shares=str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_report(cfg, tmp_path / "r", sections=[dollar_section])
    text = " ".join((tmp_path / "r" / "report.md").read_text().split())
    assert "NVDA's share count goes from 2,470,000,000 on 2023-02-17 to 24,500,000,000 on 2024-11-15" in text
    assert "as a split would make it" in text


def test_a_share_file_with_date_for_as_of_date_is_told_to_rename_it(tmp_path: Path) -> None:
    from eventstudy.dollar import read_shares
    from eventstudy.errors import DataFormatError

    path = tmp_path / "shares.csv"
    path.write_text("ticker,date,shares\nNVDA,2024-10-31,24500000000\n")
    with pytest.raises(DataFormatError, match=r"has no 'as_of_date' column \(rename date to as_of_date\)"):
        read_shares(path)
