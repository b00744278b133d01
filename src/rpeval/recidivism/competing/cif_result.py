"""`CIFResult`: cumulative incidence curves by cause and group, Gray's test and the plot."""

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
from rpeval.recidivism.competing._aalen_johansen_kernel import (
    IncidenceCurves,
    incidence_band,
    values_at_times,
)
from rpeval.recidivism.competing._gray_test import GrayTest
from rpeval.recidivism.survival._curve_intervals import time_grid

__all__ = ["COLUMNS", "CIFConfType", "CIFResult"]

FloatArray = NDArray[np.float64]
CIFConfType = Literal["log-log", "plain"]

COLUMNS = (
    "group",
    "cause",
    "time",
    "n_risk",
    "n_event",
    "incidence",
    "std_error",
    "ci_lower",
    "ci_upper",
)


@dataclass(frozen=True, repr=False)
class CIFResult(Displayed):
    """Cumulative incidence curves by group and cause, with Gray's test per cause.

    ``curves[g]`` holds group ``groups[g]``'s curves at each of its distinct times, one
    column per cause in ``causes`` (the event codes). ``tests[c]`` is Gray's test for
    ``causes[c]`` (empty with a single group).
    """

    groups: tuple[Any, ...]
    group_column: str | None
    causes: tuple[int, ...]
    curves: tuple[IncidenceCurves, ...] = field(repr=False)
    tests: tuple[GrayTest, ...] = field(repr=False)
    conf_level: float
    conf_type: CIFConfType
    rho: float
    n: FloatArray
    n_dropped: int
    variance: Literal["gray", "robust"] = "gray"
    weighted: bool = False

    @property
    def gray_test(self) -> pd.DataFrame:
        """Gray's K-sample test per cause: ``cause``, ``statistic``, ``df``, ``p_value``.

        Chi-square on ``groups − 1`` degrees of freedom; no rows with one group.
        """
        return pd.DataFrame(
            {
                "cause": list(self.causes[: len(self.tests)]),
                "statistic": [t.statistic for t in self.tests],
                "df": [t.df for t in self.tests],
                "p_value": [t.p_value for t in self.tests],
            }
        )

    def _table(self, k: int, curve: IncidenceCurves, rows: NDArray[np.bool_]) -> pd.DataFrame:
        se = np.sqrt(curve.variance[:, k])
        lower, upper = incidence_band(
            curve.incidence[:, k], se, self.conf_type, z_quantile(self.conf_level)
        )
        return pd.DataFrame(
            {
                "time": curve.time,
                "n_risk": curve.n_risk,
                "n_event": curve.n_event[:, k],
                "incidence": curve.incidence[:, k],
                "std_error": se,
                "ci_lower": lower,
                "ci_upper": upper,
            }
        ).loc[rows]

    def summary(self) -> pd.DataFrame:
        """The curves at each time a cause has an event, one row per group, cause and time.

        Columns: ``group``, ``cause``, ``time``, ``n_risk`` (at risk just before),
        ``n_event`` (events of that cause at the time), ``incidence`` (including them),
        ``std_error`` (square root of cmprsk's variance), ``ci_lower``, ``ci_upper``.
        """
        frames = []
        for label, curve in zip(self.groups, self.curves, strict=True):
            for k, cause in enumerate(self.causes):
                table = self._table(k, curve, curve.n_event[:, k] > 0)
                frames.append(table.assign(group=[label] * len(table), cause=cause))
        return pd.concat(frames, ignore_index=True).loc[:, list(COLUMNS)]

    def at(self, times: float | Sequence[float] | FloatArray) -> pd.DataFrame:
        """The curves at chosen times (as ``cmprsk::timepoints``), sorted and de-duplicated.

        ``incidence`` at ``t`` includes events at ``t``; after a group's last observed
        time it is NaN (unknown) unless everyone had an event by then: the curves are
        then final (``cmprsk::timepoints`` gives NA there). ``n_risk`` is the number
        still at risk at ``t``; ``n_event`` counts that cause's events after the previous
        requested time and up to ``t`` (as :meth:`SurvivalCurves.at`).
        Columns as :meth:`summary`.
        """
        grid = time_grid(times)
        frames = []
        for label, curve in zip(self.groups, self.curves, strict=True):
            later = np.searchsorted(curve.time, grid, side="left")
            n_risk = np.concatenate([curve.n_risk, [0.0]])[later]
            final = bool(curve.survival[-1] == 0.0)
            for k, cause in enumerate(self.causes):
                table = self._table(k, curve, np.ones(curve.time.size, dtype=bool))
                values = values_at_times(
                    curve.time,
                    table.drop(columns=["time", "n_risk"]).to_numpy(),
                    grid,
                    final=final,
                )
                events = values_at_times(
                    curve.time, np.cumsum(curve.n_event[:, k]), grid, final=True
                )
                since = np.diff(np.concatenate([[0.0], events]))
                frame = pd.DataFrame(values, columns=table.columns[2:]).assign(n_event=since)
                frames.append(
                    frame.assign(group=[label] * grid.size, cause=cause, time=grid, n_risk=n_risk)
                )
        return pd.concat(frames, ignore_index=True).loc[:, list(COLUMNS)]

    def plot(
        self,
        ax: Any = None,
        *,
        kind: Literal["cause", "stacked"] = "cause",
        cause: int | None = None,
        at_risk: bool = True,
        times: Sequence[float] | None = None,
        ci: bool = True,
        xlabel: str = "Time",
        suppress_below: int | None = None,
        labels: Mapping[Any, str] | None = None,
    ) -> Any:
        """Plot the cumulative incidence, with an at-risk table under the axis (counts from
        1 to ``suppress_below - 1`` print as ``<k``); ``labels`` names the groups
        (``{True: "participants"}``; default ``column = value``).

        ``kind="cause"`` draws one cause (``cause``, default the first code) for every
        group with shaded intervals; ``kind="stacked"`` stacks all causes of one group
        (the first) with the event-free probability on top, so the bands sum to 1.
        Returns the matplotlib Axes.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import pandas as pd
        >>> from rpeval.recidivism import cumulative_incidence
        >>> data = pd.DataFrame({"t": [1, 2, 2, 3, 4, 5], "e": [1, 2, 1, 0, 1, 0]})
        >>> ax = cumulative_incidence(data, "t", "e").plot(times=[0, 2, 4])
        >>> [t.get_text() for t in ax.texts][:3]
        ['Number at risk', 'All', '6']
        """
        from rpeval.recidivism.competing._plot import plot_incidence

        if kind not in ("cause", "stacked"):
            raise SpecificationError(f"plot(): kind={kind!r} must be 'cause' or 'stacked'")
        chosen = self.causes[0] if cause is None else cause
        if chosen not in self.causes:
            raise SpecificationError(
                f"plot(): cause={cause!r} is not one of the event codes {list(self.causes)}"
            )
        return plot_incidence(
            self,
            ax=ax,
            kind=kind,
            cause=self.causes.index(chosen),
            at_risk=at_risk,
            times=times,
            ci=ci,
            xlabel=xlabel,
            suppress_below=suppress_below,
            labels=labels,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: settings, Gray's tests and the curves."""
        table = self.summary()
        return {
            "estimator": "cumulative_incidence",
            "group_column": self.group_column,
            "groups": [plain_value(g) for g in self.groups],
            "causes": list(self.causes),
            "conf_level": self.conf_level,
            "conf_type": self.conf_type,
            "rho": self.rho,
            "n": self.n.tolist(),
            "n_dropped": self.n_dropped,
            "gray_test": self.gray_test.to_dict(orient="records"),
            "curves": {k: [plain_value(v) for v in vs] for k, vs in table.to_dict("list").items()},
        }

    def _display(self) -> Display:
        from rpeval.recidivism._display import cif_display

        return cif_display(self)
