"""Survival curves of one event: Kaplan–Meier, the log-rank family, RMST, adjusted curves.

``kaplan_meier`` holds :func:`kaplan_meier` and :class:`SurvivalCurves`; ``logrank`` the
k-sample tests; ``rmst`` the restricted mean survival time; ``adjusted`` the
covariate-adjusted (IPTW and Cox-standardised) curves; ``influence`` each row's
derivative of a weighted curve and its RMST (for stacked sandwiches). ``_product_limit``
is the product-limit estimate itself with its Greenwood and jackknife variances.
"""

from __future__ import annotations

from rpeval.recidivism.survival.adjusted import adjusted_survival
from rpeval.recidivism.survival.adjusted_result import AdjustedSurvival
from rpeval.recidivism.survival.kaplan_meier import kaplan_meier
from rpeval.recidivism.survival.km_result import SurvivalCurves
from rpeval.recidivism.survival.logrank import logrank_test
from rpeval.recidivism.survival.rmst import RMSTResult, rmst

__all__ = [
    "AdjustedSurvival",
    "RMSTResult",
    "SurvivalCurves",
    "adjusted_survival",
    "kaplan_meier",
    "logrank_test",
    "rmst",
]
