"""``rpeval codebook validate`` and ``rpeval codes agreement``: thin calls into
`rpeval.qualitative`.

Exit codes as every rpeval command: 0 clean, 1 checks failed (a codebook error, a code
below ``--min-alpha``), 2 usage or input error. Everything printed goes through
:func:`rpeval._text.for_terminal`.
"""

from __future__ import annotations

import argparse
import json
import sys

from rpeval._text import for_terminal
from rpeval.cli._common import (
    EXIT_CHECKS_FAILED,
    EXIT_OK,
    Subparsers,
    add_deprecated_alias,
    add_random_state_option,
    add_report_format,
    print_report,
    usage_error,
)

__all__ = ["add_codebook_commands"]


def _run_validate(args: argparse.Namespace) -> int:
    from rpeval.qualitative import validate_codebooks

    return print_report(validate_codebooks(args.paths, baseline=args.baseline), args.format)


def _run_agreement(args: argparse.Namespace) -> int:
    from rpeval._files import read_table
    from rpeval.qualitative import agreement, coded_segments, load_codebook

    codebook = load_codebook(args.codebook)
    data = read_table(args.data)
    coded = coded_segments(
        data,
        codebook,
        segment=args.segment,
        participant=args.participant,
        group=args.group,
        coder=args.coder,
        code=args.code,
        rating=args.rating,
    )
    table = agreement(
        coded,
        conf_level=args.conf_level,
        n_bootstrap=args.n_bootstrap,
        random_state=args.random_state,
    )
    failing = table.failing(args.min_alpha)
    if args.junit:
        with open(args.junit, "w", encoding="utf-8") as handle:
            handle.write(table.to_junit(args.min_alpha))
    if args.format == "junit":
        print(for_terminal(table.to_junit(args.min_alpha)))
    elif args.format == "json":
        payload = table.to_dict() | {"min_alpha": args.min_alpha, "failing": failing}
        print(json.dumps(payload, indent=2, default=str))
    else:
        print(for_terminal(table.text(args.min_alpha)))
    if failing:
        print(
            for_terminal(
                f"rpeval: {len(failing)} code(s) below alpha {args.min_alpha}: {', '.join(failing)}"
            ),
            file=sys.stderr,
        )
        return EXIT_CHECKS_FAILED
    return EXIT_OK


def add_codebook_commands(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
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
    add_report_format(validate)
    validate.set_defaults(handler=_run_validate)
    codebook.set_defaults(handler=lambda _args: usage_error(codebook, "validate"))

    codes = subparsers.add_parser(
        "codes",
        help="check coded qualitative data (inter-rater reliability)",
        description="Coded interview segments checked against a codebook.",
    )
    code_commands = codes.add_subparsers(title="codes commands", metavar="COMMAND")
    gate = code_commands.add_parser(
        "agreement",
        help="reliability per code; exit 1 when a code's alpha is below --min-alpha",
        description="Krippendorff's alpha (with a bootstrap CI), percent agreement, AC1, "
        "Fleiss' and Cohen's kappa per code of the codebook. Exit 1 when a code's alpha is "
        "below --min-alpha or undefined (one value only).",
    )
    gate.add_argument("data", metavar="DATA", help="coded segments, .csv or .parquet")
    gate.add_argument("--codebook", required=True, metavar="PATH", help="codebook YAML")
    gate.add_argument("--min-alpha", type=float, default=0.667, metavar="A")
    gate.add_argument("--conf-level", type=float, default=0.95)
    gate.add_argument(
        "--n-bootstrap", type=int, default=1000, metavar="N", help="bootstrap draws for alpha"
    )
    add_deprecated_alias(gate, "--n-boot", "--n-bootstrap", dest="n_bootstrap")
    add_random_state_option(gate, default=0, what="bootstrap")
    for name in ("segment", "participant", "group", "coder", "code"):
        gate.add_argument(f"--{name}", default=name, metavar="COLUMN")
    gate.add_argument("--rating", default=None, metavar="COLUMN", help="ordinal ratings")
    add_report_format(gate)
    gate.add_argument("--junit", metavar="FILE", help="also write a JUnit report to FILE")
    gate.set_defaults(handler=_run_agreement)
    codes.set_defaults(handler=lambda _args: usage_error(codes, "agreement"))
