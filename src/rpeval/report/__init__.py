"""The evaluation pipeline: combines the three pillars into one report."""

from __future__ import annotations

from rpeval.report.demo import format_program_summary

__all__ = ["format_program_summary"]
