"""The one-pass computation of many metrics equals a slow per-metric pandas loop.

Random small frames, random filters (nulls in every column), random ``by`` columns and
periods: ``Registry.compute`` of all the metrics in one call (one aggregation) must give,
cell by cell, the numerators, denominators, values (and the mean's t interval) that a
plain pandas loop over each metric and cell gives.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from scipy import stats

from rpeval.metrics import Registry
from tests.hypothesis_budget import budget

Mask = Callable[[pd.DataFrame], np.ndarray]


def _true(column: str) -> Mask:
    return lambda f: f[column].fillna(False).to_numpy(bool)


def _false(column: str) -> Mask:
    return lambda f: (~f[column].fillna(True)).to_numpy(bool)


# filter text -> rows where it is TRUE (SQL three-valued logic: unknown is not true)
FILTERS: dict[str | None, Mask] = {
    None: lambda f: np.ones(len(f), bool),
    "a": _true("a"),
    "not a": _false("a"),
    "a and not b": lambda f: _true("a")(f) & _false("b")(f),
    "a or b": lambda f: _true("a")(f) | _true("b")(f),
    "not (b or c)": lambda f: _false("b")(f) & _false("c")(f),
    "x > 2": lambda f: (f["x"].notna() & (f["x"] > 2)).to_numpy(bool),
    "x is null": lambda f: f["x"].isna().to_numpy(bool),
    "d1 <= d0 + days(30)": lambda f: (
        f["d0"].notna() & f["d1"].notna() & (f["d1"] <= f["d0"] + pd.Timedelta(days=30))
    ).to_numpy(bool),
    "g in ['A', 'B']": lambda f: f["g"].isin(["A", "B"]).to_numpy(bool),
}
filters = st.sampled_from(list(FILTERS))


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 40))

    def column(strategy: st.SearchStrategy[object]) -> list[object]:
        return draw(st.lists(strategy, min_size=n, max_size=n))

    day = st.integers(0, 500)
    start = pd.Timestamp("2023-01-01")
    dates = lambda values: pd.to_datetime(  # noqa: E731
        [None if v is None else start + pd.Timedelta(days=v) for v in values]
    )
    frame = pd.DataFrame(
        {
            "g": column(st.sampled_from(["A", "B", "C"])),
            "h": column(st.sampled_from(["u", "v"])),
            "x": pd.array(column(st.one_of(st.none(), st.integers(0, 6))), dtype="Float64"),
            "y": [float(v) / 4 for v in column(st.integers(0, 20))],
            "d0": dates(column(st.one_of(st.none(), day))),
            "d1": dates(column(st.one_of(st.none(), day))),
            "d2": dates(column(day)),
        }
    )
    for name in ("a", "b", "c"):
        frame[name] = pd.array(column(st.sampled_from([True, False, None])), dtype="boolean")
    return frame


@st.composite
def definitions(draw: st.DrawFn) -> list[dict[str, object]]:
    first, second = draw(filters), draw(filters)
    base = {"version": "1.0.0", "title": "t", "description": "d", "interval": "none"}
    where = lambda text: {} if text is None else {"where": text}  # noqa: E731
    chosen = [
        {"kind": "proportion", "denominator": where(first), "numerator": where(second)},
        {"kind": "count", "numerator": where(second)},
        {"kind": "ratio", "numerator": {"sum": "x", **where(first)}, "denominator": {"sum": "y"}},
        {"kind": "mean", "value": {"column": "x", **where(first)}, "interval": "t"},
        {"kind": "rate", "numerator": where(first), "exposure": {"sum": "y", **where(second)}},
        {
            "kind": "window_proportion",
            "window": {"start": "d0", "event": "d1", "followup_end": "d2", "within": "1 months"},
            "numerator": where(second),
        },
    ]
    picked = draw(st.lists(st.sampled_from(range(len(chosen))), min_size=1, unique=True))
    return [{**base, **chosen[i], "name": f"m{i}"} for i in picked]


def _label(stamp: pd.Timestamp, period: str) -> str:
    if period == "month":
        return f"{stamp.year:04d}-{stamp.month:02d}"
    return f"{stamp.year:04d}Q{(stamp.month - 1) // 3 + 1}"


def _statistics(spec: dict[str, object], f: pd.DataFrame) -> tuple[float, float | None]:
    """Numerator and denominator of one metric on the rows of one cell (plain pandas)."""

    def rows(part: object) -> np.ndarray:
        return FILTERS[part.get("where") if isinstance(part, dict) else None](f)

    kind = spec["kind"]
    if kind == "proportion":
        den = rows(spec["denominator"])
        return float((den & rows(spec["numerator"])).sum()), float(den.sum())
    if kind == "count":
        return float(rows(spec["numerator"]).sum()), None
    if kind == "ratio":
        x = f["x"].to_numpy(float, na_value=np.nan)
        num = rows(spec["numerator"])
        return float(np.nansum(x[num])), float(f["y"].sum())
    if kind == "mean":
        x = f["x"].to_numpy(float, na_value=np.nan)
        keep = rows(spec["value"]) & ~np.isnan(x)
        return float(x[keep].sum()), float(keep.sum())
    if kind == "rate":
        return float(rows(spec["numerator"]).sum()), float(f["y"][rows(spec["exposure"])].sum())
    full = (f["d2"] >= f["d0"] + pd.DateOffset(months=1)).to_numpy(bool)
    within = (f["d1"] > f["d0"]) & (f["d1"] <= f["d0"] + pd.DateOffset(months=1))
    hit = full & within.to_numpy(bool) & rows(spec["numerator"])
    return float(hit.sum()), float(full.sum())


def _reference(
    specs: list[dict[str, object]], frame: pd.DataFrame, by: list[str], period: str | None
) -> dict[tuple[object, ...], tuple[float, float | None, float | None, float | None]]:
    """(metric, *cell) -> numerator, denominator, value, ci_lower, one metric at a time."""
    data = frame.copy()
    cells = data[by].drop_duplicates() if by else pd.DataFrame(index=[0])
    if period is not None:
        data = data[data["d0"].notna()]
        keys = data["d0"].dt.year * 12 + data["d0"].dt.month - 1
        keys = keys // (1 if period == "month" else 3)
        data = data.assign(_key=keys)
        step = 1 if period == "month" else 3
        grid = (
            [
                pd.Timestamp(year=int(k * step // 12), month=int(k * step % 12) + 1, day=1)
                for k in range(int(keys.min()), int(keys.max()) + 1)
            ]
            if len(data)
            else []
        )
        labels = pd.DataFrame(
            {
                "period": [_label(s, period) for s in grid],
                "_key": range(int(keys.min()), int(keys.min()) + len(grid)) if grid else [],
            }
        )
        cells = data[by].drop_duplicates().merge(labels, how="cross") if by else labels
    out = {}
    for spec in specs:
        for _, cell in cells.iterrows():
            inside = np.ones(len(data), bool)
            for column in [*by, *(["_key"] if period else [])]:
                inside &= (data[column] == cell[column]).to_numpy(bool)
            part = data[inside]
            num, den = _statistics(spec, part)
            value = num if den is None else (num / den if den else None)
            low = None
            if spec["kind"] == "mean" and den is not None and den >= 2:
                x = part["x"].to_numpy(float, na_value=np.nan)
                kept = x[FILTERS[spec["value"].get("where")](part) & ~np.isnan(x)]  # type: ignore[union-attr]
                sd = float(np.std(kept, ddof=1))
                low = num / den - float(stats.t.ppf(0.975, den - 1)) * sd / np.sqrt(den)
            key = tuple(cell[c] for c in [*by, *(["period"] if period else [])])
            out[(spec["name"], *key)] = (num, den, value, low)
    return out


def _close(a: object, b: object) -> bool:
    if a is None or b is None or pd.isna(a) or pd.isna(b):  # type: ignore[arg-type]
        return (a is None or pd.isna(a)) and (b is None or pd.isna(b))  # type: ignore[arg-type]
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))  # type: ignore[arg-type]


@budget(90, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    frame=frames(),
    specs=definitions(),
    by=st.sampled_from([[], ["g"], ["g", "h"]]),
    period=st.sampled_from([None, "month", "quarter"]),
)
def test_one_pass_equals_a_per_metric_pandas_loop(
    frame: pd.DataFrame, specs: list[dict[str, object]], by: list[str], period: str | None
) -> None:
    if period is not None and frame["d0"].isna().all():
        period = None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "metrics.yaml"
        path.write_text(yaml.safe_dump_all(specs))
        registry = Registry.from_paths(path, include_builtin=False)
    options = {} if period is None else {"period": period, "period_of": "d0"}
    table = registry.compute(
        [s["name"] for s in specs], frame, by=by, suppress_below=1, **options
    ).to_pandas()
    expected = _reference(specs, frame, by, period)
    cells = [*by, *(["period"] if period else [])]
    got = {(row["metric"], *(row[c] for c in cells)): row for _, row in table.iterrows()}
    assert set(got) == set(expected)
    for key, (num, den, value, low) in expected.items():
        row = got[key]
        assert _close(row["numerator"], num), (key, row["numerator"], num)
        if den is not None:
            assert _close(row["denominator"], den), (key, row["denominator"], den)
        assert _close(row["value"], value), (key, row["value"], value)
        if low is not None and row["ci_lower"] is not pd.NA:
            assert _close(row["ci_lower"], low), (key, row["ci_lower"], low)
