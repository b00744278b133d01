"""Comparison cohorts from traditional processing: propensity scores, matching, balance."""

from __future__ import annotations

from rpeval.matching.aipw import aipw
from rpeval.matching.balance import BalanceTable, balance
from rpeval.matching.effect import EffectResult, effect
from rpeval.matching.evalue import EValueResult, e_value
from rpeval.matching.match import match
from rpeval.matching.propensity import PropensityResult, propensity
from rpeval.matching.result import MatchResult
from rpeval.matching.riskset import RiskSetResult, risk_set_match
from rpeval.matching.rosenbaum import RosenbaumResult, rosenbaum_bounds
from rpeval.matching.weighting import WeightResult, weight

__all__ = [
    "BalanceTable",
    "EValueResult",
    "EffectResult",
    "MatchResult",
    "PropensityResult",
    "RiskSetResult",
    "RosenbaumResult",
    "WeightResult",
    "aipw",
    "balance",
    "e_value",
    "effect",
    "match",
    "propensity",
    "risk_set_match",
    "rosenbaum_bounds",
    "weight",
]
