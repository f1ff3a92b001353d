"""Output text: CSV is what pandas writes with ``float_format`` (spreadsheet formulas neutralised); summary.json is the json module's indented text."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy._io import FORMULA_START, csv_text

floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, -2.5e-7, 123456789012345.0, 0.1 + 0.2]),
)
texts = st.one_of(st.text(max_size=6), st.sampled_from([*FORMULA_START, "=SUM(A1)", "-1", "a,b", 'q"q', ""]))


def _pandas_reference(frame: pd.DataFrame, float_format: str) -> str:
    """pandas' own writer, with each text cell led by a formula character prefixed by hand."""

    def cell(value: object) -> object:
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value

    text = {  # each column keeps its type: map would turn an object column of numbers into floats
        str(c): frame[c].map(cell).astype(frame[c].dtype)
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    }
    return frame.assign(**text).to_csv(index=False, float_format=float_format, lineterminator="\n")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(floats, texts, st.integers(-(10**12), 10**12), floats), min_size=0, max_size=30),
    st.sampled_from(["%.12g", "%.6f", "%.4g"]),
)
def test_csv_text_equals_pandas_float_format(rows: list[tuple[float, str, int, float]], float_format: str) -> None:
    frame = pd.DataFrame(rows, columns=["x", "name", "n", "y"]).astype({"x": float, "y": float, "n": "int64"})
    assert csv_text(frame, float_format) == _pandas_reference(frame, float_format)


def test_a_formula_is_neutralised_and_a_negative_number_is_not() -> None:
    frame = pd.DataFrame({"event_id": ["=1+1", "-x", "NVDA"], "ar": [-0.17, math.nan, 2.0]})
    assert csv_text(frame, "%.12g") == "event_id,ar\n'=1+1,-0.17\n'-x,\nNVDA,2\n"


cells = st.one_of(
    st.none(),
    st.just(math.nan),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    texts,
    st.text(alphabet=',"\n\r ab', max_size=4),
    st.booleans(),
    st.integers(-5, 5),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(cells, st.booleans(), floats), min_size=0, max_size=20),
    st.booleans(),
    st.booleans(),
)
def test_csv_text_equals_pandas_for_every_column_kind(
    rows: list[tuple[object, bool, float]], one_column: bool, stamped: bool
) -> None:
    """Text, dates, missing cells, booleans, one-column rows and timestamp columns all come out as pandas writes them."""
    frame = pd.DataFrame(rows, columns=["cell", "flag", "x"]).astype({"flag": bool, "x": float})
    frame["cell"] = frame["cell"].astype(object)
    if one_column:
        frame = frame[["cell"]]
    if stamped:
        frame = frame.assign(when=pd.Timestamp("2025-01-27") + pd.to_timedelta(range(len(frame)), unit="h"))
    assert csv_text(frame, "%.12g") == _pandas_reference(frame, "%.12g")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=8), inner, max_size=6),
    max_leaves=40,
)


@settings(max_examples=200, deadline=None)
@given(value=JSON_VALUES, width=st.integers(0, 120))
def test_summary_json_text_is_the_json_modules_indented_text_with_short_containers_joined(
    value: object, width: int
) -> None:
    """Fully expanded (width 0) it is json.dumps(indent=2) character for character; at any width it reads back."""
    import json

    from eventstudy._meta import json_text

    assert json_text(value, width=0) == json.dumps(value, indent=2) + "\n"
    assert json.loads(json_text(value, width=width)) == value
