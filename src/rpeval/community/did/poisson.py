"""Staggered DiD for counts with exposure: Poisson extended TWFE (Wooldridge 2023).

Model: ``E[y_it] = exposure_it * exp(a_cohort + b_t + tau_{cohort,t} * treated)`` with one
``tau`` per treated cohort x period cell. Why this and not a ratio of Callaway &
Sant'Anna means: counts of incidents in small areas are skewed and often zero, and a
program is expected to change them proportionally, so parallel trends is stated on the
log-rate scale (multiplicative) rather than on counts; the exponential mean keeps
predictions positive and makes the effect a rate ratio. Because each treated cell has
its own ``tau``, the Poisson quasi-likelihood fits treated cells exactly and the cohort
and period effects come from untreated cells only (never and not-yet adopters, all
periods), so the estimator is an imputation: rate ratio = observed / counterfactual
count, aggregated by event time and overall as a ratio of sums. Cohort dummies give
the same estimates as area fixed effects in the Poisson QMLE (Wooldridge 2023), and the
fit runs on cohort x period totals. Standard errors of ``log(rate ratio)`` are
cluster-robust by area (sandwich with G/(G-1)) by the delta method. Consistent under
over-dispersion (quasi-Poisson); no anticipation periods.

Examples
--------
>>> from rpeval.community.did._simulate import poisson_panel
>>> rows = poisson_panel(n_areas=400, n_periods=8, effect=0.7, random_state=1)
>>> fit = poisson_etwfe(rows, area="area", period="period", outcome="count",
...                     exposure="population", adoption="start")
>>> bool(abs(fit.rate_ratio - 0.7) < 0.05)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._inference import z_quantile
from rpeval._json import records
from rpeval._options import check_choice, check_conf_level
from rpeval._plots import OKABE_ITO
from rpeval.community.panel import AreaPanel, area_panel
from rpeval.errors import ConvergenceError, DataError, SpecificationError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PoissonDiDResult", "poisson_etwfe"]

FloatArray = NDArray[np.float64]
_CALLER = "poisson_etwfe"


class _Fit(NamedTuple):
    coef: FloatArray  # cohort effects then period effects (first usable period = 0)
    bread: FloatArray  # inverse information
    scores: FloatArray  # (n_areas, n_params) per-area scores


@dataclass(frozen=True, eq=False, repr=False)
class PoissonDiDResult(Displayed):
    """Rate ratios (observed / counterfactual counts in treated cells) overall and by
    event time, with area-clustered intervals."""

    rate_ratio: float
    table: pd.DataFrame
    conf_level: float
    n_areas: int
    notes: tuple[str, ...]
    n_dropped: int = 0  # rows left out for missing values (missing="drop")

    def summary(self) -> pd.DataFrame:
        """Columns: term, event_time, rate_ratio, std_error (of the log), ci_lower,
        ci_upper, observed, expected; the first row is the overall effect."""
        return self.table.copy()

    def plot(self, ax: Axes | None = None) -> Axes:
        """Rate ratio by event time on a log scale with its interval."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 3.8))
        rows = self.table.iloc[1:]
        rr = rows["rate_ratio"].to_numpy(float)
        ax.errorbar(rows["event_time"].to_numpy(float), rr,
                    yerr=[rr - rows["ci_lower"], rows["ci_upper"] - rr],
                    fmt="o", color=OKABE_ITO["vermillion"], capsize=3)  # fmt: skip
        ax.axhline(1.0, color="#555555", linewidth=0.8)
        ax.set_yscale("log")
        ax.set_xlabel("periods since adoption")
        ax.set_ylabel(f"rate ratio ({100 * self.conf_level:g}% CI)")
        return ax

    def _display(self) -> Display:
        header = (("n", str(self.n_areas)), ("rate ratio", f"{self.rate_ratio:.4g}"))
        return Display("Poisson ETWFE (counts with exposure)", header, self.table, self.notes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: overall rate ratio, rows and notes."""
        return {"rate_ratio": self.rate_ratio, "conf_level": self.conf_level,
                "rows": records(self.table), "n_dropped": self.n_dropped,
                "notes": list(self.notes)}  # fmt: skip


def _design(n_cohorts: int, n_periods: int) -> FloatArray:
    """Rows cohort-major (k, t): cohort dummies, then period dummies without the first."""
    x = np.zeros((n_cohorts * n_periods, n_cohorts + n_periods - 1))
    k, t = np.divmod(np.arange(n_cohorts * n_periods), n_periods)
    x[np.arange(len(k)), k] = 1.0
    later = t > 0
    x[np.flatnonzero(later), n_cohorts + t[later] - 1] = 1.0
    return x


def _newton(
    x: FloatArray, y: FloatArray, offset: FloatArray, n_cohorts: int
) -> tuple[FloatArray, FloatArray]:
    """Poisson maximum likelihood by Newton's method; coefficients and inverse information."""
    coef = np.zeros(x.shape[1])
    coef[:n_cohorts] = np.log(max(float(y.sum()), 0.5) / float(np.exp(offset).sum()))
    for _ in range(100):
        mu = np.exp(x @ coef + offset)
        info = (x * mu[:, None]).T @ x
        step = np.linalg.solve(info, x.T @ (y - mu))
        coef = coef + step
        if float(np.max(np.abs(step))) < 1e-10:
            mu = np.exp(x @ coef + offset)
            return coef, np.asarray(np.linalg.inv((x * mu[:, None]).T @ x), dtype=np.float64)
    raise ConvergenceError(
        f"{_CALLER}(): the Poisson fit did not converge",
        hint="a cohort with no counts in its untreated periods cannot be modelled: drop it",
    )


def _fit(
    y: FloatArray, e: FloatArray, cohort: NDArray[np.int64], untreated: NDArray[np.bool_]
) -> tuple[_Fit, FloatArray, FloatArray]:
    n_cohorts, n_periods = untreated.shape
    ysum = np.zeros((n_cohorts, n_periods))
    esum = np.zeros((n_cohorts, n_periods))
    np.add.at(ysum, cohort, y)
    np.add.at(esum, cohort, e)
    x = _design(n_cohorts, n_periods)
    rows = untreated.ravel()
    offset = np.log(esum.ravel()[rows])
    coef, bread = _newton(x[rows], ysum.ravel()[rows], offset, n_cohorts)
    linear = (x @ coef).reshape(n_cohorts, n_periods)
    resid = np.where(untreated[cohort], y - e * np.exp(linear[cohort]), 0.0)
    scores = np.zeros((len(cohort), x.shape[1]))
    scores[np.arange(len(cohort)), cohort] = resid.sum(axis=1)
    scores[:, n_cohorts:] = resid[:, 1:]
    return _Fit(coef, bread, scores), ysum, esum


class _Row(NamedTuple):
    log_rr: float
    std_error: float
    observed: float
    expected: float


def _ratio(
    cells: NDArray[np.bool_], fit: _Fit, data: tuple[FloatArray, FloatArray, FloatArray],
    cohort: NDArray[np.int64], sums: tuple[FloatArray, FloatArray],
) -> _Row:  # fmt: skip
    """log(observed / counterfactual) over ``cells`` (cohort x period) and its
    area-clustered delta-method standard error."""
    y, e, _ = data
    ysum, esum = sums
    n_cohorts, n_periods = cells.shape
    x = _design(n_cohorts, n_periods)
    mu0 = (esum.ravel() * np.exp(x @ fit.coef)) * cells.ravel()
    observed, expected = float(ysum[cells].sum()), float(mu0.sum())
    gradient = (x * mu0[:, None]).sum(axis=0) / expected
    rate = np.divide(ysum, esum, out=np.zeros_like(ysum), where=esum > 0)
    own = np.where(cells[cohort], y - e * rate[cohort], 0.0).sum(axis=1)
    z = (own / observed if observed > 0 else own * 0.0) - fit.scores @ (fit.bread @ gradient)
    g = len(z)
    se = float(np.sqrt((z**2).sum() * g / (g - 1)))
    log_rr = float(np.log(observed / expected)) if observed > 0 else float("-inf")
    return _Row(log_rr, se, observed, expected)


def _panel(data: object, names: dict[str, str | None], never: object, missing: str) -> AreaPanel:
    check_choice(missing, ["error", "drop"], arg="missing", caller=_CALLER)
    if isinstance(data, AreaPanel):
        if missing == "drop":
            raise SpecificationError(
                f"{_CALLER}(): missing='drop' given with an AreaPanel",
                hint="an AreaPanel had its missing values handled (area_panel(missing=))",
            )
        return data
    absent = [k for k in ("area", "period", "outcome", "adoption") if names[k] is None]
    if absent:
        raise DataError(
            f"{_CALLER}(): {', '.join(absent)} needed when `data` is a frame",
            hint="name the columns, or pass an AreaPanel",
        )
    return area_panel(data, area=str(names["area"]), period=str(names["period"]),
                      outcome=str(names["outcome"]), exposure=names["exposure"],
                      adoption=names["adoption"], never=never, kind="count",
                      missing="drop" if missing == "drop" else "error")  # fmt: skip


def _table(
    fit: _Fit, data: tuple[FloatArray, FloatArray, FloatArray], cohort: NDArray[np.int64],
    sums: tuple[FloatArray, FloatArray], event: NDArray[np.int64], treated: NDArray[np.bool_],
    level: float,
) -> pd.DataFrame:  # fmt: skip
    treated = treated & (sums[1] > 0)
    z = z_quantile(level)
    sets: list[tuple[str, int | None, NDArray[np.bool_]]] = [("overall", None, treated)]
    sets += [(f"event_time={v}", int(v), treated & (event == v)) for v in np.unique(event[treated])]
    rows = []
    for label, e_value, cells in sets:
        r = _ratio(cells, fit, data, cohort, sums)
        rows.append({"term": label, "event_time": e_value, "rate_ratio": np.exp(r.log_rr),
                     "std_error": r.std_error, "ci_lower": np.exp(r.log_rr - z * r.std_error),
                     "ci_upper": np.exp(r.log_rr + z * r.std_error),
                     "observed": r.observed, "expected": r.expected})  # fmt: skip
    table = pd.DataFrame(rows)
    table["event_time"] = table["event_time"].astype(object)
    return table


def poisson_etwfe(
    data: object,
    *,
    area: str | None = None,
    period: str | None = None,
    outcome: str | None = None,
    exposure: str | None = None,
    adoption: str | None = None,
    never: object = None,
    conf_level: float = 0.95,
    missing: Literal["error", "drop"] = "error",
) -> PoissonDiDResult:
    """Rate ratios of a staggered rollout on counts with exposure (see the module text).

    Parameters
    ----------
    data
        A count :class:`~rpeval.community.AreaPanel` or a tidy frame with the named columns.
    exposure
        Population, days or another exposure (log offset); none means 1.
    missing
        Rows of a frame missing an area, period, count or exposure: ``"error"``
        (default) or ``"drop"`` (counted in ``n_dropped``; the panel must stay balanced,
        so only whole areas can go: see :func:`~rpeval.community.area_panel`).

    Returns
    -------
    PoissonDiDResult
        ``rate_ratio`` (overall: observed / counterfactual counts over all treated
        area-periods) and ``summary()`` by event time.

    References
    ----------
    Wooldridge, J. M. (2023). Simple approaches to nonlinear difference-in-differences
    with panel data. The Econometrics Journal 26(3), C31-C66.
    """
    level = check_conf_level(conf_level, caller=_CALLER)
    names = {"area": area, "period": period, "outcome": outcome, "exposure": exposure,
             "adoption": adoption}  # fmt: skip
    panel = _panel(data, names, never, missing)
    keep = panel.adoption != 0
    adoption_kept = panel.adoption[keep]
    if not (adoption_kept > 0).any():
        raise DataError(f"{_CALLER}(): no area adopts after the first period",
                        hint="staggered DiD needs areas observed before they adopt")  # fmt: skip
    codes, cohort = np.unique(adoption_kept, return_inverse=True)
    time = np.arange(panel.n_periods)
    untreated = (codes[:, None] < 0) | (time[None, :] < codes[:, None])
    usable = untreated.any(axis=0)
    notes = [f"{panel.n_dropped} rows with missing values left out"] if panel.n_dropped else []
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} areas treated from the first period dropped")
    if not usable.all():
        notes.append(
            f"{int((~usable).sum())} periods with every area treated dropped (no comparison)"
        )
    y, e = panel.outcome[keep][:, usable], panel.exposure[keep][:, usable]
    untreated = untreated[:, usable]
    fit, ysum, esum = _fit(y, e, cohort, untreated)
    event = (time[usable][None, :] - codes[:, None]).astype(np.int64)
    table = _table(fit, (y, e, np.zeros(0)), cohort, (ysum, esum), event, ~untreated, level)
    return PoissonDiDResult(
        float(table["rate_ratio"].iloc[0]),
        table,
        level,
        int(keep.sum()),
        tuple(notes),
        panel.n_dropped,
    )
