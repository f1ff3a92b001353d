"""Command-line interface: parse input, call the library, report errors in one line.

Exit codes: 0 success; 1 a gated claim failed (``verify``) or a download failed
(``fetch``); 2 bad input or unusable data.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import os
import signal
import sys
import threading
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from eventstudy._options import DEFAULT_MARKET
from eventstudy.errors import EventStudyError, EventStudyWarning
from eventstudy.windows import Window, window_list

if TYPE_CHECKING:
    from eventstudy.config import StudyConfig

DEFAULT_STUDY = "studies/deepseek-2025-01-27.toml"
SUMMARY_ROWS = 40
"""Firm-events ``eventstudy run`` prints without --out; the files hold every one."""
CACHE_HELP = (
    "cache folder for Yahoo and CRSP downloads, shared by fetch, run and report (default $EVENTSTUDY_CACHE_DIR, "
    "else ~/.cache/eventstudy; files go in its yahoo/ and crsp/ subfolders; trading calendars' sessions are "
    "kept in calendars/ of the default folder)"
)
_NEGATIVE_VALUE_OPTIONS = ("--estimation", "--window", "--car-windows")


def default_study_path() -> Path:
    """Path of the bundled default study (the DeepSeek sell-off)."""
    from eventstudy.data.manifest import data_root

    return data_root() / DEFAULT_STUDY


class _Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"eventstudy: error: {message} (see '{self.prog} --help').\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="eventstudy",
        description="Market-impact event studies: abnormal returns, tests, dollar figures and reports.",
        epilog="Windows are relative sessions, both ends inclusive: -250:-11 is 240 sessions. "
        "Run 'eventstudy COMMAND --help' for each command.",
    )
    import eventstudy

    parser.add_argument("--version", action="version", version=f"eventstudy {eventstudy.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    rep = sub.add_parser(
        "report",
        help="regenerate a study's report (default: the DeepSeek study)",
        description="Run a study and write figures, tables, results.json, report.md and index.html.",
    )
    rep.add_argument("study", nargs="?", help="study TOML file (default: the bundled DeepSeek study)")
    rep.add_argument(
        "--out", help="output folder (default: reports/<study name>); an earlier report there is replaced whole"
    )
    rep.add_argument("--force", action="store_true", help="write into an existing folder eventstudy did not write")
    rep.add_argument("--cache-dir", help=CACHE_HELP)
    rep.add_argument(
        "--offline", action="store_true", help="never touch the network: Yahoo studies read the on-disk cache only"
    )

    run = sub.add_parser(
        "run",
        help="run an event study on your own events and prices",
        description="Compute ARs, CARs and tests for the events in --events and write "
        "ar.csv, params.csv, tests.csv (single-firm and many-firm tests), aggregate.csv (AAR/CAAR "
        "with every many-firm test, distribution and reason when a test cannot apply) and summary.json to --out. "
        "Options left out take the convention profile's defaults; summary.json records every choice made.",
    )
    run.add_argument(
        "--events",
        help="CSV with columns event_id,ticker,event_date[,market][,group], or an EventStudyTools request file "
        "(its windows are used unless --estimation/--window are given; its fifth column is the group); groups "
        "that split the events are also tested each alone in aggregate.csv, and two or more compared pair by pair "
        "(welch_t, rank_sum, and bw1985, which allows for firm-events correlated in calendar time); not needed "
        "with --config",
    )
    run.add_argument(
        "--config",
        help="summary.json of an earlier run (or its 'config' alone): rerun exactly that study; or a study "
        "TOML file (as eventstudy report takes); options given beside it override its choices",
    )
    run.add_argument(
        "--prices",
        action="append",
        help="folder of <TICKER>.csv files (^GSPC as _GSPC.csv or ^GSPC.csv), one such file (date and price "
        "columns; its name gives the ticker), a yfinance.download CSV, one wide CSV, or one long CSV "
        "(ticker,date,close or the EventStudyTools id;DD.MM.YYYY;price layout); Parquet alike: one .parquet "
        "file laid out like either CSV, a folder of <TICKER>.parquet files, or a dataset folder with a ticker "
        "column or partitioned by it (ticker=NVDA/...); repeat for several files (default: bundled snapshot). "
        "Only the events' series are kept and, with one --prices path and days counted in exchange sessions "
        "(the default), only the dates their windows reach (Parquet reads no others)",
    )
    run.add_argument(
        "--returns-data",
        help="CSV or Parquet file of returns instead of prices: wide (date and one column per series) or long "
        "(id,date,ret; CRSP's PERMNO may stand for id); missing returns stay missing",
    )
    run.add_argument("--returns-unit", help="decimal (default) or percent, for --returns-data")
    run.add_argument(
        "--market", help=f"market proxy ticker for events without a market column (default {DEFAULT_MARKET})"
    )
    run.add_argument(
        "--model",
        help="market (default), market_adjusted, constant_mean, ff3, ff5, carhart, or custom (with --factors)",
    )
    run.add_argument(
        "--measure",
        help="returns (default) or volume: abnormal log(1 + shares traded), with --model constant_mean "
        "(mean-adjusted, Campbell and Wasley 1996) or market (on the market's log volume); needs prices with volume",
    )
    run.add_argument(
        "--factors",
        help="for --model custom: CSV with date and factor columns in decimals (an 'rf' column makes returns excess)",
    )
    run.add_argument(
        "--factor-columns",
        action="append",
        help="for --model custom: comma-separated columns of --factors, may be given more than once; "
        "'market' adds the event's market proxy",
    )
    run.add_argument(
        "--estimation", default=None, help="estimation window (default: the convention's; -250:-11 for mackinlay)"
    )
    run.add_argument("--window", default=None, help="event window, default -1:1")
    run.add_argument(
        "--car-windows",
        action="append",
        help="comma-separated CAR windows, e.g. -1:1,0:5,0:10 (default: the event window); may be given "
        "more than once, and every window given is kept; each gets single-firm and many-firm tests",
    )
    run.add_argument("--returns", default=None, help="simple or log (default: the convention's; simple for mackinlay)")
    run.add_argument(
        "--convention",
        help="convention profile: mackinlay (default; MacKinlay 1997), estudy2 (R estudy2), "
        "eventstudytools (EventStudyTools service); see the README for what each sets",
    )
    run.add_argument(
        "--calendar",
        help="exchange_calendars code whose sessions count relative days (default XNYS; XLON, XTKS, ...), or rows: "
        "each series' own rows with data are its days (CRSP, world indices, weekly or monthly prices)",
    )
    run.add_argument(
        "--date-format",
        help="strptime layout of non-ISO dates in --events and --prices, e.g. %%d/%%m/%%Y; needed only when a date "
        "such as 05/08/2024 could be read two ways",
    )
    run.add_argument(
        "--backend",
        default="local",
        help="local (default) or dask: compute chunks on a dask.distributed cluster "
        "($EVENTSTUDY_DASK_SCHEDULER, else a local cluster)",
    )
    run.add_argument(
        "--min-estimation-obs",
        type=int,
        default=None,
        help="fewest estimation returns per firm-event (default: half the estimation window; 3 under "
        "--convention eventstudytools, which fits any window it can, as the service does)",
    )
    run.add_argument(
        "--estimation-overlap",
        default=None,
        help="when another event of the same firm lies in a firm-event's estimation window: keep (default) fits "
        "on those days too, with a warning; skip leaves that event's window out of the fit",
    )
    run.add_argument(
        "--negative-prices",
        default=None,
        help="what a negative price in --prices means: error, abs (CRSP bid-ask midpoint: use its absolute "
        "value) or missing (default: the convention's; error for mackinlay, abs for eventstudytools)",
    )
    run.add_argument(
        "--source",
        default=None,
        help="bundled (default without --prices), csv (with --prices), yahoo (download, cached) or crsp (CRSP "
        "daily returns from WRDS, cached; events name PERMNOs or tickers, markets VWRETD, EWRETD or SPRTRN; "
        "needs the wrds extra and a WRDS account)",
    )
    run.add_argument(
        "--offline",
        action="store_true",
        help="never touch the network: --source yahoo or crsp reads the on-disk cache only",
    )
    run.add_argument(
        "--allow-jumps",
        action="store_true",
        default=None,
        help="keep firm-events whose price moves by an exact split factor (1/2, 1/3, 2, ...) in one day; "
        "by default such a jump is taken for a missing split adjustment and the firm-event is left out",
    )
    run.add_argument(
        "--strict", action="store_true", default=None, help="fail instead of leaving out unusable firm-events"
    )
    run.add_argument(
        "--out",
        help="output folder (not an input folder); without it a summary is printed; an earlier output there is "
        "replaced whole",
    )
    run.add_argument("--force", action="store_true", help="write into an existing folder eventstudy did not write")
    run.add_argument("--cache-dir", help=CACHE_HELP)
    run.add_argument(
        "--partitions",
        type=int,
        default=None,
        help="split the events by ticker into this many partitions, each fitted on its own prices (read from "
        "--prices, best a Parquet dataset) and written as Parquet (ar/, params/, tests/ in --out) beside the "
        "merged aggregate.csv: memory stays bounded by a partition; with --backend dask the partitions run on "
        "the cluster's workers, which need --prices and --out on storage they share",
    )
    run.add_argument(
        "--max-memory",
        type=float,
        default=4.0,
        help="GB this run may use (default 4); a batch estimated above it is refused before any work, with the "
        "batch size that fits (or use --partitions)",
    )
    run.add_argument(
        "--allow-duplicates",
        action="store_true",
        default=None,
        help="keep firm-events that repeat the same ticker, date and market (by default they are refused)",
    )

    ver = sub.add_parser(
        "verify",
        help="check reported figures against the data; exit 1 if a gated claim fails",
        description="Grade every reported figure of a claims file against the data (matches, close, contradicted, "
        "not checkable) with the gap to the rule; exit 1 if a gated claim falls below the grade its row declares. "
        "Write an empty claims file with 'eventstudy claims-template'.",
    )
    ver.add_argument("study", nargs="?", help="study TOML file (default: the bundled DeepSeek study)")
    ver.add_argument("--claims", help="claims CSV to check instead of the study's own")
    ver.add_argument("--cache-dir", help=CACHE_HELP)
    ver.add_argument(
        "--offline", action="store_true", help="never touch the network: Yahoo studies read the on-disk cache only"
    )

    xs = sub.add_parser(
        "xsection",
        help="regress firm-events' CARs (or ARs, SCARs) on characteristics",
        description="Fit a study, then regress each firm-event's CAR, standardised CAR or AR over --window on the "
        "characteristics in --characteristics with statsmodels. Prints the coefficient table; --out writes it.",
    )
    xs.add_argument("--study", help="study TOML file (default: the bundled DeepSeek study)")
    xs.add_argument(
        "--characteristics",
        help="CSV with one column per characteristic and one row per firm-event (an event_id column) or per firm "
        "(a ticker column: its values hold for each of the firm's events); "
        "the study's group and event_date are there already (a column of the file with that name replaces them), "
        "so a formula of those alone needs no file",
    )
    xs.add_argument(
        "--formula", required=True, help='statsmodels formula, e.g. "car ~ size + C(sector)" (car, scar or ar)'
    )
    xs.add_argument("--window", default="0:0", help="window of the outcome, default 0:0 (the event day)")
    xs.add_argument("--cov", default="HC3", help="HC3 (default), cluster (with --groups) or nonrobust")
    xs.add_argument(
        "--groups",
        help="column to cluster by, with --cov cluster: a characteristic, group or event_date; p-values t(G - 1)",
    )
    xs.add_argument("--weights", help="inverse_variance for WLS with weights 1/sigma^2")
    xs.add_argument(
        "--portfolio",
        action="store_true",
        help="also the Sefcik-Thompson portfolio time-series estimate (firm-events on one date)",
    )
    xs.add_argument("--out", help="CSV file for the coefficient table")

    sub.add_parser(
        "claims-template",
        help="print an empty, documented claims file to fill in",
        description="Print a claims CSV: each column explained in '#' lines with an example row among them, "
        "then the header. Redirect it to a file, add one row per reported figure below the header, and check it "
        "with "
        "'eventstudy verify --claims FILE'.",
    )

    fetch = sub.add_parser(
        "fetch",
        help="download prices from Yahoo Finance into the cache",
        description="Download daily prices with yfinance into the on-disk cache.",
    )
    fetch.add_argument("tickers", nargs="+", help="tickers, e.g. NVDA ^GSPC")
    fetch.add_argument("--start", required=True, help="first date, YYYY-MM-DD")
    fetch.add_argument("--end", required=True, help="last date, YYYY-MM-DD")
    fetch.add_argument("--cache-dir", help=CACHE_HELP)
    fetch.add_argument("--offline", action="store_true", help="refuse to download (and say what would be used)")
    return parser


def _join_negative_values(argv: list[str]) -> list[str]:
    """Let ``--estimation -250:-11`` through argparse, which would read ``-250:-11`` as an option."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _NEGATIVE_VALUE_OPTIONS and i + 1 < len(argv):
            out.append(f"{arg}={argv[i + 1]}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Warnings are held back until the command ends: a failed command prints its one
    error line and nothing else; a successful one prints its warnings.
    """
    args = _parser().parse_args(_join_negative_values(list(sys.argv[1:] if argv is None else argv)))
    held: list[str] = []

    def hold(message: Warning | str, category: type[Warning], *_args: object, **_kw: object) -> None:
        held.append(f"eventstudy: warning: {message}")

    previous = signal.signal(signal.SIGTERM, _terminate)  # what timeout, Docker and Slurm send
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # third-party deprecations are not the user's business
        warnings.simplefilter("always", EventStudyWarning)
        warnings.showwarning = hold
        try:
            code = int(_dispatch(args, sys.stdout))
        except EventStudyError as exc:
            print(f"eventstudy: error: {exc}", file=sys.stderr)
            return 2
        except PermissionError as exc:
            print(
                f"eventstudy: error: {exc.filename}: permission denied; choose another --out folder.", file=sys.stderr
            )
            return 2
        except OSError as exc:  # a file system refusal is the user's to fix, not a crash
            # a stream's refusal (a pipe read twice, say) names no file: say what failed instead
            where = f"{exc.filename}: {exc.strerror}" if exc.filename is not None else (exc.strerror or str(exc))
            print(f"eventstudy: error: {where}; check the path.", file=sys.stderr)
            return 2
        except Terminated:
            print("eventstudy: terminated; nothing was written.", file=sys.stderr)
            return 143
        except KeyboardInterrupt:
            print("eventstudy: interrupted; nothing was written.", file=sys.stderr)
            return 130
        finally:
            signal.signal(signal.SIGTERM, previous)
    for line in dict.fromkeys(held):
        print(line, file=sys.stderr)
    return code


def entry() -> NoReturn:
    """Run the ``eventstudy`` command (:func:`main`) and exit with its code.

    Once the command is done and nothing else runs, the process ends without the
    interpreter's teardown, which frees every object pandas, numpy and scipy created one by
    one (a tenth of a second of every command). Output streams are flushed and exit
    handlers run first; the command's files are already closed and renamed into place.

    The process also collects garbage less often: importing pandas and scipy creates
    hundreds of thousands of objects that live as long as it does, and a collection every
    700 new objects (Python's default) scans them again and again.
    """
    gc.set_threshold(10_000, *gc.get_threshold()[1:])
    code = main()
    if threading.active_count() > 1:  # a thread still running gets the interpreter's usual join
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so that staging folders are cleaned on the way out."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _dispatch(args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "report":
        return _cmd_report(args, out)
    if args.command == "run":
        return _cmd_run(args, out)
    if args.command == "verify":
        return _cmd_verify(args, out)
    if args.command == "claims-template":
        return _cmd_claims_template(args, out)
    if args.command == "xsection":
        return _cmd_xsection(args, out)
    return _cmd_fetch(args, out)


def _load_study(path: str | None) -> StudyConfig:
    from eventstudy.config import StudyConfig

    return StudyConfig.from_toml(Path(path) if path else default_study_path())


def _cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    from eventstudy._io import check_output_folder
    from eventstudy.data.manifest import data_root
    from eventstudy.report import build_report
    from eventstudy.study import make_source

    config = _load_study(args.study)
    target = Path(args.out) if args.out else Path("reports") / safe_name(config.name)
    inputs = [*config.input_files, *([Path(args.study)] if args.study else [])]
    check_output_folder(target, inputs=inputs, protected=[data_root()], force=args.force)
    source = make_source(config, offline=args.offline, cache_dir=_cache_dir(args))
    build_report(
        config,
        target,
        source=source,
        base_dir=(Path(args.study) if args.study else default_study_path()).parent,
        force=args.force,
    )
    import json

    provenance = json.loads((target / "results.json").read_text(encoding="utf-8")).get("provenance", {})
    print(
        f"report written to {target}/index.html (also report.md, figures/, tables/, results.json); "
        f"data: {_data_from(source.name, provenance)}",
        file=out,
    )
    return 0


def _data_from(name: str, provenance: dict[str, str]) -> str:
    """Name the source, and the series it handed to its fallback (a download that failed), if any."""
    from eventstudy.data.yahoo import FALLBACK

    fell_back = {t: str(where).split(f" ({FALLBACK}")[0] for t, where in provenance.items() if FALLBACK in str(where)}
    if not fell_back:
        return name
    return f"{name} ({', '.join(sorted(fell_back))} from the {sorted(set(fell_back.values()))[0]} instead)"


def _cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    from eventstudy._io import check_output_folder
    from eventstudy._options import validate_literal
    from eventstudy.backends import Backend
    from eventstudy.data.manifest import data_root
    from eventstudy.study import EventStudy, make_source

    validate_literal("--backend", args.backend, Backend)
    if args.partitions is not None:
        return _run_partitioned(args, out)
    config = run_request(args)
    if args.out:
        inputs = [*config.input_files, *(Path(p) for p in (args.events, args.config) if p)]
        check_output_folder(Path(args.out), inputs=inputs, protected=[data_root()], force=args.force)
    check_memory(len(config.events), args.max_memory)
    source = make_source(config, offline=args.offline, cache_dir=_cache_dir(args))
    # Only the days around the windows are written, so only they are kept: memory stays bounded.
    res = EventStudy(config, source, backend=args.backend, paths="windows").fit()
    if not args.out:
        summary = res.summary()
        if len(summary.table) > SUMMARY_ROWS:  # a terminal shows the first rows; --out keeps them all
            rest = len(summary.table) - SUMMARY_ROWS
            summary = replace(
                summary,
                table=summary.table.head(SUMMARY_ROWS),
                notes=(*summary.notes, f"... and {rest:,} more firm-events: --out DIR writes every one."),
            )
        print(summary.as_text(), file=out)
        return 0
    res.write(Path(args.out), source=source.name, force=args.force)
    n_used = int(res.events["status"].str.startswith("ok").sum())
    print(
        f"wrote ar.csv, params.csv, tests.csv, aggregate.csv and summary.json to {args.out} ({n_used} of "
        f"{len(res.events)} firm-events used; data: {_data_from(source.name, dict(res.prices.provenance))})",
        file=out,
    )
    return 0


def _run_partitioned(args: argparse.Namespace, out: TextIO) -> int:
    """``run --partitions N``: the events split by ticker, each partition fitted on its own prices."""
    from eventstudy._io import check_output_folder
    from eventstudy.data.manifest import data_root
    from eventstudy.errors import ConfigError
    from eventstudy.partitioned import read_event_table, run_partitioned

    if not (args.events and args.prices and len(args.prices) == 1 and args.out) or args.config:
        raise ConfigError(
            "--partitions needs --events FILE, one --prices PATH every partition reads its own series from "
            "(best a Parquet dataset) and --out DIR, and takes no --config."
        )
    options = run_options(args)
    check_output_folder(
        Path(args.out), inputs=[Path(args.events), Path(args.prices[0])], protected=[data_root()], force=args.force
    )
    events = read_event_table(args.events, market=args.market)
    run = run_partitioned(
        events,
        {k: v for k, v in options.items() if k not in ("source", "prices")},
        args.prices[0],
        args.out,
        partitions=args.partitions,
        backend=args.backend,
        name=Path(args.events).stem,
        force=args.force,
    )
    for message in run.warnings[:20]:
        print(f"eventstudy: warning: {message}", file=sys.stderr)
    if len(run.warnings) > 20:
        print(
            f"eventstudy: warning: ... and {len(run.warnings) - 20} more warnings; the status column of "
            f"{Path(args.out) / 'params'} records, for each firm-event, what they said of it",
            file=sys.stderr,
        )
    print(
        f"wrote ar/, params/ and tests/ (Parquet, one file per partition), aggregate.csv and summary.json to "
        f"{args.out} ({run.n_used} of {run.n_events} firm-events used, {args.partitions} partitions)",
        file=out,
    )
    return 0


def run_options(args: argparse.Namespace) -> dict[str, Any]:
    """Return the study options ``run`` was given, as keyword arguments of :class:`StudyConfig` (no events)."""
    from eventstudy._options import (
        EstimationOverlap,
        Measure,
        ModelName,
        NegativePrices,
        ReturnKind,
        ReturnsUnit,
        SourceName,
        validate_literal,
    )
    from eventstudy.conventions import get_convention
    from eventstudy.errors import ConfigError

    if args.convention is not None:
        get_convention(args.convention, "--convention")
    given: dict[str, Any] = {
        "model": args.model,
        "measure": args.measure,
        "factors": args.factors,
        "factor_columns": ",".join(args.factor_columns) if args.factor_columns else None,
        "estimation": args.estimation,
        "event_window": args.window,
        "car_windows": [w for given in args.car_windows for w in window_list(given)] if args.car_windows else None,
        "returns": args.returns,
        "convention": args.convention,
        "calendar": args.calendar,
        "date_format": args.date_format,
        "min_estimation_obs": args.min_estimation_obs,
        "estimation_overlap": args.estimation_overlap,
        "negative_prices": args.negative_prices,
        "source": args.source,
        "prices": list(args.prices) if args.prices else None,
        "returns_data": args.returns_data,
        "returns_unit": args.returns_unit,
        "allow_jumps": args.allow_jumps,
        "allow_duplicates": args.allow_duplicates,
        "strict": args.strict,
    }
    given = {k: v for k, v in given.items() if v is not None}
    # checked here so that a bad value is named by the option the user typed (--model, not model)
    for key, alias in (
        ("model", ModelName),
        ("measure", Measure),
        ("returns", ReturnKind),
        ("source", SourceName),
        ("returns_unit", ReturnsUnit),
        ("estimation_overlap", EstimationOverlap),
        ("negative_prices", NegativePrices),
    ):
        if key in given:
            validate_literal("--" + key.replace("_", "-"), given[key], alias)
    if given.get("source") == "bundled" and "prices" in given:
        raise ConfigError("--source bundled reads the bundled snapshot, but --prices was given too; drop one of them.")
    for key, option in (("estimation", "--estimation"), ("event_window", "--window")):
        if key in given:
            given[key] = Window.parse(given[key], option)
    if "car_windows" in given:
        given["car_windows"] = tuple(Window.parse(w, "--car-windows") for w in given["car_windows"])
    return given


def run_request(args: argparse.Namespace) -> StudyConfig:
    """Turn ``run``'s options (and ``--config``) into a study request; given options win."""
    from eventstudy.config import StudyConfig, read_events_with_windows
    from eventstudy.errors import ConfigError

    base = None
    if args.config and str(args.config).lower().endswith(".toml"):
        base = StudyConfig.from_toml(args.config)  # a study file, as `eventstudy report` takes
    elif args.config:
        base = StudyConfig.from_dict(_config_file(args.config), where=f"--config {args.config}")
    given = run_options(args)
    if base is None and not args.events:
        raise ConfigError(
            "run needs --events FILE (or --config with a study TOML or the summary.json of an earlier run)."
        )
    if args.events:
        date_format = given.get("date_format", base.date_format if base else None)
        events, request = read_events_with_windows(args.events, market=args.market, date_format=date_format)
        if request is not None:  # an EventStudyTools request file carries its windows
            given.setdefault("estimation", request.estimation)
            given.setdefault("event_window", request.event_window)
        # a pipe (/dev/fd/63) has no name worth giving the study
        given.update(name=Path(args.events).stem if Path(args.events).is_file() else "events", events=events)
    elif args.market:
        raise ConfigError("--market applies to --events; the events of --config keep their markets.")
    return base.with_(**given) if base is not None else StudyConfig(**given)


BASE_BYTES = 400e6
"""Memory of a run before its firm-events: Python, the libraries and a price panel."""
BYTES_PER_EVENT = 16e3
"""Memory per firm-event of a run that writes its outputs (measured: about 12 kB in the engine, plus the tables)."""


def check_memory(n_events: int, max_gb: float) -> None:
    """Refuse a batch whose estimated memory exceeds ``max_gb``, saying what would fit.

    Raises
    ------
    ConfigError
        With the estimate and the batch size that fits the limit.
    """
    from eventstudy.errors import ConfigError

    need = BASE_BYTES + n_events * BYTES_PER_EVENT
    if need > max_gb * 1e9:
        fits = max(1, int((max_gb * 1e9 - BASE_BYTES) / BYTES_PER_EVENT))
        raise ConfigError(
            f"{n_events:,} firm-events need about {need / 1e9:.1f} GB, above --max-memory {max_gb:g} GB; split the "
            f"events file into files of at most {fits:,} rows, or raise --max-memory if the machine has the memory."
        )


def safe_name(name: str) -> str:
    """Return ``name`` as a single folder name (no path separators, no leading dots).

    Examples
    --------
    >>> safe_name("../../x"), safe_name("DeepSeek 2025/01")
    ('x', 'DeepSeek-2025-01')
    """
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "study"


def _cache_dir(args: argparse.Namespace) -> Path | None:
    return Path(args.cache_dir) if getattr(args, "cache_dir", None) else None


def _config_file(path: str) -> dict[str, Any]:
    import json

    from eventstudy.errors import ConfigError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ConfigError(f"--config {path}: file not found; check the path.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"--config {path}: not valid JSON ({exc}); pass the summary.json an earlier run wrote."
        ) from None
    if isinstance(data, dict) and "config" in data:
        data = data["config"]
    if not isinstance(data, dict):
        raise ConfigError(f"--config {path}: not a configuration; pass the summary.json an earlier run wrote.")
    return data


def _cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    from eventstudy.claims import verify_study
    from eventstudy.study import make_source

    config = _load_study(args.study)
    study_file = Path(args.study) if args.study else default_study_path()
    # the claims are checked against the study's own prices and share counts
    table, failed = verify_study(
        config,
        base_dir=study_file.parent,
        claims=Path(args.claims) if args.claims else None,
        source=make_source(config, offline=args.offline, cache_dir=_cache_dir(args)),
    )
    print(table, file=out)
    if failed:
        print(
            f"eventstudy: {len(failed)} gated claim(s) below their declared grade: {', '.join(failed)}", file=sys.stderr
        )
        return 1
    return 0


def _cmd_xsection(args: argparse.Namespace, out: TextIO) -> int:
    import pandas as pd

    from eventstudy._io import check_output_file, csv_text, write_text_atomic
    from eventstudy.crosssection import portfolio_time_series
    from eventstudy.data.manifest import data_root
    from eventstudy.data.sources import read_csv_file
    from eventstudy.study import EventStudy

    config = _load_study(args.study)
    if args.out:  # before any work: the table must not replace the files it is computed from
        inputs = [*config.input_files, *(Path(p) for p in (args.characteristics, args.study) if p)]
        check_output_file(Path(args.out), inputs=inputs, protected=[data_root()])
    data = read_csv_file(Path(args.characteristics)) if args.characteristics else None
    res = EventStudy(config).fit()
    fit = res.cross_section(
        args.formula, data, window=args.window, cov=args.cov, groups=args.groups, weights=args.weights
    )
    # both estimates before any output: a refused one leaves one error line, not half a result
    portfolio = portfolio_time_series(res, args.formula, data, window=args.window) if args.portfolio else None
    print(fit.summary(), file=out)
    table = pd.DataFrame({"params": fit.params, "bse": fit.bse, "tvalues": fit.tvalues, "pvalues": fit.pvalues})
    table["cov"] = fit.cov_type
    if portfolio is not None:
        print("\n" + portfolio.summary(), file=out)
        extra = pd.DataFrame(
            {
                "params": portfolio.params,
                "bse": portfolio.bse,
                "tvalues": portfolio.tvalues,
                "pvalues": portfolio.pvalues,
            }
        )
        table = pd.concat([table, extra.assign(cov=portfolio.cov_type)])
    if args.out:
        write_text_atomic(Path(args.out), csv_text(table.reset_index(names="term"), "%.12g"))
    return 0


def _cmd_claims_template(args: argparse.Namespace, out: TextIO) -> int:
    from eventstudy.claims import claims_template

    out.write(claims_template())
    return 0


def _cmd_fetch(args: argparse.Namespace, out: TextIO) -> int:
    from eventstudy.data.yahoo import YahooSource
    from eventstudy.dates import parse_date

    source = YahooSource(
        parse_date("--start", args.start),
        parse_date("--end", args.end),
        cache_dir=_cache_dir(args),
        offline=args.offline,
    )
    report = source.fetch(args.tickers)
    if report.network_down:
        print(
            "eventstudy: error: Yahoo Finance is unreachable (no network); nothing was downloaded and the "
            f"cache in {source.cache.folder} is unchanged. Reports and runs will use the bundled "
            "snapshot or the cache.",
            file=sys.stderr,
        )
        return 1
    for t, n in report.rows.items():
        print(f"{t}: {n} rows cached", file=out)
    for t, why in report.failed.items():
        print(f"eventstudy: error: {t}: {why}", file=sys.stderr)
    return 1 if report.failed else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
