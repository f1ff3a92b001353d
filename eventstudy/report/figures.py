"""Report figures. Each function takes tidy inputs and returns a matplotlib Figure."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from eventstudy.results import EventStudyResults

from eventstudy.report.format import fmt_bn_rounded, return_word
from eventstudy.results import COLOURED_AT_MOST, PALETTE, event_labels, event_time_axes


def _new(figsize: tuple[float, float] = (9.0, 4.8)) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=110, layout="constrained")
    return fig, fig.add_subplot()


def png_bytes(fig: Figure) -> bytes:
    """Render ``fig`` to PNG bytes with no timestamp or version metadata (reproducible)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def price_paths(
    prices: pd.DataFrame,
    base: pd.Timestamp,
    event: pd.Timestamp,
    markets: list[str],
    title: str,
    what: str = "Adjusted closes",
    unit: str = "session",
) -> tuple[Figure, str]:
    """Prices indexed to 100 at ``base``, firms solid and market indices dashed, and the figure's caption.

    ``what`` names the series in the caption (returns chained into an index are not closes);
    ``unit`` names a relative day (``row`` for weekly or monthly data).

    Above :data:`COLOURED_AT_MOST` firms the three lowest and three highest returns on the
    event session are drawn in colour and the rest in grey; the caption says so.
    """
    fig, ax = _new()
    indexed = prices.div(prices.loc[base]) * 100.0
    firms = [c for c in indexed.columns if c not in markets]
    shown = list(indexed.columns)
    if len(firms) > COLOURED_AT_MOST:
        # the event session's own move, whatever session the index is based on
        at = min(int(prices.index.searchsorted(event)), len(prices.index) - 1)  # the first close on or after it
        before = prices.index[at - 1] if at else base
        on_event = (prices.loc[prices.index[at], firms] / prices.loc[before, firms]).dropna().sort_values()
        shown = [*on_event.index[:3], *on_event.index[-3:], *[c for c in indexed.columns if c in markets]]
        for col in firms:
            if col not in shown:
                ax.plot(indexed.index, indexed[col].to_numpy(), color="0.8", lw=0.6, zorder=1)
    for i, col in enumerate(shown):
        series = indexed[col].dropna()
        style: dict[str, Any] = {"ls": "--", "lw": 2.2} if col in markets else {"ls": "-", "lw": 1.6}
        ax.plot(series.index, series.to_numpy(), color=PALETTE[i % len(PALETTE)], label=col, **style)
    ax.axvline(event, color="black", lw=1.0, ls=":")
    ax.annotate(
        f"event {event.date()}",
        xy=(event, ax.get_ylim()[1]),
        xytext=(4, -12),
        textcoords="offset points",
        fontsize=8,
    )
    ax.axhline(100, color="0.6", lw=0.7)
    ax.set_title(title)
    closes = what == "Adjusted closes"  # returns chained into an index have no close
    ax.set_ylabel(f"price index ({base.date()} close = 100)" if closes else f"index ({base.date()} = 100)")
    ax.set_xlabel(f"{unit} date" if unit == "session" else "date")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="series")
    fig.autofmt_xdate()
    caption = (
        f"{what} indexed to 100 on {base.date()}; "
        + (
            f"in colour the three lowest and three highest returns on the event {unit}, the other firms in grey; "
            if len(firms) > COLOURED_AT_MOST
            else ""
        )
        + f"dotted line: event {unit} {event.date()}; dashed: indices."
    )
    return fig, caption


def event_time_paths(res: EventStudyResults, first: int = -15, unit: str = "session") -> tuple[Figure, str]:
    """Prices of firm-events with different dates in event time, indexed to 100 at relative day -1, and the caption.

    ``unit`` names a relative day (``row`` for weekly or monthly data).

    Above :data:`COLOURED_AT_MOST` firm-events the three lowest and three highest by the
    last day are drawn in colour, the rest in grey, with the median in black.
    """
    from matplotlib.ticker import MaxNLocator

    fig, ax = _new()
    first = min(first, *(w.start for w in res.windows))  # every window the study measures is in the picture
    ret = res.ret.loc[max(first, int(res.ret.index.min())) :]
    growth = np.exp(ret.cumsum(skipna=False)) if res.config.returns == "log" else (1 + ret).cumprod(skipna=False)
    index = growth.div(growth.loc[-1]) * 100.0
    ids = [e for e in res.event_ids if index[e].notna().any()]
    final = index.iloc[-1][ids].dropna().sort_values()
    shown = ids if len(ids) <= COLOURED_AT_MOST else [*final.index[:3], *final.index[-3:]]
    for e in ids:
        if e not in shown:
            ax.plot(index.index, index[e], color="0.75", lw=0.7, zorder=1)
    for i, e in enumerate(shown):
        ax.plot(index.index, index[e], color=PALETTE[i % len(PALETTE)], lw=1.6, label=e)
    if len(ids) > COLOURED_AT_MOST:
        ax.plot(index.index, index[ids].median(axis=1), color="black", lw=2, label=f"median of {len(ids)}")
    ax.axvline(0, color="black", lw=1.0, ls=":")
    ax.axhline(100, color="0.6", lw=0.7)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"relative day ({unit}s from each firm-event's own event {unit})")
    ax.set_ylabel("price index (day -1 close = 100)")
    ax.set_title(f"Prices in event time, each firm-event indexed to 100 on the {unit} before its event")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    caption = (
        f"Each firm-event's price in event time (its returns compounded), indexed to 100 on the {unit} before its "
        "own event; "
        + (
            "in colour the three lowest and three highest by the last day shown, the others in grey, "
            "the median in black; "
            if len(ids) > COLOURED_AT_MOST
            else ""
        )
        + f"dotted line: the event {unit}."
    )
    return fig, caption


def caar_path(res: EventStudyResults) -> Figure:
    """Average cumulative abnormal return with its 95% band."""
    fig, ax = _new((9.0, 4.4))
    res.plot("caar", ax=ax)
    return fig


BARS_AT_MOST = 25
"""The event-day figure draws up to this many firm-events as bars; above it, sorted points."""

VALUES_AT_MOST = 10
"""Bar charts print each bar's value above it for up to this many bars (more would overlap; the tables hold them)."""

VALUE_ROOM = 36
"""Characters of value labels the dollar chart holds upright side by side (firm-events x the longest label)."""

LABEL_ROOM = 80
"""Characters of tick labels a figure's width holds side by side; longer names are turned to fit."""


def _name_bars(ax: Axes, x: np.ndarray, labels: list[str]) -> None:
    """Name the bars at ``x``; names too long for their share of the width are set at an angle."""
    ax.set_xticks(x, labels)
    if labels and max(len(s) for s in labels) * len(labels) > LABEL_ROOM:
        for tick in ax.get_xticklabels():
            tick.set_rotation(40)
            tick.set_horizontalalignment("right")
            tick.set_rotation_mode("anchor")


def event_day_ar(res: EventStudyResults, rel_day: int = 0) -> tuple[Figure, str]:
    """Event-day raw return and AR per firm, with the AR's 95% interval, and the figure's caption.

    Above :data:`BARS_AT_MOST` firm-events the ARs are drawn sorted, as points with their intervals.
    """
    fig, ax = _new((9.0, 4.4))
    ids = [e for e in res.event_ids if np.isfinite(res.ar.loc[rel_day, e])]
    named = event_labels(res.events)
    labels = [named[e] for e in ids]
    if len(ids) > BARS_AT_MOST:
        return _sorted_ars(fig, ax, res, ids, rel_day), (
            f"Abnormal return ({res.model.name} model) on the event day of each firm-event, sorted, with its 95% "
            "prediction interval."
        )
    raw = res.ret.loc[rel_day, ids].to_numpy() * 100
    ar = res.ar.loc[rel_day, ids].to_numpy() * 100
    se = np.sqrt(res.ar_var.loc[rel_day, ids].to_numpy()) * 100
    df = res.params.loc[ids, "df"].to_numpy()
    from scipy import stats

    half = stats.t.ppf(0.975, df) * se
    x = np.arange(len(ids))
    word = return_word(res.config.returns)  # log returns are drawn as such, as the firm table names them
    ax.bar(x - 0.2, raw, width=0.38, color="#95a5a6", label=f"raw {word}")
    ax.bar(x + 0.2, ar, width=0.38, color=PALETTE[0], yerr=half, capsize=4, label="abnormal return (95% interval)")
    show_values = len(ids) <= VALUES_AT_MOST
    for xi, v, h in zip(x, ar, half, strict=True):
        if show_values and np.isfinite(v):
            end = v - h if v < 0 else v + h
            ax.annotate(
                f"{v:.1f}%",
                (xi + 0.2, end),
                xytext=(0, -11 if v < 0 else 4),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )
    for xi, v in zip(x, raw, strict=True):
        if show_values and np.isfinite(v):
            ax.annotate(
                f"{v:.1f}%",
                (xi - 0.2, v),
                xytext=(0, -11 if v < 0 else 4),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                color="0.35",
            )
    ax.axhline(0, color="black", lw=0.8)
    _name_bars(ax, x, labels)
    ax.margins(y=0.12)  # room for the labels under the longest interval
    ax.set_ylabel(f"{word} on the event day (%)")
    ax.set_title(f"Event-day return and abnormal return ({res.model.name} model)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig, (
        f"Raw {word} and abnormal return ({res.model.name} model) on the event day; bars show the AR's 95% "
        "prediction interval."
    )


def _sorted_ars(fig: Figure, ax: Axes, res: EventStudyResults, ids: list[str], rel_day: int) -> Figure:
    from scipy import stats

    ar = res.ar.loc[rel_day, ids] * 100
    half = stats.t.ppf(0.975, res.params.loc[ids, "df"]) * np.sqrt(res.ar_var.loc[rel_day, ids]) * 100
    order = np.argsort(ar.to_numpy())
    x = np.arange(len(ids))
    ax.errorbar(x, ar.to_numpy()[order], yerr=half.to_numpy()[order], fmt="o", ms=3, color=PALETTE[0], elinewidth=0.6)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks([])
    ax.set_xlabel(f"{len(ids)} firm-events, sorted by abnormal return")
    day = f"{rel_day:+d}".replace("+0", "0")
    ax.set_ylabel(f"abnormal return on day {day} (%)")
    ax.set_title(f"Abnormal return on day {day} with 95% intervals ({res.model.name} model)")
    return fig


def car_paths(res: EventStudyResults) -> tuple[Figure, str]:
    """Cumulative abnormal returns from the first day of the event window (``res.plot``), and the caption."""
    fig, ax = _new((9.0, 4.6))
    res.plot(ax=ax)
    caption = (
        f"Cumulative abnormal returns from the first day of the event window {res.config.event_window}; "
        + (
            "in colour the three lowest and three highest by the last day, the others in grey, the average in black; "
            if len(res.event_ids) > COLOURED_AT_MOST  # as res.plot draws them
            else ""
        )
        + "grey band: event window."
    )
    return fig, caption


def _label_room(ax: Axes, values: np.ndarray, share: float) -> None:
    """Leave ``share`` of the axes' height beyond the tallest bar on each side that has one, for its label."""
    values = values[np.isfinite(values)]
    lo, hi = min(0.0, *values), max(0.0, *values)
    sides = int(lo < 0) + int(hi > 0)
    if not sides:
        return
    span = (hi - lo) / (1 - sides * share)
    ax.set_ylim(lo - share * span * (lo < 0), hi + share * span * (hi > 0))


def dollar_bars(table: pd.DataFrame, label: str = "ticker", abnormal: str = "AR") -> Figure:
    """Market value lost on the event day and its abnormal part, $ billion; bars named by column ``label``.

    ``abnormal`` names the return the abnormal part multiplies the prior value by.
    """
    fig, ax = _new((9.0, 4.2))
    x = np.arange(len(table))
    total = table["mv_change"].to_numpy() / 1e9
    abn = table["abnormal_change"].to_numpy() / 1e9
    ax.bar(x - 0.2, total, width=0.38, color="#95a5a6", label="market value change")
    ax.bar(x + 0.2, abn, width=0.38, color=PALETTE[1], label=f"abnormal part ({abnormal} x prior value)")
    # The abnormal part is printed to what its interval supports, as in the table; the change is measured.
    half = (
        (table["abnormal_high"] - table["abnormal_low"]).to_numpy() / 2
        if {"abnormal_high", "abnormal_low"} <= set(table.columns)
        else np.full(len(table), np.nan)
    )
    texts = [
        [fmt_bn_rounded(v * 1e9, w) if np.isfinite(v) else "" for v, w in zip(values, widths, strict=True)]
        for values, widths in ((total, np.full(len(table), np.nan)), (abn, half))
    ]
    # labels wider than the space between bars would run into each other: then they stand on end
    upright = len(table) * max((len(t) for pair in texts for t in pair), default=0) <= VALUE_ROOM
    fig.set_size_inches(9.0, 4.2 if upright else 5.0)
    for offset, values, labels in ((-0.2, total, texts[0]), (0.2, abn, texts[1])):
        for xi, v, text in zip(x, values, labels, strict=True):
            if len(table) <= VALUES_AT_MOST and np.isfinite(v):
                ax.annotate(
                    text,
                    (xi + offset, v),
                    xytext=(0, -3 if v < 0 else 3) if not upright else (0, -11 if v < 0 else 4),
                    textcoords="offset points",
                    ha="center",
                    va=("top" if v < 0 else "bottom") if not upright else "baseline",
                    rotation=0 if upright else 90,
                    fontsize=8,
                )
    if len(table) <= VALUES_AT_MOST:
        _label_room(ax, np.concatenate([total, abn]), 0.08 if upright else 0.22)
    ax.axhline(0, color="black", lw=0.8)
    _name_bars(ax, x, table[label].astype(str).tolist())
    ax.set_ylabel("US$ billion")
    ax.set_title("Market value moved on the event day")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


VERDICT_COLOURS = {"matches": "#009E73", "close": "#E69F00", "contradicted": "#D55E00", "not checkable": "#95a5a6"}


def claims_chart(table: pd.DataFrame) -> Figure:
    """Plot reported against computed value for every numeric claim, coloured by verdict.

    ``table`` has columns ``id, outlet, entity, series, reported, computed, verdict, unit`` (numeric claims only).
    Percent and dollar claims get separate panels.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    parts = [("percent", "% change"), ("USD bn", "US$ billion")]
    parts = [(u, lab) for u, lab in parts if (table["unit"] == u).any()]
    heights = [max(1.5, 0.32 * int((table["unit"] == u).sum()) + 0.8) for u, _ in parts]
    fig = Figure(figsize=(9.0, sum(heights) + 0.9), dpi=110, layout="constrained")
    axes = fig.subplots(len(parts), 1, height_ratios=heights, squeeze=False)[:, 0]
    for ax, (unit, label) in zip(axes, parts, strict=True):
        sub = table[table["unit"] == unit].iloc[::-1]
        y = np.arange(len(sub))
        colours = [VERDICT_COLOURS[v] for v in sub["verdict"]]
        ax.barh(y, sub["computed"], color=colours, height=0.6, label="computed")
        ax.scatter(sub["reported"], y, marker="D", color="black", zorder=3, s=22, label="reported")
        labels = [
            f"{i} {o} \u2013 {e or s}"
            for i, o, e, s in zip(sub["id"], sub["outlet"], sub["entity"], sub["series"], strict=True)
        ]
        ax.set_yticks(y, labels, fontsize=7)
        ax.axvline(0, color="black", lw=0.7)
        ax.set_xlabel(label)
        ax.set_title(f"Reported vs computed ({label})", fontsize=10)
    handles = [Patch(color=c, label=v) for v, c in VERDICT_COLOURS.items()]
    handles.append(axes[0].scatter([], [], marker="D", color="black", s=22, label="reported"))
    # beside the panel, not in it: any corner of it may hold a bar or a diamond
    axes[0].legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def spec_grid(table: pd.DataFrame, value: str, title: str) -> Figure:
    """Draw grouped bars: one group per firm, one bar per specification (model or market proxy).

    ``table`` has columns ``ticker``, ``spec`` and ``value`` (a decimal return).
    """
    specs = list(dict.fromkeys(table["spec"]))
    firms = list(dict.fromkeys(table["ticker"]))
    fig, ax = _new((9.5, 4.8))
    width = 0.8 / len(specs)
    x = np.arange(len(firms))
    for k, spec in enumerate(specs):
        sub = table[table["spec"] == spec].set_index("ticker").reindex(firms)
        ax.bar(
            x - 0.4 + width * (k + 0.5),
            sub[value].to_numpy() * 100,
            width=width,
            color=PALETTE[k % len(PALETTE)],
            label=spec,
        )
    ax.axhline(0, color="black", lw=0.8)
    _name_bars(ax, x, firms)
    ax.set_ylabel("percent")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="specification", title_fontsize=8)
    return fig


def sector_strip(table: pd.DataFrame, highlight: list[str], model: str = "market model") -> Figure:
    """Event-day AR of every member by GICS sector: one dot per firm, a bar at the median.

    ``table`` has columns ``ticker``, ``sector`` and ``ar``; ``highlight`` tickers are
    labelled.
    """
    order = table.groupby("sector")["ar"].median().sort_values().index.tolist()
    fig, ax = _new((9.5, 5.6))
    rng = np.random.default_rng(0)  # fixed jitter keeps the figure reproducible
    for i, sector in enumerate(order):
        sub = table[table["sector"] == sector]
        y = i + rng.uniform(-0.25, 0.25, len(sub))
        ax.scatter(sub["ar"] * 100, y, s=9, color="#7f8c8d", alpha=0.7, lw=0)
        med = float(sub["ar"].median()) * 100
        ax.plot([med, med], [i - 0.35, i + 0.35], color=PALETTE[0], lw=2.5)
        for (_, r), yy in zip(sub.iterrows(), y, strict=True):
            if r["ticker"] in highlight:
                ax.scatter([r["ar"] * 100], [yy], s=24, color=PALETTE[1], zorder=3)
                ax.annotate(r["ticker"], (r["ar"] * 100, yy), xytext=(3, 3), textcoords="offset points", fontsize=7)
    counts = table["sector"].value_counts()
    ax.set_yticks(range(len(order)), [f"{s} ({counts[s]})" for s in order], fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(f"abnormal return on the event day (%), {model}")
    ax.set_title("Where the shock landed: every S&P 500 member by sector (bar: sector median)")
    return fig


AAR_LABELS_AT_MOST = 15
"""Up to this many days every AAR bar carries its value and each day its tick; beyond it, fewer."""


def aar_bars(days: list[int], aar: list[float], pvals: list[float], test: str, unit: str = "sessions") -> Figure:
    """Average abnormal return per relative day; days significant at 5% under ``test`` are marked.

    ``unit`` names what relative days count (``"sessions"``, or ``"rows"`` of each series).
    """
    fig, ax = _new((9.0, 4.0))
    values = np.asarray(aar) * 100
    significant = np.asarray(pvals) < 0.05
    colours = [PALETTE[1] if s else "#95a5a6" for s in significant]
    ax.bar(days, values, color=colours, width=0.7)
    # every bar is labelled while the labels fit side by side; beyond that only the significant ones
    crowded = len(days) > AAR_LABELS_AT_MOST
    for d, v, s in zip(days, values, significant, strict=True):
        if crowded and not s:
            continue
        label = f"{v:.1f}%" + (" *" if s else "")
        ax.annotate(label, (d, v), xytext=(0, -11 if v < 0 else 4), textcoords="offset points", ha="center", fontsize=8)
    ax.axhline(0, color="black", lw=0.8)
    if crowded:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
    else:
        ax.set_xticks(days)
    ax.set_xlabel(f"relative day ({unit} from the event)")
    ax.set_ylabel("average abnormal return (%)")
    ax.set_title(f"Average abnormal return by day (orange, *: p < 0.05 under {test})")
    lo = min(0.0, float(np.nanmin(values)))
    hi = max(0.0, float(np.nanmax(values)))
    ax.set_ylim(lo - 0.12 * (hi - lo + 1e-9), hi + 0.12 * (hi - lo + 1e-9))
    return fig


def coefficient_plot(fits: dict[str, Any], terms: list[str], title: str, labels: list[str] | None = None) -> Figure:
    """Coefficients (percentage points) with 95% intervals, one row per term, one marker per fit."""
    fig, ax = _new((9.0, 0.55 * len(terms) + 1.6))
    y = np.arange(len(terms))
    for k, (name, fit) in enumerate(fits.items()):
        ci = fit.conf_int()
        offset = (k - (len(fits) - 1) / 2) * 0.22
        est = fit.params[terms].to_numpy() * 100
        lo = ci.loc[terms, "lower"].to_numpy() * 100
        hi = ci.loc[terms, "upper"].to_numpy() * 100
        ax.errorbar(est, y + offset, xerr=[est - lo, hi - est], fmt="o", color=PALETTE[k], capsize=3, label=name)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, labels or terms)
    ax.invert_yaxis()
    ax.set_xlabel("event-day abnormal return per standard deviation of exposure (percentage points)")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def partial_regression(fit: Any, term: str, label: str) -> Figure:
    """Added-variable plot: the outcome and ``term``, each net of the other regressors (Frisch-Waugh-Lovell)."""
    from patsy import dmatrices

    formula = fit.formula
    y, x = dmatrices(formula, fit.data, return_type="dataframe", NA_action="drop")
    others = x.drop(columns=[term]).to_numpy(dtype="float64")

    def residual(v: np.ndarray) -> np.ndarray:
        coef, *_ = np.linalg.lstsq(others, v, rcond=None)
        return v - others @ coef

    ry = residual(y.to_numpy(dtype="float64")[:, 0]) * 100
    rx = residual(x[term].to_numpy(dtype="float64"))
    fig, ax = _new((8.0, 4.8))
    ax.scatter(rx, ry, s=10, color="0.45", alpha=0.7, lw=0)
    slope = float((rx * ry).sum() / (rx**2).sum())
    grid = np.linspace(rx.min(), rx.max(), 2)
    ax.plot(grid, slope * grid, color=PALETTE[1], lw=2, label=f"slope {slope:.2f} pp per sd")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel(f"{label} (standard deviations), net of the other exposures and sector")
    ax.set_ylabel("event-day abnormal return (%), net of the same")
    ax.set_title(f"Partial regression on {label}")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def _label_without_overlap(fig: Figure, ax: Axes, rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
    """Name points left to right, skipping a name that would run into the previous one at its height."""
    lo, hi = ax.get_xlim()
    # the width of one character of 7-point text, in data units of the x axis
    per_char = 7 * 0.6 / 72 * (hi - lo) / (fig.get_size_inches()[0] * ax.get_position().width)
    for xs, ys, names in rows:
        free_from: dict[float, float] = {}
        for x, y, name in zip(xs, ys, names, strict=True):
            if x < free_from.get(float(y), -np.inf):
                continue
            # above the group's mean bar, on a pale ground so the bar does not strike it through
            ax.annotate(
                name,
                (x, y),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=7,
                zorder=5,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
            )
            free_from[float(y)] = x + per_char * (len(name) + 2)


def group_strip(values: dict[str, np.ndarray], labels: dict[str, list[str]], window: str) -> Figure:
    """Each firm-event's CAR by group (points, labelled when few), with each group's mean as a bar."""
    fig, ax = _new((8.0, 1.1 * len(values) + 1.8))
    levels = np.linspace(-0.3, 0.3, 5)
    placed = []
    for k, (group, x) in enumerate(values.items()):
        finite = np.isfinite(x)
        xs, names = x[finite] * 100, np.asarray(labels[group])[finite]
        order = np.argsort(xs, kind="stable")
        # in order of value, each point takes the next of five heights, so neighbours never share one
        y = np.empty(len(xs))
        y[order] = k + levels[np.arange(len(xs)) % len(levels)] if len(xs) > 1 else k
        ax.scatter(xs, y, s=22, color=PALETTE[k % len(PALETTE)], zorder=3)
        if finite.any():
            ax.plot([xs.mean()] * 2, [k - 0.36, k + 0.36], color="black", lw=2, zorder=4)
        if len(xs) <= 12:
            placed.append((xs[order], y[order], names[order]))
    ax.axvline(0, color="black", lw=0.8)
    _label_without_overlap(fig, ax, placed)
    ax.set_yticks(range(len(values)), list(values))
    ax.invert_yaxis()
    ax.set_xlabel(f"CAR{window} (%); the black bar is the group mean")
    ax.set_title(f"Cumulative abnormal return over {window} by group")
    return fig


def caar_by(res: EventStudyResults, subsets: dict[str, list[str]], what: str) -> Figure:
    """Average cumulative abnormal return of each subset of firm-events (dates or groups), one line each.

    Paths start on the event window's first day and run to the last computed day; a
    firm-event without a full path is left out of its subset's average, as in the CAR plot.
    """
    fig, ax = _new((9.0, 4.4))
    start = res.config.event_window.start
    ar = res.ar
    path = ar.loc[start:].cumsum(skipna=False) * 100
    for i, (name, ids) in enumerate(subsets.items()):
        mine = path[ids].dropna(axis=1, how="any")
        if mine.empty:
            continue
        ax.plot(
            mine.index,
            mine.mean(axis=1),
            marker="o",
            ms=3,
            color=PALETTE[i % len(PALETTE)],
            label=f"{name} ({mine.shape[1]})",
        )
    event_time_axes(ax, res.config.event_window, f"CAAR from day {start:+d} (%)".replace("+0", "0"))
    ax.set_title(f"Average cumulative abnormal return by {what}, {res.model.name} model")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title=f"{what} (firm-events)")
    return fig
