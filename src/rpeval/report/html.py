"""Render an `Evaluation` as one self-contained, accessible, printable HTML file.

Figures are inline PNG data URIs with alt text, tables are real ``<table>`` elements with
captions and header cells, there are no scripts and no network requests, and the
template's print stylesheet keeps tables and figures whole on paper.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from rpeval.report._detail_tables import (
    balance_labels as _balance_labels,
)
from rpeval.report._detail_tables import (
    cox_frame as _cox_frame,
)
from rpeval.report._detail_tables import (
    key_estimates,
    points,
)
from rpeval.report._detail_tables import (
    rate_labels as _rate_labels,
)
from rpeval.report._disclosure_tables import small_pair_counts_hidden, small_shares_hidden
from rpeval.report._figures import group_names, report_figures
from rpeval.report._first_page import (
    answer_text,
    cannot_say,
    events_by_group,
    gamma_text,
    question_text,
    sample_sizes,
)
from rpeval.report._metric_rows import metric_display

__all__ = ["html_table", "render_html"]

Formatter = Callable[[Any], str]


def _number(digits: int) -> Formatter:
    def show(value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return "–"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int | float):
            return f"{value:,.{digits}f}"
        return str(value)

    return show


def _percent(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * float(value):.1f}%"


def _pvalue(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def html_table(
    frame: pd.DataFrame,
    caption: str,
    *,
    formats: Mapping[str, Formatter] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Markup:
    """A ``<table>`` with a caption, ``<th scope="col">`` headers and formatted cells, in a
    ``div.table-wrap`` that scrolls on a narrow screen rather than clip (print wraps it).

    Examples
    --------
    >>> print(html_table(pd.DataFrame({"a": [1.5]}), "One row"))
    <div class="table-wrap"><table><caption>One row</caption><thead><tr><th scope="col">a</th></tr></thead><tbody><tr><td class="num">1.500</td></tr></tbody></table></div>
    """  # noqa: E501 - one line of HTML
    formats = dict(formats or {})
    labels = dict(labels or {})
    head = "".join(f'<th scope="col">{escape(labels.get(c, c))}</th>' for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for column in frame.columns:
            value = row[column]
            show = formats.get(column, _number(3))
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            css = ' class="num"' if numeric else ""
            cells.append(f"<td{css}>{escape(show(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return Markup(  # noqa: S704 - every piece is escaped above
        f'<div class="table-wrap"><table><caption>{escape(caption)}</caption><thead><tr>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


_RATE_SHARES = (
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


def _tables(evaluation: Any) -> dict[str, Markup]:
    level = round(100 * evaluation.settings["conf_level"])
    names = group_names(evaluation)
    tables = {
        "cohort": html_table(
            evaluation.published_cohort().astype(object),
            "Cohort flow: rows remaining after each step, and rows dropped with the reason. "
            f"No count below {evaluation.settings['suppress_below']} is shown: a step that "
            "drops fewer people (in all, or in either group) is combined with the next.",
            formats={
                "remaining": _number(0),
                "remaining_treated": _number(0),
                "remaining_comparison": _number(0),
                "dropped": _number(0),
            },
            labels={
                "remaining": "people remaining",
                "remaining_treated": names["participants"],
                "remaining_comparison": names["comparison"],
                "dropped": "people dropped",
            },
        ),
        "guards": html_table(
            evaluation.guards.summary().drop(columns="value"),
            "Design checks: each against its stated threshold; a failed check is explained "
            "above the findings.",
        ),
        "summary": html_table(
            key_estimates(evaluation.summary()),
            f"Key estimates with {level}% confidence intervals (differences are "
            f"{names['participants']} minus {names['comparison']}).",
            formats={"p_value": _pvalue},
            labels={
                "estimate": "estimate",
                "ci_lower": f"{level}% CI lower",
                "ci_upper": f"{level}% CI upper",
                "p_value": "p-value",
            },
        ),
        "rates": html_table(
            evaluation.rates[["window", *_RATE_SHARES, "p_value"]],
            f"Re-arrest within fixed windows of street time ("
            f"{'cumulative incidence' if evaluation.cif is not None else '1 − Kaplan–Meier'}), "
            f"{level}% CIs; difference = participants − comparison.",
            formats={
                "window": _number(0),
                "p_value": _pvalue,
                **dict.fromkeys(_RATE_SHARES, _percent),
                **dict.fromkeys(("difference", "ci_lower", "ci_upper"), points),
            },
            labels=_rate_labels(evaluation),
        ),
        "cox": html_table(
            _cox_frame(evaluation),
            f"Cox proportional hazards model of street time to first re-arrest: the hazard "
            f"ratio of {names['participants']} against {names['comparison']} with its "
            f"{level}% CI (below 1: fewer re-arrests). Events and person-time per group "
            "follow.",
            formats={"p_value": _pvalue, "hazard_ratio": _number(2), "lower": _number(2)}
            | {"upper": _number(2), "std_error": _number(3)},
            labels={
                "term": "comparison",
                "hazard_ratio": "hazard ratio",
                "lower": f"{level}% CI lower",
                "upper": f"{level}% CI upper",
                "std_error": "SE of log HR",
                "p_value": "p-value",
            },
        ),
        "events": html_table(
            events_by_group(evaluation),
            "Re-arrests and street time per group in the analysis sample (counts of people; "
            "the rate per 100 person-years uses the design's weights).",
        ),
        "sizes": html_table(
            sample_sizes(evaluation),
            "People per group after the design and the effective sample size (Kish: "
            "(Σw)² / Σw², what the weights leave of the information; equal to the count "
            "when every weight is equal).",
        ),
        "ph": html_table(
            evaluation.ph_test,
            "Test of proportional hazards (scaled Schoenfeld residuals, as R's cox.zph).",
            formats={"p_value": _pvalue, "df": _number(0), "chisq": _number(2)},
            labels={"chisq": "chi-square", "p_value": "p-value"},
        ),
        "balance": html_table(
            small_shares_hidden(
                _balance_columns(evaluation.balance.summary()),
                _group_sizes(evaluation),
                evaluation.settings["suppress_below"],
            ),
            "Balance: standardised mean differences (SD of the unadjusted sample) before and "
            "after the design; means of binary covariates are shares; a share that would "
            f"reveal fewer than {evaluation.settings['suppress_below']} people is not shown.",
            formats={"balanced": lambda v: "yes" if v is True else ("no" if v is False else "–")},
            labels=_balance_labels(names),
        ),
    }
    if evaluation.rmst is not None:
        tables["rmst"] = html_table(
            evaluation.rmst.contrasts().drop(columns=["group", "reference"]),
            f"Restricted mean street time without re-arrest up to {evaluation.rmst.tau:g} "
            f"days: {names['participants']} against {names['comparison']} (the difference "
            "in days, the ratio without unit).",
            formats={"p_value": _pvalue, "estimate": _number(2), "std_error": _number(2)}
            | {"ci_lower": _number(2), "ci_upper": _number(2), "statistic": _number(2)},
            labels={
                "estimate": "estimate",
                "std_error": "SE",
                "ci_lower": f"{level}% CI lower",
                "ci_upper": f"{level}% CI upper",
                "statistic": "z",
                "p_value": "p-value",
            },
        )
    if evaluation.cif is not None:
        tables["gray"] = html_table(
            evaluation.cif.gray_test,
            "Gray's test of equal cumulative incidence between the groups, by cause "
            "(1 = re-arrest, 2 and up = competing events).",
            formats={"p_value": _pvalue, "cause": _number(0), "df": _number(0)},
            labels={"statistic": "chi-square", "p_value": "p-value"},
        )
    evalue = evaluation.sensitivity.get("e_value")
    if evalue is not None:
        tables["evalue"] = html_table(evalue.summary(), "E-value of the hazard ratio.")
    bounds = small_pair_counts_hidden(
        evaluation.sensitivity.get("rosenbaum"), evaluation.settings["suppress_below"]
    )
    if bounds is not None:
        tables["rosenbaum"] = html_table(
            bounds,
            f"Rosenbaum bounds: re-arrest within "
            f"{evaluation.sensitivity['rosenbaum_window']} days among matched pairs followed "
            "for the whole window (McNemar-type test).",
            formats={
                "p_lower": _pvalue,
                "p_upper": _pvalue,
                "n_pairs": _number(0),
                "statistic": _number(0),
                "gamma": _number(2),
                "significant": lambda v: "yes" if v is True else ("no" if v is False else "–"),
            },
            labels={
                "gamma": "Γ",
                "n_pairs": "discordant pairs",
                "p_lower": "p-value, best case",
                "p_upper": "p-value, worst case",
            },
        )
    if evaluation.metrics is not None:
        from rpeval.metrics import Registry

        frame = evaluation.metrics.to_pandas()
        if "group" in frame:
            frame = metric_display(frame, Registry.builtin(), evaluation.metrics.by[1:])
        tables["metrics"] = html_table(
            frame,
            f"Program metrics with {level}% CIs, for participants and the comparison group "
            "where the metric concerns both (never pooled), else for the program; cells with "
            f"counts below {evaluation.settings['suppress_below']} are suppressed.",
            formats={"numerator": _number(0), "denominator": _number(1)},
            labels={"ci_lower": f"{level}% CI lower", "ci_upper": f"{level}% CI upper"},
        )
    return tables


def _group_sizes(evaluation: Any) -> dict[str, tuple[int, int]]:
    """People per group (participants, comparison) before and after the design."""
    first = evaluation.cohort.iloc[0]
    treatment = evaluation.settings["treatment"]
    after = evaluation.sample[treatment].astype(bool)
    return {
        "before": (int(first["remaining_treated"]), int(first["remaining_comparison"])),
        "after": (int(after.sum()), int((~after).sum())),
    }


def _balance_columns(frame: pd.DataFrame) -> pd.DataFrame:
    wanted = [
        c
        for c in frame.columns
        if c
        in {
            "term",
            "means_treated_before",
            "means_control_before",
            "std_mean_diff_before",
            "means_treated_after",
            "means_control_after",
            "std_mean_diff_after",
            "var_ratio_after",
            "balanced",
        }
    ]
    return frame[wanted] if wanted else frame


def render_html(evaluation: Any) -> str:
    """The report as one HTML string."""
    template_text = (resources.files("rpeval.report") / "templates" / "report.html.j2").read_text(
        encoding="utf-8"
    )
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(template_text)
    metric_versions = (
        evaluation.metrics.to_pandas()[["metric", "version"]].drop_duplicates()
        if evaluation.metrics is not None
        else None
    )
    return template.render(
        evaluation=evaluation,
        headline=evaluation.headline_sentences()[len(evaluation.banner()) :],
        tables=_tables(evaluation),
        figures=report_figures(evaluation),
        settings_json=json.dumps(
            {k: v for k, v in evaluation.settings.items() if k != "source"}, indent=2, default=str
        ),
        versions=evaluation.versions,
        metric_versions=None
        if metric_versions is None
        else html_table(metric_versions, "Metric definitions and their versions."),
        notes=(*evaluation.notes, *(n for s in evaluation.sections for n in s.notes)),
        sections=evaluation.sections,
        question=question_text(evaluation),
        answer=answer_text(evaluation),
        estimand=evaluation.estimand_text(),
        cannot_say=cannot_say(evaluation),
        gamma=gamma_text(evaluation),
        source=evaluation.settings.get("source"),
    )
