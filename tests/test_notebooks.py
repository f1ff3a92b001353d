"""Every notebook runs top to bottom against the installed package, and the committed copy shows its outputs."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "notebooks"))
from execute import execute  # noqa: E402  (the script `make notebook` runs)


def _outputs(nb: nbformat.NotebookNode) -> list[list[dict[str, object]]]:
    return [[dict(o) for o in c.get("outputs", [])] for c in nb.cells if c.cell_type == "code"]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_its_committed_outputs_are_current(path: Path) -> None:
    committed = nbformat.read(path, as_version=4)
    fresh = execute(path)
    errors = [o for cell in _outputs(fresh) for o in cell if o.get("output_type") == "error"]
    assert errors == []
    assert all(_outputs(committed)), "a code cell has no output: run `make notebook`"
    assert _outputs(committed) == _outputs(fresh), "the committed outputs are stale: run `make notebook`"
