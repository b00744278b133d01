"""The tables a configuration names, made to look like the data ``evaluate`` expects.

Real exports differ from the canonical tables in small, dangerous ways: other column names
per file, flags written ``Yes``/``No``, a category spelled ``M``, ``Male`` and ``male ``, the
comparison pool in a file of its own, no column for the extract date. The configuration says
how each is fixed; this module applies it, once, before any computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from rpeval._files import read_table
from rpeval.errors import DataError

if TYPE_CHECKING:
    from rpeval.report.config import EvaluationConfig

__all__ = ["LoadedTables", "load_tables", "normalized_labels"]


@dataclass(frozen=True)
class LoadedTables:
    """The people table (participants and comparison pool) and the other tables."""

    people: pd.DataFrame
    arrests: pd.DataFrame | None
    custody: pd.DataFrame | None
    cases: pd.DataFrame | None
    officers: pd.DataFrame | None


def load_tables(config: EvaluationConfig, base: Path, formats: tuple[str, ...]) -> LoadedTables:
    """Read every table of ``config`` (paths relative to ``base``), rename its columns,
    add the comparison file, normalise the categories and set the extract date."""
    flags = config.booleans.mapping()

    def read(relative: str | None, table: str) -> pd.DataFrame | None:
        if relative is None:
            return None
        frame = read_table(base / relative, date_formats=formats, booleans=flags)
        renames = getattr(config.columns, table)
        return frame.rename(columns={theirs: ours for ours, theirs in renames.items()})

    people = read(config.data.people, "people")
    assert people is not None
    if config.comparison is not None:
        pool = read(config.comparison.file, "people")
        assert pool is not None
        people = _with_comparison(people, pool, config)
    for column, mapping in config.normalize.items():
        if column not in people:
            raise DataError(
                f"normalize: {column!r} is not a column of the people table",
                hint=f"columns are {', '.join(map(str, people.columns))}",
            )
        people[column] = normalized_labels(people[column], mapping)
    if config.end_of_data is not None:
        if config.end in people:
            raise DataError(
                f"end_of_data is given, but the people table has an end column {config.end!r}",
                hint="give one of them",
            )
        people[config.end] = pd.Timestamp(config.end_of_data)
    return LoadedTables(
        people,
        read(config.data.arrests, "arrests") if config.events is not None else None,
        read(config.data.custody, "custody"),
        read(config.data.cases, "cases"),
        read(config.data.officers, "officers"),
    )


def normalized_labels(values: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """Text labels with the spaces around them stripped and one letter case, then mapped
    (the mapping's keys are normalised the same way); other values are left alone.

    Examples
    --------
    >>> labels = pd.Series(["M", "Male", "male ", "F", None, 3])
    >>> normalized_labels(labels, {"m": "male", "f": "female"}).tolist()
    ['male', 'male', 'male', 'female', None, 3]
    """
    lookup = {key.strip().casefold(): value for key, value in mapping.items()}

    def clean(value: object) -> object:
        if not isinstance(value, str):
            return value
        key = value.strip().casefold()
        return lookup.get(key, key)

    return values.map(clean).astype(object)


def _with_comparison(
    people: pd.DataFrame, pool: pd.DataFrame, config: EvaluationConfig
) -> pd.DataFrame:
    """Participants and the comparison file in one table, with a ``source`` column."""
    assert config.comparison is not None
    treatment = config.treatment
    if treatment not in pool:
        label = config.comparison.label
        if label is None:
            is_flag = pd.api.types.is_bool_dtype(people[treatment]) if treatment in people else True
            label = False if is_flag else "comparison"
        pool = pool.assign(**{treatment: label})
    people = people.assign(source=people.get("source", "program"))
    pool = pool.assign(source=pool.get("source", config.comparison.source))
    combined = pd.concat([people, pool], ignore_index=True, sort=False)
    duplicated = combined[config.id].duplicated()
    if duplicated.any():
        raise DataError(
            f"comparison: {int(duplicated.sum())} ids of {config.comparison.file} are also in "
            f"the people file (e.g. {combined.loc[duplicated, config.id].iloc[0]!r})",
            hint="a person is either a participant or in the comparison pool",
        )
    return combined
