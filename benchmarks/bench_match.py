"""Benchmark propensity estimation + 1:1 caliper matching + balance on large pools.

Run from the repository root:  .venv/bin/python benchmarks/bench_match.py [--big]

8 normal covariates, participation from a logistic model, 1:1 nearest neighbour without
replacement, caliper 0.2 SD of the propensity score. Timed end to end (propensity model,
matching and the balance table). ``--big`` adds the 1,000,000 vs 9,000,000 job and
reports peak memory (resource.getrusage).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from rpeval.matching import match


def pool(n_treated: int, n_control: int, seed: int = 0) -> pd.DataFrame:
    """Covariates for a treated group and a larger, shifted control pool."""
    rng = np.random.default_rng(seed)
    n = n_treated + n_control
    X = rng.standard_normal((n, 8))
    X[:n_treated] += 0.3
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(8)])
    frame["treat"] = np.r_[np.ones(n_treated, int), np.zeros(n_control, int)]
    return frame


def run(n_treated: int, n_control: int) -> tuple[float, int]:
    data = pool(n_treated, n_control)
    covs = [f"x{j}" for j in range(8)]
    start = time.perf_counter()
    result = match(data, "treat", covs, caliper=0.2)
    result.balance()
    seconds = time.perf_counter() - start
    return seconds, int(result.counts().loc["matched", "treated"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", action="store_true", help="also 1,000,000 vs 9,000,000")
    args = parser.parse_args()
    run(1000, 9000)  # compile the numba kernels
    jobs = [(100_000, 900_000)] + ([(1_000_000, 9_000_000)] if args.big else [])
    print(f"{'job':36s} {'seconds':>8s} {'matched':>10s} {'peak RSS GiB':>13s}", flush=True)
    for n_t, n_c in jobs:
        seconds, matched = run(n_t, n_c)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(
            f"{n_t:,} treated vs {n_c:,} controls {seconds:8.2f} {matched:10,d} {peak:13.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
