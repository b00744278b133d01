"""Helpers shared by the Kaplan–Meier family: test results, intervals and quantiles.

Everything here is a pure function on numpy arrays or a small frozen result; none of it
knows about data frames or column names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._lazy import stats
from rpeval.errors import SpecificationError

__all__ = [
    "ConfType",
    "TestResult",
    "check_conf",
    "confidence_band",
    "find_quantile",
    "jsonable",
    "wald_columns",
    "z_value",
]

FloatArray = NDArray[np.float64]
ConfType = Literal["log", "log-log", "plain"]
CONF_TYPES: tuple[str, ...] = ("log", "log-log", "plain")
QUANTILE_TOLERANCE = math.sqrt(np.finfo(np.float64).eps)  # R's sqrt(.Machine$double.eps)


def check_conf(conf_level: float, conf_type: str, *, caller: str) -> None:
    """Raise :class:`SpecificationError` for a level outside (0, 1) or an unknown CI type."""
    if not isinstance(conf_level, int | float) or not 0.0 < float(conf_level) < 1.0:
        raise SpecificationError(
            f"{caller}(): conf_level={conf_level!r} must be a number strictly between 0 and 1",
            hint="e.g. conf_level=0.95",
        )
    if conf_type not in CONF_TYPES:
        raise SpecificationError(
            f"{caller}(): conf_type={conf_type!r} is not an interval type",
            hint='use "log" (R\'s default), "log-log" or "plain"',
        )


def z_value(conf_level: float) -> float:
    """The two-sided normal quantile for ``conf_level`` (1.959964 for 0.95)."""
    return float(stats.norm.ppf(0.5 + conf_level / 2.0))


def wald_columns(
    estimate: FloatArray,
    std_error: FloatArray,
    conf_level: float,
    *,
    ratio: str,
    has_ratio: NDArray[np.bool_] | None = None,
) -> dict[str, FloatArray]:
    """Wald z test and interval of log-scale estimates, and the exponentiated ratio.

    Returns the summary columns ``statistic``, ``p_value``, ``ci_lower``, ``ci_upper`` and
    ``{ratio}``, ``{ratio}_lower``, ``{ratio}_upper`` (NaN where ``has_ratio`` is false,
    e.g. for a log-scale parameter).

    Examples
    --------
    >>> cols = wald_columns(np.array([0.0]), np.array([1.0]), 0.95, ratio="hazard_ratio")
    >>> round(float(cols["hazard_ratio_upper"][0]), 4)
    7.0991
    """
    z = estimate / std_error
    crit = z_value(conf_level)
    lower, upper = estimate - crit * std_error, estimate + crit * std_error
    keep = np.ones(estimate.shape, dtype=bool) if has_ratio is None else has_ratio
    return {
        "statistic": z,
        "p_value": 2.0 * stats.norm.sf(np.abs(z)),
        "ci_lower": lower,
        "ci_upper": upper,
        ratio: np.where(keep, np.exp(estimate), np.nan),
        f"{ratio}_lower": np.where(keep, np.exp(lower), np.nan),
        f"{ratio}_upper": np.where(keep, np.exp(upper), np.nan),
    }


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


def jsonable(value: Any) -> Any:
    """A numpy scalar or pandas timestamp as a plain Python value for ``to_dict()``."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


@dataclass(frozen=True, repr=False)
class TestResult(Displayed):
    """A k-sample test of survival curves (log-rank and its Fleming–Harrington family).

    ``observed`` and ``expected`` are (weighted) event counts per group, summed over
    strata; ``variance`` is the k × k covariance matrix of ``observed - expected``.
    ``statistic`` is chi-square on ``df`` degrees of freedom.
    """

    __test__ = False  # not a pytest test class, despite its name

    method: str
    statistic: float
    df: int
    p_value: float
    groups: tuple[Any, ...]
    n: FloatArray
    observed: FloatArray
    expected: FloatArray
    variance: FloatArray
    rho: float
    strata: tuple[Any, ...]
    n_dropped: int

    def summary(self) -> pd.DataFrame:
        """One row per group.

        Columns: ``group``, ``n``, ``observed``, ``expected``, ``observed_minus_expected``,
        ``variance`` (diagonal of the covariance matrix), ``statistic``, ``df`` and
        ``p_value`` (the overall test, repeated on every row).
        """
        return pd.DataFrame(
            {
                "group": list(self.groups),
                "n": self.n,
                "observed": self.observed,
                "expected": self.expected,
                "observed_minus_expected": self.observed - self.expected,
                "variance": np.diag(self.variance),
                "statistic": self.statistic,
                "df": self.df,
                "p_value": self.p_value,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the test and its per-group table."""
        return {
            "method": self.method,
            "statistic": self.statistic,
            "df": self.df,
            "p_value": self.p_value,
            "rho": self.rho,
            "strata": [jsonable(s) for s in self.strata],
            "n_dropped": self.n_dropped,
            "groups": [jsonable(g) for g in self.groups],
            "observed": self.observed.tolist(),
            "expected": self.expected.tolist(),
            "variance": self.variance.tolist(),
        }

    def _display(self) -> Display:
        from rpeval.recidivism._display import logrank_display

        return logrank_display(self)
