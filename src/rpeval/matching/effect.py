"""Treatment effects on a matched or weighted sample: weighted outcome models,
g-computation, and SEs that say which estimand they are for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace as replace_fields
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._options import check_conf_level, check_count
from rpeval.errors import DataError, SpecificationError
from rpeval.matching._bias_correction import bias_corrected
from rpeval.matching._effect_result import EffectResult, wald_effect
from rpeval.matching._effect_se import robust_se, warn_about_fit
from rpeval.matching._outcome import Estimate, Measure, g_computation
from rpeval.matching._resampling import reweighted_draws, set_bootstrap, target_rows
from rpeval.matching._stacked import influence_values
from rpeval.matching._weight_model import weight_equations
from rpeval.matching.result import MatchResult
from rpeval.matching.weighting import WeightResult

__all__ = ["EffectResult", "effect"]

SE = Literal["sandwich", "cluster", "hc3", "bootstrap"]
Target = Literal["population", "sample"]
FloatArray = NDArray[np.float64]


def effect(
    result: MatchResult | WeightResult | pd.DataFrame,
    outcome: str,
    *,
    treatment: str | None = None,
    measure: Measure = "mean_difference",
    adjust: str | Sequence[str] | None = None,
    se: SE | None = None,
    target: Target = "population",
    bias_correction: bool = False,
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
        ``"sandwich"`` (the default for a :class:`WeightResult`): the M-estimation
        sandwich that stacks the weighting model's estimating equations (the propensity
        score's, or entropy balancing's) with the outcome model's, so the weights count
        as estimated (Lunceford & Davidian 2004; Reifeis & Hudgens 2022; Zhao &
        Percival 2017). ``"cluster"``: cluster-robust on the matched set (the default
        for matching without replacement), as ``sandwich::vcovCL(fit, cluster =
        ~subclass)``. ``"hc3"``: heteroskedasticity-robust (the default with
        replacement), as ``sandwich::vcovHC(fit, type = "HC3")``, for every measure; on
        weights it treats them as known, which can be too small or too large (for the
        ATT, too small under effect heterogeneity). ``"bootstrap"``: resampling matched
        sets, or for a :class:`WeightResult` resampling units and re-estimating the
        weights each time (seeded by ``random_state``; draws that fail, e.g. with one
        group only or weights that cannot be estimated, are skipped, counted in
        ``bootstrap_failures`` and warned about with a :class:`~rpeval.errors.DataWarning`).
        ``se`` is this pillar's spelling of ``robust=``/``cluster=`` elsewhere: with
        ``"cluster"`` the cluster is always the matched set.
    target
        With ``adjust=``: ``"population"`` (the default) counts the target units as a
        sample from their population (the population ATT, or ATE...), adding the
        sampling variance of the unit-level predicted contrasts, clustered by matched set
        (Abadie & Imbens 2006); ``"sample"`` holds their covariates fixed (the effect in
        these units, as ``marginaleffects::avg_comparisons`` and R's reference).
        Without ``adjust=`` the two SEs are equal, except for weights (``"sandwich"``).
    bias_correction
        Abadie & Imbens' (2011) bias-corrected matching estimator, for a
        :class:`MatchResult` from nearest-neighbour matching: each focal unit's
        counterfactual is its matches' mean outcome plus a regression's correction for
        the covariate gap, with Abadie & Imbens' (2006) variance (see Notes). The
        regression uses the ``adjust=`` covariates, or by default those matched on.
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
        ``conf_level``, ``n`` (units with positive weight), ``n_clusters``, the
        ``estimand`` and ``target`` the SE is for, and ``bootstrap_failures``.

    Raises
    ------
    DataError
        A 0/1 outcome is needed and not given; the effect is not identified (an
        ``adjust=`` pattern occurs in one treatment group only, so the model cannot
        predict a target unit under both treatments); ``se="hc3"`` with a unit of
        leverage 1; ``se="cluster"`` with a single matched set.
    SpecificationError
        An unknown option, ``se="sandwich"`` without estimated weights, ``se="cluster"``
        on weights, or ``bias_correction=True`` on anything but nearest-neighbour pairs.

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

    The sample-target SE of the estimate ``g(b)`` is the delta method
    ``sqrt(d' Cov(b) d)`` with the analytic gradient ``d`` of the weighted average of
    predictions over the target units (as ``marginaleffects::avg_comparisons(fit,
    variables = "treat", vcov = ..., newdata = target, wts = "weights")``). The
    population target and the stacked sandwich use each unit's influence on the
    estimate from the stacked estimating equations (:mod:`._stacked`): weighting model,
    outcome model, and the two weighted mean predictions; the population SE sums them
    by matched set (with the cluster SE's factor ``c``) or, for HC3, scales each score
    by ``1 / (1 - h_i)``. The stacked sandwich has no small-sample factor (HC0, as R's
    ``geex``).

    Agrees with R 4.2 ``lm``/``glm`` + sandwich 3.0.2 and the delta method written out
    in R to 1e-8 (relative) for every measure, adjusted or not, on lalonde (``re78`` and
    ``re78 > 0``): MatchIt's matched pairs (cluster and HC3) and IPT weights (HC3, and
    cluster on arbitrary sets) (``tests/reference/matching_effect.R``); the stacked
    sandwich agrees with the estimating equations solved and differentiated in base R
    (``tests/reference/matching_sandwich.R``). Deliberate differences: where R answers
    with a warning or a meaningless number we raise (a prediction from a rank-deficient
    fit; HC3 with a hat value of 1); and R's ``glm`` takes its bread and hat values from
    the iteration before the last, so with its default ``epsilon = 1e-8`` R's SEs differ
    from ours by up to 2e-5 (relative) on those data; they agree when ``glm`` is run to
    convergence.

    References
    ----------
    Zeileis, Köll and Graham (2020). Various versatile variances: an object-oriented
    implementation of clustered covariances in R. *Journal of Statistical Software* 95(1).

    Lunceford and Davidian (2004). Stratification and weighting via the propensity
    score in estimation of causal treatment effects. *Statistics in Medicine* 23.

    Reifeis and Hudgens (2022). On variance of the treatment effect in the treated when
    estimated by inverse probability weighting. *American Journal of Epidemiology* 191.

    Zhao and Percival (2017). Entropy balancing is doubly robust. *Journal of Causal
    Inference* 5(1).

    Abadie and Imbens (2006). Large sample properties of matching estimators for
    average treatment effects. *Econometrica* 74. Abadie and Imbens (2011). Bias-
    corrected matching estimators for average treatment effects. *JBES* 29.

    Greifer (2023). Estimating effects after matching. MatchIt vignette.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"treat": [1, 0, 1, 0], "y": [3.0, 1.0, 4.0, 1.5],
    ...                    "weights": 1.0, "subclass": [1, 1, 2, 2]})
    >>> effect(df, "y", treatment="treat").estimate
    2.25
    """
    conf_level = check_conf_level(conf_level, caller="effect")
    data, treatment, label, replace, estimand = _inputs(result, treatment, treated)
    weighted = isinstance(result, WeightResult)
    se_type = _check_options(measure, se, target, weighted, replace, bias_correction)
    spec = (
        None
        if adjust is None
        else _frames.resolve_covariates(adjust, arg="adjust", caller="effect")
    )
    if bias_correction:
        if not isinstance(result, MatchResult):
            raise SpecificationError(
                "effect(): bias_correction=True needs the MatchResult of a "
                "nearest-neighbour match()",
                hint="pass the result of match(..., method='nearest')",
            )
        corrected = bias_corrected(result, outcome, measure, spec, target=target)
        return wald_effect(
            measure, corrected.estimate, corrected.std_error, "abadie_imbens", conf_level,
            corrected.n, corrected.n_sets, estimand, target,
        )  # fmt: skip
    rows = _analysed_rows(data, outcome, treatment, label, measure, spec)
    focus = target_rows(rows.t, estimand)
    point = g_computation(rows.y, rows.t, rows.w, rows.Z, measure, focus)
    if not point.estimable:
        raise DataError(
            f"effect(): the {measure} is not identified: the outcome model cannot predict "
            "every target unit under both treatment and control, because some adjust= "
            "covariate pattern occurs in one treatment group only",
            hint="merge rare levels, drop that covariate from adjust=, or restrict the "
            "sample to common support",
        )
    warn_about_fit(point.fit, measure)
    std_error, failures = _standard_error(
        result, se_type, point, rows, focus, measure=measure, target=target,
        estimand=estimand, n_bootstrap=n_bootstrap, random_state=random_state,
        progress=progress,
    )  # fmt: skip
    found = wald_effect(
        measure, point.value, std_error, se_type, conf_level, len(rows.y),
        int(rows.clusters.max()) + 1, estimand, target,
    )  # fmt: skip
    return replace_fields(found, bootstrap_failures=failures)


class _Rows(NamedTuple):
    """The rows the outcome model is fitted on (complete, positive weight): outcome,
    0/1 treatment, weights, the ``adjust=`` design (``None`` without), matched-set codes,
    and which rows of the complete cases they are (``positive``)."""

    y: FloatArray
    t: FloatArray
    w: FloatArray
    Z: FloatArray | None
    clusters: NDArray[np.intp]
    positive: NDArray[np.bool_]


def _analysed_rows(
    data: pd.DataFrame,
    outcome: str,
    treatment: str,
    label: Any,
    measure: str,
    spec: _frames.CovariateSpec | None,
) -> _Rows:
    """The complete cases with positive weight, as arrays; a risk measure needs a 0/1
    outcome."""
    columns = [outcome, treatment, "weights", "subclass", *(spec.columns if spec else [])]
    data = _frames.complete_cases(
        data, columns, missing="error", arg="result", caller="effect"
    ).frame
    positive = data["weights"].to_numpy(np.float64) > 0
    data = data[positive]
    y = _frames.numeric_array(data, outcome, arg="outcome", caller="effect")
    t = _frames.treatment_indicator(
        data, treatment, treated=label, arg="treatment", caller="effect"
    ).is_treated.astype(np.float64)
    if measure != "mean_difference" and not np.isin(y, (0.0, 1.0)).all():
        raise DataError(f"effect(): measure={measure!r} needs a 0/1 outcome {outcome!r}")
    w = data["weights"].to_numpy(np.float64)
    Z = None if spec is None else _frames.design_matrix(data, spec, arg="adjust", caller="effect").X
    clusters = pd.factorize(data["subclass"])[0]
    return _Rows(y, t, w, Z, clusters, positive)


def _standard_error(
    result: MatchResult | WeightResult | pd.DataFrame,
    se_type: str,
    point: Estimate,
    rows: _Rows,
    focus: NDArray[np.bool_],
    *,
    measure: Measure,
    target: str,
    estimand: str,
    n_bootstrap: int,
    random_state: int | None,
    progress: bool,
) -> tuple[float, int]:
    """The SE of ``se_type`` (bootstrap, stacked sandwich, or cluster/HC3 delta method)
    and the number of bootstrap draws that failed (0 for the analytic SEs)."""
    y, t, w, Z, clusters, positive = rows
    failures = 0
    if se_type == "bootstrap":
        check_count(n_bootstrap, arg="n_bootstrap", caller="effect", minimum=2)
        if isinstance(result, WeightResult):
            plan, trim = result._plan(), result.settings["trim"]
            boot = reweighted_draws(plan, trim, y, Z, measure, n_bootstrap, random_state, progress)
        else:
            boot = set_bootstrap(
                y, t, w, Z, measure, clusters, n_bootstrap, random_state, progress, estimand
            )
        std_error, failures = boot
    elif se_type == "sandwich":
        assert isinstance(result, WeightResult)
        model = weight_equations(result._plan())
        model_rows = np.flatnonzero(result._plan().inside)[positive]
        phi = influence_values(
            point, y, w, focus, measure, population=target == "population", model=model,
            rows=model_rows,
        )  # fmt: skip
        std_error = float(np.sqrt(phi @ phi))
    else:
        population = target == "population" and Z is not None
        std_error = robust_se(
            point, y, w, focus, clusters if se_type == "cluster" else None, measure, population
        )
    return std_error, failures


def _inputs(
    result: MatchResult | WeightResult | pd.DataFrame, treatment: str | None, treated: Any
) -> tuple[pd.DataFrame, str, Any, bool, str]:
    """The data, treatment column, treated label, whether controls were reused and the
    estimand of a result or a matched frame."""
    if isinstance(result, MatchResult | WeightResult):
        data = result.data
        if isinstance(result, WeightResult):
            data = data.assign(subclass=np.arange(1, len(data) + 1))
        replace = bool(result.settings.get("replace", False))
        return data, result.treatment, result.settings.get("treated"), replace, result.estimand
    if treatment is None:
        raise SpecificationError("effect(): name the treatment column with treatment=")
    data = _frames.as_pandas(result, arg="result", caller="effect")
    _frames.require_columns(data, ["weights", "subclass"], arg="result", caller="effect")
    return data, treatment, treated, False, "ATT"


def _check_options(
    measure: str, se: str | None, target: str, weighted: bool, replace: bool, corrected: bool
) -> str:
    """The SE type to use, after checking the options against each other."""
    if measure not in ("mean_difference", "risk_difference", "risk_ratio", "odds_ratio"):
        raise SpecificationError(f"effect(): measure={measure!r} is unknown")
    if target not in ("population", "sample"):
        raise SpecificationError(
            f"effect(): target={target!r} is unknown", hint='use "population" or "sample"'
        )
    if corrected:
        if se is not None:
            raise SpecificationError(
                f"effect(): se={se!r} with bias_correction=True; the bias-corrected "
                "estimator has its own (Abadie-Imbens) variance",
                hint="leave se= unset",
            )
        return "abadie_imbens"
    se_type = se or ("sandwich" if weighted else "hc3" if replace else "cluster")
    if se_type not in ("sandwich", "cluster", "hc3", "bootstrap"):
        raise SpecificationError(
            f"effect(): se={se!r} is unknown",
            hint='use "sandwich", "cluster", "hc3" or "bootstrap"',
        )
    if weighted and se_type == "cluster":
        raise SpecificationError(
            "effect(): weighting has no matched sets to cluster on",
            hint='use se="sandwich", se="hc3" or se="bootstrap"',
        )
    if not weighted and se_type == "sandwich":
        raise SpecificationError(
            'effect(): se="sandwich" stacks the equations of weights estimated by weight()',
            hint='for matched data use se="cluster", "hc3" or "bootstrap"',
        )
    if se_type == "bootstrap" and target == "sample":
        raise SpecificationError(
            'effect(): se="bootstrap" resamples the target units, so it estimates the '
            'population target\'s SE; target="sample" needs an analytic SE',
            hint='use target="population", or se="cluster"/"hc3"/"sandwich"',
        )
    return se_type
