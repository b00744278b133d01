"""The checks every section's input starts with: its data file is given, its columns exist.

Examples
--------
>>> import pandas as pd
>>> require_columns(pd.DataFrame({"area": [1]}), ["area", "month", None], key="community",
...                 where="the panel", columns="the panel's columns")
Traceback (most recent call last):
...
rpeval.errors.DataError: community: column(s) ['month'] are not in the panel (columns: ['area'])
  hint: name the panel's columns in the configuration's community: block
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from rpeval.errors import DataError, SpecificationError
from rpeval.report.sections import DATA_TABLES

__all__ = ["require_columns", "require_table"]


def require_table(table: pd.DataFrame | None, *, key: str, what: str) -> pd.DataFrame:
    """`table`, or :class:`SpecificationError` when the configuration gives section `key`
    no data file (`what` says what the section needs: "the survey respondents")."""
    if table is None:
        raise SpecificationError(
            f"{key}: the section needs {what}",
            hint=f"name the file under data: {DATA_TABLES[key]}: in the configuration",
        )
    return table


def require_columns(
    data: pd.DataFrame, named: Iterable[str | None], *, key: str, where: str, columns: str
) -> None:
    """:class:`DataError` listing the `named` columns (``None`` skipped) that `data` lacks;
    `where` names the data ("the panel"), `columns` its columns in the hint."""
    absent = [c for c in named if c is not None and c not in data.columns]
    if absent:
        raise DataError(
            f"{key}: column(s) {absent} are not in {where} (columns: {list(data.columns)[:30]})",
            hint=f"name {columns} in the configuration's {key}: block",
        )
