"""Every exception and warning the package raises, with messages that say what to do.

Each message names the parameter, the value received, why it is invalid and what to do
about it. Exceptions subclass the builtin a caller would naturally catch (``ValueError``,
``KeyError``, ``RuntimeError``) and :class:`EventStudyError`, so the CLI can turn any of
them into one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path


class EventStudyError(Exception):
    """Base class of every error raised for bad input or unusable data."""


class InvalidOptionError(EventStudyError, ValueError):
    """An option is not one of the allowed values."""

    def __init__(self, parameter: str, value: object, valid: Iterable[str]) -> None:
        options = ", ".join(sorted(valid))
        super().__init__(f"{parameter}={value!r} is not valid; choose one of: {options}.")


class InvalidParameterError(EventStudyError, ValueError):
    """A parameter has a value of the right type but an impossible meaning."""

    def __init__(self, parameter: str, value: object, why: str, todo: str) -> None:
        super().__init__(f"{parameter}={value!r} {why}; {todo}.")


class WindowError(InvalidParameterError):
    """A window is reversed, empty, or overlaps another one."""


def near_names(word: str, names: Iterable[str], n: int = 3) -> list[str]:
    """Return the names ``word`` was most likely meant to be: one differing only in case, else the closest.

    Examples
    --------
    >>> near_names("nvda", ["NVDA", "AMD"]), near_names("modle", ["model", "market"], n=1)
    (['NVDA'], ['model'])
    """
    import difflib  # only when a name is missing

    names = sorted(names)
    return [m for m in names if m.upper() == word.upper()] or difflib.get_close_matches(word, names, n=n)


def renames(missing: Iterable[str], present: Iterable[str], aliases: Mapping[str, str] | None = None) -> str:
    """Say which present columns were likely meant for the missing ones: " (rename date to event_date)", or "".

    A column is taken for a missing one when it is spelt like it, is a part of its name
    (``date`` for ``as_of_date``), or is another tool's word for it (``aliases``).

    Examples
    --------
    >>> renames(["event_date", "ticker"], ["date", "symbol", "note"], {"symbol": "ticker"})
    ' (rename date to event_date, symbol to ticker)'
    """
    others, words = list(present), dict(aliases or {})
    pairs = []
    for name in missing:
        meant = near_names(name, others, n=1) or [c for c in others if c in name.split("_") or words.get(c) == name]
        if meant:
            pairs.append(f"{meant[0]} to {name}")
    return f" (rename {', '.join(pairs)})" if pairs else ""


INDEX_ALIASES = {"SPX": "^GSPC", "SP500": "^GSPC", "NDX": "^NDX", "COMP": "^IXIC", "INDU": "^DJI"}
"""Names other platforms give the indices that Yahoo Finance (and so the bundled data) calls by these symbols."""


def near_tickers(ticker: str, names: Iterable[str]) -> list[str]:
    """Return the tickers ``ticker`` was most likely meant to be.

    One that differs only in case, a leading ``^`` or ``.`` for ``-`` first, then an index's
    name elsewhere (``SPX`` for ``^GSPC``), then the closest spellings.

    Examples
    --------
    >>> near_tickers("gspc", ["^GSPC", "GS"]), near_tickers("SPX", ["^GSPC", "SPY"]), near_tickers("BRK.B", ["BRK-B"])
    (['^GSPC'], ['^GSPC'], ['BRK-B'])
    """
    names = sorted(names)

    def key(name: str) -> str:
        return name.upper().lstrip("^").replace(".", "-")

    same = [m for m in names if key(m) == key(ticker)]
    alias = INDEX_ALIASES.get(key(ticker))
    return same or ([alias] if alias in names else []) or near_names(ticker, names)


class UnknownTickerError(EventStudyError, KeyError):
    """A ticker is not in the price data."""

    def __init__(self, ticker: str, source: str, available: Iterable[str]) -> None:
        self.ticker = ticker
        names = sorted(available)
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        near = near_tickers(ticker, names)
        hint = f" Did you mean {' or '.join(repr(n) for n in near)}? Tickers are matched exactly." if near else ""
        self.message = (
            f"ticker={ticker!r} is not in {source}; available: {shown}.{hint} "
            "Check the spelling, or give prices that hold it (--prices for run, prices = [...] in a study file's "
            "[data] section, prices= in the API)."
        )
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.message


class EventDateError(InvalidParameterError):
    """An event date cannot be placed on the trading calendar of the data."""


class FutureEventDateError(EventDateError):
    """An event date lies after today: no prices exist for it yet."""


class InsufficientEstimationDataError(EventStudyError, ValueError):
    """Too few estimation-window returns to fit the model."""

    def __init__(
        self,
        event_id: str,
        ticker: str,
        n_obs: int,
        minimum: int,
        requested: int,
        data: str = "",
        after: bool = False,
    ) -> None:
        # where the series' returns are (``data``) says why; returns that begin after the event
        # leave no estimation window to choose
        advice = (
            "no estimation window before the event can hold them; leave this event out"
            if after
            else "use a shorter or earlier estimation window or lower min_estimation_obs"
        )
        super().__init__(
            f"event {event_id!r} ({ticker}): estimation window has {n_obs} usable returns of "
            f"{requested} requested{f' ({data}, after the event)' if after else f' ({data})' if data else ''}, "
            f"below the minimum of {minimum}; {advice}."
        )


class DegenerateRegressorsError(EventStudyError, ValueError):
    """The regressors of a firm-event are constant or collinear over its estimation window."""

    def __init__(self, event_id: str, ticker: str, market: str) -> None:
        super().__init__(
            f"event {event_id!r} ({ticker} against {market}): over the estimation window a regressor is constant or "
            "moves exactly with another, so the model cannot be fitted; check the market proxy and factor columns, "
            "or drop --strict to leave the firm-event out."
        )


class SplitJumpError(EventStudyError, ValueError):
    """A price jump looks like a stock split missing from the adjusted closes."""

    def __init__(self, event_id: str, description: str) -> None:
        super().__init__(
            f"event {event_id!r}: {description}; use split-adjusted closes (adj_close), or pass "
            "--allow-jumps (allow_jumps=True) if the move is real."
        )


class NoUsableEventsError(EventStudyError, ValueError):
    """Every firm-event of a study was left out."""


class DataSourceError(EventStudyError, RuntimeError):
    """A data source could not deliver what was asked (network, file, format)."""


class DataFormatError(DataSourceError):
    """A file exists but its content cannot be used."""

    def __init__(self, path: Path | str, why: str, todo: str) -> None:
        super().__init__(f"{path}: {why}; {todo}.")


class FactorFrequencyError(DataFormatError):
    """Factors and prices are of different frequencies (daily factors for monthly prices, say)."""

    def __init__(self, path: Path | str, why: str, todo: str) -> None:
        super().__init__(path, why, todo)
        self.why = why


class BadPriceError(DataFormatError):
    """A price is zero, negative or not a number."""


class DuplicateDateError(DataFormatError):
    """A price file has the same date twice."""


class ManifestMismatchError(DataSourceError):
    """A bundled data file does not match its recorded checksum."""


class OutputPathError(EventStudyError, ValueError):
    """An output folder cannot be created where it was asked for."""


class ConfigError(EventStudyError, ValueError):
    """A study configuration file or mapping is invalid."""


class EventStudyWarning(UserWarning):
    """Base class of the package's warnings."""


class EventDateMovedWarning(EventStudyWarning):
    """An event date was not a session and was moved to the next session."""


class UnreadColumnWarning(EventStudyWarning):
    """A column of an input file is not read, and its name is near one that would be."""


class UnusedOptionWarning(EventStudyWarning):
    """An option was given that no event uses (every event names its own value)."""


class TimeOfDayWarning(EventStudyWarning):
    """An event date was given with a time of day, which the study does not use: day 0 is that date's session."""


class ShortEstimationWindowWarning(EventStudyWarning):
    """Fewer estimation returns than requested were available."""


class MissingReturnsWarning(EventStudyWarning):
    """Returns are missing inside an event window."""


class EventWindowRelabelledWarning(EventStudyWarning):
    """Missing days inside an event window were dropped and the rest labelled in order (the service's way)."""


class EstimationOverlapWarning(EventStudyWarning):
    """Another event of the same firm lies in a firm-event's estimation window."""


class SharedEventWindowWarning(EventStudyWarning):
    """Two events of the same firm have event windows that share sessions (their CARs share abnormal returns)."""


class OffCalendarPricesWarning(EventStudyWarning):
    """Prices fall on dates that are not sessions of the study's calendar: they are not used."""


class UngroupedEventWarning(EventStudyWarning):
    """A firm-event has no group while others have one (it counts in the pooled rows only), or all share one group."""


class EventExcludedWarning(EventStudyWarning):
    """A firm-event was left out of a batch; the reason is recorded in its status."""


class SplitJumpWarning(EventStudyWarning):
    """A firm-event was left out because its prices jump like an unadjusted split."""


class ShareCountJumpWarning(EventStudyWarning):
    """A firm's share counts jump as a split would: they may not share the closes' split basis."""


class PartialDataWarning(EventStudyWarning):
    """A download covers only part of the requested dates."""


class OfflineWarning(EventStudyWarning):
    """The network could not be used and a local copy was used instead."""


def find_stack_level() -> int:
    """Return the stack level of the first frame outside this package.

    Warnings then point at the user's line, not at the package internals.
    """
    pkg_dir = str(Path(__file__).parent)  # this module sits at the package's top
    frame = inspect.currentframe()
    level = 0
    while frame is not None:
        if not frame.f_code.co_filename.startswith(pkg_dir):
            break
        frame = frame.f_back
        level += 1
    return max(level, 1)


def warn(message: str, category: type[Warning]) -> None:
    """Issue ``message`` as ``category`` pointing at user code."""
    warnings.warn(message, category, stacklevel=find_stack_level())
