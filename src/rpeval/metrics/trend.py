"""Is it a change? Period-over-period changes, a trend test, and last N versus previous N.

For proportions the trend test is Cochran–Armitage (scores: the period's position, so a gap
keeps its spacing), equal to R's ``prop.trend.test`` (whose χ² is z²). For rates and counts
it is a Poisson (or negative-binomial) regression of the count on the period's position with
log exposure as offset and HC0 robust standard errors, so extra-Poisson variation between
periods widens the interval. For means it is least squares of the period means on position
with HC1 standard errors.

>>> import pandas as pd
>>> table = pd.DataFrame({"period": [1, 2, 3, 4], "numerator": [10, 14, 18, 25],
...                       "denominator": [50, 50, 50, 50]})
>>> result = trend(table, kind="proportion", last=2)
>>> row = result.summary().set_index("term").loc["trend"]
>>> print(row["method"], round(row["statistic"], 4), round(row["p_value"], 5))
Cochran-Armitage 3.2829 0.00103
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._inference import two_sided_p, z_quantile
from rpeval._options import check_conf_level
from rpeval._plots import OKABE_ITO
from rpeval.errors import DataError, SpecificationError
from rpeval.metrics._chart_input import PeriodSeries, period_series
from rpeval.metrics.table import MetricTable

__all__ = ["TrendResult", "trend"]

TrendKind = Literal["proportion", "rate", "count", "mean"]
SUMMARY_COLUMNS: Final = (
    "term", "method", "estimate", "std_error", "statistic", "p_value", "ci_lower", "ci_upper",
)  # fmt: skip
Array = NDArray[np.float64]


@dataclass(frozen=True, repr=False)
class TrendResult(Displayed):
    """Changes between consecutive periods, a trend test, and last N versus previous N.

    ``summary()`` rows (``term``): ``trend`` (the test; for rates and counts the estimate is
    the rate ratio per period, for means the change per period, for proportions the
    difference per period from a linear fit), then ``last_minus_previous`` and
    ``last_over_previous`` when ``last`` was given. ``changes`` has one row per consecutive
    pair of plotted periods: ``period``, ``previous``, ``value``, ``previous_value``,
    ``difference`` and ``ratio`` each with ``_ci_lower``/``_ci_upper``.
    """

    metric: str | None
    kind: str
    conf_level: float
    table: pd.DataFrame = field(repr=False)
    changes: pd.DataFrame = field(repr=False)
    last: int | None = None

    def summary(self) -> pd.DataFrame:
        """The test and the window comparison (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: settings, summary rows and changes (missing values as None)."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            clean = frame.astype(object).where(frame.notna(), None)
            return [{str(k): v for k, v in r.items()} for r in clean.to_dict("records")]

        changes = self.changes.assign(
            period=self.changes["period"].astype(str), previous=self.changes["previous"].astype(str)
        )
        return {
            "metric": self.metric,
            "kind": self.kind,
            "conf_level": self.conf_level,
            "last": self.last,
            "summary": records(self.table),
            "changes": records(changes),
        }

    def plot(self, ax: Any = None) -> Any:
        """Period-over-period differences with their intervals; returns ``ax``."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8.0, 3.2), layout="constrained")
        frame = self.changes
        x = np.arange(len(frame))
        est = frame["difference"].to_numpy(float)
        low = est - frame["difference_ci_lower"].to_numpy(float)
        high = frame["difference_ci_upper"].to_numpy(float) - est
        ax.errorbar(x, est, yerr=[low, high], fmt="o", color=OKABE_ITO["blue"], capsize=3)
        ax.axhline(0.0, color="#000000", linewidth=0.8)
        ax.set_xticks(x)
        ax.set_xticklabels(frame["period"].astype(str), rotation=45, ha="right")
        ax.set_ylabel("change from previous period")
        ax.set_title(f"Period-over-period change: {self.metric or 'series'}")
        ax.spines[["top", "right"]].set_visible(False)
        return ax

    def _display(self) -> Display:
        header = (
            ("conf_level", f"{self.conf_level:.0%}"),
            ("periods compared", str(len(self.changes))),
        )
        notes = ("Each period against the one before: .changes (and plot()).",)
        title = f"Trend of {self.metric or 'series'} ({self.kind})"
        return Display(title, header, self.table, notes)


def _standard_errors(series: PeriodSeries, kind: str, table: object) -> Array:
    """Per-period SE of the value (means: from the table's CI, or a ``std_error`` column)."""
    x, n, v = series.numerator, series.denominator, series.value
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "proportion":
            return np.asarray(np.sqrt(v * (1 - v) / n), float)
        if kind in ("rate", "count"):
            return np.asarray(np.sqrt(x) / n, float)
    if series.std_error is not None:
        return series.std_error
    if isinstance(table, MetricTable) and series.ci_width is not None:
        z = z_quantile(table.conf_level)
        return np.asarray(series.ci_width / (2 * z), float)
    raise DataError(
        "trend(): a mean needs its per-period standard errors: a MetricTable (its CIs are "
        "used) or a `std_error` column"
    )


def _interval(est: Array, se: Array, z: float) -> tuple[Array, Array]:
    return est - z * se, est + z * se


def _changes(series: PeriodSeries, kind: str, se: Array, z: float) -> pd.DataFrame:
    keep = np.flatnonzero(np.isfinite(series.value) & np.isfinite(se))
    a, b = keep[:-1], keep[1:]
    v, x, n = series.value, series.numerator, series.denominator
    diff = v[b] - v[a]
    diff_se = np.sqrt(se[a] ** 2 + se[b] ** 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "proportion":
            log_se = np.sqrt(1 / x[b] - 1 / n[b] + 1 / x[a] - 1 / n[a])
        elif kind in ("rate", "count"):
            log_se = np.sqrt(1 / x[b] + 1 / x[a])
        else:
            log_se = np.sqrt((se[b] / v[b]) ** 2 + (se[a] / v[a]) ** 2)
        ratio = v[b] / v[a]
        log_low, log_high = _interval(np.log(ratio), log_se, z)
    low, high = _interval(diff, diff_se, z)
    finite = np.isfinite(log_se) & (ratio > 0)
    return pd.DataFrame(
        {
            "period": series.periods[b],
            "previous": series.periods[a],
            "value": v[b],
            "previous_value": v[a],
            "difference": diff,
            "difference_ci_lower": low,
            "difference_ci_upper": high,
            "ratio": np.where(np.isfinite(ratio), ratio, np.nan),
            "ratio_ci_lower": np.where(finite, np.exp(log_low), np.nan),
            "ratio_ci_upper": np.where(finite, np.exp(log_high), np.nan),
        }
    )


def _row(
    term: str, method: str, est: float, se: float, z: float, log: bool = False
) -> dict[str, Any]:
    stat = (np.log(est) if log else est) / se if se > 0 else np.nan
    centre = np.log(est) if log else est
    low, high = centre - z * se, centre + z * se
    return {
        "term": term,
        "method": method,
        "estimate": est,
        "std_error": se,
        "statistic": stat,
        "p_value": two_sided_p(stat) if np.isfinite(stat) else np.nan,
        "ci_lower": float(np.exp(low)) if log else low,
        "ci_upper": float(np.exp(high)) if log else high,
    }


def _cochran_armitage(x: Array, n: Array, t: Array, z: float) -> dict[str, Any]:
    p = x.sum() / n.sum()
    weighted_t = (n * t).sum() / n.sum()
    statistic_num = (x * (t - weighted_t)).sum()
    sxx = (n * (t - weighted_t) ** 2).sum()
    if p in (0.0, 1.0) or sxx == 0:
        raise DataError("trend(): the proportion is 0 or 1 in every period; no trend to test")
    statistic = statistic_num / np.sqrt(p * (1 - p) * sxx)
    slope = statistic_num / sxx  # weighted least-squares slope of p on t
    se = np.sqrt(p * (1 - p) / sxx)
    row = _row("trend", "Cochran-Armitage", float(slope), float(se), z)
    row["statistic"] = float(statistic)
    row["p_value"] = two_sided_p(float(statistic))
    return row


def _count_regression(x: Array, n: Array, t: Array, z: float, model: str) -> dict[str, Any]:
    import statsmodels.api as sm

    design = sm.add_constant(t)
    if model == "poisson":
        fit = sm.GLM(x, design, family=sm.families.Poisson(), offset=np.log(n)).fit(cov_type="HC0")
        method = "Poisson regression, robust SE"
    else:
        fit = sm.NegativeBinomial(x, design, exposure=n).fit(disp=0, cov_type="HC0")
        method = "negative-binomial regression, robust SE"
    slope, se = float(fit.params[1]), float(fit.bse[1])
    return _row("trend", method, float(np.exp(slope)), se, z, log=True)


def _mean_regression(v: Array, t: Array, z: float) -> dict[str, Any]:
    import statsmodels.api as sm

    fit = sm.OLS(v, sm.add_constant(t)).fit(cov_type="HC1")
    return _row(
        "trend", "least squares on period means, HC1 SE", float(fit.params[1]), float(fit.bse[1]), z
    )


def _windows(
    series: PeriodSeries, kind: str, se: Array, last: int, z: float
) -> list[dict[str, Any]]:
    keep = np.flatnonzero(np.isfinite(series.value) & np.isfinite(se))
    if len(keep) < 2 * last:
        raise DataError(
            f"trend(): last={last} needs {2 * last} plotted periods, the series has {len(keep)}",
            hint="choose a smaller `last`",
        )
    recent, before = keep[-last:], keep[-2 * last : -last]
    x, n = series.numerator, series.denominator
    if kind == "mean":
        v1 = (x[recent].sum()) / n[recent].sum()
        v0 = (x[before].sum()) / n[before].sum()
        s1 = np.sqrt(((se[recent] * n[recent]) ** 2).sum()) / n[recent].sum()
        s0 = np.sqrt(((se[before] * n[before]) ** 2).sum()) / n[before].sum()
        log_se = float(np.sqrt((s1 / v1) ** 2 + (s0 / v0) ** 2))
    else:
        x1, n1, x0, n0 = x[recent].sum(), n[recent].sum(), x[before].sum(), n[before].sum()
        v1, v0 = x1 / n1, x0 / n0
        if kind == "proportion":
            s1, s0 = np.sqrt(v1 * (1 - v1) / n1), np.sqrt(v0 * (1 - v0) / n0)
            log_se = float(np.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0))
        else:
            s1, s0 = np.sqrt(x1) / n1, np.sqrt(x0) / n0
            log_se = float(np.sqrt(1 / x1 + 1 / x0))
    diff_row = _row(
        "last_minus_previous",
        f"last {last} vs previous {last}",
        float(v1 - v0),
        float(np.sqrt(s1**2 + s0**2)),
        z,
    )
    ratio_row = _row(
        "last_over_previous", f"last {last} vs previous {last}", float(v1 / v0), log_se, z, log=True
    )
    return [diff_row, ratio_row]


def trend(
    table: MetricTable | pd.DataFrame,
    metric: str | None = None,
    *,
    kind: TrendKind = "proportion",
    period: str = "period",
    cell: Mapping[str, object] | None = None,
    last: int | None = None,
    model: Literal["poisson", "negative_binomial"] = "poisson",
    conf_level: float = 0.95,
) -> TrendResult:
    """Changes between periods, a trend test and (with ``last``) last N vs previous N.

    Parameters
    ----------
    table, metric, period, cell
        As for :func:`~rpeval.metrics.control_chart`.
    kind
        ``"proportion"`` (Cochran–Armitage), ``"rate"`` or ``"count"`` (Poisson or
        negative-binomial regression on time, robust SEs) or ``"mean"`` (least squares).
    last
        Compare the pooled last ``last`` plotted periods with the ``last`` before them.
    model
        ``"poisson"`` or ``"negative_binomial"`` for rates and counts.
    conf_level
        Coverage of the intervals (Wald; ratios on the log scale).
    """
    level = check_conf_level(conf_level, caller="trend")
    if kind not in ("proportion", "rate", "count", "mean"):
        raise SpecificationError(
            f"trend(): unknown kind {kind!r}", hint="proportion, rate, count or mean"
        )
    if model not in ("poisson", "negative_binomial"):
        raise SpecificationError(
            f"trend(): unknown model {model!r}", hint="poisson or negative_binomial"
        )
    series = period_series(table, metric, period=period, cell=cell, caller="trend")
    if kind == "count":
        series = PeriodSeries(
            series.metric,
            series.periods,
            series.numerator,
            np.ones(len(series.periods)),
            series.numerator,
            series.notes,
        )  # a count: one unit of exposure per period
    z = z_quantile(level)
    se = _standard_errors(series, kind, table)
    keep = np.flatnonzero(np.isfinite(series.value) & np.isfinite(se) & (series.denominator > 0))
    if len(keep) < 3:
        raise DataError(f"trend(): {len(keep)} plotted period(s); a trend needs at least 3")
    t = keep.astype(float)
    x, n = series.numerator[keep], series.denominator[keep]
    if kind == "proportion":
        rows = [_cochran_armitage(x, n, t, z)]
    elif kind == "mean":
        rows = [_mean_regression(series.value[keep], t, z)]
    else:
        rows = [_count_regression(x, n, t, z, model)]
    if last is not None:
        if isinstance(last, bool) or not isinstance(last, int) or last < 1:
            raise SpecificationError(f"trend(): last must be a positive integer, got {last!r}")
        rows.extend(_windows(series, kind, se, last, z))
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    changes = _changes(series, kind, se, z)
    return TrendResult(series.metric, kind, level, summary, changes, last)
