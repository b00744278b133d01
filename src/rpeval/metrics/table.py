"""`MetricTable`: the tidy result of computing metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from rpeval._display import Display, Displayed

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


@dataclass(frozen=True, repr=False)
class MetricTable(Displayed):
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

    def _display(self) -> Display:
        """Each row with its interval; notes under the table, numbered in a ``note`` column."""
        level = f"{100 * self.conf_level:g}%"
        table = self.frame.drop(columns=["note"]).astype(object)
        marks: list[str] = []
        notes: list[str] = []
        for text in self.frame["note"]:
            if isinstance(text, str) and text:
                notes.append(f"[{len(notes) + 1}] {text}")
                marks.append(f"[{len(notes)}]")
            else:
                marks.append("")
        if notes:
            table["note"] = marks
        header = (
            ("metrics", f"{self.frame['metric'].nunique():,}; rows {len(self.frame):,}"),
            ("by", ", ".join(self.by) or "none"),
            ("suppress_below", str(self.suppress_below)),
        )
        labels = {"ci_lower": f"lower {level}", "ci_upper": f"upper {level}"}
        return Display("Metrics", header, table, notes=tuple(notes), labels=labels)
