"""Hypothesis profiles: ``make test`` draws the same examples on every machine and run
(derandomised, no example database), so a fresh clone passes or fails the same way, and a
third of each test's example budget (:mod:`tests.hypothesis_budget`); ``make
test-thorough`` (``HYPOTHESIS_PROFILE=thorough``) draws the whole budgets, still
derandomised; ``HYPOTHESIS_PROFILE=explore`` draws new random examples each run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("default", derandomize=True, database=None)
settings.register_profile("thorough", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ``rpeval demo`` run (150 participants, 900 in the pool, seed 0) shared by the
    tests that only read it: copy the folder before writing into it."""
    from rpeval.report.demo import run_demo

    out = tmp_path_factory.mktemp("small_demo")
    run_demo(out, n_participants=150, n_comparison=900, progress=False)
    return out
