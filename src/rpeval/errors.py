"""Exceptions and warnings raised by rpeval.

Every foreseeable mistake in the input raises a subclass of :class:`RpevalError`
whose message says which argument or column was wrong, what was found and what to
do. Statistical diagnoses that do not stop a computation are warnings of our own
classes, so that callers can filter them precisely.

Examples
--------
>>> from rpeval.errors import DataError, RpevalError
>>> err = DataError("column 'age' is missing", hint="pass covariates=['age_at_entry']")
>>> isinstance(err, RpevalError) and isinstance(err, ValueError)
True
>>> print(err)
column 'age' is missing
  hint: pass covariates=['age_at_entry']
"""

from __future__ import annotations

__all__ = [
    "CodebookError",
    "ConvergenceError",
    "ConvergenceWarning",
    "DataError",
    "DataWarning",
    "MetricDefinitionError",
    "PositivityWarning",
    "RpevalError",
    "RpevalWarning",
    "SpecificationError",
]


class RpevalError(Exception):
    """Base class of every error rpeval raises on purpose.

    Parameters
    ----------
    message
        What was wrong, naming the argument or column.
    hint
        What to do about it; printed on its own line.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class DataError(RpevalError, ValueError):
    """A data frame argument has missing or bad columns or values."""


class SpecificationError(RpevalError, ValueError):
    """Arguments contradict each other or name an option that does not exist."""


class ConvergenceError(RpevalError, RuntimeError):
    """An iterative fit did not converge and no usable estimate exists."""


class MetricDefinitionError(RpevalError, ValueError):
    """A metric definition is malformed or inconsistent."""


class CodebookError(RpevalError, ValueError):
    """A codebook is malformed, or coded data do not fit it (an unknown code, a rating
    outside a code's scale)."""


class RpevalWarning(UserWarning):
    """Base class of rpeval's warnings."""


class ConvergenceWarning(RpevalWarning):
    """A fit converged only partly, or an estimate is on the boundary (e.g. separation)."""


class PositivityWarning(RpevalWarning):
    """Propensity scores near 0 or 1: treated and comparison groups barely overlap."""


class DataWarning(RpevalWarning):
    """Rows were dropped or values coerced; the result reports how many."""
