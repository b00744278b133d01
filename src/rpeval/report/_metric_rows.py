"""The report's program-metrics table: the tidy metric rows with the unit of every value, and
for metrics computed by group, the participants' and comparison values side by side with
their difference."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["metric_display", "metric_unit", "stack_rows"]

_COMPARABLE = {"proportion", "window_proportion", "rate", "mean"}


def stack_rows(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Frames stacked row-wise with the union of their columns. All-empty columns are
    left out of the concatenation and put back after it: their dtype would be a guess
    that pandas 2.2 warns about.

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1.0], "note": [None]})
    >>> stack_rows([a, pd.DataFrame({"x": [2.0], "y": ["b"]})]).columns.tolist()
    ['x', 'note', 'y']
    """
    columns = list(dict.fromkeys(c for frame in frames for c in frame.columns))
    parts = [frame.dropna(axis=1, how="all") for frame in frames]
    return pd.concat(parts, ignore_index=True, sort=False).reindex(columns=columns)


def metric_unit(definition: Any) -> str:
    """What a metric's value is measured in, in words.

    Examples
    --------
    >>> from rpeval.metrics import Registry
    >>> registry = Registry.builtin()
    >>> metric_unit(registry["reoffenses_per_person_year"])
    're-arrests per person-years'
    >>> [metric_unit(registry[n]) for n in ("agreement_rate", "days_referral_to_conference")]
    ['share', 'days']
    """
    kind = definition.kind
    if kind in {"proportion", "window_proportion"}:
        return "share"
    if kind == "rate":
        label = definition.numerator.label if definition.numerator is not None else None
        return f"{label or 'events'} per {definition.exposure.unit}"
    if kind == "mean":
        return "days" if definition.value.days_between is not None else "mean"
    if kind == "relative_rate":
        return "ratio to the reference group"
    return "ratio" if kind == "ratio" else "count"


def metric_display(
    frame: pd.DataFrame, registry: Any, dimensions: Sequence[str] = ()
) -> pd.DataFrame:
    """One row per metric and group, with ``unit``, then for each metric computed for
    both groups a row ``participants − comparison`` holding the difference of the values
    (descriptive: the design-based comparison of re-arrest is in the findings)."""
    shown = frame.copy()
    shown.insert(3, "unit", [metric_unit(registry[name]) for name in shown["metric"]])
    rows = []
    keys = ["metric", *dimensions]
    for key, part in shown.groupby(keys, sort=False, dropna=False):
        name = key[0]
        rows.append(part)
        values = part.set_index("group")["value"]
        if (
            values.index.is_unique
            and registry[name].kind in _COMPARABLE
            and {"participants", "comparison"} <= set(values.index)
            and pd.notna(values["participants"])
            and pd.notna(values["comparison"])
        ):
            difference = float(values["participants"]) - float(values["comparison"])
            rows.append(
                pd.DataFrame(
                    [
                        {
                            **{d: part[d].iloc[0] for d in dimensions},
                            "metric": name,
                            "version": part["version"].iloc[0],
                            "group": "participants − comparison",
                            "unit": part["unit"].iloc[0],
                            "value": difference,
                            "suppressed": False,
                            "note": "unadjusted difference of everyone in the two groups, no "
                            "interval: not the program's effect (that is in the findings)",
                        }
                    ]
                )
            )
    return stack_rows(rows).reindex(columns=shown.columns)
