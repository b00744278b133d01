"""Bootstrap SEs of :func:`rpeval.matching.effect`: resampling matched sets, or units with
the weights re-estimated in each draw."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from tqdm.auto import tqdm

from rpeval import _frames
from rpeval.errors import DataError, RpevalError, RpevalWarning
from rpeval.matching._outcome import Measure, g_computation
from rpeval.matching.weighting import WeightResult, weight

__all__ = ["reweighted_draws", "set_bootstrap", "target_rows"]

FloatArray = NDArray[np.float64]


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
    result: WeightResult,
    outcome: str,
    spec: _frames.CovariateSpec | None,
    measure: Measure,
    n_boot: int,
    seed: int | None,
    progress: bool,
) -> list[float]:
    """Estimates on bootstrap resamples of the units, re-estimating the weights in each."""
    rng = np.random.default_rng(seed)
    frame = result.data.drop(columns=["weights", "distance"]).reset_index(drop=True)
    options = {k: v for k, v in result.settings.items() if k != "missing"}
    draws = []
    for _ in tqdm(range(n_boot), disable=not progress, desc="bootstrap (re-weighting)"):
        sample = frame.take(rng.integers(0, len(frame), len(frame))).reset_index(drop=True)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RpevalWarning)
                again = weight(sample, result.treatment, result._covariates, **options)
        except RpevalError:
            continue
        data = again.data[again.data["weights"] > 0]
        y = data[outcome].to_numpy(np.float64)
        t = again._is_treated[again._weights > 0].astype(np.float64)
        w = data["weights"].to_numpy(np.float64)
        Z = (
            None
            if spec is None
            else _frames.design_matrix(data, spec, arg="adjust", caller="effect").X
        )
        if np.unique(t).size < 2:
            continue
        again_point = g_computation(y, t, w, Z, measure, target_rows(t, result.estimand))
        if again_point.estimable:
            draws.append(again_point.value)
    if len(draws) < 2:
        raise DataError("effect(): the weights could not be re-estimated in the bootstrap")
    return draws


def set_bootstrap(
    y: FloatArray,
    t: FloatArray,
    w: FloatArray,
    Z: FloatArray | None,
    measure: Measure,
    clusters: NDArray[np.intp],
    n_boot: int,
    seed: int | None,
    progress: bool,
    estimand: str = "ATT",
) -> float:
    """SE from resampling matched sets (clusters) with replacement, refitting each time;
    draws with one treatment group only or an unidentified effect are skipped."""
    rng = np.random.default_rng(seed)
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
    return float(np.std(draws, ddof=1))
