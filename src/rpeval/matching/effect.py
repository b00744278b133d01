"""Treatment effects on a matched sample: weighted outcome models with robust SEs."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats
from tqdm.auto import tqdm

from rpeval import _frames
from rpeval.errors import (
    ConvergenceWarning,
    DataError,
    RpevalError,
    RpevalWarning,
    SpecificationError,
)
from rpeval.matching._outcome import (
    Estimate,
    Measure,
    OutcomeFit,
    cluster_covariance,
    g_computation,
    hc3_covariance,
)
from rpeval.matching.result import MatchResult
from rpeval.matching.weighting import WeightResult, weight

__all__ = ["EffectResult", "effect"]

FloatArray = NDArray[np.float64]
LEVERAGE_TOL = 1.5e-8  # HC3 is undefined for a unit with hat value within this of 1
SE = Literal["cluster", "hc3", "bootstrap"]


@dataclass(frozen=True)
class EffectResult:
    """One estimate of the effect in the focal group, with its SE and interval."""

    measure: str
    estimate: float
    std_error: float
    ci_lower: float
    ci_upper: float
    p_value: float
    se_type: str
    conf_level: float
    n: int
    n_clusters: int

    def summary(self) -> pd.DataFrame:
        """``measure``, ``estimate``, ``std_error`` (on the log scale for ratios),
        ``statistic``, ``p_value``, ``ci_lower``, ``ci_upper``."""
        log_scale = self.measure in ("risk_ratio", "odds_ratio")
        centre = np.log(self.estimate) if log_scale else self.estimate
        null = 0.0
        return pd.DataFrame(
            [
                {
                    "measure": self.measure,
                    "estimate": self.estimate,
                    "std_error": self.std_error,
                    "statistic": (centre - null) / self.std_error,
                    "p_value": self.p_value,
                    "ci_lower": self.ci_lower,
                    "ci_upper": self.ci_upper,
                }
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        row = {str(k): v for k, v in self.summary().iloc[0].to_dict().items()}
        return {
            **row,
            "se_type": self.se_type,
            "conf_level": self.conf_level,
            "n": self.n,
            "n_clusters": self.n_clusters,
        }


def effect(
    result: MatchResult | WeightResult | pd.DataFrame,
    outcome: str,
    *,
    treatment: str | None = None,
    measure: Measure = "mean_difference",
    adjust: str | Sequence[str] | None = None,
    se: SE | None = None,
    conf_level: float = 0.95,
    n_bootstrap: int = 999,
    random_state: int | None = None,
    progress: bool = True,
    treated: Any = None,
) -> EffectResult:
    """Effect of treatment in the target population of a matched or weighted sample.

    A weighted outcome model (linear for ``mean_difference``, logistic otherwise) with
    g-computation over the target population when ``adjust`` names covariates
    (treatment-by-covariate interactions included). The target is the treated units
    (ATT), the controls (ATC) or, for a :class:`WeightResult` with ATE or ATO, every unit.

    Parameters
    ----------
    result
        A :class:`MatchResult`, a :class:`WeightResult`, or a matched frame with
        ``weights`` and ``subclass`` columns (then ``treatment=`` names the treatment).
    outcome
        The outcome column: numeric, or 0/1 for the risk measures.
    measure
        ``"mean_difference"`` (``lm``), or from a logistic ``glm``: ``"risk_difference"``,
        ``"risk_ratio"`` or ``"odds_ratio"`` of the weighted mean predicted risks.
    adjust
        Covariates of the outcome model (names or a formula right-hand side); the model
        is ``outcome ~ treatment * (covariates)``.
    se
        ``"cluster"``: cluster-robust on the matched set (the default for matching
        without replacement), as ``sandwich::vcovCL(fit, cluster = ~subclass)``;
        ``"hc3"``: heteroskedasticity-robust (the default with replacement and for
        weights), as ``sandwich::vcovHC(fit, type = "HC3")``, for every measure;
        ``"bootstrap"``: resampling matched sets, or for a :class:`WeightResult` resampling
        units and re-estimating the weights each time (seeded by ``random_state``; draws in
        which the weights cannot be estimated are skipped). Robust SEs for weights treat
        them as known, which is conservative for IPW estimates of the ATE.
    conf_level
        Confidence level of the Wald interval (on the log scale for ratios).
    n_bootstrap, random_state, progress
        Number of bootstrap draws, their seed, and whether to show a progress bar.
    treated
        For a frame whose treatment column holds two labels: the treated one (results
        remember the label they were built with).

    Returns
    -------
    EffectResult
        ``estimate`` (a ratio for ``risk_ratio``/``odds_ratio``), ``std_error`` (of the
        log ratio for ratios), ``ci_lower``, ``ci_upper``, ``p_value``, ``se_type``,
        ``conf_level``, ``n`` (units with positive weight) and ``n_clusters``.

    Raises
    ------
    DataError
        A 0/1 outcome is needed and not given; the effect is not identified (an
        ``adjust=`` pattern occurs in one treatment group only, so the model cannot
        predict a target unit under both treatments); ``se="hc3"`` with a unit of
        leverage 1; ``se="cluster"`` with a single matched set.

    Notes
    -----
    With outcome model coefficients ``b``, prior weights ``w``, working weights ``V``
    (``w`` for ``lm``, ``w mu (1 - mu)`` for the logistic ``glm``), bread
    ``B = (X' V X)^-1``, estimating functions ``s_i = w_i (y_i - mu_i) x_i`` and hat
    values ``h_i`` of the weighted (IRLS) fit, the covariance of ``b`` is

    - cluster: ``c B (sum_g S_g S_g') B``, ``S_g`` the sum of ``s_i`` over matched set
      ``g``, with ``c = G / (G - 1)`` and, for ``mean_difference`` only,
      ``(n - 1) / (n - k)``: ``sandwich::vcovCL``'s defaults (``type = "HC1"`` for an
      ``lm``, ``"HC0"`` for a ``glm``; ``cadjust = TRUE``);
    - HC3: ``B (sum_i s_i s_i' / (1 - h_i)^2) B``.

    The SE of the estimate ``g(b)`` is the delta method ``sqrt(d' Cov(b) d)`` with the
    analytic gradient ``d`` of the weighted average of predictions over the target units
    (as ``marginaleffects::avg_comparisons(fit, variables = "treat", vcov = ...,
    newdata = target, wts = "weights")``, which holds the covariates fixed).

    Agrees with R 4.2 ``lm``/``glm`` + sandwich 3.0.2 and the delta method written out
    in R to 1e-8 (relative) for every measure, adjusted or not, on lalonde (``re78`` and
    ``re78 > 0``): MatchIt's matched pairs (cluster and HC3) and IPT weights (HC3, and
    cluster on arbitrary sets) (``tests/reference/matching_effect.R``). Deliberate
    differences: where R answers with a warning or a meaningless number we raise (a
    prediction from a rank-deficient fit; HC3 with a hat value of 1); and R's ``glm``
    takes its bread and hat values from the iteration before the last, so with its
    default ``epsilon = 1e-8`` R's SEs differ from ours by up to 2e-5 (relative) on
    those data; they agree when ``glm`` is run to convergence.

    References
    ----------
    Zeileis, Köll and Graham (2020). Various versatile variances: an object-oriented
    implementation of clustered covariances in R. *Journal of Statistical Software* 95(1).

    Greifer (2023). Estimating effects after matching. MatchIt vignette.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"treat": [1, 0, 1, 0], "y": [3.0, 1.0, 4.0, 1.5],
    ...                    "weights": 1.0, "subclass": [1, 1, 2, 2]})
    >>> effect(df, "y", treatment="treat").estimate
    2.25
    """
    weighted = isinstance(result, WeightResult)
    label = treated
    if isinstance(result, MatchResult | WeightResult):
        data, treatment = result.data, result.treatment
        label = result.settings.get("treated")
        replace = bool(result.settings.get("replace", False))
        estimand = result.estimand
        if weighted:
            data = data.assign(subclass=np.arange(1, len(data) + 1))
    else:
        if treatment is None:
            raise SpecificationError("effect(): name the treatment column with treatment=")
        data = _frames.as_pandas(result, arg="result", caller="effect")
        _frames.require_columns(data, ["weights", "subclass"], arg="result", caller="effect")
        replace, estimand = False, "ATT"
    if measure not in ("mean_difference", "risk_difference", "risk_ratio", "odds_ratio"):
        raise SpecificationError(f"effect(): measure={measure!r} is unknown")
    se_type = se or ("hc3" if replace or weighted else "cluster")
    if se_type not in ("cluster", "hc3", "bootstrap"):
        raise SpecificationError(
            f"effect(): se={se!r} is unknown", hint='use "cluster", "hc3" or "bootstrap"'
        )
    if weighted and se_type == "cluster":
        raise SpecificationError(
            "effect(): weighting has no matched sets to cluster on",
            hint='use se="hc3" or se="bootstrap"',
        )
    spec = (
        None
        if adjust is None
        else _frames.resolve_covariates(adjust, arg="adjust", caller="effect")
    )
    columns = [outcome, treatment, "weights", "subclass", *(spec.columns if spec else [])]
    data = _frames.complete_cases(
        data, columns, missing="error", arg="result", caller="effect"
    ).frame
    data = data[data["weights"] > 0]
    y = _frames.numeric_array(data, outcome, arg="outcome", caller="effect")
    t = _frames.treatment_indicator(
        data, treatment, treated=label, arg="treatment", caller="effect"
    ).is_treated.astype(np.float64)
    if measure != "mean_difference" and not np.isin(y, (0.0, 1.0)).all():
        raise DataError(f"effect(): measure={measure!r} needs a 0/1 outcome {outcome!r}")
    w = data["weights"].to_numpy(np.float64)
    Z = None if spec is None else _frames.design_matrix(data, spec, arg="adjust", caller="effect").X
    clusters = pd.factorize(data["subclass"])[0]
    target = _target(t, estimand)
    point = g_computation(y, t, w, Z, measure, target)
    if not point.estimable:
        raise DataError(
            f"effect(): the {measure} is not identified: the outcome model cannot predict "
            "every target unit under both treatment and control, because some adjust= "
            "covariate pattern occurs in one treatment group only",
            hint="merge rare levels, drop that covariate from adjust=, or restrict the "
            "sample to common support",
        )
    _warn_about_fit(point.fit, measure)
    if se_type == "bootstrap" and isinstance(result, WeightResult):
        draws = _reweighted_draws(
            result, outcome, spec, measure, n_bootstrap, random_state, progress
        )
        std_error = float(np.std(draws, ddof=1))
    elif se_type == "bootstrap":
        std_error = _bootstrap(
            y, t, w, Z, measure, clusters, n_bootstrap, random_state, progress, estimand
        )
    else:
        std_error = _robust_se(point, clusters if se_type == "cluster" else None, measure)
    estimate = point.value
    z = stats.norm.ppf(0.5 + conf_level / 2)
    low, high = estimate - z * std_error, estimate + z * std_error
    p_value = float(2 * stats.norm.sf(abs(estimate / std_error)))
    if measure in ("risk_ratio", "odds_ratio"):
        estimate, low, high = float(np.exp(estimate)), float(np.exp(low)), float(np.exp(high))
    return EffectResult(
        measure,
        estimate,
        std_error,
        low,
        high,
        p_value,
        se_type,
        conf_level,
        len(y),
        int(clusters.max()) + 1,
    )


def _robust_se(point: Estimate, clusters: NDArray[np.intp] | None, measure: Measure) -> float:
    """Delta-method SE from the cluster-robust (``clusters`` given) or HC3 covariance."""
    fit = point.fit
    n, k = fit.scores.shape
    if clusters is not None:
        n_groups = int(clusters.max()) + 1
        if n_groups < 2:
            raise DataError(
                'effect(): se="cluster" needs at least two matched sets (subclass values); '
                f"found {n_groups}",
                hint='use se="hc3" or se="bootstrap"',
            )
        linear = measure == "mean_difference"
        if linear and n <= k:
            raise DataError(
                f"effect(): the outcome model has {k} coefficients but only {n} units",
                hint="use fewer adjust= covariates",
            )
        cov = cluster_covariance(fit, clusters, small_sample=linear)
    else:
        exact = int(np.sum(fit.leverage > 1.0 - LEVERAGE_TOL))
        if exact:
            raise DataError(
                f'effect(): se="hc3" is undefined: {exact} unit(s) have leverage 1 in the '
                "outcome model (each fits its own coefficient, e.g. the only unit of an "
                "adjust= level in its treatment group), so 1 / (1 - h) is infinite",
                hint="merge rare levels or drop that covariate from adjust=, or use "
                'se="cluster" (matching without replacement) or se="bootstrap"',
            )
        cov = hc3_covariance(fit)
    return float(np.sqrt(point.gradient @ cov @ point.gradient))


def _warn_about_fit(fit: OutcomeFit, measure: Measure) -> None:
    """Say so when the logistic outcome model did not converge or separates."""
    if not fit.converged:
        warnings.warn(
            f"effect(): the logistic outcome model for the {measure} did not converge; "
            "the estimate and its SE are unreliable",
            ConvergenceWarning,
            stacklevel=3,
        )
    elif fit.boundary:
        warnings.warn(
            f"effect(): the logistic outcome model fits a risk of 0 or 1 to {fit.boundary} "
            "unit(s) (separation); the estimate and its SE are unreliable",
            ConvergenceWarning,
            stacklevel=3,
        )


def _target(t: FloatArray, estimand: str) -> NDArray[np.bool_]:
    if estimand == "ATT":
        return np.asarray(t == 1, dtype=np.bool_)
    if estimand == "ATC":
        return np.asarray(t == 0, dtype=np.bool_)
    return np.ones(len(t), dtype=np.bool_)


def _reweighted_draws(
    result: WeightResult,
    outcome: str,
    spec: _frames.CovariateSpec | None,
    measure: Measure,
    n_boot: int,
    seed: int | None,
    progress: bool,
) -> list[float]:
    """Estimates on bootstrap resamples of the units, re-estimating the weights in each."""
    rng = np.random.default_rng(seed)
    frame = result.data.drop(columns=["weights", "distance"]).reset_index(drop=True)
    options = {k: v for k, v in result.settings.items() if k != "missing"}
    draws = []
    for _ in tqdm(range(n_boot), disable=not progress, desc="bootstrap (re-weighting)"):
        sample = frame.take(rng.integers(0, len(frame), len(frame))).reset_index(drop=True)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RpevalWarning)
                again = weight(sample, result.treatment, result._covariates, **options)
        except RpevalError:
            continue
        data = again.data[again.data["weights"] > 0]
        y = data[outcome].to_numpy(np.float64)
        t = again._is_treated[again._weights > 0].astype(np.float64)
        w = data["weights"].to_numpy(np.float64)
        Z = (
            None
            if spec is None
            else _frames.design_matrix(data, spec, arg="adjust", caller="effect").X
        )
        if np.unique(t).size < 2:
            continue
        again_point = g_computation(y, t, w, Z, measure, _target(t, result.estimand))
        if again_point.estimable:
            draws.append(again_point.value)
    if len(draws) < 2:
        raise DataError("effect(): the weights could not be re-estimated in the bootstrap")
    return draws


def _bootstrap(
    y: FloatArray,
    t: FloatArray,
    w: FloatArray,
    Z: FloatArray | None,
    measure: Measure,
    clusters: NDArray[np.intp],
    n_boot: int,
    seed: int | None,
    progress: bool,
    estimand: str = "ATT",
) -> float:
    rng = np.random.default_rng(seed)
    n_clusters = int(clusters.max()) + 1
    members = pd.Series(np.arange(len(y))).groupby(clusters).apply(np.asarray).tolist()
    draws = []
    for _ in tqdm(range(n_boot), disable=not progress, desc="pair bootstrap"):
        chosen = rng.integers(0, n_clusters, n_clusters)
        rows = np.concatenate([members[c] for c in chosen])
        if np.unique(t[rows]).size < 2:
            continue
        Zb = None if Z is None else Z[rows]
        target = _target(t[rows], estimand)
        again = g_computation(y[rows], t[rows], w[rows], Zb, measure, target)
        if again.estimable:
            draws.append(again.value)
    return float(np.std(draws, ddof=1))
