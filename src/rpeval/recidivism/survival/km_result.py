"""`SurvivalCurves`: Kaplan–Meier curves by group with R's summaries, quantiles and plot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._inference import z_quantile
from rpeval._json import plain_value
from rpeval.errors import SpecificationError
from rpeval.recidivism.survival._curve_intervals import (
    ConfType,
    confidence_band,
    find_quantile,
    time_grid,
)
from rpeval.recidivism.survival._product_limit import Curve, values_at

__all__ = ["AT_COLUMNS", "SUMMARY_COLUMNS", "SurvivalCurves"]

FloatArray = NDArray[np.float64]

AT_COLUMNS = (
    "group",
    "time",
    "n_risk",
    "n_event",
    "survival",
    "std_error",
    "ci_lower",
    "ci_upper",
)


SUMMARY_COLUMNS = (
    "group",
    "time",
    "n_risk",
    "n_event",
    "n_censor",
    "survival",
    "std_error",
    "ci_lower",
    "ci_upper",
)


@dataclass(frozen=True, repr=False)
class SurvivalCurves(Displayed):
    """Kaplan–Meier curves, one per group, with pointwise confidence intervals.

    ``groups`` holds the values of the ``group`` column in sorted order (``("all",)``
    without one); ``curves[k]`` is the curve of ``groups[k]`` at every distinct time of
    that group. ``variance`` is ``"greenwood"`` or ``"robust"``.
    """

    groups: tuple[Any, ...]
    group_column: str | None
    curves: tuple[Curve, ...] = field(repr=False)
    conf_level: float
    conf_type: ConfType
    variance: Literal["greenwood", "robust"]
    weighted: bool
    n: FloatArray
    n_events: FloatArray
    n_dropped: int

    def _band(self, curve: Curve) -> tuple[FloatArray, FloatArray]:
        return confidence_band(
            curve.survival, curve.se_log, self.conf_type, z_quantile(self.conf_level)
        )

    def summary(self, *, censored: bool = False) -> pd.DataFrame:
        """The curves as a table, one row per group and time.

        Parameters
        ----------
        censored
            Also list times with censorings but no event (R ``summary(fit, censored=TRUE)``).

        Returns
        -------
        pandas.DataFrame
            ``group``, ``time``, ``n_risk`` (weight at risk just before ``time``),
            ``n_event``, ``n_censor`` (weights at ``time``), ``survival`` (including the
            events at ``time``), ``std_error`` (of the survival probability, as R's
            ``summary.survfit``), ``ci_lower``, ``ci_upper``.
        """
        frames = []
        for label, curve in zip(self.groups, self.curves, strict=True):
            lower, upper = self._band(curve)
            rows = np.ones(curve.time.shape[0], bool) if censored else curve.n_event > 0
            frame = pd.DataFrame(
                {
                    "time": curve.time,
                    "n_risk": curve.n_risk,
                    "n_event": curve.n_event,
                    "n_censor": curve.n_censor,
                    "survival": curve.survival,
                    "std_error": curve.std_error,
                    "ci_lower": lower,
                    "ci_upper": upper,
                }
            ).loc[rows]
            frames.append(frame.assign(group=[label] * len(frame)))
        table = pd.concat(frames, ignore_index=True)
        return table.loc[:, list(SUMMARY_COLUMNS)]

    def at(self, times: float | Sequence[float] | FloatArray) -> pd.DataFrame:
        """The curves at chosen times (R ``summary(fit, times=)``).

        Times are sorted and de-duplicated. The survival at ``t`` includes events at
        ``t`` (a right-continuous step function); ``n_risk`` is the weight still at risk at
        ``t``; ``n_event`` is the weight of events after the previous requested time and
        up to ``t``. After a group's last observed time the curve is unknown: ``survival``
        and its interval are NaN there unless the curve already reached 0 (R drops such
        rows).

        Returns
        -------
        pandas.DataFrame
            ``group``, ``time``, ``n_risk``, ``n_event``, ``survival``, ``std_error``,
            ``ci_lower``, ``ci_upper``.
        """
        grid = time_grid(times)
        frames = []
        for label, curve in zip(self.groups, self.curves, strict=True):
            lower, upper = self._band(curve)
            values = values_at(curve, grid, lower, upper)
            frames.append(pd.DataFrame({"group": [label] * grid.shape[0], "time": grid, **values}))
        return pd.concat(frames, ignore_index=True).loc[:, list(AT_COLUMNS)]

    def quantile(self, probs: float | Sequence[float] = (0.25, 0.5, 0.75)) -> pd.DataFrame:
        """Times by which shares ``probs`` have had the event, with CIs (R ``quantile``).

        The estimate is the first time the curve reaches ``1 - p``, except that on a flat
        stretch at ``1 - p`` it is the midpoint of that stretch, or of its start and the
        last time when the stretch ends the curve (R's rule; "at" means within
        ``sqrt(eps)``, so rounding noise in the curve never changes the answer). The
        limits apply the same rule to the lower and upper confidence curves (Brookmeyer
        & Crowley). NaN where a curve never gets that low. Agrees with R survival 3.5
        ``quantile(fit, probs)`` exactly (``tests/reference/km_quantiles.R``), with one
        deliberate difference: when the curve ends flat at ``1 - p`` up to rounding
        below it, R returns NA if ``p`` is the smallest probability asked for and the
        midpoint otherwise; we always return the midpoint.

        Returns
        -------
        pandas.DataFrame
            ``group``, ``probability``, ``time``, ``ci_lower``, ``ci_upper``.
        """
        levels = np.atleast_1d(np.asarray(probs, dtype=np.float64))
        if levels.ndim != 1 or np.any(~((levels >= 0) & (levels <= 1))):
            raise SpecificationError(
                f"quantile(): probs={probs!r} must be probabilities in [0, 1]",
                hint="e.g. probs=0.5 for the median",
            )
        rows = []
        for label, curve in zip(self.groups, self.curves, strict=True):
            lower, upper = self._band(curve)
            x = np.concatenate([[0.0], curve.time])
            for p in levels:
                rows.append(
                    {
                        "group": label,
                        "probability": float(p),
                        "time": find_quantile(x, np.concatenate([[0.0], 1 - curve.survival]), p),
                        "ci_lower": find_quantile(x, np.concatenate([[0.0], 1 - lower]), p),
                        "ci_upper": find_quantile(x, np.concatenate([[0.0], 1 - upper]), p),
                    }
                )
        return pd.DataFrame(rows, columns=["group", "probability", "time", "ci_lower", "ci_upper"])

    def median(self) -> pd.DataFrame:
        """Median time to the event with its CI: ``group``, ``time``, ``ci_lower``, ``ci_upper``.

        ``quantile(0.5)`` (R ``quantile(fit, 0.5)``); NaN when fewer than half of a group
        had the event. R's ``print(fit)`` median differs when a curve ends flat at exactly
        0.5: it reports the start of that stretch, ``quantile()`` (and we) its midpoint
        with the last time.
        """
        return self.quantile(0.5).drop(columns="probability")

    def plot(
        self,
        ax: Any = None,
        *,
        at_risk: bool = True,
        times: Sequence[float] | None = None,
        ci: bool = True,
        censor_marks: bool | None = None,
        xlabel: str = "Time",
        ylabel: str = "Proportion not re-arrested",
        suppress_below: int | None = None,
        labels: Mapping[Any, str] | None = None,
    ) -> Any:
        """Step plot of the curves with shaded intervals and an at-risk table under the axis.

        ``labels`` names the groups in the legend and the at-risk table (``{True:
        "participants", False: "comparison"}``; default ``column = value``). ``times`` are
        the x ticks at which people at risk are counted (unweighted counts, even for
        weighted curves); ``censor_marks`` marks censoring times
        (``None``: only when a curve has at most 150 of them); with ``suppress_below=k``
        counts from 1 to k - 1 print as ``<k``. Returns the matplotlib Axes.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from rpeval.datasets import load_rossi
        >>> from rpeval.recidivism import kaplan_meier
        >>> ax = kaplan_meier(load_rossi(), "week", "arrest", group="fin").plot(
        ...     times=[0, 13, 26, 39, 52], xlabel="Weeks since release")
        >>> [t.get_text() for t in ax.texts][:3]
        ['Number at risk', 'fin = 0', '216']
        """
        from rpeval.recidivism._plotting import plot_survival_curves

        return plot_survival_curves(
            self,
            ax=ax,
            at_risk=at_risk,
            times=times,
            ci=ci,
            censor_marks=censor_marks,
            xlabel=xlabel,
            ylabel=ylabel,
            suppress_below=suppress_below,
            labels=labels,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: settings, group sizes, medians and the curves."""
        medians = self.median()
        return {
            "estimator": "kaplan_meier",
            "group_column": self.group_column,
            "conf_level": self.conf_level,
            "conf_type": self.conf_type,
            "variance": self.variance,
            "weighted": self.weighted,
            "n_dropped": self.n_dropped,
            "groups": [
                {
                    "group": plain_value(label),
                    "n": float(n),
                    "n_events": float(d),
                    "median": plain_value(medians["time"].iloc[k]),
                }
                for k, (label, n, d) in enumerate(
                    zip(self.groups, self.n, self.n_events, strict=True)
                )
            ],
            "curves": {
                key: [plain_value(v) for v in values]
                for key, values in self.summary(censored=True).to_dict(orient="list").items()
            },
        }

    def _display(self) -> Display:
        from rpeval.recidivism._display import km_display

        return km_display(self)
