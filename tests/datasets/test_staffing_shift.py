"""simulate_program's staffing shift: a known dip in 2022Q2-Q3, nothing else changes."""

from __future__ import annotations

import pandas as pd

from rpeval.datasets import simulate_program


def test_the_shift_lowers_conferences_and_agreements_in_its_quarters_only() -> None:
    shifted = simulate_program(400, 400, random_state=5)
    stable = simulate_program(400, 400, random_state=5, staffing_shift=False)
    pd.testing.assert_frame_equal(shifted.people, stable.people)
    during = shifted.cases["referral_date"].between("2022-04-01", "2022-09-30")
    outside = ~during
    pd.testing.assert_frame_equal(shifted.cases[outside], stable.cases[outside])
    held = shifted.cases.loc[during, "conference_held"].mean()
    held_stable = stable.cases.loc[during, "conference_held"].mean()
    assert held < 0.75 * held_stable
    lost = during & stable.cases["conference_held"] & ~shifted.cases["conference_held"]
    assert shifted.cases.loc[lost, "conference_date"].isna().all()
    assert shifted.cases.loc[lost, "agreement_reached"].isna().all()
    assert (shifted.cases.loc[lost, "restitution_paid"] == 0).all()
    assert shifted.cases.dtypes.equals(stable.cases.dtypes)
