"""The former home of ``validate``, kept so ``rpeval.metrics.validate`` still imports.

The code lives in :mod:`rpeval.metrics.validation.stages`; import from ``rpeval.metrics``.
The names load at first use, so the package can import this module cheaply.

>>> from rpeval.metrics.validate import validate
>>> from rpeval.metrics.validation.stages import validate as moved
>>> validate is moved
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rpeval.metrics.validation import STAGES, Issue, ValidationReport, validate

__all__ = ["STAGES", "Issue", "ValidationReport", "validate"]


def __getattr__(name: str) -> object:
    """The names of ``__all__`` from :mod:`rpeval.metrics.validation`, at first use."""
    if name not in __all__:
        raise AttributeError(f"module 'rpeval.metrics.validate' has no attribute {name!r}")
    return getattr(importlib.import_module("rpeval.metrics.validation"), name)
