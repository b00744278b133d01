"""Fixed-window re-arrest rates when competing events are present (see ``recidivism_rates``).

Re-arrest is event code 1; the rate at a window is its Aalen–Johansen cumulative
incidence (with cmprsk's variance), the interval applies the chosen ``conf_type`` to
``1 − F`` as Kaplan–Meier intervals do to ``S``, and the differences between groups reuse
the Kaplan–Meier code with ``1 − F`` in place of ``S``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._inference import z_quantile
from rpeval.errors import DataError, DataWarning
from rpeval.recidivism.competing._input import CompetingInput, prepare_competing_input
from rpeval.recidivism.competing.aalen_johansen import incidence_from_input
from rpeval.recidivism.rates._window_result import (
    RATE_COLUMNS,
    RecidivismRates,
    complete_follow_up,
    window_differences,
)
from rpeval.recidivism.survival._curve_intervals import ConfType, confidence_band

__all__ = ["competing_rates"]

FloatArray = NDArray[np.float64]
OUTCOME = 1


def competing_rates(
    data: Any,
    duration: str,
    event: str,
    grid: FloatArray,
    *,
    group: str | None,
    conf_level: float,
    conf_type: ConfType,
    followup: str | None,
    missing: str,
) -> RecidivismRates:
    """The rates table and differences with cumulative incidence of code 1."""
    caller = "recidivism_rates"
    data_in = prepare_competing_input(
        data, duration, event, group=group, missing=missing, caller=caller, followup=followup
    )
    if OUTCOME not in data_in.causes:
        raise DataError(
            f"{caller}(): column {event!r} (`event`) has competing events but no re-arrest "
            "(code 1)",
            hint="code the outcome 1 and competing events 2, 3, ...",
        )
    result = incidence_from_input(
        data_in,
        group_column=group,
        conf_level=conf_level,
        conf_type="log-log",
        rho=0.0,
        tests=False,  # the rates read the curves only
    )
    others = [c for c in data_in.causes if c != OUTCOME]
    notes = [
        f"{caller}(): competing events (codes {others}) are present: the rate is the "
        "cumulative incidence of re-arrest (code 1), not 1 - Kaplan-Meier"
    ]
    resolved = data_in.cause > 0
    if data_in.followup is None:
        early = int(np.sum(~resolved & (data_in.time < grid.max())))
        if early:
            note = (
                f"{caller}(): {early} people were censored before the longest window "
                f"({grid.max():g}) without any event; without `followup` the "
                "complete-follow-up share leaves them out, which biases it upward"
            )
            notes.append(note)
            warnings.warn(note + "; pass followup=", DataWarning, stacklevel=3)
    at = result.at(grid)
    at = at[at["cause"] == OUTCOME].reset_index(drop=True)
    rates, as_survival = _rates_table(data_in, at, grid, conf_level, conf_type)
    return RecidivismRates(
        rates=rates,
        differences_table=window_differences(as_survival, data_in.groups, grid, conf_level),
        windows=tuple(float(w) for w in grid),
        groups=data_in.groups,
        conf_level=float(conf_level),
        conf_type=conf_type,
        n_dropped=data_in.n_dropped,
        notes=tuple(notes),
    )


def _rates_table(
    data_in: CompetingInput,
    at: pd.DataFrame,
    grid: FloatArray,
    conf_level: float,
    conf_type: ConfType,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rates table (one row per group and window; the interval applies ``conf_type``
    to ``1 - F``) from the re-arrest rows ``at`` of the cumulative incidence at ``grid``,
    and ``1 - F`` with its SE as the survival table the differences read."""
    incidence = at["incidence"].to_numpy()
    se = at["std_error"].to_numpy()
    z = z_quantile(conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        free = 1.0 - incidence
        se_log = np.where(free > 0, se / free, np.nan)
    lower_free, upper_free = confidence_band(free, se_log, conf_type, z)
    resolved = data_in.cause > 0
    frames = []
    m = grid.shape[0]
    for code, label in enumerate(data_in.groups):
        rows = data_in.group == code
        block = slice(code * m, (code + 1) * m)
        potential = None if data_in.followup is None else data_in.followup[rows]
        complete = complete_follow_up(
            data_in.time[rows],
            data_in.cause[rows] == OUTCOME,
            potential,
            grid,
            conf_level,
            any_event=resolved[rows],
        )
        frames.append(
            pd.DataFrame(
                {
                    "group": [label] * m,
                    "window": grid,
                    "cumulative_incidence": incidence[block],
                    "ci_lower": 1.0 - upper_free[block],
                    "ci_upper": 1.0 - lower_free[block],
                    "n_risk": at["n_risk"].to_numpy()[block],
                    **complete,
                }
            )
        )
    rates = pd.concat(frames, ignore_index=True).loc[:, list(RATE_COLUMNS)]
    return rates, pd.DataFrame({"survival": free, "std_error": se})
