"""What every ``rpeval`` command shares: exit codes, option types and common options.

>>> positive_int("3")
3
>>> EXIT_OK, EXIT_CHECKS_FAILED, EXIT_USAGE
(0, 1, 2)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, Protocol

from rpeval._text import for_terminal

__all__ = [
    "EXIT_CHECKS_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Subparsers",
    "add_deprecated_alias",
    "add_force_option",
    "add_random_state_option",
    "add_report_format",
    "positive_int",
    "print_report",
    "usage_error",
]

EXIT_OK = 0
EXIT_CHECKS_FAILED = 1
EXIT_USAGE = 2

Subparsers = argparse._SubParsersAction


def positive_int(text: str) -> int:
    """Parse a whole number >= 1 (an argparse ``type``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def add_force_option(parser: argparse.ArgumentParser) -> None:
    """``--force``: replace files in ``--out`` that rpeval did not write."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace files in --out that rpeval did not write (by default it refuses)",
    )


class _DeprecatedOption(argparse.Action):
    """An old option name that still works, with a note on stderr naming the new one
    (``--seed`` -> ``--random-state``, ``--n-boot`` -> ``--n-bootstrap``)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        self.replacement = kwargs.pop("replacement")
        super().__init__(option_strings, dest, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        print(
            f"{parser.prog}: note: {option_string} is deprecated; use {self.replacement}",
            file=sys.stderr,
        )
        setattr(namespace, self.dest, values)


def add_deprecated_alias(
    parser: argparse.ArgumentParser, old: str, new: str, *, dest: str, type: Any = int
) -> None:
    """`old` as a hidden alias of the option `new` (same `dest`): it still works and
    prints ``note: OLD is deprecated; use NEW`` on stderr."""
    parser.add_argument(
        old, dest=dest, type=type, action=_DeprecatedOption, replacement=new, help=argparse.SUPPRESS
    )


def add_random_state_option(parser: argparse.ArgumentParser, *, default: int, what: str) -> None:
    """``--random-state N`` (the library's ``random_state``); ``--seed`` is its deprecated alias."""
    parser.add_argument(
        "--random-state",
        type=int,
        default=default,
        metavar="N",
        help=f"random_state of the {what}",
    )
    add_deprecated_alias(parser, "--seed", "--random-state", dest="random_state")


class Report(Protocol):
    """A checking command's report (metrics validate and monitor, codebook validate)."""

    @property
    def exit_code(self) -> int: ...
    def to_text(self) -> str: ...
    def to_json(self) -> str: ...
    def to_junit(self) -> str: ...


def add_report_format(parser: argparse.ArgumentParser) -> None:
    """``--format text|json|junit`` (default text) of a checking command."""
    parser.add_argument("--format", choices=["text", "json", "junit"], default="text")


def print_report(report: Report, form: str) -> int:
    """Print `report` in the ``--format`` `form` (through :func:`for_terminal`) and return
    its exit code."""
    rendered = {"text": report.to_text, "json": report.to_json, "junit": report.to_junit}
    print(for_terminal(rendered[form]()))
    return report.exit_code


def usage_error(parser: argparse.ArgumentParser, commands: str) -> int:
    """A command group called without its command: usage on stderr, exit 2."""
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: a command is required ({commands})", file=sys.stderr)
    return EXIT_USAGE
