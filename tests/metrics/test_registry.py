"""Registry: loading, lookup, compute options, zero denominators, suppression, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from rpeval.cli import main
from rpeval.errors import DataError, MetricDefinitionError, SpecificationError
from rpeval.metrics import MetricDefinition, Registry, json_schema

REGISTRY = Registry.builtin()
GOOD = Path(__file__).parent / "fixtures" / "good"


def _cases(held: int, agreed: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "conference_held": [True] * held + [False] * 3,
            "agreement_reached": pd.array(
                [True] * agreed + [False] * (held - agreed) + [None] * 3, dtype="boolean"
            ),
            "officer_id": ["O1"] * (held + 3),
        }
    )


def test_lookup_listing_and_repr() -> None:
    assert isinstance(REGISTRY["agreement_rate"], MetricDefinition)
    assert "agreement_rate" in REGISTRY
    assert len(REGISTRY) == len(REGISTRY.names()) >= 18
    listing = REGISTRY.listing()
    assert list(listing.columns) == ["name", "version", "kind", "status", "table", "title"]
    assert REGISTRY.source("agreement_rate").endswith("agreements.yaml:2")
    with pytest.raises(SpecificationError, match="Did you mean 'agreement_rate'"):
        REGISTRY["agreement_rat"]


def test_domain_anchor_45_of_50() -> None:
    # the published interval; unsuppressed (the 5 without an agreement are a small count)
    row = REGISTRY.compute("agreement_rate", _cases(50, 45), suppress_below=1).frame.iloc[0]
    assert (row["numerator"], row["denominator"], row["value"]) == (45, 50, 0.9)
    assert round(row["ci_lower"], 4) == 0.7864
    assert round(row["ci_upper"], 4) == 0.9565
    assert not row["suppressed"]
    assert pd.isna(row["note"])


def test_a_small_complement_is_suppressed() -> None:
    hidden = REGISTRY.compute("agreement_rate", _cases(50, 45)).frame.iloc[0]
    assert hidden["suppressed"] and pd.isna(hidden["value"])  # 50 - 45 = 5 would show
    shown = REGISTRY.compute("agreement_rate", _cases(50, 40)).frame.iloc[0]
    assert not shown["suppressed"] and shown["value"] == 0.8


def test_zero_denominator_gives_no_value_and_a_note() -> None:
    cases = _cases(0, 0)
    row = REGISTRY.compute("agreement_rate", cases).frame.iloc[0]
    assert row["denominator"] == 0
    assert pd.isna(row["value"])
    assert pd.isna(row["ci_lower"])
    assert row["note"] == "denominator is 0: no value"


def test_small_cells_are_suppressed_by_default_and_configurable() -> None:
    row = REGISTRY.compute("agreement_rate", _cases(20, 7)).frame.iloc[0]
    assert row["suppressed"]
    assert pd.isna(row["numerator"])
    assert pd.isna(row["value"])
    assert pd.isna(row["denominator"])  # a suppressed cell publishes no number at all
    assert row["note"] == "suppressed: count below 10"
    shown = REGISTRY.compute("agreement_rate", _cases(20, 7), suppress_below=5).frame.iloc[0]
    assert shown["numerator"] == 7
    with pytest.raises(SpecificationError, match="positive integer"):
        REGISTRY.compute("agreement_rate", _cases(20, 7), suppress_below=0)


def test_complementary_suppression_in_groups() -> None:
    cases = pd.concat(
        [
            _cases(40, 30).assign(officer_id="O1"),
            _cases(40, 4).assign(officer_id="O2"),
            _cases(40, 25).assign(officer_id="O3"),
        ]
    )
    table = REGISTRY.compute("agreement_rate", cases, by="officer_id").frame
    assert table["suppressed"].tolist() == [False, True, True]
    assert table["note"].tolist()[1:] == [
        "suppressed: count below 10",
        "suppressed to protect a small cell (complementary)",
    ]


def test_columns_mapping_and_missing_columns() -> None:
    theirs = _cases(30, 20).rename(columns={"conference_held": "conf_yn"})
    with pytest.raises(DataError, match="columns=") as error:
        REGISTRY.compute("agreement_rate", theirs)
    assert "'conference_held'" in str(error.value)
    table = REGISTRY.compute("agreement_rate", theirs, columns={"conference_held": "conf_yn"})
    assert table.frame.loc[0, "numerator"] == 20
    with pytest.raises(DataError, match="'rce'"):
        REGISTRY.compute("agreement_rate", theirs, by="rce")


def test_mapping_of_tables() -> None:
    with pytest.raises(DataError, match="reads table 'cases'"):
        REGISTRY.compute("agreement_rate", {"people": pd.DataFrame()})
    with pytest.raises(DataError, match="must be a dataframe"):
        REGISTRY.compute("agreement_rate", [1, 2, 3])
    with pytest.raises(SpecificationError, match="empty"):
        REGISTRY.compute([], _cases(3, 1))


def test_result_conversions() -> None:
    table = REGISTRY.compute(
        ["agreement_rate", "victim_participation_rate"],
        _cases(3, 1).assign(victim_participation="none"),
        suppress_below=1,
    )
    payload = table.to_dict()
    json.dumps(payload)  # JSON-ready: no NaN, no numpy scalars that json rejects
    assert payload["rows"][0]["metric"] == "agreement_rate"
    assert table.intervals == {"agreement_rate": "wilson", "victim_participation_rate": "wilson"}
    assert "<table" in table._repr_html_()
    assert len(table) == 2
    frame = table.to_pandas()
    frame.loc[0, "value"] = 99
    assert table.frame.loc[0, "value"] != 99  # a copy


def test_from_paths_and_duplicates(tmp_path: Path) -> None:
    registry = Registry.from_paths(GOOD)
    assert "conference_rate" in registry
    assert "agreement_rate" in registry
    only = Registry.from_paths(GOOD, include_builtin=False)
    assert only.names() == ["conference_rate", "restitution_per_case"]
    clash = tmp_path / "clash.yaml"
    clash.write_text(
        (Path(REGISTRY.source("agreement_rate").rsplit(":", 1)[0])).read_text().split("---")[0]
    )
    with pytest.raises(MetricDefinitionError, match="defined twice"):
        Registry.from_paths(clash)
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nversion: 1.0\n")
    with pytest.raises(MetricDefinitionError, match=r"broken\.yaml:2"):
        Registry.from_paths(broken)
    with pytest.raises(MetricDefinitionError, match="no such file"):
        Registry.from_paths(tmp_path / "nope.yaml")


def test_json_schema_rejects_unknown_keys() -> None:
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert "numerator" in schema["properties"]  # type: ignore[operator]


def test_cli_list_schema_docs_compute(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", "list"]) == 0
    assert "agreement_rate" in capsys.readouterr().out
    assert main(["metrics", "schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "MetricDefinition"
    assert main(["metrics", "docs", "--definitions", str(GOOD)]) == 0
    assert "### `conference_rate` 1.2.0" in capsys.readouterr().out
    data = tmp_path / "cases.csv"
    cases = _cases(30, 20)
    cases.loc[0, "agreement_reached"] = None
    cases.to_csv(data, index=False)
    assert (
        main(["metrics", "compute", "agreement_rate", "--data", str(data), "--format", "csv"]) == 0
    )
    out = capsys.readouterr().out
    assert (
        out.splitlines()[0]
        == "metric,version,numerator,denominator,value,ci_lower,ci_upper,suppressed,note"
    )
    assert out.splitlines()[1].startswith("agreement_rate,1.0.0,19.0,30.0,")
    assert main(["metrics", "compute", "agreement_rate", "--data", str(tmp_path / "x.csv")]) == 2
    assert main(["metrics"]) == 2


def test_wrong_column_types_are_a_clean_error() -> None:
    cases = pd.DataFrame({"conference_held": ["yes", "no"], "agreement_reached": [True, False]})
    with pytest.raises(DataError, match=r"'conference_held' should be boolean but is String"):
        REGISTRY.compute("agreement_rate", cases)
    people = pd.DataFrame(
        {
            "entry_date": ["2024-01-01"],
            "rearrest_date": [pd.Timestamp("2024-03-01")],
            "data_through": [pd.Timestamp("2025-03-01")],
        }
    )
    with pytest.raises(DataError, match="'entry_date' should be date"):
        REGISTRY.compute("rearrest_within_12_months", people)


def test_docs_catalog_page_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/metric-catalog.md is `rpeval metrics docs` output (regenerate it if this fails)."""
    assert main(["metrics", "docs"]) == 0
    page = Path(__file__).parents[2] / "docs" / "metric-catalog.md"
    assert page.read_text(encoding="utf-8") == capsys.readouterr().out


def test_cli_compute_reads_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("pyarrow")
    data = tmp_path / "cases.parquet"
    _cases(30, 20).to_parquet(data)
    assert (
        main(
            [
                "metrics",
                "compute",
                "agreement_rate",
                "--data",
                str(data),
                "--by",
                "officer_id",
                "--format",
                "json",
            ]
        )
        == 0
    )
    payload = json.loads(capsys.readouterr().out)
    assert payload["by"] == ["officer_id"]
    assert payload["rows"][0]["numerator"] == 20
