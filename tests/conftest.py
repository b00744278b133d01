"""Hypothesis profiles: ``make test`` draws the same examples on every machine and run
(derandomised, no example database), so a fresh clone passes or fails the same way, and a
third of each test's example budget (:mod:`tests.hypothesis_budget`); ``make
test-thorough`` (``HYPOTHESIS_PROFILE=thorough``) draws the whole budgets, still
derandomised; ``HYPOTHESIS_PROFILE=explore`` draws new random examples each run. No profile
has a deadline: a test's speed is no assertion (the suite runs on two pytest-xdist workers
on a shared machine), and the same examples are drawn whichever worker runs a test."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("default", derandomize=True, database=None, deadline=None)
settings.register_profile("thorough", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ``rpeval demo`` run (150 participants, 900 in the pool, seed 0) shared by the
    tests that only read it: copy the folder before writing into it. Under pytest-xdist the
    workers of one run share it too (the first to need it makes it, under a file lock)."""
    from rpeval.report.demo import run_demo

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above every worker's own
    out = root / "small_demo"
    with open(root / "small_demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not out.is_dir():
            partial = root / "small_demo.partial"
            shutil.rmtree(partial, ignore_errors=True)
            run_demo(partial, n_participants=150, n_comparison=900, progress=False)
            partial.rename(out)
    return out
