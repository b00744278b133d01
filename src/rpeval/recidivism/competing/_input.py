"""Validated arrays for competing-risks data: an event column with cause codes.

``event`` holds 0 for censoring and a positive whole number for each cause (1 re-arrest,
2 death, ...), as :func:`rpeval.recidivism.build_followup` writes it. Booleans and 0/1
columns are one cause. Every check goes through :mod:`rpeval._frames`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._formula import show_values
from rpeval.errors import DataError, SpecificationError
from rpeval.recidivism._survival_input import (
    duration_array,
    group_codes,
    potential_followup,
    weighted_rows,
)

__all__ = ["CompetingInput", "cause_codes", "prepare_competing_input"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CompetingInput:
    """Kept rows: time (>= 0), cause code per row (0 censored), group codes and labels."""

    time: FloatArray
    cause: IntArray
    causes: tuple[int, ...]  # the distinct positive codes, sorted
    group: IntArray
    groups: tuple[Any, ...]
    n_dropped: int
    followup: FloatArray | None = None
    stratum: IntArray | None = None
    weights: FloatArray | None = None
    cluster: IntArray | None = None


def cause_codes(frame: Any, column: str, *, caller: str) -> IntArray:
    """The ``event`` column as whole numbers >= 0 (0 censored, k cause k)."""
    values = _frames.numeric_array(frame, column, arg="event", caller=caller)
    bad = ~np.isfinite(values) | (values < 0) | (values > 999) | (values != np.round(values))
    if bad.any():
        raise DataError(
            f"{caller}(): column {column!r} (`event`) must hold 0 (censored) or a cause code "
            f"1, 2, ...; found {show_values(frame[column][bad])}",
            hint="code re-arrest 1 and each competing event (death, deportation) 2, 3, ...",
        )
    return values.astype(np.int64)


def prepare_competing_input(
    data: Any,
    duration: str,
    event: str,
    *,
    group: str | None,
    missing: str,
    caller: str,
    followup: str | None = None,
    strata: str | None = None,
    weights: str | None = None,
    cluster: str | None = None,
) -> CompetingInput:
    """Check the columns of a competing-risks data set and return them as arrays.

    ``followup`` (potential follow-up, for ``recidivism_rates``) is checked as there.
    Rows of weight 0 are left out and counted in ``n_dropped``.
    """
    frame = _frames.as_pandas(data, arg="data", caller=caller)
    named = (
        ("duration", duration),
        ("event", event),
        ("group", group),
        ("followup", followup),
        ("strata", strata),
        ("weights", weights),
        ("cluster", cluster),
    )
    for name, value in named:
        if value is not None and not isinstance(value, str):
            raise SpecificationError(
                f"{caller}(): `{name}` must be a column name (a string), got {value!r}"
            )
    _frames.require_columns(frame, [duration], arg="duration", caller=caller)
    _frames.require_columns(frame, [event], arg="event", caller=caller)
    for name, value in named[2:]:
        if value is not None:
            _frames.require_columns(frame, [value], arg=name, caller=caller)
    used = [duration, event, *(v for _, v in named[2:] if v is not None)]
    complete = _frames.complete_cases(
        frame, list(dict.fromkeys(used)), missing=missing, arg="data", caller=caller
    )
    if len(complete.frame) == 0:
        raise DataError(f"{caller}(): `data` has no rows to analyse")
    weighted = weighted_rows(complete.frame, weights, group=group, caller=caller)
    frame = weighted.frame
    time = duration_array(frame, duration, caller=caller)
    cause = cause_codes(frame, event, caller=caller)
    causes = tuple(int(c) for c in np.unique(cause[cause > 0]))
    if group is None:
        codes, labels = np.zeros(len(frame), dtype=np.int64), ("all",)
    else:
        codes, labels = group_codes(frame, group, arg="group", caller=caller)
    potential = None if followup is None else potential_followup(frame, followup, time, caller)
    stratum = None if strata is None else group_codes(frame, strata, arg="strata", caller=caller)[0]
    w = None if weights is None else weighted.weights
    n_dropped = complete.n_dropped + weighted.n_zero
    clusters = None
    if cluster is not None:
        clusters = np.asarray(pd.factorize(frame[cluster])[0], dtype=np.int64)
    return CompetingInput(
        time, cause, causes, codes, labels, n_dropped, potential, stratum, w, clusters
    )
