"""A typed wrapper around ``numba.njit`` for the few sequential kernels numpy cannot vectorise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

__all__ = ["jit"]

F = TypeVar("F", bound=Callable[..., Any])


def jit(func: F, *, cache: bool = True) -> F:
    """Compile ``func`` with numba in nopython mode, caching the machine code on disk.

    Examples
    --------
    >>> def add(a: float, b: float) -> float:
    ...     return a + b
    >>> jit(add, cache=False)(1.0, 2.0)
    3.0
    """
    import numba

    return cast(F, numba.njit(cache=cache, nogil=True)(func))
