"""rpeval: evaluate community-based restorative practices in policing.

Pillars, each a subpackage that imports no other: :mod:`rpeval.recidivism` (time to
reoffense), :mod:`rpeval.matching` (comparison cohorts from traditional processing),
:mod:`rpeval.metrics` (versioned program metrics), :mod:`rpeval.surveys` (design-based
survey estimates, weighting and scales) and :mod:`rpeval.qualitative` (codebooks,
inter-rater reliability, theme prevalence); :mod:`rpeval.report` combines them.
Simulated and public reference data live in :mod:`rpeval.datasets`.
"""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """``rpeval.__version__``, read from the installed metadata at first use (reading it
    at import would triple the cost of ``import rpeval``)."""
    if name != "__version__":
        raise AttributeError(f"module 'rpeval' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("rpeval")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        found = "0+unknown"
    globals()["__version__"] = found
    return found
