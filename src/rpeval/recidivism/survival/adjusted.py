"""Covariate-adjusted (marginal) survival: IPTW Kaplan–Meier and Cox standardisation.

Two ways to answer "what share would remain arrest-free if everyone had (not) taken
part", with the difference between arms at fixed windows (Cole & Hernán 2004; Austin
2014):

* ``method="iptw"``: Kaplan–Meier curves weighted by inverse-probability-of-treatment
  weights (computed beforehand, e.g. with :func:`rpeval.matching.weight`), with the
  robust (infinitesimal-jackknife) variance of R's weighted ``survfit``;
* ``method="cox"``: direct standardisation, the average over everyone of the survival
  curve a Cox model predicts with the treatment set to each arm (R ``survfit(fit,
  newdata)`` averaged), with bootstrap standard errors.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from rpeval import _frames
from rpeval._options import check_conf_level, make_rng
from rpeval.errors import DataError, DataWarning, RpevalError, SpecificationError
from rpeval.recidivism._survival_input import group_codes, weighted_rows
from rpeval.recidivism.cox.model import cox
from rpeval.recidivism.cox.result import Ties
from rpeval.recidivism.survival.adjusted_result import PLOT_POINTS, AdjustedSurvival, Method
from rpeval.recidivism.survival.kaplan_meier import kaplan_meier

__all__ = ["adjusted_survival"]

FloatArray = NDArray[np.float64]
Reweight = Callable[[pd.DataFrame], ArrayLike]


def _iptw(
    frame: pd.DataFrame,
    duration: str,
    event: str,
    treatment: str,
    weights: FloatArray,
    grid: FloatArray,
    cluster: str | None,
) -> tuple[FloatArray, FloatArray]:
    km = kaplan_meier(
        frame.assign(_iptw=weights),
        duration,
        event,
        group=treatment,
        weights="_iptw",
        robust=True,
        cluster=cluster,
    )
    at = km.at(grid)
    shape = (len(km.groups), grid.size)
    return at["survival"].to_numpy().reshape(shape), at["std_error"].to_numpy().reshape(shape)


def _standardised(
    frame: pd.DataFrame,
    duration: str,
    event: str,
    treatment: str,
    terms: str | list[str],
    levels: tuple[Any, ...],
    grid: FloatArray,
    ties: Ties,
) -> FloatArray:
    fit = cox(frame, duration, event, terms, ties=ties)
    curves = []
    for level in levels:
        with np.errstate(over="ignore", invalid="ignore"):  # a separated fit: S = 0 or 1
            predicted = fit.predict_survival(frame.assign(**{treatment: level}), grid)
        curves.append(predicted.groupby("time")["survival"].mean().to_numpy())
    return np.asarray(curves, dtype=np.float64)


def adjusted_survival(
    data: Any,
    duration: str,
    event: str,
    treatment: str,
    times: float | Sequence[float],
    *,
    method: Method = "iptw",
    weights: str | None = None,
    covariates: str | Sequence[str] | None = None,
    ties: Ties = "efron",
    cluster: str | None = None,
    n_bootstrap: int | None = None,
    reweight: Reweight | None = None,
    random_state: int | np.random.Generator | None = None,
    conf_level: float = 0.95,
    missing: Literal["error", "drop"] = "error",
) -> AdjustedSurvival:
    """Adjusted survival of each treatment arm at fixed times, and their differences.

    Parameters
    ----------
    data, duration, event
        One row per person; time to re-arrest or censoring and the event indicator.
    treatment
        Column of the arm (program participant or not).
    times
        Windows at which to report adjusted survival (e.g. ``[365, 730]``).
    method
        ``"iptw"`` (weighted Kaplan–Meier; needs ``weights``) or ``"cox"`` (direct
        standardisation; needs ``covariates``).
    weights
        Column of inverse-probability-of-treatment weights (``method="iptw"``). Rows of
        weight 0 are left out (``n_dropped``, with a :class:`~rpeval.errors.DataWarning`).
    covariates
        Adjustment covariates of the Cox model (``method="cox"``), list or formula.
    ties
        Tie method of the Cox model.
    cluster
        Column of clusters (matched pairs): robust SEs and the bootstrap resample them.
    n_bootstrap
        Bootstrap replicates (people or clusters resampled with replacement). Default:
        0 for IPTW (robust SEs), 200 for Cox standardisation (no closed form).
    reweight
        For IPTW, a function that recomputes the weights on a bootstrap sample
        (``frame -> weights``): the weight-refitting bootstrap, which accounts for the
        estimation of the propensity score. Without it the weights are held fixed.
    random_state
        Seed (or numpy Generator) of the bootstrap.
    conf_level
        Confidence level.
    missing
        ``"error"`` (default) or ``"drop"`` rows with a missing value in any column used
        (counted in ``n_dropped``).

    Returns
    -------
    AdjustedSurvival
        ``summary()``, ``differences()``, ``plot()``, ``to_dict()``.

    Notes
    -----
    The IPTW curves and robust SEs agree with R survival 3.5 ``survfit(...,
    weights = w, robust = TRUE)`` to 1e-10, and the standardised curves with the mean
    of R ``survfit(coxph(...), newdata)`` to 1e-10 (Rossi data). The robust SE treats
    the weights as known (usually conservative for the ATE, Austin 2014, but not
    guaranteed; use ``reweight=`` with the bootstrap to refit them); the difference's SE
    is then ``sqrt(se_1^2 + se_0^2)``. Bootstrap SEs are the standard
    deviation of the replicates.

    References
    ----------
    Cole, S. R. & Hernán, M. A. (2004). Adjusted survival curves with inverse probability
    weights. *Computer Methods and Programs in Biomedicine* 75, 45–49.
    Austin, P. C. (2014). The use of propensity score methods with survival or
    time-to-event outcomes. *Statistics in Medicine* 33, 1242–1258.

    Examples
    --------
    >>> from rpeval.datasets import load_rossi
    >>> fit = adjusted_survival(load_rossi(), "week", "arrest", "fin", [52], method="cox",
    ...                         covariates=["age", "prio", "wexp"], n_bootstrap=20,
    ...                         random_state=1)
    >>> fit.summary()[["group", "survival"]].round(3)
       group  survival
    0      0     0.699
    1      1     0.774
    """
    caller = "adjusted_survival"
    grid = _checked_times(times, method, weights, covariates, conf_level)
    columns = [duration, event, treatment, *(c for c in (weights, cluster) if c is not None)]
    complete = _complete_rows(data, columns, covariates, missing)
    frame = complete.frame
    _, levels = group_codes(frame, treatment, arg="treatment", caller=caller)
    if len(levels) < 2:
        raise DataError(f"{caller}(): column {treatment!r} has a single arm {levels!r}")
    weighted = weighted_rows(frame, weights, group=treatment, caller=caller)
    frame = weighted.frame
    boots = (200 if method == "cox" else 0) if n_bootstrap is None else int(n_bootstrap)
    if boots < 0 or (method == "cox" and boots < 2):
        raise SpecificationError(f"{caller}(): n_bootstrap={n_bootstrap!r} (Cox needs >= 2)")
    terms: str | list[str] = []
    if method == "cox":
        assert covariates is not None
        terms = _cox_terms(frame, treatment, covariates)

    def estimate(
        sample: pd.DataFrame, w: FloatArray | None, at: FloatArray = grid
    ) -> tuple[FloatArray, FloatArray]:
        if method == "iptw":
            assert w is not None
            return _iptw(sample, duration, event, treatment, w, at, cluster)
        curves = _standardised(sample, duration, event, treatment, terms, levels, at, ties)
        return curves, np.full_like(curves, np.nan)

    base_w = None if weights is None else weighted.weights
    everywhere = np.union1d(grid, _event_times(frame, duration, event, caller))
    full, full_se = estimate(frame, base_w, everywhere)
    positions = np.searchsorted(everywhere, grid)
    survival, std_error = full[:, positions], full_se[:, positions]
    difference_se = np.sqrt(std_error[1:] ** 2 + std_error[:1] ** 2)
    failures = 0
    if boots:
        rng = make_rng(random_state, caller=caller)
        replicates = _bootstrap(frame, cluster, boots, rng, estimate, base_w, reweight)
        failures = boots - replicates.shape[0]
        std_error = replicates.std(axis=0, ddof=1)
        difference_se = (replicates[:, 1:] - replicates[:, :1]).std(axis=0, ddof=1)
    return AdjustedSurvival(
        method=method,
        treatment=treatment,
        groups=tuple(levels),
        times=grid,
        survival=survival,
        std_error=std_error,
        variance="bootstrap" if boots else "robust",
        difference_se=difference_se,
        n_bootstrap=boots,
        conf_level=float(conf_level),
        n=len(frame),
        n_dropped=weighted.n_zero + complete.n_dropped,
        bootstrap_failures=failures,
        curve_times=everywhere,
        curves=full,
    )


def _checked_times(
    times: float | Sequence[float],
    method: str,
    weights: str | None,
    covariates: str | Sequence[str] | None,
    conf_level: float,
) -> FloatArray:
    """The sorted distinct report times, after checking ``method`` against the options it
    needs, ``conf_level``, and that the times are positive and finite."""
    caller = "adjusted_survival"
    if method not in ("iptw", "cox"):
        raise SpecificationError(f"{caller}(): method={method!r}", hint='use "iptw" or "cox"')
    if method == "iptw" and weights is None:
        raise SpecificationError(f"{caller}(): method='iptw' needs weights= (a column)")
    if method == "cox" and covariates is None:
        raise SpecificationError(f"{caller}(): method='cox' needs covariates=")
    check_conf_level(conf_level, caller=caller)
    grid = np.unique(np.atleast_1d(np.asarray(times, dtype=np.float64)))
    if grid.size == 0 or np.any(~np.isfinite(grid)) or np.any(grid <= 0):
        raise SpecificationError(f"{caller}(): times={times!r} must be positive, finite")
    return grid


def _complete_rows(
    data: Any, columns: list[str], covariates: str | Sequence[str] | None, missing: str
) -> _frames.CompleteCases:
    """The rows complete in ``columns`` and the covariates' columns (which must exist);
    incomplete rows raise or are dropped by ``missing=``."""
    caller = "adjusted_survival"
    frame = _frames.as_pandas(data, arg="data", caller=caller)
    used = list(columns)
    if covariates is not None:
        used += _frames.resolve_covariates(covariates, arg="covariates", caller=caller).columns
    _frames.require_columns(frame, used, arg="data", caller=caller)
    return _frames.complete_cases(
        frame, list(dict.fromkeys(used)), missing=missing, arg="data", caller=caller
    )


def _cox_terms(
    frame: pd.DataFrame, treatment: str, covariates: str | Sequence[str]
) -> str | list[str]:
    """The Cox model's terms (treatment first, then the covariates), checked to have a
    full-rank design on ``frame``."""
    terms = (
        f"{treatment} + {covariates}" if isinstance(covariates, str) else [treatment, *covariates]
    )
    _require_full_rank(frame, terms, "adjusted_survival")
    return terms


def _event_times(frame: pd.DataFrame, duration: str, event: str, caller: str) -> FloatArray:
    """Distinct event times (rows with missing values are left to the estimators)."""
    complete = frame[[duration, event]].dropna()
    if len(complete) == 0:
        return np.empty(0)
    time = _frames.numeric_array(complete, duration, arg="duration", caller=caller)
    status = _frames.boolean_array(complete, event, arg="event", caller=caller)
    times = np.unique(time[status & np.isfinite(time) & (time > 0)])
    if times.size > PLOT_POINTS:  # enough for a picture; Cox predictions cost n per time
        times = times[np.unique(np.linspace(0, times.size - 1, PLOT_POINTS).round().astype(int))]
    return np.asarray(times, dtype=np.float64)


def _bootstrap(
    frame: pd.DataFrame,
    cluster: str | None,
    boots: int,
    rng: np.random.Generator,
    estimate: Callable[[pd.DataFrame, FloatArray | None], tuple[FloatArray, FloatArray]],
    base_w: FloatArray | None,
    reweight: Reweight | None,
) -> FloatArray:
    """Replicates of the survival array, resampling people (or clusters) with replacement."""
    units = pd.factorize(frame[cluster])[0] if cluster else np.arange(len(frame))
    members = pd.Series(np.arange(len(frame))).groupby(units).apply(np.asarray).tolist()
    out = []
    for _ in range(boots):
        chosen = rng.integers(0, len(members), len(members))
        rows = np.concatenate([members[c] for c in chosen])
        sample = frame.iloc[rows].reset_index(drop=True)
        w = None if base_w is None else base_w[rows]
        if reweight is not None:
            w = np.asarray(reweight(sample), dtype=np.float64)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(estimate(sample, w)[0])
        except (RpevalError, np.linalg.LinAlgError):  # e.g. an arm without events here
            continue
    if len(out) < max(2, boots // 2):
        raise DataError(f"adjusted_survival(): only {len(out)} of {boots} bootstrap fits worked")
    if len(out) < boots:
        warnings.warn(
            f"adjusted_survival(): {boots - len(out)} of {boots} bootstrap draws failed (e.g. "
            "an arm without events) and were skipped; the SEs use the other draws "
            "(bootstrap_failures on the result)",
            DataWarning,
            stacklevel=3,
        )
    return np.asarray(out, dtype=np.float64)


def _require_full_rank(frame: pd.DataFrame, terms: str | list[str], caller: str) -> None:
    """The Cox design (treatment and covariates) must not be collinear."""
    spec = _frames.resolve_covariates(terms, arg="covariates", caller=caller)
    design = _frames.design_matrix(frame, spec, arg="covariates", caller=caller, missing="drop")
    if design.X.shape[0] == 0:
        return  # no complete rows: cox() will say so
    centred = design.X - design.X.mean(axis=0)
    if np.linalg.matrix_rank(centred) < design.X.shape[1]:
        raise DataError(
            f"{caller}(): the treatment and covariates {list(design.terms)} are collinear",
            hint="drop covariates that are constant or duplicate the treatment",
        )
