"""Run independent pieces of work on a few threads (numpy sorts and our numba kernels
release the GIL), keeping results in input order so the output never depends on timing."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["n_workers", "thread_map"]

T = TypeVar("T")
R = TypeVar("R")


def n_workers() -> int:
    """CPUs this process may use, at most 4 (the pieces are memory-bound beyond that)."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        available = os.cpu_count() or 1
    return max(1, min(4, available))


def thread_map(func: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[func(item) for item in items]``, on up to :func:`n_workers` threads.

    Examples
    --------
    >>> thread_map(lambda x: x * x, range(5))
    [0, 1, 4, 9, 16]
    """
    work = list(items)
    workers = min(n_workers(), len(work))
    if workers <= 1:
        return [func(item) for item in work]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(func, work))
