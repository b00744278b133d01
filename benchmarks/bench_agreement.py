"""Krippendorff's alpha with 1,000 bootstrap draws for 10,000 units x 10 coders (issue 21:
target under 5 s). Run: ``.venv/bin/python benchmarks/bench_agreement.py``.

The data: ratings on 4 categories (``--categories``), each coder copying a unit's true
value with probability 0.9, 5% of ratings missing. Prints the best of three wall-clock times.

The bootstrap counts pairs by their distinct contributions to alpha, so its cost grows with
the number of distinct contributions, not with the units: a few for nominal data, one per
distance for interval data, up to one per pair of values for ordinal and ratio data.
Figures on 2026-12-03, best of 3 on 2 cores shared with 8 workers (load average 9 to 10):
nominal 0.04 s, interval 0.04 s; with ``--categories 101`` (a 0-100 scale) interval 1.3 s
(its multinomial draws alone took 2.6 s before equal contributions were merged, 0.16 s after),
ordinal and ratio 4.0 s. With 3,001 distinct values (at load 6) interval, ordinal and ratio
took 20 to 35 s: the V x V coincidences and up to one bootstrap category per pair of values.
"""

from __future__ import annotations

import argparse
import time

import _no_shadow  # noqa: F401  (benchmarks/coverage must not pass for coverage: numba)
import numpy as np
import pandas as pd

from rpeval.qualitative import krippendorff_alpha


def _data(units: int, coders: int, seed: int, categories: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, categories, units)
    noise = rng.integers(0, categories, (units, coders))
    values = np.where(rng.random((units, coders)) < 0.9, truth[:, None], noise).astype(float)
    values[rng.random((units, coders)) < 0.05] = np.nan
    return pd.DataFrame(values, columns=[f"coder_{j}" for j in range(coders)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--coders", type=int, default=10)
    parser.add_argument("--n-bootstrap", type=int, default=1000)
    parser.add_argument("--level", default="nominal")
    parser.add_argument("--categories", type=int, default=4)
    args = parser.parse_args()
    data = _data(args.units, args.coders, 0, args.categories)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = krippendorff_alpha(
            data, level=args.level, n_bootstrap=args.n_bootstrap, random_state=0
        )
        times.append(time.perf_counter() - start)
    print(
        f"{args.units} units x {args.coders} coders, {args.n_bootstrap} draws, {args.level}, "
        f"{args.categories} categories:"
    )
    print(f"  {result}")
    print(f"  best of 3: {min(times):.3f} s (all: {', '.join(f'{t:.3f}' for t in times)})")


if __name__ == "__main__":
    main()
