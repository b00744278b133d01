"""Person ids as integer codes inside `evaluate`'s follow-up and design stages.

The follow-up, the merges and matching's tie key each hash or sort the person id; on a
million text ids that costs seconds. :func:`code_people` factorises the ids once (people,
events and custody together, as the follow-up matches them) and hands those stages
integer codes; :meth:`PersonCodes.restore` puts the user's ids back in every frame the
stages return. The codes follow the cohort's row order, which `evaluate` sorts by id, so
ties break as they would on the ids.

When the ids are not clean (missing or repeated ids, tables whose id columns differ in
type, or a table none of whose ids is known) nothing is coded and the stages run on the
ids themselves, so their errors and reports name the user's ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PersonCodes", "code_people"]


@dataclass(frozen=True)
class PersonCodes:
    """The user's ids of the cohort (``ids[code]``) in column ``column``."""

    column: str
    ids: Any  # the id column's array (numpy or extension), in code order

    def restore(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with the codes in ``column`` replaced by the user's ids.

        Examples
        --------
        >>> codes = PersonCodes("id", pd.array(["a", "b"], dtype="object"))
        >>> codes.restore(pd.DataFrame({"id": [1, 0]}))["id"].tolist()
        ['b', 'a']
        """
        out = frame.copy(deep=False)
        out[self.column] = self.ids.take(np.asarray(frame[self.column], dtype=np.int64))
        return out


def _coded_table(table: Any, column: str, codes: np.ndarray, n: int) -> pd.DataFrame | None:
    """``table`` with its ids as codes (-1 when not a person of the cohort)."""
    position = codes.copy()
    position[position >= n] = -1
    if len(position) and bool((position < 0).all()):
        return None  # may be ids of another type: the follow-up says so
    coded: pd.DataFrame = table.assign(**{column: position})
    return coded


def code_people(
    frame: pd.DataFrame, column: str, tables: dict[str, Any]
) -> tuple[pd.DataFrame, dict[str, Any], PersonCodes] | None:
    """``frame`` (sorted by ``column``) and the given ``tables`` (None or frames with a
    ``column`` of ids) with integer codes for the ids; None when the ids are not clean.

    Examples
    --------
    >>> people = pd.DataFrame({"id": ["a", "b", "c"]})
    >>> events = pd.DataFrame({"id": ["c", "x", "a"]})
    >>> coded, tables, codes = code_people(people, "id", {"events": events, "custody": None})
    >>> coded["id"].tolist(), tables["events"]["id"].tolist(), tables["custody"]
    ([0, 1, 2], [2, -1, 0], None)
    >>> code_people(pd.DataFrame({"id": ["a", "a"]}), "id", {}) is None
    True
    """
    given = {key: table for key, table in tables.items() if table is not None}
    if column not in frame.columns or not all(
        isinstance(table, pd.DataFrame) and column in table.columns for table in given.values()
    ):
        return None
    ids = frame[column]
    columns = [ids, *(table[column] for table in given.values())]
    if len({str(values.dtype) for values in columns}) != 1:
        return None
    n = len(ids)
    both = pd.concat([values.reset_index(drop=True) for values in columns], ignore_index=True)
    codes = np.asarray(pd.factorize(both)[0], dtype=np.int64)
    if not np.array_equal(codes[:n], np.arange(n)):
        return None  # missing or repeated ids
    coded_tables: dict[str, Any] = dict(tables)
    start = n
    for key, table in given.items():
        coded = _coded_table(table, column, codes[start : start + len(table)], n)
        if coded is None:
            return None
        coded_tables[key] = coded
        start += len(table)
    coded_frame = frame.copy(deep=False)
    coded_frame[column] = codes[:n]
    return coded_frame, coded_tables, PersonCodes(column, ids.array)
