"""The Cox partial likelihood, score and information in two fused passes over the rows.

Same quantities as :func:`._likelihood_counting.partial_likelihood` (Efron or Breslow ties,
case weights, strata; R ``coxph``), for data without ``(start, stop]`` entry. Rows are
in the index's order, so the rows from one event time's first row up to the next
event time's first row (or the stratum's end) form the *segment* of that time: each
row belongs to one segment, and a row is at risk at every event time of its stratum
whose segment starts at or before its own.

1. ``_segment_sums`` (rows, in parallel): ``r_i = w_i exp(x_i' beta)`` and per segment
   the sums of ``r`` and ``r x`` over all rows and over the tied events.
2. ``_event_time_pass`` (event times, sequential): suffix sums give ``S0`` and ``S1``;
   Efron's tie steps give the log likelihood, the score, the ``xbar`` outer-product part
   of the information and the coefficients ``c0`` and ``c1`` of each event time.
3. ``_gram_roots`` then ``_gram_rows`` (rows, in parallel): ``sum_t c_t S2(t) =
   sum_i r_i C_i x_i x_i'`` with ``C_i`` the cumulated ``c0`` of the times row ``i`` is at
   risk for (less ``c1`` at its own time when it is one of the tied events), as BLAS
   rank-k updates of blocks of rows scaled by ``sqrt(r_i C_i)`` (``C_i >= 0``).

Passes 1 and 3 each split the rows into :data:`N_CHUNKS` fixed ranges run on threads
(numba kernels and BLAS release the GIL); the chunks and the order in which their
partial sums are added are fixed, so results never depend on timing or on the number
of CPUs. Numerically the result equals the vectorised kernel to rounding (about 1e-14
relative; the property tests require 1e-10).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from concurrent.futures import Future
from typing import Literal, TypeVar

import numpy as np
from numpy.typing import NDArray

from rpeval import _threads
from rpeval._jit import jit
from rpeval.recidivism.cox._likelihood_counting import PartialLikelihood
from rpeval.recidivism.cox._risk_sets import RiskSetIndex

__all__ = [
    "N_CHUNKS",
    "Workspace",
    "fused_partial_likelihood",
    "in_background",
    "supports",
    "weighted_event_sums",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

T = TypeVar("T")
N_CHUNKS = 2
_BLOCK = 8192  # rows per BLAS block of the information (fits in L2)


class Workspace:
    """Per-row buffers reused by every evaluation of one fit (fresh pages are slow)."""

    def __init__(self, n: int) -> None:
        self.risk = np.zeros(n)
        self.roots = np.zeros(n)


def supports(index: RiskSetIndex) -> bool:
    """The fused kernel handles right-censored data (any strata, weights and ties)."""
    return not index.has_start


@jit
def _segment_ends(
    stop_first: IntArray, stop_end: IntArray, event_stratum: IntArray
) -> IntArray:  # pragma: no cover - compiled
    n_times = stop_first.shape[0]
    ends = np.empty(n_times, dtype=np.int64)
    for t in range(n_times):
        if t + 1 < n_times and event_stratum[t + 1] == event_stratum[t]:
            ends[t] = stop_first[t + 1]
        else:
            ends[t] = stop_end[t]
    return ends


@jit
def _segment_sums(
    X: FloatArray,
    weights: FloatArray,
    beta: FloatArray,
    first: IntArray,
    ends: IntArray,
    n_tied: IntArray,
    t_lo: int,
    t_hi: int,
    risk: FloatArray,
    seg: FloatArray,
) -> None:  # pragma: no cover - compiled
    """Per segment ``t``: ``seg[t] = [sum r, sum r x, tied sum r, tied sum r x, tied sum w]``."""
    p = X.shape[1]
    for t in range(t_lo, t_hi):
        out = seg[t]
        out[:] = 0.0
        tied_end = first[t] + n_tied[t]
        for i in range(first[t], tied_end):  # the tied events come first
            eta = 0.0
            for j in range(p):
                eta += X[i, j] * beta[j]
            r = weights[i] * math.exp(eta)
            risk[i] = r
            out[1 + p] += r
            for j in range(p):
                out[2 + p + j] += r * X[i, j]
            out[2 + 2 * p] += weights[i]
        out[0] = out[1 + p]
        for j in range(p):
            out[1 + j] = out[2 + p + j]
        for i in range(tied_end, ends[t]):
            eta = 0.0
            for j in range(p):
                eta += X[i, j] * beta[j]
            r = weights[i] * math.exp(eta)
            risk[i] = r
            out[0] += r
            for j in range(p):
                out[1 + j] += r * X[i, j]


@jit
def _event_time_pass(
    seg: FloatArray,
    n_tied: IntArray,
    event_stratum: IntArray,
    efron: bool,
    coef: FloatArray,
    score_part: FloatArray,
    outer: FloatArray,
) -> float:  # pragma: no cover - compiled
    """Suffix sums and tie steps; returns ``sum_t m sum_k log denom_k`` (inf if undefined).

    Writes ``coef[t] = (C_t, c1_t)`` with ``C_t`` the cumulated ``c0`` within the
    stratum, ``score_part = sum_t m sum_k xbar_k`` and ``outer`` the xbar part of the
    information.
    """
    n_times = seg.shape[0]
    p = score_part.shape[0]
    s1 = np.zeros(p)
    v = np.zeros(p)
    s0 = 0.0
    log_denom = 0.0
    c0_of = np.empty(n_times)
    for t in range(n_times - 1, -1, -1):
        if t == n_times - 1 or event_stratum[t + 1] != event_stratum[t]:
            s0 = 0.0
            s1[:] = 0.0
        row = seg[t]
        s0 += row[0]
        for j in range(p):
            s1[j] += row[1 + j]
        tied = row[1 + p]
        d = n_tied[t]
        m = row[2 + 2 * p] / d
        c0 = c1 = q0 = q1 = q2 = logd = 0.0
        if not efron or d == 1:  # every step has the denominator S0
            if not s0 > 0.0:
                return math.inf
            c0 = d / s0
            q0 = d / (s0 * s0)
            logd = d * math.log(s0)
        else:
            # sum of logs as logs of products of up to 3 moderate denominators (a third
            # of the log calls; no overflow or underflow within 1e(+-)100)
            prod = 1.0
            n_prod = 0
            for k in range(d):
                f = k / d
                denom = s0 - f * tied
                if not denom > 0.0:
                    return math.inf
                inv = 1.0 / denom
                c0 += inv
                c1 += f * inv
                q0 += inv * inv
                q1 += f * inv * inv
                q2 += f * f * inv * inv
                if 1e-100 < denom < 1e100:
                    prod *= denom
                    n_prod += 1
                    if n_prod == 3:
                        logd += math.log(prod)
                        prod = 1.0
                        n_prod = 0
                else:
                    logd += math.log(denom)
            logd += math.log(prod)
        c0 *= m
        c1 *= m
        q0 *= m
        q1 *= m
        q2 *= m
        log_denom += m * logd
        c0_of[t] = c0
        coef[t, 1] = c1
        for j in range(p):
            ax = row[2 + p + j]
            score_part[j] += c0 * s1[j] - c1 * ax
            v[j] = ax
        for a in range(p):  # upper triangle; mirrored by the caller
            u0 = q0 * s1[a] - q1 * v[a]
            u1 = q2 * v[a] - q1 * s1[a]
            for b in range(a, p):
                outer[a, b] += u0 * s1[b] + u1 * v[b]
    cum = 0.0
    for t in range(n_times):
        if t == 0 or event_stratum[t - 1] != event_stratum[t]:
            cum = 0.0
        cum += c0_of[t]
        coef[t, 0] = cum
    return log_denom


@jit
def _gram_roots(
    risk: FloatArray,
    coef: FloatArray,
    first: IntArray,
    ends: IntArray,
    n_tied: IntArray,
    roots: FloatArray,
) -> None:  # pragma: no cover - compiled
    """``roots[i] = sqrt(r_i C_i)``: rows never at risk keep 0 (``C_i >= 0`` always)."""
    for t in range(first.shape[0]):
        tied_end = first[t] + n_tied[t]
        for i in range(first[t], ends[t]):
            c = coef[t, 0] - coef[t, 1] if i < tied_end else coef[t, 0]
            roots[i] = math.sqrt(risk[i] * c)


def _gram_rows(X: FloatArray, roots: FloatArray, lo: int, hi: int, gram: FloatArray) -> None:
    """``gram = sum_i roots_i^2 x_i x_i'`` over rows ``lo..hi-1``, by cache-sized BLAS blocks."""
    block = np.empty((min(_BLOCK, hi - lo), X.shape[1]))
    gram[:, :] = 0.0
    for a in range(lo, hi, _BLOCK):
        b = min(a + _BLOCK, hi)
        y = block[: b - a]
        np.multiply(X[a:b], roots[a:b, None], out=y)
        gram += y.T @ y  # the symmetric rank-k update (BLAS syrk)


@jit
def _event_x_sums(
    X: FloatArray, weights: FloatArray, first: IntArray, n_tied: IntArray
) -> FloatArray:  # pragma: no cover - compiled
    p = X.shape[1]
    total = np.zeros(p)
    for t in range(first.shape[0]):
        for i in range(first[t], first[t] + n_tied[t]):
            for j in range(p):
                total[j] += weights[i] * X[i, j]
    return total


def weighted_event_sums(index: RiskSetIndex, X: FloatArray, weights: FloatArray) -> FloatArray:
    """``sum`` of ``w_i x_i`` over the events (the tied rows of every event time)."""
    return np.asarray(_event_x_sums(X, weights, index.stop_first, index.n_tied), np.float64)


def _chunks(index: RiskSetIndex, ends: IntArray) -> list[tuple[int, int]]:
    """Split the event times into :data:`N_CHUNKS` ranges of about equal row counts."""
    n_times = index.n_event_times
    if n_times == 0:
        return []
    rows = np.cumsum(ends - index.stop_first)
    cuts = np.searchsorted(rows, rows[-1] * np.arange(1, N_CHUNKS) / N_CHUNKS, side="right")
    bounds = [0, *(int(c) for c in cuts), n_times]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def in_background(func: Callable[..., T], *args: object) -> Future[T]:
    """Start ``func(*args)`` on a worker thread (numpy sorts and our kernels release the GIL)."""
    return _threads.shared_pool().submit(func, *args)


def fused_partial_likelihood(
    index: RiskSetIndex,
    X: FloatArray,
    weights: FloatArray,
    beta: FloatArray,
    ties: Literal["efron", "breslow"],
    weighted_x_events: FloatArray,
    workspace: Workspace | None = None,
) -> PartialLikelihood:
    """Log partial likelihood, score and information at ``beta`` (right-censored data).

    Agrees with :func:`._likelihood_counting.partial_likelihood` to rounding (``tests/recidivism/
    test_cox_fused.py``). A risk set with zero total risk gives ``loglik = -inf``. Pass
    the same :class:`Workspace` to every evaluation of a fit to reuse its buffers (rows
    never at risk are never written, so they stay 0).
    """
    if not supports(index):
        raise ValueError("fused_partial_likelihood(): (start, stop] data are not supported")
    p = X.shape[1]
    n_times = index.n_event_times
    first, n_tied = index.stop_first, index.n_tied
    ends = _segment_ends(first, index.stop_end, index.event_stratum)
    chunks = _chunks(index, ends)
    beta = np.ascontiguousarray(beta, dtype=np.float64)
    if workspace is None:
        workspace = Workspace(X.shape[0])
    risk, roots = workspace.risk, workspace.roots
    seg = np.empty((n_times, 3 + 2 * p))
    _threads.run_tasks(
        [(X, weights, beta, first, ends, n_tied, a, b, risk, seg) for a, b in chunks],
        _segment_sums,
    )
    coef = np.empty((n_times, 2))
    score_part = np.zeros(p)
    outer = np.zeros((p, p))
    log_denom = _event_time_pass(
        seg, n_tied, index.event_stratum, ties == "efron", coef, score_part, outer
    )
    if not math.isfinite(log_denom):
        nan = np.full(p, np.nan)
        return PartialLikelihood(-math.inf, nan, np.full((p, p), np.nan))
    _gram_roots(risk, coef, first, ends, n_tied, roots)
    n = X.shape[0]
    cuts = [n * c // N_CHUNKS for c in range(N_CHUNKS + 1)]
    grams = np.zeros((N_CHUNKS, p, p))
    _threads.run_tasks(
        [(X, roots, cuts[c], cuts[c + 1], grams[c]) for c in range(N_CHUNKS)],
        _gram_rows,
    )
    gram = grams.sum(axis=0)
    gram = (gram + gram.T) / 2.0
    outer = np.triu(outer) + np.triu(outer, 1).T
    loglik = float(weighted_x_events @ beta - log_denom)
    score = weighted_x_events - score_part
    return PartialLikelihood(loglik, score, np.asarray(gram - outer, dtype=np.float64))
