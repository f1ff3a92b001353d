"""The frozen study configuration shared by the library, the CLI and the report."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy._options import ModelName, ReturnKind, validate_literal
from eventstudy.conventions import get_convention
from eventstudy.errors import ConfigError, EventDateError
from eventstudy.windows import Window, check_windows

SourceName = str  # "bundled", "csv" or "yahoo"
_SOURCES = ("bundled", "csv", "yahoo")


@dataclass(frozen=True)
class Event:
    """One firm-event: a ticker, a date and the market proxy it is measured against."""

    event_id: str
    ticker: str
    event_date: dt.date
    market: str


@dataclass(frozen=True)
class StudyConfig:
    """Everything needed to reproduce a study; printed in every report.

    Build it with :meth:`from_toml`, :meth:`from_mapping` or the keyword arguments.
    """

    # what is studied
    name: str
    events: tuple[Event, ...]
    title: str = ""
    # where prices come from
    source: SourceName = "bundled"
    prices: str | None = None
    calendar: str = "XNYS"
    # how returns and normal returns are modelled
    returns: str = "simple"
    model: str = "market"
    estimation: Window = Window(-250, -11)
    event_window: Window = Window(-1, 1)
    car_windows: tuple[Window, ...] = (Window(-1, 1), Window(0, 5))
    min_estimation_obs: int = 120
    convention: str = "mackinlay"
    factors: str | None = None
    factor_columns: tuple[str, ...] = ()
    # report extras (ignored by the engine)
    context_tickers: tuple[str, ...] = ()
    index_date: dt.date | None = None
    claims: str | None = None
    description: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_literal("model", self.model, ModelName)
        validate_literal("returns", self.returns, ReturnKind)
        get_convention(self.convention)
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
        if self.source not in _SOURCES:
            raise ConfigError(f"source={self.source!r} is not valid; choose one of: {', '.join(_SOURCES)}.")
        if not self.events:
            raise ConfigError("events: the study has no events; give at least one ticker and date.")
        ids = [e.event_id for e in self.events]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise ConfigError(f"event_id={dup!r} appears more than once; event ids must be unique.")
        check_windows(self.estimation, self.event_window)
        if self.min_estimation_obs < 3:
            raise ConfigError(
                f"min_estimation_obs={self.min_estimation_obs} is too small; use at least 3 "
                "(a regression with two parameters needs a residual)."
            )
        if self.min_estimation_obs > self.estimation.length:
            raise ConfigError(
                f"min_estimation_obs={self.min_estimation_obs} exceeds the estimation window "
                f"length {self.estimation.length}; lower it or widen the window."
            )

    @property
    def tickers(self) -> list[str]:
        """Firm tickers in event order, without repeats."""
        return list(dict.fromkeys(e.ticker for e in self.events))

    @property
    def markets(self) -> list[str]:
        """Market proxies used by the events, without repeats."""
        return list(dict.fromkeys(e.market for e in self.events))

    def with_(self, **changes: Any) -> StudyConfig:
        """Return a copy with some fields changed (the config itself is frozen)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly echo of the configuration."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "events":
                value = [
                    {"event_id": e.event_id, "ticker": e.ticker, "event_date": str(e.event_date), "market": e.market}
                    for e in value
                ]
            elif isinstance(value, Window):
                value = f"{value.start}:{value.end}"
            elif isinstance(value, tuple):
                value = [f"{v.start}:{v.end}" if isinstance(v, Window) else v for v in value]
            elif isinstance(value, dt.date):
                value = str(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, base_dir: Path | None = None) -> StudyConfig:
        """Build a config from the nested mapping of a study TOML file.

        Raises
        ------
        ConfigError
            On an unknown section or key (the message lists the valid ones) or a bad value.
        """
        sections = {"study": _STUDY_KEYS, "model": _MODEL_KEYS, "data": _DATA_KEYS, "report": _REPORT_KEYS}
        for key, value in data.items():
            if key not in sections:
                raise ConfigError(f"unknown section [{key}]; valid sections: {', '.join(sections)}.")
            if not isinstance(value, Mapping):
                raise ConfigError(f"[{key}] must be a table of keys, got {value!r}.")
            for sub in value:
                if sub not in sections[key]:
                    raise ConfigError(
                        f"unknown key {sub!r} in [{key}]; valid keys: {', '.join(sorted(sections[key]))}."
                    )
        study, model = dict(data.get("study", {})), dict(data.get("model", {}))
        dsec, report = dict(data.get("data", {})), dict(data.get("report", {}))
        if "name" not in study:
            raise ConfigError('[study] needs a name, e.g. name = "my-study".')
        market = str(study.get("market", "^GSPC"))
        events = _events_from(study, market, base_dir)
        kwargs: dict[str, Any] = {
            "name": str(study["name"]),
            "title": str(study.get("title", "")),
            "description": str(study.get("description", "")),
            "events": events,
        }
        if "model" in model or "name" in model:
            kwargs["model"] = str(model.get("name", model.get("model")))
        if "convention" in model:
            kwargs["convention"] = str(model["convention"])
            kwargs["returns"] = get_convention(kwargs["convention"]).returns
        for key in ("returns",):
            if key in model:
                kwargs[key] = str(model[key])
        if "estimation" in model:
            kwargs["estimation"] = Window.parse(model["estimation"], "estimation")
        if "event_window" in model:
            kwargs["event_window"] = Window.parse(model["event_window"], "event_window")
        if "car_windows" in model:
            kwargs["car_windows"] = tuple(Window.parse(w, "car_windows") for w in model["car_windows"])
        if "factors" in model:
            path = Path(str(model["factors"]))
            kwargs["factors"] = str(base_dir / path if base_dir and not path.is_absolute() else path)
        if "factor_columns" in model:
            kwargs["factor_columns"] = tuple(str(c) for c in model["factor_columns"])
        if "min_estimation_obs" in model:
            kwargs["min_estimation_obs"] = int(model["min_estimation_obs"])
        if "source" in dsec:
            kwargs["source"] = str(dsec["source"])
        if "prices" in dsec:
            path = Path(str(dsec["prices"]))
            kwargs["prices"] = str(base_dir / path if base_dir and not path.is_absolute() else path)
        if "calendar" in dsec:
            kwargs["calendar"] = str(dsec["calendar"])
        if "context_tickers" in report:
            kwargs["context_tickers"] = tuple(str(t) for t in report["context_tickers"])
        if "index_date" in report:
            kwargs["index_date"] = parse_date("index_date", report["index_date"])
        if "claims" in report:
            kwargs["claims"] = str(report["claims"])
        kwargs["extra"] = {k: v for k, v in report.items() if k not in ("context_tickers", "index_date", "claims")}
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ConfigError | EventDateError) or "=" in str(exc):
                raise
            raise ConfigError(str(exc)) from None

    @classmethod
    def from_toml(cls, path: str | Path) -> StudyConfig:
        """Read a study TOML file (see ``data/studies/`` for examples)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: study file not found; check the path.") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax.") from None
        return cls.from_mapping(data, base_dir=path.parent)


_STUDY_KEYS = {"name", "title", "description", "event_date", "tickers", "market", "events", "events_file"}
_MODEL_KEYS = {
    "name",
    "model",
    "convention",
    "returns",
    "estimation",
    "event_window",
    "car_windows",
    "min_estimation_obs",
}
_DATA_KEYS = {"source", "prices", "calendar"}
_REPORT_KEYS = {"context_tickers", "index_date", "claims", "proxies", "robustness_models", "sector_map", "shares"}


def parse_date(parameter: str, value: object) -> dt.date:
    """Return ``value`` as a date, or raise :class:`EventDateError` naming ``parameter``.

    Examples
    --------
    >>> parse_date("event_date", "2025-01-27")
    datetime.date(2025, 1, 27)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day = pd.Timestamp(str(value)).date()
    except (ValueError, TypeError, OverflowError, NotImplementedError):
        raise EventDateError(parameter, value, "is not a date", "write it as YYYY-MM-DD") from None
    if not 1800 <= day.year <= 2200:
        raise EventDateError(parameter, value, "is not a plausible date", "write it as YYYY-MM-DD")
    return day


def _events_from(study: Mapping[str, Any], market: str, base_dir: Path | None) -> tuple[Event, ...]:
    if "events" in study:
        rows: Sequence[Mapping[str, Any]] = study["events"]
        return tuple(
            Event(
                event_id=str(r.get("event_id", f"{r['ticker']}@{r['event_date']}")),
                ticker=str(r["ticker"]),
                event_date=parse_date("event_date", r["event_date"]),
                market=str(r.get("market", market)),
            )
            for r in rows
        )
    if "events_file" in study:
        path = Path(str(study["events_file"]))
        return read_events_csv(base_dir / path if base_dir else path, market)
    if "tickers" not in study or "event_date" not in study:
        raise ConfigError("[study] needs either tickers + event_date, events, or events_file.")
    day = parse_date("event_date", study["event_date"])
    return tuple(Event(f"{t}@{day}", str(t), day, market) for t in study["tickers"])


@dataclass(frozen=True)
class RequestFile:
    """Events and windows read from an EventStudyTools request file."""

    events: tuple[Event, ...]
    event_window: Window
    estimation: Window


def is_request_file(path: str | Path) -> bool:
    """Whether ``path`` is a header-less EventStudyTools request file (9 fields, ``;``)."""
    try:
        with Path(path).open(encoding="utf-8-sig") as fh:
            first = fh.readline().strip()
    except (OSError, UnicodeDecodeError):
        return False
    parts = first.split(";")
    return len(parts) == 9 and bool(re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", parts[3].strip()))


def read_request_file(path: str | Path) -> RequestFile:
    """Read an EventStudyTools request file.

    Each line is ``event id;firm id;market id;DD.MM.YYYY;group;window start;window end;
    estimation end;estimation length``. All lines must share the windows.

    Raises
    ------
    ConfigError
        On a malformed line or windows that differ between lines.
    """
    path = Path(path)
    events, specs = [], set()
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
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
        events.append(Event(parts[0], parts[1], day, parts[2]))
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


def read_events_csv(path: str | Path, market: str | None) -> tuple[Event, ...]:
    """Read an events CSV with columns ``event_id,ticker,event_date`` (optional ``market``).

    Raises
    ------
    ConfigError
        If the file is missing, unreadable, lacks a column or has no rows, or a row has
        no market and none is given.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ConfigError(f"--events {path}: file not found; check the path.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--events {path}: not a readable CSV ({str(exc).splitlines()[0]}).") from None
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = [c for c in ("event_id", "ticker", "event_date") if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"--events {path}: missing column(s) {', '.join(missing)}; the header must be "
            "event_id,ticker,event_date[,market]."
        )
    if frame.empty:
        raise ConfigError(f"--events {path}: no events; add at least one row.")
    events = []
    for i, row in frame.iterrows():
        mkt = str(row.get("market", "")).strip() or market
        if not mkt:
            raise ConfigError(
                f"--events {path} row {int(str(i)) + 2}: no market; add a market column or pass --market."
            )
        events.append(
            Event(
                str(row["event_id"]).strip(),
                str(row["ticker"]).strip(),
                parse_date("event_date", str(row["event_date"]).strip()),
                mkt,
            )
        )
    return tuple(events)
