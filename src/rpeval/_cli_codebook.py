"""``rpeval codebook validate`` and ``rpeval codes agreement``: thin calls into
`rpeval.qualitative`.

Exit codes as every rpeval command: 0 clean, 1 checks failed (a codebook error, a code
below ``--min-alpha``), 2 usage or input error. Everything printed goes through
:func:`rpeval._text.for_terminal`.
"""

from __future__ import annotations

import argparse
import sys

from rpeval._text import for_terminal

__all__ = ["add_codebook_commands"]


def _run_validate(args: argparse.Namespace) -> int:
    from rpeval.qualitative import validate_codebooks

    report = validate_codebooks(args.paths, baseline=args.baseline)
    rendered = {"text": report.to_text, "json": report.to_json, "junit": report.to_junit}
    print(for_terminal(rendered[args.format]()))
    return report.exit_code


def _usage(parser: argparse.ArgumentParser, commands: str) -> int:
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: a command is required ({commands})", file=sys.stderr)
    return 2


def add_codebook_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Register ``rpeval codebook ...`` and ``rpeval codes ...``."""
    codebook = subparsers.add_parser(
        "codebook",
        help="validate versioned codebooks for qualitative coding",
        description="Versioned codebooks (YAML): codes, definitions, rules, themes.",
    )
    commands = codebook.add_subparsers(title="codebook commands", metavar="COMMAND")
    validate = commands.add_parser(
        "validate",
        help="check codebook files (exit 1 on errors)",
        description="Stages: schema, semantic, breaking changes (with --baseline).",
    )
    validate.add_argument("paths", nargs="+", metavar="PATH")
    validate.add_argument(
        "--baseline", metavar="DIR|git:REF", help="previous codebooks to compare with"
    )
    validate.add_argument("--format", choices=["text", "json", "junit"], default="text")
    validate.set_defaults(handler=_run_validate)
    codebook.set_defaults(handler=lambda _args: _usage(codebook, "validate"))
