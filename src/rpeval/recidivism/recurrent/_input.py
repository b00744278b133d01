"""Checks and derived columns for counting-process (entry, duration] data of recurrent events."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval.errors import DataError
from rpeval.recidivism._survival_input import group_codes

__all__ = ["check_intervals", "event_numbers"]

FloatArray = NDArray[np.float64]


def check_intervals(
    frame: pd.DataFrame,
    cluster: str,
    entry: str,
    duration: str,
    *,
    caller: str,
) -> None:
    """Raise :class:`DataError` when a person's ``(entry, duration]`` intervals overlap.

    Gaps between intervals (custody, when nobody can be re-arrested) are allowed.
    """
    begin = _frames.numeric_array(frame, entry, arg="entry", caller=caller)
    end = _frames.numeric_array(frame, duration, arg="duration", caller=caller)
    person, _ = group_codes(frame, cluster, arg="cluster", caller=caller)
    order = np.lexsort((begin, person))
    same = person[order][1:] == person[order][:-1]
    overlap = same & (begin[order][1:] < end[order][:-1])
    if overlap.any():
        raise DataError(
            f"{caller}(): {int(overlap.sum())} intervals ({entry!r}, {duration!r}] overlap the "
            f"previous interval of the same {cluster!r}",
            hint="each person's intervals must not overlap; gaps (custody time) are fine",
        )


def event_numbers(
    frame: pd.DataFrame,
    cluster: str,
    entry: str,
    event: str,
    *,
    caller: str,
) -> FloatArray:
    """1 + the number of the person's re-arrests before each interval."""
    begin = _frames.numeric_array(frame, entry, arg="entry", caller=caller)
    status = _frames.boolean_array(frame, event, arg="event", caller=caller).astype(np.float64)
    person, _ = group_codes(frame, cluster, arg="cluster", caller=caller)
    order = np.lexsort((begin, person))
    running = pd.Series(status[order]).groupby(person[order]).cumsum().to_numpy()
    numbers = np.empty(begin.size)
    numbers[order] = 1.0 + running - status[order]
    return numbers
