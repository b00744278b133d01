"""Outcome and sensitivity stages of `evaluate` on the matched or weighted sample."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from rpeval._inference import two_sided_p, z_quantile
from rpeval.errors import DataError

__all__ = ["OutcomeResults", "outcome_results", "sensitivity_results"]

# The report's survival bands and group window rates: log-log, because the tails of the
# curves rest on small risk sets, where R's default log interval undercovers (92.7% for a
# nominal 95% with 40 per group in the coverage study; log-log 95.3-96.4%).
# kaplan_meier()'s own default stays R's "log".
CONF_TYPE: Final = "log-log"
CONF_TYPE_NOTE = (
    "Intervals of the survival curves and of each group's window rate are on the log-log "
    "scale (R: conf.type = \"log-log\"), not R's default log scale: the curves' tails rest "
    "on small risk sets, where the log interval covers less than its nominal level."
)


@dataclass
class OutcomeResults:
    """Results of the outcome stage and notes on what was done."""

    curves: Any
    rates: pd.DataFrame
    cox: Any
    ph_test: pd.DataFrame
    rmst: Any
    cif: Any = None
    notes: list[str] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        """The Evaluation fields."""
        return {
            "curves": self.curves,
            "rates": self.rates,
            "cox": self.cox,
            "ph_test": self.ph_test,
            "rmst": self.rmst,
            "cif": self.cif,
        }


def _unit_weights(sample: pd.DataFrame) -> bool:
    return bool(np.allclose(sample["weights"].to_numpy(dtype=float), 1.0))


def _rates_from_rates(
    sample: pd.DataFrame, treated: str, windows: list[int], conf_level: float, event: str
) -> pd.DataFrame:
    from rpeval.recidivism import recidivism_rates

    result = recidivism_rates(
        sample,
        "time_at_risk",
        event,
        windows,
        group=treated,
        conf_level=conf_level,
        conf_type=CONF_TYPE,
        followup="_potential_followup",
    )
    summary = result.summary().set_index(["group", "window"])
    rows = []
    for _, diff in result.differences().iterrows():
        window = float(diff["window"])
        program = summary.loc[(True, window)]  # type: ignore[index]
        comparison = summary.loc[(False, window)]  # type: ignore[index]
        rows.append(
            {
                "window": window,
                "treated": program["cumulative_incidence"],
                "treated_ci_lower": program["ci_lower"],
                "treated_ci_upper": program["ci_upper"],
                "comparison": comparison["cumulative_incidence"],
                "comparison_ci_lower": comparison["ci_lower"],
                "comparison_ci_upper": comparison["ci_upper"],
                "difference": diff["difference"],
                "ci_lower": diff["ci_lower"],
                "ci_upper": diff["ci_upper"],
                "p_value": diff["p_value"],
                "treated_complete_n": program["complete_n"],
                "treated_complete_share": program["complete_proportion"],
                "comparison_complete_n": comparison["complete_n"],
                "comparison_complete_share": comparison["complete_proportion"],
            }
        )
    return pd.DataFrame(rows)


def _rates_from_curves(curves: Any, windows: list[int], conf_level: float) -> pd.DataFrame:
    """1 − S(t) from weighted (robust-variance) curves; difference with a normal CI."""
    at = curves.at([float(w) for w in windows]).set_index(["group", "time"])
    z = z_quantile(conf_level)
    rows = []
    for window in windows:
        program, comparison = at.loc[(True, float(window))], at.loc[(False, float(window))]
        difference = comparison["survival"] - program["survival"]
        se = math.hypot(program["std_error"], comparison["std_error"])
        rows.append(
            {
                "window": float(window),
                "treated": 1 - program["survival"],
                "treated_ci_lower": 1 - program["ci_upper"],
                "treated_ci_upper": 1 - program["ci_lower"],
                "comparison": 1 - comparison["survival"],
                "comparison_ci_lower": 1 - comparison["ci_upper"],
                "comparison_ci_upper": 1 - comparison["ci_lower"],
                "difference": difference,
                "ci_lower": difference - z * se,
                "ci_upper": difference + z * se,
                "p_value": two_sided_p(difference / se) if se > 0 else math.nan,
            }
        )
    return pd.DataFrame(rows)


def _estimable_windows(
    sample: pd.DataFrame, treated: str, windows: list[int], notes: list[str]
) -> list[int]:
    """The windows both groups are followed for; a note names the others."""
    longest = float(sample.groupby(treated)["time_at_risk"].max().min())
    estimable = [w for w in windows if w <= longest]
    if len(estimable) < len(windows):
        dropped = ", ".join(str(w) for w in windows if w > longest)
        notes.append(
            f"Windows of {dropped} days are not reported: one group is followed "
            f"for at most {longest:g} days of street time."
        )
    if not estimable:
        raise DataError(
            f"evaluate(): no window is within the follow-up (longest common {longest:g} days)",
            hint="choose shorter windows",
        )
    return estimable


@dataclass(frozen=True)
class _WeightingParts:
    """Whether every weight is 1, the weights' influence parts (a weighted design with a
    known weight model), and the RMST horizon."""

    unit: bool
    parts: Any
    tau: float


def _window_rates(
    sample: pd.DataFrame,
    treated: str,
    windows: list[int],
    conf_level: float,
    curves: Any,
    weighting: _WeightingParts,
    notes: list[str],
) -> tuple[pd.DataFrame, Any, Any]:
    """Window rates, the competing-risks curves when there are competing events, and the
    RMST of a weighted design (computed with its corrected variance alongside the rates)."""
    from rpeval.report._weighted_outcomes import corrected_rates

    if weighting.unit and bool((sample["event"] >= 2).any()):
        from rpeval.recidivism import cumulative_incidence

        notes.append(
            "Competing events (e.g. death) are present: window rates are the "
            "Aalen–Johansen cumulative incidence of re-arrest, not 1 − Kaplan–Meier; "
            "Gray's test compares the groups."
        )
        cif = cumulative_incidence(
            sample, "time_at_risk", "event", group=treated, conf_level=conf_level
        )
        return _rates_from_rates(sample, treated, windows, conf_level, "event"), cif, None
    if weighting.unit:
        return _rates_from_rates(sample, treated, windows, conf_level, "rearrest"), None, None
    if weighting.parts is not None:
        notes.append(
            "Window rates are 1 − weighted Kaplan–Meier; their variances, the difference's "
            "and the RMST's are the stacked (M-estimation) sandwich that includes the "
            "estimation of the weights (the curves' bands in the figure treat the weights as "
            "known). Group intervals are log-log; differences use a normal interval."
        )
        rates, result_rmst = corrected_rates(
            sample, treated, windows, conf_level, weighting.tau, weighting.parts
        )
        return rates, None, result_rmst
    notes.append(
        "Window rates are 1 − weighted Kaplan–Meier with robust (infinitesimal "
        "jackknife) variance; the difference uses a normal interval."
    )
    return _rates_from_curves(curves, windows, conf_level), None, None


def _cox_fit(
    sample: pd.DataFrame,
    treated: str,
    design: str,
    conf_level: float,
    weighting: _WeightingParts,
    notes: list[str],
) -> Any:
    """The Cox model of the design: clustered on matched sets, or weighted with the
    stacked sandwich when the weights' estimation is known, else the robust one."""
    from rpeval.recidivism import cox
    from rpeval.report._weighted_outcomes import corrected_cox

    if design == "matching":
        notes.append(
            "Cox model of street time to first re-arrest with standard errors "
            "clustered on matched sets."
        )
        weights = None if weighting.unit else "weights"
        return cox(
            sample, "time_at_risk", "rearrest", [treated], weights=weights,
            cluster="subclass", conf_level=conf_level,
        )  # fmt: skip
    fit = cox(
        sample, "time_at_risk", "rearrest", [treated], weights="weights", robust=True,
        conf_level=conf_level,
    )  # fmt: skip
    if weighting.parts is None:
        notes.append(
            "Weighted Cox model with robust (sandwich) standard errors; they treat the "
            "weights as known, which is not guaranteed to be conservative."
        )
        return fit
    notes.append(
        "Weighted Cox model; its standard error is the stacked (M-estimation) "
        "sandwich that includes the estimation of the weights (Lunceford & Davidian "
        "2004), not the robust one that treats them as known."
    )
    return corrected_cox(fit, sample["weights"].to_numpy(np.float64), weighting.parts)


def outcome_results(
    sample: pd.DataFrame,
    treated: str,
    design: str,
    windows: list[int],
    conf_level: float,
    weighting: Any = None,
) -> OutcomeResults:
    """Curves, window rates, Cox with the PH test, and RMST on the analysis sample;
    `weighting` (the design's WeightResult) puts the weights' estimation into the
    variances of a weighted design."""
    from rpeval.recidivism import kaplan_meier, rmst

    notes: list[str] = []
    windows = _estimable_windows(sample, treated, windows, notes)
    tau = float(min(max(windows), sample.groupby(treated)["time_at_risk"].max().min()))
    parts = _WeightingParts(
        unit=_unit_weights(sample),
        parts=None if weighting is None else weighting.weight_influence(),
        tau=tau,
    )
    curves = kaplan_meier(
        sample, "time_at_risk", "rearrest", group=treated,
        weights=None if parts.unit else "weights", conf_level=conf_level, conf_type=CONF_TYPE,
    )  # fmt: skip
    notes.append(CONF_TYPE_NOTE)
    rates, cif, result_rmst = _window_rates(
        sample, treated, windows, conf_level, curves, parts, notes
    )
    fit = _cox_fit(sample, treated, design, conf_level, parts, notes)
    if parts.unit:
        result_rmst = rmst(
            sample, "time_at_risk", "rearrest", tau, group=treated, conf_level=conf_level
        )
    elif result_rmst is None:
        notes.append("RMST is not reported for a weighted design with weights of unknown origin.")
    ph_test = fit.test_proportional_hazards()
    return OutcomeResults(curves, rates, fit, ph_test, result_rmst, cif, notes)


def _complete_pairs(sample: pd.DataFrame, treated: str, window: int) -> pd.DataFrame:
    """The rows of matched pairs (subclasses of two) whose members are both followed for
    the whole ``window``, with the columns the Rosenbaum bounds read."""
    columns = ["subclass", treated, "rearrest", "time_at_risk"]
    complete = (sample["_potential_followup"] >= window).to_numpy(dtype=bool)
    sets, _ = pd.factorize(sample["subclass"])
    if np.any(sets < 0):  # rows outside any subclass: group them as pandas does
        pairs = sample.assign(_complete=complete).groupby("subclass")["_complete"]
        sizes = sample.groupby("subclass")[treated].transform("size") == 2
        keep = pairs.transform("all").to_numpy(dtype=bool) & sizes.to_numpy(dtype=bool)
        return sample.loc[keep, columns].copy()
    size = np.bincount(sets)
    short = np.bincount(sets, weights=~complete, minlength=size.size)
    chosen: pd.DataFrame = sample.loc[(size == 2)[sets] & (short == 0)[sets], columns].copy()
    return chosen


def sensitivity_results(
    sample: pd.DataFrame, treated: str, design: str, outcomes: OutcomeResults, window: int
) -> dict[str, Any]:
    """E-value of the hazard ratio; Rosenbaum bounds for matched pairs."""
    from rpeval.matching import e_value, rosenbaum_bounds

    row = outcomes.cox.summary().iloc[0]
    share = float(sample["rearrest"].mean())
    found: dict[str, Any] = {
        "e_value": e_value(
            float(row["hazard_ratio"]),
            float(row["hazard_ratio_lower"]),
            float(row["hazard_ratio_upper"]),
            measure="hr",
            rare=share < 0.15,
        ),
        "rosenbaum": None,
        "rosenbaum_window": window,
    }
    if design != "matching":
        return found
    pairs_data = _complete_pairs(sample, treated, window)
    if pairs_data["subclass"].nunique() < 10:
        return found
    pairs_data["_rearrest_window"] = (
        (pairs_data["rearrest"] == 1) & (pairs_data["time_at_risk"] <= window)
    ).astype(int)
    bounds = rosenbaum_bounds(pairs_data, "_rearrest_window", treatment=treated)
    found["rosenbaum"] = bounds.summary()
    return found
