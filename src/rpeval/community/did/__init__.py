"""Staggered difference-in-differences for area x period panels.

- :func:`callaway_santanna` -- group-time ATT(g, t) (Callaway & Sant'Anna 2021) with
  outcome-regression, IPW and doubly robust 2 x 2 estimators;
- :func:`aggregate` -- simple, dynamic (event study), group and calendar effects with
  multiplier-bootstrap uniform bands clustered by area;
- :func:`bacon_decomposition` -- the two-way fixed-effects estimate and its
  Goodman-Bacon decomposition (when TWFE misleads).
"""

from __future__ import annotations

from rpeval.community.did._results import AggregateResult, GroupTimeResult
from rpeval.community.did.aggregate import aggregate
from rpeval.community.did.bacon import BaconResult, bacon_decomposition
from rpeval.community.did.estimator import callaway_santanna
from rpeval.community.did.poisson import PoissonDiDResult, poisson_etwfe

__all__ = [
    "AggregateResult",
    "BaconResult",
    "GroupTimeResult",
    "PoissonDiDResult",
    "aggregate",
    "bacon_decomposition",
    "callaway_santanna",
    "poisson_etwfe",
]
