"""simulate_interviews: reproducible, and its reliability and prevalence are what it says."""

from __future__ import annotations

import pandas as pd
import pytest

from rpeval.datasets.interviews import PREVALENCE, simulate_interviews
from rpeval.errors import DataError
from rpeval.qualitative import agreement, codebook_from_text, coded_segments


def test_same_seed_same_data() -> None:
    one = simulate_interviews(60, random_state=4)
    two = simulate_interviews(60, random_state=4)
    pd.testing.assert_frame_equal(one.segments, two.segments)
    pd.testing.assert_frame_equal(one.participants, two.participants)


def test_known_reliability_and_prevalence() -> None:
    data = simulate_interviews(600, reliability={"felt_heard": 0.9, "safety_concern": 0.6})
    coded = coded_segments(data.segments, codebook_from_text(data.codebook_yaml), rating="rating")
    alpha = agreement(coded, n_bootstrap=0).alpha().set_index("code")["estimate"]
    assert abs(alpha["felt_heard"] - 0.9) < 0.04
    assert abs(alpha["safety_concern"] - 0.6) < 0.06
    presence = coded.presence().join(coded.participants().set_index("participant"))
    victims = presence[presence["group"] == "victim"]
    # any of three coders applying it: the true share plus the coders' false positives
    assert victims["felt_heard"].mean() >= PREVALENCE["felt_heard"]["victim"] - 0.08
    assert set(data.participants.columns) == {"participant", "group", "rearrest_12m"}
    offenders = data.participants["group"] == "offender"
    assert data.participants.loc[~offenders, "rearrest_12m"].isna().all()
    assert data.participants.loc[offenders, "rearrest_12m"].notna().all()


def test_linked_to_program_offenders() -> None:
    ids = [f"P{i:06d}" for i in range(1, 301)]
    outcome = pd.Series([i % 4 == 0 for i in range(300)], index=ids, dtype="boolean")
    outcome.iloc[:10] = pd.NA
    data = simulate_interviews(1000, offenders=outcome, random_state=3)
    people = data.participants.set_index("participant")
    assert people.loc[ids, "group"].eq("offender").all()
    assert (people["group"] == "offender").sum() == 300
    pd.testing.assert_series_equal(
        people.loc[ids, "rearrest_12m"],
        outcome.rename("rearrest_12m"),
        check_names=False,
        check_index_type=False,
        check_index=False,
    )
    assert people.drop(index=ids).index.str.startswith("I").all()
    coded = coded_segments(data.segments, codebook_from_text(data.codebook_yaml), rating="rating")
    heard = coded.presence().loc[ids[10:], "felt_heard"]
    rearrested = outcome.iloc[10:].to_numpy(dtype=bool)
    # felt heard more often when not re-arrested (true chances 0.58 and 0.45, plus noise)
    assert heard[~rearrested].mean() > heard[rearrested].mean()
    assert data.truth["felt_heard_given_rearrest"] == {True: 0.45, False: 0.58}
    with pytest.raises(DataError, match="at most n_participants"):
        simulate_interviews(10, offenders=outcome)
