"""The result of :func:`rpeval.matching.effect` and :func:`rpeval.matching.aipw`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rpeval._display import Display, Displayed
from rpeval._inference import two_sided_p, z_quantile

__all__ = ["EffectResult", "wald_effect"]


@dataclass(frozen=True, repr=False)
class EffectResult(Displayed):
    """One estimate of the effect in the focal group, with its SE and interval."""

    measure: str
    estimate: float
    std_error: float
    ci_lower: float
    ci_upper: float
    p_value: float
    se_type: str
    conf_level: float
    n: int
    n_clusters: int
    estimand: str = "ATT"  # ATT, ATC, ATE or ATO
    target: str = "population"  # the SE is for the population's effect, or this sample's
    bootstrap_failures: int = 0  # bootstrap draws skipped (se_type "bootstrap" only)
    n_dropped: int = 0  # input rows left out by missing="drop" (aipw)
    missing_by_column: dict[str, int] = field(default_factory=dict)  # their missing values

    def summary(self) -> pd.DataFrame:
        """``measure``, ``estimand`` (e.g. ``"population ATT"``: whose effect, and
        whether the SE counts the target units as a sample from a population),
        ``estimate``, ``std_error`` (on the log scale for ratios), ``statistic``,
        ``p_value``, ``ci_lower``, ``ci_upper`` and ``bootstrap_failures`` (draws skipped
        by a bootstrap SE; 0 otherwise)."""
        log_scale = self.measure in ("risk_ratio", "odds_ratio")
        centre = np.log(self.estimate) if log_scale else self.estimate
        null = 0.0
        return pd.DataFrame(
            [
                {
                    "measure": self.measure,
                    "estimand": f"{self.target} {self.estimand}",
                    "estimate": self.estimate,
                    "std_error": self.std_error,
                    "statistic": (centre - null) / self.std_error,
                    "p_value": self.p_value,
                    "ci_lower": self.ci_lower,
                    "ci_upper": self.ci_upper,
                    "bootstrap_failures": self.bootstrap_failures,
                }
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        row = {str(k): v for k, v in self.summary().iloc[0].to_dict().items()}
        return {
            **row,
            "se_type": self.se_type,
            "conf_level": self.conf_level,
            "n": self.n,
            "n_clusters": self.n_clusters,
            "target": self.target,
            "bootstrap_failures": int(self.bootstrap_failures),
            "n_dropped": self.n_dropped,
            "missing_by_column": dict(self.missing_by_column),
        }

    def _display(self) -> Display:
        from rpeval.matching._display import effect_display

        return effect_display(self)


def wald_effect(
    measure: str,
    estimate: float,
    std_error: float,
    se_type: str,
    conf_level: float,
    n: int,
    n_clusters: int,
    estimand: str,
    target: str,
) -> EffectResult:
    """The Wald interval and p-value (log scale for ratios), as an :class:`EffectResult`."""
    z = z_quantile(conf_level)
    low, high = estimate - z * std_error, estimate + z * std_error
    p_value = two_sided_p(estimate / std_error)
    if measure in ("risk_ratio", "odds_ratio"):
        estimate, low, high = float(np.exp(estimate)), float(np.exp(low)), float(np.exp(high))
    return EffectResult(
        measure,
        estimate,
        std_error,
        float(low),
        float(high),
        p_value,
        se_type,
        conf_level,
        n,
        n_clusters,
        estimand,
        target,
    )
