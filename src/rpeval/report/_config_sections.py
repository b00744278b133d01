"""The optional report sections of a configuration: their data files and YAML blocks,
turned into the arguments of :func:`~rpeval.report.evaluate`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rpeval._files import read_table
from rpeval.errors import DataError, SpecificationError
from rpeval.report.sections import DATA_TABLES, EVALUATE_ARGUMENTS, SECTION_MODULES, section_module

if TYPE_CHECKING:
    from rpeval.report.config import EvaluationConfig

__all__ = ["section_arguments"]


def section_arguments(
    config: EvaluationConfig, base: Path, formats: tuple[str, ...]
) -> dict[str, Any]:
    """``{evaluate() argument: value}`` for every section the configuration asks for: a
    section is on when its YAML block or its data file is given."""
    flags = config.booleans.mapping()
    arguments: dict[str, Any] = {}
    for key in SECTION_MODULES:
        block = getattr(config, key)
        relative = getattr(config.data, DATA_TABLES[key]) if key in DATA_TABLES else None
        if block is None and relative is None:
            continue
        if key in DATA_TABLES and relative is None:
            raise SpecificationError(
                f"the `{key}:` section reads data.{DATA_TABLES[key]}, which is not given",
                hint=f"add `{DATA_TABLES[key]}: <file>` under `data:`",
            )
        module = section_module(key)
        settings = block if block is not None else module.Settings()
        if hasattr(module, "resolve_paths"):  # files named in the block, from the config's folder
            settings = module.resolve_paths(settings, base)
        table = None
        if relative is not None:
            try:
                table = read_table(base / relative, date_formats=formats, booleans=flags)
            except DataError as error:
                raise DataError(f"{relative}: {error.message}", hint=error.hint) from error
        arguments[EVALUATE_ARGUMENTS[key]] = module.from_config(settings, table)
    return arguments
