"""Pointwise intervals and quantiles of survival curves, as R ``survfit`` computes them.

Pure functions on numpy arrays, shared by Kaplan–Meier, the competing-risks curves, the
window rates and the plots: the interval types (``conf_type``) and their check, the
pointwise band, R's rule for where a curve reaches a level, and the times at which
``at()`` reads a curve.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._options import check_conf_level
from rpeval.errors import SpecificationError

__all__ = [
    "CONF_TYPES",
    "ConfType",
    "check_interval",
    "confidence_band",
    "find_quantile",
    "time_grid",
]

FloatArray = NDArray[np.float64]
ConfType = Literal["log", "log-log", "plain"]
CONF_TYPES: tuple[str, ...] = ("log", "log-log", "plain")
QUANTILE_TOLERANCE = math.sqrt(np.finfo(np.float64).eps)  # R's sqrt(.Machine$double.eps)


def check_interval(conf_level: float, conf_type: str, *, caller: str) -> None:
    """Raise :class:`SpecificationError` for a level outside (0, 1) or an unknown CI type."""
    check_conf_level(conf_level, caller=caller)
    if conf_type not in CONF_TYPES:
        raise SpecificationError(
            f"{caller}(): conf_type={conf_type!r} is not an interval type",
            hint='use "log" (R\'s default), "log-log" or "plain"',
        )


def confidence_band(
    surv: FloatArray, se_log: FloatArray, conf_type: str, z: float
) -> tuple[FloatArray, FloatArray]:
    """Pointwise interval for a survival curve, as R ``survfit`` computes it.

    ``se_log`` is the standard error of ``log S`` (Greenwood: the square root of the
    running sum of ``d / (n (n - d))``). ``"plain"`` is ``S ± z se(S)`` clipped to
    [0, 1]; ``"log"`` is ``S exp(± z se_log)`` with the upper limit capped at 1;
    ``"log-log"`` is ``S ** exp(∓ z se_log / log S)``. Where R returns ``NA`` (``S = 0``
    for "log"; ``S = 0`` for "log-log") the result is NaN. Where ``S = 1`` with zero
    standard error (before the first event) every type gives ``[1, 1]``; R gives
    ``NA`` there for "log-log".
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            half = z * se_log * surv
            lower = np.clip(surv - half, 0.0, None)
            upper = np.clip(surv + half, None, 1.0)
        elif conf_type == "log":
            log_s = np.where(surv > 0, np.log(np.where(surv > 0, surv, 1.0)), np.nan)
            lower = np.exp(log_s - z * se_log)
            upper = np.minimum(np.exp(log_s + z * se_log), 1.0)
        else:
            inside = (surv > 0) & (surv < 1)
            safe = np.where(inside, surv, 0.5)
            log_s = np.log(safe)
            shift = z * se_log / log_s
            centre = np.log(-log_s)
            lower = np.where(inside, np.exp(-np.exp(centre - shift)), np.nan)
            upper = np.where(inside, np.exp(-np.exp(centre + shift)), np.nan)
        start = (surv == 1.0) & (se_log == 0.0)
    lower = np.where(start, 1.0, lower)
    upper = np.where(start, 1.0, upper)
    return np.asarray(lower, np.float64), np.asarray(upper, np.float64)


def find_quantile(x: FloatArray, y: FloatArray, p: float) -> float:
    """Where the cumulative curve ``y`` (may hold NaN) first reaches ``p``, as R does it.

    R's rule (``quantile.survfit``): repeated values of ``y`` are dropped (keeping the
    first time each level is reached); the quantile is the ``x`` of the smallest level at
    or above ``p``. When a level equals ``p`` within ``sqrt(eps)`` (a flat stretch of the
    curve at ``p``) the result is the midpoint of that level's time and the time of the
    next level, or of the last time ``x[-1]`` when the flat stretch ends the curve.
    ``x[0]`` is the start of follow-up with ``y[0] = 0``. NaN when ``y`` never reaches
    ``p`` within the tolerance. (``y`` need not be monotone: the upper confidence curve
    of "log" intervals can rise; R then orders the levels by value, and so do we.)

    One deliberate difference: R's ``findq`` first returns NA when ``max(y) < min(p)``
    exactly, so a curve ending flat at ``p`` up to rounding *below* ``p`` gets NA from
    ``quantile(fit, p)`` but the midpoint from ``quantile(fit, c(0.1, p))``. We apply the
    tolerance here too, so the answer never depends on the other probabilities asked for
    (``tests/reference/km_quantiles.R``).

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 6.0, 9.0, 10.0])
    >>> y = np.array([0.0, 1 / 7, 17 / 35, 26 / 35, 26 / 35])  # ends flat at 26/35
    >>> find_quantile(x, y, 26 / 35), find_quantile(x, y, 26 / 35 + 1e-15)
    (9.5, 9.5)
    """
    tol = QUANTILE_TOLERANCE
    if p == 0.0:
        return float(x[0])
    if np.all(np.isnan(y)) or np.nanmax(y) < p - tol:
        return math.nan
    xmax = float(x[-1])
    keep = ~pd.Series(y).duplicated().to_numpy()
    xs, ys = x[keep], y[keep]
    valid = ~np.isnan(ys)
    xv, yv = xs[valid], ys[valid]
    order = np.argsort(yv, kind="stable")
    levels, times = yv[order], xv[order]

    def at_or_above(shift: float) -> float:
        shifted = levels + shift
        if p < shifted[0] or p > shifted[-1]:
            return math.nan
        return float(times[int(np.searchsorted(shifted, p, side="left"))])

    low = at_or_above(tol)
    last = ys[-1]
    if not np.isnan(last) and abs(p - last) < tol:
        return (low + xmax) / 2.0
    return (low + at_or_above(-tol)) / 2.0


def time_grid(times: float | Sequence[float] | FloatArray) -> FloatArray:
    """The sorted distinct times (>= 0) at which ``at()`` reads curves."""
    try:
        grid = np.unique(np.atleast_1d(np.asarray(times, dtype=np.float64)))
    except (TypeError, ValueError):
        raise SpecificationError(f"at(): times={times!r} must be numbers") from None
    if grid.ndim != 1 or grid.shape[0] == 0 or np.any(~np.isfinite(grid)) or np.any(grid < 0):
        raise SpecificationError(
            f"at(): times={times!r} must be one or more finite times >= 0",
            hint="e.g. at([365, 730, 1095])",
        )
    return np.asarray(grid, dtype=np.float64)
