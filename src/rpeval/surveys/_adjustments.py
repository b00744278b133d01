"""Weighting adjustments of the variance, and the population margins they use.

``Calibration`` and ``Raking`` replace influence values by what remains after weighting
(R survey's ``greg_calibration`` and raking sweeps); :func:`margin_codes` and
:func:`calibration_matrix` read population counts and totals against the data, with the
errors an evaluator needs (a category without a count, a count without respondents).
Split from :mod:`rpeval.surveys.weighting`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._formula import show_values
from rpeval._frames import numeric_array, require_columns
from rpeval.errors import DataError
from rpeval.surveys.design import SurveyDesign

__all__ = ["Calibration", "Raking", "calibration_matrix", "margin_codes"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Calibration:
    """Variance adjustment of a calibration (R's ``greg_calibration``): residuals of the
    influence values from the calibration variables, in the metric of the weights."""

    X: FloatArray
    root_w0: FloatArray
    g: FloatArray

    def residuals(self, u: FloatArray) -> FloatArray:
        scale = (self.g * self.root_w0)[:, None]
        design = self.X * self.root_w0[:, None]
        e = u / scale
        coef, *_ = np.linalg.lstsq(design, e, rcond=None)
        return np.asarray((e - design @ coef) * scale, dtype=np.float64)


@dataclass(frozen=True)
class Raking:
    """R's variance for ``rake()``: ten sweeps of post-stratum centring over the margins,
    with each margin's weights from the last raking pass."""

    codes: tuple[NDArray[np.int64], ...]
    weights: tuple[FloatArray, ...]

    def residuals(self, u: FloatArray) -> FloatArray:
        x = u.copy()
        for _ in range(10):
            for code, w in zip(self.codes, self.weights, strict=True):
                ratio = x / w[:, None]
                k = int(code.max()) + 1
                counts = np.bincount(code, minlength=k).astype(np.float64)
                sums = np.vstack(
                    [np.bincount(code, weights=ratio[:, j], minlength=k) for j in range(x.shape[1])]
                ).T
                x = x - w[:, None] * (sums / counts[:, None])[code]
        return x


def margin_codes(
    design: SurveyDesign,
    column: str | list[str],
    population: Mapping[object, float],
    caller: str,
) -> tuple[NDArray[np.int64], FloatArray, list[object]]:
    """Row codes into the population's cells, the cells' totals and labels."""
    columns = [column] if isinstance(column, str) else list(column)
    require_columns(design.data, columns, arg="strata", caller=caller)
    frame = design.data[columns]
    null = frame.isna().to_numpy()
    if null.any():
        counts = zip(columns, null.sum(axis=0), strict=True)
        detail = ", ".join(f"{c!r}: {int(n)}" for c, n in counts if n)
        raise DataError(
            f"{caller}(): {int(null.any(axis=1).sum())} of {len(frame)} rows have a missing "
            f"value in {columns} ({detail}), so they cannot be weighted to the population",
            hint="impute the value, or give those respondents a category of their own with "
            "its population count (weighting has no missing='drop')",
        )
    keys = (
        list(frame.itertuples(index=False, name=None))
        if len(columns) > 1
        else frame[columns[0]].tolist()
    )
    labels = list(population.keys())
    totals = np.array([float(population[key]) for key in labels])
    if np.any(~np.isfinite(totals) | (totals <= 0)):
        raise DataError(f"{caller}(): population counts must be finite and > 0")
    lookup = {label: i for i, label in enumerate(labels)}
    codes = np.array([lookup.get(key, -1) for key in keys], dtype=np.int64)
    if np.any(codes < 0):
        missing = pd.unique(pd.Series([keys[i] for i in np.flatnonzero(codes < 0)], dtype=object))
        raise DataError(
            f"{caller}(): sample categories {show_values(pd.Series(missing))} of {columns} have "
            f"no population count",
            hint=f"population keys are {show_values(pd.Series(labels, dtype=object))}",
        )
    empty = np.bincount(codes, minlength=len(labels)) == 0
    if empty.any():
        raise DataError(
            f"{caller}(): population categories "
            f"{show_values(pd.Series([labels[i] for i in np.flatnonzero(empty)], dtype=object))} "
            f"of {columns} have no respondents, so their count cannot be met",
            hint="collapse them with a neighbouring category",
        )
    return codes, totals, labels


def calibration_matrix(
    design: SurveyDesign, population: Mapping[str, object], caller: str
) -> tuple[FloatArray, FloatArray, list[str]]:
    columns, totals, names = [], [], []
    for name, target in population.items():
        if name == "(intercept)":
            columns.append(np.ones(design.n_rows))
            totals.append(float(target))  # type: ignore[arg-type]
            names.append(name)
        elif isinstance(target, Mapping):
            codes, counts, labels = margin_codes(design, name, target, caller)
            for j, label in enumerate(labels):
                columns.append((codes == j).astype(np.float64))
                totals.append(float(counts[j]))
                names.append(f"{name}[{label}]")
        else:
            columns.append(numeric_array(design.data, name, arg="population", caller=caller))
            totals.append(float(target))  # type: ignore[arg-type]
            names.append(name)
    X = np.column_stack(columns)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise DataError(
            f"{caller}(): the calibration variables {names} are linearly dependent",
            hint="drop '(intercept)' when a categorical margin is given (its counts sum to N)",
        )
    return X, np.array(totals), names
