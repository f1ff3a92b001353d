"""Models of normal returns, as a registry of small frozen specifications.

A model says which series explain a firm's return (its regressors), whether an
intercept is fitted, and whether returns are measured in excess of the risk-free rate.
The fitting itself is one closed-form OLS over all firm-events at once
(:func:`eventstudy.abnormal.fit_stack`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eventstudy._options import ModelName, validate_literal
from eventstudy.errors import ConfigError

MARKET = "__market__"
"""Placeholder regressor: the event's own market proxy."""


@dataclass(frozen=True)
class ReturnModel:
    """Specification of a normal-return model.

    Attributes
    ----------
    name
        Registry name.
    regressors
        Series used as regressors: :data:`MARKET` for the event's market proxy, or
        factor names (``mkt_rf``, ``smb``, ``hml``, ``rmw``, ``cma``, ``mom``).
    intercept
        Whether an intercept is estimated. A model with neither intercept nor
        regressors fits nothing (the market-adjusted model).
    offset_market
        Subtract the market return before anything else (market-adjusted model).
    excess
        Measure the firm return in excess of the risk-free rate ``rf``.
    description
        One line for reports.
    """

    name: str
    regressors: tuple[str, ...]
    intercept: bool = True
    offset_market: bool = False
    excess: bool = False
    description: str = ""

    @property
    def uses_factors(self) -> bool:
        """Whether the model needs factor series (bundled Fama-French or user-supplied)."""
        return self.excess or any(r != MARKET for r in self.regressors)

    @property
    def n_params(self) -> int:
        """Number of estimated mean parameters (intercept plus slopes)."""
        return int(self.intercept) + len(self.regressors)

    @property
    def estimates_mean(self) -> bool:
        """Whether the estimation window fits a normal return (the market-adjusted model fits only sigma)."""
        return self.n_params > 0


MODELS: dict[str, ReturnModel] = {
    "market": ReturnModel("market", (MARKET,), description="market model: R_i = alpha + beta R_m + e (OLS)"),
    "market_adjusted": ReturnModel(
        "market_adjusted",
        (),
        intercept=False,
        offset_market=True,
        description="market-adjusted: AR = R_i - R_m (the market return is the normal return)",
    ),
    "constant_mean": ReturnModel(
        "constant_mean", (), description="constant mean: AR = R_i - mean estimation-window R_i"
    ),
    "ff3": ReturnModel(
        "ff3",
        ("mkt_rf", "smb", "hml"),
        excess=True,
        description="Fama-French 3-factor: R_i - RF on Mkt-RF, SMB, HML (OLS)",
    ),
    "carhart": ReturnModel(
        "carhart",
        ("mkt_rf", "smb", "hml", "mom"),
        excess=True,
        description="Carhart 4-factor: R_i - RF on Mkt-RF, SMB, HML, MOM (OLS)",
    ),
    "ff5": ReturnModel(
        "ff5",
        ("mkt_rf", "smb", "hml", "rmw", "cma"),
        excess=True,
        description="Fama-French 5-factor: R_i - RF on Mkt-RF, SMB, HML, RMW, CMA (OLS)",
    ),
}


def factor_model(columns: Sequence[str], *, excess: bool = False) -> ReturnModel:
    """Build a model on user-supplied factor columns (``market``: the event's market proxy).

    Examples
    --------
    >>> factor_model(["market", "oil"]).regressors == (MARKET, "oil")
    True
    """
    if not columns:
        raise ConfigError("factor_columns is empty; name at least one column of the factor file (or 'market').")
    regressors = tuple(MARKET if c == "market" else str(c) for c in columns)
    shown = ", ".join(columns)
    return ReturnModel(
        "custom",
        regressors,
        excess=excess,
        description=f"user factor model: R_i{' - RF' if excess else ''} on {shown} (OLS)",
    )


def get_model(name: str | ReturnModel) -> ReturnModel:
    """Return the model registered as ``name`` (or ``name`` itself if already a model)."""
    if isinstance(name, ReturnModel):
        return name
    validate_literal("model", name, ModelName)
    if name == "custom":
        raise ConfigError("model='custom' needs factor columns; build it with factor_model(columns).")
    return MODELS[name]
