"""What the recidivism results show in the console and notebooks (:mod:`rpeval._display`).

Each function takes a result and returns its :class:`~rpeval._display.Display`: the call
(as far as the result records it), n, events and the table of estimates with their
intervals and p-values. The results' ``summary()`` stays the tidy frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rpeval._display import Display, call_text

if TYPE_CHECKING:
    from rpeval.recidivism.competing.cif_result import CIFResult
    from rpeval.recidivism.cox.result import CoxResult
    from rpeval.recidivism.rates._window_result import RecidivismRates
    from rpeval.recidivism.rates.rate_model import RateModelResult
    from rpeval.recidivism.survival.km_result import SurvivalCurves
    from rpeval.recidivism.survival.logrank import TestResult
    from rpeval.recidivism.survival.rmst import RMSTResult

__all__ = [
    "cif_display",
    "cox_display",
    "km_display",
    "logrank_display",
    "rate_model_display",
    "rates_display",
    "rmst_display",
]


def _level(conf_level: float) -> str:
    return f"{100 * conf_level:g}%"


def _count(value: Any) -> str:
    return f"{int(np.sum(value)):,}"


def _groups(groups: tuple[Any, ...], n: Any, events: Any) -> tuple[tuple[str, str], ...]:
    if len(groups) <= 1:
        return (("n", _count(n)), ("events", _count(events)))
    sizes = ", ".join(
        f"{g}: {int(a):,} ({int(b):,} events)" for g, a, b in zip(groups, n, events, strict=True)
    )
    return (("n", f"{_count(n)} ({sizes})"),)


def cox_display(fit: CoxResult) -> Display:
    """Hazard ratios with their interval, the SE used (robust when the fit is), z and p."""
    table = fit.summary()
    robust = fit.robust_covariance is not None
    level = _level(fit.conf_level)
    columns = ["term", "hazard_ratio", "hazard_ratio_lower", "hazard_ratio_upper", "estimate"]
    columns += ["robust_std_error" if robust else "std_error", "statistic", "p_value"]
    fine_gray = any(note.startswith("Fine-Gray") for note in fit.notes)
    title = "Fine–Gray subdistribution hazards model" if fine_gray else "Cox proportional hazards"
    lr = fit.tests().iloc[0]
    header = (
        ("call", call_text("fine_gray" if fine_gray else "cox", ties=fit.ties, robust=robust)),
        ("n", f"{fit.n:,}" + (f" ({fit.n_dropped:,} dropped)" if fit.n_dropped else "")),
        ("events", f"{fit.n_events:,}"),
        ("concordance", f"{fit.concordance:.3f}"),
        (
            "likelihood ratio test",
            f"{lr['statistic']:.2f} on {int(lr['df'])} df, p = {lr['p_value']:.3g}",
        ),
    )
    labels = {
        "hazard_ratio": "HR",
        "hazard_ratio_lower": f"lower {level}",
        "hazard_ratio_upper": f"upper {level}",
        "estimate": "coef",
        "std_error": "se(coef)",
        "robust_std_error": "robust se",
        "statistic": "z",
        "p_value": "p",
    }
    notes = () if fine_gray else tuple(fit.notes)
    return Display(title, header, table[columns], notes=notes, labels=labels)


def km_display(curves: SurvivalCurves) -> Display:
    """Median time to the event per group with its interval, n and events."""
    median = curves.median()
    table = pd.DataFrame(
        {
            "group": median["group"] if "group" in median else ["all"] * len(median),
            "n": np.asarray(curves.n, dtype=float),
            "events": np.asarray(curves.n_events, dtype=float),
            "median": median["time"],
            "ci_lower": median["ci_lower"],
            "ci_upper": median["ci_upper"],
        }
    )
    level = _level(curves.conf_level)
    header = (
        ("call", call_text("kaplan_meier", group=curves.group_column, conf_type=curves.conf_type)),
        ("n", _count(curves.n) + (f" ({curves.n_dropped:,} dropped)" if curves.n_dropped else "")),
        ("events", _count(curves.n_events)),
        ("intervals", f"{level}, {curves.conf_type} scale, {curves.variance} variance"),
    )
    labels = {"median": "median time", "ci_lower": f"lower {level}", "ci_upper": f"upper {level}"}
    notes = ("NA: the curve does not fall to 0.5 (or its bound) in the follow-up.",)
    return Display("Kaplan–Meier survival curves", header, table, notes=notes, labels=labels)


def rmst_display(result: RMSTResult) -> Display:
    """Restricted mean time free of the event per group, then the contrasts."""
    level = _level(result.conf_level)
    per_group = result.summary()[["group", "n", "n_events", "rmst", "ci_lower", "ci_upper"]]
    labels = {
        "n_events": "events",
        "rmst": "RMST",
        "ci_lower": f"lower {level}",
        "ci_upper": f"upper {level}",
        "statistic": "z",
        "p_value": "p",
    }
    header = (
        ("call", call_text("rmst", tau=result.tau)),
        *_groups(result.groups, result.n, result.n_events),
    )
    tables: tuple[tuple[str, pd.DataFrame], ...] = ()
    if len(result.groups) > 1:
        contrasts = result.contrasts()
        tables = (("Contrasts", contrasts.drop(columns=["std_error"])),)
    title = f"Restricted mean survival time up to {result.tau:g}"
    return Display(title, header, per_group, labels=labels, tables=tables)


def cif_display(result: CIFResult) -> Display:
    """Gray's test per cause, with n per group."""
    header = (
        ("call", call_text("cumulative_incidence", group=result.group_column)),
        ("n", _count(result.n)),
        ("causes", ", ".join(str(c) for c in result.causes)),
        ("intervals", f"{_level(result.conf_level)}, {result.conf_type} scale"),
    )
    table = result.gray_test if len(result.groups) > 1 else None
    notes = ("summary() gives the curves; at(times) the incidence at chosen times.",)
    labels = {"statistic": "chi-square", "p_value": "p"}
    title = "Cumulative incidence (Aalen–Johansen)" + (", Gray's test" if table is not None else "")
    return Display(title, header, table, notes=notes, labels=labels)


def rates_display(rates: RecidivismRates) -> Display:
    """Cumulative incidence at each window per group, and the differences."""
    level = _level(rates.conf_level)
    columns = ["group", "window", "cumulative_incidence", "ci_lower", "ci_upper", "n_risk"]
    table = rates.rates[[c for c in columns if c in rates.rates]]
    labels = {
        "cumulative_incidence": "incidence",
        "ci_lower": f"lower {level}",
        "ci_upper": f"upper {level}",
        "n_risk": "at risk",
        "p_value": "p",
    }
    tables: tuple[tuple[str, pd.DataFrame], ...] = ()
    if len(rates.differences_table):
        differences = rates.differences_table
        keep = ["group", "reference", "window", "difference", "ci_lower", "ci_upper", "p_value"]
        caption = "Differences in cumulative incidence (0.01 is 1 percentage point)"
        tables = ((caption, differences[[c for c in keep if c in differences]]),)
    header = (
        ("call", call_text("recidivism_rates", windows=list(rates.windows))),
        ("intervals", f"{level}, {rates.conf_type} scale"),
    )
    title = "Cumulative incidence within each window (1 - Kaplan–Meier)"
    return Display(title, header, table, notes=rates.notes, labels=labels, tables=tables)


def rate_model_display(model: RateModelResult) -> Display:
    """Rate ratios with their interval."""
    header = (
        ("call", call_text("rate_model", family=model.family, robust=model.robust)),
        ("n", f"{model.n:,}" + (f" ({model.n_dropped:,} dropped)" if model.n_dropped else "")),
        ("Pearson dispersion", f"{model.pearson_dispersion:.3f}"),
    )
    robust = ", robust SEs" if model.robust else ""
    return Display(
        f"Rate model ({model.family}{robust})", header, model.summary(), labels={"p_value": "p"}
    )


def logrank_display(test: TestResult) -> Display:
    """The test statistic, df and p-value, and the per-group table."""
    header = (
        ("test", test.method),
        ("chi-square", f"{test.statistic:.3f} on {test.df} df, p = {test.p_value:.3g}"),
    )
    table = test.summary().drop(columns=["statistic", "df", "p_value", "variance"])
    labels = {"observed_minus_expected": "O - E"}
    title = f"{test.method[:1].upper()}{test.method[1:]} test"
    return Display(title, header, table, labels=labels)
