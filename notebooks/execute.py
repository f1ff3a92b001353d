"""Execute every notebook in this folder in place, so the committed copies carry their outputs.

Run it with ``make notebook``. Execution is deterministic: no timing metadata is kept
and figures are drawn on matplotlib's inline backend from the bundled data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).parent


def execute(path: Path) -> nbformat.NotebookNode:
    """Run ``path`` top to bottom from its own folder and return the executed notebook."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    return nb


def main(paths: list[str]) -> int:
    """Execute the notebooks given (default: every ``*.ipynb`` here) and write them back."""
    for path in [Path(p) for p in paths] or sorted(HERE.glob("*.ipynb")):
        nbformat.write(execute(path), path)
        print(f"executed {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
