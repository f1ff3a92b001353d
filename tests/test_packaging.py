"""The wheel carries the bundled data, so an installed package works offline from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_wheel_carries_data_and_runs_elsewhere(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("eventstudy-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for rel in (
        "eventstudy/_data/MANIFEST.sha256",
        "eventstudy/_data/prices/NVDA.csv",
        "eventstudy/_data/studies/deepseek-2025-01-27.toml",
        "eventstudy/report/templates/report.html.j2",
    ):
        assert rel in names, rel
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = "import eventstudy as es; r = es.event_study(['NVDA'], '2025-01-27'); print(es.data.manifest.data_root()); print(round(100*float(r.ret.loc[0].iloc[0]), 2))"
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True, check=True
    )
    root, value = out.stdout.split()
    assert root.startswith(str(tmp_path / "site")) and value == "-16.97"


def test_the_command_line_says_its_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    from eventstudy.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"eventstudy {version('eventstudy')}"
