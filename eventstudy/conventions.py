"""Named convention profiles: frozen sets of methodological choices.

Other tools make other choices (see the package documentation); a profile names one
set so a user can reproduce another tool's numbers on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventstudy.errors import InvalidOptionError


@dataclass(frozen=True)
class Convention:
    """A documented, frozen set of choices."""

    name: str
    returns: str
    sigma: str
    ar_variance: str
    car_variance: str
    t_distribution: str
    description: str


CONVENTIONS: dict[str, Convention] = {
    "mackinlay": Convention(
        name="mackinlay",
        returns="simple returns from adjusted closes",
        sigma="SSR / (M - 2) for the market model, SSR / (M - k) in general",
        ar_variance="prediction-error corrected: sigma^2 (1 + 1/M + (Rm_t - mean Rm)^2 / Sxx)",
        car_variance="exact finite-sample gamma' V gamma (CLM 1997 section 4.4)",
        t_distribution="t(M - k)",
        description="MacKinlay (1997) / Campbell, Lo and MacKinlay (1997) chapter 4",
    ),
}


def get_convention(name: str) -> Convention:
    """Return the profile called ``name``; the error lists the valid names."""
    if name not in CONVENTIONS:
        raise InvalidOptionError("--convention", name, CONVENTIONS)
    return CONVENTIONS[name]
