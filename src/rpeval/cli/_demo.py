"""``rpeval demo``: simulate a program with a known effect and evaluate it end to end."""

from __future__ import annotations

import argparse
from pathlib import Path

from rpeval._outputs import staged_output
from rpeval._text import for_terminal
from rpeval.cli._common import (
    EXIT_OK,
    Subparsers,
    add_force_option,
    add_random_state_option,
    positive_int,
)

__all__ = ["add_demo_command"]


def _run_demo(args: argparse.Namespace) -> int:
    from rpeval.report.demo import DEMO_FILES, format_demo, run_demo

    out = Path(args.out)
    with staged_output(out, DEMO_FILES, force=args.force) as stage:
        evaluation, truth, _ = run_demo(
            stage,
            n_participants=args.participants,
            n_comparison=args.comparison,
            random_state=args.random_state,
            progress=not args.no_progress,
        )
    print(for_terminal(format_demo(evaluation, truth, out / "report.html")))
    return EXIT_OK


def add_demo_command(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    """Register ``rpeval demo``."""
    demo = subparsers.add_parser(
        "demo",
        help="simulate a restorative-practice program and evaluate it end to end",
        description="Simulate a police restorative-practice program with a known effect, "
        "run the whole evaluation, and write report.html, results.json, the simulated data "
        "(CSV) and a config.yaml for `rpeval evaluate` to --out.",
    )
    demo.add_argument("--participants", type=positive_int, default=500, metavar="N")
    demo.add_argument("--comparison", type=positive_int, default=5000, metavar="N")
    add_random_state_option(demo, default=0, what="simulation")
    demo.add_argument("--out", default="rpeval-demo", metavar="DIR", help="output directory")
    add_force_option(demo)
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")
    demo.set_defaults(handler=_run_demo)
