"""What flows through ``match()``: the checked options (a frozen :class:`MatchPlan`), the
rows they apply to (:class:`MatchSample`) and what every design returns (:class:`Matched`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval.matching._distance import whitened

__all__ = ["Discard", "DistanceScale", "MatchPlan", "MatchSample", "Matched", "Order"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Order = Literal["largest", "smallest", "random", "data"]
Discard = Literal["none", "treated", "control", "both"]
DistanceScale = Literal["probability", "linear"]


@dataclass(frozen=True)
class MatchPlan:
    """The options of one ``match()`` call after the checks: what to match on and how.

    ``ratio`` is the whole number of controls per focal unit (the largest for
    variable-ratio matching, whose ``(min, max, mean)`` is ``variable``); the caliper is
    split into the one on the distance and the per-covariate ones.
    """

    method: str
    distance: str
    distance_scale: DistanceScale
    ratio: int
    variable: tuple[int, int, float] | None
    replace: bool
    std_caliper: bool
    distance_caliper: float | None
    caliper_columns: tuple[str, ...]
    caliper_values: tuple[float, ...]
    exact: tuple[str, ...]
    antiexact: tuple[str, ...]
    order: Order
    discard: Discard
    estimand: str
    random_state: int | None
    n_subclasses: int
    cutpoints: Mapping[str, Any] | None
    k2k: bool

    @property
    def score_column(self) -> bool:
        """Whether ``distance`` names a column holding the score."""
        return self.distance not in ("propensity", "mahalanobis")

    @property
    def needs_score(self) -> bool:
        """Whether the design uses a scalar score (exact and CEM strata do not)."""
        return self.method not in ("exact", "cem")


@dataclass(frozen=True)
class MatchSample:
    """The rows a design matches: the frame, who is treated and focal (the group matched
    to: treated for the ATT, controls for the ATC), who is kept after discarding, the
    score matched on (``None`` for Mahalanobis distance or strata) and the caliper
    widths on the scale matched on (``inf`` for none; one per caliper column)."""

    frame: pd.DataFrame
    covariates: str | Sequence[str]
    is_treated: BoolArray
    focal: BoolArray
    keep: BoolArray
    score: FloatArray | None
    caliper_width: float
    caliper_widths: FloatArray

    @cached_property
    def whitened(self) -> FloatArray:
        """Covariates whose Euclidean distances are Mahalanobis distances (computed once)."""
        return whitened(self.frame, self.covariates, self.focal)


class Matched(NamedTuple):
    """What a design gives: the control rows of each focal row (shape ``(n focal, k)``,
    -1 for none; ``k = 0`` when the design forms subclasses instead of pairs), those focal
    rows, and MatchIt's weights and subclasses (0 = unmatched) of every input row."""

    matches: IntArray
    focal_rows: IntArray
    weights: FloatArray
    subclass: IntArray
