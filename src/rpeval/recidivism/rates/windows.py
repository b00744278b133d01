"""Fixed-window re-arrest rates: 1 − Kaplan–Meier and the BJS complete-follow-up share.

With competing events (event codes 2, 3, ...) the rate is the Aalen–Johansen cumulative
incidence of re-arrest (code 1) instead of 1 − Kaplan–Meier (:mod:`._competing_windows`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval.errors import DataWarning, SpecificationError
from rpeval.recidivism._survival_input import prepare_survival_input
from rpeval.recidivism.rates._competing_windows import competing_rates
from rpeval.recidivism.rates._window_result import (
    RATE_COLUMNS,
    RecidivismRates,
    complete_follow_up,
    window_differences,
)
from rpeval.recidivism.survival._curve_intervals import ConfType, check_interval
from rpeval.recidivism.survival.kaplan_meier import curves_from_input

__all__ = ["has_competing_codes", "recidivism_rates"]

FloatArray = NDArray[np.float64]


def _windows(windows: float | Sequence[float], caller: str) -> FloatArray:
    try:
        grid = np.atleast_1d(np.asarray(windows, dtype=np.float64))
    except (TypeError, ValueError):
        raise SpecificationError(f"{caller}(): windows={windows!r} must be numbers") from None
    if grid.ndim != 1 or grid.shape[0] == 0 or np.any(~np.isfinite(grid)) or np.any(grid <= 0):
        raise SpecificationError(
            f"{caller}(): windows={windows!r} must be one or more positive, finite times",
            hint="e.g. windows=[365, 730, 1095] for 1, 2 and 3 years in days",
        )
    return np.unique(grid)


def has_competing_codes(data: Any, event: str, *, caller: str) -> bool:
    """Whether the ``event`` column holds codes of competing causes (2, 3, ...)."""
    frame = _frames.as_pandas(data, arg="data", caller=caller)
    _frames.require_columns(frame, [event], arg="event", caller=caller)
    values = frame[event]
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        values = pd.to_numeric(values.astype(object), errors="coerce")
    return bool((values.to_numpy(dtype=np.float64, na_value=np.nan) >= 2).any())


def _censored_early(time: FloatArray, event: NDArray[np.bool_], grid: FloatArray) -> str | None:
    early = int(np.sum(~event & (time < grid.max())))
    if early == 0:
        return None
    return (
        f"recidivism_rates(): {early} people were censored before the longest window "
        f"({grid.max():g}) without a re-arrest; without `followup` the complete-follow-up "
        "share leaves them out but keeps people re-arrested after as short a follow-up, "
        "which biases it upward"
    )


def recidivism_rates(
    data: Any,
    duration: str,
    event: str,
    windows: float | Sequence[float],
    *,
    group: str | None = None,
    conf_level: float = 0.95,
    conf_type: ConfType = "log",
    followup: str | None = None,
    missing: Literal["error", "drop"] = "error",
) -> RecidivismRates:
    """Share re-arrested within fixed windows (1, 2, 3 years...), two ways, by group.

    Parameters
    ----------
    data, duration, event
        Data and its columns of time to re-arrest or censoring (>= 0) and the event
        indicator (0/1, bool). ``duration`` and ``windows`` share their unit.
    windows
        One or more window lengths (> 0), e.g. ``[365, 730, 1095]`` days.
    group
        Column of groups; differences compare each group with the first in sorted order.
    conf_level, conf_type
        Level and type (``"log"``, ``"log-log"``, ``"plain"``) of the Kaplan–Meier intervals.
    followup
        Column of *potential* follow-up: time from entry to the end of the data (the extract
        date), whether or not the person was re-arrested; at least ``duration``. It defines
        the BJS cohort of each window (``followup >= window``). Without it, people
        re-arrested early count while people with the same short follow-up and no
        re-arrest do not, which biases the share upward; a :class:`DataWarning` says so when
        anyone was censored before a window.
    missing
        ``"error"`` (default) or ``"drop"`` rows with missing values (``n_dropped``).

    Returns
    -------
    RecidivismRates
        ``summary()``: the rates by group and window; ``differences()``: each group
        against the first, with intervals and a test per window.

    Notes
    -----
    When ``event`` holds codes 2, 3, ... (competing events such as death or deportation,
    as :func:`build_followup` writes them), re-arrest is code 1 and
    ``cumulative_incidence`` is its Aalen–Johansen cumulative incidence (R
    ``cmprsk::cuminc``), not 1 − KM, which would count the dead as still at risk. Its
    interval applies ``conf_type`` to ``1 − F`` with cmprsk's variance; differences use
    that variance and the "cumulative hazard ratio" is that of the subdistribution
    hazards, ``log(1 − F_g) / log(1 − F_0)``. In the complete-follow-up share, people
    whose competing event came within the window count as observed and not re-arrested.

    The Kaplan–Meier rate uses everyone, censored or not. The complete-follow-up share
    (BJS) uses only the people who could be followed for the whole window, so later
    entry cohorts drop out of the longer windows; it is what published BJS figures mean.
    The test of equal survival at a
    window uses :math:`z = (\\log(-\\log \\hat S_g) - \\log(-\\log \\hat S_0)) /
    \\sqrt{v_g + v_0}`, :math:`v = \\sigma^2 / (\\log \\hat S)^2` with :math:`\\sigma^2` the
    Greenwood variance of :math:`\\log \\hat S`. The Kaplan–Meier columns agree with R
    ``summary(survfit(...), times = windows)``.

    Examples
    --------
    >>> from rpeval.datasets import load_rossi
    >>> rates = recidivism_rates(load_rossi(), "week", "arrest", [26, 52], group="fin")
    >>> rates.summary()[["group", "window", "cumulative_incidence", "complete_n"]].round(3)
       group  window  cumulative_incidence  complete_n
    0      0    26.0                 0.148       216.0
    1      0    52.0                 0.306       216.0
    2      1    26.0                 0.102       216.0
    3      1    52.0                 0.222       216.0
    >>> rates.differences()[["window", "difference", "ci_lower", "ci_upper", "p_value"]].round(3)
       window  difference  ci_lower  ci_upper  p_value
    0    26.0      -0.046    -0.109     0.016    0.148
    1    52.0      -0.083    -0.166    -0.001    0.051
    """
    caller = "recidivism_rates"
    check_interval(conf_level, conf_type, caller=caller)
    grid = _windows(windows, caller)
    if has_competing_codes(data, event, caller=caller):
        return competing_rates(
            data, duration, event, grid, group=group, conf_level=conf_level,
            conf_type=conf_type, followup=followup, missing=missing,
        )  # fmt: skip
    data_in = prepare_survival_input(
        data, duration, event, group=group, followup=followup, missing=missing, caller=caller
    )
    notes = []
    if followup is None:
        note = _censored_early(data_in.time, data_in.event, grid)
        if note is not None:
            notes.append(note)
            warnings.warn(
                note + "; pass followup= (time from entry to the end of data)",
                DataWarning,
                stacklevel=2,
            )
    curves = curves_from_input(
        data_in,
        group_column=group,
        conf_level=conf_level,
        conf_type=conf_type,
        robust=False,
        weighted=False,
    )
    at = curves.at(grid)
    frames = []
    m = grid.shape[0]
    for code, label in enumerate(data_in.groups):
        rows = data_in.group == code
        km = at.iloc[code * m : (code + 1) * m]  # at() lists groups in order, windows sorted
        potential = None if data_in.followup is None else data_in.followup[rows]
        complete = complete_follow_up(
            data_in.time[rows], data_in.event[rows], potential, grid, conf_level
        )
        frames.append(
            pd.DataFrame(
                {
                    "group": [label] * grid.shape[0],
                    "window": grid,
                    "cumulative_incidence": 1.0 - km["survival"].to_numpy(),
                    "ci_lower": 1.0 - km["ci_upper"].to_numpy(),
                    "ci_upper": 1.0 - km["ci_lower"].to_numpy(),
                    "n_risk": km["n_risk"].to_numpy(),
                    **complete,
                }
            )
        )
    rates = pd.concat(frames, ignore_index=True).loc[:, list(RATE_COLUMNS)]
    return RecidivismRates(
        rates=rates,
        differences_table=window_differences(at, data_in.groups, grid, conf_level),
        windows=tuple(float(w) for w in grid),
        groups=data_in.groups,
        conf_level=float(conf_level),
        conf_type=conf_type,
        n_dropped=data_in.n_dropped,
        notes=tuple(notes),
    )
