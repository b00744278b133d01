"""Turn a data frame and column names into the sorted arrays the Cox kernels use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames, _threads
from rpeval._formula import CovariateSpec
from rpeval._frames import DesignMatrix
from rpeval._weights import case_weights
from rpeval.errors import DataError
from rpeval.recidivism.cox._likelihood_right_censored import in_background
from rpeval.recidivism.cox._risk_sets import RiskSetIndex, build_risk_set_index

__all__ = ["CoxData", "prepare_cox_data", "prepare_new_data"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class CoxData:
    """Validated model data, rows sorted by ``(stratum, time)``, covariates centred."""

    index: RiskSetIndex
    X: FloatArray
    weights: FloatArray
    event_x_sums: FloatArray  # sum of w x over the events (centred X)
    cluster: IntArray | None
    terms: tuple[str, ...]
    term_columns: dict[str, list[int]]
    means: FloatArray
    spec: _frames.CovariateSpec
    levels: dict[str, tuple[object, ...]]
    strata_columns: tuple[str, ...]
    strata_labels: tuple[str, ...]
    n: int
    n_dropped: int


def _strata_list(strata: str | Sequence[str] | None) -> list[str]:
    if strata is None:
        return []
    return [strata] if isinstance(strata, str) else list(strata)


def _strata_label(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    if not columns:
        return pd.Series("all", index=frame.index)
    parts = [c + "=" + frame[c].astype(str) for c in columns]
    label = parts[0]
    for part in parts[1:]:
        label = label + ", " + part
    return label


def _times(
    frame: pd.DataFrame, duration: str, event: str, entry: str | None, caller: str
) -> tuple[FloatArray, NDArray[np.bool_], FloatArray | None]:
    """Durations (>= 0), event indicators (some events) and entry times (< duration)."""
    stop = _frames.numeric_array(frame, duration, arg="duration", caller=caller)
    status = _frames.boolean_array(frame, event, arg="event", caller=caller)
    if np.any(~np.isfinite(stop)) or np.any(stop < 0):
        raise DataError(
            f"{caller}(): column {duration!r} (duration) has negative or infinite values",
            hint="durations are times from entry to event or censoring, >= 0",
        )
    start = None
    if entry is not None:
        start = _frames.numeric_array(frame, entry, arg="entry", caller=caller)
        if np.any(start >= stop):
            raise DataError(
                f"{caller}(): {int(np.sum(start >= stop))} rows have entry {entry!r} not "
                f"before {duration!r}",
                hint="each row is an interval (entry, duration] with entry < duration",
            )
    if not status.any():
        raise DataError(f"{caller}(): column {event!r} has no events; nothing to model")
    return stop, status, start


def _strata_codes(frame: pd.DataFrame, strata_cols: list[str]) -> tuple[IntArray, list[Any]]:
    """Stratum of each row (sorted combinations of the strata columns) and their labels."""
    if not strata_cols:
        return np.zeros(len(frame), dtype=np.int64), ["all"]
    grouped = frame.groupby(strata_cols, sort=True, dropna=False)
    stratum = np.asarray(grouped.ngroup().to_numpy(), dtype=np.int64)
    first_rows = frame.loc[:, strata_cols].iloc[np.unique(stratum, return_index=True)[1]]
    return stratum, _strata_label(first_rows, strata_cols).tolist()


def _design(
    frame: pd.DataFrame, spec: CovariateSpec, caller: str
) -> tuple[DesignMatrix, FloatArray]:
    """The design matrix (C-contiguous floats); covariates with a single value are errors."""
    design = _frames.design_matrix(frame, spec, arg="covariates", caller=caller)
    X = design.X
    single = [name for name, levels in design.levels.items() if len(levels) < 2]
    if single or X.shape[1] == 0:
        raise DataError(
            f"{caller}(): covariate(s) {single or list(spec.columns)} take a single value; "
            "they cannot be estimated",
            hint="remove them from `covariates`",
        )
    X = np.ascontiguousarray(X, dtype=np.float64)
    varies = np.zeros(X.shape[1], dtype=np.bool_)
    if len(X):
        varies = np.any(X[0] != X[:1024], axis=0)  # most columns vary early: no full pass
    if len(X) > 1024 and not varies.all():
        varies = np.any(X[0] != X, axis=0)
    constant = [term for term, differs in zip(design.terms, varies, strict=True) if not differs]
    if constant:
        raise DataError(
            f"{caller}(): covariate(s) {constant} take a single value; they cannot be estimated",
            hint="remove them from `covariates`",
        )
    return design, X


def prepare_cox_data(
    data: pd.DataFrame,
    duration: str,
    event: str,
    covariates: str | Sequence[str],
    *,
    weights: str | None,
    cluster: str | None,
    strata: str | Sequence[str] | None,
    entry: str | None,
    missing: str,
    caller: str,
) -> CoxData:
    """Validate the inputs of a Cox fit and lay them out for the kernels.

    Rows of weight 0 are left out before anything else (they would still enter Efron's
    tie correction) and counted in ``n_dropped``.
    """
    frame = _frames.as_pandas(data, arg="data", caller=caller)
    spec = _frames.resolve_covariates(covariates, arg="covariates", caller=caller)
    strata_cols = _strata_list(strata)
    extra = [c for c in (weights, cluster, entry) if c is not None]
    needed = [duration, event, *spec.columns, *strata_cols, *extra]
    _frames.require_columns(frame, needed, arg="data", caller=caller)
    complete = _frames.complete_cases(
        frame, list(dict.fromkeys(needed)), missing=missing, arg="data", caller=caller
    )
    if len(complete.frame) == 0:
        raise DataError(f"{caller}(): no rows left after removing missing values")
    weighted = case_weights(complete.frame, weights, caller=caller)
    frame, w = weighted.frame, weighted.weights
    stop, status, start = _times(frame, duration, event, entry, caller)
    stratum, uniques = _strata_codes(frame, strata_cols)
    # sort and index the rows on a worker thread while the design matrix is built
    pending_index = in_background(
        build_risk_set_index, stop, status, np.asarray(stratum, dtype=np.int64), start
    )
    design, X = _design(frame, spec, caller)
    total = w.sum()
    means = (w @ X) / total if total > 0 else X.mean(axis=0)
    index = pending_index.result()
    order = index.order
    w_sorted = w if weights is None else w[order]  # no weights: all ones, in any order
    Xc, event_x = _sorted_rows(X, order, means, np.where(index.event, w_sorted, 0.0))
    cluster_codes = None
    if cluster is not None:
        cluster_codes = pd.factorize(frame[cluster])[0].astype(np.int64)[order]
    return CoxData(
        index=index,
        X=Xc,
        weights=w_sorted,
        event_x_sums=event_x,
        cluster=cluster_codes,
        terms=tuple(design.terms),
        term_columns=_term_columns(list(design.terms)),
        means=means,
        spec=spec,
        levels=design.levels,
        strata_columns=tuple(strata_cols),
        strata_labels=tuple(str(u) for u in uniques),
        n=len(frame),
        n_dropped=complete.n_dropped + weighted.n_zero,
    )


def _sorted_rows(
    X: FloatArray, order: IntArray, means: FloatArray, event_weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The rows of ``X`` in ``order``, centred, and the sum of ``w x`` over the events.

    From 100,000 rows the two halves run on threads (numpy's gather releases the GIL);
    the halves are fixed, so the sums never depend on timing.
    """
    n, p = order.shape[0], X.shape[1]
    Xc = np.empty((n, p))
    parts = 2 if n >= _threads.MIN_THREADED_ROWS else 1
    cuts = [n * k // parts for k in range(parts + 1)]
    sums = np.zeros((parts, p))

    def half(k: int) -> None:
        a, b = cuts[k], cuts[k + 1]
        np.take(X, order[a:b], axis=0, out=Xc[a:b], mode="clip")  # whole rows: fast
        Xc[a:b] -= means
        sums[k] = event_weights[a:b] @ Xc[a:b]

    if parts == 1:
        half(0)
    else:
        for future in [_threads.shared_pool().submit(half, k) for k in range(parts)]:
            future.result()
    return Xc, sums.sum(axis=0)


def _term_columns(labels: list[str]) -> dict[str, list[int]]:
    """Group design columns by the term they come from (``C(x)`` levels form one term)."""
    groups: dict[str, list[int]] = {}
    for j, label in enumerate(labels):
        groups.setdefault(label.split("[", 1)[0], []).append(j)
    return groups


def prepare_new_data(
    data: CoxData, new_data: pd.DataFrame, *, caller: str
) -> tuple[FloatArray, IntArray]:
    """Design rows (centred like the fit) and stratum codes for prediction."""
    frame = _frames.as_pandas(new_data, arg="new_data", caller=caller)
    _frames.require_columns(
        frame, [*data.spec.columns, *data.strata_columns], arg="new_data", caller=caller
    )
    design = _frames.design_matrix(
        frame, data.spec, arg="new_data", caller=caller, levels=data.levels
    )
    labels = _strata_label(frame, list(data.strata_columns)).astype(str)
    lookup = {label: code for code, label in enumerate(data.strata_labels)}
    unknown = sorted(set(labels) - set(lookup))
    if unknown:
        raise DataError(
            f"{caller}(): strata {unknown[:5]} in new_data were not in the fitted data",
            hint=f"known strata: {list(data.strata_labels)[:10]}",
        )
    codes = np.array([lookup[label] for label in labels], dtype=np.int64)
    return design.X - data.means, codes
