"""Cumulative incidence with competing events (Aalen–Johansen) and Gray's test.

When people can leave follow-up for reasons that stop re-arrest from ever happening
(death, deportation, a long prison term for an earlier case), ``1 − KM`` treats them as
if they could still be re-arrested and overstates the risk. The cumulative incidence
function ``F_c(t)`` of cause ``c`` is the probability of a cause-``c`` event by ``t`` in
the presence of the others. Estimates, variances and Gray's test agree with R
``cmprsk::cuminc`` (2.2) to 1e-12 on simulated data with many ties
(``tests/reference/competing_risks.json``); ties are handled exactly, never jittered.
"""

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
from rpeval._options import check_conf_level
from rpeval.errors import DataError, SpecificationError
from rpeval.recidivism.competing._aalen_johansen_kernel import (
    IncidenceCurves,
    aalen_johansen,
    incidence_band,
    values_at_times,
)
from rpeval.recidivism.competing._gray_test import GrayTest, gray_test
from rpeval.recidivism.competing._input import CompetingInput, prepare_competing_input
from rpeval.recidivism.survival._curve_intervals import time_grid

__all__ = ["CIFResult", "cumulative_incidence"]

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


def incidence_from_input(
    data_in: CompetingInput,
    *,
    group_column: str | None,
    conf_level: float,
    conf_type: CIFConfType,
    rho: float,
    robust: bool = False,
) -> CIFResult:
    """Curves and tests of validated input (shared with ``recidivism_rates``)."""
    index = np.searchsorted(np.asarray(data_in.causes, dtype=np.int64), data_in.cause)
    mapped = np.where(data_in.cause > 0, index + 1, 0).astype(np.int64)
    n_causes = len(data_in.causes)
    curves = []
    for code in range(len(data_in.groups)):
        rows = data_in.group == code
        w = None if data_in.weights is None else data_in.weights[rows]
        curves.append(aalen_johansen(data_in.time[rows], mapped[rows], n_causes, w, robust=robust))
    tests: tuple[GrayTest, ...] = ()
    if len(data_in.groups) > 1 and data_in.weights is None:
        tests = tuple(
            gray_test(
                data_in.time,
                mapped,
                data_in.group,
                len(data_in.groups),
                k + 1,
                rho,
                data_in.stratum,
            )
            for k in range(n_causes)
        )
    return CIFResult(
        groups=data_in.groups,
        group_column=group_column,
        causes=data_in.causes,
        curves=tuple(curves),
        tests=tests,
        conf_level=float(conf_level),
        conf_type=conf_type,
        rho=float(rho),
        n=np.bincount(data_in.group, minlength=len(data_in.groups)).astype(np.float64),
        n_dropped=data_in.n_dropped,
        variance="robust" if robust else "gray",
        weighted=data_in.weights is not None,
    )


def cumulative_incidence(
    data: Any,
    duration: str,
    event: str,
    *,
    group: str | None = None,
    conf_level: float = 0.95,
    conf_type: CIFConfType = "log-log",
    rho: float = 0.0,
    strata: str | None = None,
    weights: str | None = None,
    variance: Literal["gray", "robust"] | None = None,
    missing: Literal["error", "drop"] = "error",
) -> CIFResult:
    """Aalen–Johansen cumulative incidence of each cause, by group, with Gray's test.

    Parameters
    ----------
    data
        One row per person.
    duration
        Column of time from entry to the first event of any cause, or censoring (>= 0).
    event
        Column of event codes: 0 censored, 1 re-arrest, 2, 3, ... competing events (as
        :func:`build_followup` writes them). A 0/1 column is a single cause.
    group
        Column whose values define the groups compared by Gray's test.
    conf_level, conf_type
        Level and type of the pointwise intervals: ``"log-log"`` (default) or ``"plain"``.
    rho
        Power of the weight ``(1 − F(t−))^ρ`` in Gray's test (0: R's default).
    strata
        Column whose values stratify Gray's test (scores and variances summed over
        strata, as ``cmprsk::cuminc(strata = )``); the curves are not stratified.
    weights
        Column of non-negative case weights (e.g. inverse-probability weights): weighted
        Aalen–Johansen curves with the robust variance. Gray's test is for unweighted
        data and is then left out (``gray_test`` is empty). Rows of weight 0 are left
        out as if absent (counted in ``n_dropped``, with a
        :class:`~rpeval.errors.DataWarning`).
    variance
        ``"gray"`` (cmprsk's; the default without weights) or ``"robust"`` (the
        infinitesimal jackknife of R ``survfit`` for multi-state data; the default, and
        the only choice, with weights).
    missing
        ``"error"`` (default) or ``"drop"`` rows with missing values (``n_dropped``).

    Returns
    -------
    CIFResult
        ``at(times)``, ``summary()``, ``gray_test``, ``plot()``, ``to_dict()``.

    Notes
    -----
    At each distinct time :math:`t_j` with :math:`n_j` at risk, :math:`d_{cj}` events of
    cause :math:`c` and :math:`d_j` of any cause, :math:`\\hat F_c(t) = \\sum_{t_j \\le t}
    \\hat S(t_{j}-) d_{cj} / n_j` with :math:`\\hat S` the all-cause Kaplan–Meier curve, so
    the incidences and :math:`\\hat S` sum to 1. The variance is Gray's delta-method
    estimator as computed by ``cmprsk::cuminc`` (it differs from Greenwood's by using
    :math:`n_j - 1` where Greenwood has :math:`n_j`); ``variance="robust"`` (and any
    weighted fit) uses the infinitesimal jackknife of R ``survfit``, checked to 1e-10
    with and without case weights. Gray's test compares the
    subdistribution hazards of one cause across groups (Gray 1988). Checked against R
    cmprsk 2.2.11: estimates, variances and tests to 1e-10 relative.

    References
    ----------
    Gray, R. J. (1988). A class of K-sample tests for comparing the cumulative incidence
    of a competing risk. *Annals of Statistics* 16, 1141–1154.

    Examples
    --------
    >>> data = pd.DataFrame({"months": [2, 3, 3, 5, 6, 8, 9, 12, 12, 15],
    ...                      "event": [1, 2, 1, 0, 1, 1, 2, 0, 1, 0],
    ...                      "arm": ["rj"] * 5 + ["court"] * 5})
    >>> cif = cumulative_incidence(data, "months", "event", group="arm")
    >>> at = cif.at([6, 12])
    >>> at[at["cause"] == 1][["group", "time", "incidence"]]
       group  time  incidence
    0  court   6.0        0.0
    1  court  12.0        0.4
    4     rj   6.0        0.8
    5     rj  12.0        0.8
    >>> cif.gray_test.round(3)
       cause  statistic  df  p_value
    0      1      4.672   1    0.031
    1      2      0.985   1    0.321
    """
    caller = "cumulative_incidence"
    check_conf_level(conf_level, caller=caller)
    if conf_type not in ("log-log", "plain"):
        raise SpecificationError(
            f"{caller}(): conf_type={conf_type!r} is not an interval type",
            hint='use "log-log" (default) or "plain"',
        )
    if not isinstance(rho, int | float) or not np.isfinite(rho) or rho < 0:
        raise SpecificationError(f"{caller}(): rho={rho!r} must be a number >= 0")
    if variance not in (None, "gray", "robust"):
        raise SpecificationError(
            f"{caller}(): variance={variance!r}", hint='use "gray" or "robust"'
        )
    if weights is not None and variance == "gray":
        raise SpecificationError(
            f"{caller}(): Gray's variance is for unweighted counts; with weights use "
            'variance="robust" (the default)'
        )
    data_in = prepare_competing_input(
        data,
        duration,
        event,
        group=group,
        missing=missing,
        caller=caller,
        strata=strata,
        weights=weights,
    )
    if not data_in.causes:
        raise DataError(f"{caller}(): column {event!r} (`event`) has no events")
    robust = variance == "robust" or weights is not None
    return incidence_from_input(
        data_in,
        group_column=group,
        conf_level=conf_level,
        conf_type=conf_type,
        rho=rho,
        robust=robust,
    )
