"""Plain JSON values for every result's ``to_dict()``: one rule for numpy, pandas and NaN.

A numpy scalar becomes the Python number or bool it holds; NaN, ``pd.NA`` and ``NaT``
become ``None`` (JSON has no NaN); a timestamp becomes ISO 8601 text and a period its text
(``"2024-03"``); tuples and numpy arrays become lists; anything else is returned as it is.

Examples
--------
>>> import json
>>> json.dumps(records(pd.DataFrame({"n": [1, 2], "p": [0.5, np.nan]})))
'[{"n": 1, "p": 0.5}, {"n": 2, "p": null}]'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["plain", "plain_value", "records"]


def plain_value(value: Any) -> Any:
    """One scalar as a JSON-ready Python value (see the module notes).

    Examples
    --------
    >>> plain_value(np.int64(3)), plain_value(np.float64("nan")), plain_value(pd.NaT)
    (3, None, None)
    >>> plain_value(pd.Timestamp("2024-03-01")), plain_value(pd.Period("2024-03", "M"))
    ('2024-03-01T00:00:00', '2024-03')
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.Period):
        return str(value)
    return value


def plain(value: Any) -> Any:
    """`value` with every scalar inside mappings, lists, tuples and arrays made plain.

    Examples
    --------
    >>> plain({"a": (np.float64(1.5), np.nan), "b": np.array([1, 2])})
    {'a': [1.5, None], 'b': [1, 2]}
    """
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain(item) for item in value]
    return plain_value(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of `frame` as JSON-ready dictionaries keyed by column name."""
    columns = [str(name) for name in frame.columns]
    return [
        {name: plain_value(value) for name, value in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]
