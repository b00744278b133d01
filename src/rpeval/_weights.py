"""Case weights: checked once, and rows of weight 0 left out, for every weighted estimator.

Split from :mod:`rpeval._frames`, whose column helpers it uses, so that each module keeps one
job: this one reads a ``weights`` column, rejects what cannot be a weight and drops the rows
that carry none, so that every public function treats a zero weight the same way.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._formula import show_values
from rpeval._frames import column_label, frame_of, numeric_array
from rpeval.errors import DataError, DataWarning

__all__ = ["CaseWeights", "case_weights", "user_stacklevel"]


@dataclass(frozen=True)
class CaseWeights:
    """Rows kept by :func:`case_weights`: those with a positive weight.

    ``frame`` holds the kept rows, ``weights`` their weights (ones when no column was
    named), ``kept`` is a bool mask over the input rows and ``n_zero`` counts the rows
    left out for a weight of 0.
    """

    frame: pd.DataFrame
    weights: NDArray[np.float64]
    kept: NDArray[np.bool_]
    n_zero: int


def user_stacklevel() -> int:
    """The ``stacklevel`` at which a warning points to the first caller outside rpeval."""
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("rpeval"):
        frame, level = frame.f_back, level + 1
    return level


def case_weights(
    data: pd.DataFrame, column: str | None, *, arg: str = "weights", caller: str
) -> CaseWeights:
    """Check a case-weight column and leave out the rows whose weight is 0.

    Weights must be finite and >= 0: anything else raises :class:`DataError` naming the
    argument (R's ``coxph`` and ``survreg`` refuse weights <= 0 outright). A row of weight
    0 is treated as absent, since its only effect would be rounding (a zero-weight event
    tied with others still entered Efron's correction): it is left out before anything is
    computed, with a :class:`DataWarning`; callers add ``n_zero`` to the ``n_dropped`` of
    their result. All-zero weights raise. Without a column every row is kept with weight 1.

    Examples
    --------
    >>> import warnings
    >>> df = pd.DataFrame({"t": [3, 5, 8], "w": [1.5, 0.0, 2.0]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     kept = case_weights(df, "w", caller="cox")
    >>> kept.weights.tolist(), kept.n_zero, kept.frame["t"].tolist()
    ([1.5, 2.0], 1, [3, 8])
    """
    frame = frame_of(data, arg="data", caller=caller)
    if column is None:
        every = np.ones(len(frame), dtype=np.bool_)
        return CaseWeights(frame, np.ones(len(frame)), every, 0)
    values = numeric_array(frame, column, arg=arg, caller=caller)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise DataError(
            f"{column_label(caller, column, arg)} must hold finite case weights >= 0; found "
            f"{show_values(frame[column][bad])}",
            hint="case weights are frequencies or inverse-probability weights; a weight of "
            "0 leaves a row out",
        )
    kept = np.asarray(values > 0, dtype=np.bool_)
    n_zero = len(kept) - int(np.count_nonzero(kept))
    if n_zero == len(kept):
        raise DataError(
            f"{column_label(caller, column, arg)} is 0 on every row: nothing is left to analyse"
        )
    if n_zero:
        warnings.warn(
            f"{caller}(): {n_zero} of {len(kept)} rows have weight 0 in column {column!r} "
            f"(`{arg}`) and were left out (counted in n_dropped)",
            DataWarning,
            stacklevel=user_stacklevel(),
        )
        frame = frame.take(np.flatnonzero(kept))
    else:
        frame = frame.copy(deep=False)
    return CaseWeights(frame, np.asarray(values[kept], dtype=np.float64), kept, n_zero)
