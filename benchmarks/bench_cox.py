"""Benchmark rpeval's Cox model against lifelines (issue: recidivism core, speed section).

Run from the repository root:

    .venv/bin/python benchmarks/bench_cox.py                 # rpeval only
    make bench-env
    .venv/bin/python benchmarks/bench_cox.py \
        --lifelines benchmarks/.venv-lifelines/bin/python
    .venv/bin/python benchmarks/bench_cox.py --jobs efron --lifelines-repeat 3 \
        --lifelines benchmarks/.venv-lifelines/bin/python     # the Efron job only

The lifelines side runs in its own environment (it pins pandas<3) through a subprocess
that times only the fit. Figures are printed as a table; `benchmarks/README.md` records them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import _no_shadow  # noqa: F401  (benchmarks/coverage must not pass for coverage: numba)
from _synthetic import paired_data, survival_data

from rpeval.recidivism import cox

LIFELINES_SNIPPET = """
import json, sys, time
import numpy as np, pandas as pd
sys.path.insert(0, {bench_dir!r})
from _synthetic import paired_data, survival_data
from lifelines import CoxPHFitter
job = json.loads(sys.argv[1])
if job["kind"] == "efron":
    df = survival_data(job["n"], job["p"], seed=1).drop(columns=["cluster"])
    kwargs = {{}}
elif job["kind"] == "cluster":
    df = survival_data(job["n"], job["p"], seed=2)
    kwargs = {{"cluster_col": "cluster"}}
else:
    df = paired_data(job["n"], seed=3)
    kwargs = {{"strata": ["pair"]}}
best = float("inf")
for _ in range(job["repeat"]):
    t0 = time.perf_counter()
    CoxPHFitter().fit(df, "time", "event", **kwargs)
    best = min(best, time.perf_counter() - t0)
print(json.dumps({{"seconds": best}}))
"""


def _time(func: object, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best


def _lifelines(python: str, job: dict[str, object], timeout: float, repeat: int) -> str:
    code = LIFELINES_SNIPPET.format(bench_dir=str(Path(__file__).parent))
    try:
        out = subprocess.run(
            [python, "-c", code, json.dumps({**job, "repeat": repeat})],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s (stopped)"
    except subprocess.CalledProcessError as err:
        return f"failed: {err.stderr.strip().splitlines()[-1]}"
    return f"{json.loads(out.stdout)['seconds']:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lifelines", help="python of a venv with lifelines installed")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=50_000)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument(
        "--skip-lifelines-over",
        type=int,
        default=200_000,
        help="skip lifelines for cluster jobs larger than this (O(n^2))",
    )
    parser.add_argument(
        "--jobs",
        default="efron,cluster,strata",
        help="comma-separated subset of efron, cluster, strata",
    )
    parser.add_argument("--repeat", type=int, default=3, help="rpeval: best of this many runs")
    parser.add_argument(
        "--lifelines-repeat", type=int, default=1, help="lifelines: best of this many runs"
    )
    args = parser.parse_args()
    jobs = set(args.jobs.split(","))
    covs = [f"x{j}" for j in range(9)]
    rows = []
    cox(survival_data(2000, 9, seed=1), "time", "event", covs)  # warm up (numba compile)

    if "efron" in jobs:
        efron = survival_data(args.rows, 9, seed=1)
        t = _time(lambda: cox(efron, "time", "event", covs), args.repeat)
        rows.append((f"Efron Cox, {args.rows:,} x 9", t, {"kind": "efron", "n": args.rows, "p": 9}))

    for n in (100_000, args.rows) if "cluster" in jobs else ():
        clustered = survival_data(n, 9, seed=2)
        t = _time(lambda d=clustered: cox(d, "time", "event", covs, cluster="cluster"), args.repeat)
        job = {"kind": "cluster", "n": n, "p": 9}
        rows.append((f"cluster-robust Efron Cox, {n:,} x 9", t, job))

    for n_pairs in (10_000, args.pairs) if "strata" in jobs else ():
        pairs = paired_data(n_pairs, seed=3)
        t = _time(
            lambda d=pairs: cox(d, "time", "event", ["treat", "x1", "x2"], strata="pair"),
            args.repeat,
        )
        rows.append(
            (f"stratified Cox, {n_pairs:,} two-person strata", t, {"kind": "strata", "n": n_pairs})
        )

    print(f"{'job':48s} {'rpeval':>10s} {'lifelines 0.30':>22s}", flush=True)
    for label, seconds, job in rows:
        too_big = job["kind"] == "cluster" and int(job["n"]) > args.skip_lifelines_over
        too_big |= job["kind"] == "strata" and int(job["n"]) > 10_000
        if not args.lifelines:
            other = "not run"
        elif too_big:
            other = "skipped (see smaller)"
        else:
            other = _lifelines(args.lifelines, job, args.timeout, args.lifelines_repeat)
        print(f"{label:48s} {seconds:9.2f}s {other:>22s}", flush=True)


if __name__ == "__main__":
    main()
