"""Results of design-based estimates: a table per variable and domain, and contrasts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._inference import two_sided_p, z_quantile
from rpeval._json import records
from rpeval._plots import interval_plot
from rpeval.errors import SpecificationError

__all__ = ["ContrastResult", "SurveyEstimate"]

ESTIMATE_COLUMNS = [
    "variable",
    "domain",
    "estimate",
    "std_error",
    "ci_lower",
    "ci_upper",
    "deff",
    "n",
    "weight_sum",
    "df",
]


@dataclass(frozen=True, repr=False)
class ContrastResult(Displayed):
    """A linear combination of estimates (e.g. a difference between domains or waves).

    ``statistic`` is ``estimate / std_error`` and ``p_value`` its two-sided normal
    p-value; the interval is Wald with the normal quantile at ``conf_level``.
    """

    label: str
    coefficients: dict[str, float]
    estimate: float
    std_error: float
    conf_level: float

    @property
    def ci_lower(self) -> float:
        return self.estimate - z_quantile(self.conf_level) * self.std_error

    @property
    def ci_upper(self) -> float:
        return self.estimate + z_quantile(self.conf_level) * self.std_error

    @property
    def statistic(self) -> float:
        return self.estimate / self.std_error if self.std_error > 0 else math.nan

    @property
    def p_value(self) -> float:
        return two_sided_p(self.statistic)

    def summary(self) -> pd.DataFrame:
        """One row: ``contrast``, ``estimate``, ``std_error``, ``ci_lower``, ``ci_upper``,
        ``statistic``, ``p_value``."""
        return pd.DataFrame(
            [
                {
                    "contrast": self.label,
                    "estimate": self.estimate,
                    "std_error": self.std_error,
                    "ci_lower": self.ci_lower,
                    "ci_upper": self.ci_upper,
                    "statistic": self.statistic,
                    "p_value": self.p_value,
                }
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        row = records(self.summary())[0]
        return {**row, "coefficients": dict(self.coefficients), "conf_level": self.conf_level}

    def _display(self) -> Display:
        header = (("conf_level", f"{100 * self.conf_level:g}% (Wald, normal quantile)"),)
        return Display(f"Contrast {self.label}", header, self.summary())


@dataclass(frozen=True, repr=False)
class SurveyEstimate(Displayed):
    """Design-based estimates of one statistic for each variable and domain.

    ``table`` holds the summary (see :meth:`summary`); ``covariance`` is the linearised
    covariance matrix of the estimates in the table's row order (across domains and
    variables, so contrasts between domains that share PSUs get their covariance right).
    """

    statistic: str
    variables: tuple[str, ...]
    by: tuple[str, ...]
    conf_level: float
    method: str
    table: pd.DataFrame
    covariance: NDArray[np.float64] = field(repr=False)
    n_missing: int = 0
    notes: tuple[str, ...] = ()

    def summary(self) -> pd.DataFrame:
        """One row per variable and domain.

        Columns: ``variable``, ``domain`` ("all" without ``by``; levels joined by ", "
        for several ``by`` columns), ``estimate``, ``std_error``, ``ci_lower``,
        ``ci_upper``, ``deff`` (design effect: design variance over the variance under
        simple random sampling of the same number of respondents, without replacement
        as R's ``deff=TRUE``), ``n`` (respondents), ``weight_sum`` (estimated population
        size of the domain), ``df`` (design degrees of freedom of the domain: PSUs
        minus strata), and the ``by`` columns' values, plus ``probability`` for
        quantiles.
        """
        return self.table.copy()

    def _row(self, key: str, variable: str | None) -> int:
        table = self.table
        names = self.variables if variable is None else (variable,)
        if variable is not None and variable not in self.variables:
            raise SpecificationError(
                f"contrast(): variable {variable!r} is not estimated here; "
                f"estimated: {list(self.variables)}"
            )
        if len(names) > 1:
            raise SpecificationError(
                "contrast(): several variables are estimated; say which with variable=",
                hint=f"e.g. variable={self.variables[0]!r}",
            )
        hits = np.flatnonzero(
            (table["variable"].to_numpy() == names[0]) & (table["domain"].to_numpy() == key)
        )
        if hits.size != 1:
            raise SpecificationError(
                f"contrast(): domain {key!r} is not in this result",
                hint=f"domains: {list(pd.unique(table['domain']))}",
            )
        return int(hits[0])

    def contrast(
        self, coefficients: Mapping[str, float], *, variable: str | None = None
    ) -> ContrastResult:
        """A linear combination of domain estimates with its linearised SE.

        ``coefficients`` maps domain labels to weights, e.g. ``{"E": 1, "H": -1}`` for
        the difference E − H. The SE uses the full covariance between domains (R's
        ``svyby(covmat = TRUE)`` sets it to 0 between domains of a linearised design,
        which is right only when domains are strata).
        """
        if not coefficients:
            raise SpecificationError("contrast(): `coefficients` is empty")
        vector = np.zeros(len(self.table))
        for key, value in coefficients.items():
            vector[self._row(str(key), variable)] += float(value)
        estimate = float(vector @ self.table["estimate"].to_numpy(dtype=np.float64))
        variance = float(vector @ self.covariance @ vector)
        label = " ".join(
            f"{'+' if v >= 0 else '-'} {abs(v):g}*{k}" for k, v in coefficients.items()
        ).lstrip("+ ")
        return ContrastResult(
            label,
            {str(k): float(v) for k, v in coefficients.items()},
            estimate,
            math.sqrt(max(variance, 0.0)),
            self.conf_level,
        )

    def difference(self, first: str, second: str, *, variable: str | None = None) -> ContrastResult:
        """``first − second`` between two domains (shorthand for :meth:`contrast`)."""
        return self.contrast({first: 1.0, second: -1.0}, variable=variable)

    def to_dict(self) -> dict[str, Any]:
        rows = records(self.table)
        return {
            "statistic": self.statistic,
            "variables": list(self.variables),
            "by": list(self.by),
            "conf_level": self.conf_level,
            "method": self.method,
            "n_missing": self.n_missing,
            "notes": list(self.notes),
            "estimates": rows,
        }

    def _display(self) -> Display:
        level = f"{100 * self.conf_level:g}%"
        head = f"Survey {self.statistic} ({self.method}; {level} CIs)"
        if self.by:
            head += f" by {', '.join(self.by)}"
        shown = self.table[
            ["variable", "domain", "estimate", "std_error", "ci_lower", "ci_upper", "deff", "n"]
        ]
        notes = list(self.notes)
        if self.n_missing:
            notes.insert(0, f"{self.n_missing} rows with missing values left out (missing='drop')")
        return Display(head, (), shown, tuple(notes))

    def plot(self, ax: Any = None) -> Any:
        """Estimates with their confidence intervals, one row per variable and domain."""
        table = self.table
        labels = [
            f"{v}: {d}" if len(self.variables) > 1 else str(d)
            for v, d in zip(table["variable"], table["domain"], strict=True)
        ]
        xlabel = f"{self.statistic} ({100 * self.conf_level:g}% CI)"
        return interval_plot(
            labels, table["estimate"], table["ci_lower"], table["ci_upper"], xlabel=xlabel, ax=ax
        )
