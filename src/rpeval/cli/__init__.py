"""The ``rpeval`` command line.

A thin layer: each subcommand parses its arguments and calls library functions. One module
per command group: ``_demo`` (``rpeval demo``), ``_evaluate`` (``rpeval evaluate``,
``rpeval schema``), ``_metrics`` (``rpeval metrics ...``), ``_codebook`` (``rpeval codebook
...``, ``rpeval codes ...``); ``_common`` holds exit codes and shared options.
Exit codes follow ruff: 0 success, 1 checks failed, 2 usage or configuration error.
An :class:`~rpeval.errors.RpevalError` is printed as its message and hint, an ``OSError``
(a file that cannot be read or written) as one line; the traceback only with ``--debug``.
Messages go through :func:`rpeval._text.for_terminal`, so no control character in a file
name or a value reaches the terminal. Commands that draw random numbers take
``--random-state N``; ``--seed`` still works and prints a deprecation note (so does
``--n-boot``, now ``--n-bootstrap``).

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

from rpeval import __version__
from rpeval._text import for_terminal
from rpeval.cli._codebook import add_codebook_commands
from rpeval.cli._common import EXIT_USAGE
from rpeval.cli._demo import add_demo_command
from rpeval.cli._evaluate import add_evaluate_command, add_schema_command
from rpeval.cli._metrics import add_metrics_commands
from rpeval.errors import RpevalError

__all__ = ["build_parser", "entry_point", "main"]

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser; each command group registers itself here."""
    parser = argparse.ArgumentParser(
        prog="rpeval",
        description="Evaluate restorative practices in policing: time to reoffense, "
        "matched comparisons with traditional processing, and program metrics.",
    )
    parser.add_argument("--version", action="version", version=f"rpeval {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    add_demo_command(subparsers)
    add_evaluate_command(subparsers)
    add_schema_command(subparsers)
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
