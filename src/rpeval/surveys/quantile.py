"""Design-based quantiles with Woodruff intervals, as R survey 4.1's ``svyquantile``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._lazy import stats
from rpeval._options import check_conf_level
from rpeval.errors import SpecificationError
from rpeval.surveys._blocks import covariance, domain_df, mean_block
from rpeval.surveys._domains import check_design, domains, response
from rpeval.surveys.design import SurveyDesign
from rpeval.surveys.results import ESTIMATE_COLUMNS, SurveyEstimate

__all__ = ["quantile"]

FloatArray = NDArray[np.float64]


def weighted_quantile(x_sorted: FloatArray, cumw: FloatArray, total: float, p: float) -> float:
    """R survey's ``qrule_math``: the smallest x whose weighted ECDF reaches ``p``.

    ``cumw`` is the running weight sum in sorted order (in long double, as R's
    ``cumsum``), ``total`` its last value. As in R, when even the first weight exceeds
    ``p`` of the total the second value is returned.
    """
    below = np.flatnonzero(cumw <= p * total)
    pos = int(below[-1]) if below.size else 0
    nxt = min(pos + 1, len(x_sorted) - 1)
    exact = p - float(cumw[pos]) / total == 0
    return float(x_sorted[pos] if exact else x_sorted[nxt])


def quantile(
    design: SurveyDesign,
    variable: str,
    probs: float | Sequence[float],
    *,
    by: str | list[str] | None = None,
    conf_level: float = 0.95,
    missing: Literal["error", "drop"] = "error",
) -> SurveyEstimate:
    """Weighted quantiles with Woodruff confidence intervals, overall or by domain.

    Parameters
    ----------
    design, by, conf_level, missing
        As :func:`rpeval.surveys.mean`.
    variable
        A numeric column.
    probs
        One probability or several, each in (0, 1).

    Returns
    -------
    SurveyEstimate
        One row per domain and probability (column ``probability``); ``deff`` is NaN.

    Notes
    -----
    The estimate is the smallest value whose weighted distribution function reaches ``p``
    (R's ``qrule = "math"``). Woodruff's interval: the linearised Wald interval of the
    proportion ``F̂(q̂)`` of values ≤ q̂, with Student's t on the domain's design df,
    mapped back through the weighted quantile function; a limit outside [0, 1] gives NaN,
    as in R. ``std_error`` is the interval's width over ``2 t``, as R reports it. Agrees
    with R survey 4.1 ``svyquantile(ci = TRUE)`` and ``svyby(..., svyquantile)`` to 1e-8
    on the ``api`` data.

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 1, 1, 1, 1, 1], "age": [18, 25, 33, 41, 52, 70],
    ...                    "unit": [1, 1, 2, 2, 3, 3]})
    >>> q = quantile(SurveyDesign(df, weights="w", psu="unit"), "age", 0.5)
    >>> q.summary()[["probability", "estimate"]]
       probability  estimate
    0          0.5      33.0
    """
    caller = "quantile"
    checked = check_design(design, caller, replicates=False)
    assert isinstance(checked, SurveyDesign)
    level = check_conf_level(conf_level, caller=caller)
    plist = [probs] if isinstance(probs, int | float) else list(probs)
    if not plist or any(
        isinstance(p, bool) or not isinstance(p, int | float) or not 0 < p < 1 for p in plist
    ):
        raise SpecificationError(
            f"{caller}(): probs={probs!r} must be probabilities strictly between 0 and 1"
        )
    domains_ = domains(checked, by, missing=missing, caller=caller)
    x, null = response(checked, variable, arg="variable", missing=missing, caller=caller)
    dom = np.where(null, -1, domains_.code)
    df_all = domain_df(checked, dom, domains_.k)
    w = checked.weights
    rows: list[dict[str, object]] = []
    for j in range(domains_.k):
        inside = dom == j
        xs, ws = x[inside], w[inside]
        order = np.argsort(xs, kind="stable")
        x_sorted = xs[order]
        cumw = np.cumsum(ws[order].astype(np.longdouble))
        total = float(cumw[-1])
        df = float(df_all[j])
        crit = float(stats.t.ppf(0.5 + level / 2, df)) if df > 0 else np.nan
        for p in plist:
            qhat = weighted_quantile(x_sorted, cumw, total, float(p))
            below = np.where(inside & (x <= qhat), 1.0, 0.0)
            one = domains_.__class__(np.where(inside, 0, -1).astype(np.int64), (), (("q",),), 0)
            block = mean_block(checked, below, ~inside, one, variable, caller)
            se_p = float(np.sqrt(max(covariance(checked, [block], 1)[0, 0], 0.0)))
            p_hat = float(block.estimate[0])
            lo_p, hi_p = p_hat - crit * se_p, p_hat + crit * se_p
            lower = weighted_quantile(x_sorted, cumw, total, lo_p) if lo_p >= 0 else np.nan
            upper = weighted_quantile(x_sorted, cumw, total, hi_p) if hi_p <= 1 else np.nan
            rows.append(
                {
                    "variable": variable,
                    "domain": domains_.labels[j],
                    "estimate": qhat,
                    "std_error": (upper - lower) / (2 * crit),
                    "ci_lower": lower,
                    "ci_upper": upper,
                    "deff": np.nan,
                    "n": int(inside.sum()),
                    "weight_sum": float(ws.sum()),
                    "df": int(df),
                    "probability": float(p),
                    **{name: domains_.levels[j][i] for i, name in enumerate(domains_.names)},
                }
            )
    table = pd.DataFrame(rows, columns=[*ESTIMATE_COLUMNS, "probability", *domains_.names])
    return SurveyEstimate(
        statistic="quantile",
        variables=(variable,),
        by=domains_.names,
        conf_level=level,
        method="Woodruff interval (t with design df)",
        table=table,
        covariance=np.diag(table["std_error"].to_numpy(dtype=np.float64) ** 2),
        n_missing=int(null.sum()) + domains_.n_missing_by,
        notes=("quantile covariance is diagonal: contrasts between quantiles are not supported",),
    )
