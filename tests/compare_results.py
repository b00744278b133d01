"""Compare two ``results.json`` files from ``rpeval demo``/``evaluate`` made in different
environments (``make cross-venv``: the pandas 3 and pandas 2.2 venvs).

Everything must be equal: the same keys, lists, strings and flags, and numbers to 1e-12
(relative, or absolute near zero). Only ``versions`` and ``timings`` (stage wall times)
may differ.

Usage: ``python tests/compare_results.py A.json B.json`` (exit 0 when equal, 1 otherwise).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

TOLERANCE = 1e-12
IGNORED = frozenset({"versions", "timings"})


def differences(a: Any, b: Any, path: str = "$") -> list[str]:
    """Where ``a`` and ``b`` differ, as JSON paths with both values.

    Examples
    --------
    >>> differences({"x": [1.0, "a"]}, {"x": [1.0 + 1e-15, "a"]})
    []
    >>> differences({"x": 1.0}, {"x": 1.1})
    ['$.x: 1.0 != 1.1']
    >>> differences({"x": [1]}, {"x": {"a": 1}})
    ['$.x: list != dict']
    """
    containers = (dict, list)
    if (isinstance(a, containers) or isinstance(b, containers)) and type(a) is not type(b):
        return [f"{path}: {type(a).__name__} != {type(b).__name__}"]
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(set(a) ^ set(b))} in one file only"]
        pairs = [(a[k], b[k], f"{path}.{k}") for k in a if k not in IGNORED]
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} != {len(b)} items"]
        pairs = [(x, y, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b, strict=True))]
    else:
        pairs = []
    if pairs or isinstance(a, dict | list):
        return [d for x, y, where in pairs for d in differences(x, y, where)]
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        if math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
            return []
        return [f"{path}: {a!r} != {b!r}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def count_numbers(value: Any) -> int:
    """How many numbers a JSON document holds (for the summary line)."""
    if isinstance(value, dict):
        return sum(count_numbers(v) for k, v in value.items() if k not in IGNORED)
    if isinstance(value, list):
        return sum(count_numbers(v) for v in value)
    return int(isinstance(value, int | float) and not isinstance(value, bool))


def main(argv: list[str]) -> int:
    first, second = (json.loads(Path(p).read_text(encoding="utf-8")) for p in argv)
    found = differences(first, second)
    for line in found[:20]:
        print(line)
    if found:
        print(f"results differ in {len(found)} places: {argv[0]} vs {argv[1]}")
        return 1
    print(f"results equal across environments: {count_numbers(first)} numbers to {TOLERANCE:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
