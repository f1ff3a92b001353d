"""The ``eventstudytools`` profile on EventStudyTools' own sample input files.

The request, firm and market files of EventStudyTools' S&P 500 example are read as they
are (semicolon layout, DD.MM.YYYY dates). The expected numbers are worked independently
here from the raw files: the firm and market series are joined on their common dates,
log returns taken, the market model fitted by least squares on the 120 common days
ending at day -11, and the CAR t-statistic formed from ARs and sigma rounded to 4
decimals as the service does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.cli import main
from tests.conftest import REFERENCE

DATA = REFERENCE / "eventstudytools_sp500_inputs"


def _read(name: str | Path) -> pd.DataFrame:
    frame = pd.read_csv(DATA / name, sep=";", header=None, names=["id", "date", "price"])
    frame["id"] = frame["id"].str.strip()
    frame["date"] = pd.to_datetime(frame["date"], format="%d.%m.%Y")
    frame["price"] = frame["price"].abs()  # CRSP marks a bid-ask midpoint with a minus sign
    return frame


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("est")
    code = main(
        [
            "run",
            "--events",
            str(DATA / "01_RequestFile.csv"),
            "--prices",
            str(DATA / "02_FirmData.csv"),
            "--prices",
            str(DATA / "03_MarketData.csv"),
            "--convention",
            "eventstudytools",  # prices as given: negative CRSP midpoints as abs, split-like jumps kept
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return {n: pd.read_csv(out / f"{n}.csv") for n in ("ar", "params", "tests")}


def _independent(firm_file: Path | None = None) -> dict[str, dict[str, object]]:
    firms, market = _read(firm_file or "02_FirmData.csv"), _read("03_MarketData.csv")
    request = pd.read_csv(DATA / "01_RequestFile.csv", sep=";", header=None)
    out = {}
    for _, row in request.iterrows():
        firm = firms[firms["id"] == str(row[1]).strip()]
        mkt = market[market["id"] == str(row[2]).strip()]
        both = firm.merge(mkt, on="date", suffixes=("_f", "_m")).sort_values("date").reset_index(drop=True)
        rf = np.log(both["price_f"]).diff().to_numpy()
        rm = np.log(both["price_m"]).diff().to_numpy()
        e = int(np.searchsorted(both["date"].to_numpy(), np.datetime64(pd.to_datetime(row[3], format="%d.%m.%Y"))))
        est = slice(e + int(row[7]) - int(row[8]) + 1, e + int(row[7]) + 1)
        x = np.column_stack([np.ones(120), rm[est]])
        coef, ssr, *_ = np.linalg.lstsq(x, rf[est], rcond=None)
        sigma = np.sqrt(ssr[0] / (120 - 2))
        days = np.arange(e + int(row[5]), e + int(row[6]) + 1)
        ar = rf[days] - coef[0] - coef[1] * rm[days]
        car = np.round(ar, 4).sum()
        out[str(row[0])] = {
            "ar": ar,
            "ar_t": np.round(ar, 4) / np.round(sigma, 4),
            "alpha": coef[0],
            "beta": coef[1],
            "t": car / (np.round(sigma, 4) * np.sqrt(len(days))),
            "dates": both["date"].to_numpy()[days],
        }
    return out


def test_abnormal_returns_match(outputs: dict[str, pd.DataFrame]) -> None:
    ar = outputs["ar"]
    for eid, ref in _independent().items():
        ours = ar[ar["event_id"].astype(str) == eid].sort_values("rel_day")
        np.testing.assert_allclose(ours["ar"].to_numpy(), ref["ar"], rtol=0, atol=1e-10)
        np.testing.assert_allclose(ours["ar_t"].to_numpy(), ref["ar_t"], rtol=1e-9)  # AR / sigma, rounded inputs
        assert list(pd.to_datetime(ours["date"])) == list(pd.to_datetime(ref["dates"]))


def test_market_model_and_car_t_match(outputs: dict[str, pd.DataFrame]) -> None:
    params, tests = outputs["params"], outputs["tests"]
    ref = _independent()
    for eid, r in ref.items():
        p = params[params["event_id"].astype(str) == eid].iloc[0]
        assert p["alpha"] == pytest.approx(r["alpha"], abs=1e-10)
        assert p["beta"] == pytest.approx(r["beta"], abs=1e-9)
        assert p["n_est"] == 120
        t = tests[(tests["event_id"].astype(str) == eid) & (tests["test"] == "t")]["statistic"].iloc[0]
        assert t == pytest.approx(r["t"], abs=1e-9)


def test_aggregate_tests_are_written(outputs: dict[str, pd.DataFrame]) -> None:
    agg = outputs["tests"][outputs["tests"]["scope"] == "aggregate"]
    assert {"[-2,+2]", "[0,0]"} <= set(agg["window"])
    assert len(agg) == 18 * 6  # 5 days and the window, 18 tests each


FILES = ["--events", str(DATA / "01_RequestFile.csv"), "--prices", str(DATA / "02_FirmData.csv")]
FILES += ["--prices", str(DATA / "03_MarketData.csv")]


def test_negative_price_is_an_error_under_the_default_convention(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["run", *FILES, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "non-positive price" in err and "--negative-prices abs" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_unadjusted_splits_in_the_sample_are_found(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Danaher (2-for-1, 1998) and Lexmark (2-for-1, 1999) closes in the sample are not split-adjusted.

    The default convention leaves them out; the eventstudytools profile keeps them, as the
    service does, and says so.
    """
    assert main(["run", *FILES, "--negative-prices", "abs", "--out", str(tmp_path / "m")]) == 0
    err = capsys.readouterr().err
    assert "(Danaher): Danaher's price moves by a factor of 1/2 on 1998-06-01" in err
    assert "(Lexmark): Lexmark's price moves by a factor of 1/2 on 1999-06-11" in err
    params = pd.read_csv(tmp_path / "m" / "params.csv")
    assert params["status"].str.startswith("excluded").sum() == 2

    assert main(["run", *FILES, "--convention", "eventstudytools", "--out", str(tmp_path / "e")]) == 0
    err = capsys.readouterr().err
    assert "kept, as the eventstudytools convention does" in err
    params = pd.read_csv(tmp_path / "e" / "params.csv")
    assert params["status"].str.startswith("ok: kept").sum() == 2 and params["status"].str.startswith("ok").all()


def test_days_a_firm_does_not_trade_are_skipped_for_both_series(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Thin trading: drop some firm days; the return after a gap spans it for firm and market alike."""
    firms = (DATA / "02_FirmData.csv").read_text().splitlines()
    dropped = {
        "Adobe Systems;14.03.1997",
        "Adobe Systems;02.04.1997",
        "Adobe Systems;29.04.1997",
        "Yahoo;29.11.1999",
        "Yahoo;01.09.1999",
    }
    kept = [line for line in firms if ";".join(line.split(";")[:2]) not in dropped]
    assert len(kept) == len(firms) - len(dropped)
    thin = tmp_path / "firms.csv"
    thin.write_text("\n".join(kept) + "\n")
    out = tmp_path / "o"
    args = ["run", "--events", str(DATA / "01_RequestFile.csv"), "--prices", str(thin)]
    args += ["--prices", str(DATA / "03_MarketData.csv"), "--convention", "eventstudytools"]
    assert main([*args, "--out", str(out)]) == 0
    ar = pd.read_csv(out / "ar.csv")
    ref = _independent(firm_file=thin)
    for eid in ("75510", "83435"):
        ours = ar[ar["event_id"].astype(str) == eid].sort_values("rel_day")
        np.testing.assert_allclose(ours["ar"].to_numpy(), ref[eid]["ar"], rtol=0, atol=1e-10)


def test_a_window_that_lost_its_last_days_is_filled_by_repeating_its_days() -> None:
    """Worked by hand: window [-2,2] on columns 3..7; the second firm-event kept 3 days, the third 2 with a gap."""
    from eventstudy.conventions import RecycledDays, SameDays
    from eventstudy.windows import Window

    rel = np.arange(-5, 3)  # columns 0..7, the event window [-2,2] on columns 3..7
    positions = np.array(
        [
            [0, 1, 2, 3, 4, 5, 6, 7],  # whole window: untouched
            [0, 1, 2, 3, 4, 5, -1, -1],  # kept -2, -1, 0: +1 takes -2's column, +2 takes -1's
            [0, 1, 2, 3, -1, 5, -1, -1],  # a gap before its end: not what the service relabels, untouched
        ]
    )
    out = RecycledDays().columns(positions, rel, Window(-2, 2))
    assert out is not None
    assert out[0].tolist() == list(range(8))
    assert out[1].tolist() == [0, 1, 2, 3, 4, 5, 3, 4]
    assert out[2].tolist() == list(range(8))
    assert RecycledDays().columns(positions[[0]], rel, Window(-2, 2)) is None
    assert SameDays().columns(positions, rel, Window(-2, 2)) is None


def test_numbers_are_rounded_as_jsonlite_writes_them() -> None:
    """Four decimals above 1e-5 in magnitude, five significant digits at or below (jsonlite's num_to_char).

    The service's insider-trading run prints an AR of -1.4562E-6 (t -0.0001) and one of 1.003e-05 as 0.
    """
    from eventstudy.conventions import json_round

    got = json_round(np.array([-1.45623911e-06, 1.003e-05, 9.9e-06, -0.021345, 0.12345, np.nan, 0.0]), 4)
    np.testing.assert_array_equal(got[[0, 1, 2, 3]], [-1.4562e-06, 0.0, 9.9e-06, -0.0213])
    assert got[4] == 0.1234  # 0.12345 lies just below the tie in binary: down
    assert np.isnan(got[5]) and got[6] == 0.0
    # exact binary ties go to the even last digit: 0.5 -> 0 and 1.5 -> 2 in units of 1e-1
    np.testing.assert_array_equal(json_round(np.array([0.25, 0.75, -0.25]), 1), [0.2, 0.8, -0.2])


def test_a_tiny_estimation_ar_counts_as_positive_in_the_generalized_sign_share() -> None:
    """Kept by jsonlite's rounding, an AR of +3e-6 is positive; four-decimal rounding would make it 0."""
    from eventstudy.conventions import Rounding

    est = np.array([3e-6, -0.004, 0.002, -4e-5])
    assert (Rounding(4).compute(est) > 0).sum() == 2
    assert (np.round(est, 4) > 0).sum() == 1


def test_a_shortened_window_s_generalized_ranks_are_scaled_by_the_requested_length_by_hand() -> None:
    """Three estimation SARs of a window of five requested, and the event SAR above them all.

    Own length: T = 3 + 1, the event ranks 4th: 4 / 5 - 1/2 = 0.3. Requested: T = 5 + 1, 4 / 7 - 1/2.
    """
    from eventstudy.aggregate import grank_sums
    from eventstudy.conventions import OwnLength, RequestedLength
    from eventstudy.windows import Window

    est_ar = np.array([[np.nan, np.nan, 0.01, -0.02, 0.005]])
    events = {Window(0, 0): (np.array([True]), np.array([9.0]))}
    own = grank_sums(est_ar, np.array([0.01]), events, OwnLength())[Window(0, 0)]
    requested = grank_sums(est_ar, np.array([0.01]), events, RequestedLength())[Window(0, 0)]
    assert own.u0_sum == pytest.approx(4 / 5 - 0.5)
    assert requested.u0_sum == pytest.approx(4 / 7 - 0.5)
    # the estimation SARs 1, -2 and 0.5 rank 3rd, 1st and 2nd among the four
    np.testing.assert_allclose(requested.sums[2:], np.array([3, 1, 2]) / 7 - 0.5)
    np.testing.assert_allclose(own.sums[2:], np.array([3, 1, 2]) / 5 - 0.5)
    assert requested.null_var == pytest.approx((6 - 1) / (12 * (6 + 1)))


def test_the_caar_patell_z_standardises_each_firm_event_by_its_own_estimation_length_by_hand() -> None:
    """Two firm-events, M = 10 and M = 20 (df 8 and 18), CSARs 3 and -1 over a window of 4 days.

    Per firm-event: z_i = CSAR_i / sqrt(L df / (df - 2)): 3 / sqrt(4 * 8/6) and -1 / sqrt(4 * 18/16), summed
    over sqrt(2). The pooled form divides (3 - 1) / sqrt(4) by sqrt(8/6 + 18/16) instead.
    """
    from eventstudy.conventions import CsarWindow, ScarWindow

    days = np.array([4.0, 4.0])
    sx = CsarWindow().compute(np.array([np.nan, np.nan]), np.array([3.0, -1.0]), days)
    var = np.array([8 / 6, 18 / 16])
    per_firm = (3 / np.sqrt(4 * 8 / 6) - 1 / np.sqrt(4 * 18 / 16)) / np.sqrt(2)
    assert CsarWindow().patell_z(sx, var, 1.0) == pytest.approx(per_firm, rel=1e-14)
    assert ScarWindow().patell_z(sx, var, 1.0) == pytest.approx(1.0 / np.sqrt(8 / 6 + 18 / 16), rel=1e-14)
    # a window that lost a day counts the days it has: its CSAR over sqrt(3)
    assert CsarWindow().compute(np.array([np.nan]), np.array([3.0]), np.array([3.0]))[0] == pytest.approx(np.sqrt(3))


def test_a_car_s_standardising_sd_counts_the_days_given_and_the_rounded_sigma_by_hand() -> None:
    """Market model on 4 estimation days x = 0, 1, 2, 3 (mean 1.5, S = 5), sigma 0.0123456.

    Window of 3 days with market returns 1, 2, 4 (sum 7). All three days: Var = s^2 (3 + 9/4 +
    (7 - 4.5)^2 / 5). Counting 2 days: Var = s^2 (2 + 4/4 + (7 - 3)^2 / 5), with s the sigma given.
    """
    from eventstudy import abnormal
    from eventstudy.conventions import CsarWindow, Rounding, ScarWindow

    est = np.array([[True] * 4 + [False] * 3])
    x = np.array([[0.0, 1.0, 2.0, 3.0, 1.0, 2.0, 4.0]])[:, :, None]
    y = np.array([[0.1, -0.2, 0.3, 0.05, 0.0, 0.0, 0.0]])
    fit = abnormal.fit_stack(y, x, est)
    cols = np.array([4, 5, 6])
    whole = fit.sigma2[0] * (3 + 9 / 4 + (7 - 4.5) ** 2 / 5)
    assert abnormal.car_variance(fit, x, cols)[0] == pytest.approx(whole, rel=1e-12)
    counted = abnormal.car_variance(fit, x, cols, length=np.array([2.0]))[0]
    assert counted == pytest.approx(fit.sigma2[0] * (2 + 4 / 4 + (7 - 3) ** 2 / 5), rel=1e-12)
    sigma = np.array([0.0123])
    service = CsarWindow().car_sd(fit, x, cols, sigma, np.array([2.0]), Rounding(4))[0]
    assert service == pytest.approx(0.0123 * np.sqrt(2 + 4 / 4 + (7 - 3) ** 2 / 5), rel=1e-12)  # not rounded
    plain = ScarWindow().car_sd(fit, x, cols, sigma, np.array([2.0]), Rounding(4))[0]
    assert plain == round(float(np.sqrt(whole)), 4)


def test_a_study_file_that_names_a_request_file_takes_its_windows_as_the_command_line_does(tmp_path: Path) -> None:
    from eventstudy.config import StudyConfig

    request = Path(__file__).parent / "reference" / "eventstudytools_axon_gspc" / "01_requestFile.csv"
    toml = tmp_path / "s.toml"
    # events 59 and 60 are the same filing day, as the service counts them
    toml.write_text(f'[study]\nname = "axon"\nevents_file = "{request.as_posix()}"\n[data]\nallow_duplicates = true\n')
    config = StudyConfig.from_toml(toml)
    # the request file's lines: window 0..2, estimation 120 sessions ending at -14
    assert (str(config.event_window), str(config.estimation)) == ("[0,+2]", "[-133,-14]")
    assert len(config.events) == 167 and config.events[0].group == "CurrentReport"
    toml.write_text(toml.read_text() + '[model]\nevent_window = "0:1"\n')
    assert str(StudyConfig.from_toml(toml).event_window) == "[0,+1]"
