"""Option names as ``Literal`` aliases, checked at run time by the same alias."""

from __future__ import annotations

from typing import Literal, TypeVar, get_args

from eventstudy.errors import InvalidOptionError

ModelName = Literal["market", "market_adjusted", "constant_mean", "ff3", "ff5", "carhart", "custom"]
ReturnKind = Literal["simple", "log"]
NegativePrices = Literal["error", "abs", "missing"]
SourceName = Literal["bundled", "csv", "yahoo", "crsp"]
Measure = Literal["returns", "volume"]
ReturnsUnit = Literal["decimal", "percent"]
TestScope = Literal["all", "event"]
EstimationOverlap = Literal["keep", "skip"]

DEFAULT_MARKET = "^GSPC"
"""The market proxy of an event that names none (the S&P 500), in events files, study files and the API."""

T = TypeVar("T", bound=str)


def validate_literal(parameter: str, value: object, alias: object) -> str:
    """Return ``value`` if it is one of the strings allowed by ``alias``.

    Parameters
    ----------
    parameter
        Name of the parameter, used in the error message.
    value
        Value received.
    alias
        A ``Literal[...]`` type alias.

    Raises
    ------
    InvalidOptionError
        If ``value`` is not allowed; the message lists the valid values.
    """
    valid = get_args(alias)
    if value not in valid:
        raise InvalidOptionError(parameter, value, valid)
    return str(value)
