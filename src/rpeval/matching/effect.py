"""Treatment effects on a matched sample: weighted outcome models with robust SEs."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from numpy.typing import NDArray
from scipy import stats
from statsmodels.tools.sm_exceptions import SpecificationWarning
from tqdm.auto import tqdm

from rpeval import _frames
from rpeval.errors import DataError, RpevalError, RpevalWarning, SpecificationError
from rpeval.matching.result import MatchResult
from rpeval.matching.weighting import WeightResult, weight

__all__ = ["EffectResult", "effect"]

FloatArray = NDArray[np.float64]
Measure = Literal["mean_difference", "risk_difference", "risk_ratio", "odds_ratio"]
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


def _point(
    y: FloatArray,
    t: FloatArray,
    w: FloatArray,
    Z: FloatArray | None,
    measure: Measure,
    cov: dict[str, Any] | None = None,
    target: NDArray[np.bool_] | None = None,
) -> tuple[float, Any, FloatArray]:
    """Estimate (on the link scale for ratios), the fitted model and the g-computation
    gradient with respect to its parameters. ``target`` marks the rows averaged over
    (default: the treated)."""
    if Z is None:
        X = np.column_stack([np.ones_like(t), t])
    else:
        Zc = Z - np.average(Z[t == 1], axis=0, weights=w[t == 1])
        X = np.column_stack([np.ones_like(t), t, Zc, Zc * t[:, None]])
    if measure == "mean_difference":
        model = sm.WLS(y, X, weights=w)
    else:
        model = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=w)
    with warnings.catch_warnings():  # statsmodels' own covariance is not used: see _sandwich
        warnings.simplefilter("ignore", SpecificationWarning)
        fitted = model.fit(**(cov or {}))
    focal = t == 1 if target is None else target
    X1, X0 = X[focal].copy(), X[focal].copy()
    X1[:, 1], X0[:, 1] = 1.0, 0.0
    if Z is not None:
        k = Z.shape[1]
        X1[:, 2 + k :] = X1[:, 2 : 2 + k]
        X0[:, 2 + k :] = 0.0
    wf = w[focal] / w[focal].sum()
    beta = fitted.params
    if measure == "mean_difference":
        return float(wf @ (X1 - X0) @ beta), fitted, wf @ (X1 - X0)
    p1, p0 = 1 / (1 + np.exp(-X1 @ beta)), 1 / (1 + np.exp(-X0 @ beta))
    m1, m0 = wf @ p1, wf @ p0
    g1, g0 = (wf * p1 * (1 - p1)) @ X1, (wf * p0 * (1 - p0)) @ X0
    if measure == "risk_difference":
        return float(m1 - m0), fitted, g1 - g0
    if measure == "risk_ratio":
        return float(np.log(m1 / m0)), fitted, g1 / m1 - g0 / m0
    odds = np.log(m1 / (1 - m1)) - np.log(m0 / (1 - m0))
    return float(odds), fitted, g1 / (m1 * (1 - m1)) - g0 / (m0 * (1 - m0))


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
    se
        ``"cluster"``: cluster-robust on the matched set (the default for matching
        without replacement, as ``sandwich::vcovCL``); ``"hc3"``: heteroskedasticity-robust
        (the default with replacement and for weights, as ``sandwich::vcovHC``);
        ``"bootstrap"``: resampling matched sets, or for a :class:`WeightResult` resampling
        units and re-estimating the weights each time (seeded by ``random_state``; draws in
        which the weights cannot be estimated are skipped). Robust SEs for weights treat
        them as known, which is conservative for IPW estimates of the ATE.
    treated
        For a frame whose treatment column holds two labels: the treated one (results
        remember the label they were built with).

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
    robust: dict[str, Any] = {}
    if se_type == "cluster":
        robust = {"cov_type": "cluster", "cov_kwds": {"groups": clusters}}
    elif se_type == "hc3":
        robust = {"cov_type": "HC3"}
    estimate, fitted, grad = _point(y, t, w, Z, measure, robust, target)
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
        std_error = float(np.sqrt(grad @ np.asarray(fitted.cov_params()) @ grad))
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
        draws.append(_point(y, t, w, Z, measure, None, _target(t, result.estimand))[0])
    if len(draws) < 2:
        raise DataError("effect(): the weights could not be re-estimated in the bootstrap")
    return draws


def _sandwich(
    fitted: Any, w: FloatArray, clusters: NDArray[np.intp] | None, *, linear: bool
) -> FloatArray:
    """Cluster-robust (``sandwich::vcovCL`` defaults: HC1 for linear models, HC0 for
    logistic, times G/(G-1)) or HC3 covariance of the outcome model's coefficients."""
    X = np.asarray(fitted.model.exog)
    y = np.asarray(fitted.model.endog)
    mu = np.asarray(fitted.fittedvalues)
    working = w if linear else w * mu * (1 - mu)
    bread = np.linalg.inv((X * working[:, None]).T @ X)
    scores = X * (w * (y - mu))[:, None]
    n, k = X.shape
    if clusters is None:  # HC3
        leverage = np.einsum("ij,jk,ik->i", X * working[:, None], bread, X)
        scores = scores / (1 - np.minimum(leverage, 1 - 1e-12))[:, None]
        return np.asarray(bread @ (scores.T @ scores) @ bread, dtype=np.float64)
    n_groups = int(clusters.max()) + 1
    summed = np.stack(
        [np.bincount(clusters, weights=scores[:, j], minlength=n_groups) for j in range(k)],
        axis=1,
    )
    adjust = n_groups / (n_groups - 1) if n_groups > 1 else 1.0
    if linear:
        adjust *= (n - 1) / (n - k)
    return np.asarray(adjust * bread @ (summed.T @ summed) @ bread, dtype=np.float64)


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
        draws.append(_point(y[rows], t[rows], w[rows], Zb, measure, None, target)[0])
    return float(np.std(draws, ddof=1))
