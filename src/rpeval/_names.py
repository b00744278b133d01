"""Did-you-mean suggestions for a mistyped name (a column, a code, a metric, a key).

Examples
--------
>>> did_you_mean("felt_heared", ["felt_heard", "apology"])
" (did you mean 'felt_heard'?)"
>>> did_you_mean("zzz", ["felt_heard"])
''
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean"]


def closest(name: str, known: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The known name most like `name` (difflib's ratio >= `cutoff`), or ``None``."""
    found = difflib.get_close_matches(name, list(known), n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(name: str, known: Iterable[str], *, cutoff: float = 0.6) -> str:
    """``" (did you mean 'x'?)"`` for the closest known name, or ``""`` when none is close."""
    found = closest(name, known, cutoff=cutoff)
    return f" (did you mean {found!r}?)" if found is not None else ""
