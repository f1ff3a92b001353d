"""Report tables for other programs: an Excel workbook and LaTeX tables (booktabs), both safe to open.

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) are neutralised with a leading apostrophe, as OWASP
recommends. Both outputs are byte-for-byte reproducible.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping

import pandas as pd

from eventstudy._io import safe_cells
from eventstudy.results import latex_escape


def excel_workbook(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """Return an ``.xlsx`` workbook with one sheet per table (sheet names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe_cells(frame).to_excel(writer, sheet_name=name[:31], index=False)
        props = writer.book.properties
        props.creator = "eventstudy"
    return _reproducible_zip(buffer.getvalue())


def _reproducible_zip(payload: bytes) -> bytes:
    # openpyxl stamps the save time into the archive and docProps/core.xml; fix both.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(payload)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", b"2000-01-01T00:00:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    return out.getvalue()


def latex_table(frame: pd.DataFrame, caption: str, label: str, *, digits: int = 4) -> str:
    r"""Return ``frame`` as a LaTeX ``longtable`` with booktabs rules; every header and cell escaped.

    Needs ``\usepackage{booktabs,longtable}``. Numbers are printed with ``digits``
    significant digits.
    """

    def cell(v: object) -> str:
        if isinstance(v, float):
            return "" if pd.isna(v) else f"{v:.{digits}g}"
        return latex_escape(str(v))

    body = frame.map(cell) if not frame.empty else frame
    body.columns = [latex_escape(str(c)) for c in frame.columns]
    return body.to_latex(
        index=False,
        escape=False,
        longtable=True,
        caption=latex_escape(caption),
        label=label,
        column_format="l" * len(frame.columns),
    )
