"""The ``rpeval`` command line.

A thin layer: each subcommand parses its arguments and calls library functions.
Exit codes follow ruff: 0 success, 1 checks failed, 2 usage or configuration error.
An :class:`~rpeval.errors.RpevalError` is printed as its message and hint, an ``OSError``
(a file that cannot be read or written) as one line; the traceback only with ``--debug``.
Messages go through :func:`rpeval._text.for_terminal`, so no control character in a file
name or a value reaches the terminal.

Examples
--------
>>> main(["--version"])  # doctest: +ELLIPSIS
rpeval ...
0
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from rpeval import __version__
from rpeval._cli_codebook import add_codebook_commands
from rpeval._cli_metrics import add_metrics_commands
from rpeval._outputs import staged_output
from rpeval._text import for_terminal
from rpeval.errors import RpevalError

__all__ = ["build_parser", "entry_point", "main"]

EXIT_OK = 0
EXIT_CHECKS_FAILED = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]
EVALUATE_FILES = ("report.html", "results.json")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def _run_demo(args: argparse.Namespace) -> int:
    from rpeval.report.demo import DEMO_FILES, format_demo, run_demo

    out = Path(args.out)
    with staged_output(out, DEMO_FILES, force=args.force) as stage:
        evaluation, truth, _ = run_demo(
            stage,
            n_participants=args.participants,
            n_comparison=args.comparison,
            random_state=args.seed,
            progress=not args.no_progress,
        )
    print(for_terminal(format_demo(evaluation, truth, out / "report.html")))
    return EXIT_OK


def _add_demo(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="simulate a restorative-practice program and evaluate it end to end",
        description="Simulate a police restorative-practice program with a known effect, "
        "run the whole evaluation, and write report.html, results.json, the simulated data "
        "(CSV) and a config.yaml for `rpeval evaluate` to --out.",
    )
    demo.add_argument("--participants", type=_positive_int, default=500, metavar="N")
    demo.add_argument("--comparison", type=_positive_int, default=5000, metavar="N")
    demo.add_argument("--seed", type=int, default=0, help="random_state of the simulation")
    demo.add_argument("--out", default="rpeval-demo", metavar="DIR", help="output directory")
    _force_option(demo)
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")
    demo.set_defaults(handler=_run_demo)


def _run_evaluate(args: argparse.Namespace) -> int:
    from rpeval.report._provenance import with_source
    from rpeval.report.config import load_config, run_config

    config_path = Path(args.config)
    config = load_config(config_path)
    out = Path(args.out)
    with staged_output(out, EVALUATE_FILES, force=args.force) as stage:
        evaluation = run_config(config, config_path.parent, progress=not args.no_progress)
        evaluation = with_source(evaluation, config_path, config.data.model_dump())
        evaluation.to_html(stage / "report.html")
        evaluation.to_json(stage / "results.json")
    print(for_terminal("\n".join(f"- {sentence}" for sentence in evaluation.headline_sentences())))
    print(for_terminal(f"Report: {(out / 'report.html').resolve()}"))
    if not evaluation.ok and not args.allow_failed_checks:
        print(
            for_terminal(
                f"rpeval: the design failed {len(evaluation.guards.failed)} check(s) "
                "(see the banner above the findings); exit 1. "
                "--allow-failed-checks turns this into a warning."
            ),
            file=sys.stderr,
        )
        return EXIT_CHECKS_FAILED
    return EXIT_OK


def _force_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace files in --out that rpeval did not write (by default it refuses)",
    )


def _add_evaluate(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subparsers.add_parser(
        "evaluate",
        help="run an evaluation described by a YAML configuration",
        description="Read the data named in CONFIG (CSV or Parquet), run the evaluation, "
        "and write report.html and results.json to --out (checked before the run; the files "
        "appear only when the run succeeds).",
    )
    command.add_argument("config", metavar="CONFIG")
    command.add_argument("--out", default="rpeval-report", metavar="DIR")
    command.add_argument(
        "--allow-failed-checks",
        action="store_true",
        help="exit 0 even when a design check fails (the report still says so first)",
    )
    _force_option(command)
    command.add_argument("--no-progress", action="store_true", help="no progress bar")
    command.set_defaults(handler=_run_evaluate)


def _run_schema(args: argparse.Namespace) -> int:
    from rpeval.report.config import config_json_schema

    print(config_json_schema())
    return EXIT_OK


def _add_schema(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subparsers.add_parser(
        "schema",
        help="print a JSON Schema (for editor completion of YAML files)",
        description="Print the JSON Schema of an rpeval YAML file: `config` is the "
        "configuration of `rpeval evaluate` (for metric files: `rpeval metrics schema`).",
    )
    command.add_argument("which", choices=["config"])
    command.set_defaults(handler=_run_schema)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser; subcommands register themselves here."""
    parser = argparse.ArgumentParser(
        prog="rpeval",
        description="Evaluate restorative practices in policing: time to reoffense, "
        "matched comparisons with traditional processing, and program metrics.",
    )
    parser.add_argument("--version", action="version", version=f"rpeval {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_demo(subparsers)
    _add_evaluate(subparsers)
    _add_schema(subparsers)
    add_metrics_commands(subparsers)
    add_codebook_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (never raises for user errors)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse reports usage errors and --help this way
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_usage(sys.stderr)
        print("rpeval: error: a command is required (try 'rpeval demo')", file=sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except RpevalError as error:
        if args.debug:
            traceback.print_exc()
        print(for_terminal(f"rpeval: error: {error}"), file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:  # the file system refused: one line, no traceback
        if args.debug:
            traceback.print_exc()
        print(for_terminal(f"rpeval: error: {_os_message(error)}"), file=sys.stderr)
        return EXIT_USAGE


def _os_message(error: OSError) -> str:
    """``OSError`` in one line: what failed, and on which file."""
    what = error.strerror or str(error) or type(error).__name__
    files = [str(f) for f in (error.filename, error.filename2) if f is not None]
    return f"{what}: {' -> '.join(files)}" if files else what


def entry_point() -> None:  # pragma: no cover - exercised through the installed script
    sys.exit(main())
