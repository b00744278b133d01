"""Community-level outcomes: counts by area and period.

A restorative-practices program rolled out area by area is judged on counts
(incidents, calls for service, complaints) per area and month. This pillar
holds the designs for such panels:

- :mod:`rpeval.community.panel` -- the validated area x period panel
  (:class:`AreaPanel`, built once by :func:`area_panel`);
- :mod:`rpeval.community.its` -- interrupted time series (segmented
  regression for counts);
- :mod:`rpeval.community.did` -- staggered difference-in-differences.

The pillar imports no other pillar; shared helpers live in ``rpeval._*``.
"""

from __future__ import annotations

from rpeval.community.its import ITSResult, interrupted_time_series
from rpeval.community.panel import AreaPanel, PanelColumns, area_panel

__all__: list[str] = [
    "AreaPanel",
    "ITSResult",
    "PanelColumns",
    "area_panel",
    "interrupted_time_series",
]

# --- exports: panel and interrupted time series ---

# --- exports: staggered difference-in-differences (community/did) ---
from rpeval.community.did import (
    AggregateResult,
    BaconResult,
    GroupTimeResult,
    PoissonDiDResult,
    aggregate,
    bacon_decomposition,
    callaway_santanna,
    poisson_etwfe,
)

__all__ += [
    "AggregateResult",
    "BaconResult",
    "GroupTimeResult",
    "PoissonDiDResult",
    "aggregate",
    "bacon_decomposition",
    "callaway_santanna",
    "poisson_etwfe",
]
