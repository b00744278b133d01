"""The report's detail tables, one small builder per table.

Each builder takes the `Evaluation` and the shared `TableContext` (confidence level, the
groups' names, the suppression threshold) and returns the table as HTML, or ``None`` when
the evaluation has nothing to show there (no RMST, no competing events, no matching).
`report_tables` runs them all in the order the template shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from markupsafe import Markup

from rpeval.report._detail_tables import (
    balance_labels,
    cox_frame,
    key_estimates,
    points,
    rate_labels,
)
from rpeval.report._disclosure_tables import small_pair_counts_hidden, small_shares_hidden
from rpeval.report._figures import group_names
from rpeval.report._first_page import events_by_group, sample_sizes
from rpeval.report._html_table import html_table, number, percent, pvalue, yes_no
from rpeval.report._metric_rows import metric_display

__all__ = ["TableContext", "report_tables"]

RATE_SHARES = (
    "treated",
    "treated_ci_lower",
    "treated_ci_upper",
    "comparison",
    "comparison_ci_lower",
    "comparison_ci_upper",
    "difference",
    "ci_lower",
    "ci_upper",
)
BALANCE_COLUMNS = (
    "term",
    "means_treated_before",
    "means_control_before",
    "std_mean_diff_before",
    "means_treated_after",
    "means_control_after",
    "std_mean_diff_after",
    "var_ratio_after",
    "balanced",
)


@dataclass(frozen=True)
class TableContext:
    """What every caption needs: the CI level in percent, group names, the threshold."""

    level: int
    names: dict[str, str]
    suppress_below: int

    @classmethod
    def of(cls, evaluation: Any) -> TableContext:
        """The context of one evaluation."""
        return cls(
            level=round(100 * evaluation.settings["conf_level"]),
            names=group_names(evaluation),
            suppress_below=evaluation.settings["suppress_below"],
        )

    def ci_labels(self, lower: str = "ci_lower", upper: str = "ci_upper") -> dict[str, str]:
        """Header labels for an interval's two columns."""
        return {lower: f"{self.level}% CI lower", upper: f"{self.level}% CI upper"}


TableBuilder = Callable[[Any, TableContext], Markup | None]


def _cohort(evaluation: Any, ctx: TableContext) -> Markup:
    counts = ("remaining", "remaining_treated", "remaining_comparison", "dropped")
    return html_table(
        evaluation.published_cohort().astype(object),
        "Cohort flow: rows remaining after each step, and rows dropped with the reason. "
        f"No count below {ctx.suppress_below} is shown: a step that drops fewer people "
        "(in all, or in either group) is combined with the next.",
        formats=dict.fromkeys(counts, number(0)),
        labels={
            "remaining": "people remaining",
            "remaining_treated": ctx.names["participants"],
            "remaining_comparison": ctx.names["comparison"],
            "dropped": "people dropped",
        },
    )


def _guards(evaluation: Any, ctx: TableContext) -> Markup:
    return html_table(
        evaluation.guards.summary().drop(columns="value"),
        "Design checks: each against its stated threshold; a failed check is explained "
        "above the findings.",
    )


def _summary(evaluation: Any, ctx: TableContext) -> Markup:
    return html_table(
        key_estimates(evaluation.summary()),
        f"Key estimates with {ctx.level}% confidence intervals (differences are "
        f"{ctx.names['participants']} minus {ctx.names['comparison']}).",
        formats={"p_value": pvalue},
        labels={"estimate": "estimate", "p_value": "p-value", **ctx.ci_labels()},
    )


def _rates(evaluation: Any, ctx: TableContext) -> Markup:
    method = "cumulative incidence" if evaluation.cif is not None else "1 − Kaplan–Meier"
    return html_table(
        evaluation.rates[["window", *RATE_SHARES, "p_value"]],
        f"Re-arrest within fixed windows of street time ({method}), {ctx.level}% CIs; "
        "difference = participants − comparison.",
        formats={
            "window": number(0),
            "p_value": pvalue,
            **dict.fromkeys(RATE_SHARES, percent),
            **dict.fromkeys(("difference", "ci_lower", "ci_upper"), points),
        },
        labels=rate_labels(evaluation),
    )


def _cox(evaluation: Any, ctx: TableContext) -> Markup:
    participants, comparison = ctx.names["participants"], ctx.names["comparison"]
    return html_table(
        cox_frame(evaluation),
        f"Cox proportional hazards model of street time to first re-arrest: the hazard "
        f"ratio of {participants} against {comparison} with its {ctx.level}% CI (below 1: "
        "fewer re-arrests). Events and person-time per group follow.",
        formats={"p_value": pvalue, "std_error": number(3)}
        | dict.fromkeys(("hazard_ratio", "lower", "upper"), number(2)),
        labels={
            "term": "comparison",
            "hazard_ratio": "hazard ratio",
            "std_error": "SE of log HR",
            "p_value": "p-value",
            **ctx.ci_labels("lower", "upper"),
        },
    )


def _events(evaluation: Any, ctx: TableContext) -> Markup:
    return html_table(
        events_by_group(evaluation),
        "Re-arrests and street time per group in the analysis sample (counts of people; "
        "the rate per 100 person-years uses the design's weights).",
    )


def _sizes(evaluation: Any, ctx: TableContext) -> Markup:
    return html_table(
        sample_sizes(evaluation),
        "People per group after the design and the effective sample size (Kish: "
        "(Σw)² / Σw², what the weights leave of the information; equal to the count "
        "when every weight is equal).",
    )


def _proportional_hazards(evaluation: Any, ctx: TableContext) -> Markup:
    return html_table(
        evaluation.ph_test,
        "Test of proportional hazards (scaled Schoenfeld residuals, as R's cox.zph).",
        formats={"p_value": pvalue, "df": number(0), "chisq": number(2)},
        labels={"chisq": "chi-square", "p_value": "p-value"},
    )


def group_sizes(evaluation: Any) -> dict[str, tuple[int, int]]:
    """People per group (participants, comparison) before and after the design."""
    first = evaluation.cohort.iloc[0]
    after = evaluation.sample[evaluation.settings["treatment"]].astype(bool)
    return {
        "before": (int(first["remaining_treated"]), int(first["remaining_comparison"])),
        "after": (int(after.sum()), int((~after).sum())),
    }


def _balance(evaluation: Any, ctx: TableContext) -> Markup:
    frame = evaluation.balance.summary()
    wanted = [c for c in frame.columns if c in BALANCE_COLUMNS]
    return html_table(
        small_shares_hidden(
            frame[wanted] if wanted else frame, group_sizes(evaluation), ctx.suppress_below
        ),
        "Balance: standardised mean differences (SD of the unadjusted sample) before and "
        "after the design; means of binary covariates are shares; a share that would "
        f"reveal fewer than {ctx.suppress_below} people is not shown.",
        formats={"balanced": yes_no},
        labels=balance_labels(ctx.names),
    )


def _rmst(evaluation: Any, ctx: TableContext) -> Markup | None:
    if evaluation.rmst is None:
        return None
    shown = ("estimate", "std_error", "ci_lower", "ci_upper", "statistic")
    return html_table(
        evaluation.rmst.contrasts().drop(columns=["group", "reference"]),
        f"Restricted mean street time without re-arrest up to {evaluation.rmst.tau:g} "
        f"days: {ctx.names['participants']} against {ctx.names['comparison']} (the "
        "difference in days, the ratio without unit).",
        formats={"p_value": pvalue} | dict.fromkeys(shown, number(2)),
        labels={
            "estimate": "estimate",
            "std_error": "SE",
            "statistic": "z",
            "p_value": "p-value",
            **ctx.ci_labels(),
        },
    )


def _gray(evaluation: Any, ctx: TableContext) -> Markup | None:
    if evaluation.cif is None:
        return None
    return html_table(
        evaluation.cif.gray_test,
        "Gray's test of equal cumulative incidence between the groups, by cause "
        "(1 = re-arrest, 2 and up = competing events).",
        formats={"p_value": pvalue, "cause": number(0), "df": number(0)},
        labels={"statistic": "chi-square", "p_value": "p-value"},
    )


def _evalue(evaluation: Any, ctx: TableContext) -> Markup | None:
    evalue = evaluation.sensitivity.get("e_value")
    return None if evalue is None else html_table(evalue.summary(), "E-value of the hazard ratio.")


def _rosenbaum(evaluation: Any, ctx: TableContext) -> Markup | None:
    bounds = small_pair_counts_hidden(evaluation.sensitivity.get("rosenbaum"), ctx.suppress_below)
    if bounds is None:
        return None
    return html_table(
        bounds,
        f"Rosenbaum bounds: re-arrest within {evaluation.sensitivity['rosenbaum_window']} "
        "days among matched pairs followed for the whole window (McNemar-type test).",
        formats={
            "p_lower": pvalue,
            "p_upper": pvalue,
            "n_pairs": number(0),
            "statistic": number(0),
            "gamma": number(2),
            "significant": yes_no,
        },
        labels={
            "gamma": "Γ",
            "n_pairs": "discordant pairs",
            "p_lower": "p-value, best case",
            "p_upper": "p-value, worst case",
        },
    )


def _metrics(evaluation: Any, ctx: TableContext) -> Markup | None:
    if evaluation.metrics is None:
        return None
    from rpeval.metrics import Registry

    frame: pd.DataFrame = evaluation.metrics.to_pandas()
    if "group" in frame:
        frame = metric_display(frame, Registry.builtin(), evaluation.metrics.by[1:])
    return html_table(
        frame,
        f"Program metrics with {ctx.level}% CIs, for participants and the comparison group "
        "where the metric concerns both (never pooled), else for the program; cells with "
        f"counts below {ctx.suppress_below} are suppressed.",
        formats={"numerator": number(0), "denominator": number(1)},
        labels=ctx.ci_labels(),
    )


BUILDERS: dict[str, TableBuilder] = {
    "cohort": _cohort,
    "guards": _guards,
    "summary": _summary,
    "rates": _rates,
    "cox": _cox,
    "events": _events,
    "sizes": _sizes,
    "ph": _proportional_hazards,
    "balance": _balance,
    "rmst": _rmst,
    "gray": _gray,
    "evalue": _evalue,
    "rosenbaum": _rosenbaum,
    "metrics": _metrics,
}


def report_tables(evaluation: Any) -> dict[str, Markup]:
    """Every detail table the evaluation has, keyed as the template names them."""
    ctx = TableContext.of(evaluation)
    built = {key: build(evaluation, ctx) for key, build in BUILDERS.items()}
    return {key: table for key, table in built.items() if table is not None}
