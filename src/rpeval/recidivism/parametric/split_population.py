"""Split-population (mixture cure) models: who ever reoffends, and when.

In the tradition of Schmidt & Witte (1989), a logistic *incidence* model gives each
person's probability of eventually reoffending, and a parametric AFT *latency* model
(log-normal, Weibull or log-logistic) the timing among those who do. Each part has its
own covariates. Maximum likelihood with an analytic gradient (:mod:`._cure_likelihood`);
standard errors from the observed information.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._inference import ratio_columns, wald_columns
from rpeval._lazy import special, stats
from rpeval.errors import ConvergenceError, ConvergenceWarning, SpecificationError
from rpeval.recidivism._covariates import Design, new_design
from rpeval.recidivism.parametric._arguments import checked_input
from rpeval.recidivism.parametric._cure_likelihood import CureData, CureFit, fit_cure
from rpeval.recidivism.parametric._distributions import standard_terms

__all__ = ["SplitPopulationResult", "split_population"]

FloatArray = NDArray[np.float64]
LatencyDistribution = Literal["lognormal", "weibull", "loglogistic"]
Covariates = str | Sequence[str] | None
SUMMARY_COLUMNS = (
    "component",
    "term",
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "ci_lower",
    "ci_upper",
    "ratio",
    "ratio_lower",
    "ratio_upper",
)
WEAK_TAIL = 0.10  # share of eventual reoffenses the model puts after the end of follow-up
WEAK_SE = 1.5  # SE of the incidence intercept on the logit scale


@dataclass(frozen=True, repr=False)
class SplitPopulationResult(Displayed):
    """A fitted split-population model.

    ``incidence_coef`` are log odds of ever reoffending (intercept first);
    ``latency_coef`` the AFT location coefficients (log time) among eventual
    reoffenders; ``covariance`` is the inverse observed information of
    ``(γ, β, log σ)``. ``tail_beyond_followup`` is the share of predicted eventual
    reoffenses that the latency model places after the longest follow-up: when it is
    large, the cure fraction rests on extrapolation (``weakly_identified``).
    """

    dist: LatencyDistribution
    incidence_terms: tuple[str, ...]
    latency_terms: tuple[str, ...]
    incidence_coef: FloatArray
    latency_coef: FloatArray
    scale: float
    covariance: FloatArray
    loglik: float
    n: int
    n_events: int
    n_dropped: int
    iterations: int
    converged: bool
    conf_level: float
    eventual_reoffense: float
    tail_beyond_followup: float
    weakly_identified: bool
    notes: tuple[str, ...]
    _incidence: Design = field(repr=False, compare=False)
    _latency: Design = field(repr=False, compare=False)

    @property
    def aic(self) -> float:
        """``−2 loglik + 2 k`` on the time scale (as AFT models report it)."""
        return float(-2.0 * self.loglik + 2.0 * self.covariance.shape[0])

    def summary(self) -> pd.DataFrame:
        """One row per parameter: incidence terms, latency terms, then ``log(scale)``.

        Columns: ``component`` (``"incidence"``, ``"latency"``, ``"scale"``), ``term``,
        ``estimate``, ``std_error``, ``statistic`` (z), ``p_value``, ``ci_lower``,
        ``ci_upper``, and ``ratio`` with its interval: the odds ratio of ever
        reoffending for incidence terms, the time ratio for latency terms.
        """
        q = len(self.incidence_terms)
        estimate = np.concatenate([self.incidence_coef, self.latency_coef, [np.log(self.scale)]])
        se = np.sqrt(np.diag(self.covariance))
        component = ["incidence"] * q + ["latency"] * len(self.latency_terms) + ["scale"]
        has_ratio = np.arange(estimate.size) < estimate.size - 1
        wald = wald_columns(estimate, se, self.conf_level)
        lower, upper = wald["ci_lower"], wald["ci_upper"]
        table = pd.DataFrame(
            {
                "component": component,
                "term": [*self.incidence_terms, *self.latency_terms, "log(scale)"],
                "estimate": estimate,
                "std_error": se,
                **wald,
                **ratio_columns(estimate, lower, upper, ratio="ratio", has_ratio=has_ratio),
            }
        )
        return table.loc[:, list(SUMMARY_COLUMNS)]

    def predict_incidence(self, new_data: object) -> pd.DataFrame:
        """Probability of ever reoffending for each row of ``new_data``, with a CI.

        Columns: ``row``, ``probability``, ``ci_lower``, ``ci_upper`` (delta method on
        the logit scale).
        """
        Z = new_design(self._incidence, new_data, caller="predict_incidence")
        q = Z.shape[1]
        eta = Z @ self.incidence_coef
        se = np.sqrt(np.einsum("ij,jk,ik->i", Z, self.covariance[:q, :q], Z))
        crit = stats.norm.ppf(0.5 + self.conf_level / 2.0)
        return pd.DataFrame(
            {
                "row": np.arange(eta.size),
                "probability": special.expit(eta),
                "ci_lower": special.expit(eta - crit * se),
                "ci_upper": special.expit(eta + crit * se),
            }
        )

    def predict_survival(
        self, new_data: object, times: float | Sequence[float] | FloatArray
    ) -> pd.DataFrame:
        """Population survival ``1 − p + p S(t | x)`` for each row of ``new_data``.

        Long table: ``row``, ``time``, ``survival``, ``incidence`` (``p``) and
        ``latency_survival`` (``S(t | x)`` among eventual reoffenders).
        """
        grid = np.atleast_1d(np.asarray(times, dtype=np.float64))
        if grid.ndim != 1 or grid.size == 0 or np.any(~np.isfinite(grid)) or np.any(grid <= 0):
            raise SpecificationError(f"predict_survival(): times={times!r} must be positive")
        p = self.predict_incidence(new_data)["probability"].to_numpy()
        X = new_design(self._latency, new_data, caller="predict_survival")
        u = (np.log(grid)[None, :] - (X @ self.latency_coef)[:, None]) / self.scale
        latency = np.exp(standard_terms(self.dist, u.ravel()).log_s).reshape(u.shape)
        population = 1.0 - p[:, None] + p[:, None] * latency
        return pd.DataFrame(
            {
                "row": np.repeat(np.arange(p.size), grid.size),
                "time": np.tile(grid, p.size),
                "survival": population.ravel(),
                "incidence": np.repeat(p, grid.size),
                "latency_survival": latency.ravel(),
            }
        )

    def plot(self, ax: Any = None) -> Any:
        """Forest plot: odds ratios of ever reoffending and time ratios (no intercepts)."""
        from rpeval.recidivism.parametric._forest import forest_plot

        table = self.summary()
        table = table[(table["component"] != "scale") & (table["term"] != "(Intercept)")]
        labels = [f"{c}: {t}" for c, t in zip(table["component"], table["term"], strict=True)]
        return forest_plot(
            labels,
            table["ratio"].to_numpy(),
            table["ratio_lower"].to_numpy(),
            table["ratio_upper"].to_numpy(),
            ax=ax,
            xlabel="Odds ratio (incidence) or time ratio (latency)",
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary of the coefficient table and diagnostics."""
        table = self.summary()
        return {
            "model": "split_population",
            "dist": self.dist,
            "conf_level": self.conf_level,
            "n": self.n,
            "n_events": self.n_events,
            "n_dropped": self.n_dropped,
            "loglik": self.loglik,
            "aic": self.aic,
            "scale": self.scale,
            "eventual_reoffense": self.eventual_reoffense,
            "tail_beyond_followup": self.tail_beyond_followup,
            "weakly_identified": self.weakly_identified,
            "converged": self.converged,
            "coefficients": table.astype(object).where(table.notna(), None).to_dict("records"),
            "notes": list(self.notes),
        }

    def _display(self) -> Display:
        from rpeval.recidivism._display_models import split_population_display

        return split_population_display(self)


def split_population(
    data: Any,
    duration: str,
    event: str,
    *,
    incidence: Covariates,
    latency: Covariates,
    dist: LatencyDistribution = "lognormal",
    weights: str | None = None,
    missing: Literal["error", "drop"] = "error",
    conf_level: float = 0.95,
) -> SplitPopulationResult:
    """Fit a split-population (mixture cure) model of reoffending.

    Parameters
    ----------
    data
        One row per person.
    duration, event
        Columns of time to re-arrest or censoring (> 0) and the event indicator (0/1).
    incidence
        Covariates of the logistic model for ever reoffending (list or formula), or
        ``None`` for an intercept only.
    latency
        Covariates of the AFT model for the time to reoffense among eventual
        reoffenders, or ``None``.
    dist
        Latency distribution: ``"lognormal"`` (Schmidt & Witte's choice), ``"weibull"``
        or ``"loglogistic"``.
    weights
        Column of non-negative case weights. Rows of weight 0 are left out as if
        absent (counted in ``n_dropped``, with a :class:`~rpeval.errors.DataWarning`).
    missing
        ``"error"`` or ``"drop"`` rows with missing values (``n_dropped``).
    conf_level
        Confidence level of the Wald intervals.

    Returns
    -------
    SplitPopulationResult
        ``summary()``, ``predict_incidence()``, ``predict_survival()``, ``plot()``,
        ``eventual_reoffense`` (mean predicted probability), ``weakly_identified``.

    Raises
    ------
    ConvergenceError
        When the likelihood has no finite maximum (too few events, separation).

    Warns
    -----
    ConvergenceWarning
        When the cure fraction is weakly identified: the latency model puts more than
        10% of eventual reoffenses after the longest follow-up, the incidence intercept
        has an SE above 1.5 on the logit scale, or the fit did not converge.

    Notes
    -----
    The likelihood is :math:`\\prod_i [p_i f(t_i | x_i)]^{\\delta_i} [1 - p_i + p_i
    S(t_i | x_i)]^{1 - \\delta_i}` with :math:`p_i = \\mathrm{expit}(z_i'\\gamma)`.
    The cure fraction is identified only by the plateau of the survival curve at long
    follow-up; with short follow-up, a model in which everyone eventually reoffends
    (slowly) fits almost as well. Checked by simulation (known incidence and latency
    parameters are recovered) and against the same likelihood maximised by R ``optim``
    on the Rossi data (estimates to 1e-5, SEs to 5e-3, log likelihood to 1e-9).

    References
    ----------
    Schmidt, P. & Witte, A. D. (1989). Predicting criminal recidivism using
    "split population" survival time models. *Journal of Econometrics* 40, 141–159.

    Examples
    --------
    One year of follow-up (Rossi) cannot tell "never" from "later": the model says so.

    >>> import warnings
    >>> from rpeval.datasets import load_rossi
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     fit = split_population(load_rossi(), "week", "arrest",
    ...                            incidence=["fin", "prio"], latency=["age"])
    >>> fit.weakly_identified, round(fit.tail_beyond_followup, 2)
    (True, 0.66)
    """
    caller = "split_population"
    prepared = checked_input(
        data,
        duration,
        event,
        {"incidence": incidence, "latency": latency},
        dist=dist,
        allowed=("lognormal", "weibull", "loglogistic"),
        what="latency distribution",
        weights=weights,
        missing=missing,
        conf_level=conf_level,
        caller=caller,
    )
    inc, lat = prepared.designs["incidence"], prepared.designs["latency"]
    log_t = np.log(prepared.time)
    cure_data = CureData(inc.X, lat.X, log_t, prepared.event, prepared.weights, dist)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        fit = fit_cure(cure_data)
    q, p_lat = inc.X.shape[1], lat.X.shape[1]
    if not np.all(np.isfinite(fit.theta)) or not np.isfinite(fit.loglik):
        raise ConvergenceError(
            f"{caller}(): the likelihood has no finite maximum on these data",
            hint="too few events for the number of parameters, or a covariate that "
            "separates re-arrested from not; simplify the incidence or latency model",
        )
    gamma, beta = fit.theta[:q], fit.theta[q : q + p_lat]
    scale = float(np.exp(fit.theta[-1]))
    w = prepared.weights
    prob = special.expit(inc.X @ gamma)
    u_end = (log_t.max() - lat.X @ beta) / scale
    tail = float((w * prob) @ np.exp(standard_terms(dist, u_end).log_s) / (w @ prob))
    notes = _identification_notes(fit, tail)
    for note in notes:
        warnings.warn(note, ConvergenceWarning, stacklevel=2)
    return SplitPopulationResult(
        dist=dist,
        incidence_terms=inc.terms,
        latency_terms=lat.terms,
        incidence_coef=gamma,
        latency_coef=beta,
        scale=scale,
        covariance=fit.covariance,
        loglik=fit.loglik,
        n=int(prepared.time.size),
        n_events=int(prepared.event.sum()),
        n_dropped=prepared.n_dropped,
        iterations=fit.iterations,
        converged=fit.converged,
        conf_level=float(conf_level),
        eventual_reoffense=float(w @ prob / w.sum()),
        tail_beyond_followup=tail,
        weakly_identified=bool(notes),
        notes=tuple(notes),
        _incidence=inc,
        _latency=lat,
    )


def _identification_notes(fit: CureFit, tail: float) -> list[str]:
    """Why the fit may mislead: it did not converge, or the cure fraction is weakly
    identified (``tail``, the share of eventual reoffenses after the longest follow-up,
    above :data:`WEAK_TAIL`, or an incidence-intercept SE above :data:`WEAK_SE`)."""
    caller = "split_population"
    se_intercept = float(np.sqrt(fit.covariance[0, 0])) if fit.converged else np.inf
    notes: list[str] = []
    if not fit.converged:
        notes.append(f"{caller}(): the fit did not converge; estimates may be unreliable")
    if tail > WEAK_TAIL or se_intercept > WEAK_SE:
        notes.append(
            f"{caller}(): the share who would never reoffend is weakly identified: the "
            f"latency model puts {tail:.0%} of eventual reoffenses after the longest "
            f"follow-up and the incidence intercept has SE {se_intercept:.2f}; longer "
            "follow-up, fewer incidence covariates, or reporting this model only as a "
            "sensitivity analysis are the remedies"
        )
    return notes
