"""Comparison cohorts from traditional processing: propensity scores, matching, balance."""

from __future__ import annotations

from rpeval.matching.balance import BalanceTable, balance
from rpeval.matching.effect import EffectResult, effect
from rpeval.matching.nearest import match
from rpeval.matching.propensity import PropensityResult, propensity
from rpeval.matching.result import MatchResult

__all__ = [
    "BalanceTable",
    "EffectResult",
    "MatchResult",
    "PropensityResult",
    "balance",
    "effect",
    "match",
    "propensity",
]
