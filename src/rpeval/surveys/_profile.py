"""The ``likelihood`` interval of R survey's ``svyciprop``, step for step.

R profiles the intercept of ``svyglm(y ~ 1, family = quasibinomial)``: the binomial
deviance (weights rescaled to mean 1, so summing to the respondents ``n``) divided by the
design-based variance of the unweighted Pearson residuals, on a grid of at most nine
steps of ``zmax / 5`` SEs each side, smoothed by an FMM cubic spline (R's ``spline()``)
and inverted by linear interpolation (``approx()``) at ``± t_df √λ``, where ``λ`` is the
design effect of the intercept (Rao–Scott scaling).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from rpeval._lazy import stats

if TYPE_CHECKING:
    from rpeval.surveys._blocks import Block
    from rpeval.surveys.design import SurveyDesign

__all__ = ["fmm_spline", "likelihood_interval"]

FloatArray = NDArray[np.float64]
_MAX_STEPS = 10


def fmm_spline(x: FloatArray, y: FloatArray, xout: FloatArray) -> FloatArray:
    """R's ``spline(method = "fmm")`` (Forsythe, Malcolm & Moler) evaluated at ``xout``.

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 2.0, 3.0]); y = x**3
    >>> fmm_spline(x, y, np.array([1.5])).round(6).tolist()  # exact for cubics
    [3.375]
    """
    n = len(x)
    b, c, d = np.zeros(n), np.zeros(n), np.zeros(n)
    if n < 3:
        b[:] = (y[1] - y[0]) / (x[1] - x[0])
    else:
        d[0] = x[1] - x[0]
        c[1] = (y[1] - y[0]) / d[0]
        for i in range(1, n - 1):
            d[i] = x[i + 1] - x[i]
            b[i] = 2.0 * (d[i - 1] + d[i])
            c[i + 1] = (y[i + 1] - y[i]) / d[i]
            c[i] = c[i + 1] - c[i]
        b[0], b[n - 1] = -d[0], -d[n - 2]
        c[0] = c[n - 1] = 0.0
        if n > 3:
            c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
            c[n - 1] = c[n - 2] / (x[n - 1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
            c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
            c[n - 1] = -c[n - 1] * d[n - 2] * d[n - 2] / (x[n - 1] - x[n - 4])
        for i in range(1, n):
            t = d[i - 1] / b[i - 1]
            b[i] = b[i] - t * d[i - 1]
            c[i] = c[i] - t * c[i - 1]
        c[n - 1] = c[n - 1] / b[n - 1]
        for i in range(n - 2, -1, -1):
            c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
        b[n - 1] = (y[n - 1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[n - 1])
        for i in range(n - 1):
            b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
            d[i] = (c[i + 1] - c[i]) / d[i]
            c[i] = 3.0 * c[i]
        c[n - 1] = 3.0 * c[n - 1]
        d[n - 1] = d[n - 2]
    idx = np.clip(np.searchsorted(x, xout, side="right") - 1, 0, n - 1)
    dx = xout - x[idx]
    return np.asarray(y[idx] + dx * (b[idx] + dx * (c[idx] + dx * d[idx])), dtype=np.float64)


def _deviance_gap(p_hat: float, n: float, mu: float) -> float:
    """``D(mu) − D(p_hat)`` of the binomial deviance with weights summing to ``n``."""
    total = 0.0
    if p_hat > 0:
        total += p_hat * math.log(p_hat / mu)
    if p_hat < 1:
        total += (1 - p_hat) * math.log((1 - p_hat) / (1 - mu))
    return 2.0 * n * total


@dataclass(frozen=True)
class _GlmFit:
    beta: float
    mu: float
    naive_var: float  # (X'WX)^-1 with the working weights of the last iteration


def _glm_intercept(y: FloatArray, w: FloatArray) -> _GlmFit:
    """R's ``glm.fit`` for ``y ~ 1``, binomial, prior weights ``w``: same start, same
    stopping rule (relative deviance change < 1e-8), so the same stale working weights in
    ``summary(glm)$cov.unscaled`` that R's profiling uses."""

    def deviance(mu: float) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(y > 0, y * np.log(y / mu), 0.0) + np.where(
                y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0
            )
        return float(2 * np.sum(w * terms))

    mustart = (w * y + 0.5) / (w + 1)
    eta = np.log(mustart / (1 - mustart))
    mu_vec = mustart
    with np.errstate(divide="ignore", invalid="ignore"):
        dev_old = float(
            2
            * np.sum(
                w
                * (
                    np.where(y > 0, y * np.log(y / mu_vec), 0.0)
                    + np.where(y < 1, (1 - y) * np.log((1 - y) / (1 - mu_vec)), 0.0)
                )
            )
        )
    beta, mu, naive = 0.0, 0.5, math.nan
    for _ in range(25):
        var = mu_vec * (1 - mu_vec)
        z = eta + (y - mu_vec) / var
        working = w * var
        naive = 1.0 / float(np.sum(working))
        beta = float(np.sum(working * z)) * naive
        mu = 1 / (1 + math.exp(-beta))
        dev = deviance(mu)
        eta = np.full(len(y), beta)
        mu_vec = np.full(len(y), mu)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < 1e-8:
            break
        dev_old = dev
    return _GlmFit(beta, mu, naive)


def _one_domain(
    y: FloatArray, w: FloatArray, p: float, se: float, df: float, conf_level: float
) -> tuple[float, float]:
    n = float(len(y))
    if not 0 < p < 1 or se <= 0 or df <= 0:
        return math.nan, math.nan
    fit = _glm_intercept(y, w / w.mean())
    beta0, mu0 = fit.beta, fit.mu
    se_beta = se / (mu0 * (1 - mu0))
    lam = se_beta**2 / fit.naive_var  # design variance / naive variance of the intercept
    crit = (
        float(stats.t.ppf((1 - conf_level) / 2, df))
        if math.isfinite(df)
        else float(stats.norm.ppf((1 - conf_level) / 2))
    )
    tail = float(stats.norm.cdf(crit * math.sqrt(lam))) / 2
    zmax = math.sqrt(float(stats.f.isf(tail, 1, n - 1)))
    delta = zmax / 5
    # survey's residuals.svyglm: Pearson residuals without the sampling weights
    dispersion = p * (1 - p) / (mu0 * (1 - mu0)) * n / (n - 1)
    betas, zs = [beta0], [0.0]
    for sign in (-1.0, 1.0):
        step, z = 0, 0.0
        while (step := step + 1) < _MAX_STEPS and abs(z) < zmax:
            beta = beta0 + sign * step * delta * se_beta
            mu = 1 / (1 + math.exp(-beta))
            gap = max(_deviance_gap(p, n, mu) / dispersion, 0.0)
            z = sign * math.sqrt(gap)
            betas.append(beta)
            zs.append(z)
    order = np.argsort(zs, kind="stable")
    bx, bz = np.asarray(betas)[order], np.asarray(zs)[order]
    by_beta = np.argsort(bx, kind="stable")
    grid = np.linspace(bx.min(), bx.max(), 3 * len(bx))
    smooth = fmm_spline(bx[by_beta], bz[by_beta], grid)
    cut = float(stats.norm.ppf(2 * tail))
    inc = np.argsort(smooth, kind="stable")
    limits = np.interp([cut, -cut], smooth[inc], grid[inc], left=np.nan, right=np.nan)
    return tuple(float(1 / (1 + math.exp(-v))) for v in limits)  # type: ignore[return-value]


def likelihood_interval(
    design: SurveyDesign,
    y: FloatArray,
    block: Block,
    se: FloatArray,
    df: FloatArray,
    conf_level: float,
) -> tuple[FloatArray, FloatArray]:
    """Per-domain ``svyciprop(method = "likelihood")`` limits (NaN where undefined)."""
    k = len(block.estimate)
    lower, upper = np.full(k, np.nan), np.full(k, np.nan)
    for j in range(k):
        rows = block.dom == j
        lower[j], upper[j] = _one_domain(
            y[rows],
            design.weights[rows],
            float(block.estimate[j]),
            float(se[j]),
            float(df[j]),
            conf_level,
        )
    return lower, upper
