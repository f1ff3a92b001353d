"""Named convention profiles: frozen sets of methodological choices.

Event-study tools disagree on small choices (which returns, which calendar, which
variance, which degrees of freedom). A profile names one complete set so a user can
reproduce another tool's numbers on purpose. Every report and ``summary.json`` prints
the profile used.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

from eventstudy.errors import InvalidOptionError


@dataclass(frozen=True)
class Convention:
    """A documented, frozen set of choices.

    Attributes
    ----------
    name
        Profile name, as given to ``--convention``.
    description
        Whose conventions these are.
    returns
        Default return kind (``simple`` or ``log``) when the user does not choose one.
    calendar
        ``exchange``: relative days count the exchange's sessions; ``pair``: they count
        the days on which both the firm and its market have a return, so a missing
        day lengthens the window instead of leaving a hole.
    single_variance
        ``exact``: single-firm AR and CAR variances with the prediction-error correction
        (CLM 1997 section 4.4); ``plain``: ``sigma^2`` per day and ``L sigma^2`` per window.
    standardise
        How abnormal returns are standardised for Patell, BMP and their KP versions:
        ``fit`` divides by the prediction-error-corrected standard deviation of the
        fit (sigma on M - k); ``sample`` uses the sample standard deviation (M - 1) of
        the estimation-window ARs and market moments over every estimation date.
    patell_window
        Multi-day standardisation: ``scar`` divides each CAR by its own exact standard
        deviation; ``csar`` sums the daily standardised ARs and divides by ``sqrt(L)``.
    gen_sign_p
        Expected share of positive ARs in the generalized sign test: ``cowan`` averages
        each firm's share over its estimation window (Cowan 1992); ``pooled`` pools all
        firm-days.
    cross_sums
        ``sum`` adds over the firm-events present on a day; ``mean_times_n`` multiplies
        the mean over those present by the number of all firm-events (estudy2 does this
        when a firm misses a day).
    rounding
        Decimals to which ARs, CARs and sigmas are rounded before any statistic, or None.
    caar_weights
        Weights of the headline CAAR: ``equal`` or ``inv_sigma`` (precision weights
        proportional to 1 / sigma).
    estimation
        Default estimation window when the user does not give one.
    split_jumps
        A one-day price move by an exact split factor: ``exclude`` the firm-event (it
        looks like a split missing from the closes) or ``keep`` it with a warning, as
        tools that do not screen prices do.
    negative_prices
        Default reading of a negative price in user files: ``error``, ``abs`` (CRSP's
        mark for a bid-ask midpoint) or ``missing``.
    """

    name: str
    description: str
    returns: Literal["simple", "log"]
    calendar: Literal["exchange", "pair"]
    single_variance: Literal["exact", "plain"]
    standardise: Literal["fit", "sample"]
    patell_window: Literal["scar", "csar"]
    gen_sign_p: Literal["cowan", "pooled"]
    cross_sums: Literal["sum", "mean_times_n"]
    rounding: int | None
    caar_weights: Literal["equal", "inv_sigma"]
    estimation: str = "-250:-11"
    split_jumps: Literal["exclude", "keep"] = "exclude"
    negative_prices: Literal["error", "abs", "missing"] = "error"

    def as_rows(self) -> list[tuple[str, str]]:
        """Return ``(choice, value)`` pairs for printing in reports."""
        return [(f.name, str(getattr(self, f.name))) for f in fields(self)]

    def as_dict(self) -> dict[str, object]:
        """Return the profile as a JSON-friendly mapping."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


CONVENTIONS: dict[str, Convention] = {
    "mackinlay": Convention(
        name="mackinlay",
        description="MacKinlay (1997) / Campbell, Lo and MacKinlay (1997) chapter 4: simple returns, "
        "exchange sessions, sigma on M - k, exact prediction-error-corrected variances, t(M - k)",
        returns="simple",
        calendar="exchange",
        single_variance="exact",
        standardise="fit",
        patell_window="scar",
        gen_sign_p="cowan",
        cross_sums="sum",
        rounding=None,
        caar_weights="equal",
    ),
    "estudy2": Convention(
        name="estudy2",
        description="R package estudy2 (Rudnytskyi): log returns, Patell and BMP standardised by the "
        "sample sd (M - 1) with market moments over every estimation date, generalized sign with a "
        "pooled share, cross-sectional sums taken as mean x number of firms",
        returns="log",
        calendar="exchange",
        single_variance="exact",
        standardise="sample",
        patell_window="scar",
        gen_sign_p="pooled",
        cross_sums="mean_times_n",
        rounding=None,
        caar_weights="equal",
        split_jumps="keep",
    ),
    "eventstudytools": Convention(
        name="eventstudytools",
        description="EventStudyTools service: log returns, windows counted on days where firm and "
        "market both trade, sigma on M - 2, AR t = AR / sigma and CAR t = CAR / (sigma sqrt(L)) "
        "without the prediction-error correction, ARs, CARs and sigmas rounded to 4 decimals, "
        "precision-weighted CAAR with weights 1 / sigma; prices used as given (split-like jumps kept with a "
        "warning, negative CRSP midpoints read as their absolute value)",
        returns="log",
        calendar="pair",
        single_variance="plain",
        standardise="fit",
        patell_window="csar",
        gen_sign_p="cowan",
        cross_sums="sum",
        rounding=4,
        caar_weights="inv_sigma",
        estimation="-260:-11",
        split_jumps="keep",
        negative_prices="abs",
    ),
}


def get_convention(name: str, parameter: str = "convention") -> Convention:
    """Return the profile called ``name``; the error names ``parameter`` and lists the valid names."""
    if name not in CONVENTIONS:
        raise InvalidOptionError(parameter, name, CONVENTIONS)
    return CONVENTIONS[name]
