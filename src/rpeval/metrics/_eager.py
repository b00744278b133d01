"""The first stage of the one pass on an eager pandas frame, with numpy instead of narwhals.

On pandas, narwhals evaluates an expression node by node, each node a pandas operation
with its own overhead: a batch of ten metrics is some hundreds of nodes, most of them in
the filters, and a month offset goes through ``DateOffset``. Here the filters are
evaluated on numpy arrays (:func:`rpeval.metrics.filters._numpy.compile_numpy`, compiled
once per text), the values (a column as float, a duration in days) still by narwhals in
one ``select``, and the masking by the same pandas operations narwhals would call
(``Series.where``), so the masked columns, and the sums of the group-by that follows, are
the same as on the narwhals path. A column type the numpy evaluation does not decide
raises :class:`~rpeval.metrics.filters._numpy.EagerUnsupportedError`; the caller then uses the
narwhals path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import narwhals as nw
import numpy as np
import pandas as pd

from rpeval.metrics.filters import parse_filter
from rpeval.metrics.filters._numpy import EagerUnsupportedError, MaskFunction, compile_numpy

if TYPE_CHECKING:
    from rpeval.metrics._compute import Source

__all__ = [
    "EagerFrame",
    "EagerValue",
    "column_value",
    "days_value",
    "eager_columns",
    "filled_value",
    "float_value",
]

_EPOCH_DAY = np.datetime64(0, "D")


@lru_cache(maxsize=512)
def _mask_function(text: str) -> MaskFunction:
    return compile_numpy(parse_filter(text))


def _arrays(series: pd.Series) -> np.ndarray:
    """A column's values for the numpy filters (a filler where missing)."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype):
        return series.to_numpy(dtype=object, na_value="")
    if isinstance(dtype, pd.BooleanDtype):
        return series.to_numpy(dtype=bool, na_value=False)
    if not isinstance(dtype, np.dtype):
        numpy_dtype = getattr(dtype, "numpy_dtype", None)
        if isinstance(numpy_dtype, np.dtype) and numpy_dtype.kind in "iuf":  # Int64, Float64
            filler = np.nan if numpy_dtype.kind == "f" else 0
            return series.to_numpy(dtype=numpy_dtype, na_value=filler)
        raise EagerUnsupportedError(f"column {series.name!r} of type {dtype}")
    if dtype.kind in "biufM":
        return series.to_numpy()
    if dtype.kind == "O":
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        missing = series.isna().to_numpy()
        values = series.to_numpy(dtype=object)
        if inferred == "string":
            return np.where(missing, "", values)
        if inferred == "boolean":
            return np.where(missing, False, values).astype(bool)
    raise EagerUnsupportedError(f"column {series.name!r} of type {dtype}")


class EagerFrame:
    """A pandas frame read for the numpy filters: arrays, null masks and days, each column
    converted once; filter masks cached by text; values evaluated by narwhals once."""

    def __init__(self, native: pd.DataFrame) -> None:
        self.native = native
        self.rows = len(native)
        self._values: dict[str, np.ndarray] = {}
        self._missing: dict[str, np.ndarray] = {}
        self._days: dict[str, np.ndarray] = {}
        self._masks: dict[tuple[str, ...], np.ndarray] = {}
        self.evaluated: dict[str, pd.Series] = {}
        self.memo: dict[object, Any] = {}

    def values(self, name: str) -> np.ndarray:
        if name not in self._values:
            self._values[name] = _arrays(self.native[name])
        return self._values[name]

    def missing(self, name: str) -> np.ndarray:
        if name not in self._missing:
            self._missing[name] = self.native[name].isna().to_numpy(dtype=bool)
        return self._missing[name]

    def dates(self, name: str) -> np.ndarray:
        """The day of each value, as narwhals' ``cast(Datetime("us")).dt.truncate("1d")``."""
        if name not in self._days:
            values = self.values(name)
            if values.dtype.kind != "M":
                raise EagerUnsupportedError(f"column {name!r} is used as a date")
            days = values.astype("datetime64[us]").astype("datetime64[D]")
            self._days[name] = np.where(self.missing(name), _EPOCH_DAY, days)
        return self._days[name]

    def mask(self, texts: tuple[str, ...]) -> np.ndarray:
        """Where every filter text is TRUE (the text that ``_compute.condition`` compiles)."""
        if texts not in self._masks:
            text = " and ".join(f"({text})" for text in texts)
            self._masks[texts] = _mask_function(text)(self)
        return self._masks[texts]

    def evaluate(self, wanted: dict[str, nw.Expr]) -> None:
        """Evaluate the value expressions not yet known, in one narwhals ``select``."""
        todo = {key: expr for key, expr in wanted.items() if key not in self.evaluated}
        if not todo:
            return
        aliases = {f"_v{index}": key for index, key in enumerate(todo)}
        exprs = [expr.alias(alias) for alias, expr in zip(aliases, todo.values(), strict=True)]
        result = nw.from_native(self.native, eager_only=True).select(*exprs).to_native()
        for alias, key in aliases.items():
            self.evaluated[key] = result[alias]

    def value(self, key: str, expr: nw.Expr) -> pd.Series:
        """One value expression (cached by its key)."""
        self.evaluate({key: expr})
        return self.evaluated[key]


@dataclass(frozen=True)
class EagerValue:
    """A value computed on the eager path by `compute` from the narwhals values `needs`
    (key, expression), which are evaluated first with the others in one ``select``."""

    needs: tuple[tuple[str, nw.Expr], ...]
    compute: Callable[[EagerFrame], pd.Series]


def _value_of(
    frame: EagerFrame, key: str, first: dict[str, Source], expr: nw.Expr | None = None
) -> pd.Series:
    """The value named `key`, computed as on the narwhals path: from the expression of
    the first source with that key (else `expr`)."""
    if key not in frame.evaluated:
        chosen = first.get(key)
        if chosen is not None and chosen.eager_value is not None:
            frame.evaluated[key] = chosen.eager_value.compute(frame)
        else:
            expr = chosen.value if chosen is not None else expr
            assert expr is not None
            frame.value(key, expr)
    return frame.evaluated[key]


def _keep(frame: EagerFrame, source: Source, first: dict[str, Source]) -> np.ndarray | None:
    if source.keep_key is None:
        return None
    texts = source.keep_key[0]
    assert isinstance(texts, tuple)
    keep = frame.mask(texts) if texts else None
    if source.guard is not None:
        value = _value_of(frame, source.guard[0], first, source.guard[1])
        known = ~value.isna().to_numpy(dtype=bool)
        keep = known if keep is None else keep & known
    assert keep is not None
    return keep


def eager_columns(
    native: pd.DataFrame, sources: dict[tuple[object, ...], Source]
) -> dict[tuple[object, ...], Any]:
    """The masked column of each source (None: the group's row count), as the narwhals
    path's ``_Columns.masked`` gives it."""
    frame = EagerFrame(native)
    first: dict[str, Source] = {}
    for source in sources.values():
        if source.value_key is not None:
            first.setdefault(source.value_key, source)
    wanted: dict[str, nw.Expr] = {}
    for value_key, source in first.items():
        if source.eager_value is not None:
            wanted.update(source.eager_value.needs)
        elif source.value is not None:
            wanted[value_key] = source.value
    frame.evaluate(wanted)
    masked: dict[tuple[object, ...], Any] = {}
    with np.errstate(all="ignore"):
        for key, source in sources.items():
            keep = _keep(frame, source, first)
            value = None if source.value_key is None else _value_of(frame, source.value_key, first)
            if source.op != "sum":
                assert value is not None
                masked[key] = value if keep is None else value.where(keep)
            elif value is None:
                masked[key] = None if keep is None else keep.astype(np.float64)
            else:
                masked[key] = value if keep is None else value.where(keep, 0.0)
    return masked


def column_value(column: str) -> EagerValue:
    """A column as it is (narwhals' ``nw.col(column)``)."""
    return EagerValue((), lambda frame: frame.native[column])


def float_value(column: str, key: str, expr: nw.Expr) -> EagerValue:
    """``nw.col(column).cast(nw.Float64())`` (`expr`, named `key`): numpy dtypes cast here
    as narwhals casts them, other dtypes by narwhals itself."""

    def compute(frame: EagerFrame) -> pd.Series:
        series = frame.native[column]
        dtype = series.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
            return series if dtype == np.float64 else series.astype(np.float64)
        return frame.value(key, expr)

    return EagerValue((), compute)


def days_value(end: str, start: str, key: str, expr: nw.Expr) -> EagerValue:
    """Whole days from `start` to `end` as a float (NaN where either is missing), as the
    durations form of ``_compute.value_expr`` (`expr`, named `key`) computes them."""

    def compute(frame: EagerFrame) -> pd.Series:
        try:
            days = frame.dates(end) - frame.dates(start)
        except EagerUnsupportedError:
            return frame.value(key, expr)
        values = days.astype(np.float64)
        values[frame.missing(end) | frame.missing(start)] = np.nan
        return pd.Series(values, index=frame.native.index)

    return EagerValue((), compute)


def filled_value(column: str, expr: nw.Expr) -> EagerValue:
    """``nw.col(column).cast(nw.Float64()).fill_null(0.0)`` (`expr`): numpy dtypes here
    with the pandas calls narwhals makes, other dtypes by narwhals itself."""
    key = f"filled:{column}"

    def compute(frame: EagerFrame) -> pd.Series:
        if key not in frame.evaluated:
            dtype = frame.native[column].dtype
            if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
                cast = float_value(column, key, expr).compute(frame)
                frame.evaluated[key] = cast.fillna(0.0)
            else:
                frame.value(key, expr)
        return frame.evaluated[key]

    return EagerValue((), compute)
