"""Number formatting shared by every report section: one place decides how figures are printed."""

from __future__ import annotations

import math
from typing import Any


def fmt_pct(v: Any, digits: int = 2) -> str:
    """Format a decimal as a percentage, ``n/a`` if not finite."""
    return f"{100 * float(v):.{digits}f}%" if finite(v) else "n/a"


def fmt_num(v: Any, digits: int = 3) -> str:
    """Format a number to ``digits`` decimals, ``n/a`` if not finite."""
    return f"{float(v):.{digits}f}" if finite(v) else "n/a"


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
