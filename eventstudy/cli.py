"""Command-line interface: parse input, call the library, report errors in one line.

Exit codes: 0 success; 1 a gated claim failed (``verify``) or a download failed
(``fetch``); 2 bad input or unusable data.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from eventstudy.config import StudyConfig
from eventstudy.errors import EventStudyError, EventStudyWarning

DEFAULT_STUDY = "studies/deepseek-2025-01-27.toml"
_NEGATIVE_VALUE_OPTIONS = ("--estimation", "--window")


def default_study_path() -> Path:
    """Path of the bundled default study (the DeepSeek sell-off)."""
    from eventstudy.data.manifest import data_root

    return data_root() / DEFAULT_STUDY


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eventstudy",
        description="Market-impact event studies: abnormal returns, tests, dollar figures and reports.",
        epilog="Windows are relative sessions, both ends inclusive: -250:-11 is 240 sessions. "
        "Run 'eventstudy COMMAND --help' for each command.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    rep = sub.add_parser(
        "report",
        help="regenerate a study's report (default: the DeepSeek study)",
        description="Run a study and write figures, tables, results.json, report.md and index.html.",
    )
    rep.add_argument("study", nargs="?", help="study TOML file (default: the bundled DeepSeek study)")
    rep.add_argument("--out", help="output folder (default: reports/<study name>)")
    rep.add_argument(
        "--offline", action="store_true", help="never touch the network: Yahoo studies read the on-disk cache only"
    )

    run = sub.add_parser(
        "run",
        help="run an event study on your own events and prices",
        description="Compute ARs, CARs and tests for the events in --events and write "
        "ar.csv, params.csv, tests.csv (single-firm and many-firm tests), aggregate.csv (AAR/CAAR "
        "with every many-firm test, distribution and reason when a test cannot apply) and summary.json to --out.",
    )
    run.add_argument(
        "--prices",
        action="append",
        help="folder of <TICKER>.csv files, one wide CSV, or one long CSV (ticker,date,close or the "
        "EventStudyTools id;DD.MM.YYYY;price layout); repeat for several files (default: bundled snapshot)",
    )
    run.add_argument(
        "--events",
        required=True,
        help="CSV with columns event_id,ticker,event_date[,market], or an EventStudyTools request file "
        "(its windows are used unless --estimation/--window are given)",
    )
    run.add_argument("--market", help="market proxy ticker for events without a market column, e.g. ^GSPC")
    run.add_argument(
        "--model",
        default="market",
        help="market (default), market_adjusted, constant_mean, ff3, ff5, carhart, or custom (with --factors)",
    )
    run.add_argument(
        "--factors",
        help="for --model custom: CSV with date and factor columns in decimals (an 'rf' column makes returns excess)",
    )
    run.add_argument(
        "--factor-columns",
        help="for --model custom: comma-separated columns of --factors; 'market' adds the event's market proxy",
    )
    run.add_argument(
        "--estimation", default=None, help="estimation window (default: the convention's; -250:-11 for mackinlay)"
    )
    run.add_argument("--window", default=None, help="event window, default -1:1")
    run.add_argument("--returns", default=None, help="simple or log (default: the convention's; simple for mackinlay)")
    run.add_argument(
        "--convention",
        default="mackinlay",
        help="convention profile: mackinlay (default; MacKinlay 1997), estudy2 (R estudy2), "
        "eventstudytools (EventStudyTools service); see the README for what each sets",
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
        help="fewest estimation returns per firm-event (default: half the window)",
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
        help="bundled (default without --prices), csv (with --prices) or yahoo (download, cached)",
    )
    run.add_argument(
        "--offline", action="store_true", help="never touch the network: --source yahoo reads the on-disk cache only"
    )
    run.add_argument(
        "--allow-jumps",
        action="store_true",
        help="keep firm-events whose price moves by an exact split factor (1/2, 1/3, 2, ...) in one day; "
        "by default such a jump is taken for a missing split adjustment and the firm-event is left out",
    )
    run.add_argument("--strict", action="store_true", help="fail instead of leaving out unusable firm-events")
    run.add_argument("--out", help="output folder; without it a summary is printed")

    ver = sub.add_parser(
        "verify",
        help="check reported figures against the data; exit 1 if a gated claim fails",
        description="Compare every reported figure of a study's claims file with the data.",
    )
    ver.add_argument("study", nargs="?", help="study TOML file (default: the bundled DeepSeek study)")

    fetch = sub.add_parser(
        "fetch",
        help="download prices from Yahoo Finance into the cache",
        description="Download daily prices with yfinance into the on-disk cache.",
    )
    fetch.add_argument("tickers", nargs="+", help="tickers, e.g. NVDA ^GSPC")
    fetch.add_argument("--start", required=True, help="first date, YYYY-MM-DD")
    fetch.add_argument("--end", required=True, help="last date, YYYY-MM-DD")
    fetch.add_argument("--cache-dir", help="cache folder (default $EVENTSTUDY_CACHE_DIR or ~/.cache/eventstudy)")
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
            print(f"eventstudy: error: {exc.filename}: {exc.strerror}; check the path.", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("eventstudy: interrupted; nothing was written.", file=sys.stderr)
            return 130
    for line in dict.fromkeys(held):
        print(line, file=sys.stderr)
    return code


def _dispatch(args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "report":
        return _cmd_report(args, out)
    if args.command == "run":
        return _cmd_run(args, out)
    if args.command == "verify":
        return _cmd_verify(args, out)
    return _cmd_fetch(args, out)


def _load_study(path: str | None) -> StudyConfig:
    return StudyConfig.from_toml(Path(path) if path else default_study_path())


def _cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    from eventstudy._io import check_output_folder
    from eventstudy.report import build_report

    config = _load_study(args.study)
    target = Path(args.out) if args.out else Path("reports") / config.name
    check_output_folder(target)
    from eventstudy.study import make_source

    source = make_source(config, offline=args.offline)
    build_report(
        config, target, source=source, base_dir=(Path(args.study) if args.study else default_study_path()).parent
    )
    print(
        f"report written to {target}/index.html (also report.md, figures/, tables/, results.json); "
        f"prices from the {source.name}",
        file=out,
    )
    return 0


def _cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    from eventstudy._io import check_output_folder
    from eventstudy._options import NegativePrices, SourceName, validate_literal
    from eventstudy.backends import Backend
    from eventstudy.config import StudyConfig, is_request_file, read_events_csv, read_request_file
    from eventstudy.conventions import get_convention
    from eventstudy.data.sources import BundledSource, CsvSource, MultiSource, Source
    from eventstudy.errors import ConfigError
    from eventstudy.study import EventStudy
    from eventstudy.windows import Window

    conv = get_convention(args.convention, "--convention")
    if args.out:
        check_output_folder(Path(args.out))
    validate_literal("--backend", args.backend, Backend)
    negative = validate_literal("--negative-prices", args.negative_prices or conv.negative_prices, NegativePrices)
    estimation = Window.parse(args.estimation or conv.estimation, "--estimation")
    window = Window.parse(args.window or "-1:1", "--window")
    if is_request_file(args.events):
        request = read_request_file(args.events)
        events = request.events
        estimation = estimation if args.estimation else request.estimation
        window = window if args.window else request.event_window
    else:
        events = read_events_csv(args.events, args.market)
    min_obs = args.min_estimation_obs if args.min_estimation_obs is not None else max(3, estimation.length // 2)
    prices = [str(p) for p in args.prices or []]
    config = StudyConfig(
        name=Path(args.events).stem,
        events=events,
        source="csv" if prices else "bundled",
        prices=prices[0] if len(prices) == 1 else None,
        model=args.model,
        factors=args.factors,
        factor_columns=tuple(c.strip() for c in (args.factor_columns or "").split(",") if c.strip()),
        returns=args.returns or conv.returns,
        convention=conv.name,
        estimation=estimation,
        event_window=window,
        car_windows=(window,),
        min_estimation_obs=min_obs,
    )
    source: Source
    chosen = args.source or ("csv" if prices else "bundled")
    validate_literal("--source", chosen, SourceName)
    if chosen == "yahoo":
        from eventstudy.study import make_source

        source = make_source(config.with_(source="yahoo"), offline=args.offline)
    elif chosen == "csv" and not prices:
        raise ConfigError("--source csv needs --prices PATH.")
    elif not prices:
        source = BundledSource()
    elif len(prices) == 1:
        source = CsvSource(prices[0], negative)
    else:
        source = MultiSource([CsvSource(p, negative) for p in prices])
    res = EventStudy(config, source, strict=args.strict, backend=args.backend, allow_jumps=args.allow_jumps).fit()
    if not args.out:
        print(res.summary().as_text(), file=out)
        return 0
    res.write(Path(args.out), source=source.name)
    n_used = int(res.events["status"].str.startswith("ok").sum())
    print(
        f"wrote ar.csv, params.csv, tests.csv, aggregate.csv and summary.json to {args.out} ({n_used} of "
        f"{len(res.events)} firm-events used; prices from the {source.name})",
        file=out,
    )
    return 0


def _cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    from eventstudy.claims import verify_study

    config = _load_study(args.study)
    study_file = Path(args.study) if args.study else default_study_path()
    table, failed = verify_study(config, base_dir=study_file.parent)
    print(table, file=out)
    if failed:
        print(f"eventstudy: {len(failed)} gated claim(s) not supported: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _cmd_fetch(args: argparse.Namespace, out: TextIO) -> int:
    from eventstudy.config import parse_date
    from eventstudy.data.yahoo import YahooSource

    source = YahooSource(
        parse_date("--start", args.start),
        parse_date("--end", args.end),
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
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
