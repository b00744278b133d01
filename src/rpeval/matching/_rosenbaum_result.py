"""The result of :func:`rpeval.matching.rosenbaum_bounds`: p-value bounds over a grid of
Gamma and the smallest Gamma at which the conclusion changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rpeval._display import Display, Displayed, call_text
from rpeval._plots import OKABE_ITO

__all__ = ["ROSENBAUM_COLUMNS", "RosenbaumResult"]

ROSENBAUM_COLUMNS = (
    "gamma",
    "test",
    "statistic",
    "n_pairs",
    "p_lower",
    "p_upper",
    "significant",
)
_LABELS = {"gamma": "Gamma", "p_lower": "p best case", "p_upper": "p worst case"}
UPPER, LOWER = OKABE_ITO["vermillion"], OKABE_ITO["blue"]


@dataclass(frozen=True, repr=False)
class RosenbaumResult(Displayed):
    """Bounds on a matched-pairs test's one-sided p-value under hidden bias up to Gamma.

    ``gamma_critical`` is the smallest Gamma at which the conclusion changes: where the
    worst-case p-value reaches ``significance`` (``1 - conf_level``); 1.0 when the test
    is not significant without hidden bias, ``inf`` beyond Gamma = e^20.
    """

    table: pd.DataFrame = field(repr=False)
    test: str
    alternative: str
    conf_level: float
    significance: float
    gamma_critical: float
    n_pairs: int
    statistic: float

    def summary(self) -> pd.DataFrame:
        """One row per Gamma: ``gamma``, ``test``, ``statistic``, ``n_pairs``, ``p_lower``,
        ``p_upper`` and ``significant`` (``p_upper < 1 - conf_level``)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """Plain values: the test, its direction, the level, ``gamma_critical`` and the
        bounds, one record per Gamma."""
        records = [
            {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
            for row in self.table.to_dict(orient="records")
        ]
        return {
            "test": self.test,
            "alternative": self.alternative,
            "conf_level": self.conf_level,
            "gamma_critical": self.gamma_critical,
            "n_pairs": self.n_pairs,
            "statistic": self.statistic,
            "bounds": records,
        }

    def plot(self, ax: Any = None) -> Any:
        """The worst- and best-case p-values against Gamma, the significance level and
        ``gamma_critical`` marked."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.0, 4.0))
        gamma = self.table["gamma"].to_numpy(np.float64)
        ax.plot(gamma, self.table["p_upper"], "o-", color=UPPER, label="worst case")
        ax.plot(gamma, self.table["p_lower"], "s--", color=LOWER, label="best case")
        ax.axhline(self.significance, color="0.4", lw=0.8, ls=":")
        ax.annotate(
            f"{self.significance:g}", (gamma.max(), self.significance), xytext=(2, 2),
            textcoords="offset points", ha="right", va="bottom", color="0.3", fontsize=8,
        )  # fmt: skip
        if gamma.min() <= self.gamma_critical <= gamma.max() and self.gamma_critical > 1.0:
            ax.axvline(self.gamma_critical, color=UPPER, lw=0.8, ls=":")
        ax.set_xlabel("Γ (hidden bias: odds of treatment within a pair)")
        ax.set_ylabel(f"one-sided p-value ({self.test.replace('_', '-')})")
        ax.set_ylim(0.0, 1.0)
        ax.legend(frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        return ax

    def _display(self) -> Display:
        header = (
            ("call", call_text("rosenbaum_bounds", test=self.test, alternative=self.alternative)),
            ("n", f"{self.n_pairs} pairs used"),
            ("gamma critical", f"{self.gamma_critical:.3g}"),
        )
        note = (
            f"The conclusion (p < {self.significance:g}) changes at Gamma = "
            f"{self.gamma_critical:.3g}; p_upper is the worst case over hidden bias up to Gamma."
        )
        return Display("Rosenbaum bounds", header, self.summary(), (note,), _LABELS)
