"""Validated ``(duration, event, group, weights)`` arrays for the non-parametric estimators."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval.errors import DataError

__all__ = ["SurvivalArrays", "survival_arrays"]


@dataclass(frozen=True)
class SurvivalArrays:
    """One entry per row; ``group_codes`` index ``group_labels`` (one label when ungrouped)."""

    time: NDArray[np.float64]
    event: NDArray[np.bool_]
    weights: NDArray[np.float64]
    group_codes: NDArray[np.int64]
    group_labels: tuple[str, ...]
    group_name: str | None
    n_dropped: int

    def select(
        self, code: int
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]]:
        rows = self.group_codes == code
        return self.time[rows], self.event[rows], self.weights[rows]


def survival_arrays(
    data: pd.DataFrame,
    duration: str,
    event: str,
    *,
    group: str | None,
    weights: str | None,
    caller: str,
    missing: str = "error",
    extra: tuple[str, ...] = (),
) -> SurvivalArrays:
    """Check the columns of a survival data set; groups are labelled ``"<column>=<value>"``."""
    frame = _frames.as_pandas(data, arg="data", caller=caller)
    columns = [c for c in (duration, event, group, weights, *extra) if c is not None]
    complete = _frames.complete_cases(frame, columns, missing=missing, arg="data", caller=caller)
    frame = complete.frame
    if len(frame) == 0:
        raise DataError(f"{caller}(): `data` has no rows to analyse")
    time = _frames.numeric_array(frame, duration, arg="duration", caller=caller)
    if np.any(~np.isfinite(time)) or np.any(time < 0):
        raise DataError(
            f"{caller}(): column {duration!r} (`duration`) has negative or infinite values",
            hint="durations are times from entry to event or censoring, >= 0",
        )
    status = _frames.boolean_array(frame, event, arg="event", caller=caller)
    w = np.ones(len(frame))
    if weights is not None:
        w = _frames.numeric_array(frame, weights, arg="weights", caller=caller)
        if np.any(~np.isfinite(w)) or np.any(w < 0):
            raise DataError(f"{caller}(): weights {weights!r} must be finite and >= 0")
    if group is None:
        codes = np.zeros(len(frame), dtype=np.int64)
        labels: tuple[str, ...] = ("all",)
    else:
        raw_codes, uniques = pd.factorize(frame[group], sort=True)
        codes = np.asarray(raw_codes, dtype=np.int64)
        labels = tuple(f"{group}={u}" for u in uniques)
    return SurvivalArrays(time, status, w, codes, labels, group, complete.n_dropped)
