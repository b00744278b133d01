"""Shared inputs of the reliability cases: one small simulated program, evaluated quickly."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from rpeval.datasets import ProgramData, simulate_program
from rpeval.report import Evaluation, evaluate

COVARIATES = "age + prior_arrests"


@pytest.fixture(scope="session")
def program() -> ProgramData:
    return simulate_program(150, 900, followup_days=1460, random_state=3)


def run_evaluate(people: pd.DataFrame, program: ProgramData, **options: Any) -> Evaluation:
    """evaluate() on `people` with the program's arrests and small, fast settings."""
    arguments: dict[str, Any] = {
        "treatment": "participant",
        "covariates": COVARIATES,
        "entry": "entry_date",
        "events": program.arrests,
        "progress": False,
    }
    arguments.update(options)
    return evaluate(people, **arguments)


@pytest.fixture(scope="session")
def baseline(program: ProgramData) -> Evaluation:
    return run_evaluate(program.people, program)
