"""Turn a data frame and column names into the sorted arrays the Cox kernels use."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._weights import case_weights
from rpeval.errors import DataError
from rpeval.recidivism.cox._design import SortedDesign, code_design, column_means, sort_design
from rpeval.recidivism.cox._likelihood_right_censored import in_background
from rpeval.recidivism.cox._risk_index import (
    SortedRows,
    TieLayout,
    key_layout,
    order_rows,
    rank_rows,
)
from rpeval.recidivism.cox._risk_sets import RiskSetIndex, build_risk_set_index, layout_index

__all__ = ["CoxData", "prepare_cox_data", "prepare_new_data"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class CoxData:
    """Validated model data, rows sorted by ``(stratum, time)``, covariates centred."""

    index: RiskSetIndex
    design: SortedDesign
    weights: FloatArray
    event_x_sums: FloatArray | None  # sum of w x over the events (centred X), if at hand
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

    @property
    def X(self) -> FloatArray:  # noqa: N802 - the design matrix's usual name
        """The centred design, ``n x p`` in the index's order."""
        return self.design.rows


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
    stop = _numbers(frame, duration, caller)
    status = _events(frame, event, caller)
    finite_sum = np.isfinite(np.add.reduce(stop))  # a finite sum: every value is finite
    if not (finite_sum and stop.min() >= 0) and (np.any(~np.isfinite(stop)) or np.any(stop < 0)):
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


def _numbers(frame: pd.DataFrame, column: str, caller: str) -> FloatArray:
    """A duration column as floats: numpy numbers as they are (the rows are complete),
    anything else through :func:`rpeval._frames.numeric_array` and its checks."""
    values = frame[column]
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "biuf":
        return np.asarray(values.to_numpy(), dtype=np.float64)
    return _frames.numeric_array(frame, column, arg="duration", caller=caller)


def _events(frame: pd.DataFrame, column: str, caller: str) -> NDArray[np.bool_]:
    """An event column as booleans: numpy booleans, or numpy integers that are all 0 or 1,
    directly; anything else through :func:`rpeval._frames.boolean_array` and its checks."""
    values = frame[column]
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biu":
        codes = values.to_numpy()
        if dtype.kind == "b":
            return np.array(codes, dtype=np.bool_)
        if codes.shape[0] and codes.min() >= 0 and codes.max() <= 1:
            return np.asarray(codes == 1, dtype=np.bool_)
    return _frames.boolean_array(frame, column, arg="event", caller=caller)


def _strata_codes(frame: pd.DataFrame, strata_cols: list[str]) -> tuple[IntArray, list[Any]]:
    """Stratum of each row (sorted combinations of the strata columns) and their labels."""
    if not strata_cols:
        return np.zeros(len(frame), dtype=np.int64), ["all"]
    grouped = frame.groupby(strata_cols, sort=True, dropna=False)
    stratum = np.asarray(grouped.ngroup().to_numpy(), dtype=np.int64)
    first_rows = frame.loc[:, strata_cols].iloc[np.unique(stratum, return_index=True)[1]]
    return stratum, _strata_label(first_rows, strata_cols).tolist()


def _complete_rows(
    frame: pd.DataFrame, columns: list[str], missing: str, caller: str
) -> tuple[pd.DataFrame, int]:
    """The rows without missing values in ``columns`` and how many were dropped."""
    if all(_no_missing(frame, column) for column in columns):
        return frame, 0
    complete = _frames.complete_cases(frame, columns, missing=missing, arg="data", caller=caller)
    return complete.frame, complete.n_dropped


def _no_missing(frame: pd.DataFrame, column: str) -> bool:
    """True when the column surely has no missing value: numpy integers or booleans, or
    numpy floats whose sum is not NaN (one pass; anything else is checked in full)."""
    values = frame[column]
    dtype = getattr(values, "dtype", None)
    if not isinstance(values, pd.Series) or not isinstance(dtype, np.dtype):
        return False
    if dtype.kind in "biu":
        return True
    return dtype.kind == "f" and not np.isnan(np.add.reduce(values.to_numpy()))


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
    if missing not in ("error", "drop"):  # checked here: the fast path skips complete_cases
        _frames.complete_cases(frame, [], missing=missing, arg="data", caller=caller)
    frame, n_missing = _complete_rows(frame, list(dict.fromkeys(needed)), missing, caller)
    if len(frame) == 0:
        raise DataError(f"{caller}(): no rows left after removing missing values")
    weighted = case_weights(frame, weights, caller=caller)
    frame, w = weighted.frame, weighted.weights
    stop, status, start = _times(frame, duration, event, entry, caller)
    stratum, uniques = _strata_codes(frame, strata_cols)
    # sort the rows on a worker thread while the design is coded, then index the sorted
    # rows on a worker thread while the design is sorted
    indexing = _Indexing(stop, status, stratum, start)
    design = code_design(frame, spec, caller)
    means = column_means(design, w, unit=weights is None)
    order = indexing.order()
    w_sorted = w if weights is None else w[order]  # no weights: all ones, in any order
    by_columns = start is None and not stratum.any()  # the block kernel's case
    # the block kernel sums w x over the events in its first pass
    event_weights = None if by_columns else np.where(status[order], w_sorted, 0.0)
    Xs, event_x = sort_design(design, order, means, event_weights, by_columns=by_columns)
    index = indexing.index()
    cluster_codes = None
    if cluster is not None:
        cluster_codes = pd.factorize(frame[cluster])[0].astype(np.int64)[order]
    return CoxData(
        index=index,
        design=Xs,
        weights=w_sorted,
        event_x_sums=event_x,
        cluster=cluster_codes,
        terms=design.terms,
        term_columns=_term_columns(list(design.terms)),
        means=means,
        spec=spec,
        levels=design.levels,
        strata_columns=tuple(strata_cols),
        strata_labels=tuple(str(u) for u in uniques),
        n=len(frame),
        n_dropped=n_missing + weighted.n_zero,
    )


class _Indexing:
    """The risk-set index built on worker threads. Right-censored rows: one worker ranks
    the times into a 16-bit key, then sorts it while another finds the tie layout from the
    key's counts, so the index is ready when the caller has sorted the design."""

    def __init__(
        self,
        stop: FloatArray,
        status: NDArray[np.bool_],
        stratum: IntArray,
        start: FloatArray | None,
    ) -> None:
        self.args = (stop, status, stratum)
        self.layout: Future[TieLayout] | None = None
        self.pending: Future[RiskSetIndex] | None = None
        self.sorting: Future[SortedRows] | None = None
        if start is None:
            self.sorting = in_background(self._sort, *self.args)
        else:
            self.pending = in_background(build_risk_set_index, *self.args, start)

    def _sort(self, stop: FloatArray, status: NDArray[np.bool_], stratum: IntArray) -> SortedRows:
        ranked = rank_rows(stop, status, stratum)
        if ranked.key is not None:
            self.layout = in_background(key_layout, ranked)
        return order_rows(ranked, status, stratum)

    def order(self) -> IntArray:
        """The sorted rows (waits for the sort)."""
        if self.sorting is None:
            return self.index().order
        rows = self.sorting.result()
        if self.layout is None:  # times off a 16-bit key: neighbours are compared
            self.pending = in_background(build_risk_set_index, *self.args, None, rows)
        return rows.order

    def index(self) -> RiskSetIndex:
        """The index (waits for it, and for the sort)."""
        if self.pending is None:
            order = self.order()  # the comparison layout starts here when it is needed
            if self.layout is not None:
                return layout_index(self.layout.result()._replace(order=order))
        assert self.pending is not None
        return self.pending.result()


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
