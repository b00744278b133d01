"""Human headers and display frames for the report's tables: group names from the
configuration, units in the headers, percentages and percentage points said as such."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["balance_labels", "cox_frame", "key_estimates", "points", "rate_labels"]


def points(value: Any) -> str:
    """A difference of shares in percentage points (``-0.086`` -> ``-8.6``).

    >>> points(-0.0862), points(float("nan"))
    ('-8.6', '–')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * float(value):+.1f}"


def key_estimates(summary: pd.DataFrame, *, short: bool = False) -> pd.DataFrame:
    """:meth:`Evaluation.summary` for reading: each quantity named with its unit and its
    numbers shown in that unit (a hazard ratio, percentage points, days); ``short`` names
    for the console."""
    rows = []
    for _, row in summary.iterrows():
        quantity = str(row["quantity"])
        values = [row["estimate"], row["ci_lower"], row["ci_upper"]]
        if quantity.startswith("re-arrest difference at "):
            window = quantity.removeprefix("re-arrest difference at ")
            name = f"difference in the share re-arrested within {window} (percentage points)"
            name = f"re-arrest difference within {window} (points)" if short else name
            shown = [points(v) for v in values]
        elif quantity.startswith("RMST difference to "):
            horizon = quantity.removeprefix("RMST difference to ")
            name = f"difference in mean days free of re-arrest, up to {horizon} (days)"
            name = f"RMST difference to {horizon} (days)" if short else name
            shown = [f"{float(v):+.1f}" for v in values]
        else:
            name = (
                "hazard ratio" if short else "hazard ratio of re-arrest (below 1: fewer re-arrests)"
            )
            shown = [f"{float(v):.2f}" for v in values]
        rows.append(
            {
                "quantity": name,
                "estimate": shown[0],
                "ci_lower": shown[1],
                "ci_upper": shown[2],
                "p_value": row["p_value"],
            }
        )
    return pd.DataFrame(rows)


def cox_frame(evaluation: Any) -> pd.DataFrame:
    """The Cox table, narrow: the comparison named by the groups, HR with its interval,
    the SE used (robust or clustered when the fit is) and the p-value."""
    from rpeval.report._figures import group_names

    names = group_names(evaluation)
    table = evaluation.cox.summary()
    robust = table["robust_std_error"].notna().all()
    treatment = evaluation.settings["treatment"]
    return pd.DataFrame(
        {
            "term": [
                f"{names['participants']} vs {names['comparison']}"
                if str(t).startswith(treatment)
                else str(t)
                for t in table["term"]
            ],
            "hazard_ratio": table["hazard_ratio"],
            "lower": table["hazard_ratio_lower"],
            "upper": table["hazard_ratio_upper"],
            "std_error": table["robust_std_error" if robust else "std_error"],
            "p_value": table["p_value"],
        }
    )


def rate_labels(evaluation: Any) -> dict[str, str]:
    """Headers of the window-rate table: the groups' names and the units."""
    from rpeval.report._figures import group_names

    names = group_names(evaluation)
    level = round(100 * evaluation.settings["conf_level"])
    return {
        "window": "window (days)",
        "treated": f"{names['participants']}, re-arrested (%)",
        "treated_ci_lower": f"{level}% CI lower (%)",
        "treated_ci_upper": f"{level}% CI upper (%)",
        "comparison": f"{names['comparison']}, re-arrested (%)",
        "comparison_ci_lower": f"{level}% CI lower (%)",
        "comparison_ci_upper": f"{level}% CI upper (%)",
        "difference": "difference (percentage points)",
        "ci_lower": f"{level}% CI lower (points)",
        "ci_upper": f"{level}% CI upper (points)",
        "p_value": "p-value",
    }


def balance_labels(names: Mapping[str, str]) -> dict[str, str]:
    """Headers of the balance table."""
    return {
        "term": "covariate",
        "means_treated_before": f"{names['participants']}: mean before",
        "means_control_before": f"{names['comparison']}: mean before",
        "std_mean_diff_before": "SMD before",
        "means_treated_after": f"{names['participants']}: mean after",
        "means_control_after": f"{names['comparison']}: mean after",
        "std_mean_diff_after": "SMD after",
        "var_ratio_after": "variance ratio after",
        "balanced": "balanced",
    }
