"""Covariate balance tables (MatchIt ``summary()`` / cobalt definitions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._display import Display, Displayed
from rpeval._formula import show_values
from rpeval._threads import MIN_THREADED_ROWS, thread_map
from rpeval.errors import DataError, SpecificationError
from rpeval.matching._ecdf import SortedGroups, ecdf_stats, ecdf_weights, sorted_groups
from rpeval.matching._moments import group_codes, group_moments

__all__ = [
    "BALANCE_COLUMNS",
    "BalanceTable",
    "balance",
    "balance_rows",
    "expand_columns",
    "grids_for",
    "scale_sds",
]

FloatArray = NDArray[np.float64]
Columns = FloatArray | Sequence[FloatArray]
Estimand = Literal["ATT", "ATC", "ATE"]
BALANCE_COLUMNS = (
    "term",
    "kind",
    "means_treated",
    "means_control",
    "std_mean_diff",
    "var_ratio",
    "ecdf_mean",
    "ecdf_max",
    "std_pair_dist",
)
SMD_THRESHOLD = 0.1
VAR_RATIO_RANGE = (0.5, 2.0)


def expand_columns(
    frame: pd.DataFrame, columns: Sequence[str], categorical: frozenset[str]
) -> tuple[list[str], list[FloatArray], list[bool]]:
    """Numeric columns as they are (no copy of float columns); categoricals as one 0/1
    column per level."""
    names: list[str] = []
    blocks: list[FloatArray] = []
    binary: list[bool] = []
    for column in columns:
        values = frame[column]
        numeric = pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
        if column in categorical or not numeric:
            for level in sorted(pd.unique(values), key=str):
                names.append(f"{column}_{level}")
                blocks.append(np.asarray(values == level, dtype=np.float64))
                binary.append(True)
        else:
            x = np.asarray(values, dtype=np.float64)
            names.append(column)
            blocks.append(x)
            binary.append(bool(np.isin(x, (0.0, 1.0)).all()))
    return names, blocks, binary


def _columns(X: Columns) -> list[FloatArray]:
    """The columns of a 2-D array, or the given list of 1-D columns."""
    if isinstance(X, np.ndarray):
        return [X[:, j] for j in range(X.shape[1])]
    return list(X)


def balance_rows(
    names: list[str],
    X: Columns,
    binary: list[bool],
    is_treated: NDArray[np.bool_],
    weights: FloatArray,
    scale_sd: FloatArray,
    subclass: NDArray[np.int64] | None,
    grids: list[SortedGroups | None] | None = None,
) -> pd.DataFrame:
    """One row per column of ``X`` (a 2-D array or a list of columns): the balance
    statistics with a fixed ``scale_sd``.

    ``grids`` (from :func:`grids_for`) may be passed to reuse the sorting between the
    tables before and after. Columns are worked on in threads (:mod:`._threads`)."""
    codes = group_codes(is_treated, weights)
    prepared = ecdf_weights(is_treated, weights)
    pairs = _pairs(is_treated, subclass)

    def row(j: int, x: FloatArray) -> dict[str, Any]:
        moments = group_moments(x, codes, weights)
        mc, mt = float(moments.mean[0]), float(moments.mean[1])
        sd = scale_sd[j]
        smd = (mt - mc) / sd if sd > 0 else float("nan")
        if binary[j]:
            var_ratio = float("nan")
            ecdf_mean = ecdf_max = abs(mt - mc)
        else:
            vc, vt = moments.variance
            var_ratio = float(vt / vc) if vc > 0 else float("nan")
            grid = grids[j] if grids is not None else None
            ecdf_mean, ecdf_max = ecdf_stats(x, is_treated, weights, grid, prepared)
        return {
            "term": names[j],
            "kind": "binary" if binary[j] else "continuous",
            "means_treated": mt,
            "means_control": mc,
            "std_mean_diff": smd,
            "var_ratio": var_ratio,
            "ecdf_mean": ecdf_mean,
            "ecdf_max": ecdf_max,
            "std_pair_dist": _pair_distance(x, pairs, sd),
        }

    big = len(is_treated) >= MIN_THREADED_ROWS
    rows = thread_map(lambda item: row(*item), enumerate(_columns(X)), threads=big)
    return pd.DataFrame(rows, columns=list(BALANCE_COLUMNS))


def grids_for(
    X: Columns, binary: list[bool], is_treated: NDArray[np.bool_]
) -> list[SortedGroups | None]:
    """Each continuous column's values sorted by group (``None`` for binaries)."""
    return thread_map(
        lambda item: None if item[1] else sorted_groups(item[0], is_treated),
        zip(_columns(X), binary, strict=True),
        threads=len(is_treated) >= MIN_THREADED_ROWS,
    )


class _Pairs(NamedTuple):
    treated: NDArray[np.intp]  # rows of every treated-control pair within a subclass
    control: NDArray[np.intp]
    subclass: NDArray[np.intp]  # the pair's subclass, coded 0..n_subclasses-1


def _pairs(is_treated: NDArray[np.bool_], subclass: NDArray[np.int64] | None) -> _Pairs | None:
    """Every treated-control pair within the subclasses (``subclass > 0``), found once."""
    if subclass is None:
        return None
    rows = np.flatnonzero(subclass > 0)
    frame = pd.DataFrame({"s": subclass[rows], "r": rows, "t": is_treated[rows]})
    pairs = frame[frame["t"]].merge(frame[~frame["t"]], on="s", suffixes=("_t", "_c"))
    codes = pd.factorize(pairs["s"], sort=True)[0]
    return _Pairs(
        pairs["r_t"].to_numpy(np.intp), pairs["r_c"].to_numpy(np.intp), codes.astype(np.intp)
    )


def _pair_distance(x: FloatArray, pairs: _Pairs | None, sd: float) -> float:
    """Mean |x_t - x_c| over treated-control pairs within subclasses (averaged within each
    subclass, then over subclasses), in SD units."""
    if pairs is None or sd <= 0 or pairs.treated.size == 0:
        return float("nan")
    gap = np.abs(x[pairs.treated] - x[pairs.control])
    per_subclass = np.bincount(pairs.subclass, gap) / np.bincount(pairs.subclass)
    return float(per_subclass.mean() / sd)


def scale_sds(
    X: Columns, binary: list[bool], is_treated: NDArray[np.bool_], estimand: Estimand
) -> FloatArray:
    """SD used for standardising: from the unmatched sample (treated for ATT, control for
    ATC, pooled ``sqrt((v_t + v_c)/2)`` for ATE); ``sqrt(p(1-p))`` for binaries."""
    columns = _columns(X)
    out = np.empty(len(columns))
    for j, x in enumerate(columns):

        def var(rows: NDArray[np.bool_], x: FloatArray = x, j: int = j) -> float:
            if binary[j]:
                p = x[rows].mean()
                return float(p * (1 - p))
            if np.count_nonzero(rows) < 2:  # no spread from one row (and no numpy warning)
                return float("nan")
            return float(np.var(x[rows], ddof=1))

        if estimand == "ATT":
            out[j] = np.sqrt(var(is_treated))
        elif estimand == "ATC":
            out[j] = np.sqrt(var(~is_treated))
        else:
            out[j] = np.sqrt((var(is_treated) + var(~is_treated)) / 2.0)
    return out


@dataclass(frozen=True, repr=False)
class BalanceTable(Displayed):
    """Balance before (and after) adjustment, with flags against the usual thresholds."""

    before: pd.DataFrame
    after: pd.DataFrame | None
    estimand: str
    n_dropped: int = 0  # rows left out by missing="drop"
    missing_by_column: dict[str, int] = field(default_factory=dict)  # their missing values

    def summary(self) -> pd.DataFrame:
        """Side-by-side table: ``term``, ``kind``, then ``*_before`` / ``*_after`` columns,
        and ``balanced`` (|SMD| < 0.1 and, for continuous terms, VR in [0.5, 2])."""
        current = self.after if self.after is not None else self.before
        table = self.before.merge(current, on=["term", "kind"], suffixes=("_before", "_after"))
        smd_ok = table["std_mean_diff_after"].abs() < SMD_THRESHOLD
        vr = table["var_ratio_after"]
        vr_ok = vr.isna() | vr.between(*VAR_RATIO_RANGE)
        return table.assign(balanced=smd_ok & vr_ok)

    def plot(self, ax: Any = None) -> Any:
        """Love plot of absolute standardised mean differences before and after."""
        from rpeval.matching._plots import love_plot

        return love_plot(self, ax=ax)

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimand": self.estimand,
            "n_dropped": self.n_dropped,
            "missing_by_column": dict(self.missing_by_column),
            "table": self.summary().to_dict(orient="records"),
        }

    def _display(self) -> Display:
        from rpeval.matching._display import balance_display

        return balance_display(self)


def _balance_weights(frame: pd.DataFrame, column: str, is_treated: NDArray[np.bool_]) -> FloatArray:
    """The `weights` column, checked as every weighted function checks it (finite, >= 0);
    a weight of 0 keeps its row out of the adjusted columns only (as MatchIt's unmatched
    units), but each group needs a positive total weight."""
    w = _frames.numeric_array(frame, column, arg="weights", caller="balance")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise DataError(
            f"balance(): column {column!r} (argument `weights`) must hold finite weights "
            f">= 0; {int(bad.sum())} rows do not, e.g. {show_values(frame[column][bad])}",
            hint="matching weights are >= 0 (0: not in the matched sample) and inverse-"
            "probability weights are positive; fix or drop those rows",
        )
    for in_group, name in ((True, "treated"), (False, "control")):
        if not float(w[is_treated == in_group].sum()) > 0:
            raise DataError(
                f"balance(): the weights in column {column!r} (argument `weights`) are 0 "
                f"for every {name} row, so the {name} group's weighted means are undefined",
                hint="give some rows of each group a positive weight (did matching find no pairs?)",
            )
    return w


def balance(
    data: pd.DataFrame,
    treatment: str,
    covariates: str | Sequence[str],
    *,
    weights: str | None = None,
    subclass: str | None = None,
    treated: Any = None,
    estimand: Estimand = "ATT",
    missing: Literal["error", "drop"] = "error",
) -> BalanceTable:
    """Balance of covariates between groups, unweighted and (if given) weighted.

    SMDs use the SD from the *unweighted* sample (treated SD for ATT, control for ATC,
    pooled for ATE; ``sqrt(p(1-p))`` for binaries), variance ratios are omitted for
    binaries, and eCDF statistics compare weighted empirical distributions, as MatchIt's
    ``summary()``. Categorical covariates expand to one row per level.

    ``missing`` decides what a missing value in any column read (``treatment``, the
    covariates, ``weights``, ``subclass``) does: ``"error"`` raises with the counts per
    column, ``"drop"`` leaves those rows out of both the unweighted and the weighted
    columns and counts them on the table (``n_dropped``, ``missing_by_column``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [1, 1, 0, 0, 0], "age": [20, 30, 25, 40, 50]})
    >>> float(round(balance(df, "t", ["age"]).before["std_mean_diff"].iloc[0], 4))
    -1.8856
    """
    if estimand not in ("ATT", "ATC", "ATE"):
        raise SpecificationError(
            f"balance(): estimand={estimand!r} is not supported", hint='use "ATT", "ATC" or "ATE"'
        )
    frame = _frames.as_pandas(data, arg="data", caller="balance")
    spec = _frames.resolve_covariates(covariates, arg="covariates", caller="balance")
    extra = [c for c in (weights, subclass) if c is not None]
    complete = _frames.complete_cases(
        frame, [treatment, *spec.columns, *extra], missing=missing, arg="data", caller="balance"
    )
    frame = complete.frame
    coding = _frames.treatment_indicator(
        frame, treatment, treated=treated, arg="treatment", caller="balance"
    )
    names, X, binary = expand_columns(frame, spec.columns, spec.categorical)
    sd = scale_sds(X, binary, coding.is_treated, estimand)
    ones = np.ones(len(frame))
    grids = grids_for(X, binary, coding.is_treated)
    before = balance_rows(names, X, binary, coding.is_treated, ones, sd, None, grids)
    after = None
    if weights is not None or subclass is not None:
        w = ones if weights is None else _balance_weights(frame, weights, coding.is_treated)
        codes = None
        if subclass is not None:
            codes = pd.factorize(frame[subclass])[0].astype(np.int64) + 1
        after = balance_rows(names, X, binary, coding.is_treated, w, sd, codes, grids)
    return BalanceTable(before, after, estimand, complete.n_dropped, complete.missing_by_column)
