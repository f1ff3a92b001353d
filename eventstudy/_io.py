"""Atomic file and folder writes: a crash never leaves a half-written output."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from eventstudy.errors import OutputPathError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula in a text cell (OWASP, CSV injection)."""


def neutralise(value: object) -> object:
    """Prefix a text value that a spreadsheet would run as a formula with an apostrophe.

    Examples
    --------
    >>> neutralise("=cmd|' /C calc'!A0"), neutralise("NVDA"), neutralise(-0.17)
    ("'=cmd|' /C calc'!A0", 'NVDA', -0.17)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every text cell neutralised (numbers untouched), for CSV and Excel files."""
    text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    if not text:
        return frame
    return frame.assign(**{str(c): frame[c].map(neutralise) for c in text})


def csv_text(frame: pd.DataFrame, float_format: str) -> str:
    """Return ``frame`` as CSV text with safe text cells and Unix line ends."""
    return safe_cells(frame).to_csv(index=False, float_format=float_format, lineterminator="\n")


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


def check_output_folder(target: Path) -> None:
    """Raise :class:`OutputPathError` if ``target`` or one of its parents is a file."""
    for path in (Path(target), *Path(target).parents):
        if path.exists() and not path.is_dir():
            where = "is" if path == Path(target) else f"is inside {path}, which is"
            raise OutputPathError(f"output folder {target} {where} a file, not a folder; choose a folder path (--out).")


@contextlib.contextmanager
def staged_directory(target: Path) -> Iterator[Path]:
    """Yield a temporary folder whose files replace those in ``target`` on success.

    Everything is written into a sibling staging folder first. Only when the block
    finishes without error are the files moved into ``target`` (each move an atomic
    rename), so a failure leaves ``target`` exactly as it was.
    """
    target = Path(target)
    check_output_folder(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.staging."))
    try:
        yield stage
        target.mkdir(parents=True, exist_ok=True)
        for src in sorted(stage.rglob("*")):
            if src.is_dir():
                continue
            dest = target / src.relative_to(stage)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
