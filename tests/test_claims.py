"""Reported figures against computed ones: rules worked by hand, graded verdicts, and a gate that catches errors.

The mutation test's truth comes from the raw bundled CSV files (close-to-close changes
computed here with pandas), not from the claims module.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.claims import (
    CLOSE,
    COLUMNS,
    CONTRADICTED,
    MATCHES,
    NOT_CHECKABLE,
    RULE_TEXT,
    grade,
    load_claims,
    precision_unit,
    size_rule,
    size_words,
    verify,
)
from eventstudy.cli import default_study_path, main
from eventstudy.data.manifest import data_root

CLAIMS = data_root() / "claims" / "deepseek-2025-01-27.csv"


@pytest.mark.parametrize(
    ("text", "kind", "unit"),
    [
        ("-17", "percent", 1.0),
        ("-3.1", "percent", 0.1),
        ("-588.8", "USD bn", 0.1),
        ("-600", "USD bn", 100.0),
        ("3500", "USD bn", 100.0),
    ],
)
def test_precision_unit(text: str, kind: str, unit: float) -> None:
    assert precision_unit(text, kind) == pytest.approx(unit)


@pytest.mark.parametrize(
    ("rule", "computed", "reported", "unit", "expected"),
    [
        ("as_written", -16.97, -17, 1, MATCHES),  # rounds to 17
        ("as_written", -17.6, -17, 1, CLOSE),  # truncates to 17, rounds to 18: 0.1 beyond, within u/2
        ("as_written", -18.2, -17, 1, CONTRADICTED),
        ("as_written", -3.07, -3.1, 0.1, MATCHES),
        ("as_written", -3.02, -3.1, 0.1, CLOSE),
        ("as_written", 16.97, -17, 1, CONTRADICTED),  # wrong sign
        ("nearly", -16.97, -17, 1, MATCHES),
        ("nearly", -17.01, -17, 1, CLOSE),  # never above: just over is close
        ("nearly", -16.97, -18, 1, CLOSE),  # "nearly 18%" for 16.97%: 0.03 short of [17, 18), so not a match
        ("nearly", -16.4, -18, 1, CONTRADICTED),
        ("nearly", -3.76, -4, 1, MATCHES),
        ("more_than", -3.07, -3, 1, MATCHES),
        ("more_than", -3.0, -3, 1, CLOSE),  # strictly beyond: on the line is just outside
        ("less_than", 0.68, 1, 1, MATCHES),
        ("about", 0.68, 0.7, 0.1, MATCHES),
        ("about", 0.84, 0.7, 0.1, CLOSE),
        ("about", 0.9, 0.7, 0.1, CONTRADICTED),
        ("sign", 1.91, -1, 1, CONTRADICTED),
    ],
)
def test_rules_by_hand(rule: str, computed: float, reported: float, unit: float, expected: str) -> None:
    assert grade(rule, (computed, computed), reported, unit)[0] == expected


def test_size_words_need_two_standard_deviations_and_close_is_one() -> None:
    assert grade("sharp", (-4.2, -4.2), -1, 1, sd=1.8) == (MATCHES, 0.0)
    got, gap = grade("sharp", (-2.0, -2.0), -1, 1, sd=1.8)
    assert got == CLOSE and gap == pytest.approx(3.6 - 2.0)
    assert grade("sharp", (-1.0, -1.0), -1, 1, sd=1.8)[0] == CONTRADICTED
    assert grade("sharp", (2.0, 2.0), -1, 1, sd=0.5)[0] == CONTRADICTED  # the wrong way


def test_one_lexicon_decides_every_direction_word() -> None:
    lexicon = size_words()
    for words in ('"tumbled"', '"plummeted"', '"tanked"', '"down sharply"', '"sank"', '"went into a tailspin"'):
        assert size_rule(words, lexicon)[0] == "sharp", words
    for words in ('"fell"', '"shocked"', '"have fallen"', '"rattled"', '"route"'):
        assert size_rule(words, lexicon)[0] == "sign", words


def test_a_share_count_band_counts_and_implies_the_outlets_input(verdicts: pd.DataFrame) -> None:
    row = verdicts.loc["C14e"]  # CNN's $588.8bn, given as exact
    assert row["verdict"] == CONTRADICTED and row["gap"] > 1
    shares = float(re.search(r"implies ([\d.]+)bn shares", row["implied"]).group(1))  # type: ignore[union-attr]
    assert shares == pytest.approx(24.33, abs=0.01)
    assert "unknown" in row["rule"]  # one bundled NVDA count: the change since its date is unknown


@pytest.fixture(scope="module")
def verdicts() -> pd.DataFrame:
    return verify(load_claims(CLAIMS)).set_index("id")


def test_every_shared_claim_is_listed_and_graded(verdicts: pd.DataFrame) -> None:
    assert len(verdicts) == 130
    assert verdicts["quote"].str.len().min() > 10
    assert set(verdicts["verdict"]) <= {MATCHES, CLOSE, CONTRADICTED, NOT_CHECKABLE}
    reasons = verdicts.loc[verdicts["verdict"] == NOT_CHECKABLE, "rule"]
    assert (reasons.str.len() > 10).all()
    graded = verdicts[verdicts["verdict"].isin([CLOSE, CONTRADICTED]) & verdicts["unit"].ne("")]
    assert graded["allowed"].str.len().gt(0).all() and graded["gap"].gt(0).all()


def test_repeated_facts_are_counted_once(verdicts: pd.DataFrame) -> None:
    checked = verdicts[verdicts["verdict"] != NOT_CHECKABLE]
    facts = checked["fact"].nunique()
    assert facts < len(checked) / 2
    spx = checked[(checked["series"] == "^GSPC") & checked["fact"].str.contains("direction")]
    assert spx["fact"].nunique() == 1 and len(spx) > 10  # "the S&P 500 fell on 27 January", said many times


def test_no_rule_names_a_claim() -> None:
    source = (Path(__file__).parents[1] / "eventstudy" / "claims.py").read_text()
    assert not re.search(r"""["']C\d\d[a-z]?["']""", source)
    assert all("C1" not in text for text in RULE_TEXT.values())


def test_meta_down_sharply_is_a_finding(verdicts: pd.DataFrame) -> None:
    """Press: Meta 'down sharply' at the close; Meta closed up about 2%."""
    assert verdicts.loc["C25", "verdict"] == CONTRADICTED and verdicts.loc["C25", "computed"] > 0


def test_premarket_is_not_checkable(verdicts: pd.DataFrame) -> None:
    assert verdicts.loc["C12", "verdict"] == NOT_CHECKABLE and "premarket" in verdicts.loc["C12", "rule"]


def test_verify_exits_zero_on_bundled_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "130 claims" in out and "0 failing their gate" in out


def _verify_one(tmp_path: Path, row: str) -> int:
    """Run ``eventstudy verify`` on a claims file of one row."""
    claims = tmp_path / "c.csv"
    claims.write_text(f"{','.join(COLUMNS)}\n{row}\n")
    return main(["verify", "--claims", str(claims)])


def test_a_gated_claim_that_cannot_be_checked_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No share count is bundled for Meta: its market-value claim fails its gate, and verify says what is missing."""
    row = (
        'M1,M1,Wire,"Meta",2024-02-02,Meta,"Meta added $196 billion.",196,USD bn,about,"2 Feb 2024",'
        "mv_change,META,2024-02-01,2024-02-02,about,close,"
    )
    assert _verify_one(tmp_path, row) == 1
    captured = capsys.readouterr()
    assert "M1 is not checkable: no share count for META." in captured.out
    assert "M1" in captured.err


def test_a_move_on_days_the_data_lack_is_not_checkable_and_says_where_the_prices_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bundled Nasdaq Composite covers early 2025 only: a 2024 claim on it names the day and the span held."""
    row = (
        'X1,X1,Wire,"Chips",2024-02-22,Nasdaq,"The Nasdaq rose 3%.",3,percent,none,"22 Feb 2024",'
        "pct_change,^IXIC,2024-02-21,2024-02-22,as_written,matches,"
    )
    assert _verify_one(tmp_path, row) == 1
    held = pd.read_csv(data_root() / "prices" / "_IXIC.csv", parse_dates=["date"]).dropna(subset=["adj_close"])
    first, last = held["date"].min().date(), held["date"].max().date()
    expected = (
        f"X1 is not checkable: ^IXIC has no adjusted close on 2024-02-21 (its prices run from {first} to {last})."
    )
    assert expected in capsys.readouterr().out


def test_a_size_word_without_enough_earlier_returns_is_not_checkable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'tumbled' needs two sds of the series' daily returns; ^IXIC's bundled prices begin on 2 January 2025."""
    row = (
        'X2,X2,Wire,"Tech",2025-01-07,Nasdaq,"The Nasdaq tumbled.",neg,,tumbled,"7 Jan 2025",'
        "direction,^IXIC,2025-01-06,2025-01-07,,close,"
    )
    assert _verify_one(tmp_path, row) == 1
    out = capsys.readouterr().out
    assert "X2 is not checkable: ^IXIC has too few returns before 2025-01-06 for the size word's standard" in out


# ----------------------------------------------------------------- the gate catches plausible errors
def _truth(ticker: str, start: str, end: str) -> float:
    """Percent change of the adjusted close, straight from the bundled CSV files (not the claims module)."""
    name = ticker.replace("^", "_") + ".csv"
    path = data_root() / "prices" / name
    if path.is_file():
        series = pd.read_csv(path, index_col="date", parse_dates=True)["adj_close"]
    else:
        series = pd.read_csv(
            data_root() / "prices" / "sp500_adj_close_wide_2022_2025H1.csv", index_col="date", parse_dates=True
        )[ticker]
    return 100 * (series[pd.Timestamp(end)] / series[pd.Timestamp(start)] - 1)


def _is_wrong(reported: str, rule: str, ticker: str, start: str, end: str) -> bool:
    """Whether a figure is wrong about the independent truth, read as its words say (by hand, not by the module)."""
    truth = _truth(ticker, start, end)
    if reported in ("neg", "pos"):
        return (truth < 0) != (reported == "neg")
    x = float(reported)
    if math.copysign(1, truth) != math.copysign(1, x):
        return True
    t, x, u = abs(truth), abs(x), precision_unit(reported)
    right = {
        "as_written": abs(t - x) <= u / 2,
        "more_than": t > x,
        "less_than": t < x,
        "nearly": x - u <= t < x,
        "about": abs(t - x) <= u,
    }[rule]
    return not right


def _mutations(row: pd.Series, neighbours: list[str]) -> list[tuple[str, str, str]]:
    """Plausible wrong figures: one unit of the stated precision either way, the sign flipped, a neighbouring ticker."""
    out = []
    if row["reported"] in ("neg", "pos"):
        out.append(("pos" if row["reported"] == "neg" else "neg", row["series"], "sign flipped"))
    else:
        unit = precision_unit(row["reported"])
        decimals = max(0, -round(math.log10(unit)))
        for step in (-unit, unit):
            out.append((f"{float(row['reported']) + step:.{decimals}f}", row["series"], "one unit off"))
        out.append(
            (
                row["reported"].lstrip("-") if row["reported"].startswith("-") else "-" + row["reported"],
                row["series"],
                "sign flipped",
            )
        )
    out += [(row["reported"], t, "neighbouring ticker") for t in neighbours if t != row["series"]]
    return out


def test_plausible_wrong_figures_in_gated_claims_fail_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = [line for line in CLAIMS.read_text().splitlines() if line.startswith("#")]
    claims = pd.read_csv(CLAIMS, dtype=str, keep_default_na=False, skiprows=len(notes))
    gated = claims[claims["gate"] != ""]
    assert len(gated) >= 10
    neighbours = ["NVDA", "CEG", "VST", "GOOGL", "^GSPC", "^IXIC"]
    tried = caught = 0
    study = tmp_path / "study.toml"
    study.write_text(default_study_path().read_text())
    for _, row in gated.iterrows():
        for reported, series, how in _mutations(row, neighbours):
            if not _is_wrong(reported, row["rule"], series, row["start"], row["end"]):
                continue  # the "mutation" is true: e.g. 22% for GE Vernova's -21.52%
            mutated = claims.copy()
            mutated.loc[mutated["id"] == row["id"], ["reported", "series"]] = [reported, series]
            path = tmp_path / f"{row['id']}-{how.replace(' ', '_')}-{series}-{reported}.csv"
            path.write_text("\n".join(notes) + "\n" + mutated.to_csv(index=False))
            tried += 1
            code = main(["verify", str(study), "--claims", str(path)])
            err = capsys.readouterr().err
            caught += int(code == 1 and row["id"] in err)
            assert code == 1 and row["id"] in err, (row["id"], how, series, reported)
    print(f"mutation catch rate: {caught}/{tried}")
    assert tried >= 40 and caught == tried


def test_claims_template_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claims-template"]) == 0
    template = capsys.readouterr().out
    assert template.startswith("# id:") and "gate: matches or close" in template
    path = tmp_path / "mine.csv"
    path.write_text(template)
    # empty: its example is a comment, so rows added below are the study's only claims
    assert main(["verify", "--claims", str(path)]) == 2
    assert "has a header but no claims" in capsys.readouterr().err
    example = next(line for line in template.splitlines() if line.startswith("# an example row"))
    path.write_text(template + example.split(": ", 1)[1] + "\n")
    assert main(["verify", "--claims", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 claims: 1 match" in out


def test_a_claims_file_s_notes_and_no_other_s_reach_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The DeepSeek file's note on its quotes is its own: another study's claims section does not repeat it."""
    from eventstudy import StudyConfig
    from eventstudy.claims import claims_notes
    from eventstudy.config import Event
    from eventstudy.report import build_report
    from eventstudy.report.render import claims_section

    assert main(["claims-template"]) == 0
    template = capsys.readouterr().out
    template += next(line for line in template.splitlines() if line.startswith("# an example row")).split(": ", 1)[1]
    assert claims_notes(_write(tmp_path / "plain.csv", template)) == ()  # its explanation is no note
    noted = _write(tmp_path / "noted.csv", "# note: Quotes are paraphrased.\n" + template)
    for path, says in ((tmp_path / "plain.csv", False), (noted, True)):
        cfg = StudyConfig(name="x", events=(Event("NVDA", "NVDA", "2025-01-27", "^GSPC"),), claims=str(path))
        build_report(cfg, tmp_path / path.stem, sections=[claims_section])
        text = (tmp_path / path.stem / "report.md").read_text()
        assert ("Quotes are paraphrased." in text) == says
        assert "DeepSeeks" not in text
        assert f"The market figures the claims file ({path.name}) takes from its articles" in text
        assert "are findings:" not in text  # the template's one claim matches: no finding to introduce


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_missing_claims_file_is_named_where_the_study_file_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """claims = "mine.csv" beside a study of one's own: the error names that path, not the package's data folder."""
    study = tmp_path / "s.toml"
    study.write_text(
        '[study]\nname = "s"\nevent_date = 2025-01-27\ntickers = ["NVDA"]\n[report]\nclaims = "mine.csv"\n'
    )
    assert main(["verify", str(study)]) == 2
    err = capsys.readouterr().err
    assert f"claims file {tmp_path / 'mine.csv'} not found" in err and str(data_root()) not in err
