"""Replicate-weight designs: jackknife (JK1, JKn), BRR and Fay's BRR, and the bootstrap.

A :class:`ReplicateDesign` holds the full-sample weights and one column of analysis
weights per replicate; an estimate's variance is ``scale Σ_r rscale_r (θ_r − c)²`` with
``c`` the mean of the replicates (or the full-sample estimate with ``mse=True``), as R
survey's ``svrVar``. Build one from a :class:`SurveyDesign` with :func:`replicate_design`
(R's ``as.svrepdesign``) or from replicate-weight columns a data producer shipped with
:meth:`ReplicateDesign.from_columns` (R's ``svrepdesign``).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display
from rpeval._frames import as_pandas, complete_cases, numeric_array, require_columns
from rpeval._lazy import sparse
from rpeval._options import check_choice, column_list, make_rng
from rpeval.errors import DataError, SpecificationError
from rpeval.surveys._replicate_weights import (
    bootstrap_multipliers,
    brr_multipliers,
    jk1_multipliers,
    jkn_multipliers,
    psu_table,
)
from rpeval.surveys.design import SurveyDesign

__all__ = ["ReplicateDesign", "replicate_design"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
TYPES = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "other")
_RANK_TOL = 1e-5  # R: qr(weights(design, "analysis"), tol = 1e-5)$rank - 1


def _rank_df(weights: FloatArray, replicate_weights: FloatArray) -> int:
    """Rank of the replicate weights minus 1; rows are first divided by their full-sample
    weight and de-duplicated (neither changes the rank), so a PSU's rows count once."""
    if replicate_weights.size == 0:
        return 0
    multipliers = np.unique(np.round(replicate_weights / weights[:, None], 12), axis=0)
    values = np.linalg.svd(multipliers, compute_uv=False)
    return int(np.sum(values > _RANK_TOL * values[0])) - 1


class ReplicateDesign:
    """A survey design whose variances come from replicate weights.

    Attributes: ``data``, ``weights`` (full sample), ``replicate_weights`` (rows ×
    replicates, analysis weights), ``scale``, ``rscales``, ``mse``, ``type``,
    ``fay_rho``, ``n_dropped`` (rows left out by ``missing="drop"``). Build it with
    :func:`replicate_design` or :meth:`from_columns`; the estimators
    (:func:`rpeval.surveys.mean`, ``total``, ``ratio``, ``proportion``) take it in place
    of a :class:`SurveyDesign`.
    """

    data: pd.DataFrame
    weights: FloatArray
    replicate_weights: FloatArray
    scale: float
    rscales: FloatArray
    mse: bool
    type: str
    fay_rho: float
    degrees_of_freedom: int
    n_dropped: int

    def __init__(
        self,
        data: pd.DataFrame,
        weights: FloatArray,
        replicate_weights: FloatArray,
        *,
        scale: float,
        rscales: FloatArray,
        mse: bool,
        type: str,
        fay_rho: float = 0.0,
        n_dropped: int = 0,
    ) -> None:
        values = {
            "data": data,
            "weights": np.asarray(weights, dtype=np.float64),
            "replicate_weights": np.asarray(replicate_weights, dtype=np.float64),
            "scale": float(scale),
            "rscales": np.asarray(rscales, dtype=np.float64),
            "mse": bool(mse),
            "type": type,
            "fay_rho": float(fay_rho),
            "n_dropped": int(n_dropped),
            "degrees_of_freedom": _rank_df(
                np.asarray(weights, dtype=np.float64),
                np.asarray(replicate_weights, dtype=np.float64),
            ),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ReplicateDesign is immutable: cannot set {name!r}")

    @classmethod
    def from_columns(
        cls,
        data: Any,
        *,
        weights: str,
        replicate_weights: list[str],
        type: str,
        combined_weights: bool = True,
        scale: float | None = None,
        rscales: list[float] | None = None,
        fay_rho: float = 0.0,
        mse: bool = False,
        missing: Literal["error", "drop"] = "error",
    ) -> ReplicateDesign:
        """Replicate weights given as columns (R's ``svrepdesign``).

        ``combined_weights=True`` (R's default) means the columns are analysis weights;
        otherwise they are multipliers of ``weights``. Default ``scale``: JK1
        ``(R − 1)/R``, bootstrap ``1/(R − 1)``, BRR ``1/R``, Fay ``1/(R (1 − ρ)²)``; JKn and
        ``"other"`` need ``scale`` or ``rscales``. ``rscales`` default to 1. Rows missing
        a full-sample or replicate weight raise (``missing="error"``, as R), or with
        ``missing="drop"`` leave the sample before the design is built (counted in
        ``n_dropped``; not a domain, see :class:`SurveyDesign`).

        Examples
        --------
        >>> df = pd.DataFrame({"w": [2.0, 2.0, 2.0], "y": [1.0, 2.0, 6.0],
        ...                    "r1": [0.0, 3.0, 3.0], "r2": [3.0, 0.0, 3.0],
        ...                    "r3": [3.0, 3.0, 0.0]})
        >>> d = ReplicateDesign.from_columns(df, weights="w", replicate_weights=["r1", "r2", "r3"],
        ...                                  type="JK1")
        >>> d.scale, d.degrees_of_freedom
        (0.6666666666666666, 2)
        """
        caller = "ReplicateDesign.from_columns"
        frame = as_pandas(data, arg="data", caller=caller)
        check_choice(type, TYPES, arg="type", caller=caller)
        names = column_list(
            replicate_weights, arg="replicate_weights", caller=caller, allow_none=False
        )
        require_columns(frame, [weights, *names], arg="replicate_weights", caller=caller)
        check_choice(missing, ("error", "drop"), arg="missing", caller=caller)
        n_dropped = 0
        if missing == "drop":
            every = [weights, *names]
            kept = complete_cases(frame, every, missing="drop", arg="data", caller=caller)
            frame, n_dropped = kept.frame, kept.n_dropped
        full = numeric_array(frame, weights, arg="weights", caller=caller)
        if np.any(~np.isfinite(full) | (full <= 0)):
            raise DataError(f"{caller}(): column {weights!r} (argument `weights`) must be > 0")
        reps = np.column_stack(
            [numeric_array(frame, c, arg="replicate_weights", caller=caller) for c in names]
        )
        if np.any(~np.isfinite(reps) | (reps < 0)):
            raise DataError(
                f"{caller}(): replicate weights must be finite and >= 0",
                hint="a replicate weight of 0 drops a unit from that replicate",
            )
        if not combined_weights:
            reps = reps * full[:, None]
        n_rep = reps.shape[1]
        if scale is None:
            defaults = {
                "JK1": (n_rep - 1) / n_rep,
                "bootstrap": 1 / (n_rep - 1) if n_rep > 1 else np.nan,
                "BRR": 1 / n_rep,
                "Fay": 1 / (n_rep * (1 - fay_rho) ** 2),
            }
            if type not in defaults and rscales is None:
                raise SpecificationError(
                    f"{caller}(): type={type!r} needs scale= or rscales=",
                    hint="JKn replicates need rscales=(n_h - 1)/n_h of their stratum",
                )
            scale = defaults.get(type, 1.0)
        scales = np.ones(n_rep) if rscales is None else np.asarray(rscales, dtype=np.float64)
        if scales.shape != (n_rep,):
            raise SpecificationError(f"{caller}(): rscales needs one value per replicate column")
        return cls(
            frame,
            full,
            reps,
            scale=float(scale),
            rscales=scales,
            mse=mse,
            type=type,
            fay_rho=fay_rho,
            n_dropped=n_dropped,
        )

    @property
    def n_rows(self) -> int:
        return len(self.weights)

    @property
    def n_replicates(self) -> int:
        return int(self.replicate_weights.shape[1])

    def domain_degrees_of_freedom(self, rows: NDArray[np.bool_]) -> int:
        """Rank of the domain's replicate weights minus 1 (R's ``degf`` of a subset)."""
        return _rank_df(self.weights[rows], self.replicate_weights[rows])

    def variance(self, thetas: FloatArray, full: FloatArray) -> FloatArray:
        """``scale Σ rscale (θ_r − c)(θ_r − c)ᵀ`` of replicate estimates (replicates × k)."""
        centre = full if self.mse else thetas[self.rscales > 0].mean(axis=0)
        dev = (thetas - centre) * np.sqrt(self.rscales)[:, None]
        return np.asarray(self.scale * dev.T @ dev, dtype=np.float64)

    def domain_sums(self, dom: IntArray, values: FloatArray, k: int) -> FloatArray:
        """Replicate-weighted sums of ``values`` per domain (replicates × k)."""
        inside = np.flatnonzero(dom >= 0)
        indicator = sparse.csr_matrix(
            (values[inside], (dom[inside], inside)), shape=(k, self.n_rows)
        )
        return np.asarray((indicator @ self.replicate_weights).T, dtype=np.float64)

    def summary(self) -> pd.DataFrame:
        """One row: ``type``, ``n_rows``, ``n_replicates``, ``scale``, ``mse``, ``df``,
        ``n_dropped``."""
        return pd.DataFrame(
            [
                {
                    "type": self.type,
                    "n_rows": self.n_rows,
                    "n_replicates": self.n_replicates,
                    "scale": self.scale,
                    "mse": self.mse,
                    "df": self.degrees_of_freedom,
                    "n_dropped": self.n_dropped,
                }
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        row = self.summary().iloc[0].to_dict()
        return {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()} | {
            "fay_rho": self.fay_rho
        }

    def __str__(self) -> str:
        return (
            f"ReplicateDesign ({self.type}): {self.n_rows} respondents, {self.n_replicates} "
            f"replicates, scale {self.scale:.6g}, df = {self.degrees_of_freedom}"
            + (", variances about the full-sample estimate (mse)" if self.mse else "")
            + (f"; {self.n_dropped} rows with missing weights left out" if self.n_dropped else "")
        )

    def __repr__(self) -> str:
        return f"<{self!s}>"

    def _repr_html_(self) -> str:
        return Display(str(self), (), None).html()


def replicate_design(
    design: SurveyDesign,
    type: str | None = None,
    *,
    replicates: int = 50,
    fay_rho: float = 0.0,
    mse: bool = False,
    random_state: int | np.random.Generator | None = None,
    hadamard: Any = None,
) -> ReplicateDesign:
    """Replicate weights for a design (R's ``as.svrepdesign``).

    Parameters
    ----------
    design
        A :class:`SurveyDesign` (first stage only: later stages and their fpc are dropped,
        as R does).
    type
        ``"JK1"`` (delete-one-PSU jackknife, unstratified designs; default for them),
        ``"JKn"`` (stratified jackknife; default with strata), ``"BRR"`` / ``"Fay"``
        (balanced repeated replication, exactly two PSUs per stratum) or
        ``"bootstrap"`` (Canty–Davison: ``n_h`` PSUs drawn with replacement per stratum).
    replicates
        Number of bootstrap replicates.
    fay_rho
        Fay's factor for ``"Fay"`` (the chosen half gets ``2 − ρ``, the other ``ρ``).
    mse
        Centre the replicates on the full-sample estimate instead of their mean.
    hadamard
        For BRR/Fay, a two-valued Hadamard matrix (at least strata + 1 rows; one column
        per replicate), read as R's ``hadamard.matrix=``: row ``h + 1`` serves the
        ``h``-th stratum in sorted order, and where it equals the top-left entry the
        stratum's second PSU (in order of appearance) gets ``2 − ρ``, else the first.
    random_state
        Seed or generator for the bootstrap (the draws do not reproduce R's).

    Notes
    -----
    JK1: replicate ``j`` drops PSU ``j`` and multiplies the rest by ``n/(n − 1)``; scale
    ``(1 − f)(n − 1)/n``. JKn: the same within each stratum, ``rscale = (1 − f_h)(n_h −
    1)/n_h``; lonely strata are left out (``"remove"``) or left out with the scale raised
    by PSUs / replicates (``"average"``), as R. BRR uses a Sylvester Hadamard matrix of
    the smallest power-of-two order above the number of strata (R picks other orders, so
    the replicate count can differ; totals and other linear statistics have identical
    variances for any full-orthogonal Hadamard matrix, and equal the linearised
    with-replacement variance), scale ``1/(R (1 − ρ)²)``; the fpc is dropped. Bootstrap:
    scale ``n̄/((n̄ − 1)(R − 1))`` with ``n̄`` the harmonic mean of PSUs per stratum.
    Checked against R survey 4.1 ``as.svrepdesign`` on the api data (JK1, JKn to 1e-10;
    BRR and Fay totals to 1e-10; R's own bootstrap and BRR weights given as columns).

    Examples
    --------
    >>> df = pd.DataFrame({"w": [2.0, 2.0, 3.0, 3.0], "y": [1.0, 2.0, 4.0, 3.0]})
    >>> rep = replicate_design(SurveyDesign(df, weights="w"), "JK1")
    >>> rep.n_replicates, round(rep.scale, 4)
    (4, 0.75)
    """
    caller = "replicate_design"
    if not isinstance(design, SurveyDesign):
        raise SpecificationError(f"{caller}(): `design` must be a SurveyDesign")
    if type is None:
        type = "JKn" if design.n_strata > 1 else "JK1"
    check_choice(type, ("JK1", "JKn", "BRR", "Fay", "bootstrap"), arg="type", caller=caller)
    psus = psu_table(design)
    if type == "JK1":
        built = jk1_multipliers(design, psus, caller)
    elif type == "JKn":
        built = jkn_multipliers(design, psus, caller)
    elif type in ("BRR", "Fay"):
        if type == "Fay" and not 0 < fay_rho < 1:
            raise SpecificationError(f"{caller}(): fay_rho={fay_rho!r} must be in (0, 1)")
        rho = fay_rho if type == "Fay" else 0.0
        built = brr_multipliers(psus, rho, hadamard, caller)
        type = "Fay" if rho > 0 else "BRR"
    else:
        if not isinstance(replicates, int) or replicates < 2:
            raise SpecificationError(f"{caller}(): replicates={replicates!r} must be >= 2")
        rng = make_rng(random_state, caller=caller)
        built = bootstrap_multipliers(design, psus, replicates, rng)
    replicate_weights = built.multipliers[psus.cluster] * design.weights[:, None]
    return ReplicateDesign(
        design.data,
        design.weights,
        replicate_weights,
        scale=built.scale,
        rscales=built.rscales,
        mse=mse,
        type=type,
        fay_rho=fay_rho if type == "Fay" else 0.0,
        n_dropped=design.n_dropped,
    )
