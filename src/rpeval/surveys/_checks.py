"""Option checks of the survey pillar: confidence level and choices from a fixed list."""

from __future__ import annotations

from collections.abc import Sequence

from rpeval.errors import SpecificationError

__all__ = ["check_choice", "check_conf_level", "column_list"]


def check_conf_level(conf_level: object, *, caller: str) -> float:
    """Return ``conf_level`` as a float, or raise when it is not strictly in (0, 1)."""
    if (
        isinstance(conf_level, bool)
        or not isinstance(conf_level, int | float)
        or not 0.0 < float(conf_level) < 1.0
    ):
        raise SpecificationError(
            f"{caller}(): conf_level={conf_level!r} must be a number strictly between 0 and 1",
            hint="e.g. conf_level=0.95",
        )
    return float(conf_level)


def check_choice(value: object, choices: Sequence[str], *, arg: str, caller: str) -> str:
    """Return ``value`` when it is one of ``choices``; raise naming them otherwise."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise SpecificationError(
            f"{caller}(): {arg}={value!r} is not an option", hint=f"use one of {listed}"
        )
    return value


def column_list(columns: object, *, arg: str, caller: str, allow_none: bool = True) -> list[str]:
    """One column name or a list of names as a list (empty for ``None``)."""
    if columns is None and allow_none:
        return []
    names = [columns] if isinstance(columns, str) else columns
    if not isinstance(names, list | tuple) or not names:
        raise SpecificationError(
            f"{caller}(): `{arg}` must be a column name or a non-empty list of names, "
            f"got {columns!r}"
        )
    for name in names:
        if not isinstance(name, str):
            raise SpecificationError(
                f"{caller}(): `{arg}` must name columns with strings, got {name!r}"
            )
    return list(dict.fromkeys(names))
