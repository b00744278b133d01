"""Control charts of a metric over reporting periods, with named run rules.

>>> import pandas as pd
>>> counts = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
...           8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]
>>> cans = pd.DataFrame({"period": range(1, 31), "numerator": counts, "denominator": 50})
>>> chart = control_chart(cans, kind="p")
>>> print(round(chart.center, 4), round(chart.upper_limit, 4), round(chart.lower_limit, 4))
0.2313 0.4102 0.0524
>>> chart.fired["beyond_limits"]
('15', '23')
>>> for rule, period in chart.signals()[["rule", "period"]].values[2:]:
...     print(rule, period)
two_of_three_beyond_2 22
two_of_three_beyond_2 23
four_of_five_beyond_1 24
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from rpeval._display import Display, Displayed
from rpeval.errors import DataError, SpecificationError
from rpeval.metrics._chart_input import PeriodSeries, period_series
from rpeval.metrics._chart_limits import (
    Limits,
    c_limits,
    laney_limits,
    p_limits,
    u_limits,
    xmr_limits,
)
from rpeval.metrics._run_rules import RULE_TITLES, evaluate_rules, resolve_rules
from rpeval.metrics.table import MetricTable

__all__ = ["CHART_KINDS", "ControlChart", "control_chart"]

ChartKind = Literal["p", "u", "laney_p", "laney_u", "c", "xmr"]
CHART_KINDS: Final[dict[str, str]] = {
    "p": "p chart (proportion)",
    "u": "u chart (rate per unit of exposure)",
    "laney_p": "Laney p' chart (over-dispersed proportion)",
    "laney_u": "Laney u' chart (over-dispersed rate)",
    "c": "c chart (count)",
    "xmr": "XmR individuals chart (mean or any value)",
}
MIN_BASELINE: Final[dict[str, int]] = {"p": 2, "u": 2, "c": 2, "laney_p": 3, "laney_u": 3, "xmr": 3}
POINT_COLUMNS: Final = (
    "period", "numerator", "denominator", "value", "center", "sigma", "lcl", "ucl",
    "z", "moving_range", "baseline", "signal", "rules", "note",
)  # fmt: skip
Baseline = int | tuple[Any, Any] | None


@dataclass(frozen=True, repr=False)
class ControlChart(Displayed):
    """A control chart: per-period points, limits and the run rules that fired.

    ``summary()`` has one row per period: ``period``, ``numerator``, ``denominator``,
    ``value`` (the plotted point), ``center``, ``sigma`` (of that point), ``lcl``, ``ucl``,
    ``z`` (distance from the centre in sigmas), ``moving_range``, ``baseline`` (used to
    estimate the limits), ``signal`` (any rule fired there), ``rules`` (their names) and
    ``note``. ``signals()`` has one row per rule and period where it fired.
    """

    metric: str | None
    kind: str
    points: pd.DataFrame = field(repr=False)
    center: float
    sigma_multiplier: float
    rules: tuple[str, ...]
    fired: dict[str, tuple[str, ...]]
    baseline: tuple[str, str]
    sigma_z: float = float("nan")

    @property
    def signalled(self) -> bool:
        """True when any rule fired."""
        return any(self.fired.values())

    @property
    def upper_limit(self) -> float:
        """The upper limit of the first plotted period (constant when denominators are)."""
        return float(self.points["ucl"].dropna().iloc[0])

    @property
    def lower_limit(self) -> float:
        """The lower limit of the first plotted period (constant when denominators are)."""
        return float(self.points["lcl"].dropna().iloc[0])

    def summary(self) -> pd.DataFrame:
        """The per-period table (a copy)."""
        return self.points.copy()

    def signals(self) -> pd.DataFrame:
        """One row per firing: ``rule``, ``title``, ``period``."""
        lookup = dict(zip(self.points["period"].astype(str), self.points["period"], strict=True))
        rows = [
            {"rule": rule, "title": RULE_TITLES[rule], "period": lookup[label]}
            for rule in self.rules
            for label in self.fired[rule]
        ]
        return pd.DataFrame(rows, columns=["rule", "title", "period"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings, limits, firings and points (missing values as None)."""
        points = self.points.astype(object).where(self.points.notna(), None)
        points["period"] = self.points["period"].astype(str)
        return {
            "metric": self.metric,
            "kind": self.kind,
            "center": self.center,
            "sigma_multiplier": self.sigma_multiplier,
            "sigma_z": None if np.isnan(self.sigma_z) else self.sigma_z,
            "baseline": list(self.baseline),
            "rules": list(self.rules),
            "fired": {rule: list(periods) for rule, periods in self.fired.items()},
            "signalled": self.signalled,
            "points": points.to_dict(orient="records"),
        }

    def plot(self, ax: Any = None, *, title: str | None = None) -> Any:
        """Points, centre line, step limits, baseline band and signals; returns ``ax``."""
        from rpeval.metrics._chart_plot import plot_chart

        return plot_chart(self, ax=ax, title=title)

    def _display(self) -> Display:
        header = [
            ("centre", f"{self.center:.4g}"),
            ("periods", str(len(self.points))),
            ("baseline", f"{self.baseline[0]} to {self.baseline[1]}"),
            ("limits", f"{self.sigma_multiplier:g} sigma"),
        ]
        if not np.isnan(self.sigma_z):
            header.append(("sigma_z", f"{self.sigma_z:.4g}"))
        notes = tuple(
            f"{rule}: {', '.join(self.fired[rule]) or 'did not fire'}" for rule in self.rules
        )
        title = f"{CHART_KINDS[self.kind]} of {self.metric or 'series'}"
        return Display(title, tuple(header), None, notes)

    def _repr_html_(self) -> str:
        """The text's header and rules, with the per-period table."""
        return replace(self._display(), table=self.points).html()


def _baseline_mask(series: PeriodSeries, baseline: Baseline, plotted: np.ndarray) -> np.ndarray:
    count = len(series.periods)
    if baseline is None:
        mask = np.ones(count, bool)
    elif isinstance(baseline, int) and not isinstance(baseline, bool):
        if baseline < 1:
            raise SpecificationError(f"control_chart(): baseline={baseline} must be >= 1")
        mask = np.arange(count) < baseline
    elif isinstance(baseline, tuple) and len(baseline) == 2:
        first, last = baseline
        labels = np.array(series.labels)
        try:
            mask = np.asarray((series.periods >= first) & (series.periods <= last), bool)
        except TypeError:
            mask = (labels >= str(first)) & (labels <= str(last))
    else:
        raise SpecificationError(
            f"control_chart(): baseline must be None, a number of first periods or "
            f"(first, last), got {baseline!r}"
        )
    return np.asarray(mask & plotted, dtype=bool)


def _limits(kind: str, series: PeriodSeries, mask: np.ndarray, k: float) -> Limits:
    x, n = series.numerator, series.denominator
    if kind == "p":
        return p_limits(x, n, mask, k)
    if kind == "u":
        return u_limits(x, n, mask, k)
    if kind in ("laney_p", "laney_u"):
        return laney_limits(x, n, mask, k, proportion=kind == "laney_p")
    if kind == "c":
        return c_limits(x, mask, k)
    return xmr_limits(series.value, mask, k)


def _check_values(kind: str, series: PeriodSeries) -> np.ndarray:
    """Which periods have a point; bad numbers are DataErrors."""
    x, n, v = series.numerator, series.denominator, series.value
    if kind == "xmr":
        return np.isfinite(v)
    if kind == "c":
        if np.any(x[np.isfinite(x)] < 0):
            raise DataError("control_chart(): counts must not be negative")
        return np.isfinite(x)
    finite = np.isfinite(x) & np.isfinite(n)
    if np.any(n[finite] < 0) or np.any(x[finite] < 0):
        raise DataError("control_chart(): numerators and denominators must not be negative")
    if kind in ("p", "laney_p") and np.any(x[finite] > n[finite]):
        raise DataError(
            "control_chart(): a numerator exceeds its denominator; that is not a proportion",
            hint="use kind='u' (rate per exposure) for counts that can exceed the denominator",
        )
    return finite & (n > 0)


def control_chart(
    table: MetricTable | pd.DataFrame,
    metric: str | None = None,
    *,
    kind: ChartKind = "p",
    period: str = "period",
    cell: Mapping[str, object] | None = None,
    baseline: Baseline = None,
    rules: str | Sequence[str] = "western_electric",
    sigma_multiplier: float = 3.0,
) -> ControlChart:
    """A Shewhart control chart of one metric over periods.

    Parameters
    ----------
    table
        A :class:`MetricTable` computed with ``period=`` or a DataFrame with one row per
        period and ``numerator``/``denominator`` (p, u, Laney, c) or ``value`` (XmR).
    metric
        Which metric of the table (needed when it holds several).
    kind
        ``"p"``, ``"u"``, ``"laney_p"``, ``"laney_u"``, ``"c"`` or ``"xmr"``.
    period
        The period column; periods must be unique and increasing.
    cell
        Select one cell of the table's ``by`` columns, e.g. ``{"district": "North"}``.
    baseline
        The periods that estimate the centre and limits: ``None`` (all), ``N`` (the first
        N periods) or ``(first, last)`` (inclusive). Later periods are judged against them.
    rules
        ``"western_electric"`` (default), ``"nelson"``, ``"limits"`` or rule names.
    sigma_multiplier
        Limits at centre ± this many sigmas.

    Returns
    -------
    ControlChart
        Periods without a point (suppressed, missing, zero denominator) stay in the
        summary with a note; rules read consecutive plotted points.
    """
    if kind not in CHART_KINDS:
        raise SpecificationError(
            f"control_chart(): unknown kind {kind!r}", hint=f"choose from {', '.join(CHART_KINDS)}"
        )
    if not sigma_multiplier > 0:
        raise SpecificationError("control_chart(): sigma_multiplier must be positive")
    chosen = resolve_rules(rules)
    series = period_series(table, metric, period=period, cell=cell, caller="control_chart")
    plotted = _check_values(kind, series)
    mask = _baseline_mask(series, baseline, plotted)
    if int(mask.sum()) < MIN_BASELINE[kind]:
        raise DataError(
            f"control_chart(): the baseline has {int(mask.sum())} plotted period(s); a "
            f"{kind} chart needs at least {MIN_BASELINE[kind]} (20 or more are advised)",
            hint="widen `baseline`, or use longer periods",
        )
    limits = _limits(kind, series, mask, sigma_multiplier)
    points = _points(kind, series, limits, mask, plotted)
    labels = series.labels
    fired_at = evaluate_rules(
        points["z"].to_numpy(float), points["value"].to_numpy(float), chosen, sigma_multiplier
    )
    fired = {rule: tuple(labels[i] for i in positions) for rule, positions in fired_at.items()}
    names: list[list[str]] = [[] for _ in labels]
    for rule, positions in fired_at.items():
        for i in positions:
            names[i].append(rule)
    points["signal"] = [bool(n) for n in names]
    points["rules"] = pd.array([",".join(n) for n in names], dtype="string")
    used = np.flatnonzero(mask)
    return ControlChart(
        series.metric,
        kind,
        points,
        limits.center,
        float(sigma_multiplier),
        chosen,
        fired,
        (labels[used[0]], labels[used[-1]]),
        limits.sigma_z,
    )


def _points(
    kind: str, series: PeriodSeries, limits: Limits, mask: np.ndarray, plotted: np.ndarray
) -> pd.DataFrame:
    if kind == "c":
        value = np.where(plotted, series.numerator, np.nan)
    elif kind == "xmr":
        value = np.where(plotted, series.value, np.nan)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(plotted, series.numerator / series.denominator, np.nan)
    sigma = np.where(plotted, limits.sigma, np.nan)
    deviation = value - limits.center
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(sigma > 0, deviation / sigma, np.where(deviation == 0, 0.0, np.inf))
    z = np.where(np.isnan(deviation), np.nan, np.copysign(np.abs(z), deviation))
    finite = value[np.isfinite(value)]
    ranges = np.full(len(value), np.nan)
    ranges[np.flatnonzero(np.isfinite(value))[1:]] = np.abs(np.diff(finite))
    return pd.DataFrame(
        {
            "period": series.periods,
            "numerator": series.numerator,
            "denominator": series.denominator,
            "value": value,
            "center": limits.center,
            "sigma": sigma,
            "lcl": np.where(plotted, limits.lower, np.nan),
            "ucl": np.where(plotted, limits.upper, np.nan),
            "z": z,
            "moving_range": ranges,
            "baseline": mask,
            "signal": False,
            "rules": "",
            "note": pd.array(list(series.notes), dtype="string"),
        },
        columns=list(POINT_COLUMNS),
    )
