"""Where an evaluation's inputs came from: the configuration as written, and each data
file with its row count and SHA-256, for the report's appendix and ``results.json``."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["file_record", "with_source"]


def file_record(name: str, path: Path, shown: str) -> dict[str, Any]:
    """``name`` (its role: people, arrests, ...), ``path`` as the configuration gives it,
    ``rows`` (data rows, read as rpeval reads the file) and ``sha256`` of its bytes."""
    from rpeval._files import read_table

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"name": name, "path": shown, "rows": len(read_table(path)), "sha256": digest}


def with_source(evaluation: Any, config_path: Path, files: Mapping[str, str | None]) -> Any:
    """``evaluation`` with ``settings["source"]``: the configuration's text and path and a
    record per data file (``files`` maps a role to its path relative to the
    configuration, as written there; ``None`` entries are skipped)."""
    base = config_path.parent
    records = [
        file_record(name, base / shown, shown) for name, shown in files.items() if shown is not None
    ]
    source = {
        "config_path": config_path.name,
        "config_text": config_path.read_text(encoding="utf-8"),
        "files": records,
    }
    return dataclasses.replace(evaluation, settings={**evaluation.settings, "source": source})
