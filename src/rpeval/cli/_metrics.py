"""``rpeval metrics validate|list|compute|schema|docs|monitor``: thin calls into `rpeval.metrics`.

Everything printed goes through :func:`rpeval._text.for_terminal` (no escape sequence or
control character from a definition, a data value or a file name reaches the terminal), and
``compute --format csv`` prefixes cells a spreadsheet would run as formulas with ``'``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rpeval._files import read_table
from rpeval._text import csv_frame, for_terminal
from rpeval.cli._common import (
    EXIT_OK,
    Subparsers,
    add_report_format,
    print_report,
    usage_error,
)

__all__ = ["add_metrics_commands"]


def _run_validate(args: argparse.Namespace) -> int:
    from rpeval.metrics import validate

    report = validate(args.paths, schema=args.schema, baseline=args.baseline)
    return print_report(report, args.format)


def _run_list(args: argparse.Namespace) -> int:
    from rpeval.metrics import Registry

    registry = Registry.from_paths(*args.definitions, include_builtin=not args.no_builtin)
    print(for_terminal(registry.listing().to_string(index=False)))
    return EXIT_OK


def _run_compute(args: argparse.Namespace) -> int:
    from rpeval.metrics import Registry

    registry = Registry.from_paths(*args.definitions, include_builtin=not args.no_builtin)
    data = read_table(args.data)
    table = registry.compute(
        args.names,
        data,
        by=args.by or None,
        conf_level=args.conf_level,
        suppress_below=args.suppress_below,
    )
    frame = table.to_pandas()
    if args.format == "csv":
        print(for_terminal(csv_frame(frame).to_csv(index=False)), end="")
    elif args.format == "json":
        print(json.dumps(table.to_dict(), indent=2, default=str))  # escapes controls itself
    else:
        print(for_terminal(frame.to_string(index=False, na_rep="")))
    return EXIT_OK


def _run_schema(args: argparse.Namespace) -> int:
    from rpeval.metrics import json_schema

    print(json.dumps(json_schema(), indent=2))
    return EXIT_OK


def _run_docs(args: argparse.Namespace) -> int:
    from rpeval.metrics import Registry, builtin_data_schema, catalog_markdown

    registry = Registry.from_paths(*args.definitions, include_builtin=not args.no_builtin)
    schema = None if args.no_builtin else builtin_data_schema()
    print(for_terminal(catalog_markdown(registry, schema)), end="")
    return EXIT_OK


def _run_monitor(args: argparse.Namespace) -> int:
    from rpeval.metrics import Registry
    from rpeval.metrics._monitor_spec import load_monitor
    from rpeval.metrics.monitor import load_tables, run_monitor

    spec = load_monitor(args.monitor)
    folder = Path(args.monitor).parent
    paths = [*(folder / p for p in spec.definitions), *args.definitions]
    registry = Registry.from_paths(*paths, include_builtin=spec.include_builtin)
    report = run_monitor(spec, load_tables(spec, args.data, registry), registry=registry)
    return print_report(report, args.format)


def _definitions_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--definitions",
        nargs="*",
        default=[],
        metavar="PATH",
        help="metric YAML files or directories to load besides the built-in catalog",
    )
    parser.add_argument(
        "--no-builtin", action="store_true", help="do not load the built-in catalog"
    )


def add_metrics_commands(subparsers: Subparsers[argparse.ArgumentParser]) -> None:
    """Register ``rpeval metrics ...``."""
    metrics = subparsers.add_parser(
        "metrics",
        help="validate, list, compute and document metric definitions",
        description="Versioned program metric definitions (YAML).",
    )
    commands = metrics.add_subparsers(title="metrics commands", metavar="COMMAND")
    validate = commands.add_parser(
        "validate",
        help="check definition files (exit 1 on errors)",
        description="Stages: schema, semantic, examples, breaking changes (with --baseline). "
        "With no PATH the built-in catalog is checked.",
    )
    validate.add_argument("paths", nargs="*", metavar="PATH")
    validate.add_argument(
        "--baseline", metavar="DIR|git:REF", help="previous definitions to compare with"
    )
    validate.add_argument("--schema", metavar="FILE", help="data schema YAML (tables, columns)")
    add_report_format(validate)
    validate.set_defaults(handler=_run_validate)

    listing = commands.add_parser("list", help="list the metrics")
    _definitions_options(listing)
    listing.set_defaults(handler=_run_list)

    compute = commands.add_parser("compute", help="compute metrics on a CSV or Parquet file")
    compute.add_argument("names", nargs="+", metavar="NAME")
    compute.add_argument("--data", required=True, metavar="FILE", help=".csv or .parquet")
    compute.add_argument("--by", action="append", metavar="COLUMN", help="disaggregate by")
    compute.add_argument("--conf-level", type=float, default=0.95)
    compute.add_argument("--suppress-below", type=int, default=None, metavar="K")
    compute.add_argument("--format", choices=["text", "csv", "json"], default="text")
    _definitions_options(compute)
    compute.set_defaults(handler=_run_compute)

    schema = commands.add_parser("schema", help="print the JSON Schema of a definition")
    schema.set_defaults(handler=_run_schema)

    monitor = commands.add_parser(
        "monitor",
        help="chart metrics by period; exit 1 when a run rule fires",
        description="Compute the metrics of MONITOR.yaml by period on the tables in --data, "
        "draw their control charts and apply the run rules: exit 1 when any rule fires, "
        "0 when every chart is in control, 2 on bad input.",
    )
    monitor.add_argument("monitor", metavar="MONITOR.yaml")
    monitor.add_argument("--data", required=True, metavar="DIR", help="folder of the tables")
    add_report_format(monitor)
    monitor.add_argument(
        "--definitions", nargs="*", default=[], metavar="PATH", help="extra metric YAML"
    )
    monitor.set_defaults(handler=_run_monitor)

    docs = commands.add_parser("docs", help="print a Markdown catalog page")
    _definitions_options(docs)
    docs.set_defaults(handler=_run_docs)
    metrics.set_defaults(
        handler=lambda _args: usage_error(metrics, "validate, list, compute, schema, docs, monitor")
    )
