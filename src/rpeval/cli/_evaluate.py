"""``rpeval evaluate CONFIG`` and ``rpeval schema config``: the configured evaluation."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rpeval._outputs import staged_output
from rpeval._text import for_terminal
from rpeval.cli._common import EXIT_CHECKS_FAILED, EXIT_OK, Subparsers, add_force_option

__all__ = ["EVALUATE_FILES", "add_evaluate_command", "add_schema_command"]

EVALUATE_FILES = ("report.html", "results.json")


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


def add_evaluate_command(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    """Register ``rpeval evaluate``."""
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
    add_force_option(command)
    command.add_argument("--no-progress", action="store_true", help="no progress bar")
    command.set_defaults(handler=_run_evaluate)


def _run_schema(args: argparse.Namespace) -> int:
    from rpeval.report.config import config_json_schema

    print(config_json_schema())
    return EXIT_OK


def add_schema_command(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    """Register ``rpeval schema config``."""
    command = subparsers.add_parser(
        "schema",
        help="print a JSON Schema (for editor completion of YAML files)",
        description="Print the JSON Schema of an rpeval YAML file: `config` is the "
        "configuration of `rpeval evaluate` (for metric files: `rpeval metrics schema`).",
    )
    command.add_argument("which", choices=["config"])
    command.set_defaults(handler=_run_schema)
