"""Qualitative assessment: versioned codebooks, inter-rater reliability, theme prevalence.

Interviews, focus groups and open survey answers are coded by people against a codebook
(:func:`load_codebook`; ``rpeval codebook validate`` in CI). This pillar imports no other.
"""

from __future__ import annotations

from rpeval.qualitative.agreement import AgreementTable, agreement
from rpeval.qualitative.codebook import Codebook, codebook_from_text, load_codebook
from rpeval.qualitative.coded import CodedSegments, coded_segments
from rpeval.qualitative.joint import CAVEAT, JointDisplay, joint_display
from rpeval.qualitative.prevalence import (
    Cooccurrence,
    Prevalence,
    cooccurrence,
    segment_presence,
    theme_prevalence,
)
from rpeval.qualitative.reliability import (
    Reliability,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)
from rpeval.qualitative.schema import Code, CodebookDefinition, codebook_json_schema
from rpeval.qualitative.validate import CodebookIssue, CodebookReport, validate_codebooks

__all__ = [
    "CAVEAT",
    "AgreementTable",
    "Code",
    "Codebook",
    "CodebookDefinition",
    "CodebookIssue",
    "CodebookReport",
    "CodedSegments",
    "Cooccurrence",
    "JointDisplay",
    "Prevalence",
    "Reliability",
    "agreement",
    "codebook_from_text",
    "codebook_json_schema",
    "coded_segments",
    "cohen_kappa",
    "cooccurrence",
    "fleiss_kappa",
    "gwet_ac1",
    "joint_display",
    "krippendorff_alpha",
    "load_codebook",
    "percent_agreement",
    "segment_presence",
    "theme_prevalence",
    "validate_codebooks",
]
