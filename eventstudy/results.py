"""Immutable, labelled results of an event study.

Results classes only wrap and label the arrays computed in :mod:`eventstudy.abnormal`
and :mod:`eventstudy.inference`; every accessor derives from stored arrays, and nothing
is changed after construction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from eventstudy._io import staged_directory
from eventstudy._meta import json_safe, record_versions
from eventstudy.config import Event, StudyConfig
from eventstudy.conventions import Convention
from eventstudy.data.panel import PricePanel
from eventstudy.inference import InvalidTestStatistic, TestStatistic
from eventstudy.models import MARKET, ReturnModel
from eventstudy.windows import Window

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PALETTE = ["#1f4e79", "#c0392b", "#e67e22", "#27ae60", "#8e44ad", "#16a085", "#7f8c8d", "#d35400", "#2c3e50"]
"""Series colours shared by every figure, in study order."""

TIDY_COLUMNS = ["event_id", "ticker", "window", "car", "std_err", "test", "statistic", "p_value", "df"]


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
        """LaTeX rendering (a tabular environment)."""
        return self.table.to_latex(caption=self.title)

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


@dataclass(frozen=True)
class WindowStats:
    """Per firm-event statistics of one window (labelled Series by event id)."""

    window: Window
    car: pd.Series
    std_err: pd.Series
    tvalue: pd.Series
    pvalue: pd.Series
    sq_quantile: pd.Series
    sq_pvalue: pd.Series
    bhar: pd.Series


@dataclass(frozen=True, eq=False, repr=False)
class EventStudyResults(_SummaryRepr):
    """Results of :meth:`EventStudy.fit`.

    Attributes
    ----------
    config
        The configuration that produced these results.
    model
        The normal-return model.
    events
        One row per firm-event (index ``event_id``): ticker, market, event date and
        session, estimation window used, its number of returns and a status.
    params
        Estimated parameters per firm-event: ``alpha``, slopes (``beta`` for the market
        model), ``sigma`` and ``df``.
    ret, market_ret, expected_ret, ar, ar_var, ar_t
        Frames of relative day x event id; ``ar_var`` is the variance of each AR and
        ``ar_t`` its t-statistic under the convention (prediction-error corrected by
        default, ``AR / sigma`` for ``eventstudytools``).
    dates
        Session date of each relative day and event.
    windows
        The windows with statistics.
    prices
        The price panel the study used (for dollar figures and plots).
    convention
        The convention profile used.
    aggregate_tests
        Many-firm tests, ``{(window, test): statistic}``; a single day ``d`` is the
        window ``[d,d]`` (AAR), a longer window is a CAAR. A test that cannot apply is
        an :class:`~eventstudy.inference.InvalidTestStatistic` with the reason.
    aggregate_estimates
        AAR per day and CAAR per window (``mean``), with precision-weighted (``pw_mean``,
        weights 1/sigma) and inverse-variance (``iv_mean``) versions; ``headline`` is
        the one the convention reports.
    residual_correlation
        Mean pairwise correlation of the firm-events' estimation-window abnormal
        returns, aligned by relative day (the Kolari-Pynnonen r).
    """

    config: StudyConfig
    model: ReturnModel
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
    windows: tuple[Window, ...]
    window_table: pd.DataFrame
    prices: PricePanel
    convention: Convention
    aggregate_tests: Mapping[tuple[str, str], TestStatistic | InvalidTestStatistic]
    aggregate_estimates: pd.DataFrame
    residual_correlation: float

    @classmethod
    def build(
        cls,
        *,
        config: StudyConfig,
        model: ReturnModel,
        events: Sequence[Event],
        sessions: pd.DatetimeIndex,
        event_sessions: Sequence[pd.Timestamp],
        rel: NDArray[np.int64],
        positions: NDArray[np.int64],
        ret: NDArray[np.float64],
        market_ret: NDArray[np.float64],
        arrays: dict[str, NDArray[np.float64]],
        windows: Sequence[Window],
        status: Sequence[str],
        prices: PricePanel,
        convention: Convention,
        aggregate_tests: Mapping[tuple[str, str], TestStatistic | InvalidTestStatistic],
        aggregate_estimates: pd.DataFrame,
        residual_correlation: float,
    ) -> EventStudyResults:
        """Label the engine's arrays (internal; use :meth:`EventStudy.fit`)."""
        ids = pd.Index([e.event_id for e in events], name="event_id")
        relidx = pd.Index(rel, name="rel_day")
        bad = np.array([not s.startswith("ok") for s in status])

        def frame(values: NDArray[np.float64]) -> pd.DataFrame:
            vals = np.array(values, dtype=np.float64, copy=True)
            vals[bad] = np.nan
            return pd.DataFrame(vals.T, index=relidx, columns=ids)

        est = arrays["est"].astype(bool)
        n_est = arrays["nobs"].astype(np.int64)
        session_dates = np.asarray(sessions.date)
        first_pos, last_pos = arrays["est_first"].astype(np.int64), arrays["est_last"].astype(np.int64)
        first_est = [session_dates[p] if p >= 0 else None for p in first_pos.tolist()]
        last_est = [session_dates[p] if p >= 0 else None for p in last_pos.tolist()]
        ev_table = pd.DataFrame(
            {
                "ticker": [e.ticker for e in events],
                "market": [e.market for e in events],
                "event_date": [e.event_date for e in events],
                "event_session": [s.date() for s in event_sessions],
                "est_start": first_est,
                "est_end": last_est,
                "n_est": n_est,
                "status": list(status),
            },
            index=ids,
        )
        slope_names = ["beta" if r == MARKET else f"beta_{r}" for r in model.regressors]
        par: dict[str, Any] = {"alpha": arrays["alpha"]}
        for j, nm in enumerate(slope_names):
            par[nm] = arrays["coef"][:, j]
        par["sigma"] = arrays["sigma"]
        par["df"] = arrays["df"]
        params = pd.DataFrame(par, index=ids)
        params.loc[bad, :] = np.nan
        date_vals = np.where(positions >= 0, positions, 0)
        dates = pd.DataFrame(
            np.where(positions >= 0, np.asarray(sessions)[date_vals], np.datetime64("NaT")).T,
            index=relidx,
            columns=ids,
        )
        parts = []
        for w in windows:
            key = str(w)

            def col(name: str, key: str = key) -> NDArray[np.float64]:
                return np.where(bad, np.nan, arrays[f"{name}:{key}"])

            parts.append(
                pd.DataFrame(
                    {
                        "event_id": ids,
                        "window": key,
                        "car": col("car"),
                        "std_err": np.sqrt(col("var")),
                        "t": col("t"),
                        "p_t": col("p"),
                        "sq_quantile": col("sq_q"),
                        "p_sq": col("sq_p"),
                        "bhar": col("bhar"),
                        "df": params["df"].to_numpy(),
                    }
                )
            )
        window_table = pd.concat(parts, ignore_index=True).set_index(["event_id", "window"])
        return cls(
            config=config,
            model=model,
            events=ev_table,
            params=params,
            ret=frame(ret),
            market_ret=frame(market_ret),
            expected_ret=frame(arrays["expected"]),
            ar=frame(arrays["ar"]),
            ar_var=frame(arrays["ar_var"]),
            ar_t=frame(arrays["t_ar"]),
            dates=dates,
            est_mask=pd.DataFrame(est.T, index=relidx, columns=ids),
            windows=tuple(windows),
            window_table=window_table,
            prices=prices,
            convention=convention,
            aggregate_tests=MappingProxyType(dict(aggregate_tests)),
            aggregate_estimates=aggregate_estimates,
            residual_correlation=residual_correlation,
        )

    # ------------------------------------------------------------------ accessors
    @property
    def event_ids(self) -> list[str]:
        """Event ids in study order."""
        return [str(i) for i in self.events.index]

    @property
    def nobs(self) -> pd.Series:
        """Estimation observations per firm-event."""
        return self.events["n_est"].rename("nobs")

    def _window(self, window: str | Window | tuple[int, int]) -> Window:
        w = Window.parse(window)
        if w not in self.windows:
            from eventstudy.errors import InvalidOptionError

            raise InvalidOptionError("window", str(w), [str(x) for x in self.windows])
        return w

    def window_stats(self, window: str | Window | tuple[int, int]) -> WindowStats:
        """Statistics of every firm-event over ``window`` (one of :attr:`windows`)."""
        w = self._window(window)
        tab = self.window_table.xs(str(w), level="window")
        return WindowStats(
            window=w,
            car=tab["car"].rename(f"car{w}"),
            std_err=tab["std_err"].rename("std_err"),
            tvalue=tab["t"].rename("tvalues"),
            pvalue=tab["p_t"].rename("pvalues"),
            sq_quantile=tab["sq_quantile"].rename("sq_quantile"),
            sq_pvalue=tab["p_sq"].rename("sq_pvalues"),
            bhar=tab["bhar"].rename(f"bhar{w}"),
        )

    def car(self, window: str | Window | tuple[int, int] | None = None) -> pd.Series:
        """CAR of every firm-event over ``window`` (default: the event window)."""
        return self.window_stats(window or self.config.event_window).car

    @cached_property
    def cumulative_ar(self) -> pd.DataFrame:
        """ARs cumulated from the start of the event window (NaN before it)."""
        start = self.config.event_window.start
        sub = self.ar.loc[start:]
        return sub.cumsum(skipna=False)

    @cached_property
    def aar(self) -> pd.Series:
        """Average abnormal return per relative day over usable firm-events."""
        return self.ar.mean(axis=1).rename("aar")

    @cached_property
    def caar(self) -> pd.Series:
        """Cumulative average abnormal return from the event-window start."""
        return self.aar.loc[self.config.event_window.start :].cumsum().rename("caar")

    def aggregate_table(self) -> pd.DataFrame:
        """Many-firm tests as a long table, one row per window (or day) and test.

        Columns: ``window, kind, n, estimate, test, statistic, p_value, distribution,
        null, note`` where ``kind`` is ``day`` (AAR on one relative day) or ``window``
        (CAAR) and ``note`` says why a test could not apply.
        """
        est = self.aggregate_estimates
        rows = []
        for (label, test), res in self.aggregate_tests.items():
            ok = isinstance(res, TestStatistic)
            rows.append(
                {
                    "window": label,
                    "kind": est.loc[label, "kind"],
                    "n": int(est.loc[label, "n"]),
                    "estimate": float(est.loc[label, "headline"]),
                    "test": test,
                    "statistic": res.stat,
                    "p_value": res.pval,
                    "distribution": res.dist_name if isinstance(res, TestStatistic) else "",
                    "null": res.null if isinstance(res, TestStatistic) else "",
                    "note": "" if ok else getattr(res, "reason", ""),
                }
            )
        return pd.DataFrame(rows)

    def tidy(self) -> pd.DataFrame:
        """Long table: one row per firm-event, window and test, then the many-firm tests.

        Columns are fixed: ``event_id, ticker, window, car, std_err, test, statistic,
        p_value, df``. Firm-event rows carry ``t`` and ``sq`` (for ``sq`` the statistic
        is the CAR's empirical quantile). Many-firm rows have ``event_id`` ``"all"``, an
        empty ticker, the AAR or CAAR in ``car`` and one of the aggregate test names.
        """
        firm = self._firm_tidy()
        agg = self.aggregate_table()
        if agg.empty:
            return firm
        rows = pd.DataFrame(
            {
                "event_id": "all",
                "ticker": "",
                "window": agg["window"],
                "car": agg["estimate"],
                "std_err": np.nan,
                "test": agg["test"],
                "statistic": agg["statistic"],
                "p_value": agg["p_value"],
                "df": np.nan,
            }
        )
        return pd.concat([firm, rows], ignore_index=True)

    def _firm_tidy(self) -> pd.DataFrame:
        tab = self.window_table.reset_index()
        tab["ticker"] = tab["event_id"].map(self.events["ticker"])
        t_rows = tab.assign(test="t", statistic=tab["t"], p_value=tab["p_t"])
        sq_rows = tab.assign(test="sq", statistic=tab["sq_quantile"], p_value=tab["p_sq"])
        out = pd.concat([t_rows, sq_rows], ignore_index=True)[TIDY_COLUMNS]
        order = {e: i for i, e in enumerate(self.event_ids)}
        worder = {str(w): i for i, w in enumerate(self.windows)}
        key = out["event_id"].map(order) * 1000 + out["window"].map(worder) * 10 + (out["test"] == "sq")
        return out.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """Long table of the event window: the rows of ``ar.csv``.

        Columns ``event_id, ticker, rel_day, date, ret, market_ret, expected_ret, ar, car,
        ar_t`` where ``car`` cumulates ARs from the event-window start to ``rel_day`` and
        ``ar_t`` is the day's AR t-statistic under the convention.
        """
        w = self.config.event_window
        days = list(range(w.start, w.end + 1))
        ids = self.event_ids
        n, length = len(ids), len(days)

        def flat(frame: pd.DataFrame) -> NDArray[np.float64]:
            return frame.loc[days, ids].to_numpy(dtype="float64").T.ravel()

        dates = pd.DatetimeIndex(self.dates.loc[days, ids].to_numpy().T.ravel())
        return pd.DataFrame(
            {
                "event_id": np.repeat(ids, length),
                "ticker": np.repeat(self.events["ticker"].to_numpy(), length),
                "rel_day": np.tile(days, n),
                "date": [d.date() if pd.notna(d) else None for d in dates],
                "ret": flat(self.ret),
                "market_ret": flat(self.market_ret),
                "expected_ret": flat(self.expected_ret),
                "ar": flat(self.ar),
                "car": self.ar.loc[days, ids].cumsum(skipna=False).to_numpy(dtype="float64").T.ravel(),
                "ar_t": flat(self.ar_t),
            }
        )

    def params_table(self) -> pd.DataFrame:
        """Return the rows of ``params.csv`` (one per firm-event, with its status)."""
        ev = self.events
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
        for col in self.params.columns:
            if col != "df":
                out[col] = self.params[col].to_numpy()
        if "beta" not in out.columns:
            out.insert(out.columns.get_loc("alpha") + 1, "beta", np.nan)
        out["status"] = ev["status"].to_numpy()
        return out

    def tests_table(self) -> pd.DataFrame:
        """Return the rows of ``tests.csv``: ``scope,event_id,window,test,statistic,p_value``.

        ``scope`` is ``event`` for a firm-event's own tests and ``aggregate`` for the
        many-firm tests (``event_id`` ``all``).
        """
        tidy = self.tidy()
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

    def dollar_impact(self, rel_day: int = 0) -> pd.DataFrame:
        """Market value moved on ``rel_day`` and its abnormal part, per firm-event.

        Uses as-traded closes and the latest bundled share count dated on or before the
        event; firms without a share count are left out.
        """
        from eventstudy.dollar import shares_on, value_change

        rows = []
        close = self.prices.close
        for eid in self.event_ids:
            ev = self.events.loc[eid]
            if not str(ev["status"]).startswith("ok"):
                continue
            found = shares_on(str(ev["ticker"]), ev["event_date"])
            day, prev = self.dates.loc[rel_day, eid], self.dates.loc[rel_day - 1, eid]
            if found is None or pd.isna(day) or pd.isna(prev):
                continue
            series = close[str(ev["ticker"])]
            p0, p1 = float(series.get(prev, np.nan)), float(series.get(day, np.nan))
            fig = value_change(found[0], p0, p1, float(self.ar.loc[rel_day, eid]))
            rows.append(
                {
                    "event_id": eid,
                    "ticker": ev["ticker"],
                    "date": pd.Timestamp(day).date(),
                    **fig,
                    "shares_note": found[1],
                }
            )
        return pd.DataFrame(rows).set_index("event_id") if rows else pd.DataFrame()

    def write(self, folder: Path, *, source: str = "") -> Path:
        """Write ``ar.csv``, ``params.csv``, ``tests.csv``, ``aggregate.csv`` and ``summary.json``.

        The files land together or not at all (written in a staging folder first), so
        a failure leaves an earlier output in ``folder`` untouched.

        Parameters
        ----------
        folder
            Output folder.
        source
            Name of the price source, recorded in ``summary.json`` beside each series'
            provenance.
        """
        window = self.config.event_window
        ok = self.events["status"].str.startswith("ok")
        cars = self.car(window)
        summary = {
            "config": self.config.to_dict(),
            "convention": self.convention.as_dict(),
            "versions": record_versions(),
            "data": {"source": source, "series": dict(self.prices.provenance)},
            "headline": {
                "n_events": len(self.events),
                "n_used": int(ok.sum()),
                "window": str(window),
                "mean_car": float(cars[ok].mean()),
                "aar": self.aggregate_estimates["mean"].to_dict(),
                "cars": {eid: cars[eid] for eid in self.event_ids},
            },
        }
        with staged_directory(Path(folder)) as stage:
            self.to_frame().to_csv(stage / "ar.csv", index=False, float_format="%.12g")
            self.params_table().to_csv(stage / "params.csv", index=False, float_format="%.12g")
            self.tests_table().to_csv(stage / "tests.csv", index=False, float_format="%.12g")
            self.aggregate_table().to_csv(stage / "aggregate.csv", index=False, float_format="%.12g")
            (stage / "summary.json").write_text(json.dumps(json_safe(summary), indent=2) + "\n", encoding="utf-8")
        return Path(folder)

    def with_convention(self, name: str) -> EventStudyResults:
        """Return new results under another convention profile, on the same prices.

        The profile's return kind comes with it (``estudy2`` and ``eventstudytools`` use
        log returns); these results are unchanged.

        Examples
        --------
        >>> from eventstudy import event_study
        >>> res = event_study(["NVDA", "CEG"], "2025-01-27")
        >>> other = res.with_convention("estudy2")
        >>> other.config.returns, res.config.returns
        ('log', 'simple')
        """
        from eventstudy.conventions import get_convention

        conv = get_convention(name)
        return self._refit(self.config.with_(convention=conv.name, returns=conv.returns))

    def with_model(self, model: str) -> EventStudyResults:
        """Return new results under another normal-return model, on the same prices."""
        return self._refit(self.config.with_(model=model))

    def _refit(self, config: StudyConfig) -> EventStudyResults:
        from eventstudy.data.sources import PanelSource
        from eventstudy.study import EventStudy

        return EventStudy(config, PanelSource(self.prices, "prices of the original results")).fit()

    # ------------------------------------------------------------------ display
    def summary(self) -> Summary:
        """Per firm-event table: event-day return, AR, CARs with t and SQ p-values, parameters."""
        rows = []
        for eid in self.event_ids:
            ev = self.events.loc[eid]
            row: dict[str, Any] = {"ticker": ev["ticker"], "session": ev["event_session"]}
            row["ret(0)"] = _pct(self.ret.loc[0, eid]) if 0 in self.ret.index else ""
            row["AR(0)"] = _pct(self.ar.loc[0, eid]) if 0 in self.ar.index else ""
            for w in self.windows:
                tab = self.window_table.loc[(eid, str(w))]
                row[f"CAR{w}"] = _pct(tab["car"])
                row[f"t{w}"] = f"{tab['t']:.2f}" if np.isfinite(tab["t"]) else ""
                row[f"p{w}"] = f"{tab['p_t']:.3g}" if np.isfinite(tab["p_t"]) else ""
            row["alpha"] = f"{self.params.loc[eid, 'alpha']:.5f}"
            if "beta" in self.params.columns:
                row["beta"] = f"{self.params.loc[eid, 'beta']:.3f}"
            row["sigma"] = f"{self.params.loc[eid, 'sigma']:.4f}"
            row["M"] = int(ev["n_est"])
            rows.append(row)
        table = pd.DataFrame(rows, index=pd.Index(self.event_ids, name="event_id"))
        est = self.config.estimation
        notes = (
            f"Model: {self.model.description}. Returns: {self.config.returns}.",
            f"Estimation window {est} sessions; t uses the exact CAR variance "
            "(prediction-error corrected) with t(M - k) p-values.",
        )
        return Summary(f"Event study: {self.config.name}", table, notes)

    def plot(self, *, ax: Any = None) -> Figure:
        """Plot cumulative abnormal returns by relative day, event window shaded.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        else:
            fig = ax.figure
        path = self.ar.loc[self.config.estimation.end + 1 :].cumsum(skipna=False) * 100
        for i, eid in enumerate(self.event_ids):
            ax.plot(
                path.index,
                path[eid],
                marker="o",
                ms=3,
                color=PALETTE[i % len(PALETTE)],
                label=str(self.events.loc[eid, "ticker"]),
            )
        w = self.config.event_window
        ax.axvspan(w.start - 0.5, w.end + 0.5, color="0.85", zorder=0, label=f"event window {w}")
        ax.axvline(0, color="0.3", lw=0.8, ls="--")
        ax.axhline(0, color="0.3", lw=0.8)
        ax.set_xlabel("relative day (sessions from the event)")
        ax.set_ylabel("cumulative abnormal return (%)")
        ax.set_title(f"Cumulative abnormal returns, {self.model.name} model")
        ax.legend(fontsize=8, ncols=2)
        return fig


def _pct(value: float) -> str:
    return f"{100 * float(value):.2f}%" if np.isfinite(value) else ""
