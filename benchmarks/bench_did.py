"""Callaway & Sant'Anna on 10,000 areas x 48 periods with 999 bootstrap draws.

rpeval: ``callaway_santanna(panel, n_bootstrap=999)`` (all group-time ATTs, influence functions,
multiplier bootstrap clustered by area, uniform band) plus the dynamic (event-study)
aggregation, from an already validated ``AreaPanel`` (panel construction timed apart);
one run after a warm-up on a small panel (numba compiles its kernel once per install).
csdid (the Python port, ``pip install csdid`` in its own venv, ``--csdid PYTHON``):
``ATTgt(..., cband=True, biters=999).fit(est_method="dr", bstrap=True)`` then ``aggte("dynamic")``
in a subprocess on the same data written to CSV, with a time limit; one run.

Data: 42 adoption cohorts (periods 7-48) and never-treated areas, area effects, a common
trend, noise, and an effect of -0.5 after adoption (seeded).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import _no_shadow  # noqa: F401  (benchmarks/coverage must not pass for coverage: numba)

from rpeval.community import area_panel
from rpeval.community.did import callaway_santanna

CSDID_SCRIPT = """
import sys, time, pandas as pd
from csdid.att_gt import ATTgt
d = pd.read_csv(sys.argv[1])
t = time.perf_counter()
fit = ATTgt(yname="y", tname="period", idname="area", gname="start", data=d,
            control_group="nevertreated", cband=True, biters=999).fit(est_method="dr",
                                                                     bstrap=True)
fit.aggte(typec="dynamic")
print(time.perf_counter() - t)
"""


def staggered(n_areas: int, n_periods: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cohorts = np.r_[np.arange(6, n_periods), [-1] * 10]
    start = rng.choice(cohorts, size=n_areas)
    t = np.arange(n_periods)
    y = rng.normal(size=(n_areas, 1)) + 0.05 * t + rng.normal(size=(n_areas, n_periods))
    y += np.where((start[:, None] >= 0) & (t[None, :] >= start[:, None]), -0.5, 0.0)
    return pd.DataFrame(
        {
            "area": np.repeat(np.arange(n_areas), n_periods),
            "period": np.tile(t + 1, n_areas),
            "y": y.ravel(),
            "start": np.repeat(np.where(start >= 0, start + 1, 0), n_periods),
        }
    )


def run_rpeval(frame: pd.DataFrame) -> dict[str, float]:
    small = staggered(200, 8, seed=1)
    callaway_santanna(small, area="area", period="period", outcome="y", adoption="start",
                      never=0, n_bootstrap=99, random_state=0, progress=False)  # fmt: skip
    start = time.perf_counter()
    panel = area_panel(frame, area="area", period="period", outcome="y", adoption="start",
                       never=0, kind="continuous")  # fmt: skip
    built = time.perf_counter()
    fit = callaway_santanna(panel, n_bootstrap=999, random_state=1, progress=False)
    fitted = time.perf_counter()
    fit.aggregate("dynamic")
    done = time.perf_counter()
    return {
        "panel": built - start,
        "att_gt + bootstrap": fitted - built,
        "dynamic aggregation": done - fitted,
        "total (excl. panel)": done - built,
        "cells": float(len(fit.cells)),
    }


def run_csdid(frame: pd.DataFrame, python: str, timeout: float) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        data, script = Path(tmp) / "d.csv", Path(tmp) / "run.py"
        frame.to_csv(data, index=False)
        script.write_text(CSDID_SCRIPT)
        try:
            out = subprocess.run([python, str(script), str(data)], capture_output=True,
                                 text=True, timeout=timeout, check=False)  # fmt: skip
        except subprocess.TimeoutExpired:
            return f"> {timeout:.0f} s (stopped)"
        if out.returncode:
            return "failed: " + out.stderr.strip().splitlines()[-1]
        return f"{float(out.stdout.strip().splitlines()[-1]):.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--areas", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=48)
    parser.add_argument("--csdid", help="python of a venv with csdid installed")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    frame = staggered(args.areas, args.periods)
    for name, value in run_rpeval(frame).items():
        print(f"rpeval {name}: {value:.2f}" + ("" if name == "cells" else " s"))
    if args.csdid:
        print("csdid:", run_csdid(frame, args.csdid, args.timeout))


if __name__ == "__main__":
    main()
