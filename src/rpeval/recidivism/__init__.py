"""Time to reoffense: follow-up, Kaplan–Meier, log-rank, rates, RMST, Cox, AFT, competing risks."""

from __future__ import annotations

from rpeval.recidivism.competing import CIFResult, cumulative_incidence, fine_gray
from rpeval.recidivism.cox import CoxResult, cox
from rpeval.recidivism.followup import (
    FollowUp,
    FollowUpReport,
    build_followup,
    build_followup_with_report,
    followup_report,
)
from rpeval.recidivism.parametric import AFTResult, SplitPopulationResult, aft, split_population
from rpeval.recidivism.rates import RateModelResult, RecidivismRates, rate_model, recidivism_rates
from rpeval.recidivism.recurrent import (
    MCFResult,
    andersen_gill,
    mean_cumulative_function,
    recurrent_cox,
)
from rpeval.recidivism.survival import (
    AdjustedSurvival,
    RMSTResult,
    SurvivalCurves,
    adjusted_survival,
    kaplan_meier,
    logrank_test,
    rmst,
)
from rpeval.recidivism.survival.logrank import TestResult

__all__ = [
    "AFTResult",
    "AdjustedSurvival",
    "CIFResult",
    "CoxResult",
    "FollowUp",
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
    "build_followup_with_report",
    "cox",
    "cumulative_incidence",
    "fine_gray",
    "followup_report",
    "kaplan_meier",
    "logrank_test",
    "mean_cumulative_function",
    "rate_model",
    "recidivism_rates",
    "recurrent_cox",
    "rmst",
    "split_population",
]
