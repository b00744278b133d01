"""`MetricTable`: the tidy result of computing metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import pandas as pd

__all__ = ["RESULT_COLUMNS", "MetricTable"]

RESULT_COLUMNS: Final[tuple[str, ...]] = (
    "numerator",
    "denominator",
    "value",
    "ci_lower",
    "ci_upper",
    "suppressed",
    "note",
)


@dataclass(frozen=True)
class MetricTable:
    """Computed metrics, one row per metric and cell of the ``by`` columns.

    Columns: ``metric``, ``version``, the ``by`` columns (in order), ``numerator``,
    ``denominator``, ``value``, ``ci_lower``, ``ci_upper`` (nullable floats: missing where a
    value is undefined or suppressed, never ``inf`` or ``NaN`` posing as a number),
    ``suppressed`` (bool) and ``note`` (why a value is missing, what was excluded, or
    nothing).

    Attributes
    ----------
    by
        The grouping columns.
    conf_level
        Coverage of the intervals.
    suppress_below
        The small-cell threshold ``k`` applied (1: none).
    intervals
        The interval method of each metric (``{name: method}``).
    """

    frame: pd.DataFrame = field(repr=False)
    by: tuple[str, ...]
    conf_level: float
    suppress_below: int | None
    intervals: dict[str, str] = field(default_factory=dict)

    def to_pandas(self) -> pd.DataFrame:
        """A copy of the table as a pandas DataFrame."""
        return self.frame.copy()

    def summary(self) -> pd.DataFrame:
        """The same as :meth:`to_pandas` (the house's tidy summary)."""
        return self.to_pandas()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: settings plus one record per row (missing values as ``None``)."""
        records = self.frame.astype(object).where(self.frame.notna(), None)
        return {
            "by": list(self.by),
            "conf_level": self.conf_level,
            "suppress_below": self.suppress_below,
            "intervals": dict(self.intervals),
            "rows": records.to_dict(orient="records"),
        }

    def __len__(self) -> int:
        return len(self.frame)

    def _repr_html_(self) -> str:
        return str(self.frame.to_html(index=False, na_rep=""))
