"""Time to reoffense: follow-up, Kaplan–Meier, log-rank, rates, RMST, Cox, AFT, competing risks."""

from __future__ import annotations

from rpeval.recidivism._results import TestResult
from rpeval.recidivism.competing.aalen_johansen import CIFResult, cumulative_incidence
from rpeval.recidivism.competing.fine_gray import fine_gray
from rpeval.recidivism.cox.model import CoxResult, cox
from rpeval.recidivism.followup import FollowUpReport, build_followup, followup_report
from rpeval.recidivism.parametric.aft import AFTResult, aft
from rpeval.recidivism.parametric.split_population import SplitPopulationResult, split_population
from rpeval.recidivism.rate_model import RateModelResult, rate_model
from rpeval.recidivism.rates import RecidivismRates, recidivism_rates
from rpeval.recidivism.recurrent.mcf import MCFResult, andersen_gill, mean_cumulative_function
from rpeval.recidivism.survival.adjusted import AdjustedSurvival, adjusted_survival
from rpeval.recidivism.survival.kaplan_meier import SurvivalCurves, kaplan_meier
from rpeval.recidivism.survival.logrank import logrank_test
from rpeval.recidivism.survival.rmst import RMSTResult, rmst

__all__ = [
    "AFTResult",
    "AdjustedSurvival",
    "CIFResult",
    "CoxResult",
    "FollowUpReport",
    "MCFResult",
    "RMSTResult",
    "RateModelResult",
    "RecidivismRates",
    "SplitPopulationResult",
    "SurvivalCurves",
    "TestResult",
    "adjusted_survival",
    "aft",
    "andersen_gill",
    "build_followup",
    "cox",
    "cumulative_incidence",
    "fine_gray",
    "followup_report",
    "kaplan_meier",
    "logrank_test",
    "mean_cumulative_function",
    "rate_model",
    "recidivism_rates",
    "rmst",
    "split_population",
]
