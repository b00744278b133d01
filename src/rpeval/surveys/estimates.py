"""Design-based means, totals and ratios, overall and by domain, with linearised SEs.

Each function takes a :class:`~rpeval.surveys.SurveyDesign`, column names and optional
``by`` domains and returns a :class:`~rpeval.surveys.SurveyEstimate`. Domain estimates use
the whole design (as R survey's ``svyby``), so their SEs count the PSUs without members
of the domain. Intervals are Wald intervals with the normal quantile, as R's
``confint(svymean(...))``; proportions and quantiles have their own intervals.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from rpeval._design_variance import (
    dense_stage_covariance,
    fits_dense,
)
from rpeval._options import check_conf_level, column_list
from rpeval.errors import DataError
from rpeval.surveys._blocks import Block, build_estimate, check_nonempty, mean_block
from rpeval.surveys._domains import AnyDesign, Domains, check_design, domains, response
from rpeval.surveys._linearize import domain_sums, srs_variance, weighted_var
from rpeval.surveys.design import SurveyDesign
from rpeval.surveys.results import SurveyEstimate

__all__ = ["mean", "ratio", "total"]

FloatArray = NDArray[np.float64]
_EPS = float(np.finfo(np.float64).eps)
IntArray = NDArray[np.int64]


def _fast_means(
    design: SurveyDesign, names: list[str], values: list[FloatArray], domains_: Domains
) -> tuple[list[Block], FloatArray] | None:
    """Domain means of complete variables straight from cluster × domain sums of ``w y``
    and ``w`` (the influence totals are ``(Σ_c w y − ȳ_d Σ_c w) / W_d``): two passes over
    the rows per variable. None when the general path is needed (weighting adjustments,
    rows outside every domain, averaged lonely strata, too many clusters for dense sums)."""
    k, d, w = domains_.k, domains_.code, design.weights
    base = domains_.base
    kk = k * len(names)
    if (
        design.adjustments
        or base is None
        or (d.size and d.min() < 0)
        or any(
            not fits_dense(st, kk) or (st.average_lonely and st.lonely.any())
            for st in design.stages
        )
    ):
        return None
    if np.any(base.n == 0):
        return None
    cells = [st.cluster * k + d for st in design.stages]
    weight_cells = [
        np.bincount(c, weights=w, minlength=st.n_clusters * k).reshape(st.n_clusters, k)
        for c, st in zip(cells, design.stages, strict=True)
    ]
    totals = [np.empty((st.n_clusters, kk)) for st in design.stages]
    blocks: list[Block] = []
    for j, (name, y) in enumerate(zip(names, values, strict=True)):
        shift = float(y[0]) if y.size else 0.0  # sums of y - shift: no cancellation
        centred_y = y - shift
        wy = w * centred_y
        sums = [
            np.bincount(c, weights=wy, minlength=st.n_clusters * k).reshape(st.n_clusters, k)
            for c, st in zip(cells, design.stages, strict=True)
        ]
        offset = sums[0].sum(axis=0) / base.weight  # mean of y - shift per domain
        est = offset + shift
        for s, (cell_sum, weight_sum) in enumerate(zip(sums, weight_cells, strict=True)):
            totals[s][:, j * k : (j + 1) * k] = (cell_sum - offset * weight_sum) / base.weight
        # squared deviations from the domain mean (no cancellation, so the variance does
        # not depend on the row order); a spread within rounding of the mean is 0
        dev = centred_y - offset[d]
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = np.bincount(d, weights=w * dev * dev, minlength=k) / base.weight
            spread = np.where(spread <= (64 * _EPS * offset) ** 2, 0.0, spread)
            svyvar = spread * base.n / (base.n - 1)
        srs = srs_variance(svyvar, base, total=False)
        blocks.append(Block(name, d, est, np.zeros(0), srs, base.n, base.weight, "mean", y))
    cov = sum(
        (dense_stage_covariance(st, t) for st, t in zip(design.stages, totals, strict=True)),
        start=np.zeros((kk, kk)),
    )
    return blocks, np.asarray(cov, dtype=np.float64)


def _prepare(
    design: object, variables: object, by: object, conf_level: object, missing: str, caller: str
) -> tuple[AnyDesign, list[str], Domains, float]:
    checked = check_design(design, caller)
    names = column_list(variables, arg="variables", caller=caller, allow_none=False)
    level = check_conf_level(conf_level, caller=caller)
    return checked, names, domains(checked, by, missing=missing, caller=caller), level


def mean(
    design: AnyDesign,
    variables: str | list[str],
    *,
    by: str | list[str] | None = None,
    conf_level: float = 0.95,
    missing: Literal["error", "drop"] = "error",
) -> SurveyEstimate:
    """Design-based mean of each variable, overall or in each domain of ``by``.

    Parameters
    ----------
    design
        The :class:`SurveyDesign`.
    variables
        Numeric column(s); booleans count as 0/1.
    by
        Column(s) defining domains (R's ``svyby``); levels sorted, categoricals in order.
    conf_level
        Level of the Wald intervals (normal quantile, as R's ``confint``).
    missing
        ``"error"`` (default) or ``"drop"``: respondents without a value are left out of
        that variable's estimate, which is then a domain estimate (R's ``na.rm = TRUE``).

    Returns
    -------
    SurveyEstimate
        See :meth:`SurveyEstimate.summary` for the columns.

    Notes
    -----
    ``ȳ_d = Σ_d w y / Σ_d w``; influence values ``w (y − ȳ_d) / Σ_d w`` inside the domain
    and 0 outside, whose design variance (:class:`SurveyDesign`) is the SE². Agrees with R
    survey 4.1 ``svymean``/``svyby`` (estimates, SEs, design effects) to 1e-10 on the
    ``api`` data.

    Examples
    --------
    >>> import pandas as pd
    >>> from rpeval.surveys import SurveyDesign
    >>> df = pd.DataFrame({"stratum": ["a", "a", "a", "b", "b", "b"],
    ...                    "w": [2.0, 2.0, 2.0, 4.0, 4.0, 4.0], "trust": [3, 4, 5, 2, 3, 2]})
    >>> design = SurveyDesign(df, weights="w", strata="stratum")
    >>> est = mean(design, "trust")  # R: svymean(~trust, design): 2.8889, SE 0.294
    >>> est.summary()[["estimate", "std_error"]].round(4)
       estimate  std_error
    0    2.8889      0.294
    """
    checked, names, domains_, level = _prepare(design, variables, by, conf_level, missing, "mean")
    answers = [
        response(checked, name, arg="variables", missing=missing, caller="mean") for name in names
    ]
    n_missing = sum(int(null.sum()) for _, null in answers)
    if isinstance(checked, SurveyDesign) and n_missing == 0:
        fast = _fast_means(checked, names, [y for y, _ in answers], domains_)
        if fast is not None:
            return build_estimate(
                checked, fast[0], domains_, statistic="mean", conf_level=level, cov=fast[1]
            )
    blocks = [
        mean_block(checked, y, null, domains_, name, "mean")
        for name, (y, null) in zip(names, answers, strict=True)
    ]
    return build_estimate(
        checked, blocks, domains_, statistic="mean", conf_level=level, n_missing=n_missing
    )


def total(
    design: AnyDesign,
    variables: str | list[str],
    *,
    by: str | list[str] | None = None,
    conf_level: float = 0.95,
    missing: Literal["error", "drop"] = "error",
) -> SurveyEstimate:
    """Design-based population total of each variable, overall or by domain.

    Parameters as :func:`mean`. The total is ``Σ_d w y`` with influence values ``w y``;
    ``weight_sum`` is the estimated population size of the domain. Agrees with R survey
    4.1 ``svytotal``/``svyby`` to 1e-10 on the ``api`` data.

    Examples
    --------
    >>> import pandas as pd
    >>> from rpeval.surveys import SurveyDesign
    >>> df = pd.DataFrame({"w": [10.0, 10.0, 20.0, 20.0], "victim": [1, 0, 1, 1]})
    >>> total(SurveyDesign(df, weights="w"), "victim").summary()["estimate"].tolist()
    [50.0]
    """
    checked, names, domains_, level = _prepare(design, variables, by, conf_level, missing, "total")
    blocks, n_missing, k, w = [], 0, domains_.k, checked.weights
    for name in names:
        y, null = response(checked, name, arg="variables", missing=missing, caller="total")
        n_missing += int(null.sum())
        dom = np.where(null, -1, domains_.code)
        sums = domain_sums(dom, w, y, k)
        check_nonempty(sums.n, domains_, name, "total")
        scores = np.where(dom >= 0, w * y, 0.0)
        centre = sums.total / sums.weight
        srs = srs_variance(weighted_var(dom, w, y, centre, sums), sums, total=True)
        blocks.append(Block(name, dom, sums.total, scores, srs, sums.n, sums.weight, "total", y))
    return build_estimate(
        checked, blocks, domains_, statistic="total", conf_level=level, n_missing=n_missing
    )


def ratio(
    design: AnyDesign,
    numerator: str,
    denominator: str,
    *,
    by: str | list[str] | None = None,
    conf_level: float = 0.95,
    missing: Literal["error", "drop"] = "error",
) -> SurveyEstimate:
    """Ratio of two population totals, ``Σ w y / Σ w x``, overall or by domain.

    Influence values ``w (y − R x) / Σ w x``; the design effect is that of the total of
    ``(y − R x) / Σ w x``, as R's ``svyratio(deff = TRUE)``. Rows missing either column
    are left out with ``missing="drop"``. Agrees with R survey 4.1 ``svyratio``/``svyby``
    to 1e-10 on the ``api`` data. The ``variable`` column reads ``"numerator/denominator"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from rpeval.surveys import SurveyDesign
    >>> df = pd.DataFrame({"w": [1.0, 2.0, 1.0], "arrests": [2, 0, 1], "people": [4, 2, 2]})
    >>> ratio(SurveyDesign(df, weights="w"), "arrests", "people").summary()["estimate"].tolist()
    [0.3]
    """
    caller = "ratio"
    checked, _, domains_, level = _prepare(design, numerator, by, conf_level, missing, caller)
    y, null_y = response(checked, numerator, arg="numerator", missing=missing, caller=caller)
    x, null_x = response(checked, denominator, arg="denominator", missing=missing, caller=caller)
    null = null_y | null_x
    k, w = domains_.k, checked.weights
    dom = np.where(null, -1, domains_.code)
    num, den = domain_sums(dom, w, y, k), domain_sums(dom, w, x, k)
    check_nonempty(num.n, domains_, numerator, caller)
    if np.any(den.total == 0):
        bad = domains_.labels[int(np.flatnonzero(den.total == 0)[0])]
        raise DataError(
            f"{caller}(): the weighted total of {denominator!r} is 0 in domain {bad!r}",
            hint="a ratio needs a denominator total different from 0",
        )
    est = num.total / den.total
    inside = dom >= 0
    resid = np.zeros(len(y))
    resid[inside] = (y[inside] - est[dom[inside]] * x[inside]) / den.total[dom[inside]]
    centre = np.bincount(dom[inside], weights=w[inside] * resid[inside], minlength=k) / num.weight
    srs = srs_variance(weighted_var(dom, w, resid, centre, num), num, total=True)
    block = Block(
        f"{numerator}/{denominator}", dom, est, w * resid, srs, num.n, num.weight, "ratio", y, x
    )
    return build_estimate(
        checked,
        [block],
        domains_,
        statistic="ratio",
        conf_level=level,
        n_missing=int(null.sum()),
    )
