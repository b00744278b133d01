"""The result of :func:`rpeval.community.interrupted_time_series`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rpeval._display import Display, Displayed
from rpeval._json import plain_value, records

__all__ = ["ITSResult"]


@dataclass(frozen=True, repr=False)
class ITSResult(Displayed):
    """Segmented regression of a count series: level and slope change as rate ratios.

    Attributes
    ----------
    effects
        ``summary()``: rows ``level_change`` (the step at the interruption) and, when
        modelled, ``slope_change`` (the change in trend per period), with ``estimate``
        and ``std_error`` on the log scale, ``statistic``, ``p_value``, ``ci_lower``,
        ``ci_upper`` (log scale), ``rate_ratio`` and its interval. With a comparison
        series these are the changes beyond the comparison's.
    coefficients
        The same columns for every term of the model.
    fitted
        One row per series and period: ``series`` ("intervention" or "comparison"),
        ``period``, ``observed``, ``exposure``, ``post``, ``expected`` (the fitted count),
        ``counterfactual`` (expected count without the program) and its
        ``counterfactual_lower``/``counterfactual_upper`` band.
    ljung_box
        Residual autocorrelation check per series: ``series``, ``lags``, ``statistic``,
        ``df``, ``p_value`` (Ljung–Box on deviance residuals).
    family, robust, lags, dispersion, alpha, conf_level, interruption, seasonality
        The model: ``robust`` means Newey–West (HAC) standard errors with ``lags``;
        ``dispersion`` the quasi-Poisson scale (1 otherwise); ``alpha`` the negative
        binomial over-dispersion (0 otherwise); ``interruption`` the first period under
        the program.
    n_dropped
        Rows left out for missing values (``missing="drop"``).
    """

    effects: pd.DataFrame
    coefficients: pd.DataFrame
    fitted: pd.DataFrame
    ljung_box: pd.DataFrame
    family: str
    robust: bool
    lags: int | None
    dispersion: float
    alpha: float
    conf_level: float
    interruption: Any
    seasonality: str | None
    n_periods: int
    controlled: bool
    n_dropped: int = 0

    def _ratio(self, term: str) -> float:
        rows = self.effects[self.effects["term"] == term]
        return float(rows["rate_ratio"].iloc[0]) if len(rows) else math.nan

    @property
    def level_change(self) -> float:
        """Rate ratio of the step at the interruption."""
        return self._ratio("level_change")

    @property
    def slope_change(self) -> float:
        """Rate ratio of the change in trend per period (NaN when not modelled)."""
        return self._ratio("slope_change")

    def summary(self) -> pd.DataFrame:
        """The effects table (see :attr:`effects`), a new frame."""
        return self.effects.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: model settings, effects, autocorrelation check and fitted series."""
        return {
            "family": self.family,
            "robust": self.robust,
            "lags": self.lags,
            "dispersion": self.dispersion,
            "alpha": self.alpha,
            "conf_level": self.conf_level,
            "interruption": plain_value(self.interruption),
            "seasonality": self.seasonality,
            "n_periods": self.n_periods,
            "controlled": self.controlled,
            "n_dropped": self.n_dropped,
            "effects": records(self.effects),
            "coefficients": records(self.coefficients),
            "ljung_box": records(self.ljung_box),
            "fitted": records(self.fitted),
        }

    def _display(self) -> Display:
        se = f"Newey-West ({self.lags} lags)" if self.robust else "model-based"
        kind = "Controlled interrupted" if self.controlled else "Interrupted"
        season = f", {self.seasonality} seasonality" if self.seasonality else ""
        header = [
            ("periods", f"{self.n_periods}, interruption at {self.interruption}"),
            ("model", f"{self.family}{season}"),
            ("SEs", f"{se}; {self.conf_level:.0%} CIs"),
        ]
        if self.n_dropped:
            header.append(("rows dropped", f"{self.n_dropped} rows with missing values left out"))
        table = self.effects[
            ["term", "rate_ratio", "rate_ratio_lower", "rate_ratio_upper", "p_value"]
        ]
        box = self.ljung_box[["series", "lags", "statistic", "df", "p_value"]]
        tables = (("Residual autocorrelation (Ljung-Box)", box),)
        title = f"{kind} time series: segmented regression of counts"
        return Display(title, tuple(header), table, tables=tables)

    def plot(self, ax: Any = None) -> Any:
        """Observed counts, the fitted segments and the counterfactual with its band."""
        from rpeval.community.its._plot import plot_its

        return plot_its(self, ax=ax)
