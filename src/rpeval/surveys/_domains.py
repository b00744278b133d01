"""Domains (``by=``) and response columns of a design: codes, labels, missing values.

Domains are estimated on the whole design with the rows outside a domain contributing
zero influence, never by cutting the design down: a PSU that holds no member of a domain
still counts in its stratum, exactly as R survey's ``svyby`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._coding import sorted_levels
from rpeval._formula import show_values
from rpeval._frames import numeric_array, require_columns
from rpeval._options import check_choice, column_list
from rpeval.errors import DataError, SpecificationError
from rpeval.surveys._linearize import DomainSums, domain_sums
from rpeval.surveys.design import SurveyDesign
from rpeval.surveys.replicates import ReplicateDesign

__all__ = ["AnyDesign", "Domains", "check_design", "domains", "response"]

AnyDesign = SurveyDesign | ReplicateDesign

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
MISSING_RULES = ("error", "drop")


@dataclass(frozen=True)
class Domains:
    """Each row's domain code (``-1``: in none) and the domains' labels in order."""

    code: IntArray
    names: tuple[str, ...]
    levels: tuple[tuple[object, ...], ...]
    n_missing_by: int
    base: DomainSums | None = None  # rows and weights per domain, when known

    @property
    def labels(self) -> tuple[str, ...]:
        """Domain labels: the level, or levels joined by ", " for several columns."""
        return tuple(", ".join(str(v) for v in level) for level in self.levels)

    @property
    def k(self) -> int:
        return len(self.levels)


def check_design(design: object, caller: str, *, replicates: bool = True) -> AnyDesign:
    if isinstance(design, ReplicateDesign) and not replicates:
        raise SpecificationError(
            f"{caller}(): replicate-weight designs are not supported here",
            hint="use the SurveyDesign the replicates were built from (linearised SEs)",
        )
    if not isinstance(design, SurveyDesign | ReplicateDesign):
        raise SpecificationError(
            f"{caller}(): `design` must be a SurveyDesign or ReplicateDesign, got "
            f"{type(design).__name__}",
            hint="build one with rpeval.surveys.SurveyDesign(data, weights=..., strata=...)",
        )
    return design


def domains(design: AnyDesign, by: object, *, missing: str, caller: str) -> Domains:
    """Domain codes for the ``by`` columns (one domain, "all", without them)."""
    check_choice(missing, MISSING_RULES, arg="missing", caller=caller)
    names = column_list(by, arg="by", caller=caller)
    n = design.n_rows
    if not names:
        zeros = np.zeros(n, dtype=np.int64)
        return Domains(
            zeros, (), (("all",),), 0, domain_sums(zeros, design.weights, np.zeros(n), 1)
        )
    frame = design.data
    require_columns(frame, names, arg="by", caller=caller)
    null = np.zeros(n, dtype=bool)
    for name in names:
        null |= frame[name].isna().to_numpy(dtype=bool)
    if null.any() and missing == "error":
        raise DataError(
            f"{caller}(): {int(null.sum())} rows have a missing value in the `by` columns "
            f"{names} (rows {show_values(frame.index[null])})",
            hint="pass missing='drop' to leave them out of every domain (they are counted)",
        )
    per_column = [sorted_levels(frame[name][~null]) for name in names]
    column_codes = []
    for name, levels_j in zip(names, per_column, strict=True):
        values = frame[name]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        cats = pd.Categorical(values, categories=pd.Index(list(levels_j), dtype=object))
        column_codes.append(np.asarray(cats.codes, dtype=np.int64))
    codes = np.full(n, -1, dtype=np.int64)
    if len(names) == 1:
        codes[~null] = column_codes[0][~null]
        levels: tuple[tuple[object, ...], ...] = tuple((v,) for v in per_column[0])
    else:
        shape = tuple(len(levels_j) for levels_j in per_column)
        flat = np.ravel_multi_index(tuple(c[~null] for c in column_codes), shape)
        used, inverse = np.unique(flat, return_inverse=True)
        codes[~null] = inverse
        levels = tuple(
            tuple(per_column[j][i] for j, i in enumerate(np.unravel_index(u, shape))) for u in used
        )
    k = len(levels)
    base = domain_sums(codes, design.weights, np.zeros(n), k)
    return Domains(codes, tuple(names), levels, int(null.sum()), base)


def response(
    design: AnyDesign, column: str, *, arg: str, missing: str, caller: str
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """A numeric response and its missing mask; missing values raise unless dropped."""
    values = numeric_array(design.data, column, arg=arg, caller=caller, allow_missing=True)
    if np.isfinite(values).all():  # the common case: one pass, no copy
        return values, np.zeros(values.size, dtype=bool)
    null = np.isnan(values)
    if np.isinf(values).any():
        raise DataError(f"{caller}(): column {column!r} (argument `{arg}`) has infinite values")
    if null.any() and missing == "error":
        raise DataError(
            f"{caller}(): column {column!r} (argument `{arg}`) has {int(null.sum())} missing "
            f"values (rows {show_values(design.data.index[null])})",
            hint="pass missing='drop' to estimate over the respondents who answered "
            "(item non-response treated as a domain, as R's na.rm=TRUE; counted in n_missing)",
        )
    return np.where(null, 0.0, values), null
