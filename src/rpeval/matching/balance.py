"""Covariate balance tables (MatchIt ``summary()`` / cobalt definitions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval.errors import SpecificationError

__all__ = ["BALANCE_COLUMNS", "BalanceTable", "balance", "balance_rows"]

FloatArray = NDArray[np.float64]
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


def _expand(
    frame: pd.DataFrame, columns: Sequence[str], categorical: frozenset[str]
) -> tuple[list[str], FloatArray, list[bool]]:
    """Numeric columns as they are; categoricals as one 0/1 column per level."""
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
    return names, np.column_stack(blocks), binary


def _wmean(x: FloatArray, w: FloatArray) -> float:
    return float(w @ x / w.sum())


def _wvar(x: FloatArray, w: FloatArray) -> float:
    """Weighted variance with the reliability-weights correction (as MatchIt/cobalt)."""
    s = w.sum()
    m = w @ x / s
    denom = s - (w @ w) / s
    return float(w @ (x - m) ** 2 / denom) if denom > 0 else float("nan")


def _ecdf_stats(
    x_sorted: FloatArray, treated_sorted: NDArray[np.bool_], w_sorted: FloatArray
) -> tuple[float, float]:
    """Mean and max |eCDF_t - eCDF_c| over every distinct value of the sample, matched or
    not (MatchIt's grid); the inputs are already sorted by ``x``."""
    w_t = np.where(treated_sorted, w_sorted, 0.0)
    w_c = np.where(treated_sorted, 0.0, w_sorted)
    cum_t = np.cumsum(w_t) / w_t.sum()
    cum_c = np.cumsum(w_c) / w_c.sum()
    last = np.flatnonzero(np.append(x_sorted[1:] != x_sorted[:-1], True))
    diff = np.abs(cum_t[last] - cum_c[last])
    return float(diff.mean()), float(diff.max())


def balance_rows(
    names: list[str],
    X: FloatArray,
    binary: list[bool],
    is_treated: NDArray[np.bool_],
    weights: FloatArray,
    scale_sd: FloatArray,
    subclass: NDArray[np.int64] | None,
    orders: list[NDArray[np.intp]] | None = None,
) -> pd.DataFrame:
    """One row per column of ``X``: the balance statistics with a fixed ``scale_sd``.

    ``orders`` (each column's argsort) may be passed to reuse sorting between tables."""
    rows = []
    t, c = is_treated & (weights > 0), ~is_treated & (weights > 0)
    for j, name in enumerate(names):
        x = X[:, j]
        order = orders[j] if orders is not None else np.argsort(x)
        mt, mc = _wmean(x[t], weights[t]), _wmean(x[c], weights[c])
        sd = scale_sd[j]
        smd = (mt - mc) / sd if sd > 0 else float("nan")
        if binary[j]:
            var_ratio = float("nan")
            ecdf_mean = ecdf_max = abs(mt - mc)
        else:
            vc = _wvar(x[c], weights[c])
            var_ratio = _wvar(x[t], weights[t]) / vc if vc > 0 else float("nan")
            ecdf_mean, ecdf_max = _ecdf_stats(x[order], is_treated[order], weights[order])
        rows.append(
            {
                "term": name,
                "kind": "binary" if binary[j] else "continuous",
                "means_treated": mt,
                "means_control": mc,
                "std_mean_diff": smd,
                "var_ratio": var_ratio,
                "ecdf_mean": ecdf_mean,
                "ecdf_max": ecdf_max,
                "std_pair_dist": _pair_distance(x, is_treated, subclass, sd),
            }
        )
    return pd.DataFrame(rows, columns=list(BALANCE_COLUMNS))


def _pair_distance(
    x: FloatArray, is_treated: NDArray[np.bool_], subclass: NDArray[np.int64] | None, sd: float
) -> float:
    """Mean |x_t - x_c| over treated-control pairs within subclasses, in SD units."""
    if subclass is None or sd <= 0:
        return float("nan")
    frame = pd.DataFrame({"s": subclass, "x": x, "t": is_treated})[subclass > 0]
    pairs = frame[frame["t"]].merge(frame[~frame["t"]], on="s", suffixes=("_t", "_c"))
    if pairs.empty:
        return float("nan")
    per_subclass = (pairs["x_t"] - pairs["x_c"]).abs().groupby(pairs["s"]).mean()
    return float(per_subclass.mean() / sd)


def scale_sds(
    X: FloatArray, binary: list[bool], is_treated: NDArray[np.bool_], estimand: Estimand
) -> FloatArray:
    """SD used for standardising: from the unmatched sample (treated for ATT, control for
    ATC, pooled ``sqrt((v_t + v_c)/2)`` for ATE); ``sqrt(p(1-p))`` for binaries."""
    out = np.empty(X.shape[1])
    for j in range(X.shape[1]):
        x = X[:, j]

        def var(rows: NDArray[np.bool_], x: FloatArray = x, j: int = j) -> float:
            if binary[j]:
                p = x[rows].mean()
                return float(p * (1 - p))
            return float(np.var(x[rows], ddof=1))

        if estimand == "ATT":
            out[j] = np.sqrt(var(is_treated))
        elif estimand == "ATC":
            out[j] = np.sqrt(var(~is_treated))
        else:
            out[j] = np.sqrt((var(is_treated) + var(~is_treated)) / 2.0)
    return out


@dataclass(frozen=True)
class BalanceTable:
    """Balance before (and after) adjustment, with flags against the usual thresholds."""

    before: pd.DataFrame
    after: pd.DataFrame | None
    estimand: str

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
        return {"estimand": self.estimand, "table": self.summary().to_dict(orient="records")}

    def _repr_html_(self) -> str:
        return self.summary().to_html(index=False, float_format="{:.4f}".format)


def balance(
    data: pd.DataFrame,
    treatment: str,
    covariates: str | Sequence[str],
    *,
    weights: str | None = None,
    subclass: str | None = None,
    treated: Any = None,
    estimand: Estimand = "ATT",
) -> BalanceTable:
    """Balance of covariates between groups, unweighted and (if given) weighted.

    SMDs use the SD from the *unweighted* sample (treated SD for ATT, control for ATC,
    pooled for ATE; ``sqrt(p(1-p))`` for binaries), variance ratios are omitted for
    binaries, and eCDF statistics compare weighted empirical distributions, as MatchIt's
    ``summary()``. Categorical covariates expand to one row per level.

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
    _frames.complete_cases(
        frame, [treatment, *spec.columns, *extra], missing="error", arg="data", caller="balance"
    )
    coding = _frames.treatment_indicator(
        frame, treatment, treated=treated, arg="treatment", caller="balance"
    )
    names, X, binary = _expand(frame, spec.columns, spec.categorical)
    sd = scale_sds(X, binary, coding.is_treated, estimand)
    ones = np.ones(len(frame))
    before = balance_rows(names, X, binary, coding.is_treated, ones, sd, None)
    after = None
    if weights is not None or subclass is not None:
        w = (
            ones
            if weights is None
            else _frames.numeric_array(frame, weights, arg="weights", caller="balance")
        )
        codes = None
        if subclass is not None:
            codes = pd.factorize(frame[subclass])[0].astype(np.int64) + 1
        after = balance_rows(names, X, binary, coding.is_treated, w, sd, codes)
    return BalanceTable(before, after, estimand)
