"""Named convention profiles: frozen sets of small strategy objects.

Event-study tools disagree on small choices (which returns, which calendar, which
variance, how sums cross firms). Each choice is a frozen object with a pure compute
method and :meth:`describe`, the sentence printed in ``summary()``, the report and
``summary.json``. A profile names one complete set so a user can reproduce another
tool's numbers on purpose. The maths modules receive these objects; none of them
branches on a profile's name.

Sources of the ``eventstudytools`` profile. The service documents its statistics in S. Müller,
"Significance Tests for Event Studies", https://www.eventstudytools.com/significance-tests
(AR and CAR t; Patell Z and its Kolari-Pynnonen adjustment; the cross-sectional and
standardised cross-sectional tests; Hall's skewness-corrected t; Corrado's rank Z; Kolari and
Pynnonen's generalized rank; Cowan's generalized sign). That the Kolari-Pynnonen correlation is
taken over the estimation window's abnormal returns is the service's answer in
https://www.eventstudytools.com/expertdialog?page=5. Where the documentation leaves a choice
open (rounding, which days are counted, how estimation windows are paired), the choice was read
from the service's published outputs for 167 Axon filing dates and checked against a third set
(312 insider sales on one date; ``tests/reference/SOURCES.md``); each strategy object's
docstring says which output settles it. The rounding is jsonlite's (``toJSON(digits = 4)``,
https://github.com/jeroen/jsonlite, ``src/num_to_char.c``): the service's numbers pass through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from eventstudy import abnormal
from eventstudy.calendar import sessions_between
from eventstudy.errors import InvalidOptionError
from eventstudy.windows import Window

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]
Ints = NDArray[np.int64]


class Choice(Protocol):
    """What every strategy object offers: a name and a sentence."""

    @property
    def name(self) -> str:
        """Short name of the choice."""
        ...

    def describe(self) -> str:
        """One sentence saying what the choice does."""
        ...


# ---------------------------------------------------------------- how days are counted
@dataclass(frozen=True)
class Placement:
    """Returns on the grid and, where days are counted per pair, each firm-event's positions."""

    values: Array
    columns: list[str]
    firm_cols: Ints
    mkt_cols: Ints
    positions: Ints | None
    off_data: Mask | None = None  # event windows that run off the data (None: any missing day there)
    relabelled: Mask | None = None  # event windows whose missing days were dropped and the rest relabelled


@dataclass(frozen=True)
class ExchangeSessions:
    """Relative days count the exchange's sessions."""

    name: str = "exchange"

    def describe(self) -> str:
        """One sentence."""
        return "relative days count the exchange calendar's sessions"

    def sessions(self, calendar: str, dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """Return the session grid covering ``dates``."""
        return sessions_between(calendar, dates.min(), dates.max())

    def place(
        self,
        levels: Array,
        values: Array,
        columns: list[str],
        firm_cols: Ints,
        mkt_cols: Ints,
        event_pos: Ints,
        rel: Ints,
        kind: str,
        *,
        estimation: Window | None = None,
        event_window: Window | None = None,
    ) -> Placement:
        """Keep the session grid; positions are the event session plus the relative day."""
        return Placement(values, columns, firm_cols, mkt_cols, None)


@dataclass(frozen=True)
class CommonTradingDays:
    """Relative days count the days on which both the firm and its market have a price."""

    name: str = "pair"

    def describe(self) -> str:
        """One sentence."""
        return (
            "relative days count the days on which firm and market both have a price; a day the firm does not "
            "trade is skipped for both, so the next return spans the gap for both"
        )

    def sessions(self, calendar: str, dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """Every date with data (days are counted per pair later)."""
        return pd.DatetimeIndex(dates, name="date")

    def place(
        self,
        levels: Array,
        values: Array,
        columns: list[str],
        firm_cols: Ints,
        mkt_cols: Ints,
        event_pos: Ints,
        rel: Ints,
        kind: str,
        *,
        estimation: Window | None = None,
        event_window: Window | None = None,
    ) -> Placement:
        """Recompute returns per firm-market pair over their common days and place each firm-event."""
        pairs = _pair_returns(levels, columns, firm_cols, mkt_cols, kind)
        positions = np.full((len(event_pos), len(rel)), -1, dtype=np.int64)
        for i, j in enumerate(pairs.index.tolist()):
            _place_on(positions[i], pairs.common[j], int(event_pos[i]), rel)
        return Placement(pairs.values, pairs.names, 2 * pairs.index, 2 * pairs.index + 1, positions)


@dataclass(frozen=True)
class OwnRows:
    """Relative days count each series' own rows with a price (``calendar="rows"``: CRSP, world indices)."""

    name: str = "rows"

    def describe(self) -> str:
        """One sentence."""
        return (
            "relative days count each firm's own trading days (its rows with a price), whatever the exchange; the "
            "market's return is taken on those days where it has one"
        )

    def sessions(self, calendar: str, dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """Return every date with data (days are counted per series later)."""
        return pd.DatetimeIndex(dates, name="date")

    def place(
        self,
        levels: Array,
        values: Array,
        columns: list[str],
        firm_cols: Ints,
        mkt_cols: Ints,
        event_pos: Ints,
        rel: Ints,
        kind: str,
        *,
        estimation: Window | None = None,
        event_window: Window | None = None,
    ) -> Placement:
        """Recompute each series' returns over its own rows and place each firm-event on its firm's rows."""
        out = np.full(levels.shape, np.nan)
        for col in range(levels.shape[1]):
            days = np.flatnonzero(np.isfinite(levels[:, col]))
            out[days[1:], col] = _returns_over(levels[days, col], kind)
        positions = np.full((len(event_pos), len(rel)), -1, dtype=np.int64)
        rows: dict[int, NDArray[np.intp]] = {}
        for i, f in enumerate(firm_cols.tolist()):
            if f not in rows:
                rows[f] = np.flatnonzero(np.isfinite(out[:, f]))
            _place_on(positions[i], rows[f], int(event_pos[i]), rel)
        return Placement(out, columns, firm_cols, mkt_cols, positions)


@dataclass(frozen=True)
class ServiceTradingDays:
    """Relative days count the firm's trading days, as the EventStudyTools service counts them (read from its output).

    A day on which the firm trades but the market has no price still counts, with no
    abnormal return; returns span such gaps. The estimation window ends on the firm's
    trading day ``estimation.end`` and reaches back until it holds the requested number of
    days with both returns (the service "extends the estimation window"). In the event
    window, days without both returns are dropped and the remaining ones labelled in
    order from its first day, so a missing market price inside it moves later sessions
    onto earlier labels; that is what the service prints, and a warning says so.
    """

    name: str = "service"

    def describe(self) -> str:
        """One sentence."""
        return (
            "relative days count the firm's trading days; the estimation window reaches back until it has its "
            "length in days where firm and market both have returns; in the event window, days without both "
            "returns are dropped and the rest labelled in order (as the EventStudyTools service does)"
        )

    def sessions(self, calendar: str, dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
        """Every date with data (days are counted per firm later)."""
        return pd.DatetimeIndex(dates, name="date")

    def place(
        self,
        levels: Array,
        values: Array,
        columns: list[str],
        firm_cols: Ints,
        mkt_cols: Ints,
        event_pos: Ints,
        rel: Ints,
        kind: str,
        *,
        estimation: Window | None = None,
        event_window: Window | None = None,
    ) -> Placement:
        """Recompute returns per firm-market pair over their common days; place each firm-event on its firm's days."""
        if estimation is None or event_window is None:
            raise ValueError("the service's day count needs the estimation and event windows")
        pairs = _pair_returns(levels, columns, firm_cols, mkt_cols, kind)
        index = pairs.index
        firm_days = [np.flatnonzero(np.isfinite(levels[:, f])) for f in pairs.firms]
        n = len(event_pos)
        positions = np.full((n, len(rel)), -1, dtype=np.int64)
        off_data = np.zeros(n, dtype=bool)
        relabelled = np.zeros(n, dtype=bool)
        in_est = (rel >= estimation.start) & (rel <= estimation.end)
        in_ew = (rel >= event_window.start) & (rel <= event_window.end)
        after = rel > estimation.end
        for i, j in enumerate(index.tolist()):
            days, valid = firm_days[j], pairs.common[j]
            if not len(days) or event_pos[i] < days[0]:
                off_data[i] = True  # before the firm's first price: its window is nowhere in the data
                continue
            k = int(np.searchsorted(days, event_pos[i])) + rel
            on = (k >= 0) & (k < len(days))
            at = np.where(on, days[np.clip(k, 0, len(days) - 1)], -1)
            usable = on & np.isin(at, valid)
            positions[i, after] = np.where(usable, at, -1)[after]
            off_data[i] = not on[in_ew].all()
            kept = at[in_ew & usable]
            labels = np.full(int(in_ew.sum()), -1, dtype=np.int64)
            labels[: len(kept)] = kept
            positions[i, in_ew] = labels
            anchor = k[np.flatnonzero(rel == estimation.end)[0]]
            last = valid[valid <= days[anchor]][-int(in_est.sum()) :] if 0 <= anchor < len(days) else valid[:0]
            est_cols = np.flatnonzero(in_est)
            positions[i, est_cols[len(est_cols) - len(last) :]] = last
            # Only a firm-event that can be fitted is worth the warning.
            relabelled[i] = len(last) > 0 and 0 < len(kept) < int(in_ew.sum()) and not off_data[i]
        return Placement(pairs.values, pairs.names, 2 * index, 2 * index + 1, positions, off_data, relabelled)


@dataclass(frozen=True)
class PairReturns:
    """Returns of each firm-market pair over the days both have a price (gaps spanned for both)."""

    values: Array  # two columns per pair: the firm's returns, then the market's
    names: list[str]  # the series of each column
    index: Ints  # each firm-event's pair
    firms: list[int]  # each pair's firm column in the levels
    common: list[NDArray[np.intp]]  # each pair's days with both returns


def _pair_returns(levels: Array, columns: list[str], firm_cols: Ints, mkt_cols: Ints, kind: str) -> PairReturns:
    pairs = list(dict.fromkeys(zip(firm_cols.tolist(), mkt_cols.tolist(), strict=True)))
    slot = {pair: j for j, pair in enumerate(pairs)}
    out = np.full((levels.shape[0], 2 * len(pairs)), np.nan)
    common = []
    for j, (f, m) in enumerate(pairs):
        days = np.flatnonzero(np.isfinite(levels[:, f]) & np.isfinite(levels[:, m]))
        for col, dest in ((f, 2 * j), (m, 2 * j + 1)):
            out[days[1:], dest] = _returns_over(levels[days, col], kind)
        common.append(days[1:])
    names = [columns[c] for pair in pairs for c in pair]
    index = np.array([slot[pair] for pair in zip(firm_cols.tolist(), mkt_cols.tolist(), strict=True)], dtype=np.int64)
    return PairReturns(out, names, index, [f for f, _ in pairs], common)


def _returns_over(prices: Array, kind: str) -> Array:
    """Return the returns between consecutive prices of one series (its days with a price, gaps spanned)."""
    return np.log(prices[1:] / prices[:-1]) if kind == "log" else prices[1:] / prices[:-1] - 1.0


def _place_on(row: NDArray[np.int64], days: NDArray[np.intp], event_pos: int, rel: Ints) -> None:
    """Fill ``row`` with the positions of the relative days ``rel`` counted on ``days`` (-1 off its ends)."""
    k = int(np.searchsorted(days, event_pos)) + rel
    inside = (k >= 0) & (k < len(days))
    row[inside] = days[k[inside]]


DayCount = ExchangeSessions | CommonTradingDays | OwnRows | ServiceTradingDays


# ---------------------------------------------------------------- single-firm variance
@dataclass(frozen=True)
class ExactVariance:
    """AR and CAR variances with the prediction error of the fitted parameters (CLM 1997, 4.4)."""

    name: str = "exact"

    def describe(self, n_params: int = 2, n_slopes: int | None = None) -> str:
        """One sentence; a model that estimates nothing has no prediction error to correct.

        ``n_slopes`` (the model's regressors, if known) tells a model that estimates only a
        mean, whose prediction error is the ``L^2/M`` term alone.
        """
        if n_params == 0:
            return "Var(CAR) = L sigma^2 (the model estimates no parameters, so there is no prediction error)"
        if n_params == 1 and n_slopes == 0:
            return (
                "Var(CAR) is exact: sigma^2 (L + L^2/M), the second term the estimated mean's error "
                "(Campbell, Lo and MacKinlay 1997, section 4.4)"
            )
        return (
            "Var(CAR) is exact: sigma^2 [L + L^2/M + the fitted slopes' prediction error] "
            "(Campbell, Lo and MacKinlay 1997, section 4.4)"
        )

    def day(self, fit: abnormal.StackFit, x: Array, sigma: Array) -> Array:
        """Variance of each single-day AR, shape ``(n, T)``."""
        return abnormal.ar_variance(fit, x)

    def window(self, fit: abnormal.StackFit, x: Array, cols: NDArray[np.intp], sigma: Array) -> Array:
        """Variance of each CAR over ``cols``."""
        return abnormal.car_variance(fit, x, cols)


@dataclass(frozen=True)
class PlainVariance:
    """``sigma^2`` per day and ``L sigma^2`` per window, without the prediction-error term."""

    name: str = "plain"

    def describe(self, n_params: int = 2, n_slopes: int | None = None) -> str:
        """One sentence."""
        return "Var(AR) = sigma^2 and Var(CAR) = L sigma^2, without the prediction-error correction"

    def day(self, fit: abnormal.StackFit, x: Array, sigma: Array) -> Array:
        """``sigma^2`` on every day."""
        return np.broadcast_to((sigma**2)[:, None], x.shape[:2])

    def window(self, fit: abnormal.StackFit, x: Array, cols: NDArray[np.intp], sigma: Array) -> Array:
        """``L sigma^2``."""
        return sigma**2 * float(len(cols))


CarVariance = ExactVariance | PlainVariance


@dataclass(frozen=True)
class AllDays:
    """A CAR needs every day of its window: a missing AR leaves it missing."""

    name: str = "all"

    def describe(self) -> str:
        """One sentence."""
        return (
            "a firm-event's CAR needs an AR on every day of the window (a missing day leaves it missing); a BHAR "
            "compounds simple returns (exp(r) of log returns)"
        )

    def present(self, ar: Array, cols: NDArray[np.intp]) -> Array:
        """Days each CAR is taken over: the window's length, or NaN where a day is missing."""
        return np.where(np.isfinite(ar[:, cols]).all(axis=1), float(len(cols)), np.nan)

    def bhar(self, ret: Array, normal: Array, cols: NDArray[np.intp], log: bool = False) -> Array:
        """Buy-and-hold abnormal return over every day of the window (NaN if one is missing).

        ``log``: the returns are log returns, compounded as the simple returns they stand for.
        """
        if log:
            return abnormal.bhar(np.expm1(ret), np.expm1(normal), cols)
        return abnormal.bhar(ret, normal, cols)


@dataclass(frozen=True)
class PresentDays:
    """A CAR sums the ARs present in its window, over that many days (the EventStudyTools service)."""

    name: str = "present"

    def describe(self) -> str:
        """One sentence."""
        return (
            "a firm-event's CAR sums the ARs present in the window and its variance counts those days (L sigma^2 "
            "with L the days present); a BHAR compounds 1 + r over those days, of log returns too, as the service does"
        )

    def present(self, ar: Array, cols: NDArray[np.intp]) -> Array:
        """Days each CAR is taken over: those with an AR (NaN when none has)."""
        count = np.isfinite(ar[:, cols]).sum(axis=1).astype(np.float64)
        return np.where(count > 0, count, np.nan)

    def bhar(self, ret: Array, normal: Array, cols: NDArray[np.intp], log: bool = False) -> Array:
        """Buy-and-hold abnormal return compounded over the days with both returns (NaN when none has).

        The service compounds 1 + r of whatever returns it computed, its log returns too, so
        ``log`` changes nothing here.
        """
        both = np.isfinite(ret[:, cols]) & np.isfinite(normal[:, cols])
        held = np.prod(np.where(both, 1.0 + ret[:, cols], 1.0), axis=1)
        normal_held = np.prod(np.where(both, 1.0 + normal[:, cols], 1.0), axis=1)
        return np.where(both.any(axis=1), held - normal_held, np.nan)


CarDays = AllDays | PresentDays


# ---------------------------------------------------------------- standardisation
@dataclass(frozen=True)
class FitScale:
    """Patell/BMP standardise by the fit's prediction-error-corrected sd (sigma on M - k)."""

    name: str = "fit"

    def describe(self) -> str:
        """One sentence."""
        return "Patell and BMP divide each AR by its prediction-error-corrected sd (sigma on M - k)"

    def scale(
        self, fit: abnormal.StackFit, ar: Array, est: Mask, x: Array, in_est: Mask, intercept: bool
    ) -> abnormal.StackFit:
        """Return the fit whose variances standardise ARs: the fit itself."""
        return fit

    def residual_sd(self, sigma: Array, sd_sample: Array) -> Array:
        """Per firm-event sd used by the variance-sum tests."""
        return sigma


@dataclass(frozen=True)
class SampleScale:
    """Standardise by the sample sd (M - 1) of the estimation ARs, market moments over every estimation date."""

    name: str = "sample"

    def describe(self) -> str:
        """One sentence."""
        return (
            "Patell and BMP divide by the sample sd (M - 1) of the estimation-window ARs, with the market's "
            "moments taken over every estimation date"
        )

    def scale(
        self, fit: abnormal.StackFit, ar: Array, est: Mask, x: Array, in_est: Mask, intercept: bool
    ) -> abnormal.StackFit:
        """Return a fit with the sample variance and the regressors' moments over all estimation dates."""
        x_days = in_est[None, :] & np.isfinite(x).all(axis=2)
        moments = abnormal.fit_stack(np.zeros_like(ar), x, x_days, intercept=intercept)
        est_ar = np.where(est, ar, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            s2 = np.nanvar(est_ar, axis=1, ddof=1) if est_ar.shape[1] else np.zeros(len(ar))
        return replace(moments, sigma2=s2, nobs=fit.nobs)

    def residual_sd(self, sigma: Array, sd_sample: Array) -> Array:
        """Per firm-event sd used by the variance-sum tests."""
        return sd_sample


Standardisation = FitScale | SampleScale


# ---------------------------------------------------------------- multi-day standardisation
def pooled_patell_z(sx: Array, var: Array, scale: float = 1.0) -> float:
    """Patell's z from standardised values and their variances: their sum over the root of the variances' sum.

    ``scale`` multiplies the sum (see :class:`MeanTimesN`).
    """
    return float(sx.sum() * scale / np.sqrt(var.sum()))


@dataclass(frozen=True)
class ScarWindow:
    """A CAR is standardised by its own exact sd (SCAR)."""

    name: str = "scar"

    def describe(self) -> str:
        """One sentence."""
        return "multi-day Patell/BMP and generalized rank statistics standardise each CAR by its own sd (SCAR)"

    def car_sd(
        self, fit: abnormal.StackFit, x: Array, cols: NDArray[np.intp], sigma: Array, days: Array, rounding: Rounding
    ) -> Array:
        """Return the sd that standardises each CAR over ``cols``: its exact prediction-error sd, rounded as the profile rounds."""
        return rounding.compute(np.sqrt(abnormal.car_variance(fit, x, cols)))

    def compute(self, scar: Array, csar: Array, days: Array) -> Array:
        """Return the standardised CAR of each firm-event that Patell's test sums."""
        return scar

    def cross(self, scar: Array, csar: Array, days: Array) -> Array:
        """Return the standardised CAR of each firm-event that BMP's test takes the cross-section of."""
        return scar

    def ranked(self, scar: Array, car: Array, daily_sd: Array) -> Array:
        """Return the standardised CAR the generalized rank test ranks (Kolari & Pynnonen 2011: SCAR)."""
        return scar

    def patell_z(self, sx: Array, var: Array, scale: float) -> float:
        """Return Patell's z over a window, pooled as a day's is (:func:`pooled_patell_z`)."""
        return pooled_patell_z(sx, var, scale)


@dataclass(frozen=True)
class CsarWindow:
    """Patell takes each firm-event's summed daily standardised ARs (CSAR); BMP each CAR over its own sd (SCAR).

    The EventStudyTools service's CAAR statistics: its "Patell Z" over a window is the sum
    over firm-events of ``CSAR_i / sqrt(L_i (M_i - 2)/(M_i - 4))`` divided by ``sqrt(N)``
    (the CAAR Patell test of its documentation), its "StdCSect Z" the cross-sectional t of
    each CAR (the sum of the rounded ARs) over the CAR's prediction-error sd. ``L_i`` is the
    number of days the CAR counts. Both reproduce its published output to the printed digits
    in the two Axon runs and the insider-sales run, where the other pairing does not.
    """

    name: str = "csar"

    def describe(self) -> str:
        """One sentence."""
        return (
            "multi-day Patell statistics take each firm-event's sum of daily standardised ARs (CSAR) over "
            "sqrt(L (M - 2)/(M - 4)) and sum these over sqrt(N); BMP standardises each CAR by its own sd (SCAR), "
            "computed from the rounded sigma; the generalized rank test ranks each CAR over the root of the sum of "
            "its daily AR variances"
        )

    def car_sd(
        self, fit: abnormal.StackFit, x: Array, cols: NDArray[np.intp], sigma: Array, days: Array, rounding: Rounding
    ) -> Array:
        """Return the sd that standardises each CAR: from the rounded ``sigma`` over the days it counts, not rounded.

        The service's CAAR "StdCSect Z" of the insider-sales run is reproduced when each CAR's
        prediction-error sd is taken from the sigma it prints (4 decimals) and left unrounded
        (with the exact sigma, or with the sd rounded, it is not; the Axon S&P 500 run
        agrees either way). In the Nasdaq-100 run, event 45's window lost a day: its
        ``L`` is the four days it has, its regressors summed over the filled window.
        """
        return np.sqrt(abnormal.car_variance(replace(fit, sigma2=sigma**2), x, cols, length=days))

    def compute(self, scar: Array, csar: Array, days: Array) -> Array:
        """Return each firm-event's CSAR over ``sqrt(L)``, ``L`` the days its CAR counts."""
        return csar / np.sqrt(days)

    def cross(self, scar: Array, csar: Array, days: Array) -> Array:
        """Return the standardised CAR of each firm-event that BMP's test takes the cross-section of."""
        return scar

    def ranked(self, scar: Array, car: Array, daily_sd: Array) -> Array:
        """Return the standardised CAR the generalized rank test ranks: the CAR over ``sqrt(sum of daily variances)``.

        The service's CAAR "Generalized Rank T" and "Z" of the S&P 500 Axon run are reproduced
        with this observation (with SCAR they miss by 0.017).
        """
        return car / daily_sd

    def patell_z(self, sx: Array, var: Array, scale: float) -> float:
        """Return Patell's z over a window: each firm-event's ``CSAR / sqrt(L (M - 2)/(M - 4))``, summed over ``sqrt(N)``.

        The EventStudyTools documentation's CAAR Patell test (one z per firm-event, then
        their scaled sum); it differs from the pooled sum only when estimation windows
        differ in length. With it the service's CAAR "Patell Z" of the insider-sales run
        (one window of 201 days among 250) and of the Nasdaq-100 Axon run are reproduced.
        """
        return float((sx / np.sqrt(var)).sum() * scale / np.sqrt(len(sx)))


PatellWindow = ScarWindow | CsarWindow


# ---------------------------------------------------------------- generalized sign share
@dataclass(frozen=True)
class CowanShare:
    """Expected share of positive ARs: each firm's estimation-window share, averaged (Cowan 1992)."""

    name: str = "cowan"

    def describe(self) -> str:
        """One sentence."""
        return "the generalized sign test expects each firm's estimation-window share of positive ARs, averaged (Cowan 1992)"

    def compute(self, pos_frac: Array, est_pos: float, est_all: float) -> float:
        """Return the expected share."""
        return float(np.nanmean(pos_frac))


@dataclass(frozen=True)
class PooledShare:
    """Expected share of positive ARs pooled over all firm-days of the estimation windows."""

    name: str = "pooled"

    def describe(self) -> str:
        """One sentence."""
        return "the generalized sign test expects the share of positive ARs pooled over all estimation firm-days"

    def compute(self, pos_frac: Array, est_pos: float, est_all: float) -> float:
        """Return the expected share."""
        return est_pos / est_all


GenSignShare = CowanShare | PooledShare


# ---------------------------------------------------------------- sums across firms
@dataclass(frozen=True)
class PresentSums:
    """Sums run over the firm-events that have a value."""

    name: str = "sum"

    def describe(self) -> str:
        """One sentence."""
        return "sums across firms run over the firm-events that have a value"

    def scale(self, n_all: int | float, n_present: int | float) -> float:
        """Factor applied to a sum over the present firm-events."""
        return 1.0

    def rows(self, present: Mask) -> Mask:
        """Firm-events whose variances enter a variance sum."""
        return present


@dataclass(frozen=True)
class MeanTimesN:
    """A sum is the mean over the firm-events present times the number of all firm-events (estudy2)."""

    name: str = "mean_times_n"

    def describe(self) -> str:
        """One sentence."""
        return "a sum across firms is the mean over those present times the number of all firm-events (estudy2)"

    def scale(self, n_all: int | float, n_present: int | float) -> float:
        """Factor applied to a sum over the present firm-events."""
        return float(n_all) / float(n_present)

    def rows(self, present: Mask) -> Mask:
        """Every firm-event's variance enters a variance sum."""
        return np.ones_like(present, dtype=bool)


CrossSums = PresentSums | MeanTimesN


# ---------------------------------------------------------------- sign-test p-values
@dataclass(frozen=True)
class ExactSmallSample:
    """Sign-test p-values from the exact binomial distribution below ``limit`` firm-events."""

    limit: int = 30

    @property
    def name(self) -> str:
        """Short name."""
        return f"exact below {self.limit}"

    def describe(self) -> str:
        """One sentence."""
        return (
            f"sign tests take exact two-sided binomial p-values when fewer than {self.limit} firm-events have a "
            "value, the normal approximation from there on"
        )

    def pvalue(self, z: float, positives: float, n: int, p: float) -> tuple[float, str] | None:
        """Return the exact p-value and its distribution, or None where the normal approximation applies."""
        if n < 1 or n >= self.limit or positives != round(positives):
            return None
        from scipy import stats  # loaded when a test needs it, not at import

        exact = stats.binomtest(round(positives), n, p).pvalue
        return float(exact), f"Binomial({n}, {p:.4g}), exact two-sided (N < {self.limit})"


@dataclass(frozen=True)
class NormalApproximation:
    """Sign-test p-values from the normal approximation at every N (as estudy2 and EventStudyTools report Z)."""

    name: str = "normal"

    def describe(self) -> str:
        """One sentence."""
        return "sign tests take p-values from the normal approximation at every N"

    def pvalue(self, z: float, positives: float, n: int, p: float) -> tuple[float, str] | None:
        """Return None: the normal approximation applies."""
        return None


SignPValues = ExactSmallSample | NormalApproximation


# ---------------------------------------------------------------- rounding
JSON_FIXED_ABOVE = 1e-5
"""Magnitude above which jsonlite writes a number with fixed decimals (at or below it, significant digits)."""


def json_round(values: Array | float, digits: int) -> Array:
    """Return ``values`` as jsonlite's ``toJSON(digits = digits)`` writes them, read back as numbers.

    Above 1e-5 in magnitude a number keeps ``digits`` decimals, rounded half to even on the
    fraction as jsonlite's ``modp_dtoa2`` does; at or below it jsonlite switches to
    ``%.{digits + 1}g``, so a tiny value keeps ``digits + 1`` significant digits instead of
    becoming 0 (jsonlite ``src/num_to_char.c``).

    Examples
    --------
    >>> json_round(np.array([-0.02134, 0.00003141, -1.45623911e-06, 0.00015]), 4).tolist()  # 0.00015: just below
    [-0.0213, 0.0, -1.4562e-06, 0.0001]
    >>> float(json_round(-1.45623911e-06, 4))  # one number alike
    -1.4562e-06
    """
    given = np.asarray(values, dtype=np.float64)
    x = np.atleast_1d(given)  # a single number too: a tiny one is set by index below
    a = np.abs(x)
    scale = 10.0**digits
    whole = np.floor(a)
    tmp = (a - whole) * scale
    frac = np.floor(tmp)
    diff = tmp - frac
    frac += (diff > 0.5) | ((diff == 0.5) & (frac % 2 == 1))
    out = np.sign(x) * ((whole * scale + frac) / scale)
    tiny = (a <= JSON_FIXED_ABOVE) & (a > 0)
    if tiny.any():
        out[tiny] = [float(f"{v:.{digits + 1}g}") for v in x[tiny]]
    return np.where(np.isfinite(x), out, x).reshape(given.shape)


@dataclass(frozen=True)
class Rounding:
    """Decimals to which ARs, CARs, sigmas, standardising sds and BHARs' expected returns are rounded before any statistic.

    None: exact. The EventStudyTools service standardises each rounded AR by its rounded
    prediction-error sd: with both rounded, its Patell Z and StdCSect Z of every Axon day are
    reproduced to the printed digits (with either left exact they differ in the third decimal).
    Its numbers are rounded as jsonlite writes them (:func:`json_round`): an AR of -1.4562e-06
    keeps that value, and its AR t (-0.0001 printed) with it.
    """

    digits: int | None = None

    @property
    def name(self) -> str:
        """Short name."""
        return "none" if self.digits is None else f"{self.digits} dp"

    def describe(self) -> str:
        """One sentence."""
        if self.digits is None:
            return "statistics use unrounded ARs, CARs and sigmas"
        return (
            f"ARs, CARs, sigmas, the sds that standardise ARs and CARs and the expected returns a BHAR compounds "
            f"are rounded to {self.digits} decimals before any statistic as jsonlite writes them (a value at or "
            f"below 1e-5 in magnitude keeps {self.digits + 1} significant digits), and so is a day's AAR in its "
            "cross-sectional t (stored values stay exact)"
        )

    def compute(self, values: Array) -> Array:
        """Round (or not) ``values``."""
        return json_round(values, self.digits) if self.digits is not None else values

    def day_mean(self, aar: float) -> float:
        """Return the AAR a day's cross-sectional t divides by its standard error.

        The EventStudyTools service divides its printed (rounded) AAR, but the CAAR as computed;
        read from its output, where every day's "Csect T" equals the rounded AAR over sd / sqrt(N).
        """
        return float(json_round(aar, self.digits)) if self.digits is not None else aar


# ---------------------------------------------------------------- weights of the weighted AAR/CAAR
@dataclass(frozen=True)
class InvDailySdWeights:
    """Precision weights ``1 / sqrt(sum of the daily AR variances)`` over the day or window (EventStudyTools).

    Each day's variance is the prediction-error-corrected one that standardises the AR (rounded
    as the profile rounds it); on one day the weight is ``1 / S_t``. Read from the service's
    Axon outputs: its "Precision Weighted CAAR Value" is reproduced in both runs (weights
    ``1 / sigma`` reproduce the S&P 500 run only).
    """

    name: str = "inv_daily_sd"

    def describe(self) -> str:
        """One sentence."""
        return (
            "the precision-weighted AAR and CAAR weight each firm-event by 1 / sqrt(sum of its daily AR variances "
            "over the day or window)"
        )

    def weights(self, sigma: Array, daily_sd: Array) -> Array:
        """Weight of each firm-event (``daily_sd``: the root of the sum of its daily AR variances)."""
        return 1.0 / daily_sd


@dataclass(frozen=True)
class InvVarianceWeights:
    """Precision weights ``1 / sigma^2`` (inverse variance)."""

    name: str = "inv_variance"

    def describe(self) -> str:
        """One sentence."""
        return "the precision-weighted AAR and CAAR weight each firm-event by 1 / sigma^2"

    def weights(self, sigma: Array, daily_sd: Array) -> Array:
        """Weight of each firm-event."""
        return 1.0 / sigma**2


CaarWeights = InvDailySdWeights | InvVarianceWeights


# ---------------------------------------------------------------- days the many-firm statistics see
@dataclass(frozen=True)
class SameDays:
    """The many-firm statistics take each firm-event's abnormal returns as its own tables show them."""

    name: str = "same"

    def describe(self) -> str:
        """One sentence."""
        return "the many-firm statistics take each firm-event's abnormal returns as its own tables show them"

    def columns(self, positions: Ints, rel: Ints, event_window: Window | None) -> Ints | None:
        """Return None: no column is taken from another."""
        return None


@dataclass(frozen=True)
class RecycledDays:
    """Where a firm-event's event window lost its last days, the many-firm statistics fill them with its first ones.

    The days it has are repeated in order until the window is full, as R recycles a short
    vector. Read from the EventStudyTools service's Nasdaq-100 Axon output: event 45 has no AR
    on day +2 (its market price is missing inside the window, so the service dropped that day
    and labelled the others in order), yet the service counts 140 ARs on day +2, and its AAR,
    Csect T, Patell Z, StdCSect Z and Skewness Corrected T of that day are reproduced when
    event 45 brings its day -2 AR there; its CAAR, the CAAR's Csect T and Skewness Corrected T,
    and the ABHAR with its two tests, when event 45's CAR and BHAR run over the five days so
    filled. The firm-event's own AR, CAR and BHAR rows keep the days it has.
    """

    name: str = "recycled"

    def describe(self) -> str:
        """One sentence."""
        return (
            "where a firm-event's event window lost its last days, the many-firm statistics fill them by repeating "
            "its days in order (as the EventStudyTools service does); its own rows keep the days it has"
        )

    def columns(self, positions: Ints, rel: Ints, event_window: Window | None) -> Ints | None:
        """Return, per firm-event and relative day, the column the many-firm statistics take (None: all their own).

        A firm-event qualifies when its event window has some days, all before its missing ones.
        """
        if event_window is None:
            return None
        cols = np.flatnonzero((rel >= event_window.start) & (rel <= event_window.end))
        has = positions[:, cols] >= 0
        k = has.sum(axis=1)
        j = np.arange(len(cols))
        short = (k > 0) & (k < len(cols)) & (has == (j[None, :] < k[:, None])).all(axis=1)
        if not short.any():
            return None
        out = np.broadcast_to(np.arange(len(rel), dtype=np.int64), positions.shape).copy()
        # day j of the window takes day j mod k: the k days it has, then those again in order
        out[np.ix_(np.flatnonzero(short), cols)] = cols[j[None, :] % k[short, None]]
        return out


PooledDays = SameDays | RecycledDays


# ---------------------------------------------------------------- generalized rank: the ranked length
@dataclass(frozen=True)
class OwnLength:
    """A firm-event's ranks count its own estimation returns (Kolari & Pynnonen 2011; Corrado 1989).

    The generalized rank test scales them by ``T_i + 1``, ``T_i = M_i + 1``; Corrado's rank
    test centres them on ``(T_i + 1) / 2``, ``T_i`` its estimation and test days.
    """

    name: str = "own"

    def describe(self) -> str:
        """One sentence."""
        return (
            "the generalized rank test scales each firm-event's ranks by its own count, estimation returns plus the "
            "event observation (T_i = M_i + 1, Kolari and Pynnonen 2011), and Corrado's rank test centres them on "
            "(T_i + 1)/2 of its own estimation and test days"
        )

    def length(self, counts: Array, requested: int) -> Array:
        """Return the estimation length ``M`` each firm-event's ``T = M + 1`` is taken from."""
        return counts


@dataclass(frozen=True)
class RequestedLength:
    """Every firm-event's generalized ranks are scaled by the requested estimation window, shortened or not (EventStudyTools).

    Read from two of the service's runs with shortened estimation windows: with ``T = M + 1``
    for the requested ``M`` (120 and 250), the Generalized Rank Z of every day and of the
    CAAR is reproduced, five days of the Nasdaq-100 run (seven windows shortened down to 14
    days) and 41 of the insider-sales run (one window of 201 days); with each firm-event's
    own ``M`` none of these prints as the service's. Corrado's rank test likewise centres a
    shortened window's ranks on ``(M + D + 1) / 2`` of the requested ``M`` and the ``D`` test
    days: with that centring our Rank Z of every day and of the CAAR is the service's times
    one common factor in each run (1.0245 in the Nasdaq-100 run; about 1.001, within the
    printed digits' spread, in the insider-sales run), so the mean rank deviations are the
    service's; the sd the service divides them by is not reproduced.
    """

    name: str = "requested"

    def describe(self) -> str:
        """One sentence."""
        return (
            "the generalized rank test scales every firm-event's ranks by the requested estimation window plus the "
            "event observation, and Corrado's rank test centres them on (M + D + 1)/2 of the requested M and the D "
            "test days, a shortened window's too, as the EventStudyTools service does"
        )

    def length(self, counts: Array, requested: int) -> Array:
        """Return the requested length for every firm-event."""
        return np.full_like(counts, float(requested))


RankLength = OwnLength | RequestedLength


# ---------------------------------------------------------------- cross-correlation (Kolari-Pynnonen)
@dataclass(frozen=True)
class CalendarPairs:
    """Kolari-Pynnonen's ``r`` from estimation-window residuals aligned on the calendar (Kolari & Pynnonen 2010)."""

    name: str = "calendar"

    def describe(self) -> str:
        """One sentence."""
        return (
            "the Kolari-Pynnonen tests take r as the mean correlation of estimation-window residuals on the sessions "
            "two firm-events share, pairs whose event windows are not linked in calendar time (overlapping, directly "
            "or through a chain of others) counting zero"
        )

    def correlation(
        self, est_ar: Array | None, u_cluster: Array, n_cluster: Array, sums: PositionSums | None = None
    ) -> tuple[float, float]:
        """Return the mean correlation of the overlapping pairs and the ``r`` of ``1 + (N - 1) r``.

        ``u_cluster`` sums each overlap cluster's residuals, centred and scaled to unit length, per
        session, so a cluster's sum of pairwise correlations is ``|sum|^2 - count``.
        """
        total = float(n_cluster.sum())
        overlapping = float((n_cluster * (n_cluster - 1)).sum())
        r_sum = float((u_cluster**2).sum()) - total
        pairs = total * (total - 1)
        return (r_sum / overlapping if overlapping else float("nan")), (r_sum / pairs if pairs else float("nan"))


@dataclass(frozen=True)
class PositionPairs:
    """Kolari-Pynnonen's ``r`` from estimation-window ARs paired by position, whatever their dates (EventStudyTools).

    Each firm-event's estimation ARs are lined up from its window's first day, every pair is
    correlated (Pearson) over the positions both have, and ``r`` is the mean over all pairs.
    Read from the service's Axon outputs: their CAAR "Adjusted Patell Z" over "Patell Z" is
    ``1 / sqrt(1 + (N - 1) r)`` with this ``r`` in both runs, including the Nasdaq-100 one whose
    shortened windows only line up this way.
    """

    name: str = "position"

    def describe(self) -> str:
        """One sentence."""
        return (
            "the Kolari-Pynnonen tests take r as the mean correlation, over all pairs of firm-events, of their "
            "estimation-window ARs paired by position from each window's first day, whatever their dates "
            "(EventStudyTools)"
        )

    def correlation(
        self, est_ar: Array | None, u_cluster: Array, n_cluster: Array, sums: PositionSums | None = None
    ) -> tuple[float, float]:
        """Return the mean pairwise correlation twice (it is the ``r`` of ``1 + (N - 1) r``).

        From ``sums`` (see :func:`position_sums`) where the ARs were summed elsewhere; NaN with neither.
        """
        if sums is None:
            if est_ar is None:
                return float("nan"), float("nan")
            sums = position_sums(est_ar, position_lengths(est_ar))
        r = position_mean(sums)
        return r, r


CorrelationPairs = CalendarPairs | PositionPairs

PositionSums = dict[int, Array]
"""Per length ``m``: the sums of :func:`position_sums`, additive over disjoint sets of firm-events."""


def position_lengths(est_ar: Array) -> list[int]:
    """Distinct numbers of values per row that can be correlated (two or more)."""
    lengths = np.isfinite(est_ar).sum(axis=1)
    return [int(m) for m in np.unique(lengths[lengths >= 2])]


def position_sums(est_ar: Array, lengths: Sequence[int]) -> PositionSums:
    """Return the sums from which the mean correlation of rows lined up from their first value follows.

    Parameters
    ----------
    est_ar
        One row per firm-event, NaN where it has no value.
    lengths
        Every row length of the whole sample (see :func:`position_lengths`), so that sums of
        disjoint parts of it add up to the sums of all of it.

    Returns
    -------
    dict
        For each ``m`` of ``lengths``: ``T`` and ``g``, the sums over the rows with at least and
        with exactly ``m`` values of their first ``m`` values centred and scaled to unit length
        (``z``), followed by the numbers of such rows, in one array of ``2 m + 2``.

    Notes
    -----
    Lined up from the left, a row of ``m`` values meets a longer one on its first ``m``
    positions, so the pairs whose shorter member has ``m`` values are correlated at once: the
    ordered pairs with a member among the ``n_g`` rows of exactly ``m`` values sum to
    ``2 g.T - g.g - n_g`` (see :func:`position_mean`). One pass over the rows per distinct length,
    not one per pair. A row constant over its first ``m`` values has no correlation there and
    is left out of that length's sums.
    """
    out: PositionSums = {m: np.zeros(2 * m + 2) for m in lengths}
    # the sums add over disjoint sets of rows: blocks bound the temporaries
    for start in range(0, len(est_ar), POSITION_BLOCK):
        block = est_ar[start : start + POSITION_BLOCK]
        finite = np.isfinite(block)
        have = finite.sum(axis=1)
        # a stable sort of "missing" moves each row's values to its left end, in order
        lined = np.take_along_axis(block, np.argsort(~finite, axis=1, kind="stable"), axis=1)
        for m in lengths:
            rows = have >= m
            first = lined[rows, :m]
            dev = first - first.mean(axis=1, keepdims=True)
            norm = np.sqrt((dev**2).sum(axis=1))
            valid = norm > 0
            z = dev[valid] / norm[valid, None]
            exact = (have[rows] == m)[valid]
            out[m] += np.concatenate([z.sum(axis=0), z[exact].sum(axis=0), [len(z), exact.sum()]])
    return out


POSITION_BLOCK = 16384
"""Firm-events whose estimation ARs :func:`position_sums` lines up at a time (bounds its temporary memory)."""


def position_mean(sums: PositionSums) -> float:
    """Mean correlation over the ordered pairs whose correlation is defined (NaN if none is).

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 3.0, np.nan], [2.0, 4.0, 7.0, 1.0], [np.nan, 3.0, 2.0, 1.0]])
    >>> round(position_mean(position_sums(x, position_lengths(x))), 6)  # -1, and +-0.9934 with row 2's first 3
    -0.333333
    """
    total = 0.0
    count = 0.0
    for m, s in sums.items():
        t, g, n_a, n_g = s[:m], s[m : 2 * m], float(s[2 * m]), float(s[2 * m + 1])
        total += 2.0 * float(g @ t) - float(g @ g) - n_g
        count += 2.0 * n_g * n_a - n_g * n_g - n_g
    return total / count if count else float("nan")


# ---------------------------------------------------------------- the profiles
@dataclass(frozen=True)
class Convention:
    """A documented, frozen set of choices.

    Attributes
    ----------
    name, description
        Profile name (as given to ``--convention``) and whose conventions these are.
    returns, estimation, negative_prices, split_jumps, min_estimation_obs
        Defaults used when the user does not choose: return kind, estimation window,
        reading of a negative price (``error``, ``abs``: CRSP's bid-ask midpoint, or
        ``missing``), a one-day move by an exact split factor (``exclude`` the
        firm-event, or ``keep`` it with a warning as tools that do not screen prices do),
        and the fewest estimation returns a firm-event may be fitted on (None: half the
        estimation window).
    days, variance, standardise, patell_window, gen_sign, cross_sums, sign_pvalues, rounding, caar_weights,
    car_days, correlation, pooled_days, rank_length
        The strategy objects (see their classes). The AAR and CAAR are always plain means;
        ``caar_weights`` says how the precision-weighted figure beside them is weighted.
    """

    name: str
    description: str
    returns: Literal["simple", "log"]
    estimation: str
    days: DayCount
    variance: CarVariance
    standardise: Standardisation
    patell_window: PatellWindow
    gen_sign: GenSignShare
    cross_sums: CrossSums
    sign_pvalues: SignPValues
    rounding: Rounding
    caar_weights: CaarWeights
    car_days: CarDays = AllDays()
    correlation: CorrelationPairs = CalendarPairs()
    pooled_days: PooledDays = SameDays()
    rank_length: RankLength = OwnLength()
    split_jumps: Literal["exclude", "keep"] = "exclude"
    negative_prices: Literal["error", "abs", "missing"] = "error"
    min_estimation_obs: int | None = None

    def parts(self) -> Sequence[tuple[str, Choice]]:
        """Return the strategy objects in print order."""
        return [
            ("days", self.days),
            ("variance", self.variance),
            ("standardise", self.standardise),
            ("patell_window", self.patell_window),
            ("gen_sign", self.gen_sign),
            ("cross_sums", self.cross_sums),
            ("sign_pvalues", self.sign_pvalues),
            ("rounding", self.rounding),
            ("caar_weights", self.caar_weights),
            ("car_days", self.car_days),
            ("correlation", self.correlation),
            ("pooled_days", self.pooled_days),
            ("rank_length", self.rank_length),
        ]

    def as_rows(self, n_params: int = 2, n_slopes: int | None = None) -> list[tuple[str, str]]:
        """Return ``(choice, what it does)`` pairs for printing, for a model estimating ``n_params`` parameters.

        ``n_slopes`` is the model's number of regressors, if known.
        """
        defaults = [
            ("returns", f"{self.returns} returns by default"),
            ("estimation", f"estimation window {self.estimation} by default"),
            ("split_jumps", f"{self.split_jumps} a firm-event whose price moves by an exact split factor in one day"),
            ("negative_prices", f"a negative price in user files: {self.negative_prices}"),
            (
                "min_estimation_obs",
                "a firm-event is fitted on at least half its estimation window's returns by default"
                if self.min_estimation_obs is None
                else f"a firm-event is fitted on as few as {self.min_estimation_obs} estimation returns by default "
                "(shortened windows are used, with a warning)",
            ),
        ]
        rows = [
            (k, self.variance.describe(n_params, n_slopes) if k == "variance" else v.describe())
            for k, v in self.parts()
        ]
        return [*defaults[:2], *rows, *defaults[2:]]

    def as_dict(self) -> dict[str, object]:
        """Return the profile as a JSON-friendly mapping (each choice's name and sentence)."""
        out: dict[str, object] = {"name": self.name, "description": self.description, "returns": self.returns}
        out["estimation"] = self.estimation
        for key, part in self.parts():
            out[key] = {"choice": part.name, "what": part.describe()}
        out["split_jumps"] = self.split_jumps
        out["negative_prices"] = self.negative_prices
        out["min_estimation_obs"] = self.min_estimation_obs
        return out


CONVENTIONS: dict[str, Convention] = {
    "mackinlay": Convention(
        name="mackinlay",
        description="MacKinlay (1997) / Campbell, Lo and MacKinlay (1997) chapter 4: simple returns, "
        "exchange sessions, sigma on M - k, exact prediction-error-corrected variances, t(M - k)",
        returns="simple",
        estimation="-250:-11",
        days=ExchangeSessions(),
        variance=ExactVariance(),
        standardise=FitScale(),
        patell_window=ScarWindow(),
        gen_sign=CowanShare(),
        cross_sums=PresentSums(),
        sign_pvalues=ExactSmallSample(30),
        rounding=Rounding(None),
        caar_weights=InvVarianceWeights(),
    ),
    "estudy2": Convention(
        name="estudy2",
        description="R package estudy2 (Rudnytskyi): log returns, Patell and BMP standardised by the "
        "sample sd (M - 1) with market moments over every estimation date, generalized sign with a "
        "pooled share, cross-sectional sums taken as mean x number of firms",
        returns="log",
        estimation="-250:-11",
        days=ExchangeSessions(),
        variance=ExactVariance(),
        standardise=SampleScale(),
        patell_window=ScarWindow(),
        gen_sign=PooledShare(),
        cross_sums=MeanTimesN(),
        sign_pvalues=NormalApproximation(),
        rounding=Rounding(None),
        caar_weights=InvVarianceWeights(),
        split_jumps="keep",
    ),
    "eventstudytools": Convention(
        name="eventstudytools",
        description="EventStudyTools service: log returns, windows counted on the firm's trading days "
        "(the estimation window extended over days without a market price, the event window's missing days "
        "dropped and the rest relabelled, as the service does), sigma on M - 2, AR t = AR / sigma and CAR t = CAR / (sigma sqrt(L)) "
        "without the prediction-error correction, ARs, CARs, sigmas and the sds that standardise them "
        "rounded to 4 decimals as jsonlite writes them (5 significant digits at or below 1e-5), "
        "a precision-weighted CAAR with weights 1 / sqrt(sum of the daily AR variances) beside the plain one; prices used as given (split-like jumps kept with a "
        "warning, negative CRSP midpoints read as their absolute value)",
        returns="log",
        estimation="-260:-11",
        days=ServiceTradingDays(),
        variance=PlainVariance(),
        standardise=FitScale(),
        patell_window=CsarWindow(),
        gen_sign=CowanShare(),
        cross_sums=PresentSums(),
        sign_pvalues=NormalApproximation(),
        rounding=Rounding(4),
        caar_weights=InvDailySdWeights(),
        car_days=PresentDays(),
        correlation=PositionPairs(),
        pooled_days=RecycledDays(),
        rank_length=RequestedLength(),
        split_jumps="keep",
        negative_prices="abs",
        # The service fits any non-empty estimation window (its output keeps one of 14 days, with a
        # warning); 3 is the fewest that leave sigma on M - 2 a degree of freedom.
        min_estimation_obs=3,
    ),
}


def get_convention(name: str, parameter: str = "convention") -> Convention:
    """Return the profile called ``name``; the error names ``parameter`` and lists the valid names."""
    if name not in CONVENTIONS:
        raise InvalidOptionError(parameter, name, CONVENTIONS)
    return CONVENTIONS[name]
