"""Validated design matrices for the recidivism regressions (AFT, split-population, Fine–Gray,
rate models, recurrent Cox).

Each model has one or more covariate sets (an AFT model one; a split-population model
one for incidence and one for latency); each becomes a design matrix with an intercept
first. Durations must be positive (they enter through their logarithm). Every check goes
through :mod:`rpeval._frames`; nothing here mutates the caller's frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._weights import case_weights
from rpeval.errors import DataError

__all__ = [
    "Design",
    "ParametricInput",
    "prepare_parametric",
    "require_design_columns",
    "with_intercept",
]

FloatArray = NDArray[np.float64]
Covariates = str | Sequence[str] | None
INTERCEPT = "(Intercept)"


@dataclass(frozen=True)
class Design:
    """A design with intercept, its term labels, and what new data needs to be coded alike."""

    X: FloatArray
    terms: tuple[str, ...]
    spec: _frames.CovariateSpec | None
    levels: dict[str, tuple[object, ...]]


@dataclass(frozen=True)
class ParametricInput:
    """Kept rows as arrays: time (> 0), event, weights, and one design per covariate set."""

    time: FloatArray
    event: NDArray[np.bool_]
    weights: FloatArray
    designs: dict[str, Design]
    n_dropped: int


def with_intercept(X: FloatArray) -> FloatArray:
    """Prepend a column of ones."""
    return np.column_stack([np.ones(X.shape[0]), X])


def _design(
    frame: pd.DataFrame, spec: _frames.CovariateSpec | None, arg: str, caller: str
) -> Design:
    if spec is None:
        return Design(np.ones((len(frame), 1)), (INTERCEPT,), None, {})
    design = _frames.design_matrix(frame, spec, arg=arg, caller=caller)
    constant = _frames.constant_columns(design.X, list(design.terms))
    if constant:
        raise DataError(
            f"{caller}(): covariate(s) {constant} in `{arg}` take a single value; they cannot "
            "be estimated beside the intercept",
            hint=f"remove them from `{arg}`",
        )
    X = with_intercept(design.X)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise DataError(
            f"{caller}(): the covariates in `{arg}` are collinear ({list(design.terms)})",
            hint="drop or combine the redundant covariates",
        )
    return Design(X, (INTERCEPT, *design.terms), spec, design.levels)


def prepare_parametric(
    data: object,
    duration: str,
    event: str,
    covariates: Mapping[str, Covariates],
    *,
    weights: str | None,
    missing: str,
    caller: str,
) -> ParametricInput:
    """Check the columns and build the designs; ``covariates`` maps argument names to sets.

    Rows of weight 0 are left out (R's ``survreg`` refuses them) and counted in
    ``n_dropped``.
    """
    frame = _frames.as_pandas(data, arg="data", caller=caller)
    specs = {
        arg: None if cov is None else _frames.resolve_covariates(cov, arg=arg, caller=caller)
        for arg, cov in covariates.items()
    }
    _frames.require_columns(frame, [duration], arg="duration", caller=caller)
    _frames.require_columns(frame, [event], arg="event", caller=caller)
    if weights is not None:
        _frames.require_columns(frame, [weights], arg="weights", caller=caller)
    for arg, spec in specs.items():
        if spec is not None:
            _frames.require_columns(frame, spec.columns, arg=arg, caller=caller)
    used = [duration, event, *([weights] if weights else [])]
    for spec in specs.values():
        used.extend(spec.columns if spec is not None else ())
    complete = _frames.complete_cases(
        frame, list(dict.fromkeys(used)), missing=missing, arg="data", caller=caller
    )
    if len(complete.frame) == 0:
        raise DataError(f"{caller}(): no rows left after removing missing values")
    weighted = case_weights(complete.frame, weights, caller=caller)
    frame, w = weighted.frame, weighted.weights
    time = _frames.numeric_array(frame, duration, arg="duration", caller=caller)
    bad = ~np.isfinite(time) | (time <= 0)
    if bad.any():
        raise DataError(
            f"{caller}(): column {duration!r} (`duration`) has {int(bad.sum())} values that "
            f"are zero, negative or infinite, e.g. {time[bad][:3].tolist()}",
            hint="parametric models use log(duration): add a small offset such as half a day "
            "to zero durations, or remove them",
        )
    status = _frames.boolean_array(frame, event, arg="event", caller=caller)
    if not status.any():
        raise DataError(f"{caller}(): column {event!r} (`event`) has no events; nothing to model")
    designs = {arg: _design(frame, spec, arg, caller) for arg, spec in specs.items()}
    return ParametricInput(time, status, w, designs, complete.n_dropped + weighted.n_zero)


def new_design(design: Design, new_data: object, *, caller: str) -> FloatArray:
    """Code ``new_data`` as the fitted design was coded (same levels), intercept first."""
    frame = _frames.as_pandas(new_data, arg="new_data", caller=caller)
    if design.spec is None:
        return np.ones((len(frame), 1))
    coded = _frames.design_matrix(
        frame,
        design.spec,
        arg="new_data",
        caller=caller,
        levels=design.levels,
        frame_arg="new_data",
    )
    return with_intercept(coded.X)


def require_design_columns(
    frame: pd.DataFrame, covariates: str | Sequence[str], *, caller: str
) -> None:
    """Raise :class:`DataError` when the covariates code to no design column at all.

    A categorical covariate with a single level codes to nothing, which would leave a
    regression without any term to estimate.
    """
    spec = _frames.resolve_covariates(covariates, arg="covariates", caller=caller)
    _frames.require_columns(frame, spec.columns, arg="covariates", caller=caller)
    design = _frames.design_matrix(frame, spec, arg="covariates", caller=caller, missing="drop")
    if design.X.shape[1] == 0:
        raise DataError(
            f"{caller}(): the covariates {list(spec.columns)} take a single value each; "
            "there is nothing to estimate",
            hint="check that the categorical covariates have at least two levels",
        )
