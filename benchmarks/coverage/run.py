"""Coverage study of rpeval's intervals: run on demand, never in CI.

    .venv/bin/python benchmarks/coverage/run.py                      # every group
    .venv/bin/python benchmarks/coverage/run.py --groups matching --replications 200
    .venv/bin/python benchmarks/coverage/run.py --scenarios ipw_att_heterogeneous --no-progress
    .venv/bin/python benchmarks/coverage/run.py --update-docs        # refresh docs/validity.md

Each scenario is seeded (``--seed``) and bounded in time (``--max-seconds``; the number
of replications reached is in the table). Results go to ``results/<group>.csv`` and
``results/<group>.md``; rows of scenarios not run are kept from earlier runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _study import COLUMNS, markdown, run_scenario  # noqa: E402
from scenarios import GROUPS, load  # noqa: E402

DOCS = HERE.parents[1] / "docs" / "validity.md"
OUTSIDE = "## Outside the band"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", nargs="*", default=list(GROUPS), help="scenario groups")
    parser.add_argument("--scenarios", nargs="*", default=None, help="only these scenarios")
    parser.add_argument("--replications", type=int, default=None, help="override the count")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="per scenario")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--update-docs", action="store_true", help="rewrite docs/validity.md")
    parser.add_argument("--list", action="store_true", help="list the scenarios and stop")
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite the tables from the CSVs, run nothing"
    )
    return parser.parse_args()


def _merge(path: Path, new: pd.DataFrame) -> pd.DataFrame:
    """Earlier rows of the scenarios not run again, then the new ones, in run order."""
    if not path.exists():
        return new
    old = pd.read_csv(path)
    kept = old[~old["scenario"].isin(new["scenario"])]
    return pd.concat([kept, new], ignore_index=True)[COLUMNS]


def update_docs(group: str, text: str) -> None:
    """Replace the ``coverage:<group>`` block of docs/validity.md with ``text``."""
    page = DOCS.read_text(encoding="utf-8")
    start, end = f"<!-- coverage:{group}:start -->", f"<!-- coverage:{group}:end -->"
    if start not in page:  # a new group's block goes before the "Outside the band" summary
        block = f"{start}\n{end}\n\n"
        page = (
            page.replace(OUTSIDE, block + OUTSIDE, 1)
            if OUTSIDE in page
            else page.rstrip("\n") + f"\n\n{block}"
        )
    head, rest = page.split(start, 1)
    _, tail = rest.split(end, 1)
    DOCS.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")


def main() -> None:
    args = _arguments()
    args.out.mkdir(parents=True, exist_ok=True)
    for group in args.groups:
        scenarios = [s for s in load(group) if args.scenarios is None or s.name in args.scenarios]
        if args.list:
            for s in scenarios:
                print(f"{group}/{s.name}: {s.description}")
            continue
        if not scenarios:
            continue
        descriptions = {s.name: s.description for s in load(group)}
        if args.render_only:
            merged = pd.read_csv(args.out / f"{group}.csv")
            _write(group, merged, descriptions, args)
            continue
        tables = []
        for scenario in scenarios:
            began = time.perf_counter()
            table = run_scenario(
                scenario,
                seed=args.seed,
                replications=args.replications,
                max_seconds=args.max_seconds,
                progress=not args.no_progress,
            )
            tables.append(table)
            print(f"{scenario.name}: {time.perf_counter() - began:.0f} s", file=sys.stderr)
            # written after every scenario, so a stopped run keeps what it finished
            merged = _merge(args.out / f"{group}.csv", pd.concat(tables, ignore_index=True))
            merged.to_csv(args.out / f"{group}.csv", index=False, float_format="%.6g")
        _write(group, merged, descriptions, args)


def _write(
    group: str, table: pd.DataFrame, descriptions: dict[str, str], args: argparse.Namespace
) -> None:
    text = markdown(table, descriptions)
    (args.out / f"{group}.md").write_text(text, encoding="utf-8")
    print(text)
    if args.update_docs:
        update_docs(group, text)


if __name__ == "__main__":
    main()
