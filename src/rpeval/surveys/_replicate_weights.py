"""Replicate multipliers per primary sampling unit: jackknife (JK1, JKn), BRR/Fay, bootstrap.

Each builder returns :class:`Multipliers` (one row per PSU, one column per replicate, and
the variance scale and per-replicate ``rscales``); :func:`rpeval.surveys.replicate_design`
multiplies them into the full-sample weights. The rules are R survey's
``as.svrepdesign`` (see that function's Notes).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval.errors import DataError, SpecificationError
from rpeval.surveys.design import SurveyDesign

__all__ = [
    "Multipliers",
    "PsuTable",
    "bootstrap_multipliers",
    "brr_multipliers",
    "jk1_multipliers",
    "jkn_multipliers",
    "psu_table",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class PsuTable(NamedTuple):
    """Each row's PSU (``cluster``), each PSU's stratum, and each stratum's PSUs in order
    of first appearance (``members``)."""

    cluster: IntArray
    psu_stratum: IntArray
    members: list[IntArray]


class Multipliers(NamedTuple):
    """PSU × replicate weight multipliers with the variance ``scale`` and ``rscales``."""

    multipliers: FloatArray
    scale: float
    rscales: FloatArray


def psu_table(design: SurveyDesign) -> PsuTable:
    """The first stage's PSUs by stratum."""
    stage = design.stages[0]
    first = np.unique(stage.cluster, return_index=True)[1]
    psu_stratum = stage.stratum[first]
    appear = np.argsort(first, kind="stable")
    members = [appear[psu_stratum[appear] == h] for h in range(stage.n_strata)]
    return PsuTable(stage.cluster, psu_stratum, members)


def _fpc_factor(design: SurveyDesign) -> FloatArray:
    """``(1 − f_h)(n_h − 1)/n_h`` per stratum where the design has an fpc, else 1."""
    stage = design.stages[0]
    factor = np.where(stage.n_psu > 1, stage.scale * (stage.n_psu - 1) / stage.n_psu, 1.0)
    return np.asarray(factor if design.fpc_columns else np.ones_like(factor), dtype=np.float64)


def jk1_multipliers(design: SurveyDesign, psus: PsuTable, caller: str) -> Multipliers:
    """Delete-one-PSU jackknife of an unstratified design."""
    if design.n_strata > 1:
        raise SpecificationError(
            f"{caller}(): JK1 is for unstratified designs", hint="use type='JKn'"
        )
    n_psu = len(psus.psu_stratum)
    multipliers = np.full((n_psu, n_psu), n_psu / (n_psu - 1))
    np.fill_diagonal(multipliers, 0.0)
    f = float(_fpc_factor(design)[0])
    return Multipliers(multipliers, f * (n_psu - 1) / n_psu, np.ones(n_psu))


def jkn_multipliers(design: SurveyDesign, psus: PsuTable, caller: str) -> Multipliers:
    """Stratified jackknife; lonely strata are left out (``"average"`` raises the scale)."""
    if design.n_strata < 2:
        raise SpecificationError(
            f"{caller}(): JKn needs strata", hint="use type='JK1' or 'bootstrap'"
        )
    fpc_factor, n_psu = _fpc_factor(design), len(psus.psu_stratum)
    columns, scales = [], []
    for h, units in enumerate(psus.members):
        n_h = len(units)
        if n_h == 1:
            if design.lonely_psu == "adjust":
                raise SpecificationError(
                    f"{caller}(): JKn replicates cannot adjust for lonely PSUs",
                    hint="use lonely_psu='remove' or 'average' in the SurveyDesign",
                )
            continue
        for unit in units:
            col = np.ones(n_psu)
            col[units] = n_h / (n_h - 1)
            col[unit] = 0.0
            columns.append(col)
            scales.append(fpc_factor[h] * (n_h - 1) / n_h)
    scale = 1.0
    if design.lonely_psu == "average" and len(columns) < n_psu:
        scale = n_psu / len(columns)
    return Multipliers(np.column_stack(columns), scale, np.asarray(scales))


def _sylvester(order: int) -> NDArray[np.int64]:
    matrix = np.ones((1, 1), dtype=np.int64)
    while matrix.shape[0] < order:
        matrix = np.block([[matrix, matrix], [matrix, -matrix]])
    return matrix


def _hadamard_signs(hadamard: Any, n_strata: int, caller: str) -> NDArray[np.bool_]:
    if hadamard is None:
        return np.asarray(_sylvester(n_strata + 1) > 0, dtype=np.bool_)
    matrix = np.asarray(hadamard)
    if matrix.ndim != 2 or matrix.shape[0] < n_strata + 1 or np.unique(matrix).size != 2:
        raise SpecificationError(
            f"{caller}(): `hadamard` must be a two-valued matrix with at least "
            f"{n_strata + 1} rows (strata + 1)",
            hint="leave it out to use a Sylvester matrix",
        )
    return np.asarray(matrix == matrix[0, 0], dtype=np.bool_)


def brr_multipliers(psus: PsuTable, rho: float, hadamard: Any, caller: str) -> Multipliers:
    """Balanced repeated replication (Fay's with ``0 < rho < 1``), two PSUs per stratum."""
    sizes = {len(units) for units in psus.members}
    if sizes != {2}:
        raise DataError(
            f"{caller}(): BRR needs exactly two PSUs in every stratum; found strata with "
            f"{sorted(sizes)} PSUs",
            hint="pair up PSUs into pseudo-strata first, or use type='JKn' or 'bootstrap'",
        )
    signs = _hadamard_signs(hadamard, len(psus.members), caller)
    n_rep = signs.shape[1]
    multipliers = np.empty((len(psus.psu_stratum), n_rep))
    for h, (first, second) in enumerate(psus.members):
        plus = signs[h + 1]
        multipliers[second] = np.where(plus, 2 - rho, rho)
        multipliers[first] = np.where(plus, rho, 2 - rho)
    return Multipliers(multipliers, 1 / (n_rep * (1 - rho) ** 2), np.ones(n_rep))


def bootstrap_multipliers(
    design: SurveyDesign, psus: PsuTable, replicates: int, rng: np.random.Generator
) -> Multipliers:
    """Canty–Davison bootstrap: ``n_h`` PSUs drawn per stratum (without replacement from
    the units repeated to ``N_h`` when the design has an fpc)."""
    fpc_factor = _fpc_factor(design)
    has_fpc = bool(design.fpc_columns)
    multipliers = np.zeros((len(psus.psu_stratum), replicates))
    for h, units in enumerate(psus.members):
        n_h = len(units)
        if has_fpc:
            popsize = round(float(n_h / (1 - fpc_factor[h])))
            pool = np.resize(np.arange(n_h), popsize)
            for r in range(replicates):
                drawn = rng.choice(pool, size=n_h, replace=False)
                multipliers[units, r] = np.bincount(drawn, minlength=n_h)
        else:
            drawn = rng.integers(0, n_h, size=(replicates, n_h))
            for r in range(replicates):
                multipliers[units, r] = np.bincount(drawn[r], minlength=n_h)
    sizes = np.array([len(u) for u in psus.members], dtype=np.float64)
    harmonic = 1 / float(np.mean(1 / sizes))
    return Multipliers(
        multipliers, harmonic / ((harmonic - 1) * (replicates - 1)), np.ones(replicates)
    )
