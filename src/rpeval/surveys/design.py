"""The survey design: weights, strata, (multi-stage) clusters and finite-population sizes.

A :class:`SurveyDesign` checks its columns once and keeps what every estimate needs: the
rows' sampling weights and, stage by stage, the stratum and cluster codes with their
finite-population factors (:class:`rpeval.surveys._variance.Stage`). It follows R survey's
``svydesign`` (Lumley 2004): ``psu`` lists the cluster columns of each stage (``id = ~dnum +
snum``), ``fpc`` one column per stage, given as population sizes (all >= 1) or sampling
fractions (all <= 1); without weights, weights come from the fpc (``N_h / n_h`` per stage),
else every row weighs 1.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._design_variance import Stage
from rpeval._display import Display
from rpeval._frames import as_pandas, complete_cases, require_columns
from rpeval._options import check_choice, column_list
from rpeval.errors import DataError, SpecificationError
from rpeval.surveys._design_build import (
    StageInput,
    build_stages,
    codes,
    fpc_kind,
    popsize,
    row_weights,
    stage_inputs,
)

__all__ = ["LonelyPSU", "SurveyDesign"]

LonelyPSU = Literal["fail", "remove", "adjust", "average"]
LONELY_RULES = ("fail", "remove", "adjust", "average")
_CALLER = "SurveyDesign"
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class SurveyDesign:
    """A complex survey design: sampling weights, strata, clusters and the fpc.

    Parameters
    ----------
    data
        One row per respondent (pandas, or polars/pyarrow through narwhals). Not copied
        deeply and never modified.
    weights
        Column of sampling weights (the inverse of the inclusion probability). Must be
        finite and > 0. Without it the weights come from ``fpc`` (population over sample
        size, multiplied over stages), or every row weighs 1.
    strata
        Column of first-stage strata.
    psu
        Column of primary sampling units, or a list of cluster columns, one per stage
        (``["district", "school"]``). Without it every row is its own PSU.
    fpc
        Finite-population correction: one column per stage, population sizes (all >= 1)
        or sampling fractions (all <= 1), constant within each stratum. Without it,
        sampling is taken to be with replacement at the first stage (later stages are
        then ignored, as R does).
    nest
        PSU labels are reused across strata (PSU 1 of stratum A is not PSU 1 of B).
        Without it a PSU label found in two strata is an error.
    lonely_psu
        What a stratum with a single PSU contributes to the variance (R's
        ``options(survey.lonely.psu=)``): ``"fail"`` raises, ``"remove"`` adds nothing,
        ``"adjust"`` compares the PSU total with the overall mean (0 for the centred
        influence values), ``"average"`` replaces the stratum by the average of the others.
    missing
        Rows missing a design value (weight, stratum, PSU or fpc): ``"error"`` (default,
        as R's ``svydesign``) or ``"drop"``, which removes those rows from the sample
        before the design is built (the design of the filtered frame; counted in
        ``n_dropped``). Dropping is not a domain: the units leave the design, totals
        leave them out and no weight is raised to stand for them, so use it for rows
        outside the sample (ineligible cases, broken records). Respondents in the sample
        who skipped a question are a domain: see the estimators' ``missing="drop"``.

    Raises
    ------
    DataError
        Missing or non-positive weights, missing strata/PSU/fpc values, PSUs in two
        strata without ``nest``, an fpc that varies within a stratum or is smaller than the
        sample, a single PSU overall, and lonely PSUs under ``lonely_psu="fail"``.

    Notes
    -----
    The variance of an estimated total ``Σ w_i z_i`` is, summed over strata ``h`` with
    ``n_h`` PSUs whose totals are ``z_hc``::

        V = Σ_h (1 - n_h/N_h) n_h/(n_h - 1) Σ_c (z_hc - z̄_h)²

    plus, with an fpc at every stage, the same sum for the second stage within each PSU
    times its first-stage sampling fraction ``n_h/N_h`` (and so on down). Agrees with R
    survey 4.1 ``svydesign``/``svyrecvar`` to 1e-10 on the ``api`` data, two-stage
    ``apiclus2`` included.

    Examples
    --------
    >>> df = pd.DataFrame({"stratum": ["a", "a", "b", "b"], "w": [2.0, 2.0, 3.0, 3.0],
    ...                    "trust": [3, 4, 2, 5]})
    >>> design = SurveyDesign(df, weights="w", strata="stratum")
    >>> design.n_rows, design.n_strata, design.degrees_of_freedom
    (4, 2, 2)
    >>> df.loc[1, "w"] = None
    >>> SurveyDesign(df, weights="w", missing="drop").n_rows
    3
    """

    data: pd.DataFrame
    weights: FloatArray
    stages: tuple[Stage, ...]
    weights_column: str | None
    strata_column: str | None
    psu_columns: tuple[str, ...]
    fpc_columns: tuple[str, ...]
    nest: bool
    lonely_psu: str
    n_lonely: int
    n_dropped: int
    _stratum: IntArray
    _cluster: IntArray
    adjustments: tuple[Any, ...]

    def __init__(
        self,
        data: Any,
        *,
        weights: str | None = None,
        strata: str | None = None,
        psu: str | list[str] | None = None,
        fpc: str | list[str] | None = None,
        nest: bool = False,
        lonely_psu: LonelyPSU | str = "fail",
        missing: Literal["error", "drop"] = "error",
    ) -> None:
        frame = as_pandas(data, arg="data", caller=_CALLER)
        check_choice(lonely_psu, LONELY_RULES, arg="lonely_psu", caller=_CALLER)
        check_choice(missing, ("error", "drop"), arg="missing", caller=_CALLER)
        if not isinstance(nest, bool):
            raise SpecificationError(f"{_CALLER}(): nest={nest!r} must be True or False")
        columns = _design_columns(frame, weights, strata, psu, fpc)
        strata_cols, psu_cols, fpc_cols = columns["strata"], columns["psu"], columns["fpc"]
        n_dropped = 0
        if missing == "drop":
            every = [name for names in columns.values() for name in names]
            kept = complete_cases(frame, every, missing="drop", arg="data", caller=_CALLER)
            frame, n_dropped = kept.frame, kept.n_dropped
        if len(frame) == 0:
            raise DataError(
                f"{_CALLER}(): `data` has no rows"
                + (f" left after dropping {n_dropped} with missing values" if n_dropped else "")
            )
        n = len(frame)
        stratum = codes(frame, strata_cols, "strata") if strata_cols else np.zeros(n, np.int64)
        inputs = stage_inputs(frame, stratum, psu_cols, nest, bool(strata_cols))
        fraction = fpc_kind(frame, fpc_cols)
        popsizes = [
            popsize(frame, column, stage, fraction, number + 1)
            for number, (column, stage) in enumerate(zip(fpc_cols, inputs, strict=False))
        ]
        inputs = [
            StageInput(s.stratum, s.cluster, s.n_psu, popsizes[i] if popsizes else s.popsize)
            for i, s in enumerate(inputs)
        ]
        weight_values = row_weights(frame, weights, inputs, bool(fpc_cols))
        if not fpc_cols:
            inputs = inputs[:1]
        labels = (
            [str(v) for v in pd.factorize(frame[strata_cols[0]], sort=True)[1]]
            if strata_cols
            else ["(all)"]
        )
        stages, n_lonely = build_stages(inputs, lonely_psu, labels)
        values = {
            "data": frame,
            "weights": weight_values,
            "stages": stages,
            "weights_column": weights,
            "strata_column": strata_cols[0] if strata_cols else None,
            "psu_columns": tuple(psu_cols),
            "fpc_columns": tuple(fpc_cols),
            "nest": nest,
            "lonely_psu": lonely_psu,
            "n_lonely": n_lonely,
            "n_dropped": n_dropped,
            "_stratum": stratum,
            "_cluster": inputs[0].cluster,
            "adjustments": (),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"SurveyDesign is immutable: cannot set {name!r}")

    def _reweighted(self, weights: FloatArray, adjustment: Any = None) -> SurveyDesign:
        """A copy with new weights and, for the variance, one more weighting adjustment
        (an object whose ``residuals(u)`` maps influence values to what remains after
        weighting; see :mod:`rpeval.surveys.weighting`)."""
        copy = object.__new__(SurveyDesign)
        for name, value in self.__dict__.items():
            object.__setattr__(copy, name, value)
        object.__setattr__(copy, "weights", np.asarray(weights, dtype=np.float64))
        if adjustment is not None:
            object.__setattr__(copy, "adjustments", (*self.adjustments, adjustment))
        return copy

    # ----------------------------------------------------------------- properties
    @property
    def n_rows(self) -> int:
        """Number of respondents (rows)."""
        return len(self.weights)

    @property
    def n_strata(self) -> int:
        """Number of first-stage strata (1 without strata)."""
        return self.stages[0].n_strata

    @property
    def n_psu(self) -> int:
        """Number of primary sampling units."""
        return self.stages[0].n_clusters

    @property
    def degrees_of_freedom(self) -> int:
        """PSUs minus strata: the design's residual degrees of freedom (R's ``degf``)."""
        return self.n_psu - self.n_strata

    def domain_degrees_of_freedom(self, rows: NDArray[np.bool_]) -> int:
        """PSUs minus strata among ``rows`` (R's ``degf`` of ``subset(design, rows)``)."""
        return int(np.unique(self._cluster[rows]).size - np.unique(self._stratum[rows]).size)

    # ----------------------------------------------------------------- presentation
    def summary(self) -> pd.DataFrame:
        """One row per stage: ``stage``, ``n_strata``, ``n_units``, ``lonely_strata``,
        ``fpc`` (whether a finite-population correction applies)."""
        rows = [
            {
                "stage": number,
                "n_strata": stage.n_strata,
                "n_units": stage.n_clusters,
                "lonely_strata": int(stage.lonely.sum()) + 0,
                "fpc": bool(self.fpc_columns),
            }
            for number, stage in enumerate(self.stages, start=1)
        ]
        return pd.DataFrame(rows, columns=["stage", "n_strata", "n_units", "lonely_strata", "fpc"])

    def to_dict(self) -> dict[str, Any]:
        """The design's specification and sizes (not its data), for JSON."""
        return {
            "n_rows": self.n_rows,
            "weights": self.weights_column,
            "strata": self.strata_column,
            "psu": list(self.psu_columns),
            "fpc": list(self.fpc_columns),
            "nest": self.nest,
            "lonely_psu": self.lonely_psu,
            "n_strata": self.n_strata,
            "n_psu": self.n_psu,
            "n_lonely": self.n_lonely,
            "n_dropped": self.n_dropped,
            "degrees_of_freedom": self.degrees_of_freedom,
            "weight_sum": float(self.weights.sum()),
        }

    def __str__(self) -> str:
        parts = [
            f"SurveyDesign: {self.n_rows} respondents, {self.n_strata} strata, "
            f"{self.n_psu} PSUs, {len(self.stages)} stage(s), df = {self.degrees_of_freedom}",
            f"  weights: {self.weights_column or ('from fpc' if self.fpc_columns else 'equal')}"
            f" (sum {self.weights.sum():.6g})",
        ]
        if self.n_dropped:
            parts.append(
                f"  {self.n_dropped} rows missing a design value left out of the sample "
                "(missing='drop')"
            )
        if self.n_lonely:
            parts.append(
                f"  {self.n_lonely} lonely strata handled by lonely_psu={self.lonely_psu!r}"
            )
        return "\n".join(parts)

    def __repr__(self) -> str:
        return f"<{self!s}>".replace("\n", ";")

    def _repr_html_(self) -> str:
        title, *rest = str(self).split("\n")
        return Display(title, (), self.summary(), tuple(line.strip() for line in rest)).html()


def _design_columns(
    frame: pd.DataFrame, weights: object, strata: object, psu: object, fpc: object
) -> dict[str, list[str]]:
    """The weights, strata, psu and fpc column lists, checked together and in ``frame``."""
    psu_cols = column_list(psu, arg="psu", caller=_CALLER)
    fpc_cols = column_list(fpc, arg="fpc", caller=_CALLER)
    strata_cols = column_list(strata, arg="strata", caller=_CALLER)
    if len(strata_cols) > 1:
        raise SpecificationError(
            f"{_CALLER}(): `strata` takes one column, got {strata_cols}",
            hint="combine them first, e.g. df['stratum'] = df['region'] + '/' + df['urban']",
        )
    if fpc_cols and len(fpc_cols) != max(len(psu_cols), 1):
        raise SpecificationError(
            f"{_CALLER}(): `fpc` names {len(fpc_cols)} columns for "
            f"{max(len(psu_cols), 1)} sampling stages",
            hint="give one fpc column per psu column",
        )
    columns = {
        "psu": psu_cols,
        "fpc": fpc_cols,
        "strata": strata_cols,
        "weights": column_list(weights, arg="weights", caller=_CALLER),
    }
    for arg, names in columns.items():
        require_columns(frame, names, arg=arg, caller=_CALLER)
    return columns
