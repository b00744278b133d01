"""Registry.compute(period=...): labels, fiscal years, empty periods, windows, backends."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.errors import DataError, SpecificationError
from rpeval.metrics import Registry, control_chart
from tests.hypothesis_budget import budget
from tests.metrics.test_catalog import BACKENDS, PROGRAM

REGISTRY = Registry.builtin()


def _cases(dates: list[str], held: list[bool], agreed: list[bool | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "referral_date": pd.to_datetime(dates),
            "conference_held": held,
            "agreement_reached": pd.array(agreed, dtype="boolean"),
        }
    )


def test_months_quarters_years_and_empty_periods() -> None:
    cases = _cases(
        ["2024-01-05", "2024-01-20", "2024-04-02", "2024-04-03"],
        [True, True, True, True],
        [True, False, True, True],
    )
    month = REGISTRY.compute(
        "agreement_rate", cases, period="month", period_of="referral_date", suppress_below=1
    ).to_pandas()
    assert month["period"].tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert month["numerator"].tolist() == [1, 0, 0, 2]
    assert month["denominator"].tolist() == [2, 0, 0, 2]
    assert month["note"].iloc[1] == "denominator is 0: no value"
    quarter = REGISTRY.compute(
        "agreement_rate", cases, period="quarter", period_of="referral_date", suppress_below=1
    )
    assert quarter.by == ("period",)
    assert quarter.to_pandas()["period"].tolist() == ["2024Q1", "2024Q2"]
    fiscal = REGISTRY.compute(
        "agreement_rate",
        cases,
        period="year",
        period_of="referral_date",
        fiscal_year_start=4,
        suppress_below=1,
    ).to_pandas()
    assert fiscal["period"].tolist() == ["FY2024", "FY2025"]
    assert fiscal["numerator"].tolist() == [1, 2]


def test_fiscal_quarters_named_by_the_year_they_end() -> None:
    cases = _cases(["2024-06-30", "2024-07-01", "2025-06-30"], [True] * 3, [True] * 3)
    table = REGISTRY.compute(
        "agreement_rate",
        cases,
        period="quarter",
        period_of="referral_date",
        fiscal_year_start=7,
        suppress_below=1,
    ).to_pandas()
    assert table["period"].tolist()[:2] == ["FY2024Q4", "FY2025Q1"]
    assert table["period"].tolist()[-1] == "FY2025Q4"


def test_periods_with_by_groups_fill_every_cell() -> None:
    cases = _cases(["2024-01-05", "2024-03-20"], [True, True], [True, True]).assign(
        district=["North", "South"]
    )
    table = REGISTRY.compute(
        "agreement_rate",
        cases,
        by="district",
        period="month",
        period_of="referral_date",
        suppress_below=1,
    )
    frame = table.to_pandas()
    assert table.by == ("district", "period")
    assert len(frame) == 6
    assert frame.groupby("district")["numerator"].sum().tolist() == [1, 1]


def test_window_metrics_use_the_window_start_and_mark_incomplete_periods() -> None:
    people = PROGRAM.people
    table = REGISTRY.compute(
        "rearrest_within_12_months", people, period="quarter", suppress_below=1
    ).to_pandas()
    last = table.iloc[-1]
    assert "follow-up incomplete for this period" in str(last["note"])
    first = table.iloc[0]
    assert pd.isna(first["note"]) or "incomplete" not in str(first["note"])
    whole = REGISTRY.compute("rearrest_within_12_months", people, suppress_below=1).to_pandas()
    assert table["numerator"].sum() == whole["numerator"].iloc[0]
    assert table["denominator"].sum() == whole["denominator"].iloc[0]


def test_undated_rows_are_counted_in_the_note() -> None:
    cases = _cases(["2024-01-05", "2024-02-01"], [True, True], [True, True])
    cases.loc[1, "referral_date"] = pd.NaT
    frame = REGISTRY.compute(
        "agreement_rate", cases, period="month", period_of="referral_date", suppress_below=1
    ).to_pandas()
    assert len(frame) == 1
    assert "1 row(s) with no referral_date are in no period" in frame["note"].iloc[0]


def test_bad_period_options() -> None:
    cases = _cases(["2024-01-05"], [True], [True])
    with pytest.raises(DataError, match="must hold dates"):
        REGISTRY.compute(
            "agreement_rate", cases.assign(referral_date="2024-01-05"), period="month",
            period_of="referral_date",
        )  # fmt: skip
    with pytest.raises(SpecificationError, match="needs a date column"):
        REGISTRY.compute("agreement_rate", cases, period="month")
    with pytest.raises(SpecificationError, match="'month', 'quarter' or 'year'"):
        REGISTRY.compute("agreement_rate", cases, period="week", period_of="referral_date")
    with pytest.raises(SpecificationError, match=r"1\.\.12"):
        REGISTRY.compute(
            "agreement_rate", cases, period="year", period_of="referral_date",
            fiscal_year_start=13,
        )  # fmt: skip
    with pytest.raises(SpecificationError, match="without period"):
        REGISTRY.compute("agreement_rate", cases, period_of="referral_date")
    with pytest.raises(DataError, match="not in the data"):
        REGISTRY.compute("agreement_rate", cases, period="month", period_of="sent_date")


NAMES = ["agreement_rate", "days_referral_to_conference", "rearrest_within_12_months",
         "reoffenses_per_person_year"]  # fmt: skip
PERIOD_OF = {"cases": "referral_date", "people": "entry_date"}


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_backends_agree_by_period(backend: str) -> None:
    tables = {"cases": PROGRAM.cases, "people": PROGRAM.people}
    convert = BACKENDS[backend]
    ours = REGISTRY.compute(
        NAMES, {k: convert(v) for k, v in tables.items()},
        period="quarter", period_of=PERIOD_OF,
    ).to_pandas()  # fmt: skip
    reference = REGISTRY.compute(NAMES, tables, period="quarter", period_of=PERIOD_OF)
    pd.testing.assert_frame_equal(ours, reference.to_pandas(), check_dtype=False, rtol=1e-12)
    assert len(ours[ours["metric"] == "agreement_rate"]) >= 8


def test_a_period_table_charts_directly() -> None:
    table = REGISTRY.compute(
        "agreement_rate", {"cases": PROGRAM.cases}, period="quarter",
        period_of="referral_date", suppress_below=1,
    )  # fmt: skip
    chart = control_chart(table, "agreement_rate", kind="p")
    assert len(chart.summary()) == len(table)


@budget(40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(2020, 1, 1), dt.date(2024, 12, 31)), st.booleans(), st.booleans()
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["month", "quarter", "year"]),
    st.integers(1, 12),
)
def test_period_numerators_sum_to_the_all_time_numerator(
    rows: list[tuple[dt.date, bool, bool]], unit: str, start: int
) -> None:
    cases = _cases(
        [d.isoformat() for d, _, _ in rows], [h for _, h, _ in rows], [a for _, _, a in rows]
    )
    whole = REGISTRY.compute("agreement_rate", cases, suppress_below=1).to_pandas()
    split = REGISTRY.compute(
        "agreement_rate", cases, period=unit, period_of="referral_date",
        fiscal_year_start=start, suppress_below=1,
    ).to_pandas()  # fmt: skip
    assert split["numerator"].sum() == whole["numerator"].iloc[0]
    assert split["denominator"].sum() == whole["denominator"].iloc[0]
    assert split["period"].is_unique and split["period"].is_monotonic_increasing
