"""The eager pandas path of ``Registry.compute``: numpy filters and month arithmetic.

(a) ``add_months`` on days is the narwhals path's midnight timestamp plus pandas'
``DateOffset(months=k)`` (end-of-month clamping, NaT kept). (b) On random frames with
nulls, in numpy and pandas-nullable dtypes, the numpy evaluation of a random filter
keeps exactly the rows the reference interpreter of ``test_filters_properties`` keeps.
(c) ``compute`` on pandas gives the same tables, to the last bit, with and without the
eager path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import strategies as st

from rpeval.datasets import simulate_program
from rpeval.metrics import Registry, _onepass
from rpeval.metrics._eager import EagerFrame
from rpeval.metrics.filters import FilterExpr
from rpeval.metrics.filters._numpy import EagerUnsupportedError, add_months, compile_numpy
from tests.hypothesis_budget import budget
from tests.metrics.test_filters_properties import filters, ref_truth, row_strategy

stamps = st.datetimes(dt.datetime(1700, 1, 1), dt.datetime(2200, 12, 31))
month_ends = st.builds(
    lambda y, m: pd.Timestamp(y, m, 1) + pd.offsets.MonthEnd(0),
    st.integers(1800, 2100),
    st.integers(1, 12),
)


@budget(150)
@given(
    st.lists(st.one_of(st.none(), stamps, month_ends), min_size=1, max_size=20),
    st.integers(-1200, 1200),
)
def test_add_months_is_pandas_dateoffset_on_midnights(values: list[Any], months: int) -> None:
    # the narwhals path: a midnight timestamp (microseconds) plus DateOffset(months=k)
    series = pd.Series(pd.to_datetime(values)).astype("datetime64[us]").dt.floor("1D")
    expected = (series + pd.DateOffset(months=months)).to_numpy().astype("datetime64[D]")
    got = add_months(series.to_numpy().astype("datetime64[D]"), months)
    assert got.dtype == np.dtype("datetime64[D]")
    assert np.array_equal(got, expected, equal_nan=True)


def _flavours(records: list[dict[str, Any]]) -> dict[str, pd.DataFrame]:
    """The rows as pandas frames: numpy/object dtypes, and pandas' nullable dtypes."""
    columns = {name: [r.get(name) for r in records] for name in ("id", *row_strategy_names)}
    plain = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
    plain = plain.astype({"id": "int64", "n1": "float64", "n2": "float64", "f": "float64"})
    for name in ("d1", "date"):
        plain[name] = pd.to_datetime(plain[name])
    nullable = plain.astype(
        {"n1": "Int64", "n2": "Int64", "f": "Float64", "s t": "string", "b": "boolean"}
    )
    return {"plain": plain, "nullable": nullable}


row_strategy_names = ("n1", "n2", "f", "s t", "b", "d1", "date")


@budget(120, suppress_health_check=[HealthCheck.too_slow])
@given(filters, st.lists(row_strategy, min_size=1, max_size=10))
def test_numpy_filters_agree_with_the_reference_interpreter(
    expr: FilterExpr, records: list[dict[str, Any]]
) -> None:
    records = [{"id": i, **r} for i, r in enumerate(records)]
    assume(any(r[c] is None for r in records for c in expr.columns()) or len(records) > 3)
    expected = [r["id"] for r in records if ref_truth(expr, r) is True]
    mask = compile_numpy(expr)
    for flavour, frame in _flavours(records).items():
        try:
            kept = frame["id"][mask(EagerFrame(frame))].tolist()
        except EagerUnsupportedError:
            # an object column with no value at all: its type is unknown, narwhals decides
            assert flavour == "plain"
            assert any(frame[c].isna().all() for c in ("s t", "b") if c in expr.columns())
            continue
        assert kept == expected, (flavour, str(expr))


@pytest.fixture(scope="module")
def program_tables() -> dict[str, pd.DataFrame]:
    program = simulate_program(400, 400, random_state=3)
    race = program.people.set_index("person_id")["race"]
    cases = program.cases.assign(race=program.cases["person_id"].map(race))
    return {"cases": cases, "people": program.people, "officers": program.officers}


def _tables(registry: Registry, tables: dict[str, pd.DataFrame]) -> list[pd.DataFrame]:
    names = [d.name for d in registry if d.table in tables and d.design is None]
    cases = [n for n in names if registry[n].table == "cases"]
    out = [registry.compute(names, tables, suppress_below=1).to_pandas()]
    out.append(registry.compute(cases, tables, by="race", suppress_below=3).to_pandas())
    people = [n for n in names if registry[n].table == "people"]
    out.append(registry.compute(people, tables, by=["participant", "sex"]).to_pandas())
    out.append(
        registry.compute(
            cases, tables, period="quarter", period_of={"cases": "referral_date"}
        ).to_pandas()
    )
    return out


def test_eager_path_gives_the_narwhals_tables(
    program_tables: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = Registry.builtin()
    used: list[bool] = []
    stage = _onepass._eager_stage

    def spy(*args: Any) -> Any:
        result = stage(*args)
        used.append(result is not None)
        return result

    monkeypatch.setattr(_onepass, "_eager_stage", spy)
    eager = _tables(registry, program_tables)
    assert used and all(used)
    monkeypatch.setattr(_onepass, "_eager_stage", lambda *args: None)
    plain = _tables(registry, program_tables)
    for left, right in zip(eager, plain, strict=True):
        pd.testing.assert_frame_equal(left, right, check_exact=True)


def test_eager_path_on_odd_frames(
    program_tables: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a shuffled frame with a duplicated index, no rows, missing and categorical keys, and a
    # categorical filter column (the numpy filters leave that one to narwhals)
    registry = Registry.builtin()
    cases = program_tables["cases"].copy()
    cases.loc[cases.index[::7], "race"] = None
    shuffled = cases.sample(frac=1.0, random_state=1)
    shuffled.index = np.arange(len(shuffled)) // 2
    frames = [shuffled, cases.iloc[:0], cases.astype({"race": "category"})]
    frames.append(cases.astype({"victim_participation": "category"}))
    names = [d.name for d in registry if d.table == "cases" and d.design is None]

    def tables() -> list[pd.DataFrame]:
        return [
            registry.compute(names, frame, by=by, suppress_below=1).to_pandas()
            for frame in frames
            for by in ([], ["race"])
        ]

    eager = tables()
    monkeypatch.setattr(_onepass, "_eager_stage", lambda *args: None)
    for left, right in zip(eager, tables(), strict=True):
        pd.testing.assert_frame_equal(left, right, check_exact=True)
