"""Nearest-neighbour (greedy) pairs for ``match()``: exact strata, MatchIt's walk
positions, processing order, then the kernels of :mod:`rpeval.matching._greedy`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval.errors import DataError
from rpeval.matching._greedy import greedy_multivariate, greedy_scalar
from rpeval.matching._setup import Order, factor_codes, processing_order, whitened
from rpeval.matching._walk_order import mahalanobis_positions, positions

__all__ = ["nearest_pairs"]

FloatArray = NDArray[np.float64]


def nearest_pairs(
    frame: pd.DataFrame,
    focal: NDArray[np.bool_],
    keep: NDArray[np.bool_],
    score: FloatArray | None,
    covariates: str | Sequence[str],
    distance: str,
    exact_cols: list[str],
    anti_cols: list[str],
    caliper_cols: list[str],
    widths: FloatArray,
    ratio: int,
    replace: bool,
    caliper_width: float,
    order: Order,
    seed: int | None,
) -> NDArray[np.int64]:
    """Matched control rows, shape (n focal kept, ratio), -1 where unmatched: controls
    put in MatchIt's walk order within their exact stratum, then the greedy kernels."""
    t_rows = np.flatnonzero(focal & keep)
    c_rows = np.flatnonzero(~focal & keep)
    stratum = np.asarray(
        frame.groupby(exact_cols, sort=True).ngroup() if exact_cols else np.zeros(len(frame)),
        dtype=np.int64,
    )
    anti = factor_codes(frame, anti_cols)
    cov = (
        frame.loc[:, caliper_cols].to_numpy(np.float64)
        if caliper_cols
        else np.zeros((len(frame), 0))
    )
    if score is not None:
        position = positions(score)  # MatchIt's order of all units: (distance, row)
    else:
        position = mahalanobis_positions(
            frame, covariates, focal, keep, caliper_cols, stratum if exact_cols else None
        )
    key = np.lexsort((position[c_rows], stratum[c_rows]))
    c_sorted = c_rows[key]
    c_strata = stratum[c_sorted]
    lo = np.searchsorted(c_strata, stratum[t_rows], side="left").astype(np.int64)
    hi = np.searchsorted(c_strata, stratum[t_rows], side="right").astype(np.int64)
    if len(c_rows) == 0:
        raise DataError("match(): no control units remain after discarding")
    proc = processing_order(
        score[t_rows] if score is not None else np.zeros(len(t_rows)),
        order if score is not None or order != "largest" else "data",
        seed,
    )
    if score is not None:
        chosen = greedy_scalar(
            proc,
            score[t_rows],
            position[t_rows],
            score[c_sorted],
            position[c_sorted],
            lo,
            hi,
            ratio,
            replace,
            caliper_width,
            anti[t_rows],
            anti[c_sorted],
            cov[t_rows],
            cov[c_sorted],
            widths,
        )
    else:
        z = whitened(frame, covariates, focal)
        chosen = greedy_multivariate(
            proc,
            z[t_rows],
            position[t_rows],
            z[c_sorted],
            position[c_sorted],
            lo,
            hi,
            ratio,
            replace,
            anti[t_rows],
            anti[c_sorted],
            cov[t_rows],
            cov[c_sorted],
            widths,
        )
    return np.where(chosen >= 0, c_sorted[np.maximum(chosen, 0)], -1).astype(np.int64)
