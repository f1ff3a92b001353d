"""Reported figures against computed ones: rules fixed before looking, graded verdicts with distances.

Each claim in a claims file names a check (``kind``), the series, the window, the
reported value and its qualifier. One rule per qualifier, the same for every claim,
written here once and printed in the report (:data:`RULE_TEXT`):

- a number is read at the precision it is written with, its *granularity* u (1 for
  "17%", 0.1 for "3.1%", 100 for "$600bn": trailing zeros of a round number are not
  significant). As written, it holds when the computed magnitude rounds to it:
  within u/2 (newsrooms round, they do not truncate; AP Stylebook, "numerals" and
  "percentages");
- "more than X" / "less than X": strictly beyond / below X;
- "nearly X", "almost X": below X and within one granularity step of it, [X - u, X);
  "about X": within one step either side, [X - u, X + u]. Approximators widen a number
  by its granularity (Krifka 2007, "Approximate interpretation of number words");
  "almost"/"nearly" add that the value falls short (Nouwen 2006; Amaral 2007);
- direction words: the sign. Words that imply size (one lexicon for every claim,
  ``data/claims/size_words.csv``: "sank", "tumbled", "down sharply", ...) also need a
  move of at least two standard deviations of the series' own daily returns over the
  250 sessions before it: an unusual day for that series, at about the 5% two-sided
  level;
- market values carry the share count's own uncertainty, computed: half a unit of its
  last significant digit, plus the change in shares between the count's date and the
  event where two counts (the study's or the bundled ones) bracket or precede it (else
  that change is unknown and said to be);
- an unstated end date: every plausible end date is tried; if the grade depends on it
  the claim is not checkable.

Grades: ``matches`` (inside the rule), ``close`` (outside it by at most half a
granularity step; for a size word, the right sign and at least one standard deviation),
``contradicted``, ``not checkable`` (with why). Every verdict carries the reported and
computed values, the gap in the claim's unit and the interval the rule allowed. A
claim's ``gate`` column declares, before anything is computed, the grade it must reach.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.config import StudyConfig
from eventstudy.data.manifest import data_root
from eventstudy.data.panel import PricePanel, held_span
from eventstudy.data.sources import BundledSource, Source
from eventstudy.dollar import NO_CLOSE, NO_PRICE_LEVEL, share_table, shares_on, shares_uncertainty
from eventstudy.errors import ConfigError
from eventstudy.resolved import ResolvedConfig

MATCHES, CLOSE, CONTRADICTED, NOT_CHECKABLE = "matches", "close", "contradicted", "not checkable"
GRADES = (MATCHES, CLOSE, CONTRADICTED)
"""Checkable grades, best first; a gate passes when the claim's grade is at least the declared one."""
SIZE_SD = 2.0
"""A size word needs a move of at least this many standard deviations of the series' daily returns."""
SIZE_CLOSE_SD = 1.0
"""A size word with the right sign and at least this many standard deviations is close."""
SD_SESSIONS = 250
ETFS = {"SPY", "QQQ", "DIA", "XLU", "SMH", "SOXX"}
REQUIRED = ("id", "quote", "reported", "qualifier", "kind", "series", "start", "end", "rule", "gate")
COLUMNS = {
    "id": "unique id of the claim, e.g. C01a",
    "group": "claims from one sentence share a group",
    "outlet": "who published it",
    "article": "the article's title or reference",
    "article_date": "publication date (ISO)",
    "entity": "the firm or index the claim is about, in words",
    "quote": "the sentence, verbatim",
    "reported": "the number as written (-17, -3.1, -588.8), or neg / pos for a direction",
    "unit": "percent or USD bn (empty for a direction)",
    "qualifier": 'the words around the number: none ("fell 17%"), more than, nearly, about, or the quoted verb',
    "window": "the dates the claim covers, in words",
    "kind": "pct_change, direction, intraday_low, open_vs_close, mv_change, mv_level, annual_change, record_loss or "
    "not_checkable",
    "series": "ticker(s), ';'-separated; TICKER[start:end] for a window of its own",
    "start": "first date (the close the change starts from), ISO; ';'-separated alternatives",
    "end": "last date, ISO; ';'-separated alternatives when the article does not say",
    "rule": "as_written, more_than, less_than, nearly, about or at_least:N (direction claims take theirs from the lexicon)",
    "gate": "matches or close: the grade the claim must reach for `eventstudy verify` to pass; empty: not gated",
    "how_checked": "why a claim cannot be checked, or a note on how it is",
}
RULE_TEXT = {
    "as_written": "as written: the computed magnitude rounds to the reported number at its precision u (within u/2), "
    "as newsrooms round figures (AP Stylebook)",
    "more_than": "more than: magnitude strictly above the reported number",
    "less_than": "less than: magnitude strictly below the reported number",
    "nearly": "nearly, almost: below the reported number and within one precision step u of it, [X - u, X) "
    "(an approximator widens a number by its granularity, Krifka 2007; 'almost' falls short, Nouwen 2006)",
    "about": "about: within one precision step u either side, [X - u, X + u] (Krifka 2007)",
    "sign": "direction: the sign of the move",
    "sharp": f"direction with size (a word of the size lexicon): the sign, and a move of at least {SIZE_SD:g} "
    f"standard deviations of the series' daily returns over the {SD_SESSIONS} sessions before it, an unusual day "
    "for that series",
    "close": "close: outside the rule by at most u/2 (a size word: the right sign and at least "
    f"{SIZE_CLOSE_SD:g} standard deviation)",
    "shares": "market values: the share count's own precision (half a unit of its last significant digit) plus the "
    "change in shares from the count's date to the event, from the two nearest counts (or unknown, and said to be)",
}
NOTE_PREFIX = "# note:"
"""A comment line before a claims file's header that starts so is a note the report prints with its claims."""


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
    gate: str  # the grade the claim must reach ("matches" or "close"), or "" when not gated
    how_checked: str
    entity: str = ""


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one claim: its grade, the distance to the rule and what the rule allowed."""

    claim: Claim
    computed: float
    computed_text: str
    verdict: str
    why: str
    gap: float = float("nan")  # how far outside the rule, in the claim's unit (0 inside)
    allowed: str = ""  # the interval of magnitudes the rule allowed
    implied: str = ""  # what input would reproduce the reported figure, where one can say
    why_not_checkable: str = ""  # in a few words

    @property
    def passes_gate(self) -> bool:
        """Whether the claim reaches the grade its gate declares (True when not gated)."""
        if not self.claim.gate:
            return True
        return self.verdict in GRADES and GRADES.index(self.verdict) <= GRADES.index(self.claim.gate)


def load_claims(path: str | Path) -> list[Claim]:
    """Read a claims CSV (columns: :data:`COLUMNS`; ``eventstudy claims-template`` writes an empty one).

    Lines starting with ``#`` before the header are comments.

    Raises
    ------
    ConfigError
        If the file is missing, unreadable or lacks a required column.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        while lines and lines[0].startswith("#"):
            lines.pop(0)
        frame = pd.read_csv(io.StringIO("".join(lines)), dtype=str, keep_default_na=False)
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
                gate=_gate(row["gate"], row["id"], path),
                how_checked=row.get("how_checked", ""),
                entity=row.get("entity", ""),
            )
        )
    return claims


def _gate(text: str, cid: str, path: Path) -> str:
    value = text.strip().lower()
    if value in ("", "no"):
        return ""
    if value not in (MATCHES, CLOSE):
        raise ConfigError(f"claims file {path}, claim {cid}: gate={text!r}; write matches, close, or leave it empty.")
    return value


# ----------------------------------------------------------------------------- rules
def precision_unit(text: str, unit: str = "percent") -> float:
    """Granularity of a reported number: the step between it and its neighbours as written.

    ``"3.1"`` -> 0.1 and ``"17"`` -> 1 for percentages; for dollar amounts trailing
    zeros of a round number are not significant (``"$600 billion"`` -> 100).

    Examples
    --------
    >>> precision_unit("-3.1"), precision_unit("-17"), precision_unit("600", "USD bn")
    (0.1, 1.0, 100.0)
    """
    digits = text.strip().lstrip("+-")
    if "." in digits:
        return 10.0 ** -len(digits.split(".")[1])
    if unit != "USD bn":
        return 1.0
    stripped = digits.rstrip("0")
    return 10.0 ** (len(digits) - len(stripped)) if stripped else 1.0


@dataclass(frozen=True)
class Allowed:
    """The magnitudes a rule accepts, ``[lo, hi]`` with open ends where the rule is strict."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def distance(self, lo: float, hi: float) -> float:
        """Distance from the band of computed magnitudes ``[lo, hi]`` to this interval (0 if they meet)."""
        below = self.lo - hi
        above = lo - self.hi
        gap = max(below, above, 0.0)
        if gap == 0.0 and ((below == 0.0 and self.lo_open) or (above == 0.0 and self.hi_open)):
            return 0.0 if lo < hi else 1e-12  # touching an open end is just outside
        return gap

    def text(self, fmt: Any) -> str:
        """Return the interval in words, e.g. ``[16.50, 17.50]``."""
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        hi = "inf" if math.isinf(self.hi) else fmt(self.hi)
        return f"{left}{fmt(self.lo)}, {hi}{right}"


def allowed(rule: str, x: float, unit: float, threshold: float = float("nan")) -> Allowed:
    """Return the magnitudes ``rule`` accepts for a reported magnitude ``x`` of granularity ``unit``.

    ``threshold`` is the size a size word needs (two standard deviations of the series).

    Examples
    --------
    >>> a = allowed("nearly", 17, 1)
    >>> (a.lo, a.hi, a.hi_open)
    (16, 17, True)
    """
    if rule == "as_written":
        return Allowed(x - unit / 2, x + unit / 2)
    if rule == "more_than":
        return Allowed(x, math.inf, lo_open=True)
    if rule == "less_than":
        return Allowed(0.0, x, hi_open=True)
    if rule == "nearly":
        return Allowed(x - unit, x, hi_open=True)
    if rule == "about":
        return Allowed(x - unit, x + unit)
    if rule == "sharp":
        return Allowed(threshold, math.inf)
    if rule.startswith("at_least:"):
        return Allowed(float(rule.split(":")[1]), math.inf)
    if rule == "sign":
        return Allowed(0.0, math.inf)
    raise ConfigError(f"rule={rule!r} is not known; choose one of: {', '.join(RULE_TEXT)}, at_least:N.")


def grade(
    rule: str, computed: tuple[float, float], reported: float, unit: float, sd: float = float("nan")
) -> tuple[str, float]:
    """Grade a computed band ``(lo, hi)`` (signed, same units as ``reported``) against ``rule``.

    Returns the grade and the gap: how far outside the rule the band lies (0 inside).

    Examples
    --------
    >>> grade("as_written", (-16.97, -16.97), -17, 1)
    ('matches', 0.0)
    >>> grade("as_written", (-21.52, -21.52), -21, 1)[0]
    'close'
    >>> verdict, gap = grade("nearly", (-16.97, -16.97), -18, 1)
    >>> verdict, round(gap, 2)
    ('close', 0.03)
    >>> grade("as_written", (-16.97, -16.97), 17, 1)[0]
    'contradicted'
    """
    lo, hi = sorted(computed)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return NOT_CHECKABLE, float("nan")
    sign = np.sign(reported)
    if reported != 0 and not (np.sign(lo) == sign or np.sign(hi) == sign):
        return CONTRADICTED, abs(hi if sign < 0 else lo)
    mags = sorted((abs(lo), abs(hi))) if np.sign(lo) == np.sign(hi) else [0.0, max(abs(lo), abs(hi))]
    interval = allowed(rule, abs(reported), unit, SIZE_SD * sd)
    gap = interval.distance(mags[0], mags[1])
    if gap == 0:
        return MATCHES, 0.0
    margin = (SIZE_SD - SIZE_CLOSE_SD) * sd if rule == "sharp" else 0.0 if rule == "sign" else unit / 2
    return (CLOSE if gap <= margin else CONTRADICTED), gap


def size_rule(qualifier: str, lexicon: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """Return ``("sharp", word)`` if the qualifier holds a size word of the lexicon, else ``("sign", "")``."""
    text = qualifier.lower()
    for pattern, _meaning in lexicon:
        found = re.search(pattern, text)
        if found:
            return "sharp", found.group(0)
    return "sign", ""


@functools.cache
def size_words() -> tuple[tuple[str, str], ...]:
    """Return the size-word lexicon (``data/claims/size_words.csv``): regular expressions and what they mean."""
    path = data_root() / "claims" / "size_words.csv"
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ConfigError(f"size-word lexicon {path} cannot be read ({exc}); reinstall the package.") from None
    return tuple(zip(frame["pattern"], frame["meaning"], strict=True))


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

    def __init__(self, panel: PricePanel, shares: pd.DataFrame | None = None) -> None:
        self.panel = panel
        self.shares = share_table() if shares is None else shares

    def value(self, fld: str, ticker: str, day: str) -> float:
        """Return price field ``fld`` of ``ticker`` on ``day`` (NaN if absent)."""
        frame: pd.DataFrame = getattr(self.panel, fld)
        try:
            return float(frame.loc[pd.Timestamp(day), ticker])
        except KeyError:
            return float("nan")

    def lacking(self, ticker: str, needs: Sequence[tuple[str, str]]) -> str:
        """Say which of ``needs`` (field, day) the data lack for ``ticker``, and where its prices are; "" if none."""
        gone = [(fld, day) for fld, day in needs if not math.isfinite(self.value(fld, ticker, day))]
        if not gone:
            return ""
        fld, day = gone[0]
        held = held_span(self.panel.adj_close[ticker]) if ticker in self.panel.adj_close else ""
        where = f"its prices run {held}" if held else "the data hold no prices"
        return f"{ticker} has no {fld.replace('adj_', 'adjusted ')} on {day} ({where})"

    def pct(self, ticker: str, start: str, end: str) -> float:
        """Return the percent change of the adjusted close from ``start`` to ``end``."""
        return 100.0 * (self.value("adj_close", ticker, end) / self.value("adj_close", ticker, start) - 1.0)

    def daily_sd(self, ticker: str, before: str) -> float:
        """Return the standard deviation (percent) of daily returns over the sessions before ``before``."""
        prices = self.panel.adj_close[ticker].dropna()
        returns = prices.pct_change().dropna().loc[: pd.Timestamp(before)].iloc[-SD_SESSIONS:] * 100.0
        return float(returns.std(ddof=1)) if len(returns) > 20 else float("nan")


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
    """Check one claim against the data and grade it."""
    if claim.kind == "not_checkable":
        return Verdict(claim, float("nan"), "", NOT_CHECKABLE, claim.how_checked, why_not_checkable=claim.how_checked)
    if claim.kind == "record_loss":
        # A record across all stocks cannot be settled from a few series; show the
        # series' own largest earlier loss as evidence, and say so.
        computed, text = _largest_earlier_loss(data, claim.series, claim.start)
        return Verdict(claim, computed, text, NOT_CHECKABLE, claim.how_checked, why_not_checkable=claim.how_checked)
    x = _reported_number(claim)
    direction = claim.reported.strip().startswith(("neg", "pos"))
    unit = 1.0 if direction else precision_unit(claim.reported, claim.unit)
    rule, word = (claim.rule, "")
    if claim.kind == "direction":
        rule, word = size_rule(claim.qualifier, size_words())
    if claim.kind == "annual_change":
        rule = "more_than"
    series = _series(claim.series, claim.start, claim.end)
    per_series: list[list[Evaluation]] = []
    for ticker, pairs in series:
        if ticker not in data.panel.tickers:
            missing = f"series {ticker} is not in the data"
            return Verdict(claim, float("nan"), "", NOT_CHECKABLE, missing, why_not_checkable=missing)
        per_series.append([_evaluate(claim, data, ticker, start, end, x, unit, rule) for start, end in pairs])
    evals = [e for group in per_series for e in group]
    text = " / ".join(_fmt(e.value, claim.unit) for e in evals)
    why = RULE_TEXT.get(rule, rule) + (f" (size word {word!r})" if word else "")
    notes = list(dict.fromkeys(e.note for e in evals if e.note))
    if any(e.grade == NOT_CHECKABLE for e in evals):
        missing_data = "; ".join(e.note for e in evals if e.grade == NOT_CHECKABLE and e.note)
        return Verdict(
            claim, evals[0].value, text, NOT_CHECKABLE, "; ".join([why, *notes]), why_not_checkable=missing_data
        )
    # Several series: the worst grade; one series with end dates left unstated: if the
    # grade depends on the end date, the claim cannot be settled.
    worst = [max(group, key=lambda e: GRADES.index(e.grade)) for group in per_series]
    final = max(worst, key=lambda e: GRADES.index(e.grade))
    if any(len({e.grade for e in group}) > 1 for group in per_series):
        undated = "the grade depends on the end date the article does not give"
        return Verdict(claim, final.value, text, NOT_CHECKABLE, f"{why}; {undated}", why_not_checkable=undated)
    if len(series) > 1 and final.grade != MATCHES:
        why += f"; graded by its weakest series ({final.ticker})"
    fmt = _fmt_magnitude(claim.unit)
    return Verdict(
        claim,
        final.value,
        text,
        final.grade,
        "; ".join([why, *notes]),
        gap=final.gap,
        allowed=final.allowed.text(fmt) if final.allowed else "",
        implied=final.implied,
    )


@dataclass(frozen=True)
class Evaluation:
    """One series and window of a claim: the computed value, its grade and what the rule allowed."""

    ticker: str
    value: float
    grade: str
    gap: float
    allowed: Allowed | None
    note: str = ""
    implied: str = ""


def _evaluate(
    claim: Claim, data: Lookup, ticker: str, start: str, end: str, x: float, unit: float, rule: str
) -> Evaluation:
    sd = data.daily_sd(ticker, start) if rule == "sharp" else float("nan")
    if claim.kind in ("pct_change", "direction", "annual_change", "intraday_low"):
        low = claim.kind == "intraday_low"
        missing = data.lacking(
            ticker, [("close", start), ("low", end)] if low else [("adj_close", start), ("adj_close", end)]
        )
        if missing:
            return Evaluation(ticker, float("nan"), NOT_CHECKABLE, float("nan"), None, missing)
        if rule == "sharp" and not math.isfinite(sd):
            note = f"{ticker} has too few returns before {start} for the size word's standard deviation"
            return Evaluation(ticker, data.pct(ticker, start, end), NOT_CHECKABLE, float("nan"), None, note)
        if claim.kind == "intraday_low":
            value = 100.0 * (data.value("low", ticker, end) / data.value("close", ticker, start) - 1.0)
        else:
            value = data.pct(ticker, start, end)
        g, gap = grade(rule, (value, value), x, unit, sd)
        note = f"{ticker}'s daily sd {sd:.2f}%, so the size word needs {SIZE_SD * sd:.2f}%" if rule == "sharp" else ""
        return Evaluation(ticker, value, g, gap, allowed(rule, abs(x), unit, SIZE_SD * sd), note)
    if claim.kind == "open_vs_close":
        opened = data.value("open", ticker, end)
        closed = data.value("close", ticker, end)
        value = 100.0 * (opened / data.value("close", ticker, start) - 1.0)
        if not (np.isfinite(opened) and np.isfinite(closed)):
            return Evaluation(ticker, value, NOT_CHECKABLE, float("nan"), None, "no opening price in the data")
        return Evaluation(ticker, value, MATCHES if opened < closed else CONTRADICTED, 0.0, None)
    if claim.kind in ("mv_change", "mv_level"):
        if ticker in data.panel.chained:
            return Evaluation(ticker, float("nan"), NOT_CHECKABLE, float("nan"), None, f"{ticker}: {NO_PRICE_LEVEL}")
        found = shares_on(ticker, pd.Timestamp(end).date(), data.shares)
        if found is None:
            return Evaluation(ticker, float("nan"), NOT_CHECKABLE, float("nan"), None, f"no share count for {ticker}")
        shares = found[0]
        relative, how = shares_uncertainty(ticker, pd.Timestamp(end).date(), data.shares)
        days = [end, start] if claim.kind == "mv_change" else [end]
        lacking = [d for d in days if not np.isfinite(data.value("close", ticker, d))]
        if lacking:
            return Evaluation(
                ticker, float("nan"), NOT_CHECKABLE, float("nan"), None, f"{ticker}: {NO_CLOSE} {min(lacking)}"
            )
        move = data.value("close", ticker, end) - (
            data.value("close", ticker, start) if claim.kind == "mv_change" else 0
        )
        value = shares * move / 1e9
        band = (value * (1 - relative), value * (1 + relative))
        g, gap = grade(rule, band, x, unit)
        implied = f"the reported figure implies {abs(x) * 1e9 / abs(move) / 1e9:,.2f}bn shares" if move else ""
        return Evaluation(
            ticker, value, g, gap, allowed(rule, abs(x), unit), f"share count uncertain by {how}", implied
        )
    raise ConfigError(f"claim {claim.id}: kind={claim.kind!r} is not known.")


def _fmt_magnitude(unit: str) -> Callable[[float], str]:
    if unit == "USD bn":
        return lambda v: f"${v:,.2f}bn"
    return lambda v: f"{v:.2f}%"


def _largest_earlier_loss(data: Lookup, ticker: str, before: str) -> tuple[float, str]:
    """Largest one-day market-value loss of ``ticker`` up to ``before``, at the latest share count."""
    if ticker not in data.panel.tickers or ticker in data.panel.chained:
        return float("nan"), ""
    found = shares_on(ticker, pd.Timestamp(before).date(), data.shares)
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
        raise ConfigError(
            f'study {config.name!r} names no claims file; add claims = "PATH" under [report] or pass --claims PATH '
            "('eventstudy claims-template' writes an empty one)."
        )
    rel = Path(config.claims)
    candidates = [base_dir / rel, base_dir.parent / rel] if base_dir is not None else []
    candidates.append(data_root() / rel)
    # none there: the path beside the study file is the one to name, as the user wrote it relative to it
    return next((c for c in candidates if c.is_file()), candidates[0])


def claim_series(claims: list[Claim]) -> list[str]:
    """Every series the claims need."""
    names: list[str] = []
    for c in claims:
        if c.kind == "not_checkable":
            continue
        for ticker, _ in _series(c.series, c.start or "x", c.end or "x"):
            names.append(ticker)
    return list(dict.fromkeys(names))


def fact_key(claim: Claim) -> str:
    """Return the fact a claim states: its series, window, kind and direction (claims that repeat it share the key)."""
    sign = "down" if claim.reported.strip().startswith(("neg", "-")) else "up"
    value = "direction" if claim.kind == "direction" else f"{claim.kind} {claim.unit}"
    return f"{claim.series} {claim.start}->{claim.end} {value} {sign}"


def verify(claims: list[Claim], source: Source | None = None, shares: str | Path | None = None) -> pd.DataFrame:
    """Check and grade every claim; one row per claim with the grade, the gap and what the rule allowed.

    Prices come from ``source`` (default: the bundled snapshot), share counts from the
    file ``shares`` where it counts a ticker, else the bundled counts. A series the source
    does not hold leaves its claims not checkable.
    """
    src = source if source is not None else BundledSource()
    listing = getattr(src, "available", None)  # sources that list their series; a download has no list
    available = set(listing()) if callable(listing) else None
    names = [n for n in claim_series(claims) if available is None or n in available]
    data = Lookup(src.load(names), share_table(shares))
    rows = []
    for c in claims:
        v = check(c, data)
        rows.append(
            {
                "id": c.id,
                "outlet": c.outlet,
                "article": c.article,
                "entity": c.entity,
                "quote": c.quote,
                "series": c.series,
                "reported": c.reported,
                "unit": c.unit,
                "qualifier": c.qualifier,
                "computed": v.computed,
                "computed_text": v.computed_text,
                "verdict": v.verdict,
                "gap": v.gap,
                "allowed": v.allowed,
                "implied": v.implied,
                "rule": v.why,
                "why_not_checkable": v.why_not_checkable,
                "gate": c.gate,
                "gate_passes": v.passes_gate,
                "fact": fact_key(c) if v.verdict != NOT_CHECKABLE else "",
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


def verify_study(
    config: StudyConfig | ResolvedConfig,
    base_dir: Path | None = None,
    claims: Path | None = None,
    source: Source | None = None,
) -> tuple[str, list[str]]:
    """Check a study's claims (or the file ``claims``) against ``source`` (default: the bundled snapshot).

    Returns a printable table and the gated claims that fail.
    """
    path = Path(claims) if claims is not None else claims_path(config, base_dir)
    table = verify(load_claims(path), source, config.shares)
    failed = table.loc[~table["gate_passes"], "id"].tolist()
    show = table[["id", "series", "reported", "qualifier", "computed_text", "verdict", "gap", "gate"]].copy()
    show["qualifier"] = show["qualifier"].str.slice(0, 28)
    show["series"] = show["series"].str.slice(0, 22)
    show["computed_text"] = show["computed_text"].str.slice(0, 40)
    show["gap"] = show["gap"].map(lambda g: "" if not np.isfinite(g) or g == 0 else f"{g:.3g}")
    show["gate"] = [
        f"{g} ({'ok' if ok else 'FAILS'})" if g else ""
        for g, ok in zip(table["gate"], table["gate_passes"], strict=True)
    ]
    # A gated claim that cannot be checked says why, or its FAILS would leave the reader guessing
    # (the report gives every claim's reason).
    reasons = [
        f"{i} is not checkable: {r.rstrip('.') or 'no reason given'}."
        for i, v, r, ok in zip(
            table["id"], table["verdict"], table["why_not_checkable"], table["gate_passes"], strict=True
        )
        if v == NOT_CHECKABLE and not ok
    ]
    return "\n".join([show.to_string(index=False), *reasons, summary_line(table)]), failed


def summary_line(table: pd.DataFrame) -> str:
    """Return counts of claims and of the distinct facts they state, by grade, and of the gate."""
    counts = table["verdict"].value_counts()
    checked = table[table["verdict"] != NOT_CHECKABLE]
    facts = checked.groupby("fact")["verdict"].agg(lambda v: max(v, key=GRADES.index))
    fact_counts = facts.value_counts()
    gated = table[table["gate"] != ""]
    return (
        f"{len(table)} claims: {counts.get(MATCHES, 0)} match, {counts.get(CLOSE, 0)} close, "
        f"{counts.get(CONTRADICTED, 0)} contradicted, {counts.get(NOT_CHECKABLE, 0)} not checkable. "
        f"They state {len(facts)} distinct checkable facts: {fact_counts.get(MATCHES, 0)} match, "
        f"{fact_counts.get(CLOSE, 0)} close, {fact_counts.get(CONTRADICTED, 0)} contradicted (a fact takes its "
        f"weakest claim). {len(gated)} gated, {int((~gated['gate_passes']).sum())} failing their gate."
    )


def claims_notes(path: str | Path) -> tuple[str, ...]:
    """Return the notes of a claims file: its comment lines before the header that start with `NOTE_PREFIX`.

    A note says what the report should tell of the claims as a whole (how quotes were copied,
    say); other comment lines are for whoever edits the file.
    """
    notes = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(NOTE_PREFIX):
            notes.append(line.removeprefix(NOTE_PREFIX).strip())
    return tuple(n for n in notes if n)


EXAMPLE_CLAIM = (
    'X01,X01,Example News,"Markets fall",2025-01-27,Nvidia,"Nvidia shares fell 17% on Monday.",-17,percent,'
    'none ("fell 17%"),"close 27 Jan vs close 24 Jan (stated ""on Monday"")",pct_change,NVDA,2025-01-24,'
    "2025-01-27,as_written,matches,"
)
"""The row the template shows as a comment: a claim of the DeepSeek study, as a file would hold it."""


def claims_template() -> str:
    """Return an empty claims file: each column explained and an example row (as CSV comments), then the header.

    The example is a comment so that it is not verified, nor reported, as a claim of the study
    whose rows are added below the header.
    """
    notes = "".join(f"# {k}: {v}\n" for k, v in COLUMNS.items()) + (
        f"# (a line '{NOTE_PREFIX} TEXT' up here is printed with the claims in the report)\n"
        f"# an example row, to copy below the header and edit: {EXAMPLE_CLAIM}\n"
    )
    return notes + ",".join(COLUMNS) + "\n"
