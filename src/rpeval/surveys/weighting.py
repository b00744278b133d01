"""Weighting to the population: post-stratification, raking, calibration, trimming.

Each function returns a new :class:`SurveyDesign` whose weights reproduce the known
population figures and whose variances account for the weighting, as R survey does: the
influence values are replaced by their residuals from the weighting (Deville & Särndal
1992; Lumley 2010, ch. 7), so a calibrated total of a calibration variable has SE 0.

A missing value in a weighting variable raises :class:`~rpeval.errors.DataError` with the
counts; there is no ``missing="drop"`` here. A respondent whose category is unknown cannot
be put in a margin cell, and taking them out of the design would spread their share of
the population over everyone else: an imputation nobody chose, which also changes the
design the variances come from. Impute the value or give it a category with a known
count (R survey 4.1's ``postStratify`` and ``rake`` raise too; ``calibrate`` goes wrong).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._options import check_choice
from rpeval.errors import ConvergenceWarning, DataError, SpecificationError
from rpeval.surveys._adjustments import Calibration, Raking, calibration_matrix, margin_codes
from rpeval.surveys.design import SurveyDesign

__all__ = [
    "RakingReport",
    "WeightDiagnostics",
    "calibrate",
    "post_stratify",
    "rake",
    "trim_weights",
    "weight_diagnostics",
]

FloatArray = NDArray[np.float64]
_SOME_THRESHOLD = 20.0  # R's grake(): rescale the weights first when totals are 20x bigger


def _check(design: object, caller: str) -> SurveyDesign:
    if not isinstance(design, SurveyDesign):
        raise SpecificationError(
            f"{caller}(): `design` must be a SurveyDesign",
            hint="weight the linearised design, then build replicates from it if needed",
        )
    return design


def post_stratify(
    design: SurveyDesign, strata: str | list[str], population: Mapping[object, float]
) -> SurveyDesign:
    """Post-stratify: scale the weights in each cell to its known population count.

    ``population`` maps each category of ``strata`` (tuples for several columns) to its
    count; every sample category needs a count and every count a respondent. Agrees with
    R survey 4.1 ``postStratify`` (weights, and SEs from the post-stratified residuals) to
    1e-10 on ``apiclus1``.

    Examples
    --------
    >>> df = pd.DataFrame({"area": ["n", "n", "s", "s"], "w": [1.0, 1.0, 1.0, 3.0],
    ...                    "unit": [1, 2, 3, 4]})
    >>> d = post_stratify(SurveyDesign(df, weights="w", psu="unit"), "area", {"n": 10, "s": 20})
    >>> d.weights.tolist()
    [5.0, 5.0, 5.0, 15.0]
    """
    caller = "post_stratify"
    checked = _check(design, caller)
    codes, totals, _ = margin_codes(checked, strata, population, caller)
    estimated = np.bincount(codes, weights=checked.weights, minlength=len(totals))
    g = (totals / estimated)[codes]
    X = np.eye(len(totals))[codes]
    adjustment = Calibration(X, np.sqrt(checked.weights), g)
    return checked._reweighted(checked.weights * g, adjustment)


@dataclass(frozen=True, repr=False)
class RakingReport(Displayed):
    """How raking went: passes made, whether it converged (the cell totals stopped moving
    by ``epsilon`` *and* every margin is met to ``epsilon``; R checks only the first), the
    last change and each margin's largest miss after the last pass."""

    iterations: int
    converged: bool
    max_change: float
    epsilon: float
    margin_errors: dict[str, float]

    def summary(self) -> pd.DataFrame:
        """One row per margin: ``margin``, ``max_abs_error``."""
        return pd.DataFrame(
            {"margin": list(self.margin_errors), "max_abs_error": list(self.margin_errors.values())}
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "iterations": self.iterations,
            "converged": self.converged,
            "max_change": self.max_change,
            "epsilon": self.epsilon,
            "margin_errors": dict(self.margin_errors),
        }

    def _display(self) -> Display:
        state = "converged" if self.converged else "DID NOT CONVERGE"
        title = (
            f"Raking {state} after {self.iterations} passes (last change "
            f"{self.max_change:.3g}, tolerance {self.epsilon:.3g})"
        )
        return Display(title, (), self.summary())


def rake(
    design: SurveyDesign,
    margins: Mapping[str, Mapping[object, float]],
    *,
    maxit: int = 10,
    epsilon: float = 1.0,
) -> tuple[SurveyDesign, RakingReport]:
    """Rake (iterative proportional fitting) the weights to several population margins.

    Parameters
    ----------
    margins
        Column → {category: population count}. Every margin must sum to the same total.
    maxit, epsilon
        At most ``maxit`` passes; stop when no cell of the cross-table of the margin
        columns moves by ``epsilon`` or more (``epsilon < 1`` is a fraction of the
        total weight), as R's ``rake(control = list(maxit = 10, epsilon = 1))``.

    Returns
    -------
    (SurveyDesign, RakingReport)
        The raked design, and the convergence report; not converging also warns
        (:class:`~rpeval.errors.ConvergenceWarning`).

    Notes
    -----
    Margins whose totals differ, categories without respondents and respondents without a
    category raise :class:`~rpeval.errors.DataError`. SEs use R's raking variance (ten
    sweeps of post-stratum centring). Agrees with R survey 4.1 ``rake`` to 1e-10
    (weights and SEs) on ``apiclus1``.

    Examples
    --------
    >>> df = pd.DataFrame({"sex": ["f", "f", "m", "m"], "age": ["y", "o", "y", "o"],
    ...                    "w": [1.0, 1.0, 1.0, 1.0], "unit": [1, 2, 3, 4]})
    >>> d, report = rake(SurveyDesign(df, weights="w", psu="unit"),
    ...                  {"sex": {"f": 60, "m": 40}, "age": {"y": 30, "o": 70}})
    >>> report.converged, d.weights.round(2).tolist()
    (True, [18.0, 42.0, 12.0, 28.0])
    """
    caller = "rake"
    checked = _check(design, caller)
    if not margins:
        raise SpecificationError(f"{caller}(): `margins` is empty")
    sums = {name: float(sum(float(v) for v in pop.values())) for name, pop in margins.items()}
    if max(sums.values()) - min(sums.values()) > 1e-9 * max(sums.values()):
        raise DataError(
            f"{caller}(): the margins sum to different population totals: {sums}",
            hint="every margin counts the same population; fix the counts or their source",
        )
    parsed = [margin_codes(checked, name, pop, caller) for name, pop in margins.items()]
    cells = pd.factorize(pd.MultiIndex.from_arrays([p[0] for p in parsed]))[0]
    tol = epsilon * float(checked.weights.sum()) if epsilon < 1 else float(epsilon)
    w = checked.weights.copy()
    old = np.bincount(cells, weights=w)
    iterations, converged, change = 0, False, math.inf
    step_weights: list[FloatArray] = []
    while iterations < maxit:
        step_weights = []
        for codes, totals, _ in parsed:
            estimated = np.bincount(codes, weights=w, minlength=len(totals))
            w = w * (totals / estimated)[codes]
            step_weights.append(w.copy())
        new = np.bincount(cells, weights=w)
        change = float(np.max(np.abs(old - new)))
        if change < tol:
            converged = True
            break
        old = new
        iterations += 1
    errors = {
        name: float(np.max(np.abs(np.bincount(codes, weights=w, minlength=len(totals)) - totals)))
        for name, (codes, totals, _) in zip(margins, parsed, strict=True)
    }
    # R stops when the cells stop moving; margins that fight each other can stop moving
    # while still missed, so a margin missed by the tolerance is not convergence here.
    converged = converged and max(errors.values()) < tol
    report = RakingReport(iterations, converged, change, tol, errors)
    if not converged:
        warnings.warn(
            f"{caller}(): {report}; margins may be incompatible with the sample",
            ConvergenceWarning,
            stacklevel=2,
        )
    adjustment = Raking(tuple(p[0] for p in parsed), tuple(step_weights))
    return checked._reweighted(w, adjustment), report


def calibrate(
    design: SurveyDesign,
    population: Mapping[str, object],
    *,
    calfun: str = "linear",
    maxit: int = 50,
    epsilon: float = 1e-7,
) -> SurveyDesign:
    """Calibrate the weights to known population totals (R's ``calibrate``).

    Parameters
    ----------
    population
        Column → population total for numeric columns; column → {category: count} for a
        categorical one; ``"(intercept)"`` → the population size.
    calfun
        ``"linear"`` (GREG: ``g = 1 + xᵀλ``, closed form; weights can turn negative) or
        ``"raking"`` (``g = exp(xᵀλ)``, Newton steps until every total is met to
        ``epsilon`` relative to ``1 + |total|``).

    Notes
    -----
    SEs use the residuals of the influence values from the calibration variables (R's
    ``greg_calibration``). Agrees with R survey 4.1 ``calibrate(~stype + api99)`` (linear
    and raking, apiclus1; linear on apistrat) to 1e-10 for weights and SEs.

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 1.0, 1.0, 1.0], "age": [20, 30, 40, 50],
    ...                    "unit": [1, 2, 3, 4]})
    >>> d = calibrate(SurveyDesign(df, weights="w", psu="unit"),
    ...               {"(intercept)": 8, "age": 320})
    >>> d.weights.round(2).tolist()
    [0.8, 1.6, 2.4, 3.2]
    """
    caller = "calibrate"
    checked = _check(design, caller)
    check_choice(calfun, ("linear", "raking"), arg="calfun", caller=caller)
    if not population:
        raise SpecificationError(f"{caller}(): `population` is empty")
    X, totals, _ = calibration_matrix(checked, population, caller)
    w = checked.weights
    sample = X.T @ w
    scales = totals / sample
    scale = float(np.mean(scales)) if np.min(scales) > _SOME_THRESHOLD else 1.0
    ww, sample = w * scale, sample * scale
    eta = np.zeros(X.shape[1])
    g_minus_1 = np.zeros(len(w))
    deriv = np.ones(len(w))
    for _ in range(maxit):
        T = (X * (ww * deriv)[:, None]).T @ X
        misfit = totals - sample - X.T @ (ww * g_minus_1)
        eta = eta + np.linalg.pinv(T, rcond=256 * np.finfo(float).eps) @ misfit
        xeta = X @ eta
        g_minus_1 = xeta if calfun == "linear" else np.expm1(xeta)
        deriv = np.ones(len(w)) if calfun == "linear" else np.exp(xeta)
        misfit = totals - sample - X.T @ (ww * g_minus_1)
        if np.all(np.abs(misfit) / (1 + np.abs(totals)) < epsilon):
            break
    else:
        warnings.warn(
            f"{caller}(): calibration did not meet the totals in {maxit} steps",
            ConvergenceWarning,
            stacklevel=2,
        )
    g = (1 + g_minus_1) * scale
    if np.any(g * w <= 0):
        warnings.warn(
            f"{caller}(): {int(np.sum(g * w <= 0))} calibrated weights are <= 0",
            ConvergenceWarning,
            stacklevel=2,
        )
    return checked._reweighted(w * g, Calibration(X, np.sqrt(w), g))


def trim_weights(
    design: SurveyDesign,
    *,
    lower: float = -math.inf,
    upper: float = math.inf,
    strict: bool = False,
) -> SurveyDesign:
    """Trim weights to ``[lower, upper]`` and share the excess equally among the others.

    As R's ``trimWeights``: the weight cut off (or added) is spread evenly over the
    untrimmed rows, keeping the total; ``strict=True`` repeats until no weight is outside.
    The variance keeps earlier weighting adjustments. Agrees with R survey 4.1 to 1e-12.

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 2.0, 9.0]})
    >>> trim_weights(SurveyDesign(df, weights="w"), upper=6).weights.tolist()
    [2.5, 3.5, 6.0]
    """
    checked = _check(design, "trim_weights")
    if not lower < upper:
        raise SpecificationError(f"trim_weights(): lower={lower} must be below upper={upper}")
    w = checked.weights.copy()
    while True:
        outside = (w < lower) | (w > upper)
        if not outside.any():
            break
        excess = float(np.sum(w[w > upper] - upper) + np.sum(w[w < lower] - lower))
        w = np.clip(w, lower, upper)
        w[~outside] += excess / int(np.sum(~outside))
        if not strict:
            break
    return checked._reweighted(w)


@dataclass(frozen=True, repr=False)
class WeightDiagnostics(Displayed):
    """Spread of the weights and Kish's effective sample size ``(Σw)² / Σw²``; the
    design effect of weighting is ``n / n_eff = 1 + cv²`` (population cv)."""

    n: int
    weight_sum: float
    min: float
    max: float
    cv: float
    kish_deff: float
    kish_ess: float

    def summary(self) -> pd.DataFrame:
        """One row with the fields as columns."""
        return pd.DataFrame([self.to_dict()])

    def to_dict(self) -> dict[str, float]:
        return {
            "n": self.n,
            "weight_sum": self.weight_sum,
            "min": self.min,
            "max": self.max,
            "cv": self.cv,
            "kish_deff": self.kish_deff,
            "kish_ess": self.kish_ess,
        }

    def _display(self) -> Display:
        header = (
            ("n", str(self.n)),
            ("sum of weights", f"{self.weight_sum:.6g}"),
            ("range", f"{self.min:.4g} to {self.max:.4g}"),
            ("cv", f"{self.cv:.3f}"),
            ("Kish deff", f"{self.kish_deff:.3f}"),
            ("effective n", f"{self.kish_ess:.1f}"),
        )
        return Display("Weights", header, None)


def weight_diagnostics(design: SurveyDesign) -> WeightDiagnostics:
    """Kish's effective sample size and the spread of a design's weights.

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 1.0, 2.0, 4.0]})
    >>> round(weight_diagnostics(SurveyDesign(df, weights="w")).kish_ess, 3)
    2.909
    """
    w = _check(design, "weight_diagnostics").weights
    n = len(w)
    ess = float(w.sum() ** 2 / np.sum(w**2))
    return WeightDiagnostics(
        n,
        float(w.sum()),
        float(w.min()),
        float(w.max()),
        float(np.std(w) / np.mean(w)),
        n / ess,
        ess,
    )
