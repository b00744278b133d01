"""Design-based proportions with the confidence intervals of R survey's ``svyciprop``.

Also the top-box and bottom-box shares of Likert items (the share answering in the top
or bottom categories), which are proportions with the same intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._formula import show_values
from rpeval._inference import z_quantile
from rpeval._lazy import stats
from rpeval._options import check_choice, check_conf_level
from rpeval.errors import DataError, SpecificationError
from rpeval.surveys._blocks import (
    Block,
    build_estimate,
    covariance,
    domain_df,
    mean_block,
    replicate_thetas,
)
from rpeval.surveys._domains import AnyDesign, check_design, domains, response
from rpeval.surveys._profile import likelihood_interval
from rpeval.surveys.design import SurveyDesign
from rpeval.surveys.replicates import ReplicateDesign
from rpeval.surveys.results import SurveyEstimate

__all__ = ["proportion", "top_box"]

FloatArray = NDArray[np.float64]
CI_METHODS = ("logit", "likelihood", "beta", "mean")


def _t(df: FloatArray, conf_level: float) -> FloatArray:
    with np.errstate(invalid="ignore"):
        crit = stats.t.ppf(0.5 + conf_level / 2, np.where(df > 0, df, np.nan))
    return np.asarray(np.where(np.isinf(df), z_quantile(conf_level), crit))


def proportion_intervals(
    p: FloatArray,
    se: FloatArray,
    n: FloatArray,
    df: FloatArray,
    method: str,
    conf_level: float,
) -> tuple[FloatArray, FloatArray]:
    """``svyciprop`` intervals from the estimate, its linearised SE, rows and df."""
    crit = _t(df, conf_level)
    tail = (1 - conf_level) / 2
    if method == "mean":
        return p - crit * se, p + crit * se
    edge = (p <= 0) | (p >= 1)
    q = np.where(edge, 0.5, p)
    if method == "logit":
        eta, half = np.log(q / (1 - q)), crit * se / (q * (1 - q))
        lower, upper = 1 / (1 + np.exp(-(eta - half))), 1 / (1 + np.exp(-(eta + half)))
    else:  # beta (Korn–Graubard)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = stats.t.ppf(tail, n - 1) / stats.t.ppf(tail, np.where(df > 0, df, np.nan))
            n_eff = np.where(se > 0, q * (1 - q) / se**2, n) * ratio**2
        lower = stats.beta.ppf(tail, n_eff * q, n_eff * (1 - q) + 1)
        upper = stats.beta.ppf(1 - tail, n_eff * q + 1, n_eff * (1 - q))
    # An estimate of exactly 0 or 1 has SE 0: Clopper–Pearson on the respondents instead.
    cp_lower = np.where(p >= 1, stats.beta.ppf(tail, n, 1.0), 0.0)
    cp_upper = np.where(p <= 0, stats.beta.ppf(1 - tail, 1.0, n), 1.0)
    return np.where(edge, cp_lower, lower), np.where(edge, cp_upper, upper)


def _replicate_logit(
    design: ReplicateDesign, block: Block, df: FloatArray, conf_level: float, k: int
) -> tuple[FloatArray, FloatArray]:
    """Logit interval with the replicate variance of logit(p_r), as R's svyglm on
    replicate weights does for ``svyciprop(method = "logit")``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        thetas = replicate_thetas(design, block, k)
        logits = np.log(thetas / (1 - thetas))
        full = np.log(block.estimate / (1 - block.estimate))
        se = np.sqrt(np.diag(design.variance(logits, full)))
        crit = _t(df, conf_level)
        lower = 1 / (1 + np.exp(-(full - crit * se)))
        upper = 1 / (1 + np.exp(-(full + crit * se)))
    return lower, upper


def _indicator(
    design: AnyDesign, variable: str, success: object, missing: str, caller: str
) -> tuple[FloatArray, NDArray[np.bool_]]:
    values = design.data[variable] if variable in design.data.columns else None
    if success is None:
        y, null = response(design, variable, arg="variable", missing=missing, caller=caller)
        bad = ~null & (y != 0) & (y != 1)
        if bad.any():
            raise DataError(
                f"{caller}(): column {variable!r} must be 0/1 or True/False; found "
                f"{show_values(pd.Series(y[bad]))}",
                hint="or pass success= naming the answers that count, e.g. success=[4, 5]",
            )
        return y, null
    assert values is not None  # response() above names a missing column
    wanted = list(success) if isinstance(success, list | tuple | set) else [success]
    null = values.isna().to_numpy(dtype=bool)
    if null.any() and missing == "error":
        response(design, variable, arg="variable", missing=missing, caller=caller)
    found = set(pd.unique(values[~null]).tolist())
    if not any(v in found for v in wanted):
        raise DataError(
            f"{caller}(): no answer of {variable!r} is in success={wanted!r}; answers "
            f"found: {show_values(pd.Series(sorted(found, key=str)))}",
            hint="check the codes of the categories that count as a success",
        )
    hits = values.isin(wanted).to_numpy(dtype=np.float64)
    return np.where(null, 0.0, hits), null


def proportion(
    design: AnyDesign,
    variable: str,
    *,
    success: object = None,
    by: str | list[str] | None = None,
    method: str = "logit",
    conf_level: float = 0.95,
    missing: Literal["error", "drop"] = "error",
) -> SurveyEstimate:
    """Design-based proportion with a ``svyciprop`` interval, overall or by domain.

    Parameters
    ----------
    design, by, conf_level, missing
        As :func:`rpeval.surveys.mean`.
    variable
        A 0/1 or boolean column, or any column with ``success=`` naming the values that
        count (e.g. ``success=[4, 5]`` for the top two boxes of a 5-point item).
    method
        Interval, as R's ``svyciprop``: ``"logit"`` (Wald on the logit scale; default),
        ``"likelihood"`` (profile of the design-scaled binomial likelihood, Rao–Scott),
        ``"beta"`` (Korn–Graubard: Clopper–Pearson with the effective sample size) or
        ``"mean"`` (Wald). All use Student's t with the domain's design df.

    Returns
    -------
    SurveyEstimate
        ``std_error`` is the linearised SE of the proportion; ``deff`` as for means.

    Notes
    -----
    With ``p`` the weighted share, ``se`` its SE, ``t`` the quantile of t with the design
    df: logit ``expit(logit p ± t se / (p (1 − p)))``; beta uses
    ``n_eff = p (1 − p) / se² × (t_{n−1} / t_df)²`` in the Clopper–Pearson limits. A share of
    exactly 0 or 1 has SE 0: its interval is Clopper–Pearson on the ``n`` respondents (R
    gives a degenerate or missing interval there). Agrees with R survey 4.1 ``svyciprop``
    and ``svyby(..., svyciprop)`` to 1e-8 on the ``api`` data for every method.

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 1, 2, 2, 1, 3], "cluster": [1, 1, 2, 2, 3, 3],
    ...                    "trust": [5, 4, 2, 4, 3, 5]})
    >>> design = SurveyDesign(df, weights="w", psu="cluster")
    >>> est = proportion(design, "trust", success=[4, 5])  # R svyciprop: 0.7 (0.153, 0.968)
    >>> est.summary()[["estimate", "ci_lower", "ci_upper"]].round(3)
       estimate  ci_lower  ci_upper
    0       0.7     0.153     0.968
    """
    caller = "proportion"
    checked = check_design(design, caller)
    if not isinstance(variable, str):
        raise SpecificationError(f"{caller}(): `variable` must be one column name")
    check_choice(method, CI_METHODS, arg="method", caller=caller)
    level = check_conf_level(conf_level, caller=caller)
    domains_ = domains(checked, by, missing=missing, caller=caller)
    y, null = _indicator(checked, variable, success, missing, caller)
    block = mean_block(checked, y, null, domains_, variable, caller)
    se = np.sqrt(np.clip(np.diag(covariance(checked, [block], domains_.k)), 0.0, None))
    df = domain_df(checked, block.dom, domains_.k)
    if isinstance(checked, ReplicateDesign) and method in ("logit", "likelihood"):
        if method == "likelihood":
            raise SpecificationError(
                f"{caller}(): method='likelihood' needs a linearised SurveyDesign",
                hint="use method='logit', 'beta' or 'mean' with replicate weights",
            )
        lower, upper = _replicate_logit(checked, block, df, level, domains_.k)
    elif method == "likelihood":
        assert isinstance(checked, SurveyDesign)
        lower, upper = likelihood_interval(checked, y, block, se, df, level)
    else:
        lower, upper = proportion_intervals(block.estimate, se, block.n, df, method, level)
    return build_estimate(
        checked,
        [block],
        domains_,
        statistic="proportion",
        conf_level=level,
        method=f"{method} interval (t with design df)",
        intervals=(lower, upper),
        n_missing=int(null.sum()),
    )


def top_box(
    design: AnyDesign,
    variable: str,
    *,
    scale: Sequence[object],
    boxes: int = 2,
    bottom: bool = False,
    by: str | list[str] | None = None,
    method: str = "logit",
    conf_level: float = 0.95,
    missing: Literal["error", "drop"] = "error",
) -> SurveyEstimate:
    """Share answering in the top (or bottom) ``boxes`` categories of an ordered ``scale``.

    ``scale`` lists the answer categories from lowest to highest (e.g. ``[1, 2, 3, 4,
    5]``); answers outside it raise. The share and its interval are those of
    :func:`proportion` with ``success`` = the top (``bottom=True``: bottom) ``boxes``.

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 2, 1, 1], "trust": [5, 4, 1, 2], "unit": [1, 2, 3, 4]})
    >>> design = SurveyDesign(df, weights="w", psu="unit")
    >>> float(top_box(design, "trust", scale=[1, 2, 3, 4, 5]).summary()["estimate"][0])
    0.6
    """
    caller = "top_box"
    checked = check_design(design, caller)
    levels = list(scale)
    if not isinstance(boxes, int) or not 1 <= boxes < len(levels):
        raise SpecificationError(
            f"{caller}(): boxes={boxes!r} must be a whole number from 1 to {len(levels) - 1}"
        )
    if variable in checked.data.columns:
        values = checked.data[variable]
        outside = values.notna().to_numpy(dtype=bool) & ~values.isin(levels).to_numpy(dtype=bool)
        if outside.any():
            raise DataError(
                f"{caller}(): column {variable!r} has {int(outside.sum())} answers outside the "
                f"scale {levels}: {show_values(values[outside])}",
                hint="recode them (rpeval.surveys.recode_items) or set them to missing",
            )
    chosen = levels[:boxes] if bottom else levels[-boxes:]
    return proportion(
        checked,
        variable,
        success=chosen,
        by=by,
        method=method,
        conf_level=conf_level,
        missing=missing,
    )
