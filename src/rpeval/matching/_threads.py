"""Run independent pieces of work on a few threads (numpy sorts and our numba kernels
release the GIL), keeping results in input order so the output never depends on timing."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["MIN_THREADED_ROWS", "n_workers", "thread_map"]

MIN_THREADED_ROWS = 100_000  # below this, per-column work is done in the calling thread

T = TypeVar("T")
R = TypeVar("R")


def n_workers() -> int:
    """CPUs this process may use, at most 4 (the pieces are memory-bound beyond that)."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        available = os.cpu_count() or 1
    return max(1, min(4, available))


def thread_map(func: Callable[[T], R], items: Iterable[T], *, threads: bool = True) -> list[R]:
    """``[func(item) for item in items]``, on up to :func:`n_workers` threads (in this
    thread when ``threads`` is false: small inputs are not worth a pool).

    Examples
    --------
    >>> thread_map(lambda x: x * x, range(5))
    [0, 1, 4, 9, 16]
    """
    work = list(items)
    workers = min(n_workers(), len(work)) if threads else 1
    if workers <= 1:
        return [func(item) for item in work]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(func, work))
