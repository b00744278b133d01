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
from rpeval.report._metric_rows import stack_rows

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
    add the comparison file, normalise the categories and set the extract date.

    Every file is read and checked before anything else happens, and the problems of all
    of them (unreadable files, bad dates, missing columns) are reported together, each
    with its file and column."""
    flags = config.booleans.mapping()
    problems: list[str] = []

    def read(relative: str | None, table: str) -> pd.DataFrame | None:
        if relative is None:
            return None
        try:
            frame = read_table(base / relative, date_formats=formats, booleans=flags)
        except DataError as error:
            problems.append(f"{relative}: {error.message}")
            return None
        renames = getattr(config.columns, table)
        return frame.rename(columns={theirs: ours for ours, theirs in renames.items()})

    files = {
        "people": (config.data.people, read(config.data.people, "people")),
        "comparison": (
            config.comparison.file if config.comparison else None,
            read(config.comparison.file, "people") if config.comparison else None,
        ),
        "arrests": (config.data.arrests, read(config.data.arrests, "arrests"))
        if config.events is not None
        else (None, None),
        "custody": (config.data.custody, read(config.data.custody, "custody")),
        "cases": (config.data.cases, read(config.data.cases, "cases")),
        "officers": (config.data.officers, read(config.data.officers, "officers")),
    }
    for table, (relative, frame) in files.items():
        if frame is not None:
            problems.extend(_missing_columns(config, table, relative, frame))
    if problems:
        raise DataError(
            f"the data do not match the configuration ({len(problems)} problem"
            f"{'s' if len(problems) > 1 else ''}):\n  " + "\n  ".join(problems),
            hint="fix the files or the configuration's columns: (rpeval's name: yours)",
        )
    people = files["people"][1]
    assert people is not None
    pool = files["comparison"][1]
    if pool is not None:
        people = _with_comparison(people, pool, config)
    for column, mapping in config.normalize.items():
        people[column] = normalized_labels(people[column], mapping)
    if config.end_of_data is not None:
        people[config.end] = pd.Timestamp(config.end_of_data)
    return LoadedTables(
        people,
        files["arrests"][1],
        files["custody"][1],
        files["cases"][1],
        files["officers"][1],
    )


def _required(config: EvaluationConfig, table: str) -> dict[str, str]:
    """Columns a table must have after renaming, with what they are for."""
    from rpeval._frames import resolve_covariates

    if table in {"people", "comparison"}:
        spec = resolve_covariates(config.covariates, arg="covariates", caller="evaluate")
        needed = {config.id: "id", config.entry: "entry"}
        needed.update(dict.fromkeys(spec.columns, "covariates"))
        needed.update(dict.fromkeys(config.normalize, "normalize"))
        needed.update(dict.fromkeys(config.competing, "competing"))
        if config.end_of_data is None:
            needed[config.end] = "end"
        if config.outcome is not None:
            needed[config.outcome] = "outcome"
        if table == "people" or config.comparison is None:
            needed[config.treatment] = "treatment"
        return needed
    if table == "arrests":
        assert config.events is not None
        return {config.id: "id", config.events.date: "events.date"}
    if table == "custody":
        return {config.id: "id", "custody_start": "custody", "custody_end": "custody"}
    return {}


def _missing_columns(
    config: EvaluationConfig, table: str, relative: str | None, frame: pd.DataFrame
) -> list[str]:
    found = []
    for column, purpose in _required(config, table).items():
        if column not in frame.columns:
            found.append(
                f"{relative}: no column {column!r} (for {purpose}); its columns are "
                f"{', '.join(map(str, frame.columns))}"
            )
    if config.end_of_data is not None and table == "people" and config.end in frame.columns:
        found.append(
            f"{relative}: end_of_data is given, but the file has an end column {config.end!r}"
        )
    return found


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
    combined = stack_rows([people, pool])
    duplicated = combined[config.id].duplicated()
    if duplicated.any():
        raise DataError(
            f"comparison: {int(duplicated.sum())} ids of {config.comparison.file} are also in "
            f"the people file (e.g. {combined.loc[duplicated, config.id].iloc[0]!r})",
            hint="a person is either a participant or in the comparison pool",
        )
    return combined
