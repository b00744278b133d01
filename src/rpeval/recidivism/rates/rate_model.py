"""Frequency of reoffending: Poisson and negative binomial rate models (statsmodels).

"Re-arrests per 100 people per year", as the Canberra RISE experiments report it: counts
per person with their person-time as an offset. Poisson with robust (sandwich) SEs is
valid whatever the overdispersion; the negative binomial models it (NB2, as R's
``MASS::glm.nb``). The fits themselves are in :mod:`._count_glm`. Agrees with R
``glm``/``glm.nb`` and ``sandwich::vcovHC`` to 1e-6 (``tests/reference/``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._display import Display, Displayed
from rpeval._inference import ratio_columns, wald_columns, z_quantile
from rpeval._options import check_conf_level
from rpeval.errors import DataError, SpecificationError
from rpeval.recidivism._covariates import INTERCEPT, with_intercept
from rpeval.recidivism._survival_input import group_codes
from rpeval.recidivism.rates._count_glm import CountFit, fit_count_model

__all__ = ["RateModelResult", "rate_model"]

FloatArray = NDArray[np.float64]
Family = Literal["poisson", "negative_binomial"]
SUMMARY_COLUMNS = (
    "term",
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "ci_lower",
    "ci_upper",
    "rate_ratio",
    "rate_ratio_lower",
    "rate_ratio_upper",
)
RATE_COLUMNS = ("group", "events", "exposure", "rate", "ci_lower", "ci_upper")


@dataclass(frozen=True, repr=False)
class RateModelResult(Displayed):
    """A fitted rate model: coefficient table, rates by group, dispersion."""

    family: Family
    terms: tuple[str, ...]
    coef: FloatArray
    std_error: FloatArray
    loglik: float
    alpha: float  # NB2 dispersion (variance = mu + alpha mu^2); 0 for Poisson
    pearson_dispersion: float  # Pearson chi-square / residual df (about 1 if Poisson fits)
    robust: bool
    per: float
    conf_level: float
    n: int
    n_dropped: int
    rates_table: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Coefficients (log rate ratios) with rate ratios and Wald intervals.

        Columns: ``term``, ``estimate``, ``std_error``, ``statistic``, ``p_value``,
        ``ci_lower``, ``ci_upper``, ``rate_ratio`` and its interval.
        """
        wald = wald_columns(self.coef, self.std_error, self.conf_level)
        lower, upper = wald["ci_lower"], wald["ci_upper"]
        return pd.DataFrame(
            {
                "term": list(self.terms),
                "estimate": self.coef,
                "std_error": self.std_error,
                **wald,
                **ratio_columns(self.coef, lower, upper, ratio="rate_ratio"),
            }
        ).loc[:, list(SUMMARY_COLUMNS)]

    def rates(self) -> pd.DataFrame:
        """Events per ``per`` units of exposure by group (model with the group only).

        Columns: ``group``, ``events``, ``exposure``, ``rate``, ``ci_lower``,
        ``ci_upper``. With exposure in years and ``per=100``: re-arrests per 100
        people per year.
        """
        return self.rates_table.copy()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of both tables and the fit details."""
        return {
            "model": "rate_model",
            "family": self.family,
            "robust": self.robust,
            "per": self.per,
            "conf_level": self.conf_level,
            "n": self.n,
            "n_dropped": self.n_dropped,
            "loglik": self.loglik,
            "alpha": self.alpha,
            "pearson_dispersion": self.pearson_dispersion,
            "coefficients": self.summary().to_dict("records"),
            "rates": self.rates_table.astype(object).to_dict("records"),
        }

    def _display(self) -> Display:
        from rpeval.recidivism._display import rate_model_display

        return rate_model_display(self)


def rate_model(
    data: Any,
    count: str,
    exposure: str,
    *,
    group: str | None = None,
    covariates: str | Sequence[str] | None = None,
    family: Family = "poisson",
    robust: bool | None = None,
    cluster: str | None = None,
    per: float = 100.0,
    missing: Literal["error", "drop"] = "error",
    conf_level: float = 0.95,
) -> RateModelResult:
    """Rate of reoffending with a person-time offset, by group and adjusted for covariates.

    Parameters
    ----------
    data
        One row per person (or person-period).
    count
        Column of the number of reoffenses (whole numbers >= 0).
    exposure
        Column of time at risk (> 0), e.g. street time in years.
    group
        Column of groups compared (the first in sorted order is the reference).
    covariates
        Further adjustment covariates (list or formula), or ``None``.
    family
        ``"poisson"`` (default) or ``"negative_binomial"`` (NB2).
    robust
        Sandwich (HC0) SEs; default True for Poisson, False for the negative binomial
        (whose HC0 SEs hold ``alpha`` fixed, as ``sandwich::vcovHC`` on a ``glm.nb`` fit).
    cluster
        Column of clusters (people with several rows, matched sets): the sandwich with
        each cluster's scores summed (``sandwich::vcovCL(type = "HC0", cadjust = FALSE)``);
        implies ``robust=True``.
    per
        Rates are per ``per`` units of exposure (100: per 100 person-years).
    missing, conf_level
        ``"error"`` or ``"drop"`` missing values; level of the Wald intervals.

    Returns
    -------
    RateModelResult
        ``summary()`` (rate ratios), ``rates()`` (rates by group), ``alpha``,
        ``pearson_dispersion``, ``to_dict()``.

    Notes
    -----
    :math:`\\log E[Y_i] = \\log e_i + x_i'\\beta`. Agrees with R ``glm(...,
    family = poisson)`` with ``sandwich::vcovHC(type = "HC0")`` and with
    ``MASS::glm.nb`` (SEs given the dispersion, as glm.nb reports them) to 1e-6.
    The negative binomial dispersion is glm.nb's: the same alternation between the
    coefficients and the maximum-likelihood ``theta = 1 / alpha``, but with every step
    solved to machine precision, so ``theta`` agrees with a tightly converged glm.nb to
    1e-9 (glm.nb's default stops up to ~1e-7 short). Robust SEs use the expected
    information as bread, as ``sandwich::vcovHC(glm.nb fit, type = "HC0")`` does (not the
    observed one; they differ by up to 2% when ``alpha`` is large). When the counts show no
    overdispersion the dispersion is 0 and the fit is Poisson's, with a
    :class:`~rpeval.errors.ConvergenceWarning` (R's glm.nb fails there).

    Examples
    --------
    >>> data = pd.DataFrame({"arrests": [0, 2, 1, 3, 0, 1, 4, 2],
    ...                      "years": [1.0, 2, 1, 2, 1, 1, 2, 2],
    ...                      "arm": ["rj"] * 4 + ["court"] * 4})
    >>> fit = rate_model(data, "arrests", "years", group="arm")
    >>> fit.rates().round(1)
       group  events  exposure   rate  ci_lower  ci_upper
    0  court     7.0       6.0  116.7      65.4     208.2
    1     rj     6.0       6.0  100.0      63.0     158.7
    """
    caller = "rate_model"
    if family not in ("poisson", "negative_binomial"):
        raise SpecificationError(
            f"{caller}(): family={family!r}", hint='use "poisson" or "negative_binomial"'
        )
    check_conf_level(conf_level, caller=caller)
    if not per > 0:
        raise SpecificationError(f"{caller}(): per={per!r} must be > 0", hint="e.g. per=100")
    if cluster is not None and robust is False:
        raise SpecificationError(
            f"{caller}(): cluster={cluster!r} needs the robust variance but robust=False",
            hint="drop robust=False (clusters imply the robust variance)",
        )
    use_robust = cluster is not None or (family == "poisson" if robust is None else bool(robust))
    frame = _frames.as_pandas(data, arg="data", caller=caller)
    spec = (
        None
        if covariates is None
        else _frames.resolve_covariates(covariates, arg="covariates", caller=caller)
    )
    needed = [count, exposure, *(c for c in (group, cluster) if c), *(spec.columns if spec else ())]
    _frames.require_columns(frame, needed, arg="data", caller=caller)
    complete = _frames.complete_cases(
        frame, list(dict.fromkeys(needed)), missing=missing, arg="data", caller=caller
    )
    frame = complete.frame
    y = _frames.numeric_array(frame, count, arg="count", caller=caller)
    e = _frames.numeric_array(frame, exposure, arg="exposure", caller=caller)
    if np.any(~np.isfinite(y) | (y < 0) | (y != np.round(y))):
        raise DataError(f"{caller}(): column {count!r} (`count`) must hold whole numbers >= 0")
    if np.any(~np.isfinite(e) | (e <= 0)):
        raise DataError(f"{caller}(): column {exposure!r} (`exposure`) must be positive")
    if len(frame) < 2 or y.sum() == 0:
        raise DataError(f"{caller}(): too few rows or no events to model")
    codes, labels = _group_codes(frame, group, y, caller)
    dummies = (codes[:, None] == np.arange(1, len(labels))[None, :]).astype(np.float64)
    group_terms = [f"{group}[T.{level}]" for level in labels[1:]]
    columns, terms = [dummies], [INTERCEPT, *group_terms]
    if spec is not None:
        design = _frames.design_matrix(frame, spec, arg="covariates", caller=caller)
        columns.append(design.X)
        terms.extend(design.terms)
    X = with_intercept(np.column_stack(columns))
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise DataError(f"{caller}(): the design {terms} is collinear or has a constant column")
    offset = np.log(e)
    clusters = None if cluster is None else pd.factorize(frame[cluster])[0].astype(np.int64)
    fit = fit_count_model(y, X, offset, family, use_robust, clusters)
    group_fit = fit_count_model(y, with_intercept(dummies), offset, family, use_robust, clusters)
    rates = _group_rates(group_fit, codes, labels, y, e, per, conf_level)
    return RateModelResult(
        family=family,
        terms=tuple(terms),
        coef=fit.params,
        std_error=np.sqrt(np.maximum(np.diag(fit.covariance), 0.0)),  # rounding: -0.0
        loglik=fit.loglik,
        alpha=fit.alpha,
        pearson_dispersion=fit.pearson_chi2 / fit.df_resid if fit.df_resid > 0 else np.nan,
        robust=use_robust,
        per=float(per),
        conf_level=float(conf_level),
        n=len(frame),
        n_dropped=complete.n_dropped,
        rates_table=rates,
    )


def _group_codes(
    frame: pd.DataFrame, group: str | None, y: FloatArray, caller: str
) -> tuple[NDArray[np.int64], tuple[Any, ...]]:
    """Group codes and labels (one group "all" without ``group``); every group needs events."""
    labels: tuple[Any, ...] = ("all",)
    codes = np.zeros(len(frame), dtype=np.int64)
    if group is not None:
        codes, labels = group_codes(frame, group, arg="group", caller=caller)
    events_by_group = np.bincount(codes, weights=y, minlength=len(labels))
    if np.any(events_by_group == 0):
        empty = [labels[k] for k in np.flatnonzero(events_by_group == 0)]
        raise DataError(
            f"{caller}(): group(s) {empty} of {group!r} have no events: their log rate is "
            "minus infinity and rate ratios against them are not estimable",
            hint="report those groups' rates as 0 with an exact (Poisson) interval, or merge "
            "groups",
        )
    return codes, labels


def _group_rates(
    group_fit: CountFit,
    codes: NDArray[np.int64],
    labels: tuple[Any, ...],
    y: FloatArray,
    e: FloatArray,
    per: float,
    conf_level: float,
) -> pd.DataFrame:
    """Each group's rate per ``per`` units of exposure with its Wald interval (log scale)."""
    crit = z_quantile(conf_level)
    contrast = with_intercept(np.eye(len(labels))[:, 1:])
    log_rate = contrast @ group_fit.params
    se = np.sqrt(
        np.maximum(np.einsum("ij,jk,ik->i", contrast, group_fit.covariance, contrast), 0.0)
    )
    return pd.DataFrame(
        {
            "group": list(labels),
            "events": np.bincount(codes, weights=y, minlength=len(labels)),
            "exposure": np.bincount(codes, weights=e, minlength=len(labels)),
            "rate": per * np.exp(log_rate),
            "ci_lower": per * np.exp(log_rate - crit * se),
            "ci_upper": per * np.exp(log_rate + crit * se),
        }
    ).loc[:, list(RATE_COLUMNS)]
