"""The former home of ``validate``, kept so ``rpeval.metrics.validate`` still imports.

The code lives in :mod:`rpeval.metrics.validation.stages`; import from ``rpeval.metrics``.

>>> from rpeval.metrics.validate import validate
>>> from rpeval.metrics.validation.stages import validate as moved
>>> validate is moved
True
"""

from __future__ import annotations

from rpeval.metrics.validation import STAGES, Issue, ValidationReport, validate

__all__ = ["STAGES", "Issue", "ValidationReport", "validate"]
