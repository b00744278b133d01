"""Building a survey design from its columns: strata and cluster codes stage by stage,
finite-population sizes, weights, and each stage's variance factors and lonely strata.

Split from :mod:`rpeval.surveys.design` so that the class keeps to its contract; these
functions run once, in ``SurveyDesign.__init__``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._design_variance import TINY_FRACTION, Stage
from rpeval._formula import show_values
from rpeval._frames import numeric_array
from rpeval.errors import DataError, SpecificationError

__all__ = [
    "StageInput",
    "build_stages",
    "codes",
    "fpc_kind",
    "popsize",
    "row_weights",
    "stage_inputs",
]

_CALLER = "SurveyDesign"
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def codes(frame: pd.DataFrame, columns: list[str], arg: str) -> IntArray:
    """Integer codes of the combinations of ``columns``; missing values raise."""
    for column in columns:
        missing = frame[column].isna().to_numpy(dtype=bool)
        if missing.any():
            raise DataError(
                f"{_CALLER}(): column {column!r} (argument `{arg}`) has {int(missing.sum())} "
                f"missing values (rows {show_values(frame.index[missing])})",
                hint="every respondent needs a stratum and cluster: fix those rows, or pass "
                "missing='drop' to take them out of the sample (see SurveyDesign)",
            )
    if len(columns) == 1:
        codes = pd.factorize(frame[columns[0]], sort=True)[0]
    else:
        index = pd.MultiIndex.from_frame(frame[columns])
        codes = pd.factorize(index, sort=True)[0]
    return np.asarray(codes, dtype=np.int64)


def _combine(*codes: IntArray) -> IntArray:
    stacked = pd.MultiIndex.from_arrays(list(codes))
    return np.asarray(pd.factorize(stacked, sort=True)[0], dtype=np.int64)


def _count_clusters(stratum: IntArray, cluster: IntArray, n_strata: int) -> FloatArray:
    first = np.unique(cluster, return_index=True)[1]
    return np.bincount(stratum[first], minlength=n_strata).astype(np.float64)


@dataclass(frozen=True)
class StageInput:
    stratum: IntArray
    cluster: IntArray
    n_psu: FloatArray  # per stratum
    popsize: FloatArray  # per stratum, inf without fpc


def popsize(
    frame: pd.DataFrame, column: str, stage: StageInput, fraction: bool, number: int
) -> FloatArray:
    values = numeric_array(frame, column, arg="fpc", caller=_CALLER)
    n_strata = len(stage.n_psu)
    low = np.full(n_strata, np.inf)
    high = np.full(n_strata, -np.inf)
    np.minimum.at(low, stage.stratum, values)
    np.maximum.at(high, stage.stratum, values)
    if np.any(low != high):
        raise DataError(
            f"{_CALLER}(): column {column!r} (argument `fpc`) varies within a stratum at "
            f"stage {number}",
            hint="the fpc is the population size (or sampling fraction) of the whole stratum",
        )
    popsize = stage.n_psu / low if fraction else low
    if np.any(popsize < stage.n_psu * (1 - 1e-12)):
        raise DataError(
            f"{_CALLER}(): column {column!r} (argument `fpc`) implies more than 100% "
            f"sampling in some strata at stage {number}",
            hint="give the population count of units (or the fraction sampled) per stratum",
        )
    return np.asarray(popsize, dtype=np.float64)


def stage_inputs(
    frame: pd.DataFrame, stratum: IntArray, psu_cols: list[str], nest: bool, has_strata: bool
) -> list[StageInput]:
    n = len(frame)
    n_strata = int(stratum.max()) + 1
    if not psu_cols:
        cluster = np.arange(n, dtype=np.int64)
        n_psu = np.bincount(stratum, minlength=n_strata).astype(np.float64)
        if n == 1:
            raise DataError(f"{_CALLER}(): the design has only one primary sampling unit")
        return [StageInput(stratum, cluster, n_psu, np.full(n_strata, np.inf))]
    level_codes = [codes(frame, [c], "psu") for c in psu_cols]
    first = level_codes[0]
    if nest:
        first = _combine(stratum, first)
    elif has_strata:
        pairs = pd.DataFrame({"psu": first, "stratum": stratum}).drop_duplicates()
        twice = pairs["psu"].duplicated(keep=False).to_numpy()
        if twice.any():
            labels = frame[psu_cols[0]].to_numpy()[np.isin(first, pairs["psu"].to_numpy()[twice])]
            raise DataError(
                f"{_CALLER}(): PSUs of column {psu_cols[0]!r} (argument `psu`) appear in "
                f"more than one stratum, e.g. {show_values(pd.unique(labels))}",
                hint="if PSU labels restart within each stratum, pass nest=True",
            )
    if np.unique(first).size == 1 and not (nest and has_strata):
        raise DataError(
            f"{_CALLER}(): the design has only one primary sampling unit (column {psu_cols[0]!r})",
            hint="a variance needs at least two PSUs; check the `psu` column",
        )
    stages = []
    stage_stratum, cluster = stratum, first
    for number in range(len(psu_cols)):
        if number > 0:
            stage_stratum = cluster
            cluster = _combine(cluster, level_codes[number])
        n_st = int(stage_stratum.max()) + 1
        n_psu = _count_clusters(stage_stratum, cluster, n_st)
        stages.append(StageInput(stage_stratum, cluster, n_psu, np.full(n_st, np.inf)))
    return stages


def fpc_kind(frame: pd.DataFrame, fpc_cols: list[str]) -> bool:
    """True when the fpc columns hold sampling fractions, False for population sizes."""
    if not fpc_cols:
        return False
    values = np.concatenate([numeric_array(frame, c, arg="fpc", caller=_CALLER) for c in fpc_cols])
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise DataError(
            f"{_CALLER}(): `fpc` must hold finite positive numbers; found "
            f"{show_values(pd.Series(values[~(np.isfinite(values) & (values > 0))]))}"
        )
    big, small = np.any(values > 1), np.any(values < 1)
    if big and small:
        raise DataError(
            f"{_CALLER}(): `fpc` mixes population sizes (> 1) and sampling fractions (< 1)",
            hint="give either population sizes everywhere or fractions everywhere",
        )
    return not big


def row_weights(
    frame: pd.DataFrame, column: str | None, stages: list[StageInput], has_fpc: bool
) -> FloatArray:
    if column is None:
        weights = np.ones(len(frame))
        if has_fpc:
            for stage in stages:
                weights *= (stage.popsize / stage.n_psu)[stage.stratum]
        return weights
    weights = numeric_array(frame, column, arg="weights", caller=_CALLER, allow_missing=True)
    bad = ~np.isfinite(weights) | (weights <= 0)
    if bad.any():
        missing = np.isnan(weights)
        what = f"{int(missing.sum())} missing" if missing.any() else ""
        if (bad & ~missing).any():
            shown = show_values(frame[column][bad & ~missing])
            what += (" and " if what else "") + f"non-positive or infinite values ({shown})"
        drop = "; missing='drop' takes rows without one out of the sample" if missing.any() else ""
        raise DataError(
            f"{_CALLER}(): column {column!r} (argument `weights`) must hold sampling "
            f"weights > 0; found {what}",
            hint="a sampling weight is 1 / the probability of selection; drop respondents "
            "who were not sampled rather than giving them weight 0" + drop,
        )
    return np.asarray(weights, dtype=np.float64)


def build_stages(
    inputs: list[StageInput], lonely_psu: str, labels: list[str]
) -> tuple[tuple[Stage, ...], int]:
    stages: list[Stage] = []
    multiplier = np.ones(len(inputs[0].stratum))
    n_lonely = 0
    for number, item in enumerate(inputs, start=1):
        fraction = np.where(np.isinf(item.popsize), 1.0, 1.0 - item.n_psu / item.popsize)
        fraction = np.where(fraction < TINY_FRACTION, 0.0, fraction)
        lonely = (item.n_psu == 1) & (fraction > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(item.n_psu > 1, fraction * item.n_psu / (item.n_psu - 1), fraction)
        first_row = np.zeros(len(item.n_psu), dtype=np.int64)
        first_row[item.stratum[::-1]] = np.arange(len(item.stratum))[::-1]
        scale = scale * multiplier[first_row]
        if lonely.any():
            n_lonely += int(lonely.sum())
            if lonely_psu == "fail":
                which = np.flatnonzero(lonely)
                named = (
                    f" ({show_values(pd.Series([labels[i] for i in which]))})"
                    if number == 1
                    else ""
                )
                raise DataError(
                    f"{_CALLER}(): {len(which)} strata have a single PSU at stage "
                    f"{number}{named}, so their variance cannot be estimated",
                    hint="pass lonely_psu='remove', 'adjust' or 'average' (see the "
                    "docstring), or merge those strata with similar ones",
                )
            if lonely_psu == "average" and number > 1:
                raise SpecificationError(
                    f"{_CALLER}(): lonely_psu='average' is only defined for first-stage "
                    f"strata; stage {number} has single-unit clusters",
                    hint="use lonely_psu='remove' or 'adjust'",
                )
        centre = ~(lonely & (lonely_psu == "adjust"))
        stages.append(
            Stage(
                stratum=item.stratum,
                cluster=item.cluster,
                n_strata=len(item.n_psu),
                n_clusters=int(item.cluster.max()) + 1,
                n_psu=item.n_psu,
                scale=np.asarray(scale, dtype=np.float64),
                centre=np.asarray(centre, dtype=np.bool_),
                lonely=np.asarray(lonely, dtype=np.bool_),
                average_lonely=lonely_psu == "average",
            )
        )
        with np.errstate(divide="ignore"):
            multiplier = multiplier * (item.n_psu / item.popsize)[item.stratum]
    return tuple(stages), n_lonely
