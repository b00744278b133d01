"""Interrupted time series: segmented regression for counts (one series or controlled).

:func:`interrupted_time_series` fits the model; :class:`ITSResult` holds level and slope
changes as rate ratios, the fitted and counterfactual series, and a residual
autocorrelation check.
"""

from __future__ import annotations

from rpeval.community.its.model import interrupted_time_series
from rpeval.community.its.result import ITSResult

__all__ = ["ITSResult", "interrupted_time_series"]
