"""Who was hit and why: cross-sectional regressions of abnormal returns on firm characteristics.

``cross_section`` regresses each firm-event's CAR (``car``), standardised CAR
(``scar``) or one-day AR (``ar``) over a window on characteristics with statsmodels
(formula interface; HC3, cluster-robust or classical standard errors; WLS by 1/sigma^2
on request). For firm-events sharing one date, ``portfolio_time_series`` gives the
Sefcik and Thompson (1986) estimate: each coefficient is the event-window abnormal return
of a characteristic-weighted portfolio, whose standard error comes from that portfolio's
own time series and so allows for the cross-correlation of same-date firms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from eventstudy._options import validate_literal
from eventstudy.errors import ConfigError, EventExcludedWarning, near_names, warn
from eventstudy.windows import Window

Cov = Literal["HC3", "cluster", "nonrobust"]
Outcome = Literal["car", "scar", "ar"]


WindowResults = Any
"""An :class:`~eventstudy.results.EventStudyResults` (named, not imported: results build on this module)."""


@dataclass(frozen=True)
class CrossSectionResults:
    """A fitted cross-section, with statsmodels' names.

    Attributes
    ----------
    formula, cov_type, window
        What was fitted and how its standard errors were computed.
    params, bse, tvalues, pvalues
        Coefficients and their standard errors, t-statistics and p-values (Series).
    nobs, rsquared, df_resid
        Observations, R-squared, residual degrees of freedom.
    data
        The frame the regression used (one row per firm-event).
    """

    formula: str
    cov_type: str
    window: Window
    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    nobs: int
    rsquared: float
    df_resid: float
    data: pd.DataFrame = field(repr=False)
    use_t: bool = True

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Confidence intervals of the coefficients (t or normal quantiles as the fit used)."""
        from scipy import stats

        q = stats.t.ppf(1 - alpha / 2, self.df_resid) if self.use_t else stats.norm.ppf(1 - alpha / 2)
        return pd.DataFrame({"lower": self.params - q * self.bse, "upper": self.params + q * self.bse})

    def summary(self) -> str:
        """Return a coefficient table with the fit's description."""
        table = pd.DataFrame({"coef": self.params, "std err": self.bse, "t": self.tvalues, "P>|t|": self.pvalues}).join(
            self.conf_int()
        )
        fit = f"R-squared = {self.rsquared:.3f}" if np.isfinite(self.rsquared) else "no R-squared (time series)"
        head = f"Cross-section {self.formula}, window {self.window}, {self.cov_type} standard errors; N = {self.nobs}, {fit}"
        return head + "\n" + table.to_string(float_format=lambda v: f"{v:.4g}")

    def __str__(self) -> str:
        return self.summary()


OUTCOMES = ("car", "scar", "ar", "sigma")
"""What a firm-event's row of the cross-section measures; characteristics may not reuse these names."""


def outcome_frame(res: WindowResults, window: Window) -> pd.DataFrame:
    """Per firm-event outcomes over ``window``: ``car``, ``scar`` (CAR / its standard error), ``ar``, ``sigma``.

    The event's ``ticker``, ``event_date`` and ``group`` (empty without one) come along, so a
    formula can use them (``C(group)``) and standard errors can be clustered by them.
    """
    tests = res.tests(window)
    group_of = {e.event_id: e.group for e in res.config.events}
    frame = pd.DataFrame(
        {
            "ticker": res.events.loc[tests.index, "ticker"],
            "event_date": res.events.loc[tests.index, "event_date"].astype(str),
            "group": [group_of.get(eid, "") for eid in tests.index],
            "car": tests["car"],
            "scar": tests["car"] / tests["bse"],
            "sigma": res.params.loc[tests.index, "sigma"],
        }
    )
    frame["ar"] = frame["car"] if window.length == 1 else np.nan
    frame.index.name = "event_id"
    return frame


def merge_characteristics(outcomes: pd.DataFrame, data: pd.DataFrame | None) -> pd.DataFrame:
    """Join characteristics keyed by ``event_id``, or by ``ticker`` (a firm's values hold for each of its events).

    ``None`` joins nothing: the outcomes carry the study's own ``ticker``, ``event_date`` and ``group``.
    """
    if data is None:
        return outcomes
    data = data.copy()
    if "event_id" in data.columns:
        keyed = data.set_index("event_id")
    elif data.index.name == "event_id":
        keyed = data
    elif "ticker" in data.columns:
        twice = data["ticker"][data["ticker"].duplicated()]
        if len(twice):
            raise ConfigError(
                f"characteristics have several rows for ticker {twice.iloc[0]!r}; keep one row per ticker, or key "
                "the rows by an event_id column (values that differ from one event of a firm to another)."
            )
        keyed = data.set_index("ticker")
        keyed = keyed.reindex(outcomes["ticker"]).set_axis(outcomes.index)
    else:
        raise ConfigError("characteristics need an event_id (or ticker) column to match the firm-events.")
    if keyed.index.duplicated().any():
        twice = keyed.index[keyed.index.duplicated()][0]
        raise ConfigError(f"characteristics have several rows for event_id {twice!r}; keep one per event_id.")
    overlap = [c for c in keyed.columns if c in OUTCOMES]
    if overlap:
        raise ConfigError(
            f"characteristics columns {overlap} clash with the outcomes car, scar, ar, sigma; rename them."
        )
    keyed = keyed.drop(columns=["ticker"], errors="ignore")
    # the file's own event_date or group, where it has one, speaks for the study's
    return outcomes.drop(columns=[c for c in keyed.columns if c in outcomes.columns]).join(keyed, how="left")


def cross_section(
    res: WindowResults,
    formula: str,
    data: pd.DataFrame | None = None,
    *,
    window: str | Window | tuple[int, int] = "0:0",
    cov: str = "HC3",
    groups: str | None = None,
    weights: str | None = None,
) -> CrossSectionResults:
    """Regress each firm-event's CAR, SCAR or AR over ``window`` on characteristics.

    Parameters
    ----------
    res
        The study's results.
    formula
        A statsmodels (patsy) formula whose left side is ``car``, ``scar`` or ``ar``,
        e.g. ``"car ~ beta_market + runup + C(sector)"``.
    data
        One row per firm-event, keyed by ``event_id`` (or ``ticker``); ``None`` when the
        formula uses only the study's own ``group``, ``event_date`` and ``ticker``.
    window
        The window of the outcome.
    cov
        ``HC3`` (heteroskedasticity-robust), ``cluster`` (by ``groups``) or ``nonrobust``.
        p-values and intervals take t(N - k) quantiles, t(G - 1) when clustered in G groups.
    groups
        Column of ``data`` to cluster by, with ``cov="cluster"``.
    weights
        ``inverse_variance`` for WLS with weights 1/sigma^2, else OLS.

    Returns
    -------
    CrossSectionResults

    Raises
    ------
    ConfigError
        On a left side other than car/scar/ar, cluster without groups, or data that do
        not match the firm-events.
    """
    import statsmodels.formula.api as smf

    validate_literal("cov", cov, Cov)
    w = Window.parse(window, "window")
    lhs = formula.split("~")[0].strip() if "~" in formula else ""
    if lhs not in ("car", "scar", "ar"):
        raise ConfigError(f"formula={formula!r}: its left side must be car, scar or ar, e.g. 'car ~ beta_market'.")
    if lhs == "ar" and w.length > 1:
        raise ConfigError(f"the left side ar needs a one-day window, not {w}; use car for longer windows.")
    if cov == "cluster" and not groups:
        raise ConfigError("cov='cluster' needs groups= (--groups), the column to cluster by, e.g. sector.")
    if groups and cov != "cluster":  # silently ignored, the clustering asked for would not be there
        raise ConfigError(
            f"groups={groups!r} (--groups) clusters the standard errors only with cov='cluster' (--cov cluster); "
            f"add it, or leave groups out for cov={cov!r}."
        )
    if weights not in (None, "inverse_variance"):
        raise ConfigError(f"weights={weights!r} is not valid; use inverse_variance or leave it out.")
    frame = merge_characteristics(outcome_frame(res, w), data)
    used = _used_rows(frame, formula, lhs, groups)
    # t quantiles throughout, t(G - 1) when clustered (Cameron and Miller 2015): few firm-events
    # or few clusters make the normal ones too small
    kwargs: dict[str, Any] = {"use_t": True}
    if cov == "cluster":
        kwargs |= {"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(used[groups])[0]}}
    elif cov == "HC3":
        kwargs |= {"cov_type": "HC3"}
    try:
        model = (
            smf.wls(formula, data=used, weights=1.0 / used["sigma"] ** 2)
            if weights == "inverse_variance"
            else smf.ols(formula, data=used)
        )
        fit = model.fit(**kwargs)
    except Exception as exc:  # noqa: BLE001 - patsy raises many kinds for a formula it cannot read
        raise ConfigError(
            f"formula={formula!r} cannot be fitted ({str(exc).splitlines()[0]}); check its names."
        ) from None
    return CrossSectionResults(
        formula=formula,
        cov_type=cov + (f" by {groups}" if cov == "cluster" else "") + (", WLS 1/sigma^2" if weights else ""),
        window=w,
        params=fit.params.rename("params"),
        bse=fit.bse.rename("bse"),
        tvalues=fit.tvalues.rename("tvalues"),
        pvalues=fit.pvalues.rename("pvalues"),
        nobs=int(fit.nobs),
        rsquared=float(fit.rsquared),
        df_resid=float(getattr(fit, "df_resid_inference", None) or fit.df_resid),
        data=used,
        use_t=bool(fit.use_t),
    )


def _name_hint(exc: Exception, frame: pd.DataFrame) -> str:
    """Name the characteristics' columns, and the nearest, when a formula uses a name they lack."""
    missing = re.search(r"name '(\w+)' is not defined", str(exc))
    if missing is None:
        return ""
    columns = [str(c) for c in frame.columns]
    near = near_names(missing.group(1), columns, n=1)
    return f" The columns are: {', '.join(columns)}." + (f" Did you mean {near[0]!r}?" if near else "")


def _used_rows(frame: pd.DataFrame, formula: str, lhs: str, groups: str | None) -> pd.DataFrame:
    from patsy import PatsyError, dmatrices

    try:
        y, _x = dmatrices(formula, frame, return_type="dataframe", NA_action="drop")
    except PatsyError as exc:
        raise ConfigError(f"formula={formula!r}: {str(exc).splitlines()[0]}.{_name_hint(exc, frame)}") from None
    used = frame.loc[y.index]
    # firm-events with an outcome that the regression drops lack a characteristic: said, not silently lost
    lacking = [str(i) for i in frame.index[frame[lhs].notna()] if i not in y.index]
    if lacking:
        warn(
            f"{len(lacking)} of {int(frame[lhs].notna().sum())} firm-events with a {lhs} lack a value the formula "
            f"{formula!r} needs (first: {', '.join(map(repr, lacking[:5]))}); they are left out of the regression.",
            EventExcludedWarning,
        )
    _check_varies(used, formula)
    if groups is not None:
        if groups not in used.columns:
            raise ConfigError(f"groups={groups!r} is not a column of the characteristics.")
        used = used[used[groups].notna()]
    if len(used) < 3:
        raise ConfigError(f"only {len(used)} firm-events have the outcome and every characteristic; need at least 3.")
    return used


def _check_varies(used: pd.DataFrame, formula: str) -> None:
    """Refuse a right-hand variable with one value for every firm-event: patsy drops C() of it without a word."""
    rhs = formula.split("~", 1)[1]
    for col in used.columns:
        if col in OUTCOMES or not re.search(rf"(?<![\w.]){re.escape(col)}(?!\w)", rhs):
            continue
        values = used[col].unique()
        if len(values) == 1:
            why = (
                "the study's events have no group: add a group column to the events or to the characteristics"
                if col == "group" and values[0] == ""
                else "drop it, or study firm-events where it differs"
            )
            raise ConfigError(
                f"formula={formula!r}: {col} is {values[0]!r} for every firm-event in the regression, so it explains "
                f"nothing; {why}."
            )


def portfolio_time_series(
    res: WindowResults, formula: str, data: pd.DataFrame | None = None, *, window: str | Window = "0:0"
) -> CrossSectionResults:
    """Sefcik and Thompson (1986): coefficients as abnormal returns of characteristic-weighted portfolios.

    For firm-events on one date, the weights ``W = (X'X)^-1 X'`` turn the firms' returns
    into one portfolio per coefficient. Each portfolio's return, regressed on the study's
    own normal-return model (its market, its factors) with a dummy per window day over the
    estimation and window sessions, has the sum of the dummies' coefficients for its CAR
    coefficient: the cross-sectional OLS estimate. OLS being linear in
    the returns, that regression is the firms' own fits weighted by ``W``, so it is computed
    from them: the coefficient is ``W`` times the CARs, the residual variance that of the
    weighted estimation-window abnormal returns on the sessions every firm was fitted on,
    and the window's variance factor (``Var(CAR) / sigma^2``, with the study's prediction
    error) the firms' own, the same for firms fitted on the same sessions. The standard
    error so comes from the portfolio's own time series and allows for the
    cross-correlation of same-date firms.

    Raises
    ------
    ConfigError
        If the firm-events do not share one date, or the left side is not ``car``/``ar``.
    """
    from patsy import dmatrices
    from scipy import stats

    w = Window.parse(window, "window")
    lhs = formula.split("~")[0].strip()
    if lhs not in ("car", "ar"):
        raise ConfigError("the portfolio time-series estimate explains car or ar, not " + repr(lhs) + ".")
    sessions = sorted({str(d.date()) for d in pd.to_datetime(res.events["event_session"].dropna())})
    if len(sessions) != 1:
        shown = ", ".join(sessions[:4]) + (", ..." if len(sessions) > 4 else "")
        raise ConfigError(
            f"the portfolio time-series estimate needs firm-events that share one event date; these fall on "
            f"{len(sessions)} ({shown}). Leave it out (drop --portfolio), or cluster by date: cov='cluster', "
            "groups='event_date' (--cov cluster --groups event_date)."
        )
    frame = merge_characteristics(outcome_frame(res, w), data)
    y, x = dmatrices(formula, frame, return_type="dataframe", NA_action="drop")
    ids = list(y.index)
    xm = x.to_numpy(dtype="float64")
    weights = np.linalg.solve(xm.T @ xm, xm.T)  # k x n
    est_coef = weights @ y.to_numpy(dtype="float64")[:, 0]
    # the sessions every firm was fitted on; there the abnormal returns are the fits' residuals
    est = res.ar.loc[res.est_mask[ids].all(axis=1), ids].dropna()
    portfolios = est.to_numpy(dtype="float64") @ weights.T  # T x k
    fitted = res.events.loc[ids, "n_est"] - res.params.loc[ids, "df"]  # parameters each fit estimated
    dof = len(est) - int(fitted.max())
    s2 = (portfolios**2).sum(axis=0) / dof
    tests = res.tests(w).loc[ids]
    factor = float(((tests["bse"] / res.params.loc[ids, "sigma"]) ** 2).mean())
    bse = np.sqrt(s2 * factor)
    names = list(x.columns)
    tvalues = est_coef / bse
    return CrossSectionResults(
        formula=formula,
        cov_type="portfolio time series (Sefcik-Thompson)",
        window=w,
        params=pd.Series(est_coef, index=names, name="params"),
        bse=pd.Series(bse, index=names, name="bse"),
        tvalues=pd.Series(tvalues, index=names, name="tvalues"),
        pvalues=pd.Series(2 * stats.t.sf(np.abs(tvalues), dof), index=names, name="pvalues"),
        nobs=len(ids),
        rsquared=float("nan"),
        df_resid=float(dof),
        data=frame.loc[ids],
    )


def standardise(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Return ``data`` with ``columns`` as z-scores, so coefficients read per standard deviation."""
    out = data.copy()
    for c in columns:
        out[c] = (out[c] - out[c].mean()) / out[c].std(ddof=1)
    return out
