"""The evaluation pipeline: combines the three pillars into one report."""

from __future__ import annotations

from rpeval.report.demo import format_program_summary
from rpeval.report.evaluate import evaluate
from rpeval.report.evaluation import Evaluation
from rpeval.report.html import render_html

__all__ = ["Evaluation", "evaluate", "format_program_summary", "render_html"]
