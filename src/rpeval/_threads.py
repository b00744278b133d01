"""The one thread pool of rpeval: independent pieces of work (numpy sorts and our numba
kernels release the GIL) run on a shared, lazily started pool; results come back in
input order, so the output never depends on timing.

Examples
--------
>>> thread_map(lambda x: x * x, range(5))
[0, 1, 4, 9, 16]
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["MIN_THREADED_ROWS", "n_workers", "run_tasks", "shared_pool", "thread_map"]

MIN_THREADED_ROWS = 100_000  # below this, per-column work is done in the calling thread
POOL_THREADS = 8  # threads of the shared pool; callers bound their own concurrency

T = TypeVar("T")
R = TypeVar("R")
_POOL: list[ThreadPoolExecutor] = []
_LOCK = threading.Lock()


def _forget_pool() -> None:  # a forked child has no worker threads: start a new pool
    _POOL.clear()


if hasattr(os, "register_at_fork"):  # POSIX only; there is no fork elsewhere
    os.register_at_fork(after_in_child=_forget_pool)


def shared_pool() -> ThreadPoolExecutor:
    """The process's pool (started on first use, again after a fork). Work submitted to
    it must not wait on other work submitted to it."""
    with _LOCK:
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(max_workers=POOL_THREADS, thread_name_prefix="rpeval"))
        return _POOL[0]


def run_tasks(tasks: Sequence[tuple[Any, ...]], func: Callable[..., None]) -> None:
    """``func(*task)`` for every task: the first in this thread, the others meanwhile on
    the shared pool (one thread fewer to wake, which can take milliseconds). For fixed
    parts of one job, each writing its own output: the results never depend on timing.

    >>> out = [0, 0, 0]
    >>> run_tasks([(0,), (1,), (2,)], lambda k: out.__setitem__(k, k * k))
    >>> out
    [0, 1, 4]
    """
    others = [shared_pool().submit(func, *task) for task in tasks[1:]]
    if tasks:
        func(*tasks[0])
    for future in others:
        future.result()


def n_workers() -> int:
    """CPUs this process may use, at most 4 (the pieces are memory-bound beyond that)."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        available = os.cpu_count() or 1
    return max(1, min(4, available))


def thread_map(func: Callable[[T], R], items: Iterable[T], *, threads: bool = True) -> list[R]:
    """``[func(item) for item in items]``, on up to :func:`n_workers` threads of the
    shared pool (in this thread when ``threads`` is false: small inputs are not worth it).
    Each worker takes the next item when it is free; results keep the input order."""
    work = list(items)
    workers = min(n_workers(), len(work)) if threads else 1
    if workers <= 1:
        return [func(item) for item in work]
    results: list[R | None] = [None] * len(work)
    queue = iter(enumerate(work))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                step = next(queue, None)
            if step is None:
                return
            results[step[0]] = func(step[1])

    for future in [shared_pool().submit(worker) for _ in range(workers)]:
        future.result()
    return results  # type: ignore[return-value]  # every slot was filled
