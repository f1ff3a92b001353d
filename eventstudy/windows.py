"""Estimation and event windows in relative sessions, both ends inclusive."""

from __future__ import annotations

import re
from dataclasses import dataclass

from eventstudy.errors import WindowError

_WINDOW = re.compile(r"^\s*\[?\s*([+-]?\d+)\s*[:,]\s*([+-]?\d+)\s*\]?\s*$")


@dataclass(frozen=True, order=True)
class Window:
    """A closed interval of relative days ``[start, end]``.

    Examples
    --------
    >>> Window(-250, -11).length
    240
    >>> str(Window.parse("-1:1"))
    '[-1,+1]'
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise WindowError(
                "window",
                f"{self.start}:{self.end}",
                "is reversed (end before start)",
                f"write it as {self.end}:{self.start}",
            )

    @property
    def length(self) -> int:
        """Number of relative days in the window."""
        return self.end - self.start + 1

    @property
    def label(self) -> str:
        """A column-safe label such as ``m1_p1``."""

        def part(v: int) -> str:
            return f"m{-v}" if v < 0 else f"p{v}"

        return f"{part(self.start)}_{part(self.end)}"

    def __str__(self) -> str:
        return f"[{self.start:+d},{self.end:+d}]".replace("+0", "0")

    def overlaps(self, other: Window) -> bool:
        """Whether the two windows share a relative day."""
        return self.start <= other.end and other.start <= self.end

    @classmethod
    def parse(cls, text: str | Window | tuple[int, int] | list[int], parameter: str = "window") -> Window:
        """Parse ``"-250:-11"``, ``"[-1,1]"`` or a pair of integers."""
        if isinstance(text, Window):
            return text
        if isinstance(text, tuple | list):
            if len(text) != 2:
                raise WindowError(parameter, text, "is not a pair of integers", "write it as START:END")
            return cls(int(text[0]), int(text[1]))
        match = _WINDOW.match(str(text))
        if not match:
            raise WindowError(
                parameter, text, "is not a window of relative days", "write it as START:END, e.g. -250:-11"
            )
        start, end = int(match.group(1)), int(match.group(2))
        if end < start:
            raise WindowError(parameter, text, "is reversed (end before start)", f"write it as {end}:{start}")
        return cls(start, end)


def check_windows(estimation: Window, event: Window, parameter: str = "event_window") -> None:
    """Raise if the estimation window does not end before ``event`` (a window named ``parameter``) starts."""
    if not (estimation.overlaps(event) or estimation.start > event.start):
        return
    if parameter == "event_window":
        raise WindowError(
            "estimation",
            f"{estimation.start}:{estimation.end}",
            f"overlaps or follows the event window {event.start}:{event.end}",
            "end the estimation window before the event window starts (e.g. "
            f"{min(estimation.start, event.start - estimation.length)}:{event.start - 1})",
        )
    raise WindowError(
        parameter,
        f"{event.start}:{event.end}",
        f"overlaps the estimation window {estimation.start}:{estimation.end}",
        "choose windows that start after the estimation window ends",
    )


def window_list(text: str) -> list[str]:
    """Split a comma-separated list of windows (``"0:5,0:10"``); a bracketed ``"[-1,1]"`` keeps its comma.

    Examples
    --------
    >>> window_list("0:5, 0:10"), window_list("[-1,1],0:5")
    (['0:5', '0:10'], ['[-1,1]', '0:5'])
    """
    return re.findall(r"\[[^\]]*\]|[^,\s]+", text)
