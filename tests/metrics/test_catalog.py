"""The built-in catalog on simulate_program() data equals plain pandas, on every backend."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import narwhals as nw
import pandas as pd
import pytest

from rpeval.datasets import ProgramData, simulate_program
from rpeval.metrics import Registry
from tests.metrics.catalog_reference import REFERENCES, white_non_hispanic_rate

REGISTRY = Registry.builtin()
PROGRAM = simulate_program(n_participants=600, n_comparison=2400, random_state=11)
TABLES = {"people": PROGRAM.people, "cases": PROGRAM.cases, "officers": PROGRAM.officers}


def _polars(frame: pd.DataFrame) -> object:
    pl = pytest.importorskip("polars")
    return pl.from_pandas(frame)


def _pyarrow(frame: pd.DataFrame) -> object:
    pa = pytest.importorskip("pyarrow")
    return pa.Table.from_pandas(frame, preserve_index=False)


def _duckdb(frame: pd.DataFrame) -> object:
    duckdb = pytest.importorskip("duckdb")
    connection = duckdb.connect()
    arrow = _pyarrow(frame)
    return connection.from_arrow(arrow)


def _spark(frame: pd.DataFrame) -> object:
    pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("PySpark needs a Java runtime; none found (install a JDK to run this)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("rpeval-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    del pyspark
    return session.createDataFrame(_pyarrow(frame).to_pandas())


BACKENDS: dict[str, Callable[[pd.DataFrame], object]] = {
    "pandas": lambda frame: frame,
    "polars": _polars,
    "pyarrow": _pyarrow,
    "duckdb": _duckdb,
    "pyspark": _spark,
}


def test_every_builtin_metric_has_a_reference_and_examples() -> None:
    assert sorted(REFERENCES) == REGISTRY.names()
    for definition in REGISTRY:
        assert definition.examples, definition.name
        assert definition.references, definition.name


@pytest.fixture(scope="module", params=sorted(BACKENDS))
def backend_tables(request: pytest.FixtureRequest) -> dict[str, object]:
    convert = BACKENDS[request.param]
    return {name: convert(frame) for name, frame in TABLES.items()}


def _expected(program: ProgramData, name: str) -> tuple[float, float]:
    return REFERENCES[name](program)


def test_catalog_equals_plain_pandas(backend_tables: dict[str, object]) -> None:
    table = REGISTRY.compute(REGISTRY.names(), backend_tables, suppress_below=1).to_pandas()
    for _, row in table.iterrows():
        numerator, denominator = _expected(PROGRAM, row["metric"])
        assert row["numerator"] == pytest.approx(numerator, rel=1e-12), row["metric"]
        assert row["denominator"] == pytest.approx(denominator, rel=1e-12), row["metric"]
        kind = REGISTRY[row["metric"]].kind
        if kind == "mean":
            assert row["value"] == pytest.approx(numerator / denominator, rel=1e-12)
        if kind == "relative_rate":
            expected = numerator / denominator / white_non_hispanic_rate(PROGRAM)
            assert row["value"] == pytest.approx(expected, rel=1e-12)
        assert row["ci_lower"] <= row["value"] <= row["ci_upper"], row["metric"]


def test_backends_agree_exactly_by_group(backend_tables: dict[str, object]) -> None:
    names = ["rearrest_within_12_months", "reoffenses_per_person_year", "diversion_rate"]
    ours = REGISTRY.compute(names, backend_tables, by=["participant", "sex"]).to_pandas()
    pandas = REGISTRY.compute(names, TABLES, by=["participant", "sex"]).to_pandas()
    key = ["metric", "participant", "sex"]
    ours = ours.sort_values(key, ignore_index=True)
    pandas = pandas.sort_values(key, ignore_index=True)
    ours["participant"] = ours["participant"].astype(bool)
    pandas["participant"] = pandas["participant"].astype(bool)
    pd.testing.assert_frame_equal(ours, pandas, check_dtype=False, rtol=1e-12)


def test_narwhals_frames_are_accepted() -> None:
    frame = nw.from_native(PROGRAM.officers)
    table = REGISTRY.compute("officer_training_coverage", frame, suppress_below=1)
    numerator, denominator = REFERENCES["officer_training_coverage"](PROGRAM)
    assert table.frame.loc[0, "numerator"] == numerator
    assert table.frame.loc[0, "denominator"] == denominator
