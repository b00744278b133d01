"""The option checks of ``match()``, and the tie key that fixes the order of the rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval.errors import DataError, SpecificationError

__all__ = ["METHODS", "check_design", "check_options", "check_variable", "in_key_order"]

STRATIFIED = ("exact", "cem", "subclass", "full")

FloatArray = NDArray[np.float64]
METHODS = ("nearest", "optimal", "exact", "cem", "subclass", "full")
_PAIRING = ("nearest", "optimal")


def check_options(
    *,
    method: str,
    distance: str,
    ratio: int,
    replace: bool,
    caliper: Any,
    order: str,
    discard: str,
    estimand: str,
) -> None:
    """Raise :class:`SpecificationError` for an unknown or contradictory option."""
    if method not in METHODS:
        raise SpecificationError(
            f"match(): method={method!r} is not available",
            hint="use one of " + ", ".join(f'"{m}"' for m in METHODS),
        )
    if not isinstance(ratio, int | np.integer) or isinstance(ratio, bool) or ratio < 1:
        raise SpecificationError(f"match(): ratio={ratio!r} must be a whole number >= 1")
    if order not in ("largest", "smallest", "random", "data"):
        raise SpecificationError(
            f"match(): order={order!r} is unknown",
            hint='use "largest", "smallest", "random" or "data"',
        )
    if discard not in ("none", "treated", "control", "both"):
        raise SpecificationError(f"match(): discard={discard!r} is unknown")
    if estimand not in ("ATT", "ATC", "ATE") or (estimand == "ATE" and method in _PAIRING):
        raise SpecificationError(
            f"match(): estimand={estimand!r} with method={method!r}",
            hint="pair matching estimates ATT or ATC; exact, cem, subclass and full also ATE",
        )
    if method == "optimal" and replace:
        raise SpecificationError(
            "match(): optimal matching is without replacement",
            hint='with replacement nearest-neighbour matching is already optimal: use "nearest"',
        )
    values = caliper.values() if isinstance(caliper, Mapping) else [caliper]
    for value in values:
        if value is not None and not (np.isfinite(value) and value > 0):
            raise SpecificationError(f"match(): caliper {value!r} must be a positive number")
    if distance == "mahalanobis" and caliper is not None and not isinstance(caliper, Mapping):
        raise SpecificationError(
            "match(): a distance caliper needs a scalar distance",
            hint="give per-covariate calipers as a dict",
        )


def in_key_order(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """``frame`` sorted by the unique, complete column ``key``: matching on it gives the
    same pairs whatever order the rows came in (ties follow the key, not the row order)."""
    _frames.require_columns(frame, [key], arg="tie_key", caller="match")
    values = frame[key]
    if values.isna().any():
        raise DataError(
            f"match(): tie_key column {key!r} has {int(values.isna().sum())} missing values",
            hint="give every row an id, or leave tie_key=None to break ties by row order",
        )
    if values.duplicated().any():
        example = values[values.duplicated()].iloc[0]
        raise DataError(
            f"match(): tie_key column {key!r} repeats values (e.g. {example!r})",
            hint="the tie key must identify each row, like a person id",
        )
    try:
        return frame.sort_values(key, kind="stable")
    except TypeError:
        raise DataError(
            f"match(): tie_key column {key!r} mixes values that cannot be ordered",
            hint="use one type, e.g. all text or all numbers",
        ) from None


def check_design(
    *,
    method: str,
    ratio: int,
    replace: bool,
    caliper: Any,
    anti_cols: list[str],
    n_subclasses: int,
    cutpoints: Mapping[str, Any] | None,
    k2k: bool,
) -> None:
    """Raise for options that the chosen design does not take."""
    if method in STRATIFIED:
        per_covariate = isinstance(caliper, Mapping) and set(caliper) - {"distance"}
        if ratio != 1 or replace or anti_cols or per_covariate:
            raise SpecificationError(
                f'match(): method="{method}" forms subclasses: ratio, replace, antiexact and '
                "per-covariate calipers apply to pair matching only"
            )
        if caliper is not None and method != "full":
            raise SpecificationError(f'match(): method="{method}" takes no caliper')
    if cutpoints is not None and method != "cem":
        raise SpecificationError('match(): cutpoints= is for method="cem"')
    if k2k and method != "cem":
        raise SpecificationError('match(): k2k=True is for method="cem"')
    if isinstance(n_subclasses, bool) or not isinstance(n_subclasses, int) or n_subclasses < 1:
        raise SpecificationError(f"match(): n_subclasses={n_subclasses!r} must be >= 1")


def check_variable(
    method: str, ratio: float, min_controls: int | None, max_controls: int | None
) -> tuple[int, int, float] | None:
    """``(min, max, ratio)`` for variable-ratio matching, or ``None`` for a fixed ratio."""
    if min_controls is None and max_controls is None:
        return None
    if method != "optimal":
        raise SpecificationError(
            "match(): min_controls/max_controls are for variable-ratio optimal matching",
            hint='use method="optimal"',
        )
    low = 1 if min_controls is None else min_controls
    high = max_controls
    for name, value in (("min_controls", low), ("max_controls", high)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SpecificationError(f"match(): {name}={value!r} must be a whole number >= 1")
    assert high is not None
    if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not low <= ratio <= high:
        raise SpecificationError(
            f"match(): ratio={ratio!r} must lie between min_controls={low} and "
            f"max_controls={high} (it is the average number of controls)"
        )
    return low, high, float(ratio)
