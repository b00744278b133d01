"""missing= on the community functions that read a frame (issue 17): the panel, ITS and
the staggered DiD estimators. "drop" equals the pre-filtered frame; a hole it would
leave inside a balanced panel is a DataError saying so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.community import (
    area_panel,
    bacon_decomposition,
    callaway_santanna,
    interrupted_time_series,
    poisson_etwfe,
)
from rpeval.community.did._simulate import poisson_panel
from rpeval.errors import DataError, SpecificationError
from tests.hypothesis_budget import budget

COLUMNS = {"area": "area", "period": "period", "adoption": "start"}


def _rows(n_areas: int = 16, n_periods: int = 6, seed: int = 3) -> pd.DataFrame:
    frame = poisson_panel(n_areas=n_areas, n_periods=n_periods, effect=0.7, random_state=seed)
    return frame.assign(count=frame["count"].astype(float), y=np.log1p(frame["count"]))


def _wipe(frame: pd.DataFrame, column: str, rows: object) -> pd.DataFrame:
    out = frame.copy()
    out[column] = out[column].astype(float)
    out.loc[rows, column] = np.nan
    return out


def test_panel_missing_values_raise_by_default_with_counts() -> None:
    frame = _wipe(_rows(), "count", [4, 9])
    with pytest.raises(DataError, match=r"'count' .*has 2 missing values"):
        area_panel(frame, outcome="count", **COLUMNS)
    with pytest.raises(SpecificationError, match="missing='skip' is not an option"):
        area_panel(frame, outcome="count", missing="skip", **COLUMNS)  # type: ignore[arg-type]


def test_panel_drop_of_whole_areas_equals_the_filtered_frame() -> None:
    frame = _rows()
    gone = frame.index[frame["area"].isin([2, 7])]
    wiped = _wipe(frame, "count", gone)
    dropped = area_panel(wiped, outcome="count", exposure="population", missing="drop", **COLUMNS)
    kept = area_panel(frame.drop(index=gone), outcome="count", exposure="population", **COLUMNS)
    assert dropped.n_dropped == len(gone) == 12 and kept.n_dropped == 0
    assert dropped.areas == kept.areas and 2 not in dropped.areas
    np.testing.assert_array_equal(dropped.outcome, kept.outcome)
    np.testing.assert_array_equal(dropped.adoption, kept.adoption)
    assert dropped.to_dict()["n_dropped"] == 12
    assert "12 rows with missing values left out" in str(dropped)


def test_panel_missing_adoption_means_never_and_is_not_dropped() -> None:
    panel = area_panel(_rows(), outcome="count", missing="drop", **COLUMNS)
    assert panel.n_dropped == 0 and panel.never_treated.any()


def test_panel_drop_that_leaves_a_hole_says_so() -> None:
    frame = _wipe(_rows(), "count", [8])  # area 1, period 3
    with pytest.raises(DataError, match=r"missing='drop' left out 1 rows .* incomplete"):
        area_panel(frame, outcome="count", missing="drop", **COLUMNS)


def test_panel_rows_without_an_area_are_dropped() -> None:
    frame = _rows()
    extra = frame.iloc[:1].assign(area=None)
    dropped = area_panel(
        pd.concat([frame, extra], ignore_index=True), outcome="count", missing="drop", **COLUMNS
    )
    assert dropped.n_dropped == 1
    np.testing.assert_array_equal(
        dropped.outcome, area_panel(frame, outcome="count", **COLUMNS).outcome
    )


def _series() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    t = np.arange(36)
    rate = np.exp(np.log(0.02) + 0.003 * t - 0.25 * (t >= 18))
    return pd.DataFrame(
        {"month": t + 1, "calls": rng.poisson(rate * 4000).astype(float), "pop": 4000.0}
    )


def test_its_drop_at_the_ends_equals_the_filtered_series() -> None:
    frame = _series()
    wiped = _wipe(frame, "calls", [0, 35])
    spec = {"period": "month", "outcome": "calls", "exposure": "pop", "interruption": 19}
    with pytest.raises(DataError, match="2 missing values"):
        interrupted_time_series(wiped, **spec)
    dropped = interrupted_time_series(wiped, missing="drop", **spec)
    kept = interrupted_time_series(frame.drop(index=[0, 35]), **spec)
    pd.testing.assert_frame_equal(dropped.summary(), kept.summary())
    assert dropped.n_dropped == 2 and kept.n_dropped == 0
    assert dropped.to_dict()["n_dropped"] == 2 and "2 rows with missing values" in str(dropped)
    with pytest.raises(DataError, match="incomplete"):
        interrupted_time_series(_wipe(frame, "calls", [10]), missing="drop", **spec)
    with pytest.raises(SpecificationError, match="missing='skip'"):
        interrupted_time_series(frame, missing="skip", **spec)  # type: ignore[arg-type]


def _cs(frame: pd.DataFrame, **options: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {"n_bootstrap": 0, "progress": False} | options
    return callaway_santanna(frame, outcome="y", **COLUMNS, **args)  # type: ignore[arg-type]


def test_callaway_santanna_missing_policy() -> None:
    frame = _rows(n_areas=24)
    gone = frame.index[frame["area"] == 5]
    wiped = _wipe(frame, "y", gone)
    with pytest.raises(DataError, match="missing values"):
        _cs(wiped)
    dropped, kept = _cs(wiped, missing="drop"), _cs(frame.drop(index=gone))
    pd.testing.assert_frame_equal(dropped.summary(), kept.summary())
    assert dropped.n_dropped == 6 and dropped.to_dict()["n_dropped"] == 6
    assert "6 rows with missing values left out" in str(dropped)
    with pytest.raises(DataError, match="incomplete"):
        _cs(_wipe(frame, "y", [gone[2]]), missing="drop")
    with pytest.raises(SpecificationError, match="missing='skip'"):
        _cs(frame, missing="skip")
    panel = area_panel(frame, outcome="y", kind="continuous", **COLUMNS)
    with pytest.raises(SpecificationError, match="missing='drop' given with an AreaPanel"):
        callaway_santanna(panel, n_bootstrap=0, progress=False, missing="drop")


def test_callaway_santanna_drops_areas_missing_a_covariate() -> None:
    frame = _rows(n_areas=24)
    gone = frame.index[frame["area"] == 9]
    wiped = _wipe(frame, "population", gone)
    dropped = _cs(wiped, covariates=["population"], missing="drop")
    kept = _cs(frame.drop(index=gone), covariates=["population"])
    pd.testing.assert_frame_equal(dropped.summary(), kept.summary())
    assert dropped.n_dropped == 6


def test_poisson_and_bacon_missing_policy() -> None:
    frame = _rows(n_areas=24)
    gone = frame.index[frame["area"] == 4]
    wiped = _wipe(_wipe(frame, "count", gone), "y", gone)
    spec = {"outcome": "count", "exposure": "population", **COLUMNS}
    with pytest.raises(DataError, match="missing values"):
        poisson_etwfe(wiped, **spec)
    dropped, kept = (
        poisson_etwfe(wiped, missing="drop", **spec),
        poisson_etwfe(frame.drop(index=gone), **spec),
    )
    pd.testing.assert_frame_equal(dropped.summary(), kept.summary())
    assert dropped.n_dropped == 6 and dropped.to_dict()["n_dropped"] == 6
    assert "6 rows with missing values left out" in str(dropped)
    bacon = bacon_decomposition(wiped, outcome="y", missing="drop", **COLUMNS)
    assert bacon.n_dropped == 6 and "6 rows" in str(bacon)
    same = bacon_decomposition(frame.drop(index=gone), outcome="y", **COLUMNS)
    assert bacon.twfe == same.twfe and bacon.std_error == same.std_error
    with pytest.raises(SpecificationError, match="missing='skip'"):
        bacon_decomposition(frame, outcome="y", missing="skip", **COLUMNS)  # type: ignore[arg-type]
    with pytest.raises(SpecificationError, match="missing='skip'"):
        poisson_etwfe(frame, missing="skip", **spec)  # type: ignore[arg-type]


@budget(30)
@given(
    areas=st.lists(st.integers(0, 19), max_size=5, unique=True),
    hole=st.one_of(st.none(), st.integers(0, 119)),
)
def test_drop_is_the_filtered_panel_or_a_clear_error(areas: list[int], hole: int | None) -> None:
    frame = _rows(n_areas=20)
    gone = frame.index[frame["area"].isin(areas)].tolist()
    rows = sorted(set(gone) | ({hole} if hole is not None else set()))
    wiped = _wipe(frame, "y", rows)
    partial = hole is not None and hole not in gone
    try:
        kept = _cs(frame.drop(index=gone))
    except DataError:  # e.g. no never-treated area left: the same error after dropping
        with pytest.raises(DataError):
            _cs(wiped, missing="drop")
        return
    if partial:
        with pytest.raises(DataError, match="incomplete"):
            _cs(wiped, missing="drop")
        return
    dropped = _cs(wiped, missing="drop")
    assert dropped.n_dropped == len(rows)
    pd.testing.assert_frame_equal(dropped.summary(), kept.summary())
