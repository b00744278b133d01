"""Survey-weighted linear and logistic regression with design-based SEs (R's ``svyglm``).

The coefficients solve the weighted estimating equations ``Σ w x (y − μ) = 0`` (weighted
least squares or weighted logistic regression, weights rescaled to mean 1 as R does);
their covariance is the sandwich ``A⁻¹ V A⁻¹`` with ``V`` the design variance of the
influence values (:class:`SurveyDesign`), so clustering, strata, the fpc and weighting
adjustments all count. "Trust ~ exposure to the programme + covariates" is one call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._design_variance import ScoreColumns, design_covariance
from rpeval._display import Display, Displayed
from rpeval._frames import design_matrix, resolve_covariates
from rpeval._json import records
from rpeval._lazy import stats
from rpeval._options import check_choice, check_conf_level
from rpeval._plots import interval_plot
from rpeval.errors import ConvergenceWarning, DataError
from rpeval.surveys._domains import check_design, response
from rpeval.surveys.design import SurveyDesign

__all__ = ["RegressionResult", "regression"]

FloatArray = NDArray[np.float64]
COLUMNS = [
    "term",
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "ci_lower",
    "ci_upper",
    "odds_ratio",
    "odds_ratio_lower",
    "odds_ratio_upper",
]


@dataclass(frozen=True)
class _Fit:
    beta: FloatArray
    mu: FloatArray
    eta: FloatArray
    working: FloatArray  # working weights of the last iteration (R's glm()$weights)
    iterations: int
    converged: bool


def _irls(X: FloatArray, y: FloatArray, w: FloatArray, logistic: bool) -> _Fit:
    """R's ``glm.fit``: same start, same stopping rule (relative deviance change < 1e-8,
    at most 25 iterations), so the same last working weights enter the sandwich."""

    def deviance(mu: FloatArray) -> float:
        if not logistic:
            return float(np.sum(w * (y - mu) ** 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(y > 0, y * np.log(y / mu), 0.0) + np.where(
                y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0
            )
        return float(2 * np.sum(w * terms))

    mu = (w * y + 0.5) / (w + 1) if logistic else y.copy()
    eta = np.log(mu / (1 - mu)) if logistic else mu.copy()
    dev_old = deviance(mu)
    beta = np.zeros(X.shape[1])
    working = w.copy()
    for iteration in range(1, 26):
        mu_eta = mu * (1 - mu) if logistic else np.ones_like(mu)
        variance = mu * (1 - mu) if logistic else np.ones_like(mu)
        z = eta + (y - mu) / mu_eta
        working = w * mu_eta**2 / variance
        root = np.sqrt(working)
        solved = np.linalg.lstsq(X * root[:, None], z * root, rcond=None)[0]
        beta = np.asarray(solved, dtype=np.float64)
        eta = X @ beta
        mu = 1 / (1 + np.exp(-eta)) if logistic else eta
        dev = deviance(mu)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < 1e-8:
            return _Fit(beta, mu, eta, working, iteration, True)
        dev_old = dev
    return _Fit(beta, mu, eta, working, 25, False)


@dataclass(frozen=True, repr=False)
class RegressionResult(Displayed):
    """A survey-weighted regression: coefficients with design-based SEs."""

    family: str
    outcome: str
    terms: tuple[str, ...]
    coefficients: FloatArray
    covariance: FloatArray
    df_residual: int
    conf_level: float
    n: int
    n_dropped: int
    iterations: int

    def summary(self) -> pd.DataFrame:
        """One row per term: ``term``, ``estimate``, ``std_error``, ``statistic`` (t),
        ``p_value`` (t with ``df_residual`` = design df + 1 − terms, as R), ``ci_lower``,
        ``ci_upper`` (same t), and for logistic models ``odds_ratio`` with its limits
        (NaN for linear models)."""
        se = np.sqrt(np.diag(self.covariance))
        t = self.coefficients / se
        df = self.df_residual
        crit = float(stats.t.ppf(0.5 + self.conf_level / 2, df)) if df > 0 else math.nan
        p = 2 * stats.t.sf(np.abs(t), df) if df > 0 else np.full(len(t), np.nan)
        lower, upper = self.coefficients - crit * se, self.coefficients + crit * se
        logistic = self.family == "logistic"
        nan = np.full(len(t), np.nan)
        return pd.DataFrame(
            {
                "term": list(self.terms),
                "estimate": self.coefficients,
                "std_error": se,
                "statistic": t,
                "p_value": p,
                "ci_lower": lower,
                "ci_upper": upper,
                "odds_ratio": np.exp(self.coefficients) if logistic else nan,
                "odds_ratio_lower": np.exp(lower) if logistic else nan,
                "odds_ratio_upper": np.exp(upper) if logistic else nan,
            },
            columns=COLUMNS,
        )

    def to_dict(self) -> dict[str, Any]:
        clean = records(self.summary())
        return {
            "family": self.family,
            "outcome": self.outcome,
            "n": self.n,
            "n_dropped": self.n_dropped,
            "df_residual": self.df_residual,
            "conf_level": self.conf_level,
            "coefficients": clean,
        }

    def plot(self, ax: Any = None) -> Any:
        """Coefficients (odds ratios on a log axis for logistic models) with their
        intervals, intercept left out."""
        table = self.summary()
        table = table[table["term"] != "(Intercept)"]
        if self.family == "logistic":
            cols, ref, log = ("odds_ratio", "odds_ratio_lower", "odds_ratio_upper"), 1.0, True
        else:
            cols, ref, log = ("estimate", "ci_lower", "ci_upper"), 0.0, False
        xlabel = f"{cols[0].replace('_', ' ')} ({100 * self.conf_level:g}% CI)"
        est, lower, upper = (table[c] for c in cols)
        return interval_plot(
            list(table["term"]), est, lower, upper, xlabel=xlabel, reference=ref, log=log, ax=ax
        )

    def _display(self) -> Display:
        header = (
            ("n", f"{self.n} respondents ({self.n_dropped} with missing values left out)"),
            ("design df", str(self.df_residual)),
            ("conf_level", f"{100 * self.conf_level:g}% (t with the design df)"),
        )
        table = self.summary()
        if self.family != "logistic":
            table = table.drop(columns=["odds_ratio", "odds_ratio_lower", "odds_ratio_upper"])
        title = f"Survey-weighted {self.family} regression of {self.outcome!r}"
        return Display(title, header, table)


def regression(
    design: SurveyDesign,
    outcome: str,
    covariates: str | list[str],
    *,
    family: str = "linear",
    success: object = None,
    conf_level: float = 0.95,
    missing: Literal["error", "drop"] = "error",
) -> RegressionResult:
    """Survey-weighted linear or logistic regression (R's ``svyglm``).

    Parameters
    ----------
    design
        A :class:`SurveyDesign` (weighted designs included).
    outcome
        The response column; for ``family="logistic"`` 0/1 or boolean, or any column
        with ``success=`` naming the values that count as 1.
    covariates
        Column names or a formula right-hand side such as ``"exposed + age + C(area)"``;
        an intercept is added, text and ``C()`` columns are treatment-coded.
    family
        ``"linear"`` (gaussian, identity) or ``"logistic"`` (R's quasibinomial).
    missing
        ``"drop"`` leaves out rows with a missing outcome or covariate (they count as
        outside the estimation domain, as R's ``na.action``), counted in ``n_dropped``.

    Notes
    -----
    Agrees with R survey 4.1 ``svyglm`` (coefficients, SEs, t, p, ``confint``) to 1e-8 on
    apistrat, apiclus1 and the two-stage apiclus2.

    Examples
    --------
    >>> df = pd.DataFrame({"trust": [3.0, 4, 2, 5, 4, 3, 5, 2],
    ...                    "exposed": [0, 1, 0, 1, 1, 0, 1, 0],
    ...                    "w": [1.0, 2, 1, 2, 1, 1, 2, 1], "unit": [1, 1, 2, 2, 3, 3, 4, 4]})
    >>> fit = regression(SurveyDesign(df, weights="w", psu="unit"), "trust", "exposed")
    >>> fit.summary()[["term", "estimate"]].round(3)
              term  estimate
    0  (Intercept)     2.500
    1      exposed     2.071
    """
    caller = "regression"
    checked = check_design(design, caller, replicates=False)
    assert isinstance(checked, SurveyDesign)
    check_choice(family, ("linear", "logistic"), arg="family", caller=caller)
    check_choice(missing, ("error", "drop"), arg="missing", caller=caller)
    level = check_conf_level(conf_level, caller=caller)
    spec = resolve_covariates(covariates, arg="covariates", caller=caller)
    logistic = family == "logistic"
    if success is not None:
        values = checked.data[outcome]
        null = values.isna().to_numpy(dtype=bool)
        if null.any() and missing == "error":
            response(checked, outcome, arg="outcome", missing=missing, caller=caller)
        wanted = list(success) if isinstance(success, list | tuple | set) else [success]
        y = np.where(null, 0.0, values.isin(wanted).to_numpy(dtype=np.float64))
    else:
        y, null = response(checked, outcome, arg="outcome", missing=missing, caller=caller)
        if logistic and np.any(~null & (y != 0) & (y != 1)):
            raise DataError(
                f"{caller}(): outcome {outcome!r} must be 0/1 for a logistic model",
                hint="or pass success= naming the answers that count as 1",
            )
    built = design_matrix(checked.data, spec, arg="covariates", caller=caller, missing=missing)
    kept = built.rows_kept & ~null
    X = np.column_stack([np.ones(int(kept.sum())), built.X[(~null)[built.rows_kept]]])
    terms = ("(Intercept)", *built.terms)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise DataError(
            f"{caller}(): the covariates {list(terms[1:])} are collinear",
            hint="drop one of the collinear columns",
        )
    w_all = checked.weights
    w = w_all[kept] / w_all[kept].mean()
    fit = _irls(X, y[kept], w, logistic)
    if not fit.converged:
        import warnings

        warnings.warn(
            f"{caller}(): the fit did not converge in 25 iterations (separation?)",
            ConvergenceWarning,
            stacklevel=2,
        )
    a_inv = np.linalg.inv((X * fit.working[:, None]).T @ X)
    mu_eta = fit.mu * (1 - fit.mu) if logistic else np.ones(len(fit.mu))
    estfun = X * ((y[kept] - fit.mu) / mu_eta * fit.working)[:, None]
    influence = np.zeros((checked.n_rows, X.shape[1]))
    influence[kept] = estfun @ a_inv
    for adjustment in checked.adjustments:
        influence = adjustment.residuals(influence)
    zeros = np.zeros(checked.n_rows, dtype=np.int64)
    blocks = [ScoreColumns(influence[:, j], zeros, offset=j) for j in range(X.shape[1])]
    cov = design_covariance(checked.stages, blocks, X.shape[1])
    df = checked.domain_degrees_of_freedom(kept) + 1 - X.shape[1]
    return RegressionResult(
        family,
        outcome,
        terms,
        fit.beta,
        cov,
        df,
        level,
        int(kept.sum()),
        int((~kept).sum()),
        fit.iterations,
    )
