"""Benchmark propensity estimation + 1:1 caliper matching + balance on large pools.

Run from the repository root:  .venv/bin/python benchmarks/bench_match.py [--big] [--repeat N]

8 normal covariates, participation from a logistic model, 1:1 nearest neighbour without
replacement, caliper 0.2 SD of the propensity score. Timed end to end (propensity model,
matching and the balance table), best of ``--repeat`` runs (default 3), with the split
between ``match()`` (propensity fit, distances, greedy matching, matched data) and
``.balance()`` (the table before and after, eCDF statistics included). ``--big`` adds the
1,000,000 vs 9,000,000 job; ``--only-big`` runs that job alone. Peak memory is the
process's peak resident set size (``resource.getrusage``), so it covers every job run
so far.
"""

from __future__ import annotations

import argparse
import resource
import time

import _no_shadow  # noqa: F401  (benchmarks/coverage must not pass for coverage: numba)
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


def run(data: pd.DataFrame) -> tuple[float, float, int]:
    """Seconds in ``match()`` and in ``.balance()``, and the number of matched treated."""
    covs = [f"x{j}" for j in range(8)]
    start = time.perf_counter()
    result = match(data, "treat", covs, caliper=0.2)
    matched = time.perf_counter()
    result.balance()
    done = time.perf_counter()
    return matched - start, done - matched, int(result.counts().loc["matched", "treated"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", action="store_true", help="also 1,000,000 vs 9,000,000")
    parser.add_argument("--only-big", action="store_true", help="only 1,000,000 vs 9,000,000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per job; the best counts")
    args = parser.parse_args()
    run(pool(1000, 9000))  # compile (or load) the numba kernels
    jobs = [] if args.only_big else [(100_000, 900_000)]
    jobs += [(1_000_000, 9_000_000)] if args.big or args.only_big else []
    print(
        f"{'job':36s} {'total s':>8s} {'match s':>8s} {'balance s':>9s} {'matched':>10s} "
        f"{'peak RSS GiB':>13s}",
        flush=True,
    )
    for n_t, n_c in jobs:
        data = pool(n_t, n_c)
        runs = [run(data) for _ in range(args.repeat)]
        match_s, balance_s, matched = min(runs, key=lambda r: r[0] + r[1])
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(
            f"{n_t:,} treated vs {n_c:,} controls {match_s + balance_s:8.2f} {match_s:8.2f} "
            f"{balance_s:9.2f} {matched:10,d} {peak:13.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
