"""Recurrent re-arrests against R survival on lifelines' recur data (recurrent_recur.R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.recidivism import andersen_gill, mean_cumulative_function, recurrent_cox
from tests.hypothesis_budget import budget
from tests.reference_data import reference

RTOL = 1e-10
FIXTURE = Path(__file__).parent.parent / "fixtures" / "recur.csv"


@pytest.fixture(scope="module")
def recur() -> pd.DataFrame:
    return pd.read_csv(FIXTURE)


def events_table(recur: pd.DataFrame) -> pd.DataFrame:
    """One row per re-arrest plus a row without time for people with none."""
    end = recur.groupby("ID")["TIME1"].transform("max")
    frame = recur.assign(end=end, time=recur["TIME1"].where(recur["CENSOR"] == 1))
    arrested = frame[frame["time"].notna()]
    never = frame[~frame["ID"].isin(arrested["ID"])].drop_duplicates("ID")
    return pd.concat([arrested, never], ignore_index=True)[["ID", "TREAT", "time", "end"]]


@pytest.mark.parametrize("model", ["andersen_gill", "pwp_total", "pwp_gap"])
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_models_match_coxph(recur: pd.DataFrame, model: str, ties: str) -> None:
    expected = reference("recurrent_recur")[f"{model}_{ties}"]
    fit = recurrent_cox(
        recur, "TIME1", "CENSOR", ["AGE", "TREAT"], entry="TIME0", cluster="ID", model=model,
        ties=ties,  # type: ignore[arg-type]
    )  # fmt: skip
    np.testing.assert_allclose(fit.coef, expected["coef"], rtol=RTOL)
    np.testing.assert_allclose(fit.std_error, expected["se"], rtol=RTOL)
    np.testing.assert_allclose(fit.robust_std_error, expected["robust_se"], rtol=RTOL)
    assert fit.loglik == pytest.approx(expected["loglik"][1], rel=1e-12)
    assert fit.n_events == expected["nevent"]
    if model != "andersen_gill":
        given_numbers = recurrent_cox(
            recur,
            "TIME1",
            "CENSOR",
            ["AGE", "TREAT"],
            entry="TIME0",
            cluster="ID",
            model=model,
            ties=ties,  # type: ignore[arg-type]
            event_number="EVENT",
        )
        np.testing.assert_allclose(given_numbers.coef, fit.coef, rtol=1e-12)


def test_mcf_matches_survfit(recur: pd.DataFrame) -> None:
    expected = reference("recurrent_recur")
    mcf = mean_cumulative_function(events_table(recur), id="ID", time="time", end="end")
    whole = mcf.summary()
    curve = expected["mcf_curve"]
    keep = np.isin(curve["time"], whole["time"])  # survfit also lists censoring times
    np.testing.assert_allclose(whole["mcf"], np.array(curve["cumhaz"])[keep], rtol=RTOL)
    np.testing.assert_allclose(whole["std_error"], np.array(curve["std_err"])[keep], rtol=RTOL)
    at = mcf.at(expected["mcf"]["times"])
    np.testing.assert_allclose(at["mcf"], expected["mcf"]["cumhaz"], rtol=RTOL)
    np.testing.assert_allclose(at["std_error"], expected["mcf"]["std_err"], rtol=RTOL)
    np.testing.assert_allclose(at["n_risk"], expected["mcf"]["n_risk"])
    json.dumps(mcf.to_dict())
    assert "400 people, 939 re-arrests" in mcf._repr_html_()


def test_mcf_by_group_matches_survfit(recur: pd.DataFrame) -> None:
    expected = reference("recurrent_recur")["mcf_treat"]
    mcf = mean_cumulative_function(
        events_table(recur), id="ID", time="time", end="end", group="TREAT"
    )
    at = mcf.at(expected["times"])
    np.testing.assert_allclose(at["mcf"], expected["cumhaz"], rtol=RTOL)
    np.testing.assert_allclose(at["std_error"], expected["std_err"], rtol=RTOL)
    assert at["group"].tolist() == [0] * 7 + [1] * 7
    import matplotlib

    matplotlib.use("Agg")
    ax = mcf.plot(labels={1: "treated"})
    assert ax.get_ylabel() == "Mean re-arrests per person"
    assert {"TREAT = 0", "treated"} <= {t.get_text() for t in ax.get_legend().get_texts()}


@budget(100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(1, 20), st.integers(0, 20)),
        min_size=1,
        max_size=40,
    )
)
def test_mcf_properties(rows: list[tuple[int, int, int]]) -> None:
    ends = {pid: end for pid, end, _ in rows}
    table = pd.DataFrame(
        [(pid, min(t, ends[pid]), ends[pid]) for pid, _, t in rows], columns=["id", "t", "end"]
    )
    mcf = mean_cumulative_function(table, id="id", time="t", end="end").summary()
    assert np.all(np.diff(mcf["mcf"]) > 0) and np.all(mcf["std_error"] >= 0)
    # before anyone's follow-up ends, the MCF is the number of events per person
    first_end = min(ends.values())
    early = mcf[mcf["time"] < first_end]
    counts = [(table["t"] <= t).sum() / len(ends) for t in early["time"]]
    np.testing.assert_allclose(early["mcf"], counts, rtol=1e-12)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"time": "late"}, DataError),
        ({"end": "varying"}, DataError),
        ({"id": "nope"}, DataError),
        ({"conf_level": 1.0}, SpecificationError),
    ],
)
def test_mcf_bad_input(
    recur: pd.DataFrame, change: dict[str, str], error: type[RpevalError]
) -> None:
    events = events_table(recur).assign(
        late=lambda f: f["time"] + 1000, varying=lambda f: f["end"] + np.arange(len(f))
    )
    arguments: dict[str, object] = {"id": "ID", "time": "time", "end": "end"}
    arguments.update(change)
    with pytest.raises(error):
        mean_cumulative_function(events, **arguments)  # type: ignore[arg-type]


def test_mcf_empty_input_raises() -> None:
    empty = pd.DataFrame({"id": [], "t": [], "end": []})
    with pytest.raises(DataError):
        mean_cumulative_function(empty, id="id", time="t", end="end")


def test_overlapping_intervals_raise_but_gaps_are_fine(recur: pd.DataFrame) -> None:
    overlapping = recur.assign(TIME0=recur["TIME0"].where(recur["TIME0"] == 0, recur["TIME0"] - 1))
    with pytest.raises(DataError, match="overlap"):
        recurrent_cox(overlapping, "TIME1", "CENSOR", ["AGE"], entry="TIME0", cluster="ID")
    gaps = recur.assign(TIME0=recur["TIME0"].where(recur["TIME0"] == 0, recur["TIME0"] + 0.5))
    gaps = gaps[gaps["TIME0"] < gaps["TIME1"]]
    fit = recurrent_cox(gaps, "TIME1", "CENSOR", ["AGE", "TREAT"], entry="TIME0", cluster="ID")
    assert fit.n_events <= 939


def test_recurrent_cox_bad_input(recur: pd.DataFrame) -> None:
    with pytest.raises(SpecificationError):
        recurrent_cox(recur, "TIME1", "CENSOR", ["AGE"], entry="TIME0", cluster="ID", model="wlw")  # type: ignore[arg-type]
    with pytest.raises(DataError):
        recurrent_cox(recur, "TIME0", "CENSOR", ["AGE"], entry="TIME1", cluster="ID")


def test_andersen_gill_is_a_deprecated_alias_of_recurrent_cox(recur: pd.DataFrame) -> None:
    with pytest.warns(FutureWarning, match="recurrent_cox"):
        old = andersen_gill(recur, "TIME0", "TIME1", "CENSOR", ["AGE"], id="ID", model="pwp_gap")
    new = recurrent_cox(
        recur, "TIME1", "CENSOR", ["AGE"], entry="TIME0", cluster="ID", model="pwp_gap"
    )
    pd.testing.assert_frame_equal(old.summary(), new.summary())
