"""Fine–Gray regression on the subdistribution hazard of one cause.

The data are expanded as R survival's ``finegray()`` does (:mod:`._fine_gray_data`) and
fitted with our Cox fitter on ``(start, stop]`` rows with weights, so case weights, ties
and cluster-robust standard errors come from :func:`rpeval.recidivism.cox`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from rpeval import _frames
from rpeval._weights import case_weights
from rpeval.errors import DataError, SpecificationError
from rpeval.recidivism._covariates import require_design_columns
from rpeval.recidivism.competing._fine_gray_data import Expansion, expand_fine_gray
from rpeval.recidivism.competing._input import cause_codes
from rpeval.recidivism.cox.model import cox
from rpeval.recidivism.cox.result import CoxResult, Ties

__all__ = ["fine_gray"]

_START, _STOP, _STATUS, _WEIGHT, _PERSON = "_fg_start", "_fg_stop", "_fg_status", "_fg_wt", "_fg_id"


def fine_gray(
    data: Any,
    duration: str,
    event: str,
    covariates: str | Sequence[str],
    *,
    cause: int = 1,
    ties: Ties = "breslow",
    weights: str | None = None,
    strata: str | Sequence[str] | None = None,
    cluster: str | None = None,
    robust: bool = True,
    missing: Literal["error", "drop"] = "error",
    conf_level: float = 0.95,
) -> CoxResult:
    """Fine–Gray proportional subdistribution hazards model for one cause.

    Parameters
    ----------
    data
        One row per person.
    duration
        Column of time to the first event of any cause, or censoring (> 0).
    event
        Column of event codes: 0 censored, 1 re-arrest, 2, 3, ... competing events.
    covariates
        A list of columns or a formula right-hand side such as ``"treated + age"``.
    cause
        The event code whose cumulative incidence is modelled.
    ties
        ``"breslow"`` (default: closest to ``cmprsk::crr``) or ``"efron"`` (R
        ``coxph``'s default).
    weights
        Column of non-negative case weights; they multiply the censoring weights. Rows of
        weight 0 are left out before the expansion, censoring curve included (as if
        absent), and counted in ``n_dropped`` with a :class:`~rpeval.errors.DataWarning`.
    strata
        Column(s) defining strata: each has its own baseline subdistribution hazard and
        its own censoring distribution (as ``finegray()`` with ``strata()``).
    cluster
        Column identifying clusters (people with several rows, matched pairs) for the
        robust variance. Default: each input row (person) is its own cluster.
    robust
        Use the cluster-robust (sandwich) variance for the summary (default, as
        Fine and Gray; the model-based variance understates it).
    missing
        ``"error"`` or ``"drop"`` rows with missing values (counted in ``n_dropped``).
    conf_level
        Confidence level of the intervals.

    Returns
    -------
    CoxResult
        Coefficients are log subdistribution hazard ratios; ``predict_survival()``
        returns ``1 − F(t | x)``, one minus the cumulative incidence of ``cause``.
        ``n`` counts people (input rows), not expanded rows.

    Notes
    -----
    People with a competing event stay at risk after it with weight :math:`\\hat G(t) /
    \\hat G(T_i-)`, :math:`\\hat G` the Kaplan–Meier curve of the censoring times
    (censorings tied with events come after them); the weighted Cox score is then the
    Fine–Gray estimating equation. Agrees with R survival 3.5 ``finegray()`` + ``coxph(...,
    weights = fgwt, cluster = id)`` to 1e-8 (coefficients, model-based and robust SEs, Efron
    and Breslow, with and without case weights, and with strata) on simulated data with many
    ties. With case weights *and* strata, survival 3.5's ``finegray()`` gives each stratum's
    k-th person the weight of the k-th row of the whole data (``docs/comparison.md``); we
    agree to 1e-8 with the correct computation (``finegray()`` run on each stratum, or its
    weights put back on the right rows: ``tests/reference/finegray_strata_weights.R``).
    ``cmprsk::crr`` differs slightly under ties (here by up to 1.2e-3 in a
    coefficient): it evaluates the censoring weights with its own conventions at tied times.
    Without ties the coefficients are identical, and crr's SEs are a little larger (by
    ~0.2%): its variance adds the uncertainty of :math:`\\hat G`.

    For effects on the *rate* of re-arrest among those still at risk, fit the
    cause-specific Cox model instead, treating competing events as censored:
    ``cox(data.assign(rearrest=data[event] == 1), duration, "rearrest", covariates)``.

    References
    ----------
    Fine, J. P. & Gray, R. J. (1999). A proportional hazards model for the subdistribution
    of a competing risk. *JASA* 94, 496–509.

    Examples
    --------
    >>> data = pd.DataFrame({
    ...     "months": [2, 3, 3, 5, 6, 8, 9, 12, 12, 15, 4, 7],
    ...     "event": [1, 2, 1, 0, 1, 1, 2, 0, 1, 0, 2, 1],
    ...     "rj": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0]})
    >>> fit = fine_gray(data, "months", "event", ["rj"])
    >>> fit.summary()[["term", "estimate", "robust_std_error"]].round(3)
      term  estimate  robust_std_error
    0   rj     0.681             0.764
    """
    caller = "fine_gray"
    if cluster is not None and not robust:
        raise SpecificationError(
            f"{caller}(): cluster={cluster!r} needs the robust variance but robust=False",
            hint="drop robust=False (clusters imply the robust variance)",
        )
    frame = _frames.as_pandas(data, arg="data", caller=caller)
    spec = _frames.resolve_covariates(covariates, arg="covariates", caller=caller)
    strata_cols = [strata] if isinstance(strata, str) else list(strata or [])
    needed = [duration, event, *spec.columns, *strata_cols, *(c for c in (weights, cluster) if c)]
    _frames.require_columns(frame, needed, arg="data", caller=caller)
    complete = _frames.complete_cases(
        frame, list(dict.fromkeys(needed)), missing=missing, arg="data", caller=caller
    )
    if len(complete.frame) == 0:
        raise DataError(f"{caller}(): no rows left after removing missing values")
    weighted = case_weights(complete.frame, weights, caller=caller)  # before the expansion
    frame, w = weighted.frame.reset_index(drop=True), weighted.weights
    time = _frames.numeric_array(frame, duration, arg="duration", caller=caller)
    if np.any(~np.isfinite(time) | (time <= 0)):
        raise DataError(
            f"{caller}(): column {duration!r} (`duration`) must be positive and finite",
            hint="add a small offset such as half a day to zero durations",
        )
    codes = cause_codes(frame, event, caller=caller)
    if not isinstance(cause, int | np.integer) or cause < 1:
        raise SpecificationError(f"{caller}(): cause={cause!r} must be a positive event code")
    if not np.any(codes == cause):
        raise DataError(
            f"{caller}(): no row of {event!r} has code {cause}; codes present: "
            f"{sorted(set(codes.tolist()))}"
        )
    require_design_columns(frame, covariates, caller=caller)
    ex = _expand_by_stratum(frame, strata_cols, time, codes, int(cause), w)
    taken = set(frame.columns)
    names = [n if n not in taken else n + "_" for n in (_START, _STOP, _STATUS, _WEIGHT, _PERSON)]
    expanded = frame.take(ex.row).reset_index(drop=True)
    expanded[names[0]], expanded[names[1]] = ex.start, ex.stop
    expanded[names[2]], expanded[names[3]] = ex.status.astype(np.int64), ex.weight
    expanded[names[4]] = ex.row
    fit = cox(
        expanded,
        names[1],
        names[2],
        covariates,
        ties=ties,
        weights=names[3],
        cluster=(cluster or names[4]) if robust else None,
        strata=strata_cols or None,
        entry=names[0],
        conf_level=conf_level,
    )
    note = (
        f"Fine-Gray model for cause {cause}: {len(frame)} people expanded to {len(expanded)} "
        "censoring-weighted (start, stop] rows"
    )
    n_dropped = complete.n_dropped + weighted.n_zero
    return dataclasses.replace(fit, n=len(frame), n_dropped=n_dropped, notes=(note, *fit.notes))


def _expand_by_stratum(
    frame: pd.DataFrame, strata: list[str], time: Any, codes: Any, cause: int, w: Any
) -> Expansion:
    """The expansion within each stratum (its own censoring curve), rows in input order."""
    if not strata:
        return expand_fine_gray(time, codes, cause, w)
    groups = frame.groupby(strata, sort=True, dropna=False).ngroup().to_numpy()
    parts = []
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        if not np.any(codes[rows] == cause):  # no event of interest: rows add nothing
            continue
        part = expand_fine_gray(time[rows], codes[rows], cause, w[rows])
        parts.append(dataclasses.replace(part, row=rows[part.row]))
    if not parts:
        raise DataError(f"fine_gray(): no stratum has an event of code {cause}")
    merged = Expansion(
        *(
            np.concatenate([getattr(p, f.name) for p in parts])
            for f in dataclasses.fields(Expansion)
        )
    )
    order = np.argsort(merged.row, kind="stable")
    return Expansion(*(getattr(merged, f.name)[order] for f in dataclasses.fields(Expansion)))
