"""Fixed-window re-arrest rates: 1 − Kaplan–Meier and the BJS complete-follow-up share.

With competing events (event codes 2, 3, ...) the rate is the Aalen–Johansen cumulative
incidence of re-arrest (code 1) instead of 1 − Kaplan–Meier (:mod:`._competing_rates`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._display import Display, Displayed
from rpeval._lazy import stats
from rpeval.errors import DataWarning, SpecificationError
from rpeval.recidivism._results import ConfType, check_conf, jsonable, z_value
from rpeval.recidivism._survival_input import prepare_survival_input
from rpeval.recidivism.survival.kaplan_meier import curves_from_input

__all__ = ["DIFFERENCE_COLUMNS", "RATE_COLUMNS", "RecidivismRates", "recidivism_rates"]

FloatArray = NDArray[np.float64]
RATE_COLUMNS = (
    "group",
    "window",
    "cumulative_incidence",
    "ci_lower",
    "ci_upper",
    "n_risk",
    "complete_n",
    "complete_events",
    "complete_proportion",
    "complete_ci_lower",
    "complete_ci_upper",
)
DIFFERENCE_COLUMNS = (
    "group",
    "reference",
    "window",
    "difference",
    "std_error",
    "ci_lower",
    "ci_upper",
    "cumulative_hazard_ratio",
    "cumulative_hazard_ratio_lower",
    "cumulative_hazard_ratio_upper",
    "statistic",
    "p_value",
)


@dataclass(frozen=True, repr=False)
class RecidivismRates(Displayed):
    """Re-arrest by fixed windows, by group, and each group's difference from the first."""

    rates: pd.DataFrame
    differences_table: pd.DataFrame
    windows: tuple[float, ...]
    groups: tuple[Any, ...]
    conf_level: float
    conf_type: ConfType
    n_dropped: int
    notes: tuple[str, ...] = ()

    def summary(self) -> pd.DataFrame:
        """One row per group and window (columns in :data:`RATE_COLUMNS`).

        ``cumulative_incidence`` is ``1 − S(window)`` from the Kaplan–Meier curve, with
        ``ci_lower``/``ci_upper`` from the curve's interval (``conf_type``) and ``n_risk``
        the number still at risk at the window. ``complete_n`` counts the people observed
        for the whole window, ``complete_events`` those of them re-arrested within it and
        ``complete_proportion`` their ratio (the Bureau of Justice Statistics definition),
        with a Wilson interval. "Observed for the whole window" means ``followup >=
        window`` when ``followup`` was given, otherwise re-arrested within the window or
        followed at least that long.
        """
        return self.rates.copy()

    def differences(self) -> pd.DataFrame:
        """Each group against the first, at each window (columns in :data:`DIFFERENCE_COLUMNS`).

        ``difference`` is ``F_g − F_0`` of the cumulative incidences ``F = 1 − S`` with a
        Wald interval from ``std_error = sqrt(var S_g + var S_0)`` (Greenwood).
        ``cumulative_hazard_ratio`` is ``log S_g / log S_0`` with its interval on the
        ``log(−log S)`` scale; ``statistic`` is the z statistic of
        ``log(−log S_g) − log(−log S_0)`` (variance ``var(log S) / (log S)^2`` per group,
        delta method) and ``p_value`` tests equal survival at the window (Klein et al.
        2007). Empty with one group.
        """
        return self.differences_table.copy()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of both tables."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{str(k): jsonable(v) for k, v in r.items()} for r in frame.to_dict("records")]

        return {
            "estimator": "recidivism_rates",
            "windows": list(self.windows),
            "conf_level": self.conf_level,
            "conf_type": self.conf_type,
            "n_dropped": self.n_dropped,
            "notes": list(self.notes),
            "rates": records(self.rates),
            "differences": records(self.differences_table),
        }

    def _display(self) -> Display:
        from rpeval.recidivism._display import rates_display

        return rates_display(self)


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


def _complete_follow_up(
    time: FloatArray,
    event: NDArray[np.bool_],
    followup: FloatArray | None,
    grid: FloatArray,
    conf_level: float,
    any_event: NDArray[np.bool_] | None = None,
) -> dict[str, FloatArray]:
    """BJS-style counts: who was observed for the whole window, and who was re-arrested.

    ``any_event`` (competing risks) marks events of any cause: someone who died within
    the window was observed for it (their outcome, no re-arrest, is known).
    """
    within = event[None, :] & (time[None, :] <= grid[:, None])
    if followup is None:
        ended = any_event if any_event is not None else event
        resolved = ended[None, :] & (time[None, :] <= grid[:, None])
        observed = resolved | (time[None, :] >= grid[:, None])
    else:
        observed = followup[None, :] >= grid[:, None]
        within &= observed
    n = observed.sum(axis=1).astype(np.float64)
    k = within.sum(axis=1).astype(np.float64)
    safe = np.maximum(n, 1.0)
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(k, safe, alpha=1 - conf_level, method="wilson")
    empty = n == 0
    return {
        "complete_n": n,
        "complete_events": k,
        "complete_proportion": np.where(empty, np.nan, k / safe),
        "complete_ci_lower": np.where(empty, np.nan, np.asarray(low, np.float64)),
        "complete_ci_upper": np.where(empty, np.nan, np.asarray(high, np.float64)),
    }


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
    check_conf(conf_level, conf_type, caller=caller)
    grid = _windows(windows, caller)
    if has_competing_codes(data, event, caller=caller):
        from rpeval.recidivism._competing_rates import competing_rates

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
        complete = _complete_follow_up(
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
        differences_table=_differences(at, data_in.groups, grid, conf_level),
        windows=tuple(float(w) for w in grid),
        groups=data_in.groups,
        conf_level=float(conf_level),
        conf_type=conf_type,
        n_dropped=data_in.n_dropped,
        notes=tuple(notes),
    )


def _differences(
    at: pd.DataFrame, groups: tuple[Any, ...], grid: FloatArray, conf_level: float
) -> pd.DataFrame:
    z = z_value(conf_level)
    m = grid.shape[0]
    surv = at["survival"].to_numpy().reshape(len(groups), m)
    se = at["std_error"].to_numpy().reshape(len(groups), m)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(surv)
        cloglog = np.log(-log_s)
        v_cloglog = (se / surv) ** 2 / log_s**2  # var(log S) / (log S)^2
    frames = []
    for k in range(1, len(groups)):
        diff = surv[0] - surv[k]  # (1 - S_k) - (1 - S_0)
        se_diff = np.sqrt(se[0] ** 2 + se[k] ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = cloglog[k] - cloglog[0]
            se_theta = np.sqrt(v_cloglog[k] + v_cloglog[0])
            statistic = theta / se_theta
        ok = np.isfinite(statistic)
        frames.append(
            pd.DataFrame(
                {
                    "group": [groups[k]] * m,
                    "reference": [groups[0]] * m,
                    "window": grid,
                    "difference": diff,
                    "std_error": se_diff,
                    "ci_lower": diff - z * se_diff,
                    "ci_upper": diff + z * se_diff,
                    "cumulative_hazard_ratio": np.where(ok, np.exp(theta), np.nan),
                    "cumulative_hazard_ratio_lower": np.where(
                        ok, np.exp(theta - z * se_theta), np.nan
                    ),
                    "cumulative_hazard_ratio_upper": np.where(
                        ok, np.exp(theta + z * se_theta), np.nan
                    ),
                    "statistic": np.where(ok, statistic, np.nan),
                    "p_value": np.where(ok, 2 * stats.norm.sf(np.abs(statistic)), np.nan),
                }
            )
        )
    if not frames:
        return pd.DataFrame({c: [] for c in DIFFERENCE_COLUMNS})
    return pd.concat(frames, ignore_index=True).loc[:, list(DIFFERENCE_COLUMNS)]
