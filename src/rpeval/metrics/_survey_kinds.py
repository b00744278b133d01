"""Design-based metrics: ``survey_mean`` and ``survey_proportion``.

A survey metric reads every row of its table (respondents and non-respondents alike, so
that a PSU without a member of a cell still counts in its stratum, as R survey's
``svyby`` does), weights them by the declared ``design.weights`` and takes its variance
from the one-stage design ``svydesign(id=~psu, strata=~strata, weights=~weights)``
(Taylor linearisation, :mod:`rpeval._design_variance`). The published numerator and
denominator are weighted sums (estimated population counts); small-cell suppression looks
at the unweighted respondents behind them.

Intervals: ``wald`` is ``confint(svymean(...))`` (normal quantile); ``logit`` is
``svyciprop(method="logit")`` (Student's t with the cell's design degrees of freedom,
Clopper–Pearson on the respondents when the share is exactly 0 or 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import narwhals as nw
import numpy as np
import pandas as pd

from rpeval._design_variance import domain_means, one_stage
from rpeval._lazy import stats
from rpeval.errors import DataError
from rpeval.metrics._compute import CellAggregates, condition, value_expr
from rpeval.metrics.intervals import Interval
from rpeval.metrics.schema import DesignColumns, MetricDefinition

__all__ = ["SURVEY_KINDS", "survey_cells", "survey_interval"]

SURVEY_KINDS: Final = frozenset({"survey_mean", "survey_proportion"})
_IN, _Y = "_rp_in", "_rp_y"


def _rows(definition: MetricDefinition, frame: nw.LazyFrame[Any], by: list[str]) -> pd.DataFrame:
    """Every row: by columns, design columns, the cell membership flag and the response."""
    design = definition.design
    assert design is not None
    if definition.kind == "survey_mean":
        assert definition.value is not None
        value = value_expr(definition)
        inside = condition(definition.value.where)
        member = ~value.is_null() if inside is None else (inside & ~value.is_null())
        response = value.fill_null(0.0)
    else:
        assert definition.numerator is not None
        assert definition.denominator is not None
        denominator = condition(definition.denominator.where)
        numerator = condition(definition.numerator.where)
        member = nw.lit(True) if denominator is None else denominator
        hit = nw.lit(True) if numerator is None else numerator.fill_null(False)
        response = nw.when(hit).then(1.0).otherwise(0.0)
    columns = list(dict.fromkeys([*by, *design.columns]))
    query = frame.select(
        *(nw.col(c) for c in columns),
        member.fill_null(False).alias(_IN),
        response.cast(nw.Float64()).alias(_Y),
    )
    native = query.collect(backend="pandas").to_native()
    assert isinstance(native, pd.DataFrame)
    return native


def _codes(rows: pd.DataFrame, column: str | None, role: str, metric: str) -> np.ndarray:
    if column is None:
        return np.zeros(len(rows), dtype=np.int64)
    missing = rows[column].isna().to_numpy(dtype=bool)
    if missing.any():
        raise DataError(
            f"metric {metric!r}: the design's {role} column {column!r} has "
            f"{int(missing.sum())} missing values",
            hint="every row of a survey table needs its stratum and PSU",
        )
    return np.asarray(pd.factorize(rows[column], sort=True)[0], dtype=np.int64)


def _weights(rows: pd.DataFrame, design: DesignColumns, metric: str) -> np.ndarray:
    raw = pd.to_numeric(rows[design.weights], errors="coerce")
    weights = raw.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(weights) | (weights <= 0)
    if bad.any():
        raise DataError(
            f"metric {metric!r}: the weights column {design.weights!r} must hold numbers > 0; "
            f"{int(bad.sum())} rows are missing, not numeric, zero or negative",
            hint="a sampling weight is 1 / the probability of selection; drop rows that were "
            "not sampled rather than giving them weight 0",
        )
    return weights


def _cell_codes(rows: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    if not by:
        return np.zeros(len(rows), dtype=np.int64), pd.DataFrame(index=[0])
    code = rows.groupby(by, dropna=False, sort=False).ngroup().to_numpy(dtype=np.int64)
    first = np.unique(code, return_index=True)[1]
    return code, rows[by].iloc[first].reset_index(drop=True)


def survey_cells(
    definition: MetricDefinition, frame: nw.LazyFrame[Any], by: list[str]
) -> CellAggregates:
    """Weighted sums, linearised SEs and design df of a survey metric per ``by`` cell."""
    design = definition.design
    assert design is not None
    rows = _rows(definition, frame, by)
    if rows.empty:
        raise DataError(f"metric {definition.name!r}: the survey table has no rows")
    weights = _weights(rows, design, definition.name)
    stratum = _codes(rows, design.strata, "strata", definition.name)
    psu = _codes(rows, design.psu, "psu", definition.name) if design.psu else np.arange(len(rows))
    cluster = np.asarray(pd.factorize(stratum * (int(psu.max()) + 1) + psu)[0], dtype=np.int64)
    try:
        stage = one_stage(stratum, cluster, design.lonely_psu)
    except ValueError as error:
        raise DataError(
            f"metric {definition.name!r}: {error} (strata column {design.strata!r}), so their "
            "variance cannot be estimated",
            hint="set design.lonely_psu to 'remove', 'adjust' or 'average', or merge strata",
        ) from error
    cell, keys = _cell_codes(rows, by)
    member = rows[_IN].to_numpy(dtype=bool)
    dom = np.where(member, cell, -1)
    y = rows[_Y].to_numpy(dtype=np.float64)
    means = domain_means(stage, weights, y, dom, len(keys))
    responding = np.bincount(cell[member], minlength=len(keys)).astype(np.float64)
    yes = np.bincount(cell[member], weights=y[member], minlength=len(keys))
    cells = keys.copy() if by else pd.DataFrame(index=[0])
    cells["numerator"] = means.weight * np.where(means.weight > 0, means.estimate, 0.0)
    cells["denominator"] = means.weight
    cells["std_error"] = means.std_error
    cells["design_df"] = means.df
    cells["respondents"] = responding
    if definition.kind == "survey_proportion":  # the smallest count a cell would reveal
        candidates = np.stack([responding, yes, responding - yes])
        positive = np.where(candidates > 0, candidates, np.inf).min(axis=0)
        cells["cell_count"] = np.where(np.isfinite(positive), positive, 0.0)
    else:
        cells["cell_count"] = responding
    return CellAggregates(cells.reset_index(drop=True), tuple(by))


def survey_interval(
    definition: MetricDefinition, row: Mapping[str, Any], conf_level: float
) -> Interval:
    """The ``wald`` or ``logit`` interval of one published survey cell."""
    method = definition.interval_method
    if method == "none":
        return Interval(None, None)
    p = float(row["numerator"]) / float(row["denominator"])
    se = float(row["std_error"])
    if method == "wald":
        z = float(stats.norm.ppf(0.5 + conf_level / 2))
        return Interval(p - z * se, p + z * se)
    df, n = float(row["design_df"]), float(row["respondents"])
    alpha = 1 - conf_level
    if p <= 0:
        return Interval(0.0, float(stats.beta.ppf(1 - alpha / 2, 1.0, n)))
    if p >= 1:
        return Interval(float(stats.beta.ppf(alpha / 2, n, 1.0)), 1.0)
    if df <= 0:
        return Interval(None, None)
    half = float(stats.t.ppf(0.5 + conf_level / 2, df)) * se / (p * (1 - p))
    eta = math.log(p / (1 - p))
    return Interval(1 / (1 + math.exp(-(eta - half))), 1 / (1 + math.exp(-(eta + half))))
