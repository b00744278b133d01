"""Reproduce the Dehejia–Wahba NSW experimental benchmark: 1,794.34 (SE 632.85).

The NSW experimental sample of Dehejia & Wahba (1999): 185 treated and 260 control men
(`causaldata`, `nsw_mixtape`). The benchmark is the difference in mean 1978 earnings with
its OLS standard error. Needs the data extra (`pip install "rpeval[data]"`). Run:

    python examples/dehejia_wahba.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rpeval.datasets import load_nsw
from rpeval.matching import effect


def compare() -> pd.DataFrame:
    """The published benchmark beside the plain difference and rpeval's effect()."""
    nsw = load_nsw()
    frame = nsw.assign(weights=1.0, subclass=np.arange(len(nsw)))
    result = effect(frame, "re78", treatment="treat", se="hc3").summary().iloc[0]
    treated = nsw["treat"] == 1
    outcome = nsw["re78"]
    difference = outcome[treated].mean() - outcome[~treated].mean()
    pooled = (
        (treated.sum() - 1) * outcome[treated].var()
        + ((~treated).sum() - 1) * outcome[~treated].var()
    ) / (len(nsw) - 2)
    ols_se = float(np.sqrt(pooled * (1 / treated.sum() + 1 / (~treated).sum())))
    rows = [
        ("treated", 185.0, float(treated.sum()), 0.0),
        ("controls", 260.0, float((~treated).sum()), 0.0),
        ("difference in means", 1794.34, float(difference), 5e-3),
        ("effect() estimate", 1794.34, float(result["estimate"]), 5e-3),
        ("OLS standard error", 632.85, ols_se, 5e-3),
    ]
    frame_out = pd.DataFrame(rows, columns=["quantity", "published", "rpeval", "tolerance"])
    frame_out["difference"] = frame_out["rpeval"] - frame_out["published"]
    return frame_out[["quantity", "published", "rpeval", "difference", "tolerance"]]


if __name__ == "__main__":
    print("Dehejia-Wahba NSW experimental benchmark (plain difference in means)")
    print(compare().to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
