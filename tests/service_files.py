"""Reading the EventStudyTools service's result files, and comparing at the digits it prints.

The service writes ``;``-separated files with 4 decimals; ``caar_results.csv`` repeats the
header "Generalized Rank T" (the second is the Generalized Rank Z) and one run writes a row
label with a no-break space. These readers take the files as they are.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def printed(value: float, figure: float, decimals: int = 4) -> bool:
    """True when ``value`` prints as ``figure`` at ``decimals`` places (both missing counts as equal)."""
    if np.isnan(figure) or np.isnan(value):
        return bool(np.isnan(figure) and np.isnan(value))
    return abs(value - figure) <= 0.5 * 10**-decimals + 1e-12


def label(text: str) -> str:
    """A header or row label without quotes, a no-break space read as a space."""
    return text.replace("\xa0", " ").strip('"')


def event_table(results: Path, name: str) -> pd.DataFrame:
    """A per-event file (``ar_results.csv``, ``car_results.csv``) indexed by event id as text."""
    table = pd.read_csv(results / name, sep=";")
    return table.assign(**{"Event ID": table["Event ID"].astype(str)}).set_index("Event ID")


def aar_table(results: Path) -> pd.DataFrame:
    """``aar_results.csv``: one row per figure, one column per relative day (an int)."""
    table = pd.read_csv(results / "aar_results.csv", sep=";", index_col=0)
    table.index = [label(str(i)) for i in table.index]
    return table.rename(columns=lambda c: int(c.removeprefix("AAR(").removesuffix(")")))


def caar_row(results: Path) -> dict[str, str]:
    """The first group's row of ``caar_results.csv``, the second "Generalized Rank T" named Generalized Rank Z."""
    lines = (results / "caar_results.csv").read_text().splitlines()
    names, values = ([label(field) for field in line.split(";")] for line in lines[:2])
    row: dict[str, str] = {}
    for name, value in zip(names, values, strict=True):
        row["Generalized Rank Z" if name in row else name] = value
    return row


CAAR_FIGURES = [
    # (the service's column, our measure, our test, "estimate" or "statistic" or "n")
    ("CAAR Value", "ar", "csect_t", "estimate"),
    ("Precision Weighted CAAR Value", "ar", "csect_t", "estimate_weighted"),
    ("Number of CARs considered", "ar", "csect_t", "n"),
    ("Csect T", "ar", "csect_t", "statistic"),
    ("Skewness Corrected T", "ar", "skew_t", "statistic"),
    ("Patell Z", "ar", "patell", "statistic"),
    ("StdCSect Z", "ar", "bmp", "statistic"),
    ("Adjusted Patell Z", "ar", "kp_patell", "statistic"),
    ("ABHAR", "bhar", "csect_t", "estimate"),
    ("ABHAR Csect T", "bhar", "csect_t", "statistic"),
    ("ABHAR Skewness Corrected T", "bhar", "skew_t", "statistic"),
]
"""Figures of ``caar_results.csv`` every run reproduces, and where ``aggregate.csv`` has each."""
