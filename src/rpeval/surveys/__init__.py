"""Community trust: survey designs, design-based estimates, weighting and scales.

The fourth pillar (DESIGN.md, "Do communities trust the police more?"). R's ``survey``
package (Lumley) is the reference: a :class:`SurveyDesign` holds weights, strata,
clusters and finite-population corrections; :func:`mean`, :func:`total`,
:func:`proportion`, :func:`ratio` and :func:`quantile` give Taylor-linearised SEs,
intervals and design effects, overall or by domain (``by=``), and their results give
contrasts between domains with the right covariance.
"""

from __future__ import annotations

from rpeval.surveys.design import SurveyDesign
from rpeval.surveys.estimates import mean, ratio, total
from rpeval.surveys.proportion import proportion, top_box
from rpeval.surveys.quantile import quantile
from rpeval.surveys.regression import RegressionResult, regression
from rpeval.surveys.replicates import ReplicateDesign, replicate_design
from rpeval.surveys.results import ContrastResult, SurveyEstimate
from rpeval.surveys.scales import ReliabilityResult, recode_items, reliability, scale_scores
from rpeval.surveys.waves import PairedChange, WaveComparison, compare_waves, paired_change
from rpeval.surveys.weighting import (
    RakingReport,
    WeightDiagnostics,
    calibrate,
    post_stratify,
    rake,
    trim_weights,
    weight_diagnostics,
)

__all__ = [
    "ContrastResult",
    "PairedChange",
    "RakingReport",
    "RegressionResult",
    "ReliabilityResult",
    "ReplicateDesign",
    "SurveyDesign",
    "SurveyEstimate",
    "WaveComparison",
    "WeightDiagnostics",
    "calibrate",
    "compare_waves",
    "mean",
    "paired_change",
    "post_stratify",
    "proportion",
    "quantile",
    "rake",
    "ratio",
    "recode_items",
    "regression",
    "reliability",
    "replicate_design",
    "scale_scores",
    "top_box",
    "total",
    "trim_weights",
    "weight_diagnostics",
]
