"""Parametric survival models: accelerated failure time (:func:`aft`) and split-population
(cure) models (:func:`split_population`).

``aft`` and ``split_population`` hold the public functions and their results; the
private modules are their parts: the distributions of log time (``_distributions``), the
AFT log-likelihood with its gradient and Hessian (``_aft_likelihood``), the mixture-cure
log-likelihood (``_cure_likelihood``) and the forest plot of time ratios (``_forest``).
"""

from __future__ import annotations

from rpeval.recidivism.parametric.aft import AFTResult, aft
from rpeval.recidivism.parametric.split_population import SplitPopulationResult, split_population

__all__ = ["AFTResult", "SplitPopulationResult", "aft", "split_population"]
