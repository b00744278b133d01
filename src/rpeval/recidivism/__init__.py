"""Time to reoffense: follow-up construction, Kaplan–Meier, log-rank, rates, RMST and Cox."""

from __future__ import annotations

from rpeval.recidivism._results import TestResult
from rpeval.recidivism.cox import CoxResult, cox
from rpeval.recidivism.followup import FollowUpReport, build_followup, followup_report
from rpeval.recidivism.kaplan_meier import SurvivalCurves, kaplan_meier
from rpeval.recidivism.logrank import logrank_test
from rpeval.recidivism.rates import RecidivismRates, recidivism_rates
from rpeval.recidivism.rmst import RMSTResult, rmst

__all__ = [
    "CoxResult",
    "FollowUpReport",
    "RMSTResult",
    "RecidivismRates",
    "SurvivalCurves",
    "TestResult",
    "build_followup",
    "cox",
    "followup_report",
    "kaplan_meier",
    "logrank_test",
    "recidivism_rates",
    "rmst",
]
