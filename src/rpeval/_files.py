"""Reading CSV and Parquet files for the command line (typed dates and flags)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from rpeval.errors import DataError

__all__ = ["read_table"]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00:00(?:\.0+)?)?$")
_BOOLEAN = {"true": True, "false": False}


def _typed(column: pd.Series) -> pd.Series:
    """CSV text to dates or nullable booleans where every value looks like one."""
    if column.dtype != object and str(column.dtype) not in {"str", "string"}:
        return column
    present = column.dropna().astype(str)
    if present.empty:
        return column
    if present.map(lambda text: _ISO_DATE.match(text) is not None).all():
        return pd.to_datetime(column, format="mixed")
    lowered = present.str.lower()
    if lowered.isin(list(_BOOLEAN)).all():
        return column.map(lambda v: _BOOLEAN[str(v).lower()] if pd.notna(v) else pd.NA).astype(
            "boolean"
        )
    return column


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file; ISO date and true/false text columns are typed."""
    file = Path(path)
    suffix = file.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(file)
        if suffix in {".csv", ".txt"}:
            frame = pd.read_csv(file)
            return frame.apply(_typed)
    except FileNotFoundError:
        raise DataError(f"no such data file: {file}", hint="check the --data path") from None
    except ImportError as error:
        raise DataError(
            f"cannot read {file}: Parquet needs pyarrow ({error})",
            hint='pip install "rpeval[parquet]"',
        ) from error
    except (OSError, ValueError) as error:
        raise DataError(f"cannot read {file}: {error}") from error
    raise DataError(
        f"cannot read {file}: expected a .csv or .parquet file", hint="convert the data first"
    )
