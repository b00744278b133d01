"""Newton–Raphson for the Cox partial likelihood, with step halving (as R ``coxph``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from rpeval.errors import ConvergenceError, DataError
from rpeval.recidivism.cox._design import SortedDesign
from rpeval.recidivism.cox._likelihood_blocks import (
    BlockPlan,
    block_partial_likelihood,
    one_stratum,
)
from rpeval.recidivism.cox._likelihood_counting import (
    PartialLikelihood,
    event_sums,
    partial_likelihood,
)
from rpeval.recidivism.cox._likelihood_right_censored import (
    Workspace,
    fused_partial_likelihood,
    supports,
)
from rpeval.recidivism.cox._risk_sets import RiskSetIndex

__all__ = ["CoxFit", "newton_raphson"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CoxFit:
    """The converged fit: coefficients, information and the quantities of the three tests."""

    beta: FloatArray
    information: FloatArray
    covariance: FloatArray
    loglik_null: float
    loglik: float
    score_test: float
    iterations: int
    converged: bool
    possibly_infinite: tuple[int, ...]  # columns whose coefficient may be infinite


def _solve(information: FloatArray, rhs: FloatArray, terms: list[str]) -> FloatArray:
    """``information^-1 rhs`` through the Cholesky factor (numpy: no scipy import)."""
    try:
        if not np.all(np.isfinite(information)):
            raise np.linalg.LinAlgError
        lower = np.linalg.cholesky(information)
    except np.linalg.LinAlgError:
        raise DataError(
            "cox(): the information matrix is singular; the covariates "
            f"{terms} are collinear, or one is constant (within every stratum).",
            hint="drop or combine the redundant covariates",
        ) from None
    half = np.linalg.solve(lower, rhs)
    return np.asarray(np.linalg.solve(lower.T, half), dtype=np.float64)


def newton_raphson(
    index: RiskSetIndex,
    design: SortedDesign,
    weights: FloatArray,
    ties: Literal["efron", "breslow"],
    terms: list[str],
    *,
    max_iter: int = 20,
    eps: float = 1e-9,
    weighted_x_events: FloatArray | None = None,
) -> CoxFit:
    """Maximise the partial likelihood from ``beta = 0``.

    Convergence and step halving follow R's ``coxph.control``: stop when the relative
    change in the log likelihood is below ``eps``; halve a step that lowers it. A
    coefficient whose last Newton step is still large relative to its size is flagged
    as possibly infinite (R's ``toler.inf = sqrt(eps)`` rule), as under separation.
    ``weighted_x_events`` is the sum of ``w x`` over the events when the caller has it.
    """
    p = design.shape[1]
    beta = np.zeros(p)
    likelihood = _likelihood(index, design, weights, ties, weighted_x_events)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        current = likelihood(beta)
    loglik_null = current.loglik
    step0 = _solve(current.information, current.score, terms)
    score_test = float(current.score @ step0)
    converged = False
    iterations = 0
    halvings = 0
    step = step0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        candidate_beta = beta + step
        candidate = _evaluate(likelihood, candidate_beta)
        if candidate is None or candidate.loglik < current.loglik - 1e-12 * abs(current.loglik):
            halvings += 1
            if halvings > 30:
                break
            step = step / 2.0
            continue
        halvings = 0
        change = abs(1.0 - current.loglik / candidate.loglik) if candidate.loglik else 0.0
        beta, current = candidate_beta, candidate
        if change <= eps:
            converged = True
            break
        step = _solve(current.information, current.score, terms)
    if not np.all(np.isfinite(beta)):
        raise ConvergenceError(
            "cox(): the partial likelihood has no finite maximum.",
            hint="check for a covariate that perfectly predicts the event order (separation)",
        )
    covariance = _solve(current.information, np.eye(p), terms)
    last_step = covariance @ current.score
    toler_inf = np.sqrt(eps)
    flagged = (np.abs(last_step) > eps) & (np.abs(last_step) > toler_inf * np.abs(beta))
    return CoxFit(
        beta=beta,
        information=current.information,
        covariance=covariance,
        loglik_null=loglik_null,
        loglik=current.loglik,
        score_test=score_test,
        iterations=iterations,
        converged=converged,
        possibly_infinite=tuple(int(j) for j in np.flatnonzero(flagged)),
    )


Likelihood = Callable[[FloatArray], PartialLikelihood]


def _evaluate(likelihood: Likelihood, beta: FloatArray) -> PartialLikelihood | None:
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        value = likelihood(beta)
    if not np.isfinite(value.loglik) or not np.all(np.isfinite(value.information)):
        return None
    return value


def _likelihood(
    index: RiskSetIndex,
    design: SortedDesign,
    weights: FloatArray,
    ties: Literal["efron", "breslow"],
    weighted_x_events: FloatArray | None,
) -> Likelihood:
    """The partial likelihood as a function of ``beta``: numpy blocks for right-censored
    data in one stratum, the fused kernel for other right-censored data, else the
    vectorised one. Whatever does not change between Newton steps is set up here."""
    given = weighted_x_events
    if one_stratum(index):  # the blocks find the sum of w x over the events when not given
        plan = BlockPlan(index, design.columns, weights)
        return lambda beta: block_partial_likelihood(plan, weights, beta, ties, given)
    X = design.rows
    if supports(index):
        wx = np.where(index.event, weights, 0.0) @ X if given is None else given
        workspace = Workspace(X.shape[0])
        return lambda beta: fused_partial_likelihood(index, X, weights, beta, ties, wx, workspace)
    wx = event_sums(index, X, weights) if given is None else given
    return lambda beta: partial_likelihood(index, X, weights, beta, ties, wx)
