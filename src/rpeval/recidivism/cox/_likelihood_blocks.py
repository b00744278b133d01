"""The Cox partial likelihood of right-censored data in one stratum, in numpy row blocks.

Same quantities as :func:`._likelihood_right_censored.fused_partial_likelihood` (Efron or
Breslow ties, case weights; R ``coxph``) without a compiled kernel, so the common fit
(no strata, no entry times) never imports numba: its import and the set-up of its
compiler cost about half a second, more than the whole fit of a million rows.

Rows are in the index's order. Each event time owns two *pieces* of rows: its tied
events, then the censorings and later rows up to the next event time's first row (the
last time's piece runs to the end). Rows are walked in *blocks* of whole event times
(about :data:`BLOCK_ROWS` rows, so a block's products stay in cache) of the design's
columns (``p x n``, each covariate contiguous: numpy scales and sums fastest along
contiguous rows):

1. per part ``X beta``, then per block: ``r = w exp(X beta)`` and the piece sums
   of ``r`` and ``r x`` (one ``np.add.reduceat`` per covariate);
2. per event time (vectorised): suffix sums give ``S0`` and ``S1``, Efron's tie steps
   (one entry per event row) give the log likelihood, the score, the ``xbar`` part of
   the information and the coefficient ``C`` of each piece;
3. per block: ``sum_i r_i C_i x_i x_i'`` as BLAS products ``(x diag(r C)) x'`` of
   chunks of rows.

Blocks are split into :data:`N_PARTS` fixed parts run on threads. The calls are chosen
for the GIL: numpy releases it in ``np.dot`` and 1-D ``reduceat``, not in ``@`` or 2-D
``reduceat`` (not used) or ``einsum`` (one call per part). The parts and the order
their sums are added in are fixed, so results never depend on timing or on the number
of CPUs.
"""

from __future__ import annotations

import itertools
import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from rpeval import _threads
from rpeval.recidivism.cox._likelihood_counting import PartialLikelihood
from rpeval.recidivism.cox._risk_sets import RiskSetIndex

__all__ = [
    "BLOCK_ROWS",
    "N_PARTS",
    "BlockPlan",
    "block_partial_likelihood",
    "gram_rows",
    "one_stratum",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

BLOCK_ROWS = 65_536  # rows per block: the block's 5 MB of r x stay in L3
N_PARTS = 2  # fixed parts of the blocks, run on threads from 100,000 rows


def one_stratum(index: RiskSetIndex) -> bool:
    """Right-censored data with at least one event time, all in one stratum."""
    return not index.has_start and index.n_event_times > 0 and not index.stratum.any()


class _Block:
    """Rows ``lo..hi-1``: event times ``a..b-1``, their non-empty pieces and local starts,
    and the block's covariates (a ``p x rows`` view of the design's columns)."""

    def __init__(
        self, a: int, b: int, lo: int, hi: int, starts: IntArray, lengths: IntArray
    ) -> None:
        self.a, self.b, self.lo, self.hi = a, b, lo, hi
        keep = np.flatnonzero(lengths[2 * a : 2 * b] > 0)
        self.pieces = 2 * a + keep  # global piece numbers of the non-empty pieces
        self.local = starts[self.pieces] - lo
        self.columns = np.empty((0, hi - lo))


class BlockPlan:
    """What the blocks need that does not change between Newton steps (one per fit)."""

    def __init__(self, index: RiskSetIndex, columns: FloatArray, weights: FloatArray) -> None:
        p, n = columns.shape
        self.p = p
        first, d = index.stop_first, index.n_tied
        n_times = first.shape[0]
        following = np.append(first[1:], n)
        self.starts = np.empty(2 * n_times, dtype=np.int64)
        self.starts[0::2], self.starts[1::2] = first, first + d
        self.lengths = np.empty(2 * n_times, dtype=np.int64)
        self.lengths[0::2], self.lengths[1::2] = d, following - first - d
        self.unit_weights = bool(np.all(weights == 1.0))
        # events between two event times' first rows are the first time's tied events
        self.mean_weight = (
            np.ones(n_times)  # d / d
            if self.unit_weights
            else np.add.reduceat(np.where(index.event, weights, 0.0), first) / d
        )
        self.n_tied = d.astype(np.float64)
        fraction = index.tie_rank / d[index.event_time_of]
        self.tie_parts = _tie_parts(index.event_time_of, fraction, index.event_time_first)
        self.blocks = _blocks(first, following, self.starts, self.lengths)
        self.parts = _parts(self.blocks, n)
        self.columns = columns
        for block in self.blocks:
            block.columns = columns[:, block.lo : block.hi]
        widest = max(block.hi - block.lo for block in self.blocks)
        self.gram_rows = gram_rows(p)
        size = max((p + 1) * widest, 2 * p * self.gram_rows)
        self.buffers = [np.empty(size) for _ in self.parts]  # flat: see _rows
        self.risk = np.zeros(n)
        # sums of r and r x per piece, one column each (empty pieces stay 0)
        self.pieces = np.zeros((p + 1, 2 * n_times))
        self.ties = bool(d.max() > 1)
        self.event = index.event
        self.event_x: FloatArray | None = None  # the sum of w x over the events, once known

    def event_sums(self, tied: FloatArray, at_zero: bool, weights: FloatArray) -> FloatArray:
        """The sum of ``w x`` over the events: at ``beta = 0`` (``r = w``) the event
        pieces' sums of ``r x`` (``tied``, one column per event time), else one pass."""
        if self.event_x is None:
            self.event_x = (
                tied.sum(axis=1)
                if at_zero
                else np.einsum("ji,i->j", self.columns, np.where(self.event, weights, 0.0))
            )
        return self.event_x


def _blocks(
    first: IntArray, following: IntArray, starts: IntArray, lengths: IntArray
) -> list[_Block]:
    """Consecutive event times grouped into blocks of about ``BLOCK_ROWS`` rows."""
    # a block ends before the first event time whose first row passes a multiple of BLOCK_ROWS
    passes = np.flatnonzero(np.diff(first // BLOCK_ROWS, prepend=first[0] // BLOCK_ROWS))
    cuts = [0, *(int(t) for t in passes), first.shape[0]]
    return [
        _Block(a, b, int(first[a]), int(following[b - 1]), starts, lengths)
        for a, b in itertools.pairwise(cuts)
    ]


def _parts(blocks: list[_Block], n: int) -> list[list[_Block]]:
    """The blocks in ``N_PARTS`` runs of about equal rows (one run below 100,000 rows)."""
    if n < _threads.MIN_THREADED_ROWS or len(blocks) < N_PARTS:
        return [blocks]
    ends = np.array([block.hi for block in blocks])
    total = ends[-1] - blocks[0].lo
    cuts = np.searchsorted(ends - blocks[0].lo, total * np.arange(1, N_PARTS) / N_PARTS)
    bounds = [0, *(int(c) + 1 for c in cuts), len(blocks)]
    runs = [blocks[a:b] for a, b in itertools.pairwise(bounds)]
    return [run for run in runs if run]


def _piece_sums(
    plan: BlockPlan,
    blocks: list[_Block],
    weights: FloatArray,
    beta: FloatArray,
    buffer: FloatArray,
) -> None:
    """Pass 1: ``risk = w exp(X beta)`` and per piece the sums of ``r`` and ``r x``."""
    at_zero = not beta.any()  # exp(0) = 1 exactly: the first Newton step needs no exp
    if not at_zero:
        # X beta of the part's rows in one call: einsum holds the GIL, so the other part's
        # call waits, then runs while this part's blocks run (numpy's loop, not BLAS
        # gemv, whose threads would spin on the cores the blocks run on)
        lo, hi = blocks[0].lo, blocks[-1].hi
        np.einsum("ji,j->i", plan.columns[:, lo:hi], beta, out=plan.risk[lo:hi])
    for block in blocks:
        lo, hi = block.lo, block.hi
        risk = plan.risk[lo:hi]
        if at_zero and plan.unit_weights:  # r = 1: sums of x, and counts (exact) of rows
            risk[:] = 1.0
            plan.pieces[0, block.pieces] = plan.lengths[block.pieces]
            _sum_pieces(block, block.columns, plan.pieces[1:])
            continue
        if at_zero:
            risk[:] = weights[lo:hi]
        else:  # risk holds X beta, computed above
            np.exp(risk, out=risk)
            if not plan.unit_weights:
                risk *= weights[lo:hi]
        plan.pieces[0, block.pieces] = np.add.reduceat(risk, block.local)
        z = _rows(buffer, plan.p, hi - lo)
        np.multiply(block.columns, risk, out=z)
        _sum_pieces(block, z, plan.pieces[1:])


def _sum_pieces(block: _Block, rows: FloatArray, out: FloatArray) -> None:
    """The block's piece sums of each row of ``rows`` into the same rows of ``out``: one
    1-D reduceat per row (numpy releases the GIL in it, not in the 2-D reduceat)."""
    for values, sums in zip(rows, out, strict=True):
        sums[block.pieces] = np.add.reduceat(values, block.local)


def _rows(buffer: FloatArray, k: int, width: int) -> FloatArray:
    """A C-contiguous ``k x width`` array at the start of a flat buffer (``np.dot`` is
    slow on the strided rows of a wider buffer)."""
    return buffer[: k * width].reshape(k, width)


def _gram(
    plan: BlockPlan,
    blocks: list[_Block],
    coef: FloatArray,
    buffer: FloatArray,
    out: FloatArray,
) -> None:
    """Pass 3: ``out = sum_i r_i C_i x_i x_i'`` over the blocks' rows, as BLAS products
    ``(x diag(r C)) x'`` of chunks of :func:`gram_rows` rows, each copied to contiguous
    memory (both operands stay in cache: about a fifth faster than a syrk of whole blocks
    of ``sqrt(r C) x``, and no square roots)."""
    out[:, :] = 0.0
    p, size = plan.p, plan.gram_rows
    for block in blocks:
        pieces = slice(2 * block.a, 2 * block.b)
        scale = np.repeat(coef[pieces], plan.lengths[pieces])
        scale *= plan.risk[block.lo : block.hi]
        for a in range(0, block.hi - block.lo, size):
            b = min(a + size, block.hi - block.lo)
            x = _rows(buffer, p, b - a)
            y = _rows(buffer[p * size :], p, b - a)
            np.copyto(x, block.columns[:, a:b])
            np.multiply(x, scale[a:b], out=y)
            out += np.dot(y, x.T)  # np.dot releases the GIL; `@` does not


def gram_rows(p: int) -> int:
    """Rows per chunk of the information's products: the two ``p x rows`` operands
    take about 1.2 MB (8,192 rows of 9 covariates)."""
    return max(512, min(16_384, 73_728 // p // 256 * 256))


class _TieRows:
    """The event rows of event times ``a..b-1``: each row's fraction ``k / d`` (Efron),
    and each time's first row (counted from the first) and number of rows."""

    def __init__(self, a: int, b: int, of: IntArray, fraction: FloatArray, first: IntArray):
        lo = int(first[a])
        hi = int(first[b]) if b < first.shape[0] else of.shape[0]
        self.a, self.b = a, b
        self.f, self.at = fraction[lo:hi], first[a:b] - lo
        self.d = np.diff(self.at, append=hi - lo)  # rows of a time are consecutive


def _tie_parts(of: IntArray, fraction: FloatArray, first: IntArray) -> list[_TieRows]:
    """The event times in :data:`N_PARTS` runs of about equal event rows (one run below
    100,000 event rows)."""
    n_times = first.shape[0]
    bounds = [0, n_times]
    if of.shape[0] >= _threads.MIN_THREADED_ROWS and n_times >= N_PARTS:
        cuts = np.searchsorted(first, of.shape[0] * np.arange(1, N_PARTS) / N_PARTS)
        bounds = sorted({0, n_times, *(int(c) for c in cuts)})
    return [_TieRows(a, b, of, fraction, first) for a, b in itertools.pairwise(bounds)]


def _tie_sums(plan: BlockPlan, s0: FloatArray, tied: FloatArray, efron: bool) -> FloatArray | None:
    """Rows ``c0, c1, q0, q1, q2`` (times the mean tied weight) and ``m sum_k log denom_k``
    per event time, or None when a denominator is not positive (zero total risk)."""
    m = plan.mean_weight
    if not efron:
        if not np.all(s0 > 0.0):
            return None
        d = plan.n_tied
        zero = np.zeros_like(s0)
        return np.stack([d / s0 * m, zero, d / (s0 * s0) * m, zero, zero, d * np.log(s0) * m])
    out = np.empty((6, s0.shape[0]))
    valid = [True] * len(plan.tie_parts)

    def part(k: int, rows: _TieRows) -> None:
        times = slice(rows.a, rows.b)
        valid[k] = _efron_part(rows, s0[times], tied[times], out[:, times])

    _threads.run_tasks(list(enumerate(plan.tie_parts)), part)
    if not all(valid):
        return None
    out *= m
    return out


def _efron_part(rows: _TieRows, s0: FloatArray, tied: FloatArray, out: FloatArray) -> bool:
    """Efron's sums over the tied events of some event times into ``out`` (6 rows); False
    when a denominator is not positive."""
    f, at = rows.f, rows.at
    denom = np.repeat(tied, rows.d)
    denom *= f
    np.subtract(np.repeat(s0, rows.d), denom, out=denom)
    if not np.all(denom > 0.0):
        return False
    inv = np.divide(1.0, denom)
    logs = np.log(denom, out=denom)
    out[0] = np.add.reduceat(inv, at)
    out[5] = np.add.reduceat(logs, at)
    inv2 = np.multiply(inv, inv)
    out[2] = np.add.reduceat(inv2, at)
    out[1] = np.add.reduceat(np.multiply(inv, f, out=inv), at)
    f_inv2 = np.multiply(inv2, f, out=inv2)
    out[3] = np.add.reduceat(f_inv2, at)
    out[4] = np.add.reduceat(np.multiply(f_inv2, f, out=f_inv2), at)
    return True


def block_partial_likelihood(
    plan: BlockPlan,
    weights: FloatArray,
    beta: FloatArray,
    ties: Literal["efron", "breslow"],
    weighted_x_events: FloatArray | None,
) -> PartialLikelihood:
    """Log partial likelihood, score and information at ``beta`` (one stratum, no entry);
    ``weighted_x_events`` (the sum of ``w x`` over the events) is found when None.

    Agrees with :func:`._likelihood_right_censored.fused_partial_likelihood` to rounding
    (``tests/recidivism/test_cox_fused.py``). A risk set with zero total risk gives
    ``loglik = -inf``.
    """
    p = plan.p
    beta = np.ascontiguousarray(beta, dtype=np.float64)
    parts = zip(plan.parts, plan.buffers, strict=True)
    _threads.run_tasks([(plan, part, weights, beta, buf) for part, buf in parts], _piece_sums)
    tied = plan.pieces[:, 0::2]  # one column per event time
    if weighted_x_events is None:
        weighted_x_events = plan.event_sums(tied[1:], not beta.any(), weights)
    at_risk = np.cumsum((tied + plan.pieces[:, 1::2])[:, ::-1], axis=1)[:, ::-1]
    s0, s1, v = at_risk[0], np.ascontiguousarray(at_risk[1:]), np.ascontiguousarray(tied[1:])
    sums = _tie_sums(plan, s0, tied[0], ties == "efron")
    if sums is None or not math.isfinite(float(sums[5].sum())):
        return PartialLikelihood(-math.inf, np.full(p, np.nan), np.full((p, p), np.nan))
    c0, c1, q0, q1, q2, log_denom = sums  # rows of one array
    outer = (s1 * q0) @ s1.T
    if plan.ties and ties == "efron":  # else q1 = q2 = 0 and these terms vanish
        cross = (s1 * q1) @ v.T
        outer = outer - cross - cross.T + (v * q2) @ v.T
    cumulated = np.cumsum(c0)
    coef = np.empty(2 * c0.shape[0])
    coef[0::2], coef[1::2] = cumulated - c1, cumulated
    grams = np.zeros((len(plan.parts), p, p))
    with_grams = zip(plan.parts, plan.buffers, grams, strict=True)
    _threads.run_tasks([(plan, part, coef, buf, gram) for part, buf, gram in with_grams], _gram)
    information = grams.sum(axis=0) - outer
    information = np.triu(information) + np.triu(information, 1).T
    loglik = float(weighted_x_events @ beta - log_denom.sum())
    score = weighted_x_events - (s1 @ c0 - v @ c1)
    return PartialLikelihood(loglik, score, np.asarray(information, dtype=np.float64))
