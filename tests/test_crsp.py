"""CRSP through WRDS, tested with a fake connection that answers with recorded frames; never the network."""

from __future__ import annotations

import datetime as dt
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from eventstudy.cli import main
from eventstudy.data.crsp import CrspSource, permnos_on, total_returns
from eventstudy.errors import DataSourceError, UnknownTickerError

from .conftest import bundled_csv

pytest.importorskip("pyarrow")

START, END = dt.date(2024, 1, 2), dt.date(2025, 2, 28)


def _returns(name: str) -> pd.Series:
    prices = pd.read_csv(bundled_csv(name), parse_dates=["date"]).set_index("date")["adj_close"]
    return prices.pct_change().iloc[1:]


class FakeWrds:
    """Answers the four CRSP queries from frames built for the test, and records what was asked."""

    def __init__(self, fail: BaseException | None = None) -> None:
        nvda = _returns("NVDA.csv")
        self.dsf = pd.DataFrame({"permno": 86580, "date": nvda.index, "ret": nvda.to_numpy()})
        self.delist = pd.DataFrame(
            {"permno": pd.Series(dtype="int64"), "dlstdt": pd.Series(dtype="datetime64[ns]"), "dlret": []}
        )
        market = _returns("_GSPC.csv")
        self.dsi = pd.DataFrame({"date": market.index, "vwretd": market.to_numpy() + 0.0001, "ewretd": np.nan})
        self.dsi["sprtrn"] = market.to_numpy()
        self.names = pd.DataFrame(
            {
                "permno": [86580, 11111, 22222],
                "ticker": ["NVDA", "ABC", "ABC"],
                "namedt": pd.to_datetime(["1999-01-22", "1990-01-02", "2010-06-01"]),
                "nameendt": pd.to_datetime([None, "2005-12-30", None]),
            }
        )
        self.fail = fail
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def raw_sql(self, sql: str, params: dict[str, Any], date_cols: list[str]) -> pd.DataFrame:
        self.asked.append((sql, params))
        if self.fail is not None:
            raise self.fail
        table = sql.split(" from ")[1].split()[0]
        if table == "crsp.dsenames":
            return self.names[self.names["ticker"].isin(params["tickers"])].copy()
        lo, hi = pd.Timestamp(params["start"]), pd.Timestamp(params["end"])
        if table == "crsp.dsi":
            return self.dsi[self.dsi["date"].between(lo, hi)].copy()
        frame = self.dsf if table == "crsp.dsf" else self.delist
        day = "date" if table == "crsp.dsf" else "dlstdt"
        return frame[frame["permno"].isin(params["permnos"]) & frame[day].between(lo, hi)].copy()


def test_a_delisting_return_is_compounded_into_its_day() -> None:
    dsf = pd.DataFrame(
        {"permno": [1, 1, 1, 2], "date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-02"])}
    )
    dsf["ret"] = [0.01, 0.02, np.nan, 0.03]
    delist = pd.DataFrame(
        {"permno": [1, 2], "dlstdt": pd.to_datetime(["2024-01-03", "2024-01-05"]), "dlret": [-0.30, -0.5]}
    )
    out = total_returns(dsf, delist).set_index(["permno", "date"])["ret"]
    assert out[(1, pd.Timestamp("2024-01-03"))] == pytest.approx(1.02 * 0.70 - 1, abs=1e-15)  # -0.286
    assert out[(2, pd.Timestamp("2024-01-05"))] == -0.5  # no trading row that day: DLRET alone
    assert np.isnan(out[(1, pd.Timestamp("2024-01-04"))])  # missing stays missing
    assert out[(1, pd.Timestamp("2024-01-02"))] == 0.01


def test_a_reused_ticker_maps_to_the_firm_of_its_date() -> None:
    names = FakeWrds().names
    assert permnos_on(names, {"ABC": [dt.date(2000, 3, 1)]}) == {"ABC": 11111}
    assert permnos_on(names, {"ABC": [dt.date(2024, 3, 1)]}) == {"ABC": 22222}
    with pytest.raises(DataSourceError, match=r"'ABC' named different CRSP securities.*11111.*22222"):
        permnos_on(names, {"ABC": [dt.date(2000, 3, 1), dt.date(2024, 3, 1)]})
    with pytest.raises(UnknownTickerError, match=r"'ABC'.*2008-01-02.*PERMNO 11111 1990-01-02..2005-12-30"):
        permnos_on(names, {"ABC": [dt.date(2008, 1, 2)]})


def test_returns_come_back_exactly_and_the_cache_serves_offline(tmp_path: Path) -> None:
    fake = FakeWrds()
    panel = CrspSource(START, END, connection=fake, cache_dir=tmp_path).load(["NVDA", "SPRTRN", "86580"])
    got = panel.adj_close["NVDA"].dropna().pct_change().iloc[1:]
    want = _returns("NVDA.csv").loc[got.index]
    assert np.abs(got.to_numpy() - want.to_numpy()).max() < 1e-12
    assert panel.provenance["NVDA"] == "CRSP daily RET with DLRET via WRDS, PERMNO 86580"
    pd.testing.assert_series_equal(panel.adj_close["NVDA"], panel.adj_close["86580"], check_names=False)
    tables = [sql.split(" from ")[1].split()[0] for sql, _ in fake.asked]
    assert tables == ["crsp.dsenames", "crsp.dsf", "crsp.dsedelist", "crsp.dsi"]
    assert fake.asked[1][1] == {"permnos": (86580,), "start": "2024-01-02", "end": "2025-02-28"}
    again = CrspSource(START, END, cache_dir=tmp_path, offline=True).load(["NVDA", "SPRTRN", "86580"])
    pd.testing.assert_frame_equal(again.adj_close, panel.adj_close)


def test_failures_are_errors_never_empty_frames(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"offline, and the CRSP cache .* does not hold this query"):
        CrspSource(START, END, cache_dir=tmp_path, offline=True).load(["86580"])
    broken = FakeWrds(fail=ConnectionError("server closed the connection unexpectedly"))
    with pytest.raises(DataSourceError, match=r"WRDS query failed \(ConnectionError: server closed"):
        CrspSource(START, END, connection=broken, cache_dir=tmp_path).load(["86580"])
    assert not list((tmp_path / "crsp").glob("*.parquet"))  # a failure caches nothing
    with pytest.raises(DataSourceError, match=r"no daily returns for '12345' \(PERMNO 12345\)"):
        CrspSource(START, END, connection=FakeWrds(), cache_dir=tmp_path).load(["12345"])
    with pytest.raises(DataSourceError, match="no EWRETD returns"):
        CrspSource(START, END, connection=FakeWrds(), cache_dir=tmp_path).load(["EWRETD"])


def test_a_study_runs_from_crsp_through_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """NVDA against SPRTRN from CRSP gives the ARs of NVDA against ^GSPC from the same prices."""
    fake = FakeWrds()
    monkeypatch.setitem(sys.modules, "wrds", types.SimpleNamespace(Connection=lambda: fake))
    events = tmp_path / "events.csv"
    events.write_text("event_id,ticker,event_date,market\nDeepSeek,NVDA,2025-01-27,SPRTRN\n")
    crsp = ["run", "--events", str(events), "--source", "crsp", "--cache-dir", str(tmp_path / "cache")]
    assert main([*crsp, "--out", str(tmp_path / "crsp")]) == 0
    prices = tmp_path / "prices"
    prices.mkdir()
    for name in ("NVDA.csv", "_GSPC.csv"):
        (prices / name).write_bytes(bundled_csv(name).read_bytes())
    on_prices = tmp_path / "events_prices.csv"
    on_prices.write_text("event_id,ticker,event_date,market\nDeepSeek,NVDA,2025-01-27,^GSPC\n")
    assert main(["run", "--events", str(on_prices), "--prices", str(prices), "--out", str(tmp_path / "csv")]) == 0
    a, b = pd.read_csv(tmp_path / "crsp" / "ar.csv"), pd.read_csv(tmp_path / "csv" / "ar.csv")
    assert len(a) == len(b) > 0
    assert np.abs(a["ar"].to_numpy() - b["ar"].to_numpy()).max() < 1e-9
    fake.fail = OSError("network is unreachable")  # the cache answers; WRDS is not asked again
    assert main([*crsp, "--offline", "--out", str(tmp_path / "again")]) == 0
    monkeypatch.delitem(sys.modules, "wrds")
    monkeypatch.setattr("builtins.__import__", _no_wrds(__import__))
    capsys.readouterr()
    code = main([*crsp, "--cache-dir", str(tmp_path / "empty"), "--out", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert code != 0
    assert "needs the wrds package" in err and "pip install 'eventstudy[wrds]'" in err and "Traceback" not in err


def _no_wrds(real: Any) -> Any:
    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "wrds":
            raise ImportError("No module named 'wrds'")
        return real(name, *args, **kwargs)

    return fake_import
