"""Every ```python block in docs/ and the README runs (STYLE: "every code block in docs/ and
the README runs in the test suite").

The blocks of one page run in order in one fresh interpreter, so a later block may use what
an earlier one defined, as a reader would type them. Each page runs in a temporary working
directory holding a copy of ``docs/examples-data/`` (files a page reads, e.g. a ``metrics/``
folder), so nothing is written into the repository. A block whose first line is
``# not run: <reason>`` is skipped with that reason (for a shell session shown as Python,
say); there should be few of them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DATA = DOCS / "examples-data"
BLOCK = re.compile(r"^```python\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)
SKIP = re.compile(r"^# not run: (.+)")


def pages() -> list[Path]:
    found = sorted(p for p in DOCS.rglob("*.md") if BLOCK.search(p.read_text(encoding="utf-8")))
    return [ROOT / "README.md", *found]


def program(page: Path) -> str:
    """The page's blocks in order, each introduced by a comment naming its line."""
    text = page.read_text(encoding="utf-8")
    parts = ["import matplotlib\nmatplotlib.use('Agg')\n"]
    for match in BLOCK.finditer(text):
        code = match.group(1)
        if SKIP.match(code):
            continue
        line = text[: match.start()].count("\n") + 1
        parts.append(f"# --- {page.name}, block at line {line}\n{code}")
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run(page: Path, tmp_path: Path) -> None:
    if DATA.is_dir():
        shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    script = tmp_path / "_page.py"
    script.write_text(program(page), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{page.name}:\n{result.stderr[-3000:]}"


def test_every_page_with_code_is_collected() -> None:
    names = {p.name for p in pages()}
    assert "README.md" in names
    assert {"cox.md", "matching.md", "recidivism.md"} <= names
