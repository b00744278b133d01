"""Distances and unit codes shared by the designs of ``match()``: Mahalanobis whitening,
exact strata, factor codes of antiexact columns, and the order in which focal units choose."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval.errors import DataError

__all__ = ["exact_strata", "factor_codes", "processing_order", "whitened"]

FloatArray = NDArray[np.float64]


def factor_codes(frame: pd.DataFrame, columns: Sequence[str]) -> NDArray[np.int64]:
    """Integer codes of each column (one column of codes per name; none for no names)."""
    if not columns:
        return np.zeros((len(frame), 0), dtype=np.int64)
    return np.column_stack([pd.factorize(frame[c])[0] for c in columns]).astype(np.int64)


def exact_strata(frame: pd.DataFrame, columns: Sequence[str]) -> NDArray[np.int64]:
    """Stratum code (0, 1, ...) of each row: one stratum per distinct combination."""
    return np.asarray(frame.groupby(list(columns), sort=True, dropna=False).ngroup(), np.int64)


def processing_order(
    distance: FloatArray | None, order: str, random_state: int | None
) -> NDArray[np.int64]:
    """The order in which focal units choose their controls (``order=`` of ``match()``)."""
    n = 0 if distance is None else distance.shape[0]
    if distance is None or order == "data":
        return np.arange(n, dtype=np.int64) if distance is not None else np.zeros(0, np.int64)
    if order == "random":
        return np.random.default_rng(random_state).permutation(n).astype(np.int64)
    key = -distance if order == "largest" else distance
    return np.argsort(key, kind="stable").astype(np.int64)


def whitened(
    frame: pd.DataFrame, covariates: str | Sequence[str], focal: NDArray[np.bool_]
) -> FloatArray:
    """Covariates transformed so that Euclidean distance is the Mahalanobis distance with
    the pooled within-group covariance."""
    spec = _frames.resolve_covariates(covariates, arg="covariates", caller="match")
    X = _frames.design_matrix(frame, spec, arg="covariates", caller="match").X
    centred = X.copy()
    for group in (focal, ~focal):
        centred[group] -= X[group].mean(axis=0)
    pooled = centred.T @ centred / max(len(X) - 2, 1)
    try:
        root = np.linalg.cholesky(pooled)
    except np.linalg.LinAlgError:
        raise DataError(
            "match(): the covariates are collinear; Mahalanobis distance is undefined",
            hint="drop redundant covariates",
        ) from None
    return np.asarray(np.linalg.solve(root, X.T).T, dtype=np.float64)
