"""Reliability data read once: coder columns, scale positions and the missing-rating policy.

Reliability data have one row per unit and one column per coder, a missing value where a
coder gave no rating. Missing ratings are part of the method (coders read different
segments), so the policy ``missing=`` has three values:

* ``"pairable"`` (default): every coefficient uses the ratings it can pair, as
  Krippendorff (2011) and R ``irr``/``irrCAC`` do: units rated by fewer than two coders
  are left out and counted (Fleiss' κ can only use units every coder rated);
* ``"error"``: a missing rating raises :class:`~rpeval.errors.DataError` with the count
  per coder;
* ``"drop"``: units missing any coder's rating are dropped first (listwise) and counted,
  so every coefficient is computed on the same complete units.

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"ann": [1, 2, None], "bob": [1, 2, 2]})
>>> prepare_ratings(data, None, None, numeric=False, missing="drop", caller="cohen_kappa").n_dropped
1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._frames import as_pandas, complete_cases, require_columns
from rpeval._options import check_choice
from rpeval.errors import DataError

__all__ = ["MISSING", "Prepared", "RatingsMissing", "prepare_ratings"]

RatingsMissing = Literal["pairable", "error", "drop"]
MISSING: Final = ("pairable", "error", "drop")


@dataclass(frozen=True)
class Prepared:
    """Units × coders positions (NaN: no rating), the number of categories ``q`` (0 for
    numbers), units dropped by the policy (``n_listwise``) and units left out in all
    (``n_dropped``: dropped, or rated by fewer than two coders)."""

    array: NDArray[np.float64]
    q: int
    n_dropped: int
    n_listwise: int
    missing: str


def _checked_frame(frame: pd.DataFrame, names: list[str], missing: str, caller: str) -> int:
    """Raise on an empty coder or (``missing="error"``) any missing rating; the number of
    units ``missing="drop"`` leaves out."""
    empty = [str(c) for c in names if frame[c].isna().all()]
    if empty:
        raise DataError(
            f"{caller}(): coder {empty[0]!r} rated nothing (every value is missing)",
            hint="leave that coder out (coders=...) or check the column",
        )
    if missing == "pairable":
        return 0
    try:
        complete = complete_cases(frame, names, missing=missing, arg="ratings", caller=caller)
    except DataError as error:
        raise DataError(
            error.message,
            hint="missing='pairable' (the default) uses every unit rated at least twice; "
            "missing='drop' keeps the units every coder rated (dropped units are counted)",
        ) from error
    if complete.frame.empty:
        raise DataError(
            f"{caller}(): no unit was rated by every coder (missing='drop')",
            hint="use missing='pairable' (the default), or choose coders= who rated the same units",
        )
    return complete.n_dropped


def _positions(
    frame: pd.DataFrame, names: list[str], levels: Sequence[object] | None, numeric: bool,
    caller: str,
) -> tuple[NDArray[np.float64], int]:  # fmt: skip
    if levels is not None:
        position = {level: float(i) for i, level in enumerate(levels)}
        mapped = frame.apply(lambda col: col.map(position))
        off = frame.notna() & mapped.isna()
        if off.to_numpy().any():
            row, col = np.argwhere(off.to_numpy())[0]
            raise DataError(
                f"{caller}(): rating {frame.iloc[row, col]!r} of coder {names[col]!r} (row "
                f"{row}) is not on the scale {list(levels)}",
                hint="fix the rating or pass the scale's full list of levels",
            )
        return mapped.to_numpy(dtype=float), len(levels)
    if numeric:
        try:
            return frame.apply(pd.to_numeric).to_numpy(dtype=float), 0
        except (TypeError, ValueError):
            raise DataError(
                f"{caller}(): ordinal, interval and ratio ratings must be numbers",
                hint="pass levels=[...] to give the order of text ratings",
            ) from None
    seen = pd.unique(frame.to_numpy().ravel())
    categories = sorted((v for v in seen if not pd.isna(v)), key=lambda v: (str(type(v)), v))
    position = {value: float(i) for i, value in enumerate(categories)}
    return frame.apply(lambda col: col.map(position)).to_numpy(dtype=float), len(categories)


def prepare_ratings(
    ratings: object,
    coders: Sequence[str] | None,
    levels: Sequence[object] | None,
    *,
    numeric: bool,
    missing: object,
    caller: str,
) -> Prepared:
    """The coder columns of `ratings` as positions, after the policy `missing`."""
    policy = check_choice(missing, MISSING, arg="missing", caller=caller)
    frame = as_pandas(ratings, arg="ratings", caller=caller)
    names = list(frame.columns) if coders is None else list(coders)
    require_columns(frame, names, arg="coders", caller=caller)
    if len(names) < 2:
        raise DataError(
            f"{caller}(): reliability needs at least two coders, got {len(names)}",
            hint="pass a frame with one column per coder (coders= to choose them)",
        )
    frame = frame[names]
    listwise = _checked_frame(frame, names, policy, caller)
    if listwise:
        frame = frame[frame.notna().all(axis=1)]
    values, q = _positions(frame, names, levels, numeric, caller)
    dropped = listwise + int(((~np.isnan(values)).sum(axis=1) < 2).sum())
    return Prepared(values, q, dropped, listwise, policy)
