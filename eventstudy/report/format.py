"""Number formatting shared by every report section: one place decides how figures are printed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def fmt_pct(v: Any, digits: int = 2) -> str:
    """Format a decimal as a percentage, ``n/a`` if not finite."""
    return f"{fmt_num(100 * float(v), digits)}%" if finite(v) else "n/a"


def fmt_num(v: Any, digits: int = 3) -> str:
    """Format a number to ``digits`` decimals, ``n/a`` if not finite (a value that rounds to zero has no sign)."""
    if not finite(v):
        return "n/a"
    text = f"{float(v):.{digits}f}"
    return text.removeprefix("-") if float(text) == 0 else text


def fmt_p(v: Any) -> str:
    """Format a p-value: three decimals, two significant digits below 0.001."""
    if not finite(v):
        return "n/a"
    return f"{float(v):.2g}" if float(v) < 0.001 else f"{float(v):.3f}"


def fmt_bn(v: Any) -> str:
    """Format US dollars in billions, one decimal."""
    if not finite(v):
        return "n/a"
    return f"{'-' if float(v) < 0 else ''}${abs(float(v)) / 1e9:,.1f}bn"


def finite(v: Any) -> bool:
    """Return whether ``v`` is a finite number."""
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def fmt_bn_rounded(v: Any, half_width: Any) -> str:
    """Format US dollars in billions to two significant digits of ``half_width`` (what its uncertainty supports).

    Examples
    --------
    >>> fmt_bn_rounded(-461.7e9, 180e9)
    '-$460bn'
    >>> fmt_bn_rounded(-2.34e9, 0.4e9)
    '-$2.34bn'
    """
    if not finite(v):
        return "n/a"
    if not finite(half_width) or float(half_width) <= 0:
        return fmt_bn(v)
    step = 10.0 ** (math.floor(math.log10(float(half_width))) - 1)
    value = round(float(v) / step) * step / 1e9
    decimals = max(0, -math.floor(math.log10(step / 1e9)))
    return f"{'-' if value < 0 else ''}${abs(value):,.{decimals}f}bn"


def return_word(returns: str) -> str:
    """Name the study's returns in a sentence: ``log return`` for log returns, else ``return``."""
    return "log return" if returns == "log" else "return"


def word_list(items: Sequence[str]) -> str:
    """Join ``items`` as a sentence lists them.

    Examples
    --------
    >>> word_list(["ff3"]), word_list(["ff3", "ff5"]), word_list(["ff3", "carhart", "ff5"])
    ('ff3', 'ff3 and ff5', 'ff3, carhart and ff5')
    """
    return " and ".join(filter(None, [", ".join(items[:-1]), *items[-1:]]))


def first_of(items: Sequence[str], at_most: int) -> str:
    """List at most ``at_most`` of ``items`` as a sentence does, counting the rest.

    Examples
    --------
    >>> first_of(["a", "b"], 3), first_of(["a", "b", "c", "d", "e"], 3)
    ('a and b', 'a, b, c and 2 more')
    """
    if len(items) <= at_most:
        return word_list(items)
    return f"{', '.join(items[:at_most])} and {len(items) - at_most} more"


INDEX_NAMES = {"^GSPC": "S&P 500", "^NDX": "Nasdaq-100", "^IXIC": "Nasdaq Composite", "^DJI": "Dow Jones"}
"""What the report calls the market indices it knows by name; other series go by their ticker."""


def index_phrase(ticker: str) -> str:
    """Name a market series in a sentence: ``the S&P 500`` for ``^GSPC``, else the ticker.

    Examples
    --------
    >>> index_phrase("^GSPC"), index_phrase("SPY")
    ('the S&P 500', 'SPY')
    """
    return f"the {INDEX_NAMES[ticker]}" if ticker in INDEX_NAMES else ticker
