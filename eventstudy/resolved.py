"""One study, one answer: the request resolved once into a fully explicit configuration.

Every default that depends on the convention profile (return kind, estimation window,
minimum estimation length, negative-price reading) and every other default is filled
here and nowhere else, so the CLI, a TOML file, :func:`~eventstudy.study.event_study`
and ``with_convention`` give the same study the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from eventstudy.config import Event, StudyConfig, event_markets, event_tickers
from eventstudy.conventions import Convention, ExchangeSessions, get_convention
from eventstudy.errors import ConfigError
from eventstudy.windows import Window, check_windows


@dataclass(frozen=True)
class ResolvedConfig:
    """Every choice of a study, explicit: what :class:`StudyConfig` asked plus the profile's defaults.

    The fields are those of :class:`~eventstudy.config.StudyConfig` with nothing left to
    decide. ``to_dict()`` is what ``summary.json`` records; reading it back with
    ``StudyConfig.from_dict`` and resolving again gives the same configuration.
    """

    name: str
    events: tuple[Event, ...]
    title: str
    description: str
    source: str
    prices: tuple[str, ...]
    returns_data: str | None
    returns_unit: str
    calendar: str
    date_format: str | None
    negative_prices: str
    shares: str | None
    convention: str
    measure: str
    returns: str
    model: str
    factors: str | None
    factor_columns: tuple[str, ...]
    estimation: Window
    event_window: Window
    car_windows: tuple[Window, ...]
    min_estimation_obs: int
    estimation_overlap: str
    allow_jumps: bool
    allow_duplicates: bool
    strict: bool
    context_tickers: tuple[str, ...]
    index_date: dt.date | None
    claims: str | None
    share_notes: tuple[tuple[str, str], ...]
    exposures: tuple[tuple[str, str], ...]
    selected_on_outcome: bool

    @property
    def profile(self) -> Convention:
        """The convention profile object."""
        return get_convention(self.convention)

    @property
    def tickers(self) -> list[str]:
        """Firm tickers in event order, without repeats."""
        return event_tickers(self.events)

    @property
    def markets(self) -> list[str]:
        """Market proxies used by the events, without repeats."""
        return event_markets(self.events)

    @property
    def windows(self) -> tuple[Window, ...]:
        """The event window, then each CAR window not equal to it."""
        return tuple(dict.fromkeys([self.event_window, *self.car_windows]))

    @property
    def input_files(self) -> tuple[Path, ...]:
        """Files and folders the study reads its data from (an output must never replace them)."""
        return self.to_request().input_files

    def with_(self, **changes: Any) -> StudyConfig:
        """Return a request for this study with some choices changed (resolve it, or pass it to ``EventStudy``)."""
        return self.to_request().with_(**changes)

    def to_request(self) -> StudyConfig:
        """Return the explicit request that resolves to this configuration."""
        return StudyConfig(**{f.name: getattr(self, f.name) for f in fields(self)})

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly echo (the ``config`` of ``summary.json``)."""
        return self.to_request().to_dict()


MAX_SPAN = 10_000
"""Most sessions the windows may span together: more than any daily price history."""


def resolve(request: StudyConfig | ResolvedConfig) -> ResolvedConfig:
    """Fill every default of ``request`` once, from its convention profile.

    Defaults: returns, estimation window and negative-price reading from the profile;
    CAR windows: the event window; minimum estimation returns: half the estimation
    window (at least 3).

    Raises
    ------
    ConfigError
        If the explicit choices contradict each other (a minimum longer than the window).

    Examples
    --------
    >>> from eventstudy.config import StudyConfig, events_for
    >>> cfg = resolve(StudyConfig("s", events_for("NVDA", "2025-01-27", "^GSPC"), convention="eventstudytools"))
    >>> str(cfg.estimation), cfg.returns, cfg.min_estimation_obs
    ('[-260,-11]', 'log', 3)
    """
    if isinstance(request, ResolvedConfig):
        return request
    conv = get_convention(request.convention)
    default_calendar = next(f.default for f in fields(StudyConfig) if f.name == "calendar")
    if request.calendar != default_calendar and not isinstance(conv.days, ExchangeSessions):
        # the profile counts days its own way: a calendar asked for would not count them, in silence
        raise ConfigError(
            f"calendar={request.calendar!r}: the {conv.name} convention counts days its own way "
            f"({conv.days.describe()}), so a calendar would only move event dates that are not its sessions, "
            "not count the days; leave calendar out, or choose convention='mackinlay' or 'estudy2', which count "
            "the calendar's sessions."
        )
    estimation = request.estimation or Window.parse(conv.estimation, "estimation")
    check_windows(estimation, request.event_window)
    car_windows = request.car_windows or (request.event_window,)
    for w in car_windows:
        check_windows(estimation, w, "car_windows")
    span = max(w.end for w in (request.event_window, *car_windows)) - estimation.start + 1
    if span > MAX_SPAN:
        raise ConfigError(
            f"the estimation and event windows span {span:,} sessions, more than {MAX_SPAN:,} (about 40 years of "
            "trading); shorten the estimation window."
        )
    min_obs = next(
        m
        for m in (
            request.min_estimation_obs,
            conv.min_estimation_obs,
            max(3, -(-estimation.length // 2)),
        )  # at least half
        if m is not None
    )
    if min_obs > estimation.length:
        raise ConfigError(
            f"min_estimation_obs={min_obs} exceeds the estimation window length {estimation.length}; "
            "lower it or widen the window."
        )
    values = {f.name: getattr(request, f.name) for f in fields(StudyConfig)}
    values.update(
        returns=request.returns or conv.returns,
        estimation=estimation,
        car_windows=car_windows,
        min_estimation_obs=int(min_obs),
        negative_prices=request.negative_prices or conv.negative_prices,
        allow_jumps=bool(request.allow_jumps),
        allow_duplicates=bool(request.allow_duplicates),
        strict=bool(request.strict),
    )
    return ResolvedConfig(**values)
