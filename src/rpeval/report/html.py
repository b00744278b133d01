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

from rpeval.report._disclosure_tables import small_pair_counts_hidden, small_shares_hidden
from rpeval.report._figures import report_figures
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
    """A ``<table>`` with a caption, ``<th scope="col">`` headers and formatted cells.

    Examples
    --------
    >>> print(html_table(pd.DataFrame({"a": [1.5]}), "One row"))
    <table><caption>One row</caption><thead><tr><th scope="col">a</th></tr></thead><tbody><tr><td class="num">1.500</td></tr></tbody></table>
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
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
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
            labels={"remaining_treated": "participants", "remaining_comparison": "comparison"},
        ),
        "guards": html_table(
            evaluation.guards.summary().drop(columns="value"),
            "Design checks: each against its stated threshold; a failed check is explained "
            "above the findings.",
        ),
        "summary": html_table(
            evaluation.summary(),
            f"Key estimates with {level}% confidence intervals.",
            formats={"p_value": _pvalue},
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
            },
            labels={"window": "window (days)"},
        ),
        "cox": html_table(
            evaluation.cox.summary(),
            "Cox proportional hazards model.",
            formats={"p_value": _pvalue},
        ),
        "ph": html_table(
            evaluation.ph_test,
            "Test of proportional hazards (scaled Schoenfeld residuals, as R's cox.zph).",
            formats={"p_value": _pvalue},
        ),
        "balance": html_table(
            small_shares_hidden(
                _balance_columns(evaluation.balance.summary()),
                _group_sizes(evaluation),
                evaluation.settings["suppress_below"],
            ),
            "Balance: standardised mean differences (SD of the unadjusted sample) before and "
            "after the design; a share of a binary covariate that would reveal fewer than "
            f"{evaluation.settings['suppress_below']} people is not shown.",
        ),
    }
    if evaluation.rmst is not None:
        tables["rmst"] = html_table(
            evaluation.rmst.contrasts(),
            f"Restricted mean street time without re-arrest up "
            f"to {evaluation.rmst.tau:g} days: contrasts (participants vs comparison).",
            formats={"p_value": _pvalue},
        )
    if evaluation.cif is not None:
        tables["gray"] = html_table(
            evaluation.cif.gray_test,
            "Gray's test of equal cumulative incidence between the groups, by cause "
            "(1 = re-arrest, 2 and up = competing events).",
            formats={"p_value": _pvalue, "cause": _number(0), "df": _number(0)},
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
        settings_json=json.dumps(evaluation.settings, indent=2, default=str),
        versions=evaluation.versions,
        metric_versions=None
        if metric_versions is None
        else html_table(metric_versions, "Metric definitions and their versions."),
        notes=(*evaluation.notes, *(n for s in evaluation.sections for n in s.notes)),
        sections=evaluation.sections,
    )
