"""`AdjustedSurvival`: covariate-adjusted survival curves by arm and their differences at
fixed windows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._inference import two_sided_p, z_quantile

__all__ = ["PLOT_POINTS", "AdjustedSurvival", "Method"]

FloatArray = NDArray[np.float64]
Method = Literal["iptw", "cox"]

PLOT_POINTS = 200  # event times at which the whole curves are kept for plot()


@dataclass(frozen=True, repr=False)
class AdjustedSurvival(Displayed):
    """Adjusted survival of each arm at ``times`` and the differences between arms.

    ``survival`` and ``std_error`` are (arms × times) arrays; ``variance`` says where the
    standard errors come from (``"robust"`` or ``"bootstrap"``); ``n_bootstrap`` counts
    the bootstrap replicates asked for (0 without) and ``bootstrap_failures`` those that
    failed and were skipped (warned about); ``n`` counts the rows used and ``n_dropped``
    those left out (a weight of 0, or a missing value with ``missing="drop"``).
    """

    method: Method
    treatment: str
    groups: tuple[Any, ...]
    times: FloatArray
    survival: FloatArray
    std_error: FloatArray
    variance: Literal["robust", "bootstrap"]
    difference_se: FloatArray  # (arms - 1) × times, each arm against the first
    n_bootstrap: int
    conf_level: float
    n: int
    n_dropped: int  # rows of weight 0 or with missing values, left out
    curve_times: FloatArray = field(repr=False)  # event times (at most 200), for plotting
    curves: FloatArray = field(repr=False)  # arms × curve_times
    bootstrap_failures: int = 0  # bootstrap draws that failed and were skipped

    def summary(self) -> pd.DataFrame:
        """One row per arm and time: ``group``, ``time``, ``survival``, ``std_error``,
        ``ci_lower``, ``ci_upper`` (log-scale interval, as R ``survfit``)."""
        z = z_quantile(self.conf_level)
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = np.exp(z * self.std_error / self.survival)
        return pd.DataFrame(
            {
                "group": np.repeat(np.asarray(self.groups, dtype=object), self.times.size),
                "time": np.tile(self.times, len(self.groups)),
                "survival": self.survival.ravel(),
                "std_error": self.std_error.ravel(),
                "ci_lower": (self.survival / spread).ravel(),
                "ci_upper": np.minimum(self.survival * spread, 1.0).ravel(),
            }
        )

    def differences(self) -> pd.DataFrame:
        """Each arm against the first, at each time: ``group``, ``reference``, ``time``,
        ``difference`` (survival of the arm minus the reference), ``std_error``,
        ``ci_lower``, ``ci_upper``, ``statistic`` (z) and ``p_value``."""
        z = z_quantile(self.conf_level)
        frames = []
        for k in range(1, len(self.groups)):
            diff = self.survival[k] - self.survival[0]
            se = self.difference_se[k - 1]
            with np.errstate(divide="ignore", invalid="ignore"):
                statistic = diff / se
            frames.append(
                pd.DataFrame(
                    {
                        "group": [self.groups[k]] * self.times.size,
                        "reference": [self.groups[0]] * self.times.size,
                        "time": self.times,
                        "difference": diff,
                        "std_error": se,
                        "ci_lower": diff - z * se,
                        "ci_upper": diff + z * se,
                        "statistic": statistic,
                        "p_value": two_sided_p(np.asarray(statistic, dtype=np.float64)),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def plot(
        self, ax: Any = None, *, xlabel: str = "Time", labels: Mapping[Any, str] | None = None
    ) -> Any:
        """The adjusted curves by arm, with interval bars at ``times``; ``labels`` names
        the arms (``{True: "participants"}``; default ``treatment = value``). Returns the
        Axes."""
        import matplotlib.pyplot as plt

        from rpeval.recidivism._plotting import CURVE_COLOURS, group_label

        if ax is None:
            _, ax = plt.subplots(figsize=(7.0, 4.2))
        table = self.summary()
        for k, label in enumerate(self.groups):
            rows = table[table["group"] == label]
            colour = CURVE_COLOURS[k % len(CURVE_COLOURS)]
            ax.step(
                np.concatenate([[0.0], self.curve_times]),
                np.concatenate([[1.0], self.curves[k]]),
                where="post",
                color=colour,
                label=group_label(self.treatment, label, labels),
            )
            errors = [rows["survival"] - rows["ci_lower"], rows["ci_upper"] - rows["survival"]]
            ax.errorbar(
                rows["time"], rows["survival"], yerr=errors, fmt="none", ecolor=colour, capsize=3
            )
        ax.set_ylim(0.0, 1.03)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"Adjusted proportion not re-arrested ({self.method})")
        ax.legend(frameon=False, loc="lower left")
        return ax

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of both tables and the settings."""
        return {
            "estimator": "adjusted_survival",
            "method": self.method,
            "variance": self.variance,
            "n_bootstrap": self.n_bootstrap,
            "bootstrap_failures": self.bootstrap_failures,
            "conf_level": self.conf_level,
            "n": self.n,
            "n_dropped": self.n_dropped,
            "survival": self.summary().astype(object).to_dict("records"),
            "differences": self.differences().astype(object).to_dict("records"),
        }

    def _display(self) -> Display:
        from rpeval.recidivism._display_models import adjusted_display

        return adjusted_display(self)
