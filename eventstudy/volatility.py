"""Event-induced volatility: GARCH(1,1)-standardised abnormal returns and the Savickas (2003) test.

An event day is often a volatile day. Savickas (2003) fits each firm's market model with
GARCH(1,1) errors on its estimation window and divides the event-day abnormal return by
its conditional standard deviation (the one-step forecast), so a firm whose volatility
was already high counts for less; the test is the cross-sectional t of these
standardised returns. Needs the ``arch`` package (``pip install 'eventstudy[garch]'``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from eventstudy.errors import ConfigError
from eventstudy.inference import InvalidTestStatistic, TestStatistic

StudyResults = Any
"""An :class:`~eventstudy.results.EventStudyResults` fitted with ``paths="full"``."""

SCALE = 100.0
"""Returns are fitted in percent: GARCH optimisers converge poorly on numbers near 0.01."""

GARCH_MIN_OBS = 100
"""The fewest estimation returns a GARCH(1,1) fit is tried on (its three variance parameters need a long series)."""


def garch_standardised(res: StudyResults, rel_day: int = 0) -> pd.DataFrame:
    """GARCH(1,1) market-model abnormal return on ``rel_day`` and its conditional standard deviation, per firm-event.

    Each firm-event's returns over its estimation days are fitted as
    ``R = a + b R_m + e``, ``e ~ GARCH(1,1)`` (``arch``), by maximum likelihood. The
    abnormal return on ``rel_day`` uses those ``a`` and ``b``; its standard deviation is
    the one-step-ahead conditional variance from the end of the estimation window,
    ``omega + alpha e_T^2 + beta sigma_T^2``.

    Returns
    -------
    pandas.DataFrame
        Index ``event_id``; columns ``ar``, ``sigma_garch`` (both decimals) and ``sar``
        (their ratio); NaN where the fit fails, with the reason in ``note``.
    """
    try:
        from arch import arch_model
    except ImportError:
        raise ConfigError(
            "GARCH-standardised returns need the arch package: pip install 'eventstudy[garch]'."
        ) from None
    ret, mkt, est = res.ret, res.market_ret, res.est_mask
    if rel_day not in ret.index:
        raise ConfigError(
            f"rel_day={rel_day} is outside the computed days {int(ret.index.min())}..{int(ret.index.max())}."
        )
    rows = []
    for eid in ret.columns:
        days = est[eid]
        y = ret.loc[days, eid].to_numpy(dtype="float64") * SCALE
        x = mkt.loc[days, eid].to_numpy(dtype="float64") * SCALE
        ok = np.isfinite(y) & np.isfinite(x)
        row: dict[str, object] = {"event_id": eid, "ar": np.nan, "sigma_garch": np.nan, "note": ""}
        if ok.sum() < GARCH_MIN_OBS:
            row["note"] = f"{int(ok.sum())} estimation returns; a GARCH fit needs at least {GARCH_MIN_OBS}"
            rows.append(row)
            continue
        model = arch_model(y[ok], x=x[ok, None], mean="LS", vol="GARCH", p=1, q=1, dist="normal", rescale=False)
        fit = model.fit(disp="off", show_warning=False)
        if fit.convergence_flag != 0:
            row["note"] = "the GARCH likelihood did not converge"
            rows.append(row)
            continue
        a, b = float(fit.params.iloc[0]), float(fit.params.iloc[1])
        # One step past the estimation window: h = omega + alpha e_T^2 + beta sigma_T^2.
        omega, alpha, beta = (float(fit.params[k]) for k in ("omega", "alpha[1]", "beta[1]"))
        h = omega + alpha * float(fit.resid[-1]) ** 2 + beta * float(fit.conditional_volatility[-1]) ** 2
        event_y, event_x = ret.loc[rel_day, eid] * SCALE, mkt.loc[rel_day, eid] * SCALE
        row["ar"] = (event_y - a - b * event_x) / SCALE
        row["sigma_garch"] = np.sqrt(h) / SCALE
        rows.append(row)
    out = pd.DataFrame(rows).set_index("event_id")
    out["sar"] = out["ar"] / out["sigma_garch"]
    return out[["ar", "sigma_garch", "sar", "note"]]


def savickas_test(sar: pd.Series | np.ndarray) -> TestStatistic | InvalidTestStatistic:
    """Savickas (2003): the cross-sectional t of GARCH-standardised abnormal returns, t(N - 1).

    Examples
    --------
    >>> round(savickas_test(np.array([-2.0, -1.0, -3.0])).statistic, 4)
    -3.4641
    """
    from scipy import stats

    x = np.asarray(sar, dtype="float64")
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return InvalidTestStatistic(f"needs at least two firm-events with a GARCH fit, has {len(x)}")
    sd = x.std(ddof=1)
    if sd == 0:
        return InvalidTestStatistic("the standardised returns do not vary")
    t = float(x.mean() / (sd / np.sqrt(len(x))))
    return TestStatistic(
        t, float(2 * stats.t.sf(abs(t), len(x) - 1)), f"t({len(x) - 1})", "mean GARCH-standardised AR = 0"
    )
