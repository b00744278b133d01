"""Validated arrays for the non-parametric survival estimators (KM, log-rank, rates, RMST).

Every check goes through :mod:`rpeval._frames`, so messages name the caller, the argument
and the column. Nothing here mutates the caller's frame.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._weights import CaseWeights, case_weights, user_stacklevel
from rpeval.errors import DataError, SpecificationError

__all__ = [
    "SurvivalInput",
    "duration_array",
    "group_codes",
    "potential_followup",
    "prepare_survival_input",
    "weighted_rows",
]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SurvivalInput:
    """One entry per kept row; ``group`` and ``stratum`` are codes into the label tuples."""

    time: NDArray[np.float64]
    event: NDArray[np.bool_]
    weights: NDArray[np.float64]
    group: IntArray
    groups: tuple[Any, ...]
    stratum: IntArray
    strata: tuple[Any, ...]
    cluster: IntArray | None
    followup: NDArray[np.float64] | None
    n_dropped: int


def _column_list(value: str | Sequence[str] | None, arg: str, caller: str) -> list[str]:
    if value is None:
        return []
    columns = [value] if isinstance(value, str) else list(value)
    if not columns or not all(isinstance(c, str) for c in columns):
        raise SpecificationError(
            f"{caller}(): `{arg}` must be a column name or a list of column names, got {value!r}"
        )
    return columns


def group_codes(
    frame: pd.DataFrame, column: str, *, arg: str, caller: str
) -> tuple[IntArray, tuple[Any, ...]]:
    """Integer codes of a grouping column, levels sorted; unused categories are errors."""
    values = frame[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        used = set(values.cat.codes.unique().tolist())
        empty = [c for k, c in enumerate(values.cat.categories) if k not in used]
        if empty:
            raise DataError(
                f"{caller}(): group(s) {empty[:5]} of column {column!r} (`{arg}`) have no rows",
                hint="remove unused categories, e.g. data[col].cat.remove_unused_categories()",
            )
        codes = np.asarray(values.cat.codes.to_numpy(), dtype=np.int64)
        return codes, tuple(values.cat.categories.tolist())
    try:
        raw, levels = pd.factorize(values, sort=True)
    except TypeError:  # mixed types cannot be sorted: keep order of appearance
        raw, levels = pd.factorize(values, sort=False)
    labels = tuple(v.item() if isinstance(v, np.generic) else v for v in levels.tolist())
    return np.asarray(raw, dtype=np.int64), labels


def _combined(
    frame: pd.DataFrame, columns: list[str], *, arg: str, caller: str
) -> tuple[IntArray, tuple[Any, ...]]:
    if len(columns) == 1:
        return group_codes(frame, columns[0], arg=arg, caller=caller)
    parts = [group_codes(frame, c, arg=arg, caller=caller) for c in columns]
    key = np.zeros(len(frame), dtype=np.int64)
    for codes, labels in parts:
        key = key * len(labels) + codes
    unique, codes = np.unique(key, return_inverse=True)
    names: list[str] = []
    for value in unique:
        pieces = []
        rest = int(value)
        for column, (_, levels) in zip(reversed(columns), reversed(parts), strict=True):
            rest, position = divmod(rest, len(levels))
            pieces.append(f"{column}={levels[position]}")
        names.append(", ".join(reversed(pieces)))
    return np.asarray(codes, dtype=np.int64), tuple(names)


def potential_followup(
    frame: pd.DataFrame, column: str, time: NDArray[np.float64], caller: str
) -> NDArray[np.float64]:
    """Potential follow-up (entry to end of data): finite and never shorter than observed."""
    values = _frames.numeric_array(frame, column, arg="followup", caller=caller)
    short = ~np.isfinite(values) | (values < time)
    if short.any():
        raise DataError(
            f"{caller}(): column {column!r} (`followup`) is missing, infinite or shorter than "
            f"the observed duration on {int(short.sum())} rows",
            hint="followup is the time from entry to the end of data, whether or not the "
            "event happened; it is at least the duration",
        )
    return values


def weighted_rows(
    frame: pd.DataFrame, weights: str | None, *, group: str | None, caller: str
) -> CaseWeights:
    """:func:`rpeval._weights.case_weights`, refusing to lose a whole group to zero weights.

    Rows of weight 0 are left out as if absent; a group left with no rows would vanish
    from the result unnoticed, so that raises :class:`DataError` instead.
    """
    if group is None:
        return case_weights(frame, weights, caller=caller)
    codes, labels = group_codes(frame, group, arg="group", caller=caller)
    with warnings.catch_warnings(record=True) as caught:  # raise before warning
        warnings.simplefilter("always")
        weighted = case_weights(frame, weights, caller=caller)
    empty = sorted(set(range(len(labels))) - set(codes[weighted.kept].tolist()))
    if empty:
        raise DataError(
            f"{caller}(): group(s) {[labels[k] for k in empty]} of column {group!r} have "
            "zero total weight",
            hint="every group needs at least one row with a positive weight",
        )
    for message in caught:
        warnings.warn(message.message, message.category, stacklevel=user_stacklevel())
    return weighted


def _checked_columns(
    frame: pd.DataFrame,
    duration: str,
    event: str,
    group: str | None,
    weights: str | None,
    strata: str | Sequence[str] | None,
    cluster: str | None,
    followup: str | None,
    *,
    caller: str,
) -> tuple[list[str], list[str]]:
    """The strata columns and every column used, after checking that each argument names
    a column (a string) that ``frame`` has."""
    for name, value in (
        ("duration", duration),
        ("event", event),
        ("group", group),
        ("weights", weights),
        ("cluster", cluster),
        ("followup", followup),
    ):
        if value is not None and not isinstance(value, str):
            raise SpecificationError(
                f"{caller}(): `{name}` must be a column name (a string), got {value!r}"
            )
    strata_columns = _column_list(strata, "strata", caller)
    _frames.require_columns(frame, [duration], arg="duration", caller=caller)
    _frames.require_columns(frame, [event], arg="event", caller=caller)
    optional = (
        ("group", group),
        ("weights", weights),
        ("cluster", cluster),
        ("followup", followup),
    )
    for name, value in optional:
        if value is not None:
            _frames.require_columns(frame, [value], arg=name, caller=caller)
    _frames.require_columns(frame, strata_columns, arg="strata", caller=caller)
    return strata_columns, [duration, event, *(c for _, c in optional if c), *strata_columns]


def duration_array(frame: pd.DataFrame, duration: str, *, caller: str) -> FloatArray:
    """The `duration` column as floats, each finite and >= 0, else :class:`DataError`
    with the count and the first bad values."""
    time = _frames.numeric_array(frame, duration, arg="duration", caller=caller)
    bad = ~np.isfinite(time) | (time < 0)
    if bad.any():
        raise DataError(
            f"{caller}(): column {duration!r} (`duration`) has {int(bad.sum())} negative or "
            f"infinite values, e.g. {time[bad][:3].tolist()}",
            hint="durations are times from entry to the event or censoring, >= 0",
        )
    return time


def prepare_survival_input(
    data: Any,
    duration: str,
    event: str,
    *,
    group: str | None = None,
    weights: str | None = None,
    strata: str | Sequence[str] | None = None,
    cluster: str | None = None,
    followup: str | None = None,
    missing: str = "error",
    caller: str,
) -> SurvivalInput:
    """Check the columns of a right-censored data set and return them as arrays.

    Raises :class:`DataError` for missing columns, missing values (unless
    ``missing="drop"``), negative or infinite durations, an event column that is not
    0/1/boolean, negative weights, no rows, or a group whose weights are all zero. Rows of
    weight 0 are left out (:func:`rpeval._weights.case_weights`) and counted in
    ``n_dropped`` with those dropped for missing values.
    """
    frame = _frames.as_pandas(data, arg="data", caller=caller)
    strata_columns, used = _checked_columns(
        frame, duration, event, group, weights, strata, cluster, followup, caller=caller
    )
    complete = _frames.complete_cases(
        frame, list(dict.fromkeys(used)), missing=missing, arg="data", caller=caller
    )
    frame = complete.frame
    if len(frame) == 0:
        raise DataError(
            f"{caller}(): `data` has no rows to analyse"
            + (
                f" after dropping {complete.n_dropped} with missing values"
                if complete.n_dropped
                else ""
            ),
        )
    time = duration_array(frame, duration, caller=caller)
    status = _frames.boolean_array(frame, event, arg="event", caller=caller)
    weighted = weighted_rows(frame, weights, group=group, caller=caller)
    frame, w, n_zero = weighted.frame, weighted.weights, weighted.n_zero
    time, status = time[weighted.kept], status[weighted.kept]
    if group is None:
        codes, labels = np.zeros(len(frame), dtype=np.int64), ("all",)
    else:
        codes, labels = group_codes(frame, group, arg="group", caller=caller)
    if strata_columns:
        stratum, strata_labels = _combined(frame, strata_columns, arg="strata", caller=caller)
    else:
        stratum, strata_labels = np.zeros(len(frame), dtype=np.int64), ("all",)
    cluster_codes = None
    if cluster is not None:
        cluster_codes = np.asarray(pd.factorize(frame[cluster])[0], dtype=np.int64)
    return SurvivalInput(
        time=time,
        event=status,
        weights=w,
        group=codes,
        groups=labels,
        stratum=stratum,
        strata=strata_labels,
        cluster=cluster_codes,
        followup=potential_followup(frame, followup, time, caller) if followup else None,
        n_dropped=complete.n_dropped + n_zero,
    )
