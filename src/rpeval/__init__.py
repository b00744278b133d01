"""rpeval: evaluate community-based restorative practices in policing.

Three pillars, each a subpackage: :mod:`rpeval.recidivism` (time to reoffense),
:mod:`rpeval.matching` (comparison cohorts from traditional processing) and
:mod:`rpeval.metrics` (versioned program metrics); :mod:`rpeval.report` combines them.
Simulated and public reference data live in :mod:`rpeval.datasets`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rpeval")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
