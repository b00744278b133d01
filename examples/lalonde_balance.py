"""Reproduce MatchIt's lalonde 1:1 nearest-neighbour balance table (MatchIt 4.7.2 vignette).

`matchit(treat ~ age + educ + race + married + nodegree + re74 + re75, data = lalonde)`:
185 treated matched to 185 of 429 controls; standardised mean differences before and after.
The data are MatchIt's `lalonde` (a copy is in tests/reference/lalonde.csv). Run from the
repository root:

    python examples/lalonde_balance.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rpeval.matching import match

DATA = Path(__file__).resolve().parents[1] / "tests" / "reference" / "lalonde.csv"
FORMULA = "age + educ + race + married + nodegree + re74 + re75"
PUBLISHED = {  # term: (SMD before, SMD after)
    "distance": (1.7941, 0.9739),
    "age": (-0.3094, 0.0718),
    "educ": (0.0550, -0.1290),
    "race_black": (1.7615, 1.0259),
    "race_hispan": (-0.3498, -0.6629),
    "race_white": (-1.8819, -0.7296),
    "married": (-0.8263, -0.0552),
    "nodegree": (0.2450, 0.1546),
    "re74": (-0.7211, -0.0505),
    "re75": (-0.2903, -0.0257),
}


def compare() -> pd.DataFrame:
    """Published SMDs beside ours (rounded to 4 decimals, so the tolerance is 5e-5)."""
    lalonde = pd.read_csv(DATA)
    result = match(lalonde, "treat", FORMULA)
    before = result.balance().before.set_index("term")["std_mean_diff"]
    after = result.balance().after.set_index("term")["std_mean_diff"]
    counts = result.counts()
    rows = [("matched controls", 185.0, float(counts.iloc[1, 1]), 0.0)]
    for term, (smd_before, smd_after) in PUBLISHED.items():
        rows.append((f"SMD before, {term}", smd_before, before[term], 5e-5))
        rows.append((f"SMD after, {term}", smd_after, after[term], 5e-5))
    frame = pd.DataFrame(rows, columns=["quantity", "published", "rpeval", "tolerance"])
    frame["difference"] = frame["rpeval"] - frame["published"]
    return frame[["quantity", "published", "rpeval", "difference", "tolerance"]]


if __name__ == "__main__":
    print("MatchIt 4.7.2 vignette, lalonde, 1:1 nearest neighbour on the propensity score")
    print(compare().to_string(index=False, float_format=lambda v: f"{v:.4f}"))
