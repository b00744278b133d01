"""area_panel: the validated area x period panel, its errors and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.community import AreaPanel, area_panel
from rpeval.errors import DataError, SpecificationError


def _frame(n_areas: int = 3, n_periods: int = 4, first: int = 1) -> pd.DataFrame:
    rows = [
        {"area": f"a{i}", "t": first + t, "y": i + t, "pop": 100.0 + i, "start": None}
        for i in range(n_areas)
        for t in range(n_periods)
    ]
    frame = pd.DataFrame(rows)
    frame.loc[frame["area"] == "a0", "start"] = first + 2
    return frame


def _panel(frame: pd.DataFrame, **options: object) -> AreaPanel:
    args: dict[str, object] = {
        "area": "area",
        "period": "t",
        "outcome": "y",
        "exposure": "pop",
        "adoption": "start",
    }
    args.update(options)
    return area_panel(frame, **args)  # type: ignore[arg-type]


def test_matrices_and_attributes() -> None:
    panel = _panel(_frame().sample(frac=1.0, random_state=1))
    assert panel.areas == ("a0", "a1", "a2")
    assert panel.periods == (1, 2, 3, 4)
    assert panel.outcome.tolist()[1] == [1.0, 2.0, 3.0, 4.0]
    assert panel.exposure[2].tolist() == [102.0] * 4
    assert panel.adoption.tolist() == [2, -1, -1]
    assert panel.never_treated.tolist() == [False, True, True]
    assert panel.cohorts == (2,)
    assert panel.treated_mask()[0].tolist() == [False, False, True, True]
    assert panel.matrix("pop").shape == (3, 4)
    assert panel.frame["_period_index"].tolist()[:4] == [0, 1, 2, 3]
    total = panel.total()
    assert total["outcome"].tolist() == [3.0, 6.0, 9.0, 12.0]
    assert total["share_treated"].iloc[3] == pytest.approx(100 / 303)
    assert panel.summary()["cohort"].tolist() == ["3", "never"]
    assert panel.to_dict()["n_areas"] == 3
    assert "3 areas x 4 periods" in str(panel) and "<table" in panel._repr_html_()


def test_monthly_dates_and_never_code() -> None:
    frame = _frame()
    frame["t"] = pd.Timestamp("2023-11-01") + pd.to_timedelta((frame["t"] - 1) * 31, unit="D")
    frame["start"] = np.where(frame["area"] == "a1", "2024-01-01", "never")
    frame["start"] = pd.to_datetime(frame["start"].replace("never", None))
    panel = _panel(frame)
    assert [str(p) for p in panel.periods] == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert panel.adoption.tolist() == [-1, 2, -1]
    mpdta_style = _frame().assign(start=lambda d: np.where(d["area"] == "a2", 3, 0))
    assert _panel(mpdta_style, never=0).adoption.tolist() == [-1, -1, 2]


def test_continuous_outcomes() -> None:
    frame = _frame().assign(y=lambda d: d["y"] - 2.5)
    panel = _panel(frame, kind="continuous", exposure=None)
    assert panel.outcome[0, 0] == -2.5 and panel.exposure.sum() == 12
    with pytest.raises(SpecificationError, match="exposure= is for counts"):
        _panel(frame, kind="continuous")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: pd.concat([d, d.iloc[[0]]]), "appear more than once"),
        (lambda d: d.iloc[1:], "not balanced: 1 areas lack some periods"),
        (lambda d: d[d["t"] != 2], "has gaps: 1 periods"),
        (lambda d: d.assign(start=d["start"].where(d["area"] != "a0", 9)), "outside the panel"),
        (lambda d: d.assign(start=d["start"].where(d["area"] != "a0", 0)), "outside the panel"),
        (lambda d: d.assign(y=d["y"] - 3), "are negative"),
        (lambda d: d.assign(y=d["y"] + 0.5), "not whole numbers"),
        (lambda d: d.assign(pop=0.0), "positive and finite"),
        (lambda d: d.assign(t=d["t"] + 0.5), "whole numbers or dates"),
        (lambda d: d.assign(area=d["area"].where(d["t"] != 1)), "missing values"),
        (lambda d: d.iloc[:0], "has no rows"),
        (lambda d: d.assign(y=np.where(d["t"] == 2, np.nan, d["y"])), "missing values"),
        (
            lambda d: d.assign(start=np.where(d["area"] == "a0", d["t"], np.nan)),
            "varies within 1 areas",
        ),
    ],
)
def test_errors(change: object, message: str) -> None:
    with pytest.raises(DataError, match=message):
        _panel(change(_frame()))  # type: ignore[operator]


def test_bad_names_and_options() -> None:
    with pytest.raises(DataError, match="Did you mean 'pop'"):
        _panel(_frame(), exposure="popp")
    with pytest.raises(SpecificationError, match="kind="):
        _panel(_frame(), kind="rates")


@given(
    n_areas=st.integers(1, 5),
    n_periods=st.integers(1, 6),
    first=st.integers(-3, 2000),
    seed=st.integers(0, 10_000),
)
def test_row_order_does_not_matter(n_areas: int, n_periods: int, first: int, seed: int) -> None:
    frame = _frame(n_areas, n_periods, first).assign(start=None)
    frame["y"] = np.random.default_rng(seed).poisson(3.0, len(frame))
    one = _panel(frame)
    two = _panel(frame.sample(frac=1.0, random_state=seed))
    assert np.array_equal(one.outcome, two.outcome)
    assert one.periods == tuple(range(first, first + n_periods))
    assert one.outcome.sum() == frame["y"].sum()
    assert (one.adoption == -1).all()


@given(drop=st.integers(0, 11))
def test_any_missing_cell_is_an_error(drop: int) -> None:
    frame = _frame()
    with pytest.raises(DataError, match=r"not balanced|has gaps"):
        _panel(frame.drop(index=drop))
