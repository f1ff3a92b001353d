"""The report: files, determinism, traceability, and how it looks in a real browser."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.cli import default_study_path, main
from eventstudy.config import StudyConfig
from eventstudy.report import build_report

from .conftest import ROOT


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "deepseek"
    with pytest.warns(UserWarning):
        build_report(StudyConfig.from_toml(default_study_path()), out)
    return out


def test_report_files(report_dir: Path) -> None:
    for rel in (
        "index.html",
        "report.md",
        "results.json",
        "tables/firms.csv",
        "tables/dollar_impact.csv",
        "tables/ar.csv",
        "tables/params.csv",
        "tables/tests.csv",
        "figures/price_paths.png",
        "figures/event_day_ar.png",
        "figures/car_paths.png",
        "figures/dollar_impact.png",
    ):
        assert (report_dir / rel).is_file(), rel
    for png in (report_dir / "figures").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_data_gives_same_files(report_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    with pytest.warns(UserWarning):
        build_report(StudyConfig.from_toml(default_study_path()), again)
    first = {p.relative_to(report_dir): p.read_bytes() for p in report_dir.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_numbers_trace_to_tables(report_dir: Path) -> None:
    firms = pd.read_csv(report_dir / "tables" / "firms.csv").set_index("ticker")
    html = (report_dir / "index.html").read_text()
    md = (report_dir / "report.md").read_text()
    for ticker, row in firms.iterrows():
        for value in (row["ret_0"], row["ar_0"], row["car_m1_p1"], row["car_p0_p5"]):
            text = f"{100 * value:.2f}%"
            assert text in html and text in md, (ticker, text)
    results = json.loads((report_dir / "results.json").read_text())
    nvda = next(h for h in results["headline"] if h["ticker"] == "NVDA")
    assert nvda["return_day0"] == pytest.approx(firms.loc["NVDA", "ret_0"], rel=1e-9)  # CSV keeps 10 digits
    assert results["config"]["estimation"] == "-250:-11"
    # a market value's gap counts from the band the share count allows, and the finding says so
    claims = pd.read_csv(report_dir / "tables" / "claims.csv").set_index("id")
    gap = float(claims.loc["C14e", "gap"])
    assert gap < abs(float(claims.loc["C14e", "computed"])) - 588.85  # narrower than from the point value
    assert f"outside the rule by ${gap:.2f}bn once the share count's uncertainty is allowed for" in md


def test_committed_report_is_current(report_dir: Path) -> None:
    committed = ROOT / "reports" / "deepseek-2025-01-27"
    tables = (
        "firms",
        "ar",
        "params",
        "tests",
        "dollar_impact",
        "aggregate_tests",
        "robustness",
        "sectors",
        "sector_members",
    )
    for rel in [*(f"tables/{t}.csv" for t in tables), "report.md", "results.json"]:
        assert (committed / rel).read_text() == (report_dir / rel).read_text(), f"{rel} is stale: run `make report`"


def test_report_has_aggregate_robustness_and_sector_sections(report_dir: Path) -> None:
    md = (report_dir / "report.md").read_text()
    for title in ("5. All firms together", "6. Robustness", "7. Where the shock landed"):
        assert f"## {title}" in md
    assert "&amp;" not in md and "&#39;" not in md  # Markdown is not HTML-escaped
    rob = pd.read_csv(report_dir / "tables" / "robustness.csv")
    assert rob["spec"].nunique() == 7 and rob["ticker"].nunique() == 5
    # the market-model row must equal the main study's AR (same model, same data)
    firms = pd.read_csv(report_dir / "tables" / "firms.csv").set_index("ticker")
    mm = rob[rob["spec"] == "market vs S&P 500"].set_index("ticker")
    assert (mm["ar_0"] - firms.loc[mm.index, "ar_0"]).abs().max() < 1e-12
    members = pd.read_csv(report_dir / "tables" / "sector_members.csv").set_index("ticker")
    assert len(members) > 480 and members["sector"].nunique() == 11
    assert members.loc["NVDA", "ar"] == pytest.approx(firms.loc["NVDA", "ar_0"], abs=1e-12)
    tests = pd.read_csv(report_dir / "tables" / "tests.csv")
    assert set(tests["scope"]) == {"event", "aggregate"}


def test_report_cli_writes_nothing_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "r"
    bad = tmp_path / "bad.toml"
    bad.write_text('[study]\nname = "x"\ntickers = ["NOPE"]\nevent_date = 2025-01-27\n')
    assert main(["report", str(bad), "--out", str(out)]) == 2
    assert not out.exists() or not any(out.iterdir())


def test_every_contents_link_lands_on_a_section(report_dir: Path) -> None:
    html = (report_dir / "index.html").read_text()
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", html, flags=re.S)
    assert nav is not None
    targets = re.findall(r'href="#([^"]+)"', nav.group(1))
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert targets and set(targets) <= ids
    assert len(targets) == len(re.findall(r"<h2", html)) - 1  # every heading but the configuration's


# --------------------------------------------------------------------------- browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--hide-scrollbars",
]
PROBE = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.title = 'IMAGES ' + ok + '/' + imgs.length;
});
</script>
</body>"""


# Chromium's own services (clock, updates, accounts) call these hosts whatever the page does.
BROWSER_SERVICE_HOSTS = ("google.com", "googleapis.com", "gvt1.com", "gstatic.com")


def _host(request: bytes) -> str:
    first = request.split(b"\r\n", 1)[0].decode("latin-1")
    target = first.split(" ")[1] if " " in first else first
    target = target.split("://", 1)[-1]
    return target.split("/", 1)[0].split(":", 1)[0]


class CountingProxy:
    """A loopback listener given to Chromium as its proxy: every web request would land here."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    data = conn.recv(200)
                except OSError:
                    data = b"?"  # a connection that sent nothing in time still counts
                if data:  # closed with no bytes: Chromium's speculative preconnect, no request in it
                    self.requests.append(data)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


def _open_in_chromium(html: str, tmp_path: Path) -> tuple[str, list[bytes], Path]:
    page = tmp_path / "index.html"
    page.write_text(html.replace("</body>", PROBE))
    proxy = CountingProxy()
    common = [
        str(CHROMIUM),
        *FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--proxy-server=http://127.0.0.1:{proxy.port}",
        "--proxy-bypass-list=<-loopback>",
        "--virtual-time-budget=5000",
    ]
    shot = tmp_path / "screenshot.png"
    try:
        dom = subprocess.run(
            [*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=False
        )
        subprocess.run(
            [*common, f"--screenshot={shot}", "--window-size=1200,4000", page.as_uri()],
            capture_output=True,
            timeout=120,
            check=False,
        )
    finally:
        proxy.close()
    page_requests = [r for r in proxy.requests if not _host(r).endswith(BROWSER_SERVICE_HOSTS)]
    return dom.stdout, page_requests, shot


needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.mark.browser
@needs_chromium
def test_report_in_headless_chromium(report_dir: Path, tmp_path: Path) -> None:
    html = (report_dir / "index.html").read_text()
    dom, requests, shot = _open_in_chromium(html, tmp_path)
    n_figures = len(list((report_dir / "figures").glob("*.png")))
    assert f"<title>IMAGES {n_figures}/{n_figures}</title>" in dom
    assert requests == [], requests
    assert "http://" not in html and "https://" not in html  # nothing for the page to fetch
    assert shot.is_file() and shot.stat().st_size > 50_000


@pytest.mark.browser
@needs_chromium
def test_browser_probe_sees_a_network_request(tmp_path: Path) -> None:
    html = '<html><body><img src="http://example.invalid/x.png"></body></html>'
    dom, requests, _ = _open_in_chromium(html, tmp_path)
    assert "IMAGES 0/1" in dom
    assert any(_host(r) == "example.invalid" for r in requests)


PDFLATEX = shutil.which("pdflatex")


def _compile(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    doc = tmp_path / "doc.tex"
    doc.write_text(
        "\\documentclass{article}\n\\usepackage[margin=1cm,landscape]{geometry}\n\\usepackage{booktabs,longtable}\n"
        f"\\begin{{document}}\n{body}\n\\end{{document}}\n"
    )
    return subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", doc.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed (.ci/run installs Debian's texlive-latex-base)")
def test_latex_exports_compile(report_dir: Path, tmp_path: Path) -> None:
    body = "\n".join(f"\\input{{{report_dir / 'tables' / n}}}" for n in ("firms.tex", "tests.tex"))
    run = _compile(tmp_path, body)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed (.ci/run installs Debian's texlive-latex-base)")
def test_summary_as_latex_compiles_with_awkward_names(tmp_path: Path) -> None:
    from eventstudy import event_study

    res = event_study(["NVDA", "CEG"], "2025-01-27", name="50%_of & $x #1", car_windows=["0:0", "-1:1"])
    latex = res.summary().as_latex()
    assert "\\toprule" in latex and "\\%" in latex and "\\_" in latex
    run = _compile(tmp_path, latex)
    assert run.returncode == 0, run.stdout[-2000:]


def test_latex_escape_is_not_the_identity() -> None:
    from eventstudy.results import latex_escape

    assert latex_escape("a_b 5% $x & y #z {w} ~ ^ \\ ≤") == (
        "a\\_b 5\\% \\$x \\& y \\#z \\{w\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} $\\leq$"
    )


def test_workbook_holds_the_tables_and_runs_no_formula(report_dir: Path, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(report_dir / "tables" / "tables.xlsx")
    assert {"firms", "tests", "aggregate_tests", "pvalues_adjusted", "dollar_impact"} <= set(book.sheetnames)
    firms = pd.read_excel(report_dir / "tables" / "tables.xlsx", sheet_name="firms")
    csv = pd.read_csv(report_dir / "tables" / "firms.csv")
    assert firms["ticker"].tolist() == csv["ticker"].tolist()
    assert firms["ar_0"].to_numpy() == pytest.approx(csv["ar_0"].to_numpy(), rel=1e-9)
    from eventstudy.report.exports import excel_workbook

    hostile = pd.DataFrame({"ticker": ["=cmd|' /C calc'!A0", "+HYPERLINK(1)", "@SUM(1)", "-1+1", "OK"], "x": [1.0] * 5})
    (tmp_path / "h.xlsx").write_bytes(excel_workbook({"h": hostile}))
    sheet = openpyxl.load_workbook(tmp_path / "h.xlsx")["h"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 7)]
    assert all(c.data_type == "s" for c in cells)  # text, never a formula
    assert [c.value for c in cells][:4] == ["'=cmd|' /C calc'!A0", "'+HYPERLINK(1)", "'@SUM(1)", "'-1+1"]
    assert excel_workbook({"h": hostile}) == excel_workbook({"h": hostile})  # reproducible bytes


def test_a_long_report_on_a_terminal_says_which_section_it_is_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Large studies take a while in the refitting sections; on a terminal a bar names the one under way."""
    import eventstudy.report.render as render

    asked: list[tuple[int, int]] = []

    def terminal(rows: int, *, threshold: int) -> bool:
        asked.append((rows, threshold))
        return True

    monkeypatch.setattr(render, "show_progress", terminal)
    with pytest.warns(UserWarning):
        build_report(StudyConfig.from_toml(default_study_path()), tmp_path / "r", sections=[render.price_section])
    assert asked == [(5, render.REPORT_PROGRESS_FIRMS)]  # decided on the study's firm-events
    err = capsys.readouterr().err
    assert "report" in err and "1/1" in err and "price" in err


def test_many_long_bar_names_are_turned_and_their_values_left_to_the_table() -> None:
    """Eighteen names like 'CEG@Kairos' cannot stand side by side under a 9-inch figure; five tickers can."""
    from eventstudy.report.figures import dollar_bars

    def drawn(labels: list[str]) -> tuple[set[float], int]:
        table = pd.DataFrame(
            {"event_id": labels, "mv_change": [1e9] * len(labels), "abnormal_change": [5e8] * len(labels)}
        )
        ax = dollar_bars(table, "event_id").axes[0]
        return {t.get_rotation() for t in ax.get_xticklabels()}, len(ax.texts)

    many = [f"{t}@{d}" for t in ("CEG", "VST", "TLN", "SMR", "GEV", "VRT") for d in ("TMI", "Kairos", "Talen")]
    assert drawn(many) == ({40.0}, 0)
    assert drawn(["NVDA", "CEG", "VST", "GOOGL", "GEV"]) == ({0.0}, 10)


@pytest.mark.parametrize("top", [30e9, 300e9, 3000e9])
@pytest.mark.parametrize("n", [2, 3, 4, 5, 7, 10])
def test_the_dollar_chart_s_values_neither_touch_each_other_nor_leave_the_frame(n: int, top: float) -> None:
    """Moves of both signs up to ``top`` dollars, side by side: each label inside the axes and clear of the others."""
    from eventstudy.report.figures import dollar_bars

    rng = np.random.default_rng(n)
    change = rng.choice([-1, 1], n) * rng.uniform(top / 300, top, n)
    table = pd.DataFrame(
        {
            "event_id": [f"NVDA-2024-{m:02d}-2{m % 9}" for m in range(1, n + 1)],
            "mv_change": change,
            "abnormal_change": change * rng.uniform(0.7, 1.2, n),
        }
    )
    fig = dollar_bars(table, "event_id")
    fig.canvas.draw()
    ax = fig.axes[0]
    frame = ax.get_window_extent()
    boxes = [t.get_window_extent() for t in ax.texts]
    assert len(boxes) == 2 * n
    for i, box in enumerate(boxes):
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, ax.texts[i].get_text()
        for other in boxes[i + 1 :]:
            assert not box.overlaps(other), ax.texts[i].get_text()


def test_the_dollar_chart_prints_the_abnormal_part_as_the_table_rounds_it(report_dir: Path) -> None:
    from eventstudy.report import figures

    md = (report_dir / "report.md").read_text()
    table = pd.read_csv(report_dir / "tables" / "dollar_impact.csv").dropna(subset=["shares"])
    texts = [t.get_text() for t in figures.dollar_bars(table).axes[0].texts]
    assert "about -$460bn abnormal (95% interval -$640bn to -$280bn)" in md  # the headline's rounding of NVDA
    assert "-$460bn" in texts and "-$461.7bn" not in texts
    assert "-$592.9bn" in texts  # the measured change keeps its decimal


@pytest.mark.parametrize(("returns", "word"), [("simple", "return"), ("log", "log return")])
def test_event_day_figure_names_the_returns_the_firm_table_shows(returns: str, word: str) -> None:
    import eventstudy as es
    from eventstudy.report import figures

    res = es.event_study(["NVDA", "MU"], "2024-08-05", returns=returns)
    fig, caption = figures.event_day_ar(res)
    ax = fig.axes[0]
    assert caption.startswith(f"Raw {word} and abnormal return (market model) on the event day")
    assert ax.get_ylabel() == f"{word} on the event day (%)"
    assert ax.get_legend_handles_labels()[1][0] == f"raw {word}"


def test_numbers_that_round_to_zero_carry_no_sign() -> None:
    from eventstudy.report.format import fmt_num, fmt_pct

    assert fmt_pct(-0.00004) == "0.00%" and fmt_pct(-0.0004) == "-0.04%" and fmt_pct(0.1234) == "12.34%"
    assert fmt_num(-0.0004) == "0.000" and fmt_num(-0.0004, 4) == "-0.0004" and fmt_num(float("nan")) == "n/a"
