"""Propensity scores: the probability of program participation given covariates."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._coding import separating_columns
from rpeval._display import Display, Displayed
from rpeval._inference import two_sided_p
from rpeval.errors import DataError, PositivityWarning, SpecificationError
from rpeval.matching._glm import fit_binary

__all__ = ["PropensityResult", "propensity"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, repr=False)
class PropensityResult(Displayed):
    """Fitted propensity model: scores for every kept row and the coefficient table."""

    score: FloatArray
    linear_predictor: FloatArray
    is_treated: NDArray[np.bool_]
    kept: NDArray[np.bool_]  # rows of the input that were used (no missing values)
    terms: tuple[str, ...]
    coef: FloatArray
    covariance: FloatArray
    link: str
    converged: bool
    n_dropped: int
    notes: tuple[str, ...]
    _spec: _frames.CovariateSpec = field(repr=False, compare=False)

    def summary(self) -> pd.DataFrame:
        """Coefficients: ``term``, ``estimate``, ``std_error``, ``statistic``, ``p_value``."""
        se = np.sqrt(np.diag(self.covariance))
        z = self.coef / se
        return pd.DataFrame(
            {
                "term": list(self.terms),
                "estimate": self.coef,
                "std_error": se,
                "statistic": z,
                "p_value": two_sided_p(np.asarray(z, dtype=np.float64)),
            }
        )

    def overlap(self) -> pd.DataFrame:
        """Score range by group and how many of each group lie outside the other's range."""
        rows = []
        for name, mask in (("treated", self.is_treated), ("control", ~self.is_treated)):
            other = self.score[~mask]
            own = self.score[mask]
            outside = int(np.sum((own < other.min()) | (own > other.max()))) if other.size else 0
            rows.append(
                {
                    "group": name,
                    "n": int(mask.sum()),
                    "min": float(own.min()),
                    "max": float(own.max()),
                    "mean": float(own.mean()),
                    "outside_other_range": outside,
                }
            )
        return pd.DataFrame(rows)

    def _display(self) -> Display:
        n_treated = int(self.is_treated.sum())
        header = [
            ("link", self.link + ("" if self.converged else " (did not converge)")),
            ("n", f"{len(self.score):,} ({n_treated:,} treated)"),
        ]
        if self.n_dropped:
            header.append(("dropped", f"{self.n_dropped:,} rows with missing values"))
        tables = (("Overlap of the scores", self.overlap()),)
        title = "Propensity score model"
        return Display(title, tuple(header), self.summary(), self.notes, tables=tables)

    def to_dict(self) -> dict[str, Any]:
        return {
            "link": self.link,
            "converged": self.converged,
            "n_dropped": self.n_dropped,
            "coefficients": self.summary().to_dict(orient="records"),
            "overlap": self.overlap().to_dict(orient="records"),
            "notes": list(self.notes),
        }


def propensity(
    data: pd.DataFrame,
    treatment: str,
    covariates: str | Sequence[str],
    *,
    treated: Any = None,
    link: Literal["logit", "probit"] = "logit",
    missing: Literal["error", "drop"] = "error",
) -> PropensityResult:
    """Fit a logistic (or probit) model of treatment on covariates.

    Parameters
    ----------
    data, treatment
        The data and the binary treatment column (0/1, bool, or two labels with
        ``treated=`` naming the treated one).
    covariates
        Column list or formula right-hand side (``"age + C(offense_type)"``).
    link
        ``"logit"`` (as MatchIt's default) or ``"probit"``.
    missing
        ``"error"`` or ``"drop"`` rows with missing values (counted in ``n_dropped``).

    Notes
    -----
    Complete separation (some covariate pattern predicts treatment perfectly) raises a
    :class:`DataError`; fitted probabilities of exactly 0 or 1 short of that give a
    :class:`PositivityWarning`. Coefficients agree with R ``glm`` to 1e-6 on lalonde.

    Examples
    --------
    >>> from rpeval.datasets import simulate_program
    >>> people = simulate_program(100, 400, random_state=2).people
    >>> ps = propensity(people, "participant", "age + prior_arrests + C(offense_type)")
    >>> bool(((ps.score > 0) & (ps.score < 1)).all())
    True
    """
    if link not in ("logit", "probit"):
        raise SpecificationError(
            f"propensity(): link={link!r} is not supported", hint='use "logit" or "probit"'
        )
    frame = _frames.as_pandas(data, arg="data", caller="propensity")
    spec = _frames.resolve_covariates(covariates, arg="covariates", caller="propensity")
    complete = _frames.complete_cases(
        frame, [treatment, *spec.columns], missing=missing, arg="data", caller="propensity"
    )
    frame = complete.frame
    coding = _frames.treatment_indicator(
        frame, treatment, treated=treated, arg="treatment", caller="propensity"
    )
    design = _frames.design_matrix(frame, spec, arg="covariates", caller="propensity")
    constant = _frames.constant_columns(design.X, list(design.terms))
    if constant:
        raise DataError(
            f"propensity(): covariate(s) {constant} take a single value",
            hint="remove them from `covariates`",
        )
    y = coding.is_treated.astype(np.float64)
    fit = fit_binary(design.X, y, link=link, intercept=True)
    notes = []
    if fit.deviance < 1e-6 * max(fit.null_deviance, 1.0):
        alone = separating_columns(design.X, design.terms, coding.is_treated)
        if len(alone) == 1:
            which = f"{alone[0]!r} alone does"
        elif alone:
            which = f"each of {', '.join(map(repr, alone))} alone does"
        else:
            which = "no single one does, a combination does"
        raise DataError(
            f"propensity(): the covariates (argument `covariates`) separate treated and "
            f"control units completely ({which}), so there is no overlap to match or "
            "weight on",
            hint="drop the covariate that defines participation, or restrict the comparison "
            "pool to people who could have taken part",
        )
    if fit.boundary:
        message = (
            f"propensity(): {fit.boundary} fitted probabilities are numerically 0 or 1 "
            "(quasi-separation); those units have no comparable counterparts"
        )
        notes.append(message)
        warnings.warn(message, PositivityWarning, stacklevel=2)
    if not fit.converged:
        notes.append("the propensity model did not converge")
    return PropensityResult(
        score=fit.fitted,
        linear_predictor=fit.linear_predictor,
        is_treated=coding.is_treated,
        kept=complete.kept,
        terms=("(Intercept)", *design.terms),
        coef=fit.coef,
        covariance=fit.covariance,
        link=link,
        converged=fit.converged,
        n_dropped=complete.n_dropped,
        notes=tuple(notes),
        _spec=spec,
    )
