"""Metrics at the speed of the backend (issues 17 and 19), measured in one run.

Three jobs, each rpeval against hand-written anchors computing the same numbers, run
interleaved (anchor, rpeval, anchor, rpeval, ...) so that both see the same load:

- **by race**: 4 metrics by race on 10,000,000 case rows (issue 17): rpeval on a DuckDB
  relation vs a hand-written DuckDB SQL query, rpeval on a pandas frame vs a hand-written
  pandas group-by (target: within 2x of each);
- **by period**: the same 4 metrics x 48 months x 5 districts (issue 19, same targets);
- **overhead**: 10 metrics on 1,000 rows of a pandas frame (target: <= 20 ms a call), in
  a fresh process: the first call (after the imports and the catalog), then, after one
  warm-up, the median and range of CPU time (``time.process_time``) over ``--calls``
  calls, and the median wall time.

The metrics are agreement_rate, offender_participation_rate, referral_contact_rate (within
14 days) and days_referral_to_conference (mean) from the built-in catalog; the script
checks that rpeval and the anchors agree before timing. The machine and its load average
(before each figure) are printed beside the figures: the machine is shared.

Run: ``.venv/bin/python benchmarks/bench_metrics.py [--rows N] [--repeat R] [--calls C]
[--overhead-only] [--update-docs]``; ``--update-docs`` writes the table into
``docs/benchmarks.md`` between its ``bench_metrics`` markers.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import _no_shadow  # noqa: F401  (benchmarks/coverage must not pass for coverage: numba)
import numpy as np
import pandas as pd

from rpeval.metrics import Registry

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench_metrics:begin -->", "<!-- bench_metrics:end -->"
NAMES = [
    "agreement_rate",
    "offender_participation_rate",
    "referral_contact_rate",
    "days_referral_to_conference",
]
COUNTS = """
  count(*) FILTER (WHERE conference_held) AS agreement_den,
  count(*) FILTER (WHERE conference_held AND agreement_reached) AS agreement_num,
  count(*) AS referrals,
  count(*) FILTER (WHERE offender_participated) AS participated,
  count(*) FILTER (WHERE contact_date <= referral_date + INTERVAL 14 DAY) AS contacted,
  count(*) FILTER (WHERE conference_held AND conference_date IS NOT NULL) AS conferences,
  sum(date_diff('day', referral_date, conference_date)) FILTER (WHERE conference_held)
    AS days_sum,
  stddev_samp(date_diff('day', referral_date, conference_date)) FILTER (WHERE conference_held)
    AS days_sd"""
SQL_RACE = f"SELECT race, {COUNTS} FROM cases GROUP BY 1"
SQL_PERIOD = (
    f"SELECT district, date_trunc('month', referral_date) AS month, {COUNTS} "
    "FROM cases GROUP BY 1, 2"
)


def cases(rows: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic cases over 2021-2024 (48 months), 5 districts and 5 race groups."""
    rng = np.random.default_rng(seed)
    referral = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 1461, rows), "D")
    contacted = rng.random(rows) < 0.93
    contact = referral + pd.to_timedelta(rng.geometric(1 / 6, rows), "D")
    participated = contacted & (rng.random(rows) < 0.85)
    held = participated & (rng.random(rows) < 0.94)
    conference = contact + pd.to_timedelta(rng.geometric(1 / 21, rows), "D")
    agreed = held & (rng.random(rows) < 0.91)
    return pd.DataFrame(
        {
            "district": rng.choice(["North", "South", "East", "West", "Youth"], rows),
            "race": rng.choice(["Black", "White", "Hispanic", "Asian", "Other"], rows),
            "referral_date": referral,
            "contact_date": pd.Series(contact).where(contacted),
            "offender_participated": participated,
            "conference_held": held,
            "conference_date": pd.Series(conference).where(held),
            "agreement_reached": pd.Series(agreed, dtype="boolean").where(held),
        }
    )


def by_hand(data: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The same numerators, denominators and standard deviation by a pandas group-by."""
    held = data["conference_held"].to_numpy(bool)
    days = (data["conference_date"] - data["referral_date"]).dt.days.to_numpy(float)
    frame = pd.DataFrame(
        {
            "agreement_den": held,
            "agreement_num": held & data["agreement_reached"].fillna(False).to_numpy(bool),
            "referrals": 1,
            "participated": data["offender_participated"],
            "contacted": data["contact_date"] <= data["referral_date"] + pd.Timedelta(days=14),
            "conferences": held & data["conference_date"].notna().to_numpy(bool),
            "days_sum": np.where(held, days, 0.0),
            "days": np.where(held, days, np.nan),
        }
    )
    for key in keys:
        frame[key] = data[key] if key != "month" else data["referral_date"].dt.to_period("M")
    grouped = frame.groupby(keys, observed=True)
    sums = grouped.sum(numeric_only=True).drop(columns="days")
    sums["days_sd"] = grouped["days"].std(ddof=1)
    return sums


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _interleaved(jobs: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(repeat):
        for name, job in jobs.items():
            start = time.perf_counter()
            job()
            times[name].append(time.perf_counter() - start)
    return times


def _check(ours: pd.DataFrame, hand: pd.DataFrame, cells: int) -> None:
    agreement = ours[ours["metric"] == "agreement_rate"]
    assert agreement["numerator"].sum() == hand["agreement_num"].sum()
    assert agreement["denominator"].sum() == hand["agreement_den"].sum()
    days = ours[ours["metric"] == "days_referral_to_conference"]
    assert abs(days["numerator"].sum() - hand["days_sum"].sum()) < 1e-6 * hand["days_sum"].sum()
    assert len(ours) == len(NAMES) * cells, (len(ours), cells)


def _job(rows: int, repeat: int, period: bool) -> list[tuple[str, str, str]]:
    import duckdb

    data = cases(rows)
    registry = Registry.builtin()
    connection = duckdb.connect()
    connection.register("cases", data)
    relation = connection.sql("SELECT * FROM cases")
    options: dict[str, object] = {"by": "race", "suppress_below": 1}
    if period:
        options = {"by": "district", "period": "month", "period_of": "referral_date"}
        options["suppress_below"] = 1
    keys = ["district", "month"] if period else ["race"]
    sql = SQL_PERIOD if period else SQL_RACE

    def ours(native: object) -> pd.DataFrame:
        return registry.compute(NAMES, native, **options).to_pandas()  # type: ignore[arg-type]

    hand = by_hand(data, keys)
    cells = len(hand)
    _check(ours(data), hand, cells)
    _check(ours(relation), hand, cells)
    assert connection.sql(sql).df()["agreement_num"].sum() == hand["agreement_num"].sum()
    load = _load()
    times = _interleaved(
        {
            "sql": lambda: connection.sql(sql).df(),
            "duck": lambda: ours(relation),
            "hand": lambda: by_hand(data, keys),
            "pandas": lambda: ours(data),
        },
        repeat,
    )
    after = _load()
    median = {name: statistics.median(values) for name, values in times.items()}
    what = f"{len(NAMES)} metrics × " + ("48 months × 5 districts" if period else "5 races")
    what += f", {rows:,} rows"
    note = f"load {load} → {after}"
    return [
        (
            f"{what}: rpeval on a DuckDB relation vs hand-written SQL",
            f"{median['duck']:.2f} s vs {median['sql']:.2f} s "
            f"(**{median['duck'] / median['sql']:.1f}×**)",
            note,
        ),
        (
            f"{what}: rpeval on pandas vs a hand-written pandas group-by",
            f"{median['pandas']:.2f} s vs {median['hand']:.2f} s "
            f"(**{median['pandas'] / median['hand']:.1f}×**)",
            note,
        ),
    ]


OVERHEAD_CHILD = """
import json, statistics, sys, time
from rpeval.datasets import simulate_program
from rpeval.metrics import Registry
data = simulate_program(1000, 100, random_state=1).cases
registry = Registry.builtin()
names = [name for name in registry.names() if registry[name].table == "cases"][:10]
start = time.process_time()
registry.compute(names, data)
first = time.process_time() - start
registry.compute(names, data)  # one warm-up call
cpu, wall = [], []
for _ in range(int(sys.argv[1])):
    start, clock = time.process_time(), time.perf_counter()
    registry.compute(names, data)
    cpu.append(time.process_time() - start)
    wall.append(time.perf_counter() - clock)
print(json.dumps({"first": first, "cpu": cpu, "wall": wall, "rows": len(data)}))
"""


def _overhead(calls: int) -> list[tuple[str, str, str]]:
    load = _load()
    out = subprocess.run(
        [sys.executable, "-c", OVERHEAD_CHILD, str(calls)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    cpu = [t * 1000 for t in found["cpu"]]
    wall = statistics.median(found["wall"]) * 1000
    return [
        (
            f"10 metrics on {found['rows']:,} case rows (pandas), one call: CPU median "
            f"(range) of {calls} calls after a warm-up; wall median; first call",
            f"**{statistics.median(cpu):.0f} ms** ({min(cpu):.0f}–{max(cpu):.0f} ms); "
            f"wall {wall:.0f} ms; first call {found['first'] * 1000:.0f} ms",
            f"load {load} → {_load()}",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--overhead-only", action="store_true")
    parser.add_argument("--update-docs", action="store_true")
    args = parser.parse_args()
    if importlib.util.find_spec("duckdb") is None:  # before minutes of work, not after
        sys.exit(
            "bench_metrics.py: the DuckDB anchors need duckdb, which the runtime venv lacks: "
            "`make test` (or `.venv/bin/pip install -e '.[duckdb]'`) first"
        )
    rows = _overhead(args.calls)
    if not args.overhead_only:
        rows += _job(args.rows, args.repeat, period=False)
        rows += _job(args.rows, args.repeat, period=True)
    import duckdb

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Measured {stamp} with `python benchmarks/bench_metrics.py --rows {args.rows} "
        f"--repeat {args.repeat} --calls {args.calls}`: median of {args.repeat} interleaved "
        "runs (anchor, rpeval, anchor, rpeval, …). Machine: "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores shared with "
        f"other jobs; Python {platform.python_version()}, pandas {pd.__version__}, DuckDB "
        f"{duckdb.__version__}. Load average (1, 5, 15 min) before → after each job.",
        "",
        "| job | rpeval vs anchor (ratio) | load average |",
        "|---|---|---|",
        *(f"| {job} | {figure} | {load} |" for job, figure, load in rows),
    ]
    print("\n".join(lines))
    if args.update_docs:
        text = DOCS.read_text()
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        DOCS.write_text(head + BEGIN + "\n\n" + "\n".join(lines) + "\n\n" + END + tail)


if __name__ == "__main__":
    main()
