"""The Cox design matrix in the risk-set order, centred, as columns or as rows.

A fit without strata or entry times reads the design by columns (``p x n``, each
covariate's values contiguous): they are scattered straight from the data frame's columns
into the sorted order, with no ``n x p`` matrix built first. Other fits, and the result's
methods, read it by rows (``n x p``); each form is made from the other on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames, _threads
from rpeval._coding import code_covariate, require_distinct_labels
from rpeval._formula import CovariateSpec
from rpeval.errors import DataError

__all__ = [
    "CodedDesign",
    "SortedDesign",
    "code_design",
    "column_means",
    "sort_design",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_Work = Callable[[int, int, int], None]  # one part: (first, end, part number) of rows or columns


class SortedDesign:
    """Centred design rows in the index's order: ``columns`` (p x n) and ``rows`` (n x p),
    both C-contiguous; whichever is asked for is copied from the other when it is not at
    hand, and only the last one asked for is kept (one copy of the design in memory)."""

    def __init__(self, *, rows: FloatArray | None = None, columns: FloatArray | None = None):
        if rows is None and columns is None:
            raise ValueError("SortedDesign(): give rows or columns")
        self._rows, self._columns = rows, columns

    @property
    def shape(self) -> tuple[int, int]:
        """``(n, p)``."""
        if self._rows is not None:
            return int(self._rows.shape[0]), int(self._rows.shape[1])
        assert self._columns is not None
        return int(self._columns.shape[1]), int(self._columns.shape[0])

    @property
    def rows(self) -> FloatArray:
        """``n x p``, one row per sorted data row."""
        if self._rows is None:
            assert self._columns is not None
            self._rows, self._columns = np.ascontiguousarray(self._columns.T), None
        return self._rows

    @property
    def columns(self) -> FloatArray:
        """``p x n``, one row per design column."""
        if self._columns is None:
            assert self._rows is not None
            self._columns, self._rows = np.ascontiguousarray(self._rows.T), None
        return self._columns


class CodedDesign:
    """The coded design before sorting: its columns (1-D, any strides) or its matrix."""

    def __init__(
        self,
        terms: tuple[str, ...],
        levels: dict[str, tuple[object, ...]],
        columns: list[FloatArray] | None = None,
        matrix: FloatArray | None = None,
    ) -> None:
        self.terms, self.levels, self.matrix = terms, levels, matrix
        if matrix is not None:
            columns = [matrix[:, j] for j in range(matrix.shape[1])]
        self.columns: list[FloatArray] = columns or []


def _plain_number(values: pd.Series) -> FloatArray | None:
    """A numpy bool, integer or float column as floats (a view when it is float64)."""
    dtype = values.dtype
    if not isinstance(dtype, np.dtype) or dtype.kind not in "biuf":
        return None
    return np.asarray(values.to_numpy(), dtype=np.float64)


def _coded_columns(frame: pd.DataFrame, spec: CovariateSpec, caller: str) -> CodedDesign:
    """Each covariate coded into design columns (as :func:`rpeval._coding.build_design`,
    whose column stack is skipped: numeric columns stay views of the frame)."""
    columns: list[FloatArray] = []
    terms: list[str] = []
    levels: dict[str, tuple[object, ...]] = {}
    for column in spec.columns:
        values = frame[column]
        plain = None if column in spec.categorical else _plain_number(values)
        if plain is not None and np.isfinite(np.add.reduce(plain)):  # finite sum: all finite
            columns.append(plain)
            terms.append(column)
            continue
        coded = code_covariate(
            values, column, categorical=column in spec.categorical, arg="covariates", caller=caller
        )
        columns.extend(coded.XT)
        terms.extend(coded.labels)
        if coded.levels is not None:
            levels[column] = coded.levels
    require_distinct_labels(terms, caller=caller)
    return CodedDesign(tuple(terms), levels, columns=columns)


def code_design(frame: pd.DataFrame, spec: CovariateSpec, caller: str) -> CodedDesign:
    """The coded design of complete rows; covariates with a single value are errors."""
    if spec.formula is None:
        design = _coded_columns(frame, spec, caller)
    else:
        built = _frames.design_matrix(frame, spec, arg="covariates", caller=caller)
        matrix = np.ascontiguousarray(built.X, dtype=np.float64)
        design = CodedDesign(built.terms, built.levels, matrix=matrix)
    single = [name for name, levels in design.levels.items() if len(levels) < 2]
    if single or not design.terms:
        raise DataError(
            f"{caller}(): covariate(s) {single or list(spec.columns)} take a single value; "
            "they cannot be estimated",
            hint="remove them from `covariates`",
        )
    constant = [t for t, x in zip(design.terms, design.columns, strict=True) if not _varies(x)]
    if constant:
        raise DataError(
            f"{caller}(): covariate(s) {constant} take a single value; they cannot be estimated",
            hint="remove them from `covariates`",
        )
    return design


def _varies(x: FloatArray) -> bool:
    """Whether ``x`` takes two values (most columns vary early: no full pass)."""
    if not x.shape[0]:
        return False
    return bool(np.any(x[0] != x[:1024]) or np.any(x[0] != x))


def column_means(design: CodedDesign, weights: FloatArray, *, unit: bool) -> FloatArray:
    """Weighted means of the design columns (``unit``: every weight is 1)."""
    total = weights.sum()
    if design.matrix is not None:
        X = design.matrix
        return np.asarray((weights @ X) / total if total > 0 else X.mean(axis=0), np.float64)
    if unit or not total > 0:
        return np.array([x.mean() for x in design.columns], dtype=np.float64)
    # a pairwise sum of the products: the same bits whatever the column's strides (pandas
    # 2.2 may hand out strided views where pandas 3 copies), and no BLAS threads
    sums = np.array([np.add.reduce(np.multiply(weights, x)) for x in design.columns])
    return np.asarray(sums / total, dtype=np.float64)


def sort_design(
    design: CodedDesign,
    order: IntArray,
    means: FloatArray,
    event_weights: FloatArray | None,
    *,
    by_columns: bool,
) -> tuple[SortedDesign, FloatArray | None]:
    """The design's rows in ``order``, centred, and the sum of ``w x`` over the events
    (None without ``event_weights``: by columns, the block kernel finds it itself).

    By columns, each column is scattered to its rows' sorted positions (about a third
    faster than gathering them: the writes fill the tie groups in order); by rows, whole
    rows are gathered. From 100,000 rows two fixed parts (of the columns, or of the rows)
    run on threads (numpy's scatter and gather release the GIL); the parts are fixed, so
    the sums never depend on timing.
    """
    n, p = order.shape[0], len(design.terms)
    parts = 2 if n >= _threads.MIN_THREADED_ROWS else 1
    if by_columns:
        columns = np.empty((p, n))
        position = np.empty(n, dtype=np.intp)  # each row's place in the order

        def place(a: int, b: int, k: int) -> None:
            position[order[a:b]] = np.arange(a, b, dtype=np.intp)

        _threads.run_tasks(_cuts(n, parts), place)
        scatter = _scatter_columns(design.columns, position, means, columns)
        _threads.run_tasks(_cuts(p, parts), scatter)
        return SortedDesign(columns=columns), None
    if event_weights is None:
        raise ValueError("sort_design(): by rows, give event_weights")
    matrix = design.matrix if design.matrix is not None else np.column_stack(design.columns)
    rows = np.empty((n, p))
    sums = np.zeros((parts, p))
    gather = _gather_rows(matrix, order, means, event_weights, rows, sums)
    _threads.run_tasks(_cuts(n, parts), gather)
    return SortedDesign(rows=rows), sums.sum(axis=0)


def _cuts(size: int, parts: int) -> list[tuple[int, int, int]]:
    """``range(size)`` in ``parts`` fixed runs of about equal length: (first, end, part)."""
    ends = [size * k // parts for k in range(parts + 1)]
    return [(ends[k], ends[k + 1], k) for k in range(parts) if ends[k + 1] > ends[k]]


def _scatter_columns(
    columns: Sequence[FloatArray],
    position: NDArray[np.intp],
    means: FloatArray,
    out: FloatArray,
) -> _Work:
    def part(a: int, b: int, k: int) -> None:  # columns a..b-1
        for j in range(a, b):
            out[j, position] = columns[j]
            out[j] -= means[j]

    return part


def _gather_rows(
    matrix: FloatArray,
    order: IntArray,
    means: FloatArray,
    event_weights: FloatArray,
    out: FloatArray,
    sums: FloatArray,
) -> _Work:
    def part(a: int, b: int, k: int) -> None:
        np.take(matrix, order[a:b], axis=0, out=out[a:b], mode="clip")  # whole rows: fast
        out[a:b] -= means
        sums[k] = event_weights[a:b] @ out[a:b]

    return part
