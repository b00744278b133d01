"""The documented CI layout: a data schema beside the metrics is a data schema."""

from __future__ import annotations

import shutil
from pathlib import Path

from rpeval.metrics import Registry, validate

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples-data"


def test_schema_beside_metrics_is_not_read_as_a_metric(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE / "metrics", tmp_path / "metrics")
    folder = tmp_path / "metrics"
    report = validate([folder], schema=folder / "data_schema.yaml")
    assert report.ok and report.exit_code == 0, report.summary()
    assert sorted(report.metrics) == ["conference_rate", "restitution_per_case"]
    registry = Registry.from_paths(folder)
    assert "conference_rate" in registry.names()


def test_a_misnamed_schema_is_still_told_apart(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    shutil.copytree(EXAMPLE / "metrics", folder)
    (folder / "data_schema.yaml").rename(folder / "columns.yml")
    assert validate([folder], schema=folder / "columns.yml").ok


def test_the_docs_baseline_has_no_breaking_change() -> None:
    report = validate(
        [EXAMPLE / "metrics"],
        schema=EXAMPLE / "metrics" / "data_schema.yaml",
        baseline=EXAMPLE / "metrics-main",
    )
    assert report.ok, report.summary()
