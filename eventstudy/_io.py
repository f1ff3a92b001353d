"""Atomic file and folder writes: a crash never leaves a half-written output."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
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
    return frame.assign(**{str(c): _neutralised(frame[c]) for c in text})


def _neutralised(column: pd.Series) -> pd.Series:
    """:func:`neutralise` applied to every cell of ``column``, in one pass over its text."""
    try:
        flagged = column.str.startswith(FORMULA_START, na=False).to_numpy(dtype=bool)
    except AttributeError:  # an object column without text
        return column
    if not flagged.any():
        return column
    out = column.astype(object)
    out[flagged] = "'" + column[flagged].astype(str)
    return out


def csv_text(frame: pd.DataFrame, float_format: str) -> str:
    """Return ``frame`` as CSV text with safe text cells, ``float_format`` numbers and Unix line ends.

    The same characters as pandas' ``to_csv(index=False, float_format=...)`` at a third of
    its cost: numbers are formatted one plain ``%`` per value and the rows go straight to
    the ``csv`` module's writer, which pandas uses too. Columns of any other kind (dates
    stored as timestamps, nullable extension types) are left to pandas.
    """
    safe = safe_cells(frame)
    cells: list[Sequence[object]] = []
    for c in safe.columns:
        column = safe[c]
        dtype = column.dtype
        if isinstance(dtype, np.dtype) and dtype.kind == "f":
            numbers = column.to_numpy()
            text = list(map(float_format.__mod__, numbers.tolist()))
            for i in np.flatnonzero(np.isnan(numbers)).tolist():
                text[i] = ""
            cells.append(text)
        elif isinstance(dtype, np.dtype) and dtype.kind in "iub":
            cells.append(column.to_numpy().tolist())
        elif pd.api.types.is_string_dtype(dtype) or (isinstance(dtype, np.dtype) and dtype.kind == "O"):
            values = column.to_numpy(dtype=object).tolist()
            # A string column holds text or missing values; only an object column can hide others.
            if isinstance(dtype, np.dtype) and any(
                isinstance(v, pd.Timestamp | np.generic) or (isinstance(v, float) and v == v) for v in values
            ):
                return _pandas_csv_text(safe, float_format)  # numbers or timestamps among the text
            missing = column.isna().to_numpy().tolist()
            cells.append(["" if gone else v for v, gone in zip(values, missing, strict=True)])
        else:
            return _pandas_csv_text(safe, float_format)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([str(c) for c in safe.columns])
    writer.writerows(zip(*cells, strict=True))
    return out.getvalue()


def _pandas_csv_text(frame: pd.DataFrame, float_format: str) -> str:
    """``frame`` as pandas writes it: the reference :func:`csv_text` matches."""
    return frame.to_csv(index=False, float_format=float_format, lineterminator="\n")


def cache_root(base: Path | None = None) -> Path:
    """Return the base folder of the download caches: ``base``, ``$EVENTSTUDY_CACHE_DIR`` or ``~/.cache/eventstudy``."""
    env = os.environ.get("EVENTSTUDY_CACHE_DIR")
    return Path(base) if base is not None else Path(env) if env else Path.home() / ".cache" / "eventstudy"


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


MARKER = ".eventstudy"
"""File that marks a folder as written by eventstudy (so it may be replaced as a whole)."""


def check_output_folder(
    target: Path,
    *,
    inputs: Sequence[Path] = (),
    protected: Sequence[Path] = (),
    force: bool = False,
    option: str = "--out",
) -> None:
    """Refuse an output folder that would lose data.

    Raises
    ------
    OutputPathError
        If ``target`` or a parent is a file; if it is, holds or sits inside an input
        folder (or holds an input file) or a ``protected`` folder (the package's data);
        or if it is a non-empty folder eventstudy did not write, unless ``force``. The
        message names the folder by ``option``, as the caller's user gave it.
    """
    target = Path(target)
    for path in (target, *target.parents):
        if path.exists() and not path.is_dir():
            where = "is" if path == target else f"is inside {path}, which is"
            raise OutputPathError(
                f"output folder {target} {where} a file, not a folder; choose a folder path ({option})."
            )
    out = target.resolve()
    for given in [*inputs, *protected]:
        path = Path(given).resolve()
        kind = "the package's bundled data" if given in protected else f"the input folder {given}"
        if path.is_dir() and (out == path or path in out.parents or out in path.parents):
            raise OutputPathError(
                f"{option} {target} would write into {kind}; choose an output folder apart from the inputs."
            )
        if not path.is_dir() and (out == path.parent or out in path.parents):
            raise OutputPathError(f"{option} {target} holds the input file {given}; choose another output folder.")
    if target.is_dir() and not force and not (target / MARKER).exists():
        visible = [p for p in target.iterdir() if not p.name.startswith(".")]
        if visible:
            raise OutputPathError(
                f"{option} {target} is a folder eventstudy did not write ({len(visible)} item(s) in it); choose a new or "
                f"empty folder, or pass {'--force' if option == '--out' else 'force=True'} to add the outputs to it."
            )


def check_output_file(target: Path, *, inputs: Sequence[Path] = (), protected: Sequence[Path] = ()) -> None:
    """Refuse an output file that would replace an input of the same run or lie in the package's data.

    Raises
    ------
    OutputPathError
        If ``target`` is a folder, is one of ``inputs``, or lies inside a ``protected`` folder.
    """
    target = Path(target)
    if target.is_dir():
        raise OutputPathError(f"--out {target} is a folder; give the path of a CSV file to write.")
    out = target.resolve()
    for given in inputs:
        if Path(given).resolve() == out:
            raise OutputPathError(f"--out {target} is an input of this run ({given}); choose another file.")
    for folder in protected:
        if Path(folder).resolve() in out.parents:
            raise OutputPathError(f"--out {target} would write into the package's bundled data; choose another file.")


def clean_stale_staging(folder: Path) -> None:
    """Remove staging folders left in ``folder`` by runs that were killed (their process is gone)."""
    if not folder.is_dir():
        return
    for stage in folder.glob(".*.staging.*"):
        pid = stage.name.rsplit(".", 2)[-2] if stage.name.count(".") >= 3 else ""
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stage, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step where the system can (Linux renameat2); return whether it did."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


@contextlib.contextmanager
def staged_directory(
    target: Path,
    *,
    force: bool = False,
    inputs: Sequence[Path] = (),
    protected: Sequence[Path] = (),
    option: str = "--out",
) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` as a whole on success.

    Everything is written into a staging folder first and marked as eventstudy's. When
    the block finishes, the staging folder takes ``target``'s place in one rename (an
    atomic exchange on Linux), so readers see the old outputs or the new ones, never a
    mix, and no stale file of an earlier output survives. A folder that holds other
    files (accepted with ``force``), or whose parent cannot be written, receives the new
    files one atomic rename at a time instead. On failure, or SIGTERM through the CLI,
    ``target`` is left exactly as it was; staging left by a killed process is removed
    by the next run. ``inputs``, ``protected`` and ``option`` are as in
    :func:`check_output_folder`.
    """
    target = Path(target)
    check_output_folder(target, inputs=inputs, protected=protected, force=force, option=option)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    whole = os.access(parent, os.W_OK) and (
        not target.exists() or (target / MARKER).exists() or not any(target.iterdir())
    )
    home = parent if whole else target
    home.mkdir(parents=True, exist_ok=True)
    clean_stale_staging(home)
    stage = Path(tempfile.mkdtemp(dir=home, prefix=f".{target.name}.staging.{os.getpid()}."))
    old = parent / f".{target.name}.old.{os.getpid()}"
    try:
        yield stage
        (stage / MARKER).write_text("written by eventstudy; the folder is replaced as a whole on the next write\n")
        if whole and target.exists():
            if not _exchange(stage, target):
                os.replace(target, old)
                os.replace(stage, target)
                stage = old
            shutil.rmtree(stage, ignore_errors=True)
            return
        if whole:
            os.replace(stage, target)
            return
        ours = (target / MARKER).exists()
        new = {src.relative_to(stage) for src in stage.rglob("*") if not src.is_dir()}
        for rel in sorted(new):
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / rel, dest)
        if ours:  # an earlier output of ours: its files that the new one lacks go too
            for old_file in [p for p in target.rglob("*") if p.is_file() and ".staging." not in str(p)]:
                if old_file.relative_to(target) not in new:
                    old_file.unlink()
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
