"""Reproduce Fox & Weisberg's Cox model of the Rossi recidivism data (Efron ties).

Published: Fox & Weisberg, "Cox Proportional-Hazards Regression for Survival Data in R"
(appendix to An R Companion to Applied Regression), with lifelines' coding of race and
mar (race=1 black, mar=1 married; two signs flip against R's printout). Run:

    python examples/rossi_cox.py
"""

from __future__ import annotations

import pandas as pd

from rpeval.datasets import load_rossi
from rpeval.recidivism import cox, kaplan_meier, logrank_test

COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
PUBLISHED_COEF = {
    "fin": (-0.37942, 0.19138),
    "age": (-0.05744, 0.02200),
    "race": (0.31390, 0.30799),
    "wexp": (-0.14980, 0.21222),
    "mar": (-0.43370, 0.38187),
    "paro": (-0.08487, 0.19576),
    "prio": (0.09150, 0.02865),
}


def compare() -> pd.DataFrame:
    """Published figures beside ours, with the difference and the tolerance tested."""
    rossi = load_rossi()
    fit = cox(rossi, "week", "arrest", COVARIATES)
    table = fit.summary().set_index("term")
    rows = []
    for term, (coef, se) in PUBLISHED_COEF.items():
        rows.append((f"coef {term}", coef, table.loc[term, "estimate"], 5e-6))
        rows.append((f"se {term}", se, table.loc[term, "std_error"], 5e-6))
    tests = fit.tests().set_index("test")
    rows += [
        ("likelihood ratio (7 df)", 33.266, tests.loc["likelihood_ratio", "statistic"], 5e-4),
        ("Wald (7 df)", 32.11, tests.loc["wald", "statistic"], 5e-3),
        ("score (7 df)", 33.529, tests.loc["score", "statistic"], 5e-4),
        ("concordance", 0.640, fit.concordance, 5e-4),
    ]
    curves = kaplan_meier(rossi, "week", "arrest", group="fin").at([52]).set_index("group")
    rows += [
        ("KM S(52), fin=0", 0.694, curves.loc[0, "survival"], 5e-4),
        ("KM S(52), fin=1", 0.778, curves.loc[1, "survival"], 5e-4),
        (
            "log-rank chi-square (fin)",
            3.8,
            logrank_test(rossi, "week", "arrest", "fin").statistic,
            0.05,
        ),
    ]
    frame = pd.DataFrame(rows, columns=["quantity", "published", "rpeval", "tolerance"])
    frame["difference"] = frame["rpeval"] - frame["published"]
    return frame[["quantity", "published", "rpeval", "difference", "tolerance"]]


if __name__ == "__main__":
    print("Fox & Weisberg, Rossi data: Cox model with Efron ties")
    print(compare().to_string(index=False, float_format=lambda v: f"{v:.5f}"))
