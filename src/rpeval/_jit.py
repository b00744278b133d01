"""A typed wrapper around ``numba.njit`` for the few sequential kernels numpy cannot vectorise.

Kernels are compiled at their first call, not at import: importing a pillar does not
import numba (about half a second). The machine code is cached on disk, so a kernel is
compiled once per installation and later processes load it: numba writes the cache next to
the source when the package directory is writable, else under the user's cache directory
(``$XDG_CACHE_HOME/numba`` or ``~/.cache/numba``), or wherever ``NUMBA_CACHE_DIR`` says.
Where no directory is writable the kernels are compiled in each process.
"""

from __future__ import annotations

import threading
import types
from collections.abc import Callable
from typing import Any, TypeVar, cast

__all__ = ["jit"]

F = TypeVar("F", bound=Callable[..., Any])

_LOCK = threading.RLock()


class _Kernel:
    """A kernel compiled by numba at its first call (see the module docstring)."""

    def __init__(self, func: Callable[..., Any], cache: bool) -> None:
        self.py_func = func
        self.cache = cache
        self.dispatcher: Callable[..., Any] | None = None
        self.__name__ = func.__name__
        self.__qualname__ = func.__qualname__
        self.__doc__ = func.__doc__
        self.__module__ = func.__module__

    def __call__(self, *args: Any) -> Any:
        dispatcher = self.dispatcher
        if dispatcher is None:
            dispatcher = self.compiled()
        return dispatcher(*args)

    def compiled(self) -> Callable[..., Any]:
        """The numba dispatcher, created (with the kernels this one calls) on first use."""
        with _LOCK:
            if self.dispatcher is None:
                self.dispatcher = _compile(self)
            return self.dispatcher


def _called_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _called_names(const)
    return names


def _compile(kernel: _Kernel) -> Callable[..., Any]:
    import numba

    func = kernel.py_func
    namespace = func.__globals__
    names = _called_names(func.__code__)
    # numba resolves the kernels this one calls from its globals when it compiles: give it
    # their dispatchers (also those read as attributes of an imported module).
    for name in names:
        value = namespace.get(name)
        if isinstance(value, _Kernel) and value is not kernel:
            namespace[name] = value.compiled()
        elif isinstance(value, types.ModuleType):
            for attr in names:
                inner = getattr(value, attr, None)
                if isinstance(inner, _Kernel) and inner is not kernel:
                    setattr(value, attr, inner.compiled())
    try:
        dispatcher = numba.njit(cache=kernel.cache, nogil=True)(func)
    except RuntimeError:  # "cannot cache function": no writable cache directory anywhere
        dispatcher = numba.njit(cache=False, nogil=True)(func)
    if namespace.get(func.__name__) is kernel:
        namespace[func.__name__] = dispatcher  # recursion, and callers in its own module
    return cast(Callable[..., Any], dispatcher)


def jit(func: F, *, cache: bool = True) -> F:
    """Compile ``func`` with numba in nopython mode at its first call, caching the code on disk.

    Examples
    --------
    >>> def add(a: float, b: float) -> float:
    ...     return a + b
    >>> jit(add, cache=False)(1.0, 2.0)
    3.0
    """
    return cast(F, _Kernel(func, cache))
