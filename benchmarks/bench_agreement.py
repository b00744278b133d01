"""Krippendorff's alpha with 1,000 bootstrap draws for 10,000 units x 10 coders (issue 21:
target under 5 s). Run: ``.venv/bin/python benchmarks/bench_agreement.py``.

The data: nominal ratings on 4 categories, each coder copying a unit's true value with
probability 0.9, 5% of ratings missing. Prints the best of three wall-clock times.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from rpeval.qualitative import krippendorff_alpha


def _data(units: int, coders: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 4, units)
    values = np.where(
        rng.random((units, coders)) < 0.9, truth[:, None], rng.integers(0, 4, (units, coders))
    ).astype(float)
    values[rng.random((units, coders)) < 0.05] = np.nan
    return pd.DataFrame(values, columns=[f"coder_{j}" for j in range(coders)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--coders", type=int, default=10)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--level", default="nominal")
    args = parser.parse_args()
    data = _data(args.units, args.coders, 0)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = krippendorff_alpha(data, level=args.level, n_boot=args.n_boot, random_state=0)
        times.append(time.perf_counter() - start)
    print(f"{args.units} units x {args.coders} coders, {args.n_boot} draws, {args.level}:")
    print(f"  {result}")
    print(f"  best of 3: {min(times):.3f} s (all: {', '.join(f'{t:.3f}' for t in times)})")


if __name__ == "__main__":
    main()
