"""Reading CSV and Parquet files for the command line (typed dates and flags).

A CSV column whose every value is text shaped like a date (ISO 8601, with or without a
time of day, or one of the configured formats) is read as dates by :mod:`rpeval._dates`,
the reader every date of rpeval goes through; a value in such a column that is not a real
date (``2022-02-30``) is an error naming the file, column and line. ``true``/``false``
columns become nullable booleans. A file that is not comma-separated or not UTF-8 is an
error that says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from rpeval._dates import date_series, text_is_dates
from rpeval._formula import show_values
from rpeval.errors import DataError

__all__ = ["read_table"]

_BOOLEAN = {"true": True, "false": False}
_OTHER_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _typed(
    frame: pd.DataFrame,
    column: str,
    file: Path,
    formats: tuple[str, ...],
    booleans: Mapping[str, bool] = _BOOLEAN,
) -> pd.Series:
    """CSV text to dates or nullable booleans where every value looks like one (``booleans``
    maps lower-case, stripped text to True/False)."""
    values = frame[column]
    if values.dtype != object and str(values.dtype) not in {"str", "string"}:
        return values
    present = values.dropna().astype(str)
    if present.empty:
        return values
    if text_is_dates(values, formats):
        try:
            return date_series(frame, column, arg="", caller="read_table", formats=formats)
        except DataError as error:
            parsed = values.map(lambda v: _readable(frame, column, v, formats))
            bad = values.notna() & ~parsed
            first = bad.to_numpy().nonzero()[0][0] if bad.any() else 0
            raise DataError(
                f"{file}: column {column!r} holds dates, but {int(bad.sum())} of its values "
                f"are not valid dates; the first is {show_values([values.iloc[first]])} on "
                f"line {first + 2}",
                hint=error.hint,
            ) from None
    lowered = present.str.strip().str.lower()
    if lowered.isin(list(booleans)).all():
        return values.map(
            lambda v: booleans[str(v).strip().lower()] if pd.notna(v) else pd.NA
        ).astype("boolean")
    return values


def _readable(frame: pd.DataFrame, column: str, value: object, formats: tuple[str, ...]) -> bool:
    if pd.isna(value):  # type: ignore[call-overload]
        return True
    one = pd.DataFrame({column: [value]})
    try:
        date_series(one, column, arg="", caller="read_table", formats=formats)
    except DataError:
        return False
    return True


def _one_column_hint(frame: pd.DataFrame, file: Path) -> None:
    """A CSV read as one column whose name holds another separator: say so."""
    if len(frame.columns) != 1:
        return
    header = str(frame.columns[0])
    for separator, name in _OTHER_SEPARATORS.items():
        if separator in header:
            raise DataError(
                f"{file}: the file has one column named {header[:60]!r}: its fields seem to "
                f"be separated by {name}, but rpeval reads comma-separated files: save it "
                "as comma-separated CSV (UTF-8) or as Parquet",
                hint="in a spreadsheet program, 'CSV UTF-8 (comma delimited)'",
            )


def read_table(
    path: str | Path,
    *,
    date_formats: tuple[str, ...] = (),
    booleans: Mapping[str, bool] | None = None,
) -> pd.DataFrame:
    """Read a CSV or Parquet file; date and true/false text columns of a CSV are typed.

    ``date_formats`` are strftime formats for date text that is not ISO 8601; ``booleans``
    maps flag text (lower case, e.g. ``{"yes": True, "no": False}``) to True/False, by
    default ``true``/``false`` only.
    """
    flags = dict(_BOOLEAN) if booleans is None else {k.lower(): v for k, v in booleans.items()}
    file = Path(path)
    suffix = file.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(file)
        if suffix in {".csv", ".txt"}:
            frame = pd.read_csv(file, encoding="utf-8")
            _one_column_hint(frame, file)
            typed = {
                str(c): _typed(frame, str(c), file, date_formats, flags) for c in frame.columns
            }
            return frame.assign(**typed) if typed else frame
    except DataError:
        raise
    except FileNotFoundError:
        raise DataError(f"no such data file: {file}", hint="check the path") from None
    except IsADirectoryError:
        raise DataError(f"{file} is a directory, not a data file", hint="check the path") from None
    except PermissionError:
        raise DataError(f"cannot read {file}: permission denied", hint="check the path") from None
    except UnicodeDecodeError as error:
        raise DataError(
            f"{file} is not UTF-8 text ({error.reason})",
            hint="save it as UTF-8, e.g. 'CSV UTF-8' in a spreadsheet program",
        ) from None
    except ImportError as error:
        raise DataError(
            f"cannot read {file}: Parquet needs pyarrow ({error})",
            hint='pip install "rpeval[parquet]"',
        ) from error
    except pd.errors.EmptyDataError:
        raise DataError(f"{file} is empty", hint="a CSV file starts with a header line") from None
    except (OSError, ValueError) as error:
        raise DataError(f"cannot read {file}: {error}") from error
    raise DataError(
        f"cannot read {file}: expected a .csv or .parquet file", hint="convert the data first"
    )
