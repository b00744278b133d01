"""Option checks shared by the pillars: conf_level, choices, counts, random_state, name lists,
and renamed arguments and configuration keys.

Examples
--------
>>> check_conf_level(0.9, caller="krippendorff_alpha")
0.9
>>> check_choice("ordinal", ["nominal", "ordinal"], arg="level", caller="krippendorff_alpha")
'ordinal'
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from rpeval.errors import SpecificationError

__all__ = [
    "check_choice",
    "check_conf_level",
    "check_count",
    "column_list",
    "make_rng",
    "renamed",
    "renamed_key",
]


def check_conf_level(conf_level: object, *, caller: str) -> float:
    """``conf_level`` as a float strictly between 0 and 1, else :class:`SpecificationError`."""
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
    """``value`` when it is one of ``choices``; raise naming them otherwise."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise SpecificationError(
            f"{caller}(): {arg}={value!r} is not an option", hint=f"use one of {listed}"
        )
    return value


def check_count(value: object, *, arg: str, caller: str, minimum: int = 0) -> int:
    """A whole number >= `minimum` (``suppress_below``, ``n_bootstrap``)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise SpecificationError(
            f"{caller}(): {arg}={value!r} must be a whole number >= {minimum}",
            hint=f"e.g. {arg}={max(minimum, 10)}",
        )
    return int(value)


def make_rng(random_state: object, *, caller: str) -> np.random.Generator:
    """``numpy.random.default_rng(random_state)`` for ``None``, an int or a Generator."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or (
        isinstance(random_state, int | np.integer) and not isinstance(random_state, bool)
    ):
        return np.random.default_rng(None if random_state is None else int(random_state))
    raise SpecificationError(
        f"{caller}(): random_state={random_state!r} must be None, an integer or a numpy Generator",
        hint="e.g. random_state=0 for reproducible draws",
    )


def column_list(columns: object, *, arg: str, caller: str, allow_none: bool = True) -> list[str]:
    """One column name or a list of names as a list without repeats (empty for ``None``).

    Examples
    --------
    >>> column_list("age", arg="by", caller="svymean")
    ['age']
    >>> column_list(["a", "b", "a"], arg="by", caller="svymean")
    ['a', 'b']
    """
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


def renamed(value: object, old_value: object, *, new: str, old: str, caller: str) -> object:
    """`value`, or `old_value` when the caller used the deprecated argument name `old`
    (``None`` means not given): a :class:`FutureWarning` names `new`; both at once raise.

    Call it from the public function itself (the warning points at the user's line).

    Examples
    --------
    >>> renamed("linear", None, new="weighting", old="weights", caller="cohen_kappa")
    'linear'
    """
    if old_value is None:
        return value
    if value is not None:
        raise SpecificationError(
            f"{caller}(): give {new}= only ({old}= is its deprecated old name)",
            hint=f"drop {old}={old_value!r}",
        )
    warnings.warn(
        f"{caller}(): {old}= is deprecated; use {new}= (same values)", FutureWarning, stacklevel=3
    )
    return old_value


def renamed_key(data: object, *, new: str, old: str, where: str) -> object:
    """A configuration block (a mapping) with the deprecated key `old` moved to `new`:
    a :class:`FutureWarning` names `new`; both keys at once raise. Anything else is
    returned as is (a pydantic ``model_validator(mode="before")`` hands it on).

    Examples
    --------
    >>> renamed_key({"rule": "any"}, new="n_bootstrap", old="n_boot", where="voices")
    {'rule': 'any'}
    """
    if not isinstance(data, dict) or old not in data:
        return data
    if new in data:
        raise SpecificationError(
            f"{where}: give `{new}` only (`{old}` is its deprecated old name)",
            hint=f"drop `{old}: {data[old]!r}`",
        )
    warnings.warn(
        f"{where}: the key `{old}` is deprecated; use `{new}` (same values)",
        FutureWarning,
        stacklevel=2,
    )
    return {new if key == old else key: value for key, value in data.items()}
