"""rpeval: evaluate community-based restorative practices in policing.

Pillars, each a subpackage that imports no other: :mod:`rpeval.recidivism` (time to
reoffense), :mod:`rpeval.matching` (comparison cohorts from traditional processing),
:mod:`rpeval.metrics` (versioned program metrics), :mod:`rpeval.surveys` (design-based
survey estimates, weighting and scales) and :mod:`rpeval.qualitative` (codebooks,
inter-rater reliability, theme prevalence); :mod:`rpeval.report` combines them.
Simulated and public reference data live in :mod:`rpeval.datasets`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rpeval")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
