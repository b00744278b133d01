"""The README's example runs as printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).parent.parent / "README.md"


@pytest.mark.slow
def test_readme_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)
    assert blocks, "README has no python example"
    result = subprocess.run(
        [sys.executable, "-c", blocks[0]], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "simulated truth (given the covariates): 0.75" in result.stdout
    # print(fit) shows the program's hazard ratio with its interval, whole
    row = next(line for line in result.stdout.splitlines() if line.startswith("participant"))
    assert len(row.split()) == 8, row  # term, HR, lower, upper, coef, se, z, p
    assert "HR" in result.stdout and "lower 95%" in result.stdout and "upper 95%" in result.stdout
    assert "..." not in result.stdout and "array(" not in result.stdout


def test_readme_shows_the_two_commands() -> None:
    text = README.read_text()
    assert "make demo" in text and "make test" in text
