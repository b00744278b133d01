"""Keep ``benchmarks/coverage`` from passing for the ``coverage`` package.

Python puts a script's folder first on ``sys.path``; from there ``benchmarks/coverage``
(the interval study, a folder without ``__init__.py``) is found by ``import coverage`` as a
namespace package when the real package is not installed, as in the runtime venv that
``make bench`` and ``make bench-speed`` use. numba imports ``coverage`` when it can and then
fails on the folder (``module 'coverage' has no attribute 'types'``). A script run from
``benchmarks/`` imports this module before anything imports numba; importing it calls
:func:`hide_coverage_study`.
"""

from __future__ import annotations

import importlib.util
import sys


def hide_coverage_study() -> None:
    """Make ``import coverage`` raise ImportError where it would find the study's folder.

    The real package, when installed, wins over a namespace folder and is left alone.
    """
    if "coverage" in sys.modules:
        return
    spec = importlib.util.find_spec("coverage")
    if spec is not None and spec.origin is None:  # a namespace package: only a folder
        sys.modules["coverage"] = None  # type: ignore[assignment]  # import -> ImportError


hide_coverage_study()
