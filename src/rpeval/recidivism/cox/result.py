"""`CoxResult`: a fitted Cox model: coefficients, tests, residuals, the PH test and predictions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._inference import ratio_columns, wald_columns
from rpeval._lazy import stats
from rpeval.errors import SpecificationError
from rpeval.recidivism.cox._baseline import (
    BaselineHazard,
    baseline_hazard,
    predict_cumulative_hazard,
)
from rpeval.recidivism.cox._concordance import concordance
from rpeval.recidivism.cox._data import CoxData, prepare_new_data
from rpeval.recidivism.cox._likelihood_counting import score_residuals
from rpeval.recidivism.cox._ph_test import Transform, zph_tests

__all__ = ["SUMMARY_COLUMNS", "CoxResult", "Ties"]

FloatArray = NDArray[np.float64]
Ties = Literal["efron", "breslow"]

SUMMARY_COLUMNS = (
    "term",
    "estimate",
    "std_error",
    "robust_std_error",
    "statistic",
    "p_value",
    "ci_lower",
    "ci_upper",
    "hazard_ratio",
    "hazard_ratio_lower",
    "hazard_ratio_upper",
)


@dataclass(frozen=True, repr=False)
class CoxResult(Displayed):
    """A fitted Cox model.

    ``covariance`` is the model-based (inverse information) variance; when the fit was
    robust or clustered, ``robust_covariance`` is the sandwich and is the one used for
    z statistics, p-values and intervals, as in R.
    """

    terms: tuple[str, ...]
    coef: FloatArray
    covariance: FloatArray
    robust_covariance: FloatArray | None
    loglik_null: float
    loglik: float
    score_test: float
    n: int
    n_events: int
    n_dropped: int
    iterations: int
    converged: bool
    ties: Ties
    conf_level: float
    notes: tuple[str, ...]
    _data: CoxData = field(repr=False, compare=False)

    @cached_property
    def concordance(self) -> float:
        """Harrell's concordance of the linear predictor (R ``coxph``'s, within strata)."""
        d = self._data
        counts = concordance(
            d.index.stop,
            d.index.event,
            d.X @ self.coef,
            weights=d.weights,
            stratum=d.index.stratum,
            start=d.index.start if d.index.has_start else None,
        )
        return counts.value

    @cached_property
    def _baseline(self) -> BaselineHazard:
        d = self._data
        return baseline_hazard(d.index, d.X, d.weights, self.coef, self.ties)

    @property
    def std_error(self) -> FloatArray:
        return np.sqrt(np.diag(self.covariance))

    @property
    def robust_std_error(self) -> FloatArray | None:
        if self.robust_covariance is None:
            return None
        return np.sqrt(np.diag(self.robust_covariance))

    @property
    def hazard_ratio(self) -> FloatArray:
        return np.exp(self.coef)

    def summary(self) -> pd.DataFrame:
        """Coefficient table: one row per term, fixed columns.

        Columns: ``term``, ``estimate`` (log hazard ratio), ``std_error``,
        ``robust_std_error`` (NaN unless robust), ``statistic`` (z), ``p_value``,
        ``ci_lower``/``ci_upper`` (log scale) and ``hazard_ratio`` with its interval.
        """
        se = self.std_error
        used = se if self.robust_covariance is None else self.robust_std_error
        assert used is not None
        robust = np.full_like(se, np.nan) if self.robust_std_error is None else used
        wald = wald_columns(self.coef, used, self.conf_level)
        lower, upper = wald["ci_lower"], wald["ci_upper"]
        table = pd.DataFrame(
            {
                "term": list(self.terms),
                "estimate": self.coef,
                "std_error": se,
                "robust_std_error": robust,
                **wald,
                **ratio_columns(self.coef, lower, upper, ratio="hazard_ratio"),
            }
        )
        return table.loc[:, list(SUMMARY_COLUMNS)]

    def tests(self) -> pd.DataFrame:
        """Likelihood-ratio, Wald and score tests that all coefficients are zero.

        With a robust fit the Wald test uses the sandwich variance (R's "Wald test"
        line of a robust ``coxph``).
        """
        p = len(self.terms)
        lr = 2.0 * (self.loglik - self.loglik_null)
        variance = self.covariance if self.robust_covariance is None else self.robust_covariance
        wald = float(self.coef @ np.linalg.solve(variance, self.coef))
        values = [lr, wald, self.score_test]
        return pd.DataFrame(
            {
                "test": ["likelihood_ratio", "wald", "score"],
                "statistic": values,
                "df": [p, p, p],
                "p_value": [float(stats.chi2.sf(v, p)) for v in values],
            }
        )

    def score_residuals(self) -> FloatArray:
        """Each row's score residual ``L_i`` (rows × terms), as R
        ``residuals(fit, type = "score")``: ``sum_i w_i L_i`` is the score, ``w_i L_i`` times
        the covariance is the row's ``dfbeta``, and ``L_i`` is the score's derivative in
        ``w_i`` (what an estimated-weights sandwich needs). Rows are those the model used, in
        the data's order (rows dropped for missing values left out).
        """
        d = self._data
        sorted_rows = score_residuals(d.index, d.X, d.weights, self.coef, self.ties).residuals
        rows = np.empty_like(sorted_rows)
        rows[d.index.order] = sorted_rows
        return rows

    def test_proportional_hazards(self, transform: Transform = "km") -> pd.DataFrame:
        """Score tests of proportional hazards per term and GLOBAL, as R ``cox.zph``.

        Columns: ``term``, ``chisq``, ``df``, ``p_value``. ``transform`` is the time scale
        of the alternative: ``"km"`` (R's default), ``"rank"``, ``"identity"`` or ``"log"``.
        """
        if transform not in ("km", "rank", "identity", "log"):
            raise SpecificationError(
                f"test_proportional_hazards(): unknown transform {transform!r}",
                hint='use "km", "rank", "identity" or "log"',
            )
        d = self._data
        table = zph_tests(d.index, d.X, d.weights, self.coef, self.ties, d.term_columns, transform)
        return pd.DataFrame(
            {
                "term": list(table.names),
                "chisq": table.chisq,
                "df": table.df,
                "p_value": table.p_value,
            }
        )

    def predict_survival(
        self, new_data: pd.DataFrame, times: Sequence[float] | FloatArray
    ) -> pd.DataFrame:
        """Predicted survival ``S(t | x)`` for each row of ``new_data`` at ``times``.

        Returns a long table: ``row`` (position in ``new_data``), ``stratum``, ``time``,
        ``cumulative_hazard``, ``survival``, ``std_error`` (of the cumulative hazard,
        as R's ``survfit.coxph``), ``ci_lower``, ``ci_upper`` (log-scale interval).

        The standard error is the Tsiatis formula with the coefficients' variance of
        the fit: the sandwich when the fit is robust or clustered (``fine_gray`` by
        default), the model-based one otherwise, as R's ``survfit.coxph`` uses
        ``fit$var``. Agrees with R survival 3.5 to 1e-8 on the Rossi data (robust and
        clustered, Efron and Breslow) and on a Fine–Gray fit
        (``tests/reference/cox_predict_robust.R``).
        """
        d = self._data
        new_X, new_strata = prepare_new_data(d, new_data, caller="predict_survival")
        grid = np.asarray(times, dtype=np.float64)
        crit = stats.norm.ppf(0.5 + self.conf_level / 2.0)
        variance = self.covariance if self.robust_covariance is None else self.robust_covariance
        frames = []
        for stratum in np.unique(new_strata):
            rows = np.flatnonzero(new_strata == stratum)
            pred = predict_cumulative_hazard(
                self._baseline, variance, new_X[rows], self.coef, int(stratum), grid
            )
            hazard, se = pred.cumulative_hazard, pred.std_error
            with np.errstate(invalid="ignore"):  # inf - inf after a separated fit
                upper = np.exp(np.minimum(0.0, -hazard + crit * se))
            upper = np.where(np.isnan(upper), 1.0, upper)  # infinite se: the interval is (0, 1]
            frames.append(
                pd.DataFrame(
                    {
                        "row": np.repeat(rows, grid.size),
                        "stratum": d.strata_labels[int(stratum)],
                        "time": np.tile(grid, rows.size),
                        "cumulative_hazard": hazard.ravel(),
                        "survival": np.exp(-hazard).ravel(),
                        "std_error": se.ravel(),
                        "ci_lower": np.exp(-hazard - crit * se).ravel(),
                        "ci_upper": upper.ravel(),
                    }
                )
            )
        return pd.concat(frames, ignore_index=True).sort_values(["row", "time"], ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the coefficient table, tests and fit details."""
        return {
            "model": "cox",
            "ties": self.ties,
            "conf_level": self.conf_level,
            "n": self.n,
            "n_events": self.n_events,
            "n_dropped": self.n_dropped,
            "loglik_null": self.loglik_null,
            "loglik": self.loglik,
            "concordance": self.concordance,
            "iterations": self.iterations,
            "converged": self.converged,
            "robust": self.robust_covariance is not None,
            "coefficients": self.summary().to_dict(orient="records"),
            "tests": self.tests().to_dict(orient="records"),
            "notes": list(self.notes),
        }

    def _display(self) -> Display:
        from rpeval.recidivism._display import cox_display

        return cox_display(self)
