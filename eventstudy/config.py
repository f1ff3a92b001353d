"""What the user asked for: the study request shared by the API, the TOML file and the CLI.

A :class:`StudyConfig` records only what was given; a field left ``None`` means "the
convention profile decides". :func:`eventstudy.resolved.resolve` turns it into the one
fully explicit :class:`~eventstudy.resolved.ResolvedConfig` that the engine, the results
and ``summary.json`` use.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from eventstudy._options import (
    DEFAULT_MARKET,
    EstimationOverlap,
    Measure,
    ModelName,
    NegativePrices,
    ReturnKind,
    ReturnsUnit,
    SourceName,
    validate_literal,
)
from eventstudy.conventions import get_convention
from eventstudy.data.sources import csv_separator, not_utf8_text
from eventstudy.dates import parse_date, parse_date_column, times_of_day
from eventstudy.errors import (
    ConfigError,
    EventDateError,
    TimeOfDayWarning,
    UnreadColumnWarning,
    UnusedOptionWarning,
    near_names,
    renames,
    warn,
)
from eventstudy.windows import Window, check_windows, window_list


@dataclass(frozen=True)
class Event:
    """One firm-event: a ticker, a date and the market proxy it is measured against."""

    event_id: str
    ticker: str
    event_date: dt.date
    market: str
    group: str = ""  # optional label; many-firm tests are also run per group and groups compared

    def __post_init__(self) -> None:
        # A date given as text or a timestamp is read once here (ISO, or one unambiguous layout).
        if type(self.event_date) is not dt.date:
            object.__setattr__(self, "event_date", parse_date("event_date", self.event_date))

    def as_dict(self) -> dict[str, str]:
        """Return the event as strings (how files and ``summary.json`` hold it)."""
        out = {
            "event_id": self.event_id,
            "ticker": self.ticker,
            "event_date": str(self.event_date),
            "market": self.market,
        }
        if self.group:
            out["group"] = self.group
        return out


WindowLike = Window | str | tuple[int, int]


def event_tickers(events: Iterable[Event]) -> list[str]:
    """Firm tickers in event order, without repeats."""
    return list(dict.fromkeys(e.ticker for e in events))


def event_markets(events: Iterable[Event]) -> list[str]:
    """Market proxies used by the events, in event order, without repeats."""
    return list(dict.fromkeys(e.market for e in events))


@dataclass(frozen=True)
class StudyConfig:
    """A study as requested; ``None`` fields are filled from the convention profile.

    Build it with :meth:`from_toml`, :meth:`from_mapping` (a TOML layout),
    :meth:`from_dict` (the flat echo in ``summary.json``) or keyword arguments. Windows
    may be given as strings (``"-1:1"``). See :func:`eventstudy.resolved.resolve` for
    the defaults.
    """

    # what is studied
    name: str
    events: tuple[Event, ...]
    title: str = ""
    description: str = ""
    # where prices come from and how they are read
    source: str = "bundled"  # csv once prices are given
    prices: tuple[str, ...] = ()
    returns_data: str | None = None  # a file of returns instead of prices
    returns_unit: str = "decimal"
    calendar: str = "XNYS"
    date_format: str | None = None
    negative_prices: str | None = None
    shares: str | None = None  # share counts (ticker, as_of_date, shares) beside the bundled ones
    # how returns and normal returns are modelled
    measure: str = "returns"  # or "volume": abnormal log volume (Campbell and Wasley 1996)
    convention: str = "mackinlay"
    returns: str | None = None
    model: str = "market"
    factors: str | None = None
    factor_columns: tuple[str, ...] = ()
    estimation: Window | None = None
    event_window: Window = Window(-1, 1)
    car_windows: tuple[Window, ...] = ()
    min_estimation_obs: int | None = None
    # another event of the same firm inside the estimation window: "keep" its days (with a
    # warning) or "skip" them, so the fit sees only that firm's days outside its event windows
    estimation_overlap: str = "keep"
    # what happens to unusable data
    allow_jumps: bool = False
    allow_duplicates: bool = False
    strict: bool = False
    # report extras (not used by the engine)
    context_tickers: tuple[str, ...] = ()
    index_date: dt.date | None = None
    claims: str | None = None
    share_notes: tuple[tuple[str, str], ...] = ()  # ticker -> what its share count covers
    exposures: tuple[tuple[str, str], ...] = ()  # name -> ticker of a return series to measure betas to
    selected_on_outcome: bool = False  # the firms were chosen because they moved

    def __post_init__(self) -> None:
        # Inputs a user has: strings for windows, lists for tuples, one path for prices.
        set_ = object.__setattr__
        given: Any = self.prices
        set_(self, "events", tuple(self.events))
        set_(self, "prices", (str(given),) if isinstance(given, str | Path) else tuple(str(p) for p in given))
        if self.estimation is not None:
            set_(self, "estimation", Window.parse(self.estimation, "estimation"))
        set_(self, "event_window", Window.parse(self.event_window, "event_window"))
        cars: Any = self.car_windows
        if isinstance(cars, str):  # "0:5,0:10" as --car-windows takes it; a "[-1,1]" keeps its comma
            cars = window_list(cars)
        cars = [cars] if isinstance(cars, Window) else cars
        # a window named twice is one window: its tests are not repeated, nor its name in summary.json
        set_(self, "car_windows", tuple(dict.fromkeys(Window.parse(w, "car_windows") for w in cars)))
        columns: Any = self.factor_columns
        if isinstance(columns, str):
            columns = [c.strip() for c in columns.split(",") if c.strip()]
        set_(self, "factor_columns", tuple(str(c) for c in columns))
        context: Any = self.context_tickers
        set_(
            self, "context_tickers", (context,) if isinstance(context, str) else tuple(dict.fromkeys(map(str, context)))
        )
        for name, example in (("share_notes", 'GOOGL = "class A shares only"'), ("exposures", 'ai_chip = "SMH"')):
            given_map: Any = getattr(self, name)
            pairs = given_map.items() if isinstance(given_map, Mapping) else given_map
            try:
                set_(self, name, tuple(sorted((str(k), str(v)) for k, v in pairs)))
            except (TypeError, ValueError):
                raise ConfigError(f"{name}={given_map!r} must be a table of names, e.g. {{ {example} }}.") from None
        for name, _ticker in self.exposures:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ConfigError(f"exposures name {name!r} must be lower-case letters, digits and _, e.g. ai_chip.")
        if self.index_date is not None:
            set_(self, "index_date", parse_date("index_date", self.index_date, self.date_format))
        validate_literal("model", self.model, ModelName)
        validate_literal("source", self.source, SourceName)
        if self.prices and self.source == "bundled":  # bundled is the default only: given files are the source
            set_(self, "source", "csv")
        if self.shares is not None and not Path(self.shares).is_file():
            raise ConfigError(f"shares={self.shares!r}: no such file; give a CSV of ticker,as_of_date,shares.")
        validate_literal("measure", self.measure, Measure)
        validate_literal("returns_unit", self.returns_unit, ReturnsUnit)
        validate_literal("estimation_overlap", self.estimation_overlap, EstimationOverlap)
        if self.returns_unit != "decimal" and not self.returns_data:  # it would be ignored in silence
            raise ConfigError(
                f"returns_unit={self.returns_unit!r} (--returns-unit) reads a returns file; give returns_data "
                "(--returns-data), or leave returns_unit out for prices."
            )
        if self.returns_data and (self.prices or self.source in ("yahoo", "crsp")):
            raise ConfigError(
                f"returns_data replaces prices: give returns_data, or prices / source={self.source!r}, not both."
            )
        if self.measure == "volume" and self.model not in ("constant_mean", "market"):
            raise ConfigError(
                f"measure='volume' takes model='constant_mean' (mean-adjusted log volume) or 'market' (log volume on "
                f"the market's log volume), not model={self.model!r}."
            )
        get_convention(self.convention)
        if self.returns is not None:
            validate_literal("returns", self.returns, ReturnKind)
        if self.negative_prices is not None:
            validate_literal("negative_prices", self.negative_prices, NegativePrices)
        for flag in ("allow_jumps", "allow_duplicates", "strict", "selected_on_outcome"):
            if not isinstance(getattr(self, flag), bool | np.bool_):
                raise ConfigError(f"{flag}={getattr(self, flag)!r} must be true or false.")
        if self.model != "custom" and (self.factors or self.factor_columns):
            raise ConfigError(
                f"factors and factor_columns apply only to model='custom', not model={self.model!r}; "
                "drop them or use model='custom'."
            )
        if self.model == "custom" and not (self.factors and self.factor_columns):
            raise ConfigError(
                "model='custom' needs factors = \"FILE.csv\" (date + factor columns, decimals) and "
                "factor_columns = [...] ('market' for the event's market proxy)."
            )
        if self.source == "csv" and not self.prices:
            raise ConfigError("source='csv' needs prices (a folder of <TICKER>.csv files or a CSV file).")
        if not self.events:
            raise ConfigError("events: the study has no events; give at least one ticker and date.")
        # aggregate.csv calls the events pooled "all" and a pair of groups "A - B": a group's name may be neither
        for group in dict.fromkeys(e.group for e in self.events):
            if group == "all" or " - " in group:
                raise ConfigError(
                    f"group={group!r}: aggregate.csv names all events pooled 'all' and a pair of groups 'A - B', so a "
                    "group cannot be called 'all' or hold ' - '; rename it (e.g. 'power/utilities')."
                )
        ids = [e.event_id for e in self.events]
        if len(set(ids)) != len(ids):
            seen: set[str] = set()
            dup = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
            raise ConfigError(f"event_id={dup!r} appears more than once; event ids must be unique.")
        if not self.allow_duplicates:
            seen_events: dict[tuple[str, dt.date, str], str] = {}
            for e in self.events:
                key = (e.ticker, e.event_date, e.market)
                if key in seen_events:
                    raise ConfigError(
                        f"events {seen_events[key]!r} and {e.event_id!r} are the same firm-event ({e.ticker} on "
                        f"{e.event_date} against {e.market}); it would count twice in the tests across firms. Remove "
                        "one, or pass allow_duplicates (--allow-duplicates) to keep both."
                    )
                seen_events[key] = e.event_id
        if self.estimation is not None:
            check_windows(self.estimation, self.event_window)
            for w in self.car_windows:
                check_windows(self.estimation, w, "car_windows")
        if self.min_estimation_obs is not None:
            if isinstance(self.min_estimation_obs, bool) or not isinstance(self.min_estimation_obs, int | np.integer):
                raise ConfigError(f"min_estimation_obs={self.min_estimation_obs!r} must be a whole number, e.g. 120.")
            if self.min_estimation_obs < 3:
                raise ConfigError(
                    f"min_estimation_obs={self.min_estimation_obs} is too small; use at least 3 "
                    "(a regression with two parameters needs a residual)."
                )

    @property
    def tickers(self) -> list[str]:
        """Firm tickers in event order, without repeats."""
        return event_tickers(self.events)

    @property
    def markets(self) -> list[str]:
        """Market proxies used by the events, without repeats."""
        return event_markets(self.events)

    @property
    def input_files(self) -> tuple[Path, ...]:
        """Files and folders the study reads its data from (an output must never replace them)."""
        given = [*self.prices, self.returns_data, self.factors, self.shares]
        return tuple(Path(p) for p in given if p)

    def with_(self, **changes: Any) -> StudyConfig:
        """Return a copy with some fields changed (the config itself is frozen)."""
        return replace(self, **changes)

    def given(self) -> dict[str, Any]:
        """Return the fields that differ from their defaults (what the user chose)."""
        blank = {f.name: f.default for f in fields(StudyConfig) if f.name not in ("name", "events")}
        return {k: getattr(self, k) for k, d in blank.items() if getattr(self, k) != d}

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly echo of the configuration (read back by :meth:`from_dict`)."""
        return {f.name: _plain(getattr(self, f.name), f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "config") -> StudyConfig:
        """Build a request from the flat echo written by :meth:`to_dict` (``summary.json``'s ``config``).

        Raises
        ------
        ConfigError
            On an unknown key (the message lists the valid ones) or a bad value.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"{where} must be a mapping of configuration keys, got {type(data).__name__}.")
        valid = {f.name for f in fields(cls)}
        for key in data:
            if key not in valid:
                raise ConfigError(
                    f"unknown key {key!r} in {where}{_near(str(key), valid)}; valid keys: {', '.join(sorted(valid))}."
                )
        for key in ("name", "events"):
            if key not in data:
                raise ConfigError(f"{where} has no {key!r}; it is not a configuration written by eventstudy.")
        kwargs = dict(data)
        rows = kwargs["events"]
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            raise ConfigError(f"{where}: 'events' must be a list of tables with event_id, ticker, event_date, market.")
        # to_dict writes event dates as ISO dates; date_format is the input files' layout, not theirs
        kwargs["events"] = tuple(_event_from(r, None, None, where) for r in rows)
        for key in ("prices", "car_windows", "factor_columns", "context_tickers"):
            if key in kwargs and isinstance(kwargs[key], list):
                kwargs[key] = tuple(kwargs[key])
        return _build(cls, kwargs)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, base_dir: Path | None = None) -> StudyConfig:
        """Build a config from the nested mapping of a study TOML file.

        Raises
        ------
        ConfigError
            On an unknown section or key (the message lists the valid ones) or a bad value.
        """
        for key, value in data.items():
            if key not in _SECTIONS:
                raise ConfigError(
                    f"unknown section [{key}]{_hint(key, _SECTIONS)}; valid sections: {', '.join(_SECTIONS)}."
                )
            if not isinstance(value, Mapping):
                raise ConfigError(f"[{key}] must be a table of keys, got {value!r}.")
            for sub in value:
                if sub not in _SECTIONS[key]:
                    raise ConfigError(
                        f"unknown key {sub!r} in [{key}]{_hint(sub, _SECTIONS[key])}; valid keys: "
                        f"{', '.join(sorted(_SECTIONS[key]))}."
                    )
        study, model = dict(data.get("study", {})), dict(data.get("model", {}))
        dsec, report = dict(data.get("data", {})), dict(data.get("report", {}))
        if "name" not in study:
            raise ConfigError('[study] needs a name, e.g. name = "my-study".')
        if "model" in model and "name" in model:
            raise ConfigError("[model] has both name and model; keep one.")

        def path(value: object) -> str:
            p = Path(str(value))
            return str(base_dir / p if base_dir and not p.is_absolute() else p)

        date_format = dsec.get("date_format")
        kwargs: dict[str, Any] = {
            "name": str(study["name"]),
            "title": str(study.get("title", "")),
            "description": str(study.get("description", "")),
        }
        ways = [k for k in ("events", "events_file", "tickers") if k in study]
        if len(ways) > 1:  # one would be read and the others dropped in silence
            raise ConfigError(
                f"[study] gives {' and '.join(ways)}; give the events one way: tickers + event_date, "
                "[[study.events]], or events_file."
            )
        events_file = Path(str(study["events_file"])) if "events_file" in study else None
        if events_file is not None and base_dir is not None:
            events_file = base_dir / events_file
        given_market = str(study["market"]) if "market" in study else None
        market = given_market or DEFAULT_MARKET
        if events_file is not None:
            kwargs["events"], request = read_events_with_windows(
                events_file, market=given_market, date_format=date_format
            )
            if request is not None:  # as on the command line: the request file's windows, unless [model] gives others
                kwargs.update(estimation=request.estimation, event_window=request.event_window)
        else:
            kwargs["events"] = _events_from(study, market, date_format)
        if "model" in model or "name" in model:
            kwargs["model"] = str(model.get("name", model.get("model")))
        kwargs.update({k: v for k, v in model.items() if k not in ("name", "model", "factors")})
        if "factors" in model:
            kwargs["factors"] = path(model["factors"])
        kwargs.update({k: v for k, v in dsec.items() if k != "prices"})
        for key in ("returns_data", "shares"):  # files, like prices, are found beside the study file
            if key in dsec:
                kwargs[key] = path(dsec[key])
        if dsec.get("source") == "bundled" and "prices" in dsec:  # as --source bundled with --prices
            raise ConfigError(
                '[data] source = "bundled" reads the bundled snapshot, but prices are given too; drop one.'
            )
        if "prices" in dsec:
            given = dsec["prices"]
            kwargs["prices"] = tuple(path(p) for p in (given if isinstance(given, list) else [given]))
        kwargs.update(report)
        return _build(cls, kwargs)

    @classmethod
    def from_toml(cls, path: str | Path) -> StudyConfig:
        """Read a study TOML file (see ``data/studies/`` for examples)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ConfigError(f"{path}: study file not found; check the path.") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise ConfigError(f"{path}: not valid TOML ({reason}); fix the syntax.") from None
        return cls.from_mapping(data, base_dir=path.parent)


_SECTIONS: dict[str, set[str]] = {
    "study": {"name", "title", "description", "event_date", "tickers", "market", "events", "events_file"},
    "model": {
        "name",
        "model",
        "measure",
        "convention",
        "returns",
        "estimation",
        "event_window",
        "car_windows",
        "min_estimation_obs",
        "estimation_overlap",
        "factors",
        "factor_columns",
    },
    "data": {
        "source",
        "prices",
        "returns_data",
        "returns_unit",
        "calendar",
        "date_format",
        "negative_prices",
        "shares",
        "allow_jumps",
        "allow_duplicates",
        "strict",
    },
    "report": {"context_tickers", "index_date", "claims", "share_notes", "selected_on_outcome", "exposures"},
}


def _near(name: str, valid: Iterable[str]) -> str:
    """Say what a misspelt name was likely meant to be (or nothing)."""
    near = near_names(name, valid, n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _hint(name: str, valid: Iterable[str]) -> str:
    """Say where a study file's misplaced key belongs, or what a misspelt section or key was likely meant to be."""
    home = [section for section, keys in _SECTIONS.items() if name in keys]
    if home and name not in valid:
        return f" ({name} belongs in [{home[0]}])"
    return _near(name, valid)


def _plain(value: Any, key: str = "") -> Any:
    if isinstance(value, Window):
        return f"{value.start}:{value.end}"
    if isinstance(value, Event):
        return value.as_dict()
    if key in ("share_notes", "exposures"):
        return dict(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return str(value)
    return value


def _build(cls: type[StudyConfig], kwargs: dict[str, Any]) -> StudyConfig:
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError | EventDateError) or "=" in str(exc):
            raise
        raise ConfigError(str(exc)) from None


EVENT_KEYS = ("event_id", "ticker", "event_date", "market", "group")
"""The keys of one event in a study file's [[study.events]] table."""

ALIASES = {"symbol": "ticker", "permno": "ticker", "firm": "ticker", "index": "market", "benchmark": "market"}
"""Other tools' words for an events file's columns, named in the message when a column is missing."""


def _event_from(row: Mapping[str, Any], market: str | None, date_format: str | None, where: str) -> Event:
    unknown = [str(k) for k in row if k not in EVENT_KEYS]
    if unknown:  # a misspelt market would otherwise measure the firm against the default, unsaid
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} in an event{_hint(unknown[0], EVENT_KEYS)}; an event's keys are "
            f"{', '.join(EVENT_KEYS)}."
        )
    for key in ("ticker", "event_date"):
        if key not in row:
            raise ConfigError(f"{where}: an event has no {key!r}; each event needs ticker and event_date.")
    _warn_times([row["event_date"]])
    day = parse_date("event_date", row["event_date"], date_format)
    mkt = row.get("market", market)
    if not mkt:
        raise ConfigError(f'{where}: event of {row["ticker"]!r} has no market; add market = "^GSPC".')
    group = str(row.get("group", "")).strip()
    return Event(str(row.get("event_id", f"{row['ticker']}@{day}")), str(row["ticker"]), day, str(mkt), group)


def _events_from(study: Mapping[str, Any], market: str, date_format: str | None) -> tuple[Event, ...]:
    if "events" in study:
        rows = study["events"]
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            raise ConfigError(
                "[study] events must be a list of tables: [[study.events]] ticker = ..., event_date = ..."
            )
        return tuple(_event_from(r, market, date_format, "[study] events") for r in rows)
    if "tickers" not in study or "event_date" not in study:
        raise ConfigError("[study] needs either tickers + event_date, events, or events_file.")
    return events_for(study["tickers"], study["event_date"], market, date_format)


@dataclass(frozen=True)
class RequestFile:
    """Events and windows read from an EventStudyTools request file."""

    events: tuple[Event, ...]
    event_window: Window
    estimation: Window


def _events_text(path: Path) -> str:
    """Return the text of an events file, read once (a pipe, as in ``--events <(...)``, cannot be read twice)."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ConfigError(f"--events {path}: file not found; check the path.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        why, todo = not_utf8_text(data, exc)
        raise ConfigError(f"--events {path}: {why}; {todo}.") from None


def _is_request_text(text: str) -> bool:
    """Whether ``text`` opens as a header-less EventStudyTools request file (9 fields, ``;``)."""
    parts = text.split("\n", 1)[0].strip().split(";")
    return len(parts) == 9 and bool(re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", parts[3].strip()))


def read_request_file(path: str | Path) -> RequestFile:
    """Read an EventStudyTools request file.

    Each line is ``event id;firm id;market id;DD.MM.YYYY;group;window start;window end;
    estimation end;estimation length`` (the service's date layout is known, so nothing
    is guessed). All lines must share the windows.

    Raises
    ------
    ConfigError
        On a malformed line or windows that differ between lines.
    """
    path = Path(path)
    return _request_from(_events_text(path), path)


def _request_from(text: str, path: Path) -> RequestFile:
    events, specs = [], set()
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        try:
            day = dt.datetime.strptime(parts[3], "%d.%m.%Y").date()
            start, end, est_end, est_len = (int(v) for v in parts[5:9])
        except (ValueError, IndexError):
            raise ConfigError(
                f"--events {path} line {n}: expected 'id;firm;market;DD.MM.YYYY;group;start;end;"
                f"estimation end;estimation length', got {line!r}."
            ) from None
        events.append(Event(parts[0], parts[1], day, parts[2], parts[4]))
        specs.add((start, end, est_end, est_len))
    if not events:
        raise ConfigError(f"--events {path}: no events; add at least one line.")
    if len(specs) > 1:
        raise ConfigError(
            f"--events {path}: the lines use {len(specs)} different windows; split the file so each "
            "run has one event window and one estimation window."
        )
    start, end, est_end, est_len = specs.pop()
    return RequestFile(
        tuple(events),
        Window.parse(f"{start}:{end}", "event window"),
        Window.parse(f"{est_end - est_len + 1}:{est_end}", "estimation window"),
    )


def read_events(path: str | Path, *, market: str | None = None, date_format: str | None = None) -> tuple[Event, ...]:
    """Read the events of a study from a CSV file or an EventStudyTools request file.

    A CSV has columns ``event_id,ticker,event_date`` and optionally ``market`` and ``group``; dates are
    ISO, or one layout that cannot be misread, or ``date_format``.

    Parameters
    ----------
    path
        The events file.
    market
        Market proxy for rows without a ``market`` value (default :data:`DEFAULT_MARKET`).
    date_format
        ``strptime`` layout of the dates, for day/month-ambiguous files.

    Raises
    ------
    ConfigError
        If the file is missing, unreadable, lacks a column or has no rows.
    EventDateError
        If a date cannot be read or is ambiguous.
    """
    return read_events_with_windows(path, market=market, date_format=date_format)[0]


def read_events_with_windows(
    path: str | Path, *, market: str | None = None, date_format: str | None = None
) -> tuple[tuple[Event, ...], RequestFile | None]:
    """Read an events file as :func:`read_events` does, with the windows of a request file (else ``None``).

    The file is read once, so it may be a pipe.
    """
    path = Path(path)
    text = _events_text(path)
    if _is_request_text(text):
        request = _request_from(text, path)
        warn_unused_market(market, path)
        return request.events, request
    try:
        delimiter = csv_separator(text.split("\n", 1)[0])
        # strict: a quote left open is an error, not a field that runs to the end of the file
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        lines = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ConfigError(f"--events {path}: not a readable CSV ({str(exc).splitlines()[0]}).") from None
    lines = [(n, [cell.strip() for cell in row]) for n, row in lines if any(cell.strip() for cell in row)]
    if not lines:
        raise ConfigError(f"--events {path}: no header; the first line must be event_id,ticker,event_date.")
    header = [c.lower() for c in lines[0][1]]
    missing = [c for c in ("event_id", "ticker", "event_date") if c not in header]
    others = [c for c in header if c not in EVENT_KEYS]
    if missing:
        raise ConfigError(
            f"--events {path}: missing column(s) {', '.join(missing)}{renames(missing, others, ALIASES)}; the "
            "header must be "
            "event_id,ticker,event_date[,market][,group]."
        )
    for column in others:  # other columns (notes, names) are not read; one spelt like ours likely meant it
        meant = near_names(column, EVENT_KEYS, n=1)
        if meant and abs(len(column) - len(meant[0])) <= 2:  # a slip, not a name of its own such as market_cap
            warn(
                f"--events {path}: column {column!r} is not read (did you mean {meant[0]!r}?); its values are not used.",
                UnreadColumnWarning,
            )
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise ConfigError(f"--events {path}: column(s) {', '.join(repeated)} appear more than once; keep one of each.")
    rows = lines[1:]
    if not rows:
        raise ConfigError(f"--events {path}: no events; add at least one row.")
    for n, row in rows:
        if len(row) > len(header):
            raise ConfigError(
                f"--events {path} line {n}: {len(row)} fields under a header of {len(header)}; "
                "quote a value that holds a comma."
            )
    # A short row's missing cells are empty, so a missing ticker is reported as one.
    table = {c: [row[k] if k < len(row) else "" for _, row in rows] for k, c in enumerate(header)}
    numbers = [n for n, _ in rows]
    given = table.get("market", [""] * len(rows))
    if all(given):
        warn_unused_market(market, path)
    markets = [m or market or DEFAULT_MARKET for m in given]
    for col in ("event_id", "ticker"):
        if "" in table[col]:
            n = numbers[table[col].index("")]
            raise ConfigError(f"--events {path} line {n}: empty {col}; every row needs one.")
    days = _dates(table["event_date"], date_format)
    groups = table.get("group", [""] * len(rows))
    events = tuple(
        Event(i, t, d, m, g)
        for i, t, d, m, g in zip(table["event_id"], table["ticker"], days, markets, groups, strict=True)
    )
    return events, None


def warn_unused_market(market: str | None, path: Path) -> None:
    """Warn that a given ``market`` stands for no event: every row of ``path`` names its own market proxy."""
    if market:
        warn(
            f"market {market!r} is not used: every event in {path} names its own market; drop it, or leave the "
            "market column empty where it should apply.",
            UnusedOptionWarning,
        )


def _warn_times(values: Sequence[object]) -> None:
    """Warn that event dates given with a time of day count from that date's session, whatever the hour."""
    timed = times_of_day(values)
    if timed:
        shown = ", ".join(repr(t) for t in timed[:3]) + (f" and {len(timed) - 3} more" if len(timed) > 3 else "")
        warn(
            f"event_date {shown}: the time of day is not used; day 0 is the session of that date. An announcement "
            "after the close moves prices on the next session: give that session's date if so.",
            TimeOfDayWarning,
        )


def _dates(values: Iterable[str], date_format: str | None) -> list[dt.date]:
    # Each distinct date is read once: thousands of events share few dates.
    values = list(values)
    _warn_times(values)
    distinct = list(dict.fromkeys(values))
    parsed = dict(zip(distinct, parse_date_column("event_date", distinct, date_format), strict=True))
    return [parsed[v] for v in values]


def events_for(
    tickers: Sequence[str] | str, event_date: object, market: str, date_format: str | None = None
) -> tuple[Event, ...]:
    """Events of several tickers on one date, with ids ``TICKER@YYYY-MM-DD``."""
    if isinstance(tickers, str):
        tickers = [tickers]
    twice = [t for t, n in Counter(tickers).items() if n > 1]
    if twice:  # the ids would repeat; the list is where the slip is
        raise ConfigError(f"tickers names {twice[0]!r} more than once; name each firm once.")
    _warn_times([event_date])
    day = parse_date("event_date", event_date, date_format)
    return tuple(Event(f"{t}@{day}", str(t), day, market) for t in tickers)
