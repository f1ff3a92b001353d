"""Reported figures against computed ones: rules worked by hand, the bundled verdicts and the gate."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.claims import CONTRADICTED, NOT_CHECKABLE, SUPPORTED, holds, load_claims, precision_unit, verify
from eventstudy.cli import default_study_path, main
from eventstudy.data.manifest import data_root

CLAIMS = data_root() / "claims" / "deepseek-2025-01-27.csv"


@pytest.mark.parametrize(
    ("text", "kind", "unit"),
    [
        ("-17", "percent", 1.0),
        ("-20", "percent", 1.0),
        ("-3.1", "percent", 0.1),
        ("-588.8", "USD bn", 0.1),
        ("-600", "USD bn", 100.0),
        ("3500", "USD bn", 100.0),
        ("+0.7", "percent", 0.1),
    ],
)
def test_precision_unit(text: str, kind: str, unit: float) -> None:
    assert precision_unit(text, kind) == pytest.approx(unit)


@pytest.mark.parametrize(
    ("rule", "computed", "reported", "unit", "expected"),
    [
        ("as_written", -16.97, -17, 1, True),  # rounds to 17
        ("as_written", -17.6, -17, 1, True),  # truncates to 17
        ("as_written", -16.4, -17, 1, False),
        ("as_written", -3.07, -3.1, 0.1, True),
        ("as_written", -3.02, -3.1, 0.1, False),
        ("as_written", 16.97, -17, 1, False),  # wrong sign
        ("nearly", -16.97, -17, 1, True),
        ("nearly", -17.01, -17, 1, False),  # never above
        ("nearly", -3.76, -4, 1, True),
        ("nearly", -3.5, -4, 1, False),  # more than 10% short
        ("more_than", -3.07, -3, 1, True),
        ("more_than", -3.0, -3, 1, False),  # strictly beyond
        ("less_than", 0.68, 1, 1, True),
        ("about", 0.68, 0.7, 0.1, True),
        ("sign", 1.91, -1, 1, False),
        ("sharp", -2.14, -1, 1, True),
        ("sharp", -1.5, -1, 1, False),  # a stock needs 2%
    ],
)
def test_rules_by_hand(rule: str, computed: float, reported: float, unit: float, expected: bool) -> None:
    assert holds(rule, computed, reported, unit) is expected


def test_sharp_threshold_for_an_index() -> None:
    assert holds("sharp", -1.46, -1, 1, "index") is True


@pytest.fixture(scope="module")
def verdicts() -> pd.DataFrame:
    return verify(load_claims(CLAIMS)).set_index("id")


def test_every_shared_claim_is_listed(verdicts: pd.DataFrame) -> None:
    assert len(verdicts) == 130
    groups = {i[:3] for i in verdicts.index}
    assert len(groups) == 66
    assert verdicts["quote"].str.len().min() > 10
    assert set(verdicts["verdict"]) <= {SUPPORTED, CONTRADICTED, NOT_CHECKABLE}
    reasons = verdicts.loc[verdicts["verdict"] == NOT_CHECKABLE, "rule"]
    assert (reasons.str.len() > 10).all()


@pytest.mark.parametrize("cid", ["C09a", "C09d", "C23", "C01c", "C01a", "C02", "C14e", "C04a", "C22a", "C24"])
def test_headline_claims_supported(verdicts: pd.DataFrame, cid: str) -> None:
    assert verdicts.loc[cid, "verdict"] == SUPPORTED, verdicts.loc[cid, "rule"]


def test_nvidia_value_lost_is_near_reported(verdicts: pd.DataFrame) -> None:
    assert abs(verdicts.loc["C14e", "computed"] - (-588.8)) / 588.8 < 0.01


def test_meta_down_sharply_is_a_finding(verdicts: pd.DataFrame) -> None:
    """Press: Meta 'down sharply' at the close; Meta closed up about 2%."""
    assert verdicts.loc["C25", "verdict"] == CONTRADICTED
    assert verdicts.loc["C25", "computed"] > 0


def test_premarket_is_not_checkable(verdicts: pd.DataFrame) -> None:
    assert verdicts.loc["C12", "verdict"] == NOT_CHECKABLE
    assert "premarket" in verdicts.loc["C12", "rule"]


def test_verify_exits_zero_on_bundled_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "130 claims" in out and "0 gated failing" in out


@pytest.mark.parametrize(("cid", "new_value"), [("C09a", "-15"), ("C14e", "-550.5"), ("C23", "-20")])
def test_gate_fails_when_a_reported_figure_is_altered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cid: str, new_value: str
) -> None:
    claims = pd.read_csv(CLAIMS, dtype=str, keep_default_na=False)
    claims.loc[claims["id"] == cid, "reported"] = new_value
    (tmp_path / "claims").mkdir()
    claims.to_csv(tmp_path / "claims" / "deepseek-2025-01-27.csv", index=False)
    study = tmp_path / "study.toml"
    study.write_text(default_study_path().read_text())
    assert main(["verify", str(study)]) == 1
    assert cid in capsys.readouterr().err
