"""Bootstrap SEs of :func:`rpeval.matching.effect`: resampling matched sets, or units with
the weights re-estimated in each draw."""

from __future__ import annotations

import warnings
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from tqdm.auto import tqdm

from rpeval.errors import DataError, DataWarning, RpevalError
from rpeval.matching._glm import fit_binary
from rpeval.matching._outcome import Measure, g_computation
from rpeval.matching._weight_model import WeightingPlan
from rpeval.matching.weighting import entropy_balance, finish_weights, ipw_weights

__all__ = ["Draws", "reweighted_draws", "set_bootstrap", "target_rows"]

FloatArray = NDArray[np.float64]


class Draws(NamedTuple):
    """A bootstrap SE and the number of draws skipped because they failed."""

    std_error: float
    failures: int


def _finish_draws(draws: list[float], n_boot: int, what: str) -> Draws:
    """The SE of the draws that worked; warn (:class:`DataWarning`) with the count of
    those that failed, and raise when fewer than two worked."""
    failures = n_boot - len(draws)
    if len(draws) < 2:
        raise DataError(
            f"effect(): {failures:,} of {n_boot:,} bootstrap draws failed ({what})",
            hint='use an analytic SE (se="cluster", "hc3" or "sandwich")',
        )
    if failures:
        warnings.warn(
            f"effect(): {failures:,} of {n_boot:,} bootstrap draws failed ({what}) and "
            "were skipped; the SE comes from the others (see the result's "
            "bootstrap_failures). Many failures mean small groups or sparse covariates: "
            'prefer an analytic SE (se="cluster", "hc3" or "sandwich"), or adjust for fewer '
            "covariates",
            DataWarning,
            stacklevel=3,
        )
    return Draws(float(np.std(draws, ddof=1)), failures)


def target_rows(t: FloatArray, estimand: str) -> NDArray[np.bool_]:
    """The units the effect is averaged over: treated (ATT), controls (ATC) or all.

    Examples
    --------
    >>> target_rows(np.array([1.0, 0.0]), "ATC").tolist()
    [False, True]
    """
    if estimand == "ATT":
        return np.asarray(t == 1, dtype=np.bool_)
    if estimand == "ATC":
        return np.asarray(t == 0, dtype=np.bool_)
    return np.ones(len(t), dtype=np.bool_)


def reweighted_draws(
    plan: WeightingPlan,
    trim: float | None,
    y: FloatArray,
    Z: FloatArray | None,
    measure: Measure,
    n_boot: int,
    random_state: int | None,
    progress: bool,
) -> Draws:
    """Estimates on bootstrap resamples of the weighted sample's units, re-estimating the
    weights in each exactly as :func:`weight` does (the propensity model refitted, or
    entropy balancing solved again; trimming, truncation, stabilisation); draws in which
    the weights cannot be estimated (separation, an unreachable target, one group left)
    are skipped and counted. ``y`` and ``Z`` are the weighted sample's outcome and
    ``adjust=`` design."""
    rng = np.random.default_rng(random_state)
    X = plan.design[plan.inside]
    treated = plan.is_treated[plan.inside]
    draws = []
    for _ in tqdm(range(n_boot), disable=not progress, desc="bootstrap (re-weighting)"):
        rows = rng.integers(0, len(y), len(y))
        is_treated = treated[rows]
        again = _weights(X[rows], is_treated, plan, trim)
        if again is None:
            continue
        w, kept = again
        t = is_treated[kept].astype(np.float64)
        if np.unique(t).size < 2:
            continue
        Zb = None if Z is None else Z[rows][kept]
        point = g_computation(y[rows][kept], t, w, Zb, measure, target_rows(t, plan.estimand))
        if point.estimable:
            draws.append(point.value)
    return _finish_draws(
        draws, n_boot, "the weights could not be re-estimated, or the effect was not identified"
    )


def _weights(
    X: FloatArray, is_treated: NDArray[np.bool_], plan: WeightingPlan, trim: float | None
) -> tuple[FloatArray, NDArray[np.bool_]] | None:
    """:func:`weight`'s weights on one resample, and the units kept after trimming."""
    if is_treated.all() or not is_treated.any():
        return None
    kept = np.ones(len(X), dtype=np.bool_)
    if plan.method == "ipw":
        y = is_treated.astype(np.float64)
        link: Literal["logit", "probit"] = "probit" if plan.link == "probit" else "logit"
        fit = fit_binary(X, y, link=link, intercept=True)
        if fit.deviance < 1e-6 * max(fit.null_deviance, 1.0):
            return None  # separation: weight() raises
        score = fit.fitted
        if trim is not None:
            kept = (score >= trim) & (score <= 1.0 - trim)
            score, is_treated = score[kept], is_treated[kept]
            if is_treated.all() or not is_treated.any():
                return None
        weights = ipw_weights(score, is_treated, plan.estimand)
    else:
        try:
            names = [f"column {j + 1}" for j in range(X.shape[1])]
            weights = entropy_balance(X, names, is_treated, plan.estimand)
        except RpevalError:
            return None
    return finish_weights(weights, is_treated, plan.truncate, plan.stabilize), kept


def set_bootstrap(
    y: FloatArray,
    t: FloatArray,
    w: FloatArray,
    Z: FloatArray | None,
    measure: Measure,
    clusters: NDArray[np.intp],
    n_boot: int,
    random_state: int | None,
    progress: bool,
    estimand: str = "ATT",
) -> Draws:
    """SE from resampling matched sets (clusters) with replacement, refitting each time;
    draws with one treatment group only or an unidentified effect are skipped and
    counted."""
    rng = np.random.default_rng(random_state)
    n_clusters = int(clusters.max()) + 1
    members = pd.Series(np.arange(len(y))).groupby(clusters).apply(np.asarray).tolist()
    draws = []
    for _ in tqdm(range(n_boot), disable=not progress, desc="pair bootstrap"):
        chosen = rng.integers(0, n_clusters, n_clusters)
        rows = np.concatenate([members[c] for c in chosen])
        if np.unique(t[rows]).size < 2:
            continue
        Zb = None if Z is None else Z[rows]
        target = target_rows(t[rows], estimand)
        again = g_computation(y[rows], t[rows], w[rows], Zb, measure, target)
        if again.estimable:
            draws.append(again.value)
    return _finish_draws(draws, n_boot, "one treatment group only, or an unidentified effect")
