"""What every simulated data set offers besides its tables: a summary of the tables, a JSON
description and the console/notebook display (the result contract for data bundles)."""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd

from rpeval._display import Display, Displayed
from rpeval._json import plain

__all__ = ["DataBundle"]


class DataBundle(Displayed):
    """Mixin for a frozen dataclass holding data frames: ``_TABLES`` names the frame
    attributes, ``_PARAMETERS`` the scalar ones shown and serialised, ``_TITLE`` the title."""

    _TITLE: ClassVar[str] = "Simulated data"
    _TABLES: ClassVar[tuple[str, ...]] = ()
    _PARAMETERS: ClassVar[tuple[str, ...]] = ()

    def summary(self) -> pd.DataFrame:
        """One row per table: ``table``, ``rows``, ``columns`` (how many)."""
        rows = [
            (name, len(getattr(self, name)), len(getattr(self, name).columns))
            for name in self._TABLES
        ]
        return pd.DataFrame(rows, columns=["table", "rows", "columns"])

    def to_dict(self) -> dict[str, Any]:
        """The parameters and each table's size and column names (not the data)."""
        tables = {
            name: {"rows": len(getattr(self, name)), "columns": list(getattr(self, name).columns)}
            for name in self._TABLES
        }
        described: dict[str, Any] = {name: getattr(self, name) for name in self._PARAMETERS}
        return {str(k): v for k, v in plain(described | {"tables": tables}).items()}

    def _display(self) -> Display:
        header = tuple((name, str(getattr(self, name))) for name in self._PARAMETERS)
        return Display(self._TITLE, header, self.summary())
