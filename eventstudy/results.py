"""Immutable, labelled results of an event study.

Results classes only wrap and label the arrays computed in :mod:`eventstudy.abnormal`
and :mod:`eventstudy.inference`; every accessor derives from stored arrays, and nothing
is changed after construction.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from eventstudy._io import csv_text, staged_directory
from eventstudy._meta import json_safe, json_text, record_versions
from eventstudy._options import TestScope, validate_literal
from eventstudy.aggregate import CrossCorrelation, bhar_tests, crude_difference_t
from eventstudy.aggregate import event_days as aggregate_event_days
from eventstudy.config import Event, StudyConfig
from eventstudy.conventions import Convention
from eventstudy.crosssection import CrossSectionResults, cross_section
from eventstudy.data.manifest import data_root
from eventstudy.data.panel import PricePanel
from eventstudy.errors import (
    ConfigError,
    EventStudyWarning,
    InvalidOptionError,
    InvalidParameterError,
    MissingReturnsWarning,
    WindowError,
    warn,
)
from eventstudy.inference import InvalidTestStatistic, TestStatistic, variance_ratio
from eventstudy.models import MARKET, ReturnModel
from eventstudy.resolved import ResolvedConfig
from eventstudy.windows import Window, check_windows

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PALETTE = ["#0072B2", "#D55E00", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#8C564B", "#7A7A00", "#000080"]
"""Series colours shared by every figure, in study order (Okabe-Ito's colour-blind-safe set, then darker tones)."""

COLOURED_AT_MOST = 8
"""Figures draw up to this many firms or firm-events in colour; above it the three lowest and three highest."""

TIDY_COLUMNS = ["event_id", "ticker", "window", "car", "bse", "test", "statistic", "p_value", "df"]
WINDOW_COLUMNS = ["car", "bse", "tvalues", "pvalues", "sq_quantile", "sq_pvalues", "bhar"]
AGGREGATE_COLUMNS = [
    "group",
    "window",
    "kind",
    "measure",
    "n",
    "estimate",
    "estimate_weighted",
    "test",
    "statistic",
    "p_value",
    "distribution",
    "null",
    "note",
]


def aggregate_row(
    group: str, window: str, kind: str, measure: str, n: int, estimate: float, weighted: float, test: str, res: Any
) -> dict[str, object]:
    """One row of :meth:`EventStudyResults.aggregate_table` (columns :data:`AGGREGATE_COLUMNS`)."""
    return {
        "group": group,
        "window": window,
        "kind": kind,
        "measure": measure,
        "n": n,
        "estimate": estimate,
        "estimate_weighted": weighted,
        "test": test,
        "statistic": res.statistic,
        "p_value": res.pvalue,
        "distribution": res.distribution,
        "null": res.null,
        "note": res.reason if isinstance(res, InvalidTestStatistic) else "",
    }


def pooled_rows(
    tests: Mapping[tuple[Window, str], Any],
    estimates: pd.DataFrame,
    bhar: Mapping[Window, NDArray[np.float64]],
    group: str = "all",
) -> list[dict[str, object]]:
    """Rows of ``aggregate.csv`` for one set of firm-events: every AAR/CAAR test, then the ABHAR tests.

    Parameters
    ----------
    tests
        ``{(window, test): result}`` as :func:`eventstudy.aggregate.aggregate_tests` gives them.
    estimates
        Plain and weighted AAR/CAAR per window (:func:`eventstudy.aggregate.estimates`).
    bhar
        Each multi-day window's per-firm-event BHARs, in event order (NaN where missing).
    """
    by_window = estimates.to_dict("index")  # one conversion, not a lookup per row
    rows = [
        aggregate_row(
            group,
            str(w),
            str(by_window[w]["kind"]),
            "ar",
            int(by_window[w]["n"]),
            float(by_window[w]["mean"]),
            float(by_window[w]["weighted"]),
            test,
            res,
        )
        for (w, test), res in tests.items()
    ]
    for w, values in bhar.items():
        present = np.isfinite(values)
        if w.length == 1 or not present.any():
            continue
        mean = float(values[present].mean())
        for test, res in bhar_tests(values, w).items():
            rows.append(aggregate_row(group, str(w), "window", "bhar", int(present.sum()), mean, np.nan, test, res))
    return rows


Result = TestStatistic | InvalidTestStatistic
WindowLike = str | Window | tuple[int, int]


@dataclass(frozen=True)
class Summary:
    """A titled table that renders as text, HTML, Markdown or LaTeX."""

    title: str
    table: pd.DataFrame
    notes: tuple[str, ...] = ()

    def as_text(self) -> str:
        """Plain-text rendering."""
        body = self.table.to_string()
        width = max(len(line) for line in body.splitlines()) if body else len(self.title)
        lines = [self.title.center(width), "=" * width, body, "=" * width, *self.notes]
        return "\n".join(lines)

    def as_html(self) -> str:
        """HTML rendering (a caption, a table and notes)."""
        notes = "".join(f"<p><small>{n}</small></p>" for n in self.notes)
        table = self.table.to_html(classes="es-summary", border=0, na_rep="")
        return f"<div><h4>{self.title}</h4>{table}{notes}</div>"

    def as_markdown(self) -> str:
        """Markdown rendering (a pipe table)."""
        table = self.table.reset_index()
        header = "| " + " | ".join(str(c) for c in table.columns) + " |"
        rule = "|" + "|".join("---" for _ in table.columns) + "|"
        rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
        return "\n".join([f"**{self.title}**", "", header, rule, *rows, "", *self.notes])

    def as_latex(self) -> str:
        """LaTeX rendering (a booktabs table; every cell, header and the caption escaped)."""
        table = self.table.copy()
        table.columns = [latex_escape(str(c)) for c in table.columns]
        table.index = [latex_escape(str(i)) for i in table.index]
        body = table.map(lambda v: latex_escape(str(v)))
        return body.to_latex(caption=latex_escape(self.title), escape=False)

    def __str__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


class _SummaryRepr:
    """Mixin: ``__str__``, ``__repr__`` and ``_repr_html_`` come from ``summary()``."""

    def summary(self) -> Summary:  # pragma: no cover - overridden
        raise NotImplementedError

    def __str__(self) -> str:
        return self.summary().as_text()

    def __repr__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def latex_escape(text: str) -> str:
    r"""Escape LaTeX's special characters.

    Examples
    --------
    >>> latex_escape("CAR[-1,+1] 5% a_b")
    'CAR[-1,+1] 5\\% a\\_b'
    """
    out = []
    for ch in text:
        out.append(_LATEX.get(ch, ch))
    return "".join(out)


_LATEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\u2264": r"$\leq$",
    "\u2265": r"$\geq$",
    "\u00d7": r"$\times$",
    "\u2212": "-",
    "\u2013": "--",
    "\u2014": "---",
    "\u2018": "`",
    "\u2019": "'",
    "\u201c": "``",
    "\u201d": "''",
}


class Refitter(Protocol):
    """Fits another configuration on the prices of a fit (``tested``: see :meth:`EventStudy.fit`)."""

    def __call__(
        self, config: StudyConfig | ResolvedConfig, *, tested: Collection[str] | None = None
    ) -> EventStudyResults:
        """Return the results of ``config`` (holding and testing only ``tested``, if given)."""
        ...


@dataclass(frozen=True)
class WindowArrays:
    """Per firm-event statistics of one window as arrays (what the engine computes)."""

    car: NDArray[np.float64]
    var: NDArray[np.float64]
    tvalues: NDArray[np.float64]
    pvalues: NDArray[np.float64]
    sq_quantile: NDArray[np.float64]
    sq_pvalues: NDArray[np.float64]
    bhar: NDArray[np.float64]
    pooled_bhar: NDArray[np.float64]  # the BHAR the many-firm statistics average (see Convention.pooled_days)

    @classmethod
    def merge(cls, parts: Sequence[WindowArrays]) -> WindowArrays:
        """Stack the parts' rows in order."""
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in cls.__dataclass_fields__))

    def take(self, rows: NDArray[np.int64]) -> WindowArrays:
        """Keep these rows."""
        return type(self)(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


@dataclass(frozen=True)
class WindowStats:
    """Per firm-event statistics of one window (labelled Series by event id)."""

    window: Window
    car: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    sq_quantile: pd.Series
    sq_pvalues: pd.Series
    bhar: pd.Series


class TestTable(Mapping[tuple[Window, str], Result]):
    """Read-only many-firm tests keyed by ``(window, test name)``.

    Keys are :class:`~eventstudy.windows.Window` objects; lookups also take window
    strings (``res.aggregate_tests["0:0", "patell"]`` or ``["[0,0]", "patell"]``).
    """

    __test__ = False

    def __init__(self, tests: Mapping[tuple[Window, str], Result]) -> None:
        self._tests = dict(tests)

    def __getitem__(self, key: tuple[WindowLike, str]) -> Result:
        window, name = key
        w = Window.parse(window)
        if (w, name) not in self._tests:
            names = sorted({n for _, n in self._tests})
            if name not in names:
                raise InvalidOptionError("test", name, names)
            raise InvalidOptionError("window", str(w), sorted({str(k) for k, _ in self._tests}))
        return self._tests[(w, name)]

    def get(self, key: tuple[WindowLike, str], default: Any = None) -> Any:
        """Return the test at ``key``, or ``default`` where there is none."""
        try:
            return self[key]
        except (InvalidOptionError, WindowError):
            return default

    def __iter__(self) -> Iterator[tuple[Window, str]]:
        return iter(self._tests)

    def __len__(self) -> int:
        return len(self._tests)


@dataclass(frozen=True)
class Tables:
    """The labelled frames behind a results object (handed out only as copies)."""

    events: pd.DataFrame
    params: pd.DataFrame
    ret: pd.DataFrame
    market_ret: pd.DataFrame
    expected_ret: pd.DataFrame
    ar: pd.DataFrame
    ar_var: pd.DataFrame
    ar_t: pd.DataFrame
    dates: pd.DataFrame
    est_mask: pd.DataFrame
    window_table: pd.DataFrame
    aggregate_estimates: pd.DataFrame
    pooled_bhars: dict[Window, NDArray[np.float64]]  # per window, in event order: what the ABHAR averages
    estimation_aar: pd.Series  # per relative estimation day: the AAR whose sd Brown-Warner 1985 divides by


@dataclass(frozen=True, eq=False, repr=False)
class EventStudyResults(_SummaryRepr):
    """Results of :meth:`EventStudy.fit`: immutable, labelled, and the same whatever is done to what they return.

    Every table is handed out as a copy (pandas copy-on-write makes this cheap), so a
    change to a returned table never changes a later answer.

    Attributes
    ----------
    config
        The resolved configuration that produced these results (every choice explicit).
    request
        What was asked (``None`` fields came from the convention profile); ``with_convention``
        re-resolves it under another profile.
    model
        The normal-return model.
    convention
        The convention profile used.
    windows
        The windows computed with the fit (event window and CAR windows); others are
        computed on request by :meth:`car`, :meth:`tests` and :meth:`aggregate`.
    aggregate_tests
        Many-firm tests, ``{(window, test): statistic}``; a single day ``d`` is the
        window ``[d,d]`` (AAR), a longer window is a CAAR. A test that cannot apply is
        an :class:`~eventstudy.inference.InvalidTestStatistic` with the reason.
    cross_correlation
        Residual cross-correlation of firm-events whose windows are linked in calendar
        time, directly or through a chain of overlapping windows (the Kolari-Pynnonen r,
        estimated on the sessions the pairs share), with how many pairs are linked.
    refitter
        Fits another configuration on the same prices (used by ``with_convention``,
        ``with_model`` and windows not computed with the fit).
    """

    config: ResolvedConfig
    request: StudyConfig
    model: ReturnModel
    convention: Convention
    windows: tuple[Window, ...]
    aggregate_tests: TestTable
    cross_correlation: CrossCorrelation
    refitter: Refitter
    _tables: Tables
    _prices: PricePanel
    _more: dict[Window, EventStudyResults] = field(default_factory=dict)
    _by_group: dict[str, EventStudyResults] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        config: ResolvedConfig,
        request: StudyConfig,
        model: ReturnModel,
        events: Sequence[Event],
        sessions: pd.DatetimeIndex,
        event_sessions: Sequence[pd.Timestamp],
        rel: NDArray[np.int64],
        chunk: Any,
        status: Sequence[str],
        prices: PricePanel,
        convention: Convention,
        aggregate_tests: Mapping[tuple[Window, str], Result],
        aggregate_estimates: pd.DataFrame,
        estimation_aar: pd.Series,
        cross_correlation: CrossCorrelation,
        refitter: Refitter,
    ) -> EventStudyResults:
        """Label the engine's arrays (internal; use :meth:`EventStudy.fit`).

        ``chunk`` is the engine's merged chunk record (paths, parameters, windows).
        """
        ids = pd.Index([e.event_id for e in events], name="event_id")
        relidx = pd.Index(rel, name="rel_day")
        bad = np.array([not s.startswith("ok") for s in status])

        def frame(values: NDArray[Any]) -> pd.DataFrame:
            vals = np.array(values, dtype=np.float64, copy=True)
            vals[bad] = np.nan
            return pd.DataFrame(vals.T, index=relidx, columns=ids)

        session_dates = np.asarray(sessions.date)
        first_est = [session_dates[p] if p >= 0 else None for p in chunk.est_first.tolist()]
        last_est = [session_dates[p] if p >= 0 else None for p in chunk.est_last.tolist()]
        ev_table = pd.DataFrame(
            {
                "ticker": [e.ticker for e in events],
                "market": [e.market for e in events],
                "event_date": [e.event_date for e in events],
                "event_session": [s.date() for s in event_sessions],
                "est_start": first_est,
                "est_end": last_est,
                "n_est": chunk.nobs,
                "status": list(status),
            },
            index=ids,
        )
        slope_names = ["beta" if r == MARKET else f"beta_{r}" for r in model.regressors]
        par: dict[str, Any] = {"alpha": chunk.alpha}
        for j, nm in enumerate(slope_names):
            par[nm] = chunk.coef[:, j]
        par["sigma"] = chunk.sigma
        par["df"] = chunk.df
        params = pd.DataFrame(par, index=ids)
        params.loc[bad, :] = np.nan
        positions = chunk.positions
        date_vals = np.where(positions >= 0, positions, 0)
        dates = pd.DataFrame(
            np.where(positions >= 0, np.asarray(sessions)[date_vals], np.datetime64("NaT")).T,
            index=relidx,
            columns=ids,
        )
        parts = []
        for w, a in chunk.windows.items():

            def col(values: NDArray[np.float64]) -> NDArray[np.float64]:
                return np.where(bad, np.nan, values)

            parts.append(
                pd.DataFrame(
                    {
                        "event_id": ids,
                        "window": w,
                        "car": col(a.car),
                        "bse": np.sqrt(col(a.var)),
                        "tvalues": col(a.tvalues),
                        "pvalues": col(a.pvalues),
                        "sq_quantile": col(a.sq_quantile),
                        "sq_pvalues": col(a.sq_pvalues),
                        "bhar": col(a.bhar),
                        "df": params["df"].to_numpy(),
                    }
                )
            )
        window_table = pd.concat(parts, ignore_index=True).set_index(["event_id", "window"])
        tables = Tables(
            events=ev_table,
            params=params,
            ret=frame(chunk.ret),
            market_ret=frame(chunk.mkt),
            expected_ret=frame(chunk.expected),
            ar=frame(chunk.ar),
            ar_var=frame(chunk.ar_var),
            ar_t=frame(chunk.ar_t),
            dates=dates,
            est_mask=pd.DataFrame(chunk.est.T, index=relidx, columns=ids),
            window_table=window_table,
            aggregate_estimates=aggregate_estimates,
            pooled_bhars={w: np.where(bad, np.nan, a.pooled_bhar) for w, a in chunk.windows.items()},
            estimation_aar=estimation_aar,
        )
        return cls(
            config=config,
            request=request,
            model=model,
            convention=convention,
            windows=tuple(chunk.windows),
            aggregate_tests=TestTable(aggregate_tests),
            cross_correlation=cross_correlation,
            refitter=refitter,
            _tables=tables,
            _prices=prices,
        )

    # ------------------------------------------------------------------ tables (copies)
    @property
    def events(self) -> pd.DataFrame:
        """One row per firm-event (index ``event_id``).

        Columns: ticker, market, event date and session, estimation window used, its number
        of returns (``n_est``) and a status.
        """
        return self._tables.events.copy(deep=False)

    @property
    def params(self) -> pd.DataFrame:
        """Estimated parameters per firm-event: ``alpha``, slopes (``beta`` for the market model), ``sigma``, ``df``."""
        return self._tables.params.copy(deep=False)

    @property
    def ret(self) -> pd.DataFrame:
        """Firm returns, relative day x event id."""
        return self._tables.ret.copy(deep=False)

    @property
    def market_ret(self) -> pd.DataFrame:
        """Market returns, relative day x event id."""
        return self._tables.market_ret.copy(deep=False)

    @property
    def expected_ret(self) -> pd.DataFrame:
        """Normal (expected) returns, relative day x event id."""
        return self._tables.expected_ret.copy(deep=False)

    @property
    def ar(self) -> pd.DataFrame:
        """Abnormal returns, relative day x event id."""
        return self._tables.ar.copy(deep=False)

    @property
    def ar_var(self) -> pd.DataFrame:
        """Variance of each AR under the convention, relative day x event id."""
        return self._tables.ar_var.copy(deep=False)

    @property
    def ar_t(self) -> pd.DataFrame:
        """Each AR's t-statistic under the convention, relative day x event id."""
        return self._tables.ar_t.copy(deep=False)

    @property
    def dates(self) -> pd.DataFrame:
        """Session date of each relative day and event."""
        return self._tables.dates.copy(deep=False)

    @property
    def est_mask(self) -> pd.DataFrame:
        """Whether each relative day entered each firm-event's estimation."""
        return self._tables.est_mask.copy(deep=False)

    @property
    def window_table(self) -> pd.DataFrame:
        """Per firm-event and computed window: ``car, bse, tvalues, pvalues, sq_quantile, sq_pvalues, bhar, df``."""
        return self._tables.window_table.copy(deep=False)

    @property
    def bhars(self) -> dict[Window, NDArray[np.float64]]:
        """Each computed window's buy-and-hold abnormal returns, one per firm-event in event order (NaN if missing).

        These are what the ABHAR rows average: the firm-events' own BHARs unless the profile
        fills a window that lost days for the many-firm statistics (see ``Convention.pooled_days``).
        """
        return {w: self._tables.pooled_bhars[w].copy() for w in self.windows}

    @property
    def aggregate_estimates(self) -> pd.DataFrame:
        """AAR per day and CAAR per window: ``mean`` (plain), ``pw_mean`` (1/sigma), ``iv_mean`` (1/sigma^2), ``weighted``."""
        return self._tables.aggregate_estimates.copy(deep=False)

    @property
    def estimation_aar(self) -> pd.Series:
        """Average estimation-window abnormal return per relative day (the series Brown-Warner 1985 divides by)."""
        return self._tables.estimation_aar.copy()

    @property
    def prices(self) -> PricePanel:
        """The price panel the study used (for dollar figures and plots)."""
        p = self._prices
        return PricePanel(
            adj_close=p.adj_close.copy(deep=False),
            close=p.close.copy(deep=False),
            high=p.high.copy(deep=False),
            low=p.low.copy(deep=False),
            open=p.open.copy(deep=False),
            provenance=dict(p.provenance),
            volume=p.volume_frame.copy(deep=False),
            chained=p.chained,
        )

    # ------------------------------------------------------------------ accessors
    @property
    def residual_correlation(self) -> float:
        """Mean residual correlation of the pairs linked in calendar time (NaN if none are)."""
        return self.cross_correlation.mean

    @property
    def event_ids(self) -> list[str]:
        """Event ids in study order."""
        return [str(i) for i in self._tables.events.index]

    @property
    def nobs(self) -> pd.Series:
        """Estimation observations per firm-event."""
        return self._tables.events["n_est"].rename("nobs")

    def _holding(self, window: WindowLike) -> tuple[Window, EventStudyResults]:
        """Return the window and the results that hold it: these, or a fit on the same prices with it added."""
        w = Window.parse(window, "window")
        if w in self.windows:
            return w, self
        check_windows(self.config.estimation, w, parameter="window")  # named as the caller gave it
        if w not in self._more:
            cfg = self.config.to_request().with_(car_windows=(*self.config.car_windows, w))
            with warnings.catch_warnings(record=True) as said:
                warnings.simplefilter("always", EventStudyWarning)
                self._more[w] = self.refitter(cfg)
            # The fit's warnings were said when these results were fitted; what is new is the window's own
            # gaps (a window past the data leaves CARs empty, which should not pass in silence).
            for record in said:
                if issubclass(record.category, MissingReturnsWarning) and str(w) in str(record.message):
                    warn(str(record.message), MissingReturnsWarning)
        return w, self._more[w]

    def window_stats(self, window: WindowLike) -> WindowStats:
        """Statistics of every firm-event over ``window`` (any window after the estimation window)."""
        w, res = self._holding(window)
        tab = res._tables.window_table.xs(w, level="window")
        return WindowStats(
            window=w,
            car=tab["car"].rename(f"car{w}"),
            bse=tab["bse"].rename("bse"),
            tvalues=tab["tvalues"].rename("tvalues"),
            pvalues=tab["pvalues"].rename("pvalues"),
            sq_quantile=tab["sq_quantile"].rename("sq_quantile"),
            sq_pvalues=tab["sq_pvalues"].rename("sq_pvalues"),
            bhar=tab["bhar"].rename(f"bhar{w}"),
        )

    def car(self, window: WindowLike | None = None) -> pd.Series:
        """CAR of every firm-event over ``window`` (default: the event window)."""
        return self.window_stats(window or self.config.event_window).car

    def tests(self, window: WindowLike | None = None) -> pd.DataFrame:
        """Single-firm statistics over ``window``: ``car, bse, tvalues, pvalues, sq_quantile, sq_pvalues, bhar``."""
        st = self.window_stats(window or self.config.event_window)
        return pd.DataFrame({c: getattr(st, c).rename(c) for c in WINDOW_COLUMNS})

    def variance_ratio(self, window: WindowLike | None = None) -> pd.DataFrame:
        """Event-induced variance per firm-event: ``F = mean AR^2 over the window / sigma^2``, F(L, M - k).

        Columns ``statistic``, ``pvalue`` (one-sided: the variance rose), ``df_num``, ``df_den``.
        """
        w = Window.parse(window or self.config.event_window)
        t = self._tables
        if w.start < int(t.ar.index.min()) or w.end > int(t.ar.index.max()):
            raise InvalidOptionError("window", str(w), [f"inside [{int(t.ar.index.min())},{int(t.ar.index.max())}]"])
        ar = t.ar.loc[w.start : w.end].to_numpy(dtype="float64").T
        sigma = t.params["sigma"].to_numpy(dtype="float64")
        df = t.params["df"].to_numpy(dtype="float64")
        stat, pval = variance_ratio(ar, sigma**2, df)
        return pd.DataFrame(
            {"statistic": stat, "pvalue": pval, "df_num": float(w.length), "df_den": df}, index=t.params.index
        )

    def cross_section(
        self,
        formula: str,
        data: pd.DataFrame | None = None,
        *,
        window: WindowLike = "0:0",
        cov: str = "HC3",
        groups: str | None = None,
        weights: str | None = None,
    ) -> CrossSectionResults:
        """Regress each firm-event's CAR, SCAR or AR over ``window`` on characteristics (statsmodels).

        See :func:`eventstudy.crosssection.cross_section`; ``data`` has one row per
        firm-event keyed by ``event_id`` (or ``ticker``), and
        :func:`eventstudy.characteristics.exposures` computes common ones from the data;
        without ``data`` the formula may use the study's ``group``, ``event_date`` and ``ticker``.

        Examples
        --------
        >>> import pandas as pd
        >>> from eventstudy import event_study
        >>> res = event_study(["NVDA", "CEG", "VST", "GOOGL", "MSFT"], "2025-01-27")
        >>> chars = pd.DataFrame({"ticker": ["NVDA", "CEG", "VST", "GOOGL", "MSFT"], "ai": [1, 1, 1, 0, 0]})
        >>> fit = res.cross_section("ar ~ ai", chars)
        >>> round(float(fit.params["ai"]), 3), fit.nobs
        (-0.178, 5)
        """
        return cross_section(self, formula, data, window=window, cov=cov, groups=groups, weights=weights)

    def aggregate(self, window: WindowLike | None = None) -> pd.DataFrame:
        """Many-firm tests of the AAR (one day) or CAAR over ``window``: the rows of :meth:`aggregate_table` for it.

        One row per test, for the AAR/CAAR (``measure`` ``ar``) and, over several days, the
        ABHAR (``bhar``); with groups, for all events pooled (``group`` ``all``), each group
        and each pair compared.
        """
        w, res = self._holding(window or self.config.event_window)
        table = res.aggregate_table()
        return table[table["window"] == str(w)].reset_index(drop=True)

    @property
    def cumulative_ar(self) -> pd.DataFrame:
        """ARs cumulated from the first day of the event window (rows from that day on)."""
        return self._tables.ar.loc[self.config.event_window.start :].cumsum(skipna=False)

    @property
    def aar(self) -> pd.Series:
        """Average abnormal return per relative day over usable firm-events."""
        return self._tables.ar.mean(axis=1).rename("aar")

    @property
    def caar(self) -> pd.Series:
        """Cumulative average abnormal return from the event-window start."""
        return self.aar.loc[self.config.event_window.start :].cumsum().rename("caar")

    def aggregate_table(self) -> pd.DataFrame:
        """Many-firm tests as a long table, one row per window (or day) and test.

        Columns: ``group, window, kind, measure, n, estimate, estimate_weighted, test,
        statistic, p_value, distribution, null, note`` where ``group`` is ``all`` (every
        usable firm-event pooled), a group's name (its events alone, when the groups split
        the events: see :attr:`split_by_group`) or ``A - B`` (two groups compared), ``kind``
        is ``day`` (AAR on one relative day) or ``window`` (CAAR), ``measure`` is ``ar``
        (AAR/CAAR rows) or ``bhar`` (the average buy-and-hold abnormal return over each
        multi-day window, with ``csect_t``, ``skew_t`` and ``boot_skew_t``), ``estimate`` is the plain mean, ``estimate_weighted`` the
        precision-weighted one (weights as the profile says; none for ABHAR) and ``note`` says
        why a test could not apply.
        """
        return self._aggregate.copy()

    @functools.cached_property
    def _aggregate(self) -> pd.DataFrame:
        # Computed once: the ABHAR bootstrap behind it is the slowest part of writing results.
        rows = pooled_rows(self.aggregate_tests, self._tables.aggregate_estimates, self.bhars)
        table = pd.DataFrame(rows, columns=AGGREGATE_COLUMNS)
        if not self.split_by_group:
            return table
        parts = [table, *(self.group_results(g).aggregate_table().assign(group=g) for g in self.groups)]
        if len(self.groups) > 1:
            parts.append(self.group_comparison())
        return pd.concat(parts, ignore_index=True)

    @property
    def groups(self) -> tuple[str, ...]:
        """The events' groups in order of first appearance; empty when no event has one."""
        return tuple(dict.fromkeys(e.group for e in self.config.events if e.group))

    @property
    def split_by_group(self) -> bool:
        """Whether the groups split the events: two or more groups, or one beside events without a group.

        Only then does a group's test differ from the pooled one, so only then has it rows of its own.
        """
        return len(self.groups) > 1 or (len(self.groups) == 1 and not all(e.group for e in self.config.events))

    def group_results(self, group: str) -> EventStudyResults:
        """Results of the events of one group alone, on the same prices (fitted once, on first use)."""
        if not self.groups:
            raise ConfigError(
                f"group={group!r}: this study's events have no groups; give them a group (a group column in the "
                "events file, or group = ... in [[study.events]]) to test each group alone."
            )
        if group not in self.groups:
            raise InvalidOptionError("group", group, self.groups)
        if group not in self._by_group:
            self._by_group[group] = self.with_events([e.event_id for e in self.config.events if e.group == group])
        return self._by_group[group]

    def group_comparison(self) -> pd.DataFrame:
        """Each pair of groups compared on every day (AR) and window (CAR).

        Rows have ``group`` ``"A - B"``, ``estimate`` the difference of the plain means, and
        ``test`` ``welch_t`` (Welch's unequal-variance t), ``rank_sum`` (Wilcoxon rank-sum;
        the statistic is the Mann-Whitney U of group A, its p-value exact for small groups
        without ties) or ``bw1985`` (Brown and Warner's crude-dependence t of the long-short
        portfolio, which allows for firm-events correlated within and across the groups; see
        :func:`eventstudy.aggregate.crude_difference_t`). Columns as :meth:`aggregate_table`.
        """
        from scipy import stats  # loaded when groups are compared, not at import

        values = {g: self._group_values(g) for g in self.groups}
        est = {g: self.group_results(g).estimation_aar for g in self.groups}
        rows = []
        for i, a in enumerate(self.groups):
            for b in self.groups[i + 1 :]:
                for label, kind in self._value_labels():
                    x, y = values[a][label], values[b][label]
                    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
                    results: dict[str, Any] = {}
                    if min(len(x), len(y)) < 2 or (np.ptp(np.r_[x, y]) == 0):
                        why = InvalidTestStatistic(
                            f"needs two firm-events with distinct values in each group, has {len(x)} and {len(y)}"
                        )
                        results = {"welch_t": why, "rank_sum": why}
                    else:
                        welch = stats.ttest_ind(x, y, equal_var=False)
                        ranks = stats.mannwhitneyu(x, y, alternative="two-sided", method="auto")
                        # scipy's rule for method="auto": exact below 8 in a group when nothing ties
                        exact = min(len(x), len(y)) < 8 and len(np.unique(np.r_[x, y])) == len(x) + len(y)
                        how = "exact" if exact else "normal approximation"
                        results = {
                            "welch_t": TestStatistic(
                                float(welch.statistic),
                                float(welch.pvalue),
                                f"t({float(welch.df):.4g}) (Welch)",
                                "mean(A) = mean(B)",
                            ),
                            "rank_sum": TestStatistic(
                                float(ranks.statistic),
                                float(ranks.pvalue),
                                f"U (Wilcoxon rank-sum, {how})",
                                "A and B equally distributed",
                            ),
                        }
                    results["bw1985"] = crude_difference_t(x, y, est[a], est[b], Window.parse(label).length)
                    difference = float(x.mean() - y.mean()) if len(x) and len(y) else np.nan
                    for test, res in results.items():
                        rows.append(
                            aggregate_row(
                                f"{a} - {b}", label, kind, "ar", len(x) + len(y), difference, np.nan, test, res
                            )
                        )
        return pd.DataFrame(rows, columns=AGGREGATE_COLUMNS)

    def _value_labels(self) -> list[tuple[str, str]]:
        days = aggregate_event_days(self.config.event_window, self.windows)
        return [(str(Window(d, d)), "day") for d in days] + [(str(w), "window") for w in self.windows if w.length > 1]

    def group_event_ids(self, group: str) -> list[str]:
        """Return the usable firm-events of one group, in event order."""
        ok = self._tables.events["status"].str.startswith("ok")
        ids = [e.event_id for e in self.config.events if e.group == group and e.event_id in ok.index and ok[e.event_id]]
        return list(dict.fromkeys(ids))

    def _group_values(self, group: str) -> dict[str, NDArray[np.float64]]:
        """Each usable firm-event's AR per test day and CAR per window, for one group."""
        ids = self.group_event_ids(group)
        out: dict[str, NDArray[np.float64]] = {}
        for label, kind in self._value_labels():
            w = Window.parse(label)
            if kind == "day":
                out[label] = self._tables.ar.loc[w.start, ids].to_numpy(dtype=float)
            else:
                car = self._tables.window_table.xs(w, level="window")["car"]
                out[label] = car.reindex(ids).to_numpy(dtype=float)
        return out

    def tidy(self) -> pd.DataFrame:
        """Long table: one row per firm-event, window and test, then the many-firm tests.

        Columns are fixed: ``event_id, ticker, window, car, bse, test, statistic,
        p_value, df``. Firm-event rows carry ``t``, ``sq`` (the statistic is the CAR's
        empirical quantile) and ``variance_ratio`` (the F-test of event-induced variance). Many-firm rows have ``event_id`` ``"all"``, an
        empty ticker, the AAR or CAAR in ``car`` and one of the aggregate test names (the ABHAR
        rows are in :meth:`aggregate_table`).
        """
        firm = self._firm_tidy()
        agg = self.aggregate_table()
        agg = agg[agg["measure"] == "ar"]  # ABHAR rows need their measure column: see aggregate_table
        if agg.empty:
            return firm
        rows = pd.DataFrame(
            {
                "event_id": "all",
                "ticker": "",
                "window": agg["window"],
                "car": agg["estimate"],
                "bse": np.nan,
                "test": agg["test"],
                "statistic": agg["statistic"],
                "p_value": agg["p_value"],
                "df": np.nan,
            }
        )
        return pd.concat([firm, rows], ignore_index=True)

    def _firm_tidy(self) -> pd.DataFrame:
        """Each firm-event's t, SQ and variance-ratio rows, in event, window and test order."""
        tab = self._tables.window_table
        event = tab.index.get_level_values("event_id").astype(str)
        window = tab.index.get_level_values("window").map(str)
        windows = [str(w) for w in self.windows]
        event_at = pd.Index(self.event_ids).get_indexer(event)
        window_at = pd.Index(windows).get_indexer(window)
        ratio, ratio_p = np.full(len(tab), np.nan), np.full(len(tab), np.nan)
        for k, w in enumerate(self.windows):
            rows = window_at == k
            vr = self.variance_ratio(w)
            at = vr.index.get_indexer(event[rows])
            found = at >= 0
            target = np.flatnonzero(rows)[found]
            ratio[target] = vr["statistic"].to_numpy()[at[found]]
            ratio_p[target] = vr["pvalue"].to_numpy()[at[found]]
        tests = ("t", "sq", "variance_ratio")
        # Event, then window, then test: one stable sort of the three blocks stacked.
        key = np.tile((event_at * len(windows) + window_at) * len(tests), len(tests))
        key += np.repeat(np.arange(len(tests)), len(tab))
        order = np.argsort(key, kind="stable")

        def stacked(*blocks: ArrayLike) -> NDArray[Any]:
            return np.concatenate([np.asarray(b) for b in blocks])[order]

        def thrice(values: ArrayLike) -> NDArray[Any]:
            return stacked(values, values, values)

        return pd.DataFrame(
            {
                "event_id": thrice(event.to_numpy(dtype=object)),
                "ticker": thrice(self._tables.events["ticker"].reindex(event).to_numpy(dtype=object)),
                "window": thrice(window.to_numpy(dtype=object)),
                "car": thrice(tab["car"].to_numpy()),
                "bse": thrice(tab["bse"].to_numpy()),
                "test": np.repeat(np.array(tests, dtype=object), len(tab))[order],
                "statistic": stacked(tab["tvalues"], tab["sq_quantile"], ratio),
                "p_value": stacked(tab["pvalues"], tab["sq_pvalues"], ratio_p),
                "df": thrice(tab["df"].to_numpy()),
            }
        )[TIDY_COLUMNS]

    def to_frame(self) -> pd.DataFrame:
        """Long table of every day any computed window uses: the rows of ``ar.csv``.

        Columns ``event_id, ticker, rel_day, date, ret, market_ret, expected_ret, ar, car,
        ar_t`` where ``car`` cumulates ARs from the first day in the table (the earliest
        start of the event and CAR windows) to ``rel_day`` and ``ar_t`` is the day's AR
        t-statistic under the convention.
        """
        days = list(range(min(w.start for w in self.windows), max(w.end for w in self.windows) + 1))
        ids = self.event_ids
        n, length = len(ids), len(days)
        t = self._tables

        def flat(frame: pd.DataFrame) -> NDArray[np.float64]:
            return frame.loc[days, ids].to_numpy(dtype="float64").T.ravel()

        dates = pd.DatetimeIndex(t.dates.loc[days, ids].to_numpy().T.ravel())
        return pd.DataFrame(
            {
                "event_id": np.repeat(ids, length),
                "ticker": np.repeat(t.events["ticker"].to_numpy(), length),
                "rel_day": np.tile(days, n),
                "date": dates.to_numpy().astype("datetime64[D]").astype(object),  # dates, None where missing
                "ret": flat(t.ret),
                "market_ret": flat(t.market_ret),
                "expected_ret": flat(t.expected_ret),
                "ar": flat(t.ar),
                "car": t.ar.loc[days, ids].cumsum(skipna=False).to_numpy(dtype="float64").T.ravel(),
                "ar_t": flat(t.ar_t),
            }
        )

    def params_table(self) -> pd.DataFrame:
        """Return the rows of ``params.csv`` (one per firm-event, with its status)."""
        ev = self._tables.events
        out = pd.DataFrame(
            {
                "event_id": ev.index,
                "ticker": ev["ticker"].to_numpy(),
                "event_date": ev["event_date"].to_numpy(),
                "event_session": ev["event_session"].to_numpy(),
                "est_start": ev["est_start"].to_numpy(),
                "est_end": ev["est_end"].to_numpy(),
                "n_est": ev["n_est"].to_numpy(),
            }
        )
        params = self._tables.params
        for col in params.columns:
            if col != "df":
                out[col] = params[col].to_numpy()
        if "beta" not in out.columns:
            out.insert(out.columns.get_loc("alpha") + 1, "beta", np.nan)
        out["status"] = ev["status"].to_numpy()
        return out

    def tests_table(self, scope: TestScope = "all") -> pd.DataFrame:
        """Return the rows of ``tests.csv``: ``scope,event_id,window,test,statistic,p_value``.

        ``scope`` is ``event`` for a firm-event's own tests and ``aggregate`` for the
        many-firm tests (``event_id`` ``all``). Ask for ``scope="event"`` to get the
        firm-events' rows alone, without computing the many-firm tests' table.
        """
        validate_literal("scope", scope, TestScope)
        tidy = self._firm_tidy() if scope == "event" else self.tidy()
        return pd.DataFrame(
            {
                "scope": np.where(tidy["event_id"].eq("all") & tidy["ticker"].eq(""), "aggregate", "event"),
                "event_id": tidy["event_id"],
                "window": tidy["window"],
                "test": tidy["test"],
                "statistic": tidy["statistic"],
                "p_value": tidy["p_value"],
            }
        )

    def dollar_impact(self, rel_day: int = 0, level: float = 0.95) -> pd.DataFrame:
        """Market value moved on ``rel_day`` and its abnormal part, per firm-event.

        Uses the data's closes (Yahoo's are adjusted for splits, not dividends, so the counts
        must be on the split basis of the download) and the latest share count dated on or before the event
        (a later count only where no earlier one exists, said in ``shares_note``): from the
        study's ``shares`` file where it counts the ticker, else the bundled counts.
        ``abnormal_low`` and ``abnormal_high`` bound the abnormal part with the AR's
        ``level`` interval (t(M - k) quantile times the AR's standard error). With log
        returns the abnormal part is ``exp(r) - exp(r - AR)`` of the prior value, the simple
        return less the simple normal return. Firm-events
        without a share count, whose prices are an index chained from returns (no price
        level), or without a close on the day or the day before, are listed with
        ``shares_note`` saying so and NaN figures.
        """
        from scipy import stats

        from eventstudy.dollar import NO_CLOSE, NO_PRICE_LEVEL, abnormal_share, share_table, shares_on, value_change

        rows = []
        t = self._tables
        counts = share_table(self.config.shares)
        log = self.config.returns == "log"  # a log AR is turned into the simple abnormal move it stands for
        close = self._prices.close
        for eid in self.event_ids:
            ev = t.events.loc[eid]
            if not str(ev["status"]).startswith("ok"):
                continue
            found = shares_on(str(ev["ticker"]), ev["event_date"], counts)
            day, prev = t.dates.loc[rel_day, eid], t.dates.loc[rel_day - 1, eid]
            if pd.isna(day) or pd.isna(prev):
                continue
            series = close[str(ev["ticker"])]
            p0, p1 = float(series.get(prev, np.nan)), float(series.get(day, np.nan))
            # no market value: the firm-event is listed with the reason and NaN figures (no price level comes
            # first: a share count would not give returns a market value)
            why = (
                NO_PRICE_LEVEL
                if str(ev["ticker"]) in self._prices.chained
                else "no share count"
                if found is None
                # returns from adjusted closes, but no close as traded
                else f"{NO_CLOSE} {pd.Timestamp(prev if not np.isfinite(p0) else day).date()}"
                if not (np.isfinite(p0) and np.isfinite(p1))
                else None
            )
            if found is None or why is not None:  # found is None already gives a why; said for the type checker
                rows.append(
                    {"event_id": eid, "ticker": ev["ticker"], "date": pd.Timestamp(day).date(), "shares_note": why}
                )
                continue
            ar = float(t.ar.loc[rel_day, eid])
            half = float(stats.t.ppf(0.5 + level / 2, t.params.loc[eid, "df"])) * np.sqrt(t.ar_var.loc[rel_day, eid])
            ret = float(t.ret.loc[rel_day, eid])
            fig = value_change(found[0], p0, p1, abnormal_share(ar, ret, log))
            rows.append(
                {
                    "event_id": eid,
                    "ticker": ev["ticker"],
                    "date": pd.Timestamp(day).date(),
                    **fig,
                    "abnormal_low": abnormal_share(ar - half, ret, log) * fig["mv_prev"],
                    "abnormal_high": abnormal_share(ar + half, ret, log) * fig["mv_prev"],
                    "shares_note": found[1],
                }
            )
        columns = [
            "event_id", "ticker", "date", "shares", "close_prev", "close", "mv_prev", "mv", "mv_change",
            "abnormal_change", "abnormal_low", "abnormal_high", "shares_note",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns).set_index("event_id")

    def write(self, folder: Path, *, source: str = "", force: bool = False) -> Path:
        """Write ``ar.csv``, ``params.csv``, ``tests.csv``, ``aggregate.csv`` and ``summary.json``.

        The files land together or not at all (written in a staging folder first), so
        a failure leaves an earlier output in ``folder`` untouched. ``summary.json``
        holds the resolved configuration: ``eventstudy run --config summary.json``
        reproduces the files.

        Parameters
        ----------
        folder
            Output folder.
        source
            Name of the price source, recorded in ``summary.json`` beside each series'
            provenance.
        force
            Write into an existing folder that eventstudy did not write (its other files
            are kept); otherwise such a folder is refused.
        """
        window = self.config.event_window
        ok = self._tables.events["status"].str.startswith("ok")
        cars = self.car(window)
        est = self._tables.aggregate_estimates
        summary = {
            "config": self.config.to_dict(),
            "convention": self.convention.as_dict(),
            "versions": record_versions(),
            "data": {"source": source, "series": dict(self._prices.provenance)},
            "headline": {
                "n_events": len(ok),
                "n_used": int(ok.sum()),
                "window": str(window),
                "mean_car": float(cars[ok].mean()),
                "aar": {str(w): v for w, v in est["mean"].items()},
                "cars": dict(zip(self.event_ids, cars.reindex(self.event_ids).tolist(), strict=True)),
            },
        }
        inputs, protected = self.config.input_files, [data_root()]
        with staged_directory(Path(folder), force=force, inputs=inputs, protected=protected, option="folder") as stage:
            for name, table in (
                ("ar", self.to_frame()),
                ("params", self.params_table()),
                ("tests", self.tests_table()),
                ("aggregate", self.aggregate_table()),
            ):
                (stage / f"{name}.csv").write_text(csv_text(table, "%.12g"), encoding="utf-8")
            (stage / "summary.json").write_text(json_text(json_safe(summary)), encoding="utf-8")
        return Path(folder)

    def with_convention(self, name: str) -> EventStudyResults:
        """Return new results under another convention profile, on the same prices.

        Choices the study made explicitly are kept; everything else (return kind,
        estimation window, ...) comes from the new profile, exactly as if the study had
        been started under it. These results are unchanged.

        Examples
        --------
        >>> from eventstudy import event_study
        >>> res = event_study(["NVDA", "CEG"], "2025-01-27")
        >>> other = res.with_convention("estudy2")
        >>> other.config.returns, res.config.returns
        ('log', 'simple')
        """
        return self.refitter(self.request.with_(convention=name))

    def with_events(self, event_ids: Sequence[str]) -> EventStudyResults:
        """Return new results for some of the firm-events alone, on the same prices.

        The many-firm tests are those of these firm-events alone (their cross-correlation
        too); each keeps the fit it has here, also under ``estimation_overlap = "skip"``,
        where the events left out are still fitted so that their windows stay out of the
        others' fits. The warnings the fit gives were already given when these results were
        fitted.

        Examples
        --------
        >>> from eventstudy import event_study
        >>> res = event_study(["NVDA", "CEG", "VST"], "2025-01-27")
        >>> res.with_events(["NVDA@2025-01-27", "CEG@2025-01-27"]).event_ids
        ['NVDA@2025-01-27', 'CEG@2025-01-27']
        """
        wanted = {str(i) for i in event_ids}
        known = {e.event_id for e in self.config.events}
        if not wanted or not wanted <= known:
            missing = sorted(wanted - known)
            raise InvalidParameterError(
                "event_ids",
                missing[0] if missing else list(event_ids),
                "names no firm-event of this study" if missing else "is empty",
                "pass ids from results.event_ids",
            )
        events = tuple(e for e in self.config.events if e.event_id in wanted)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EventStudyWarning)
            if self.config.estimation_overlap == "skip":  # the others' windows shape these fits
                return self.refitter(self.request, tested=wanted)
            return self.refitter(self.request.with_(events=events))

    def with_model(self, model: str) -> EventStudyResults:
        """Return new results under another normal-return model, on the same prices."""
        if model != "custom":
            return self.refitter(self.request.with_(model=model, factors=None, factor_columns=()))
        return self.refitter(self.request.with_(model=model))

    # ------------------------------------------------------------------ display
    def summary(self) -> Summary:
        """Per firm-event table: event-day return, AR, CARs with t and p-values, parameters."""
        rows = []
        t = self._tables
        cfg = self.config
        # Abnormal log volume is a difference of logs, not a return: shown as a number.
        show, level = (_pct, "ret") if cfg.measure == "returns" else (_log_points, "log vol")
        for eid in self.event_ids:
            ev = t.events.loc[eid]
            row: dict[str, Any] = {"ticker": ev["ticker"], "session": ev["event_session"]}
            if 0 in t.ar.index:  # an event window of the run-up or the drift alone has no day 0 to show
                row[f"{level}(0)"] = show(t.ret.loc[0, eid])
                row["AR(0)"] = show(t.ar.loc[0, eid])
            for w in self.windows:
                tab = t.window_table.loc[(eid, w)]
                row[f"CAR{w}"] = show(tab["car"])
                row[f"t{w}"] = f"{tab['tvalues']:.2f}" if np.isfinite(tab["tvalues"]) else ""
                row[f"p{w}"] = f"{tab['pvalues']:.3g}" if np.isfinite(tab["pvalues"]) else ""
            row["alpha"] = f"{t.params.loc[eid, 'alpha']:.5f}"
            if "beta" in t.params.columns:
                row["beta"] = f"{t.params.loc[eid, 'beta']:.3f}"
            row["sigma"] = f"{t.params.loc[eid, 'sigma']:.4f}"
            row["M"] = int(ev["n_est"])
            rows.append(row)
        table = pd.DataFrame(rows, index=pd.Index(self.event_ids, name="event_id"))
        measured = (
            f"Returns: {cfg.returns}"
            if cfg.measure == "returns"
            else "Measure: log(1 + volume); AR and CAR are abnormal log volumes (0.69 is twice the normal volume)"
        )
        notes = (
            f"Model: {self.model.description}. {measured}. Convention: {self.convention.name}.",
            f"Estimation window {cfg.estimation} sessions; t = CAR / sqrt(Var(CAR)) with t(M - k) p-values, where "
            f"{self.convention.variance.describe(self.model.n_params, len(self.model.regressors))}.",
        )
        return Summary(f"Event study: {cfg.name}", table, notes)

    def plot(
        self,
        kind: str = "car",
        *,
        window: WindowLike | None = None,
        tickers: Sequence[str] | None = None,
        ax: Any = None,
    ) -> Figure:
        """Plot cumulative abnormal returns by relative day.

        Parameters
        ----------
        kind
            ``car``: each firm-event's CAR path (the numbers of :attr:`cumulative_ar`
            when ``window`` is the event window); above eight paths the ``tickers`` (or
            the three lowest and three highest by the last day) are drawn in colour, the rest in grey,
            with the average in black. ``caar``: the average path with its 95% band
            (cross-sectional standard error, t(N - 1)).
        window
            The days to cumulate over, from its first day (default: from the event
            window's first day to the last computed day).
        tickers
            Firm-events to show (tickers or event ids); default all.
        ax
            A matplotlib Axes to draw on.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        if kind not in ("car", "caar"):
            raise InvalidOptionError("kind", kind, ["car", "caar"])
        if ax is None:
            fig, ax = plt.subplots(figsize=(8.5, 4.5), layout="constrained")
        else:
            fig = ax.figure
        ar = self._tables.ar
        tick = self._tables.events["ticker"]
        ids = self.event_ids
        if tickers is not None:
            wanted = set(tickers)
            ids = [e for e in ids if e in wanted or tick[e] in wanted]
            if not ids:
                raise InvalidOptionError("tickers", list(tickers), sorted(set(tick)))
        w = Window.parse(window) if window is not None else Window(self.config.event_window.start, int(ar.index.max()))
        if w.start < int(ar.index.min()) or w.end > int(ar.index.max()):
            raise InvalidOptionError("window", str(w), [f"inside [{int(ar.index.min())},{int(ar.index.max())}]"])
        path = ar.loc[w.start : w.end, ids].cumsum(skipna=False) * 100
        # Firm-events left out of the study have no path: neither drawn nor counted.
        ids = [e for e in ids if path[e].notna().any()]
        if not ids:
            used = sorted({str(tick[e]) for e in self.event_ids if ar[e].notna().any()})
            raise InvalidOptionError("tickers", list(tickers or []), used)
        path = path[ids]
        label = event_labels(self._tables.events.loc[ids]).to_dict()
        if kind == "caar":
            mean = path.mean(axis=1)
            n = path.notna().sum(axis=1)
            from scipy import stats

            half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * path.std(axis=1, ddof=1) / np.sqrt(n)
            ax.fill_between(path.index, mean - half, mean + half, color=PALETTE[0], alpha=0.2, lw=0, label="95% band")
            ax.plot(path.index, mean, marker="o", ms=3, color=PALETTE[0], label=f"CAAR ({len(ids)} firm-events)")
        elif len(ids) <= COLOURED_AT_MOST:
            for i, eid in enumerate(ids):
                ax.plot(path.index, path[eid], marker="o", ms=3, color=PALETTE[i % len(PALETTE)], label=label[eid])
        else:
            final = path.iloc[-1].dropna().sort_values()
            shown = [*final.index[:3], *final.index[-3:]]
            for eid in ids:
                if eid not in shown:
                    ax.plot(path.index, path[eid], color="0.75", lw=0.7, zorder=1)
            for i, eid in enumerate(shown):
                ax.plot(path.index, path[eid], marker="o", ms=3, color=PALETTE[i % len(PALETTE)], label=label[eid])
            ax.plot(path.index, path.mean(axis=1), color="black", lw=2, label=f"average of {len(ids)}")
        event_time_axes(
            ax, self.config.event_window, f"{'CAAR' if kind == 'caar' else 'CAR'} from day {w.start:+d} (%)"
        )
        what = "Average cumulative abnormal return" if kind == "caar" else "Cumulative abnormal returns"
        ax.set_title(f"{what}, {self.model.name} model")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        return fig


def event_labels(events: pd.DataFrame) -> pd.Series:
    """Name firm-events by their tickers where that is unambiguous (one event session, no ticker twice), else by id.

    ``events`` is indexed by event id with ``ticker`` and ``event_session`` columns (as ``res.events``).
    """
    by_ticker = events["event_session"].nunique() <= 1 and events["ticker"].is_unique
    ids = pd.Series(events.index.astype(str), index=events.index)
    return events["ticker"].astype(str) if by_ticker else ids


def event_time_axes(ax: Any, event_window: Window, ylabel: str) -> None:
    """Draw the event window's band, day 0 and the zero line on ``ax``, with whole relative days on its x axis."""
    from matplotlib.ticker import MaxNLocator

    ew = event_window
    ax.axvspan(ew.start - 0.5, ew.end + 0.5, color="0.9", zorder=0, label=f"event window {ew}")
    ax.axvline(0, color="0.3", lw=0.8, ls="--")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("relative day (sessions from the event)")
    ax.set_ylabel(ylabel)


def _pct(value: float) -> str:
    return f"{100 * float(value):.2f}%" if np.isfinite(value) else ""


def _log_points(value: float) -> str:
    return f"{float(value):.4f}" if np.isfinite(value) else ""
