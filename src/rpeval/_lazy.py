"""Heavy scipy submodules imported at first use, so that importing a pillar stays fast.

``from rpeval._lazy import stats`` gives a stand-in for ``scipy.stats`` that imports the
real module the first time one of its attributes is read; type checkers see the real
module. statsmodels and matplotlib are imported inside the functions that use them.

Examples
--------
>>> from rpeval._lazy import special
>>> float(special.expit(0.0))
0.5
"""

from __future__ import annotations

import importlib
import threading
import types
from typing import TYPE_CHECKING, Any

__all__ = ["LazyModule", "linalg", "optimize", "sparse", "special", "stats"]

_LOCK = threading.Lock()


class LazyModule(types.ModuleType):
    """A module that imports ``target`` when one of its attributes is first read.

    Examples
    --------
    >>> LazyModule("math").sqrt(4.0)
    2.0
    """

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.__dict__["_lazy_target"] = target

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        with _LOCK:
            module = importlib.import_module(self.__dict__["_lazy_target"])
            # Later reads find the attributes in our own namespace, without this method.
            self.__dict__.update(
                {k: v for k, v in vars(module).items() if k not in ("__name__", "__spec__")}
            )
        return getattr(module, name)

    def __repr__(self) -> str:
        return f"<lazy module {self.__dict__['_lazy_target']!r}>"


if TYPE_CHECKING:
    from scipy import linalg, optimize, sparse, special, stats
else:
    linalg = LazyModule("scipy.linalg")
    optimize = LazyModule("scipy.optimize")
    sparse = LazyModule("scipy.sparse")
    special = LazyModule("scipy.special")
    stats = LazyModule("scipy.stats")
