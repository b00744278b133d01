"""Checks behind :func:`rpeval.community.area_panel`: outcome, period grid, balance, adoption.

Examples
--------
>>> import numpy as np
>>> ordinal_grid(np.array([3, 4, 5, 3]), column="month", caller="f")
Grid(first=3, size=3)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._formula import show_values
from rpeval._frames import complete_cases, numeric_array
from rpeval.community._periods import period_label, period_ordinals
from rpeval.errors import DataError, SpecificationError

__all__ = [
    "Adoption",
    "Grid",
    "adoption_ordinals",
    "check_balanced",
    "check_outcome",
    "drop_missing",
    "incomplete_after_drop",
    "ordinal_grid",
]


class Adoption(NamedTuple):
    """Which areas adopted, and the ordinal of their first period under the program."""

    adopted: NDArray[np.bool_]
    ordinals: NDArray[np.int64]


class Grid(NamedTuple):
    """The panel's periods: ``first`` ordinal and ``size`` consecutive periods."""

    first: int
    size: int


def check_outcome(
    frame: pd.DataFrame, column: str, *, kind: str, caller: str
) -> NDArray[np.float64]:
    """The outcome as float64; counts must be finite non-negative whole numbers."""
    values = numeric_array(frame, column, arg="outcome", caller=caller)
    where = f"{caller}(): column {column!r} (argument `outcome`)"
    bad = ~np.isfinite(values)
    if bad.any():
        raise DataError(
            f"{where} has {int(bad.sum())} infinite values", hint="fix or drop those rows"
        )
    if kind != "count":
        return values
    negative = values < 0
    if negative.any():
        raise DataError(
            f"{where} holds counts, but {int(negative.sum())} are negative, e.g. "
            f"{show_values(frame[column][negative])}",
            hint="counts cannot be negative; for a continuous outcome pass kind='continuous'",
        )
    fraction = values != np.round(values)
    if fraction.any():
        raise DataError(
            f"{where} holds counts, but {int(fraction.sum())} are not whole numbers, e.g. "
            f"{show_values(frame[column][fraction])}",
            hint="give the counts themselves (rates go with exposure=), or kind='continuous'",
        )
    return values


def ordinal_grid(
    ordinals: NDArray[np.int64], *, column: str, caller: str, freq: str | None = None
) -> Grid:
    """The consecutive periods spanned by ``ordinals``; a period absent everywhere is a gap."""
    present = np.unique(ordinals)
    first, last = int(present[0]), int(present[-1])
    if len(present) != last - first + 1:
        full = np.arange(first, last + 1)
        absent = np.setdiff1d(full, present)
        raise DataError(
            f"{caller}(): column {column!r} (argument `period`) has gaps: "
            f"{len(absent)} periods between the first and the last are absent from every area "
            f"({show_values(str(period_label(a, freq)) for a in absent)})",
            hint="add the missing periods (with their counts, 0 if none), or pass freq= "
            "matching the data (e.g. freq='Q' for quarters)",
        )
    return Grid(first, last - first + 1)


def check_balanced(
    area_codes: NDArray[np.intp],
    t_index: NDArray[np.int64],
    labels: pd.Index,
    n_periods: int,
    period_values: pd.Series,
    *,
    caller: str,
) -> NDArray[np.intp]:
    """Row order sorting by area then period; duplicates and missing cells raise."""
    cell = area_codes.astype(np.int64) * n_periods + t_index
    counts = np.bincount(cell, minlength=len(labels) * n_periods)
    if (counts > 1).any():
        cells = np.flatnonzero(counts > 1)
        first_row = [int(np.flatnonzero(cell == c)[0]) for c in cells[:5]]
        shown = ", ".join(
            f"({labels[area_codes[i]]!r}, {period_values.iloc[i]!r})" for i in first_row
        )
        raise DataError(
            f"{caller}(): {int((counts > 1).sum())} area-periods appear more than once, e.g. "
            f"{shown}",
            hint="give one row per area and period (sum the counts first)",
        )
    if (counts == 0).any():
        lacking = np.flatnonzero((counts == 0).reshape(len(labels), n_periods).any(axis=1))
        shown = show_values(labels[lacking[:5]])
        raise DataError(
            f"{caller}(): the panel is not balanced: {len(lacking)} areas lack some periods "
            f"({shown}{', ...' if len(lacking) > 5 else ''})",
            hint="add the missing area-periods (count 0 when nothing happened) or drop those areas",
        )
    return np.argsort(cell, kind="stable")


def adoption_ordinals(
    frame: pd.DataFrame,
    column: str | None,
    area_codes: NDArray[np.intp],
    n_areas: int,
    *,
    never: object,
    freq: str,
    calendar: bool,
    caller: str,
) -> Adoption:
    """Each area's adoption ordinal; it must be constant within an area."""
    if column is None:
        return Adoption(np.zeros(n_areas, dtype=bool), np.zeros(n_areas, dtype=np.int64))
    values = frame[column]
    is_never = values.isna().to_numpy(dtype=bool, copy=True)
    if never is not None:
        is_never |= (values.astype(object) == never).to_numpy(dtype=bool)
    what = f"{caller}(): column {column!r} (argument `adoption`)"
    codes = np.full(len(frame), -1, dtype=np.int64)
    if (~is_never).any():
        kept = values[~is_never]
        coded = period_ordinals(kept.reset_index(drop=True), freq=freq, what=what)
        if coded.calendar != calendar:
            raise DataError(
                f"{what} must be of the same kind as the periods (dates or whole numbers), "
                f"found e.g. {show_values(kept)}",
                hint="code adoption as the first period under the program, like `period`",
            )
        codes[~is_never] = coded.ordinals
    big, small = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    first = np.full(n_areas, big)
    np.minimum.at(first, area_codes, np.where(is_never, big, codes))
    last = np.full(n_areas, small)
    np.maximum.at(last, area_codes, np.where(is_never, small, codes))
    some_never = np.zeros(n_areas, dtype=bool)
    np.logical_or.at(some_never, area_codes, is_never)
    adopted = np.zeros(n_areas, dtype=bool)
    np.logical_or.at(adopted, area_codes, ~is_never)
    varying = adopted & ((first != last) | some_never)
    if varying.any():
        raise DataError(
            f"{what} varies within {int(varying.sum())} areas",
            hint="adoption is a property of the area: give the same value in each of its rows",
        )
    return Adoption(adopted, np.where(adopted, first, 0).astype(np.int64))


def drop_missing(
    frame: pd.DataFrame, columns: list[str], missing: object, *, caller: str
) -> tuple[pd.DataFrame, int]:
    """``frame`` without the rows missing a value in ``columns`` under ``missing="drop"``,
    and how many went; ``"error"`` returns it whole (the checks after it raise)."""
    if not isinstance(missing, str) or missing not in ("error", "drop"):
        raise SpecificationError(
            f"{caller}(): missing={missing!r} is not an option", hint="use 'error' or 'drop'"
        )
    if missing == "error":
        return frame, 0
    kept = complete_cases(frame, columns, missing="drop", arg="data", caller=caller)
    return kept.frame, kept.n_dropped


def incomplete_after_drop(error: DataError, n_dropped: int, caller: str) -> DataError:
    """The error of a panel left incomplete by ``missing="drop"``, saying why."""
    return DataError(
        f"{caller}(): missing='drop' left out {n_dropped} rows with missing values, and "
        f"without them the panel is incomplete ({error.message.split('(): ', 1)[-1]})",
        hint="every area (or series) needs every period: drop whole areas, or the first or "
        "last periods, with missing values, or fill them in",
    )
