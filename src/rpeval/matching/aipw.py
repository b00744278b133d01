"""``aipw()``: augmented inverse-probability weighting (doubly robust) with
influence-function standard errors and optional cross-fitting."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._coding import separating_columns
from rpeval._inference import two_sided_p, z_quantile
from rpeval._options import check_conf_level
from rpeval.errors import ConvergenceWarning, DataError, PositivityWarning, SpecificationError
from rpeval.matching._glm import fit_binary
from rpeval.matching.effect import EffectResult

__all__ = ["aipw", "aipw_scores"]

FloatArray = NDArray[np.float64]
OutcomeModel = Literal["linear", "logistic"]
_EXTREME = 1e-3


class Nuisance(NamedTuple):
    """Fitted propensity ``e`` and outcome regressions ``mu1``, ``mu0`` for each row."""

    e: FloatArray
    mu1: FloatArray
    mu0: FloatArray


def aipw_scores(
    y: FloatArray, t: FloatArray, fits: Nuisance, estimand: str
) -> tuple[float, FloatArray]:
    """The AIPW estimate and its influence function (one value per row, mean zero).

    ATE: ``psi = mu1 - mu0 + T (Y - mu1)/e - (1 - T)(Y - mu0)/(1 - e)``, estimate
    ``mean(psi)``, influence ``psi - estimate``. ATT: with ``r = Y - mu0`` and
    ``p = mean(T)``, estimate ``sum(T r - (1 - T) e/(1 - e) r) / sum(T)``, influence
    ``(T r - (1 - T) e/(1 - e) r - T estimate) / p``.

    Examples
    --------
    >>> fits = Nuisance(np.full(4, 0.5), np.full(4, 2.0), np.zeros(4))
    >>> est, phi = aipw_scores(np.array([2.0, 2.0, 0.0, 0.0]), np.array([1.0, 1, 0, 0]),
    ...                        fits, "ATE")
    >>> est, phi.tolist()
    (2.0, [0.0, 0.0, 0.0, 0.0])
    """
    e, mu1, mu0 = fits
    if estimand == "ATE":
        psi = mu1 - mu0 + t * (y - mu1) / e - (1.0 - t) * (y - mu0) / (1.0 - e)
        estimate = float(psi.mean())
        return estimate, psi - estimate
    r = y - mu0
    contribution = t * r - (1.0 - t) * e / (1.0 - e) * r
    estimate = float(contribution.sum() / t.sum())
    return estimate, (contribution - t * estimate) / t.mean()


def _outcome_fit(X: FloatArray, y: FloatArray, model: OutcomeModel, arm: str) -> FloatArray:
    """Coefficients of the outcome regression in one arm (``X`` with intercept)."""
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise DataError(
            f"aipw(): the outcome model cannot be fitted in the {arm} group: its covariates "
            f"are collinear or constant there ({X.shape[0]} units, {X.shape[1]} terms), so "
            "its predictions for the other group would be extrapolation",
            hint="drop or coarsen covariates that do not vary within each group",
        )
    if model == "linear":
        coef, *_ = np.linalg.lstsq(X, y, rcond=None)
        return np.asarray(coef, dtype=np.float64)
    fit = fit_binary(X, y)
    if not fit.converged or fit.boundary:
        warnings.warn(
            f"aipw(): the logistic outcome model in the {arm} group is at the boundary "
            "(separation); its predictions near 0 or 1 are unstable",
            ConvergenceWarning,
            stacklevel=4,
        )
    return fit.coef


def _predict(X: FloatArray, coef: FloatArray, model: OutcomeModel) -> FloatArray:
    eta = X @ coef
    if model == "linear":
        return np.asarray(eta, dtype=np.float64)
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(eta, -700, 700))), dtype=np.float64)


class _SeparationError(Exception):
    """The propensity model of a fold separates the groups (turned into a DataError)."""


def _nuisance(
    X: FloatArray,
    y: FloatArray,
    t: FloatArray,
    fit_rows: NDArray[np.bool_],
    predict_rows: NDArray[np.bool_],
    model: OutcomeModel,
) -> Nuisance:
    Xf, yf, tf = X[fit_rows], y[fit_rows], t[fit_rows]
    ps = fit_binary(Xf, tf)
    if ps.deviance < 1e-6 * max(ps.null_deviance, 1.0):
        raise _SeparationError  # reported by aipw(), which knows the covariates' names
    treated, control = tf == 1, tf == 0
    coef1 = _outcome_fit(Xf[treated], yf[treated], model, "treated")
    coef0 = _outcome_fit(Xf[control], yf[control], model, "control")
    Xp = X[predict_rows]
    e = _predict(Xp, ps.coef, "logistic")
    return Nuisance(e, _predict(Xp, coef1, model), _predict(Xp, coef0, model))


def aipw(
    data: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: str | Sequence[str],
    *,
    estimand: Literal["ATT", "ATE"] = "ATT",
    outcome_model: OutcomeModel | None = None,
    cross_fit: int | None = None,
    treated: Any = None,
    conf_level: float = 0.95,
    random_state: int | None = None,
    missing: Literal["error", "drop"] = "error",
) -> EffectResult:
    """Doubly robust (augmented IPW) estimate of the ATT or ATE.

    A logistic propensity model and an outcome regression in each arm (linear, or
    logistic for a 0/1 outcome) are combined so that the estimate is consistent when
    either model is right. Standard errors come from the influence function.

    Parameters
    ----------
    data, treatment, outcome, covariates
        The frame, its two-group treatment column, the outcome column and the covariates
        (column list or formula right-hand side) used in both models.
    estimand
        ``"ATT"`` (effect on participants) or ``"ATE"``.
    outcome_model
        ``"linear"`` or ``"logistic"``; by default logistic for a 0/1 outcome.
    cross_fit
        Number of folds (>= 2) for cross-fitting: each unit's nuisance predictions come
        from models fitted on the other folds (folds drawn with ``random_state``).
    conf_level
        Confidence level of the Wald interval.
    missing
        ``"error"`` (the default) raises, with the counts per column, when ``treatment``,
        ``outcome`` or a covariate has a missing value; ``"drop"`` leaves those rows out
        (the estimate is the complete-case one; folds are drawn over the rows kept) and
        counts them on the result (``n_dropped``, ``missing_by_column``).

    Returns
    -------
    EffectResult
        ``measure`` is ``"mean_difference"`` (``"risk_difference"`` for a logistic outcome
        model), ``se_type`` is ``"influence"``; ``n_clusters`` equals ``n``.

    Notes
    -----
    See :func:`aipw_scores` for the estimating equations. The SE is
    ``sqrt(mean(phi^2) / n)`` with ``phi`` the influence function, treating the nuisance
    models as known (valid for the AIPW estimator when both are correct, and with
    cross-fitting more generally). Agrees with the formulas computed in R with ``glm``
    and ``lm`` (``tests/reference/matching_aipw.json``) to 1e-6.

    References
    ----------
    Robins, J. M., Rotnitzky, A. & Zhao, L. P. (1994). *JASA* 89, 846-866.
    Chernozhukov, V. et al. (2018). Double/debiased machine learning. *Econometrics
    Journal* 21, C1-C68.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=2000)
    >>> t = (rng.random(2000) < 1 / (1 + np.exp(-x))).astype(int)
    >>> df = pd.DataFrame({"t": t, "x": x, "y": 1.0 + 2.0 * t + x + rng.normal(size=2000)})
    >>> r = aipw(df, "t", "y", ["x"], estimand="ATE")
    >>> bool(abs(r.estimate - 2.0) < 3 * r.std_error)
    True
    """
    if estimand not in ("ATT", "ATE"):
        raise SpecificationError(f"aipw(): estimand={estimand!r}", hint='use "ATT" or "ATE"')
    if outcome_model not in (None, "linear", "logistic"):
        raise SpecificationError(
            f"aipw(): outcome_model={outcome_model!r}", hint='use "linear" or "logistic"'
        )
    if cross_fit is not None and (
        isinstance(cross_fit, bool) or not isinstance(cross_fit, int) or cross_fit < 2
    ):
        raise SpecificationError(f"aipw(): cross_fit={cross_fit!r} must be a whole number >= 2")
    conf_level = check_conf_level(conf_level, caller="aipw")
    frame = _frames.as_pandas(data, arg="data", caller="aipw")
    spec = _frames.resolve_covariates(covariates, arg="covariates", caller="aipw")
    complete = _frames.complete_cases(
        frame, [treatment, outcome, *spec.columns], missing=missing, arg="data", caller="aipw"
    )
    frame = complete.frame
    coding = _frames.treatment_indicator(
        frame, treatment, treated=treated, arg="treatment", caller="aipw"
    )
    if coding.n_treated < 2 or coding.n_control < 2:
        raise DataError("aipw(): each treatment group needs at least two units")
    y = _frames.numeric_array(frame, outcome, arg="outcome", caller="aipw")
    if not np.isfinite(y).all():
        raise DataError(f"aipw(): outcome {outcome!r} has infinite values")
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    model: OutcomeModel = outcome_model or ("logistic" if binary else "linear")
    if model == "logistic" and not binary:
        raise DataError(f"aipw(): a logistic outcome model needs a 0/1 outcome {outcome!r}")
    design = _frames.design_matrix(frame, spec, arg="covariates", caller="aipw")
    X = np.column_stack([np.ones(len(frame)), design.X])
    t = coding.is_treated.astype(np.float64)
    try:
        fits = _cross_fitted(X, y, t, model, cross_fit, random_state)
    except _SeparationError:
        alone = separating_columns(design.X, design.terms, coding.is_treated)
        which = f"{', '.join(map(repr, alone))} alone" if alone else "a combination of them"
        raise DataError(
            f"aipw(): the covariates (argument `covariates`) separate treated and control "
            f"units completely ({which}{' in a cross-fitting fold' if cross_fit else ''}), so "
            "the propensity model has no overlap to weight on",
            hint="drop the covariate that defines participation, or restrict the comparison "
            "pool to people who could have taken part",
        ) from None
    _warn_extreme(fits.e, estimand)
    e_safe = np.clip(fits.e, 1e-12, 1.0 - 1e-12)
    estimate, phi = aipw_scores(y, t, Nuisance(e_safe, fits.mu1, fits.mu0), estimand)
    std_error = float(np.sqrt(phi @ phi) / len(phi))  # sqrt(mean(phi^2) / n)
    z = z_quantile(conf_level)
    return EffectResult(
        "risk_difference" if model == "logistic" else "mean_difference",
        estimate,
        std_error,
        estimate - z * std_error,
        estimate + z * std_error,
        two_sided_p(estimate / std_error) if std_error > 0 else float(estimate == 0.0),
        "influence",
        conf_level,
        len(y),
        len(y),
        estimand,
        n_dropped=complete.n_dropped,
        missing_by_column=complete.missing_by_column,
    )


def _cross_fitted(
    X: FloatArray,
    y: FloatArray,
    t: FloatArray,
    model: OutcomeModel,
    cross_fit: int | None,
    random_state: int | None,
) -> Nuisance:
    """The nuisance fits on all units, or each fold's predicted from the other folds."""
    everyone = np.ones(len(y), dtype=bool)
    if cross_fit is None:
        return _nuisance(X, y, t, everyone, everyone, model)
    fold = np.random.default_rng(random_state).permutation(len(y)) % cross_fit
    e, mu1, mu0 = np.empty(len(y)), np.empty(len(y)), np.empty(len(y))
    for k in range(cross_fit):
        held = fold == k
        part = _nuisance(X, y, t, ~held, held, model)
        e[held], mu1[held], mu0[held] = part
    return Nuisance(e, mu1, mu0)


def _warn_extreme(e: FloatArray, estimand: str) -> None:
    """Warn when propensity scores are extreme (for the ATT only those near 1 matter:
    they give controls huge weights)."""
    high = e > 1.0 - _EXTREME
    extreme = int(np.sum(high if estimand == "ATT" else high | (e < _EXTREME)))
    if extreme:
        where = f"above {1 - _EXTREME}" if estimand == "ATT" else "near 0 or 1"
        warnings.warn(
            f"aipw(): {extreme} propensity scores are {where}; the estimate leans on few "
            "units (consider trimming the sample to the region of overlap)",
            PositivityWarning,
            stacklevel=3,
        )
