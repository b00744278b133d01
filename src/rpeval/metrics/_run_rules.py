"""Run rules (Western Electric and Nelson) on standardised chart points.

Each rule reads ``z``: for every plotted point, its distance from the centre line in units
of that point's own sigma (so charts with varying limits are handled exactly). A rule
*fires at* the point that completes its pattern (Minitab's convention); the periods where
each rule fired are reported. Points without a value are skipped: rules look at
consecutive plotted points.

Rules (names are used in results, YAML and the CLI):

========================  ==========  =====  ===============================================
name                      WE          Nelson pattern
========================  ==========  =====  ===============================================
``beyond_limits``         1           1      one point beyond the k-sigma limits
``two_of_three_beyond_2``  2           5      2 of 3 in a row beyond 2σ, same side
``four_of_five_beyond_1``  3           6      4 of 5 in a row beyond 1σ, same side
``eight_same_side``       4           —      8 in a row on one side of the centre
``nine_same_side``        —           2      9 in a row on one side of the centre
``six_trending``          —           3      6 in a row steadily increasing or decreasing
``fourteen_alternating``  —           4      14 in a row alternating up and down
``fifteen_within_1``      —           7      15 in a row within 1σ, above and below centre
``eight_beyond_1``        —           8      8 in a row beyond 1σ, either side
========================  ==========  =====  ===============================================

>>> import numpy as np
>>> z = np.array([0.5, 3.2, 0.1, -0.2])
>>> evaluate_rules(z, z, ("beyond_limits",), 3.0)["beyond_limits"]
[1]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import numpy as np
from numpy.typing import NDArray

from rpeval.errors import SpecificationError

__all__ = ["RULES", "RULE_SETS", "RULE_TITLES", "evaluate_rules", "resolve_rules"]

Array = NDArray[np.float64]


def _window(flags: NDArray[np.bool_], length: int, needed: int) -> list[int]:
    """Indices ``i`` where at least ``needed`` of ``flags[i-length+1 .. i]`` are true."""
    fired = []
    for end in range(length - 1, len(flags)):
        if int(flags[end - length + 1 : end + 1].sum()) >= needed and flags[end]:
            fired.append(end)
    return fired


def _either_side(z: Array, length: int, needed: int, cut: float) -> list[int]:
    high = _window(z > cut, length, needed)
    low = _window(z < -cut, length, needed)
    return sorted(set(high) | set(low))


def _beyond_limits(z: Array, k: float) -> list[int]:
    return [int(i) for i in np.flatnonzero(np.abs(z) > k)]


def _same_side(length: int) -> Callable[[Array, float], list[int]]:
    def rule(z: Array, k: float) -> list[int]:
        return _either_side(z, length, length, 0.0)

    return rule


def _trending(z: Array, values: Array, length: int = 6) -> list[int]:
    steps = np.sign(np.diff(values))
    fired = []
    for end in range(length - 1, len(values)):
        window = steps[end - length + 1 : end]
        if window.size and (np.all(window > 0) or np.all(window < 0)):
            fired.append(end)
    return fired


def _alternating(values: Array, length: int = 14) -> list[int]:
    steps = np.sign(np.diff(values))
    fired = []
    for end in range(length - 1, len(values)):
        window = steps[end - length + 1 : end]
        if np.all(window != 0) and np.all(window[1:] * window[:-1] < 0):
            fired.append(end)
    return fired


def _run_of(flags: NDArray[np.bool_], length: int) -> list[int]:
    return _window(flags, length, length)


def _hugging(z: Array, length: int = 15) -> list[int]:
    """15 in a row within 1σ with points both above and below the centre (Nelson's
    "on either side"): a series sitting exactly on its centre line is not flagged."""
    inside = np.abs(z) < 1.0
    fired = []
    for end in range(length - 1, len(z)):
        window = z[end - length + 1 : end + 1]
        if inside[end - length + 1 : end + 1].all() and (window > 0).any() and (window < 0).any():
            fired.append(end)
    return fired


RULES: Final[dict[str, Callable[[Array, Array, float], list[int]]]] = {
    "beyond_limits": lambda z, v, k: _beyond_limits(z, k),
    "two_of_three_beyond_2": lambda z, v, k: _either_side(z, 3, 2, 2.0),
    "four_of_five_beyond_1": lambda z, v, k: _either_side(z, 5, 4, 1.0),
    "eight_same_side": lambda z, v, k: _same_side(8)(z, k),
    "nine_same_side": lambda z, v, k: _same_side(9)(z, k),
    "six_trending": lambda z, v, k: _trending(z, v),
    "fourteen_alternating": lambda z, v, k: _alternating(v),
    "fifteen_within_1": lambda z, v, k: _hugging(z),
    "eight_beyond_1": lambda z, v, k: _run_of(np.abs(z) > 1.0, 8),
}

RULE_TITLES: Final[dict[str, str]] = {
    "beyond_limits": "a point beyond the control limits (WE 1, Nelson 1)",
    "two_of_three_beyond_2": "2 of 3 beyond 2 sigma on one side (WE 2, Nelson 5)",
    "four_of_five_beyond_1": "4 of 5 beyond 1 sigma on one side (WE 3, Nelson 6)",
    "eight_same_side": "8 in a row on one side of the centre (WE 4)",
    "nine_same_side": "9 in a row on one side of the centre (Nelson 2)",
    "six_trending": "6 in a row steadily increasing or decreasing (Nelson 3)",
    "fourteen_alternating": "14 in a row alternating up and down (Nelson 4)",
    "fifteen_within_1": "15 in a row within 1 sigma (Nelson 7)",
    "eight_beyond_1": "8 in a row beyond 1 sigma, either side (Nelson 8)",
}

RULE_SETS: Final[dict[str, tuple[str, ...]]] = {
    "western_electric": (
        "beyond_limits",
        "two_of_three_beyond_2",
        "four_of_five_beyond_1",
        "eight_same_side",
    ),
    "nelson": (
        "beyond_limits",
        "nine_same_side",
        "six_trending",
        "fourteen_alternating",
        "two_of_three_beyond_2",
        "four_of_five_beyond_1",
        "fifteen_within_1",
        "eight_beyond_1",
    ),
    "limits": ("beyond_limits",),
}


def resolve_rules(rules: str | Sequence[str]) -> tuple[str, ...]:
    """Rule names from a set name (``"western_electric"``, ``"nelson"``, ``"limits"``),
    a rule name, or a list of either; unknown names are a SpecificationError."""
    items = [rules] if isinstance(rules, str) else list(rules)
    chosen: list[str] = []
    for item in items:
        names = RULE_SETS.get(item, (item,) if item in RULES else None)
        if names is None:
            known = ", ".join([*RULE_SETS, *RULES])
            raise SpecificationError(f"unknown run rule {item!r}", hint=f"choose from: {known}")
        chosen.extend(name for name in names if name not in chosen)
    return tuple(chosen)


def evaluate_rules(z: Array, values: Array, rules: Sequence[str], k: float) -> dict[str, list[int]]:
    """For each rule, the positions (in ``z``) of the points where it fired.

    NaN points are dropped before the rules look at runs; positions refer to ``z``."""
    keep = np.flatnonzero(np.isfinite(z) & np.isfinite(values))
    zs, vs = z[keep], values[keep]
    return {name: [int(keep[i]) for i in RULES[name](zs, vs, k)] for name in rules}
