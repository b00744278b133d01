"""Render an `Evaluation` as one self-contained, accessible, printable HTML file.

Figures are inline PNG data URIs with alt text, tables are real ``<table>`` elements with
captions and header cells, there are no scripts and no network requests, and the
template's print stylesheet keeps tables and figures whole on paper.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jinja2

from rpeval.report._figures import report_figures
from rpeval.report._first_page import answer_text, cannot_say, gamma_text, question_text
from rpeval.report._html_table import html_table
from rpeval.report._report_tables import report_tables

__all__ = ["html_table", "render_html"]


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
        tables=report_tables(evaluation),
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
