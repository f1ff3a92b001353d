"""Where chunks of firm-events are computed: in this process, or on a Dask cluster.

Both backends map the same pure chunk function over the same chunks, so their results
are identical. The Dask backend connects to the scheduler named by
``$EVENTSTUDY_DASK_SCHEDULER`` (for example ``tcp://10.0.0.5:8786``), else to a client
already created in the session, else starts a local cluster.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, TypeVar

from eventstudy._options import validate_literal
from eventstudy.errors import DataSourceError

Backend = Literal["local", "dask"]
S = TypeVar("S")
R = TypeVar("R")

SCHEDULER_ENV = "EVENTSTUDY_DASK_SCHEDULER"


def show_progress(total_rows: int, *, threshold: int = 50_000) -> bool:
    """Whether a progress bar helps: a long run, on a terminal, not in CI."""
    if total_rows < threshold or os.environ.get("CI") or os.environ.get("EVENTSTUDY_NO_PROGRESS"):
        return False
    return sys.stderr.isatty()


class _NoBar(contextlib.nullcontext[Any]):
    """What a hidden progress bar does: nothing (tqdm is then not even imported)."""

    def __enter__(self) -> _NoBar:
        return self

    def update(self, n: int) -> None:
        """Ignore progress."""

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        """Ignore what the step is."""


def progress_bar(total: int, enabled: bool, *, unit: str = "firm-events", desc: str = "event study") -> Any:
    """Return a tqdm bar over ``total`` steps when ``enabled``, else one that shows nothing."""
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, unit=unit, desc=desc, leave=False)


def run_chunks(
    func: Callable[[S], R],
    chunks: Iterable[S],
    sizes: list[int],
    backend: str = "local",
    *,
    progress: bool | None = None,
) -> list[R]:
    """Apply ``func`` to every chunk and return the results in chunk order.

    Parameters
    ----------
    func
        A pure function of one chunk.
    chunks
        The chunks (may be a lazy iterable).
    sizes
        Firm-events per chunk, for the progress bar.
    backend
        ``local`` (this process) or ``dask`` (a ``dask.distributed`` cluster).
    progress
        Force the progress bar on or off; by default it shows for long runs on a
        terminal and stays quiet in CI or when output is piped.
    """
    validate_literal("backend", backend, Backend)
    enabled = show_progress(sum(sizes)) if progress is None else progress
    with progress_bar(sum(sizes), enabled) as bar:
        if backend == "dask":
            return _run_dask(func, chunks, sizes, bar)
        out = []
        for chunk, size in zip(chunks, sizes, strict=True):
            out.append(func(chunk))
            bar.update(size)
        return out


def dask_client() -> Any:
    """Return the Dask client to use (see the module notes)."""
    try:
        from distributed import Client, get_client
    except ImportError:  # pragma: no cover - dask is a declared dependency
        raise DataSourceError(
            "backend='dask' needs the dask[distributed] package; install it with pip install 'dask[distributed]'."
        ) from None
    address = os.environ.get(SCHEDULER_ENV)
    if address:
        try:
            return Client(address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise DataSourceError(
                f"${SCHEDULER_ENV}={address!r}: cannot reach the Dask scheduler ({exc}); "
                "check the address or unset the variable to use a local cluster."
            ) from None
    try:
        return get_client()
    except ValueError:
        return Client(processes=False, dashboard_address=None)


def _run_dask(func: Callable[[S], R], chunks: Iterable[S], sizes: list[int], bar: Any) -> list[R]:
    from distributed import as_completed

    client = dask_client()
    # Keep a bounded number of chunks in flight so the driver never holds them all.
    in_flight = max(2, 2 * len(client.nthreads() or {0: 1}))
    results: dict[int, R] = {}
    futures: dict[Any, int] = {}
    source: Iterator[tuple[int, S]] = iter(enumerate(chunks))
    pool = as_completed()
    for i, chunk in source:
        fut = client.submit(func, chunk, pure=False)
        futures[fut] = i
        pool.add(fut)
        if len(futures) - len(results) >= in_flight:
            break
    for fut in pool:
        i = futures[fut]
        results[i] = fut.result()
        bar.update(sizes[i])
        nxt = next(source, None)
        if nxt is not None:
            j, chunk = nxt
            new = client.submit(func, chunk, pure=False)
            futures[new] = j
            pool.add(new)
    return [results[i] for i in range(len(results))]
