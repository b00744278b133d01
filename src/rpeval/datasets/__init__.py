"""Simulated program data with a known effect, and public reference data.

:func:`simulate_program` builds a synthetic police restorative-practice program and its
traditional-processing comparison pool (see the docs page "Simulated program data");
``load_rossi``, ``load_recid`` and ``load_nsw`` load the public data sets behind the
published numbers rpeval reproduces. :func:`simulate_interviews` gives coded interviews
with known reliability and theme prevalence; :func:`simulate_survey_waves` community survey
waves (before and after the program) with known population values;
:func:`simulate_community` incidents by area and month with a staggered rollout.
"""

from __future__ import annotations

from rpeval.datasets._community import CommunityData, simulate_community
from rpeval.datasets._survey_waves import SurveyWaves, simulate_survey_waves
from rpeval.datasets._truth import ProgramTruth
from rpeval.datasets.columns import COLUMNS
from rpeval.datasets.interviews import InterviewData, simulate_interviews
from rpeval.datasets.loaders import MissingDataPackageError, load_nsw, load_recid, load_rossi
from rpeval.datasets.simulate import ProgramData, simulate_program

__all__ = [
    "COLUMNS",
    "CommunityData",
    "InterviewData",
    "MissingDataPackageError",
    "ProgramData",
    "ProgramTruth",
    "SurveyWaves",
    "load_nsw",
    "load_recid",
    "load_rossi",
    "simulate_community",
    "simulate_interviews",
    "simulate_program",
    "simulate_survey_waves",
]
