"""The designs of ``match()``, one module per family, behind one dispatcher.

- :mod:`.nearest`: nearest-neighbour (greedy) pairs, MatchIt's default, with the numba
  kernels of :mod:`._greedy` and the walk positions of :mod:`._walk_order`;
- :mod:`.optimal`: optimal pair, k:1, variable-ratio and full matching, on the sparse
  graphs of :mod:`._edges` solved by the assignment kernel of :mod:`._assignment`;
- :mod:`.strata`: exact, coarsened exact (CEM) and propensity-score subclasses.

Each design takes the frozen plan and the sample and returns a
:class:`~rpeval.matching._plan.Matched`.
"""

from __future__ import annotations

from collections.abc import Callable

from rpeval.matching._plan import Matched, MatchPlan, MatchSample
from rpeval.matching.designs.nearest import nearest_design
from rpeval.matching.designs.optimal import full_design, optimal_design
from rpeval.matching.designs.strata import strata_design

__all__ = ["DESIGNS", "run_design"]

Design = Callable[[MatchPlan, MatchSample], Matched]
DESIGNS: dict[str, Design] = {
    "nearest": nearest_design,
    "optimal": optimal_design,
    "full": full_design,
    "exact": strata_design,
    "cem": strata_design,
    "subclass": strata_design,
}


def run_design(plan: MatchPlan, sample: MatchSample) -> Matched:
    """The pairs or subclasses of the design ``plan.method`` names, with MatchIt's weights.

    Examples
    --------
    >>> sorted(DESIGNS)
    ['cem', 'exact', 'full', 'nearest', 'optimal', 'subclass']
    """
    return DESIGNS[plan.method](plan, sample)
