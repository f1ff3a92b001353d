"""Reported figures against computed ones, with verdicts that respect the wording.

Each claim in a study's claims file names a check (``kind``), the series, the window,
the reported value and a rule derived from the qualifier. The rules are written here
once and printed in the report:

- as written ("fell 17%"): the number carries its precision u (1 for "17", 0.1 for
  "3.1", 100 for "$600 billion"); it holds when the computed magnitude rounds or
  truncates to it, i.e. lies in [X - u/2, X + u), with the same sign;
- "more than X": magnitude strictly above X; "less than X": strictly below;
- "nearly X" / "almost X": at most X and at least 0.9 X (just below, never above);
- "about X": within 10% of X (or half its precision unit, if wider);
- direction words ("fell", "rose"): the sign; words that imply size ("sank",
  "tumbled", "down sharply", "plummeted") also need a move of at least 2% for a stock
  or 1% for an index or ETF (about one typical daily standard deviation);
- market values carry the share-count uncertainty (SHARES_UNCERTAINTY): a claim holds
  if any value in that band satisfies its rule;
- an unstated end date: every plausible end date is tried; the claim is supported if it
  holds for all, contradicted if for none, and not checkable if the answer depends on it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.config import StudyConfig
from eventstudy.data.manifest import data_root
from eventstudy.data.panel import PricePanel
from eventstudy.data.sources import BundledSource, Source
from eventstudy.dollar import shares_on
from eventstudy.errors import ConfigError
from eventstudy.resolved import ResolvedConfig

SUPPORTED, CONTRADICTED, NOT_CHECKABLE = "supported", "contradicted", "not checkable"
SHARES_UNCERTAINTY = 0.01
"""Relative uncertainty of a share count: 3-significant-figure rounding (0.2%) plus
buybacks and issuance between the count's date and the event (about 0.5% a quarter)."""
SHARP_MOVE = {"stock": 2.0, "index": 1.0}
NEARLY_BAND = 0.9
ABOUT_BAND = 0.10
ETFS = {"SPY", "QQQ", "DIA", "XLU", "SMH", "SOXX"}
REQUIRED = ("id", "quote", "reported", "qualifier", "kind", "series", "start", "end", "rule", "gate")

RULE_TEXT = {
    "as_written": "as written: the computed value rounds or truncates to the reported number at its precision",
    "more_than": "more than: magnitude strictly above the reported number",
    "less_than": "less than: magnitude strictly below the reported number",
    "nearly": "nearly: at most the reported number and at least 90% of it",
    "about": "about: within 10% of the reported number",
    "sign": "direction: the sign of the move",
    "sharp": "direction with size: the sign, and at least 2% for a stock or 1% for an index or ETF",
}


@dataclass(frozen=True)
class Claim:
    """One reported figure and how it is checked."""

    id: str
    quote: str
    outlet: str
    article: str
    reported: str
    unit: str
    qualifier: str
    kind: str
    series: str
    start: str
    end: str
    rule: str
    gate: bool
    how_checked: str


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one claim."""

    claim: Claim
    computed: float
    computed_text: str
    verdict: str
    why: str


def load_claims(path: str | Path) -> list[Claim]:
    """Read a claims CSV (see ``data/claims/`` for the columns).

    Raises
    ------
    ConfigError
        If the file is missing, unreadable or lacks a required column.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ConfigError(f"claims file {path} not found; check [report] claims in the study file.") from None
    except pd.errors.EmptyDataError:
        raise ConfigError(f"claims file {path} is empty; write a header and one row per claim.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError(f"claims file {path} is not a readable CSV ({str(exc).splitlines()[0]}).") from None
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ConfigError(f"claims file {path} lacks column(s) {', '.join(missing)}.")
    if frame.empty:
        raise ConfigError(f"claims file {path} has a header but no claims; add one row per claim.")
    claims = []
    for row in frame.to_dict("records"):
        claims.append(
            Claim(
                id=row["id"],
                quote=row["quote"],
                outlet=row.get("outlet", ""),
                article=row.get("article", ""),
                reported=row["reported"],
                unit=row.get("unit", ""),
                qualifier=row["qualifier"],
                kind=row["kind"],
                series=row["series"],
                start=row["start"],
                end=row["end"],
                rule=row["rule"],
                gate=row["gate"].strip().lower() in ("yes", "true", "1"),
                how_checked=row.get("how_checked", ""),
            )
        )
    return claims


# ----------------------------------------------------------------------------- rules
def precision_unit(text: str, unit: str = "percent") -> float:
    """Precision unit of a reported number.

    ``"3.1"`` -> 0.1 and ``"17"`` -> 1 for percentages; for dollar amounts trailing
    zeros are not significant (``"$600 billion"`` -> 100, ``"$3.5tn"`` = 3500 -> 100).
    """
    digits = text.strip().lstrip("+-")
    if "." in digits:
        return 10.0 ** -len(digits.split(".")[1])
    if unit != "USD bn":
        return 1.0
    stripped = digits.rstrip("0")
    return 10.0 ** (len(digits) - len(stripped)) if stripped else 1.0


def holds(rule: str, computed: float, reported: float, unit: float, kind: str = "stock") -> bool:
    """Whether ``computed`` satisfies ``rule`` for a reported number (signed, same units)."""
    if not math.isfinite(computed):
        return False
    same_sign = reported == 0 or np.sign(computed) == np.sign(reported)
    c, x = abs(computed), abs(reported)
    if rule == "sign":
        return bool(same_sign)
    if rule == "sharp":
        return bool(same_sign and c >= SHARP_MOVE[kind])
    if rule.startswith("at_least:"):
        return bool(same_sign and c >= float(rule.split(":")[1]))
    if not same_sign:
        return False
    if rule == "as_written":
        return x - unit / 2 <= c < x + unit
    if rule == "more_than":
        return c > x
    if rule == "less_than":
        return c < x
    if rule == "nearly":
        return NEARLY_BAND * x <= c <= x
    if rule == "about":
        return abs(c - x) <= max(ABOUT_BAND * x, unit / 2)
    raise ConfigError(f"rule={rule!r} is not known; choose one of: {', '.join(RULE_TEXT)}, at_least:N.")


def accepted_magnitudes(rule: str, x: float, unit: float) -> tuple[float, float]:
    """Return the closed range of magnitudes a rule accepts for a reported magnitude ``x``.

    Used to ask whether any value in an uncertainty band satisfies the rule.
    """
    if rule == "as_written":
        return x - unit / 2, x + unit
    if rule == "more_than":
        return x, math.inf
    if rule == "less_than":
        return 0.0, x
    if rule == "nearly":
        return NEARLY_BAND * x, x
    if rule == "about":
        half = max(ABOUT_BAND * x, unit / 2)
        return x - half, x + half
    if rule.startswith("at_least:"):
        return float(rule.split(":")[1]), math.inf
    return 0.0, math.inf


def _reported_number(claim: Claim) -> float:
    text = claim.reported.strip()
    if text.startswith(("neg", "pos")):  # direction words, e.g. "neg (each)"
        return -1.0 if text.startswith("neg") else 1.0
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"claim {claim.id}: reported={text!r} is not a number, 'neg' or 'pos'.") from None


# ----------------------------------------------------------------------------- data
class Lookup:
    """Prices of the claims' series, read once."""

    def __init__(self, panel: PricePanel) -> None:
        self.panel = panel

    def value(self, fld: str, ticker: str, day: str) -> float:
        """Return price field ``fld`` of ``ticker`` on ``day`` (NaN if absent)."""
        frame: pd.DataFrame = getattr(self.panel, fld)
        try:
            return float(frame.loc[pd.Timestamp(day), ticker])
        except KeyError:
            return float("nan")

    def pct(self, ticker: str, start: str, end: str) -> float:
        """Return the percent change of the adjusted close from ``start`` to ``end``."""
        return 100.0 * (self.value("adj_close", ticker, end) / self.value("adj_close", ticker, start) - 1.0)


def _series(spec: str, start: str, end: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Parse ``A;B`` or ``A[d0:d1];B[d2:d3]`` into tickers with (start, end) pairs."""
    out = []
    for part in [p.strip() for p in spec.split(";") if p.strip()]:
        m = re.match(r"^(.+?)\[(\d{4}-\d\d-\d\d):(\d{4}-\d\d-\d\d)\]$", part)
        if m:
            out.append((m.group(1), [(m.group(2), m.group(3))]))
        else:
            starts, ends = start.split(";"), end.split(";")
            pairs = list(zip(starts, ends, strict=True)) if len(starts) == len(ends) else [(starts[0], e) for e in ends]
            out.append((part, pairs))
    return out


def _kind_of(ticker: str) -> str:
    return "index" if ticker.startswith("^") or ticker in ETFS else "stock"


def _fmt(v: float, unit: str) -> str:
    if not math.isfinite(v):
        return "n/a"
    if unit == "USD bn":
        return f"{'-' if v < 0 else ''}${abs(v):,.1f}bn"
    return f"{v:+.2f}%"


def check(claim: Claim, data: Lookup) -> Verdict:
    """Check one claim against the data."""
    if claim.kind == "not_checkable":
        return Verdict(claim, float("nan"), "", NOT_CHECKABLE, claim.how_checked)
    if claim.kind == "record_loss":
        # A record across all stocks cannot be settled from a few series; show the
        # series' own largest earlier loss as evidence, and say so.
        computed, text = _largest_earlier_loss(data, claim.series, claim.start)
        return Verdict(claim, computed, text, NOT_CHECKABLE, claim.how_checked)
    x = _reported_number(claim)
    unit = 1.0 if claim.reported.startswith(("neg", "pos")) else precision_unit(claim.reported, claim.unit)
    results: list[tuple[float, bool]] = []
    for ticker, pairs in _series(claim.series, claim.start, claim.end):
        if ticker not in data.panel.tickers:
            return Verdict(claim, float("nan"), "", NOT_CHECKABLE, f"series {ticker} is not in the data")
        for start, end in pairs:
            value, ok = _evaluate(claim, data, ticker, start, end, x, unit)
            results.append((value, ok))
    values = [v for v, _ in results]
    oks = [ok for _, ok in results]
    text = " / ".join(_fmt(v, claim.unit) for v in values)
    rule = RULE_TEXT.get(claim.rule, claim.rule)
    if claim.kind == "mv_change" or claim.kind == "mv_level":
        rule += f"; share count taken as uncertain by +/-{SHARES_UNCERTAINTY:.0%}"
    if all(oks):
        verdict = SUPPORTED
    elif not any(oks):
        verdict = CONTRADICTED
    elif len(_series(claim.series, claim.start, claim.end)) > 1:
        verdict = CONTRADICTED
        rule += "; fails for at least one of the series named"
    else:
        verdict = NOT_CHECKABLE
        rule += "; the answer depends on the end date the article does not give"
    first = values[0] if values else float("nan")
    return Verdict(claim, first, text, verdict, rule)


def _evaluate(
    claim: Claim, data: Lookup, ticker: str, start: str, end: str, x: float, unit: float
) -> tuple[float, bool]:
    if claim.kind in ("pct_change", "direction", "annual_change"):
        value = data.pct(ticker, start, end)
        rule = "more_than" if claim.kind == "annual_change" else claim.rule
        return value, holds(rule, value, x, unit, _kind_of(ticker))
    if claim.kind == "intraday_low":
        value = 100.0 * (data.value("low", ticker, end) / data.value("close", ticker, start) - 1.0)
        return value, holds(claim.rule, value, x, unit)
    if claim.kind == "open_vs_close":
        opened = data.value("open", ticker, end)
        closed = data.value("close", ticker, end)
        value = 100.0 * (opened / data.value("close", ticker, start) - 1.0)
        return value, bool(np.isfinite(opened) and opened < closed)
    if claim.kind in ("mv_change", "mv_level"):
        found = shares_on(ticker, pd.Timestamp(end).date())
        if found is None:
            return float("nan"), False
        shares = found[0]
        if claim.kind == "mv_change":
            value = shares * (data.value("close", ticker, end) - data.value("close", ticker, start)) / 1e9
        else:
            value = shares * data.value("close", ticker, end) / 1e9
        lo, hi = sorted((abs(value) * (1 - SHARES_UNCERTAINTY), abs(value) * (1 + SHARES_UNCERTAINTY)))
        ok_lo, ok_hi = accepted_magnitudes(claim.rule, abs(x), unit)
        same_sign = x == 0 or np.sign(value) == np.sign(x) or claim.rule.startswith(("sign", "at_least"))
        return value, bool(same_sign and np.isfinite(value) and lo <= ok_hi and ok_lo <= hi)
    raise ConfigError(f"claim {claim.id}: kind={claim.kind!r} is not known.")


def _largest_earlier_loss(data: Lookup, ticker: str, before: str) -> tuple[float, str]:
    """Largest one-day market-value loss of ``ticker`` up to ``before``, at the latest share count."""
    if ticker not in data.panel.tickers:
        return float("nan"), ""
    found = shares_on(ticker, pd.Timestamp(before).date())
    if found is None:
        return float("nan"), ""
    loss = data.panel.close[ticker].dropna().diff() * found[0] / 1e9
    earlier = loss.loc[: pd.Timestamp(before)]
    day = earlier.idxmin()
    return float(earlier.min()), (
        f"{ticker}'s largest earlier one-day loss here: -${abs(earlier.min()):,.0f}bn on {day.date()} "
        "(at the latest share count)"
    )


# ----------------------------------------------------------------------------- study
def claims_path(config: StudyConfig | ResolvedConfig, base_dir: Path | None = None) -> Path:
    """Resolve the study's claims file: beside the study file, else in the bundled data."""
    if not config.claims:
        raise ConfigError(f'study {config.name!r} names no claims file; add claims = "PATH" under [report].')
    rel = Path(config.claims)
    candidates = [base_dir / rel, base_dir.parent / rel] if base_dir is not None else []
    candidates.append(data_root() / rel)
    return next((c for c in candidates if c.is_file()), candidates[-1])


def claim_series(claims: list[Claim]) -> list[str]:
    """Every series the claims need."""
    names: list[str] = []
    for c in claims:
        if c.kind == "not_checkable":
            continue
        for ticker, _ in _series(c.series, c.start or "x", c.end or "x"):
            names.append(ticker)
    return list(dict.fromkeys(names))


def verify(claims: list[Claim], source: Source | None = None) -> pd.DataFrame:
    """Check every claim; one row per claim with the verdict and the rule used."""
    src = source if source is not None else BundledSource()
    available = set(BundledSource().available()) if isinstance(src, BundledSource) else None
    names = [n for n in claim_series(claims) if available is None or n in available]
    data = Lookup(src.load(names))
    rows = []
    for c in claims:
        v = check(c, data)
        rows.append(
            {
                "id": c.id,
                "outlet": c.outlet,
                "article": c.article,
                "quote": c.quote,
                "series": c.series,
                "reported": c.reported,
                "unit": c.unit,
                "qualifier": c.qualifier,
                "computed": v.computed,
                "computed_text": v.computed_text,
                "verdict": v.verdict,
                "rule": v.why,
                "gate": c.gate,
                "span_days": _span_days(c),
            }
        )
    return pd.DataFrame(rows)


def _span_days(claim: Claim) -> float:
    """Calendar days from the earliest start to the latest end the claim's window allows (NaN if undated)."""
    days = [
        pd.Timestamp(d)
        for d in f"{claim.start};{claim.end}".split(";")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.strip())
    ]
    return float((max(days) - min(days)).days) if days else float("nan")


def verify_study(config: StudyConfig, base_dir: Path | None = None) -> tuple[str, list[str]]:
    """Check a study's claims; return a printable table and the ids of failed gated claims."""
    table = verify(load_claims(claims_path(config, base_dir)))
    failed = table.loc[table["gate"] & (table["verdict"] != SUPPORTED), "id"].tolist()
    show = table[["id", "series", "reported", "qualifier", "computed_text", "verdict", "gate"]].copy()
    show["gate"] = np.where(show["gate"], "gate", "")
    show["qualifier"] = show["qualifier"].str.slice(0, 28)
    show["series"] = show["series"].str.slice(0, 22)
    counts = table["verdict"].value_counts()
    footer = (
        f"\n{len(table)} claims: {counts.get(SUPPORTED, 0)} supported, {counts.get(CONTRADICTED, 0)} contradicted, "
        f"{counts.get(NOT_CHECKABLE, 0)} not checkable; {int(table['gate'].sum())} gated, {len(failed)} gated failing."
    )
    return show.to_string(index=False) + footer, failed
