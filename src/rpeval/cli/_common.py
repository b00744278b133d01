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
from typing import Any

__all__ = [
    "EXIT_CHECKS_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Subparsers",
    "add_force_option",
    "add_random_state_option",
    "positive_int",
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


class _DeprecatedSeed(argparse.Action):
    """``--seed`` still works, with a note on stderr naming ``--random-state``."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        print(
            f"{parser.prog}: note: --seed is deprecated; use --random-state",
            file=sys.stderr,
        )
        setattr(namespace, self.dest, values)


def add_random_state_option(parser: argparse.ArgumentParser, *, default: int, what: str) -> None:
    """``--random-state N`` (the library's ``random_state``); ``--seed`` is its deprecated alias."""
    parser.add_argument(
        "--random-state",
        type=int,
        default=default,
        metavar="N",
        help=f"random_state of the {what}",
    )
    parser.add_argument(
        "--seed",
        dest="random_state",
        type=int,
        action=_DeprecatedSeed,
        help=argparse.SUPPRESS,
    )


def usage_error(parser: argparse.ArgumentParser, commands: str) -> int:
    """A command group called without its command: usage on stderr, exit 2."""
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: a command is required ({commands})", file=sys.stderr)
    return EXIT_USAGE
