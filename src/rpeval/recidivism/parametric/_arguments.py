"""The argument checks every parametric recidivism model starts with: the distribution,
``conf_level``, then the columns and covariate designs.

Examples
--------
>>> from rpeval.datasets import load_rossi
>>> prepared = checked_input(
...     load_rossi(), "week", "arrest", {"covariates": ["fin"]}, dist="weibull",
...     allowed=("weibull", "lognormal"), what="distribution", weights=None,
...     missing="error", conf_level=0.95, caller="aft")
>>> prepared.designs["covariates"].terms
('(Intercept)', 'fin')
>>> checked_input(load_rossi(), "week", "arrest", {}, dist="gamma",
...     allowed=("weibull", "lognormal"), what="distribution", weights=None,
...     missing="error", conf_level=0.95, caller="aft")
Traceback (most recent call last):
...
rpeval.errors.SpecificationError: aft(): dist='gamma' is not a distribution
  hint: use "weibull" or "lognormal"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rpeval._options import check_conf_level
from rpeval.errors import SpecificationError
from rpeval.recidivism._covariates import Covariates, ParametricInput, prepare_parametric

__all__ = ["checked_input"]


def checked_input(
    data: object,
    duration: str,
    event: str,
    covariates: Mapping[str, Covariates],
    *,
    dist: str,
    allowed: Sequence[str],
    what: str,
    weights: str | None,
    missing: str,
    conf_level: float,
    caller: str,
) -> ParametricInput:
    """Check that `dist` is one of `allowed` (`what` names it in the message) and
    `conf_level`, then the columns and designs (:func:`prepare_parametric`)."""
    if dist not in allowed:
        listed = ", ".join(f'"{name}"' for name in allowed[:-1])
        raise SpecificationError(
            f"{caller}(): dist={dist!r} is not a {what}",
            hint=f'use {listed} or "{allowed[-1]}"',
        )
    check_conf_level(conf_level, caller=caller)
    return prepare_parametric(
        data, duration, event, covariates, weights=weights, missing=missing, caller=caller
    )
