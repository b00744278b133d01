"""Load the R reference outputs committed under tests/reference/ (tests never run R)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

REFERENCE = Path(__file__).parent / "reference"


@cache
def reference(name: str) -> dict[str, Any]:
    """The JSON written by ``tests/reference/<name>.R``."""
    with (REFERENCE / f"{name}.json").open() as handle:
        result: dict[str, Any] = json.load(handle)
    return result


def reference_csv(name: str) -> pd.DataFrame:
    """A data file written by one of the R scripts."""
    return pd.read_csv(REFERENCE / name)
