"""Standardised error distributions of log-location-scale survival models.

An accelerated failure time (AFT) model writes ``log T = x'β + σ W`` with ``W`` a standard
extreme-value (minimum), normal or logistic variable, which makes ``T`` Weibull, log-normal
or log-logistic. Everything the likelihoods need is a function of ``z = (log t − x'β) / σ``:
the log density and log survival of ``W`` and their first two derivatives in ``z``. These
are computed here in forms that neither overflow nor lose precision in the tails (``log Φ``
through :func:`scipy.special.log_ndtr`, ``log(1 + e^z)`` through ``logaddexp``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from rpeval._lazy import special

__all__ = ["DISTRIBUTIONS", "Distribution", "StandardTerms", "standard_terms"]

FloatArray = NDArray[np.float64]
Distribution = Literal["weibull", "lognormal", "loglogistic", "exponential"]
DISTRIBUTIONS: tuple[str, ...] = ("weibull", "lognormal", "loglogistic", "exponential")
_Z_CAP = 700.0  # exp(700) is finite in float64; beyond it a Weibull term is -inf anyway


@dataclass(frozen=True)
class StandardTerms:
    """``log f``, ``log S`` of the standard error distribution at ``z`` and their derivatives.

    ``d1_*`` and ``d2_*`` are first and second derivatives with respect to ``z``.
    """

    log_f: FloatArray
    log_s: FloatArray
    d1_log_f: FloatArray
    d1_log_s: FloatArray
    d2_log_f: FloatArray
    d2_log_s: FloatArray


def _extreme_value(z: FloatArray) -> StandardTerms:
    ez = np.exp(np.minimum(z, _Z_CAP))
    return StandardTerms(
        log_f=z - ez,
        log_s=-ez,
        d1_log_f=1.0 - ez,
        d1_log_s=-ez,
        d2_log_f=-ez,
        d2_log_s=-ez,
    )


def _normal(z: FloatArray) -> StandardTerms:
    log_s = np.asarray(special.log_ndtr(-z), dtype=np.float64)
    log_phi = -0.5 * z * z - 0.5 * np.log(2.0 * np.pi)
    mills = np.exp(log_phi - log_s)  # φ(z) / (1 − Φ(z)), finite for every finite z
    return StandardTerms(
        log_f=log_phi,
        log_s=log_s,
        d1_log_f=-z,
        d1_log_s=-mills,
        d2_log_f=-np.ones_like(z),
        d2_log_s=-mills * (mills - z),
    )


def _logistic(z: FloatArray) -> StandardTerms:
    softplus = np.logaddexp(0.0, z)  # log(1 + e^z)
    p = np.asarray(special.expit(z), dtype=np.float64)
    q = np.asarray(special.expit(-z), dtype=np.float64)
    return StandardTerms(
        log_f=z - 2.0 * softplus,
        log_s=-softplus,
        d1_log_f=q - p,
        d1_log_s=-p,
        d2_log_f=-2.0 * p * q,
        d2_log_s=-p * q,
    )


def standard_terms(dist: str, z: FloatArray) -> StandardTerms:
    """Log density and log survival of the standard error of ``dist`` at ``z``.

    Examples
    --------
    >>> t = standard_terms("lognormal", np.array([0.0]))
    >>> round(float(t.log_s[0]), 6), round(float(t.d1_log_s[0]), 6)
    (-0.693147, -0.797885)
    """
    # far in the tails (a degenerate fit) the terms overflow to ±inf, which the
    # likelihoods and optimisers handle; that is not worth a numpy warning
    with np.errstate(over="ignore", invalid="ignore"):
        if dist in ("weibull", "exponential"):
            return _extreme_value(z)
        if dist == "lognormal":
            return _normal(z)
        return _logistic(z)
