"""``weight()``: inverse-probability, overlap and entropy-balancing weights."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._display import Display, Displayed
from rpeval.errors import DataError, SpecificationError
from rpeval.matching._entropy import entropy_weights
from rpeval.matching._weight_model import WeightingPlan
from rpeval.matching.balance import BalanceTable, balance_rows, expand_columns, grids_for, scale_sds
from rpeval.matching.propensity import PropensityResult, propensity

__all__ = ["WeightInfluence", "WeightResult", "finish_weights", "ipw_weights", "weight"]

FloatArray = NDArray[np.float64]
WeightEstimand = Literal["ATE", "ATT", "ATC", "ATO"]
WeightMethod = Literal["ipw", "entropy"]


def ipw_weights(score: FloatArray, is_treated: NDArray[np.bool_], estimand: str) -> FloatArray:
    """Closed-form weights from propensity scores ``p``.

    ATE: ``1/p`` treated, ``1/(1-p)`` control; ATT: 1 and ``p/(1-p)``; ATC: ``(1-p)/p``
    and 1; ATO (overlap): ``1-p`` and ``p``.

    Examples
    --------
    >>> ipw_weights(np.array([0.2, 0.5]), np.array([True, False]), "ATT").tolist()
    [1.0, 1.0]
    """
    p = score
    if estimand == "ATE":
        return np.where(is_treated, 1.0 / p, 1.0 / (1.0 - p))
    if estimand == "ATT":
        return np.where(is_treated, 1.0, p / (1.0 - p))
    if estimand == "ATC":
        return np.where(is_treated, (1.0 - p) / p, 1.0)
    return np.where(is_treated, 1.0 - p, p)


def finish_weights(
    weights: FloatArray, is_treated: NDArray[np.bool_], truncate: float | None, stabilize: bool
) -> FloatArray:
    """Truncate each group's weights at its ``truncate`` quantile, then (``stabilize``)
    multiply them by the group's share of the sample.

    Examples
    --------
    >>> finish_weights(np.array([1.0, 2.0, 4.0]), np.array([False] * 3), None, False).tolist()
    [1.0, 2.0, 4.0]
    """
    weights = weights.copy()
    if truncate is not None:
        for group in (is_treated, ~is_treated):
            cap = np.quantile(weights[group], truncate)
            weights[group] = np.minimum(weights[group], cap)
    if stabilize:
        weights = np.where(is_treated, is_treated.mean(), 1.0 - is_treated.mean()) * weights
    return np.asarray(weights, dtype=np.float64)


class WeightInfluence(NamedTuple):
    """See :meth:`WeightResult.weight_influence`."""

    derivative: FloatArray
    influence: FloatArray
    rows: NDArray[np.intp]


@dataclass(frozen=True, repr=False)
class WeightResult(Displayed):
    """Weighted sample (``data``, with ``weights`` and ``distance`` columns) and its
    diagnostics; frozen. ``distance`` is the propensity score (NaN for entropy balancing).
    """

    data: pd.DataFrame
    treatment: str
    estimand: str
    method: str
    settings: dict[str, Any]
    propensity: PropensityResult | None = field(repr=False)
    n_dropped: int
    n_trimmed: int
    _covariates: str | Sequence[str] = field(repr=False, compare=False)
    _is_treated: NDArray[np.bool_] = field(repr=False, compare=False)
    _weights: FloatArray = field(repr=False, compare=False)
    _design: FloatArray = field(repr=False, compare=False)  # covariates of all units weighed
    _inside: NDArray[np.bool_] = field(repr=False, compare=False)  # not trimmed (= data rows)
    _all_treated: NDArray[np.bool_] = field(repr=False, compare=False)  # before trimming

    def _plan(self) -> WeightingPlan:
        """The weighting model as :func:`._weight_model.weight_equations` needs it."""
        return WeightingPlan(
            design=self._design,
            is_treated=self._all_treated,
            inside=self._inside,
            method=self.method,
            estimand=self.estimand,
            link=str(self.settings["link"]),
            linear_predictor=None if self.propensity is None else self.propensity.linear_predictor,
            truncate=self.settings["truncate"],
            stabilize=bool(self.settings["stabilize"]),
        )

    def weight_influence(self) -> WeightInfluence:
        """The weights' estimation, for the stacked (M-estimation) sandwich of any statistic
        computed with them: ``derivative`` (rows of :attr:`data` x q) holds ``dw_i/dnu``,
        ``influence`` (every unit weighed, trimmed ones included, x q) each unit's
        ``-J^-1 psi_i`` on the weighting model's parameters ``nu``, and ``rows`` the
        positions of :attr:`data`'s rows among those units. A statistic ``F`` with
        known-weights influence ``phi_i`` and ``g_i = dF/dw_i`` has the estimated-weights
        influence ``phi_i + (sum_k g_k derivative_k) . influence_i``.
        """
        from rpeval.matching._weight_model import parameter_influence, weight_equations

        plan = self._plan()
        model = weight_equations(plan)
        rows = np.flatnonzero(plan.inside)
        return WeightInfluence(
            derivative=model.derivative[rows],
            influence=parameter_influence(model, "weight_influence"),
            rows=rows,
        )

    def effective_sample_size(self) -> dict[str, float]:
        """Kish's ``(sum w)^2 / sum w^2`` for each group."""
        out = {}
        for name, group in (("treated", self._is_treated), ("control", ~self._is_treated)):
            w = self._weights[group]
            out[name] = float(w.sum() ** 2 / (w @ w)) if w.size else 0.0
        return out

    def summary(self) -> pd.DataFrame:
        """One row per group: ``group``, ``n`` (units weighted), ``effective_n``,
        ``sum_weights``, ``min_weight``, ``max_weight``."""
        ess = self.effective_sample_size()
        rows = []
        for name, group in (("treated", self._is_treated), ("control", ~self._is_treated)):
            w = self._weights[group]
            rows.append(
                {
                    "group": name,
                    "n": int(group.sum()),
                    "effective_n": ess[name],
                    "sum_weights": float(w.sum()),
                    "min_weight": float(w.min()),
                    "max_weight": float(w.max()),
                }
            )
        return pd.DataFrame(rows)

    def balance(self) -> BalanceTable:
        """Balance before and after weighting; SMDs use the unweighted SD of the treated
        (ATT), control (ATC) or pooled groups (ATE, ATO)."""
        spec = _frames.resolve_covariates(self._covariates, arg="covariates", caller="balance")
        names, X, binary = expand_columns(self.data, spec.columns, spec.categorical)
        scale = {"ATT": "ATT", "ATC": "ATC"}.get(self.estimand, "ATE")
        sd = scale_sds(X, binary, self._is_treated, scale)  # type: ignore[arg-type]
        ones = np.ones(len(self.data))
        grids = grids_for(X, binary, self._is_treated)
        before = balance_rows(names, X, binary, self._is_treated, ones, sd, None, grids)
        after = balance_rows(names, X, binary, self._is_treated, self._weights, sd, None, grids)
        return BalanceTable(before, after, self.estimand)

    def plot(
        self, kind: str = "love", ax: Any = None, *, labels: Mapping[str, str] | None = None
    ) -> Any:
        """``"love"``: absolute SMDs before/after, sorted by the unadjusted one;
        ``"propensity"``: mirrored histograms of the score, all and weighted, the groups
        named by ``labels`` (``{"treated": "participants", "control": "comparison"}``)."""
        from rpeval.matching._plots import love_plot, propensity_plot

        if kind == "love" or self.propensity is None:
            return love_plot(self.balance(), ax=ax)
        score = self.data["distance"].to_numpy(np.float64)
        return propensity_plot(
            score, self._is_treated, self._weights, ax=ax, labels=labels, adjusted="weighted"
        )

    def _display(self) -> Display:
        from rpeval.matching._display import weight_display

        return weight_display(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimand": self.estimand,
            "method": self.method,
            "settings": {k: str(v) for k, v in self.settings.items()},
            "n_dropped": self.n_dropped,
            "n_trimmed": self.n_trimmed,
            "summary": self.summary().to_dict(orient="records"),
            "balance": self.balance().to_dict(),
        }


def _check(estimand: str, method: str, trim: float | None, truncate: float | None) -> None:
    if estimand not in ("ATE", "ATT", "ATC", "ATO"):
        raise SpecificationError(
            f"weight(): estimand={estimand!r} is unknown", hint='use "ATE", "ATT", "ATC" or "ATO"'
        )
    if method not in ("ipw", "entropy"):
        raise SpecificationError(
            f"weight(): method={method!r} is unknown", hint='use "ipw" or "entropy"'
        )
    if method == "entropy" and estimand == "ATO":
        raise SpecificationError(
            "weight(): overlap weights (ATO) come from propensity scores",
            hint='use method="ipw" with estimand="ATO"',
        )
    if trim is not None and not (isinstance(trim, float | int) and 0.0 < trim < 0.5):
        raise SpecificationError(
            f"weight(): trim={trim!r} must be a propensity bound in (0, 0.5)",
            hint="Crump et al. (2009) suggest 0.1",
        )
    if trim is not None and method != "ipw":
        raise SpecificationError('weight(): trim= needs propensity scores (method="ipw")')
    if truncate is not None and not (isinstance(truncate, float) and 0.5 < truncate < 1.0):
        raise SpecificationError(
            f"weight(): truncate={truncate!r} must be a quantile in (0.5, 1), e.g. 0.99"
        )


def entropy_balance(
    X: FloatArray, terms: Sequence[str], is_treated: NDArray[np.bool_], estimand: str
) -> FloatArray:
    """Entropy-balancing weights (each reweighted group's summing to its size); raises
    :class:`DataError` when the target means are out of reach."""
    weights = np.ones(len(X))
    target_rows = {"ATT": is_treated, "ATC": ~is_treated}.get(estimand, np.ones(len(X), bool))
    target = X[target_rows].mean(axis=0)
    groups = {"ATT": [~is_treated], "ATC": [is_treated]}.get(estimand, [is_treated, ~is_treated])
    for group in groups:
        rows = X[group]
        low, high = rows.min(axis=0), rows.max(axis=0)
        # on the edge of the range only zero weights for some units balance exactly
        outside = ((target <= low) | (target >= high)) & ~((low == high) & (target == low))
        fit = entropy_weights(rows, target)
        if outside.any() or not fit.converged:
            name = "treated" if group[is_treated].any() else "comparison"
            raise DataError(
                f"weight(): entropy balancing is infeasible: no weighting of the {name} "
                f"group reproduces the target means (largest remaining gap {fit.max_gap:.3g} "
                "SD"
                + (
                    f"; the target of {[terms[int(j)] for j in np.flatnonzero(outside)]} is at or "
                    "beyond the edge of the group's range)"
                    if outside.any()
                    else ")"
                ),
                hint="balance fewer or coarser covariates, restrict the sample to the region "
                'of overlap, or use method="ipw"',
            )
        weights[group] = fit.weights * group.sum()
    return weights


def weight(
    data: pd.DataFrame,
    treatment: str,
    covariates: str | Sequence[str],
    *,
    estimand: WeightEstimand = "ATE",
    method: WeightMethod = "ipw",
    stabilize: bool = False,
    trim: float | None = None,
    truncate: float | None = None,
    treated: Any = None,
    link: Literal["logit", "probit"] = "logit",
    missing: Literal["error", "drop"] = "error",
) -> WeightResult:
    """Weight the comparison (and, for ATE/ATO, the treated) group to balance covariates.

    Parameters
    ----------
    data, treatment, covariates
        As :func:`match`: a frame, its two-group treatment column and a column list or
        formula right-hand side.
    estimand
        ``"ATE"``, ``"ATT"``, ``"ATC"`` or ``"ATO"`` (overlap weights: the population
        where treated and comparison units overlap most).
    method
        ``"ipw"`` (weights from a logistic propensity score) or ``"entropy"`` (entropy
        balancing: weights as even as possible whose means equal the target exactly).
    stabilize
        Multiply each group's weights by the group's share of the sample.
    trim
        Drop units whose propensity score lies outside ``[trim, 1 - trim]`` before
        weighting (Crump et al. 2009); they are counted in ``n_trimmed``.
    truncate
        Cap weights at this quantile of their group's weights (e.g. 0.99); groups whose
        weights are all 1 are unaffected.
    missing
        ``"error"`` or ``"drop"`` rows with missing values (counted in ``n_dropped``).

    Returns
    -------
    WeightResult

    Notes
    -----
    IPW weights are the closed forms of :func:`ipw_weights`. Entropy balancing (Hainmueller
    2012) solves for the weights closest (in KL divergence) to uniform whose weighted
    covariate means equal the treated means (ATT), the control means (ATC), or the full
    sample's (ATE, each group separately) to about 1e-9 SD; the design is coded as for the
    propensity model (categorical levels as 0/1 columns). Weights are scaled to sum to
    the group size. An unreachable target raises :class:`DataError`.

    References
    ----------
    Hainmueller, J. (2012). Entropy balancing for causal effects. *Political Analysis* 20,
    25-46. Li, F., Morgan, K. L. & Zaslavsky, A. M. (2018). Balancing covariates via
    propensity score weighting. *JASA* 113, 390-400.

    Examples
    --------
    >>> from rpeval.datasets import simulate_program
    >>> people = simulate_program(200, 800, random_state=5).people
    >>> w = weight(people, "participant", "age + prior_arrests", estimand="ATT",
    ...            method="entropy")
    >>> bal = w.balance().after.set_index("term")
    >>> bool((bal["std_mean_diff"].abs() < 1e-8).all())
    True
    """
    _check(estimand, method, trim, truncate)
    frame = _frames.as_pandas(data, arg="data", caller="weight")
    spec = _frames.resolve_covariates(covariates, arg="covariates", caller="weight")
    complete = _frames.complete_cases(
        frame, [treatment, *spec.columns], missing=missing, arg="data", caller="weight"
    )
    used = complete.frame
    coding = _frames.treatment_indicator(
        used, treatment, treated=treated, arg="treatment", caller="weight"
    )
    if coding.n_treated == 0 or coding.n_control == 0:
        raise DataError("weight(): one treatment group is empty")
    is_treated = coding.is_treated
    all_treated = np.asarray(is_treated, dtype=np.bool_)
    design = _frames.design_matrix(used, spec, arg="covariates", caller="weight")
    inside = np.ones(len(used), dtype=np.bool_)
    ps: PropensityResult | None = None
    n_trimmed = 0
    if method == "ipw":
        ps = propensity(used, treatment, covariates, treated=treated, link=link)
        score = ps.score
        if trim is not None:
            inside = (score >= trim) & (score <= 1.0 - trim)
            n_trimmed = int((~inside).sum())
            used, score, is_treated = used.loc[inside], score[inside], is_treated[inside]
            if not (is_treated.any() and (~is_treated).any()):
                raise DataError(f"weight(): trim={trim} leaves one treatment group empty")
        weights = ipw_weights(score, is_treated, estimand)
    else:
        score = np.full(len(used), np.nan)
        weights = entropy_balance(design.X, design.terms, is_treated, estimand)
    weights = finish_weights(weights, is_treated, truncate, stabilize)
    out = used.copy()
    out["weights"] = weights
    out["distance"] = score
    settings = {
        "estimand": estimand,
        "method": method,
        "stabilize": stabilize,
        "trim": trim,
        "truncate": truncate,
        "treated": treated,
        "link": link,
        "missing": missing,
    }
    return WeightResult(
        out,
        treatment,
        estimand,
        method,
        settings,
        ps,
        complete.n_dropped,
        n_trimmed,
        covariates,
        np.asarray(is_treated, dtype=np.bool_),
        np.asarray(weights, dtype=np.float64),
        np.asarray(design.X, dtype=np.float64),
        inside,
        all_treated,
    )
