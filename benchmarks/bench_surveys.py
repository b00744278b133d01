"""Linearised domain means of a large community survey: rpeval.surveys against a
hand-written numpy computation of the same estimating-equation sums, and R survey's svyby.

1,000,000 respondents, 20 Likert items, 50 neighbourhoods (domains), 20 strata of 100 PSUs
each, unequal weights. rpeval: ``mean(design, items, by="area")`` (one call: estimates,
SEs, design effects, intervals, and the full covariance of all 1,000 estimates), best of
three runs, design construction timed separately. numpy: domain sums, influence values,
PSU totals and the stratified variance, per item, diagonal only (best of three). R:
``svyby(~item1 + ... + item20, ~area, design, svymean)`` in a subprocess with a time limit.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import _no_shadow  # noqa: F401  (benchmarks/coverage must not pass for coverage: numba)

import rpeval.surveys as sv

N_STRATA, PSU_PER_STRATUM = 20, 100


def survey_data(n: int, items: int, domains: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, N_STRATA * PSU_PER_STRATUM, n)
    area = rng.integers(0, domains, n)
    trust = rng.normal(0, 1, n) + 0.02 * area
    frame = pd.DataFrame(
        {
            "stratum": psu // PSU_PER_STRATUM,
            "psu": psu,
            "area": area,
            "w": rng.uniform(50, 400, n),
        }
    )
    for j in range(items):
        frame[f"item{j + 1}"] = np.clip(np.round(3 + trust + rng.normal(0, 1, n)), 1, 5)
    return frame


def by_hand(frame: pd.DataFrame, items: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Domain means and their linearised SEs, written out with numpy (with-replacement
    stratified cluster design): the same sums, nothing else."""
    w = frame["w"].to_numpy()
    d = frame["area"].to_numpy()
    psu = frame["psu"].to_numpy()
    stratum_of_psu = np.arange(N_STRATA * PSU_PER_STRATUM) // PSU_PER_STRATUM
    n_psu = N_STRATA * PSU_PER_STRATUM
    wsum = np.bincount(d, weights=w, minlength=k)
    est, se = [], []
    for item in items:
        y = frame[item].to_numpy()
        mean = np.bincount(d, weights=w * y, minlength=k) / wsum
        z = w * (y - mean[d]) / wsum[d]
        totals = np.bincount(psu * k + d, weights=z, minlength=n_psu * k).reshape(n_psu, k)
        strat_mean = totals.reshape(N_STRATA, PSU_PER_STRATUM, k).mean(axis=1)
        dev = totals - strat_mean[stratum_of_psu]
        factor = PSU_PER_STRATUM / (PSU_PER_STRATUM - 1)
        est.append(mean)
        se.append(np.sqrt(factor * np.sum(dev**2, axis=0)))
    return np.concatenate(est), np.concatenate(se)


def best_of(repeat: int, func):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


R_SCRIPT = """
suppressMessages(library(survey))
x <- read.csv("{path}")
d <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = x)
f <- as.formula(paste("~", paste(sprintf("item%d", 1:{items}), collapse = " + ")))
t0 <- proc.time()[["elapsed"]]
b <- svyby(f, ~area, d, svymean)
t1 <- proc.time()[["elapsed"]]
cat(t1 - t0, "\\n")
write.csv(data.frame(se = as.vector(as.matrix(SE(b)))), "{out}", row.names = FALSE)
"""


def run_r(
    frame: pd.DataFrame, items: int, timeout: float
) -> tuple[float | None, np.ndarray | None]:
    with tempfile.TemporaryDirectory() as tmp:
        path, out = os.path.join(tmp, "survey.csv"), os.path.join(tmp, "se.csv")
        frame.to_csv(path, index=False)
        script = os.path.join(tmp, "bench.R")
        Path(script).write_text(R_SCRIPT.format(path=path, out=out, items=items))
        try:
            done = subprocess.run(
                ["Rscript", script], capture_output=True, text=True, timeout=timeout, check=True
            )
        except subprocess.TimeoutExpired:
            return None, None
        seconds = float(done.stdout.split()[-1])
        return seconds, pd.read_csv(out)["se"].to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--domains", type=int, default=50)
    parser.add_argument("--r", action="store_true", help="also time R survey::svyby")
    parser.add_argument("--r-n", type=int, default=None, help="rows given to R (default: --n)")
    parser.add_argument("--timeout", type=float, default=600.0, help="limit for the R run")
    args = parser.parse_args()
    frame = survey_data(args.n, args.items, args.domains)
    items = [f"item{j + 1}" for j in range(args.items)]
    build, design = best_of(
        3, lambda: sv.SurveyDesign(frame, weights="w", strata="stratum", psu="psu")
    )
    ours, result = best_of(3, lambda: sv.mean(design, items, by="area"))
    hand, (est, se) = best_of(3, lambda: by_hand(frame, items, args.domains))
    table = result.summary()
    # ours: item-major, domain-minor, as the hand computation
    gap_est = float(np.max(np.abs(table["estimate"].to_numpy() - est)))
    gap_se = float(np.max(np.abs(table["std_error"].to_numpy() / se - 1)))
    print(
        f"{args.n:,} respondents x {args.items} items x {args.domains} domains "
        f"({N_STRATA} strata, {N_STRATA * PSU_PER_STRATUM} PSUs)"
    )
    print(f"  SurveyDesign():          {build:7.3f} s")
    print(
        f"  mean(by=, 20 items):     {ours:7.3f} s  (estimates, SEs, deff, CIs, df, "
        f"{len(table)}x{len(table)} covariance)"
    )
    print(
        f"  numpy by hand:           {hand:7.3f} s  (estimates and SEs only) "
        f"-> ratio {ours / hand:.2f}"
    )
    print(f"  agreement: max |estimate diff| {gap_est:.2e}, max relative SE diff {gap_se:.2e}")
    if args.r:
        r_frame = frame if args.r_n is None else frame.iloc[: args.r_n]
        seconds, r_se = run_r(r_frame, args.items, args.timeout)
        if seconds is None:
            print(f"  R svyby on {len(r_frame):,} rows: did not finish in {args.timeout:.0f} s")
        else:
            print(f"  R svyby on {len(r_frame):,} rows: {seconds:.1f} s")
            if args.r_n is None and r_se is not None:
                # R: columns = items, rows = domains, flattened column-major = item-major
                ratio_se = float(np.max(np.abs(table["std_error"].to_numpy() / r_se - 1)))
                print(f"    -> {seconds / ours:.0f}x rpeval; max relative SE diff {ratio_se:.2e}")


if __name__ == "__main__":
    main()
