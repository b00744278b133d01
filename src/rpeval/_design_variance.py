"""Taylor-linearised variance of estimated totals: the kernel behind every design-based SE.

Shared by the survey pillar (:mod:`rpeval.surveys`, multi-stage designs) and the metrics
pillar (``survey_mean`` and ``survey_proportion`` metrics, one-stage designs), which must
not import each other.

Pure numpy/scipy on integer codes; nothing here knows about data frames. An estimate's
influence values ("scores") are summed to cluster totals, centred within strata and
cross-multiplied with the finite-population and ``n_h / (n_h - 1)`` factors, stage by
stage, as R survey's ``svyrecvar`` does (Lumley 2010, ch. 2; Wolter 2007, ch. 6).

Scores are sparse by domain: each row adds its value to one column (its domain, or no
column at all), so a million rows in fifty domains never form a dense matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rpeval._lazy import sparse

__all__ = [
    "TINY_FRACTION",
    "DomainMeans",
    "ScoreColumns",
    "Stage",
    "dense_stage_covariance",
    "design_covariance",
    "domain_means",
    "fits_dense",
    "one_stage",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
TINY_FRACTION = 1e-7  # R: a stratum sampled (almost) completely adds nothing
_DENSE_LIMIT = 20_000_000  # cluster totals held dense (BLAS) up to this many cells


@dataclass(frozen=True)
class Stage:
    """One sampling stage: rows' stratum and cluster codes and each stratum's factors.

    ``scale[h]`` is ``f_h n_h / (n_h - 1)`` times the product of the sampling fractions
    of the earlier stages (``f_h = 1 - n_h / N_h``, 1 without an fpc), 0 when
    ``f_h < 1e-7``; ``centre[h]`` is false only for a lonely stratum under ``"adjust"``
    (its PSU total is compared with 0, not with its own mean); ``lonely[h]`` marks strata
    with a single PSU that are averaged over (``lonely_psu="average"``).
    """

    stratum: IntArray
    cluster: IntArray
    n_strata: int
    n_clusters: int
    n_psu: FloatArray
    scale: FloatArray
    centre: NDArray[np.bool_]
    lonely: NDArray[np.bool_]
    average_lonely: bool


@dataclass(frozen=True)
class ScoreColumns:
    """Influence values of one block of estimates: row ``i`` adds ``values[i]`` to column
    ``offset + column[i]`` (no column when ``column[i] < 0``)."""

    values: FloatArray
    column: IntArray
    offset: int


def _sparse(
    rows: IntArray, blocks: list[ScoreColumns], n_rows: int, k: int, ones: bool = False
) -> sparse.csr_matrix:
    keep_r, keep_c, keep_v = [], [], []
    for block in blocks:
        inside = block.column >= 0
        keep_r.append(rows[inside])
        keep_c.append(block.column[inside] + block.offset)
        keep_v.append(np.ones(int(inside.sum())) if ones else block.values[inside])
    matrix = sparse.coo_matrix(
        (np.concatenate(keep_v), (np.concatenate(keep_r), np.concatenate(keep_c))),
        shape=(n_rows, k),
    ).tocsr()
    matrix.sum_duplicates()
    return matrix


def _dense(rows: IntArray, blocks: list[ScoreColumns], n_rows: int, k: int) -> FloatArray:
    out = np.zeros(n_rows * k)
    base = rows * k
    for block in blocks:
        if block.column.size and block.column.min() >= 0:
            cells, values = base + (block.column + block.offset), block.values
        else:
            inside = block.column >= 0
            cells = base[inside] + block.column[inside] + block.offset
            values = block.values[inside]
        out += np.bincount(cells, weights=values, minlength=n_rows * k)
    return out.reshape(n_rows, k)


def fits_dense(stage: Stage, k: int) -> bool:
    """Whether a stage's cluster totals of ``k`` estimates are held dense."""
    return stage.n_clusters * k <= _DENSE_LIMIT


def dense_stage_covariance(
    stage: Stage, totals: FloatArray, scale: FloatArray | None = None
) -> FloatArray:
    """One stage's covariance from its cluster totals (clusters × estimates), for stages
    without averaged lonely strata: ``Σ_h scale_h Σ_c (t_c − t̄_h)(t_c − t̄_h)ᵀ``."""
    cluster_stratum = np.zeros(stage.n_clusters, dtype=np.int64)
    cluster_stratum[stage.cluster] = stage.stratum
    scale = stage.scale if scale is None else scale
    root = np.sqrt(scale[cluster_stratum])
    centring = np.sqrt(np.where(stage.centre, scale / stage.n_psu, 0.0))
    to_strata = sparse.csr_matrix(
        (np.ones(stage.n_clusters), (cluster_stratum, np.arange(stage.n_clusters))),
        shape=(stage.n_strata, stage.n_clusters),
    )
    weighted = totals * root[:, None]
    centred = np.asarray(to_strata @ totals) * centring[:, None]
    return np.asarray(weighted.T @ weighted - centred.T @ centred, dtype=np.float64)


def _stage_covariance(stage: Stage, blocks: list[ScoreColumns], k: int) -> FloatArray:
    cluster_stratum = np.zeros(stage.n_clusters, dtype=np.int64)
    cluster_stratum[stage.cluster] = stage.stratum
    scale = stage.scale.copy()
    if stage.average_lonely:
        scale[stage.lonely] = 0.0
    root = np.sqrt(scale[cluster_stratum])
    centring = np.sqrt(np.where(stage.centre, scale / stage.n_psu, 0.0))
    if stage.n_clusters * k <= _DENSE_LIMIT:  # few PSUs: dense sums and products (BLAS)
        totals = _dense(stage.cluster, blocks, stage.n_clusters, k)
        cov = dense_stage_covariance(stage, totals, scale)
    else:  # e.g. every respondent its own PSU: stay sparse
        cluster_totals = _sparse(stage.cluster, blocks, stage.n_clusters, k)
        strata = _sparse(stage.stratum, blocks, stage.n_strata, k)
        weighted = sparse.diags(root) @ cluster_totals
        centred = sparse.diags(centring) @ strata
        cov = (weighted.T @ weighted).toarray() - (centred.T @ centred).toarray()
    cov = np.asarray(cov, dtype=np.float64)
    if stage.average_lonely and stage.lonely.any():
        present = _sparse(stage.stratum, blocks, stage.n_strata, k, ones=True)
        n_present = np.asarray((present > 0).sum(axis=0), dtype=np.float64).ravel()
        ok = sparse.diags((~stage.lonely).astype(np.float64)) @ (present > 0)
        n_ok = np.asarray(ok.sum(axis=0), dtype=np.float64).ravel()
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(n_ok > 0, n_present / n_ok, np.nan)
        cov *= np.sqrt(np.outer(factor, factor))
    return cov


def design_covariance(stages: tuple[Stage, ...], blocks: list[ScoreColumns], k: int) -> FloatArray:
    """Covariance (k x k) of the k estimated totals whose influence values are ``blocks``.

    The first stage always counts; later stages only when the design has them (their
    ``scale`` already carries the earlier stages' sampling fractions).

    Examples
    --------
    >>> n = 4
    >>> stage = Stage(np.zeros(n, np.int64), np.arange(n, dtype=np.int64), 1, n,
    ...               np.array([4.0]), np.array([4 / 3]), np.array([True]),
    ...               np.array([False]), False)
    >>> x = np.array([1.0, 2.0, 3.0, 6.0])
    >>> block = ScoreColumns(x, np.zeros(n, np.int64), 0)
    >>> round(float(design_covariance((stage,), [block], 1)[0, 0]), 4)  # n * var(x)
    18.6667
    """
    cov = np.zeros((k, k))
    for stage in stages:
        cov += _stage_covariance(stage, blocks, k)
    return cov


def one_stage(stratum: IntArray, cluster: IntArray, lonely_psu: str = "fail") -> Stage:
    """A one-stage design without fpc from 0-based stratum and cluster codes (clusters
    numbered across strata, each in one stratum), as ``svydesign(id=~psu, strata=~s)``.

    ``lonely_psu`` is ``"remove"``, ``"adjust"`` or ``"average"`` (R's
    ``survey.lonely.psu``); under ``"fail"`` a stratum with one PSU raises ``ValueError``
    (the caller turns it into its own error).

    Examples
    --------
    >>> stage = one_stage(np.array([0, 0, 1, 1]), np.array([0, 1, 2, 3]))
    >>> stage.scale.tolist(), stage.n_psu.tolist()
    ([2.0, 2.0], [2.0, 2.0])
    """
    n_strata = int(stratum.max()) + 1
    n_clusters = int(cluster.max()) + 1
    cluster_stratum = np.zeros(n_clusters, dtype=np.int64)
    cluster_stratum[cluster] = stratum
    present = np.zeros(n_clusters, dtype=bool)
    present[cluster] = True
    n_psu = np.bincount(cluster_stratum[present], minlength=n_strata).astype(np.float64)
    lonely = n_psu == 1
    if lonely.any() and lonely_psu == "fail":
        raise ValueError(f"{int(lonely.sum())} strata have a single PSU")
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n_psu > 1, n_psu / (n_psu - 1), 1.0)
    return Stage(
        stratum=stratum,
        cluster=cluster,
        n_strata=n_strata,
        n_clusters=n_clusters,
        n_psu=n_psu,
        scale=np.asarray(scale, dtype=np.float64),
        centre=np.asarray(~(lonely & (lonely_psu == "adjust")), dtype=np.bool_),
        lonely=np.asarray(lonely, dtype=np.bool_),
        average_lonely=lonely_psu == "average",
    )


@dataclass(frozen=True)
class DomainMeans:
    """Weighted means per domain with their linearised SEs, rows, weight sums and design
    degrees of freedom (PSUs minus strata among the domain's rows, R's ``degf``)."""

    estimate: FloatArray
    std_error: FloatArray
    n: FloatArray
    weight: FloatArray
    df: FloatArray


def domain_means(
    stage: Stage, weights: FloatArray, y: FloatArray, dom: IntArray, k: int
) -> DomainMeans:
    """Ratio-linearised domain means ``Σ w y / Σ w`` (``svyby(~y, ~d, design, svymean)``).

    Rows with ``dom < 0`` are outside every domain but keep their PSU in its stratum.

    Examples
    --------
    >>> stage = one_stage(np.zeros(4, np.int64), np.arange(4, dtype=np.int64))
    >>> out = domain_means(stage, np.ones(4), np.array([1.0, 2, 3, 6]), np.zeros(4, np.int64), 1)
    >>> float(out.estimate[0]), round(float(out.std_error[0]), 4)  # sd / sqrt(n)
    (3.0, 1.0801)
    """
    inside = dom >= 0
    d, w, yy = dom[inside], weights[inside], y[inside]
    n = np.bincount(d, minlength=k).astype(np.float64)
    weight = np.bincount(d, weights=w, minlength=k).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = np.bincount(d, weights=w * yy, minlength=k) / weight
    safe = np.where(inside, dom, 0)
    score = np.where(inside, weights * (y - estimate[safe]) / weight[safe], 0.0)
    block = ScoreColumns(np.asarray(score, dtype=np.float64), np.where(inside, dom, -1), 0)
    variance = np.diag(design_covariance((stage,), [block], k)).copy()
    df = np.zeros(k)
    for codes in (stage.cluster, stage.stratum):
        pairs = np.unique(d * (int(codes.max()) + 1) + codes[inside])
        present = np.bincount(pairs // (int(codes.max()) + 1), minlength=k)
        df = df + (present if codes is stage.cluster else -present)
    return DomainMeans(
        np.asarray(estimate, dtype=np.float64),
        np.sqrt(np.clip(variance, 0.0, None)),
        n,
        weight,
        df.astype(np.float64),
    )
