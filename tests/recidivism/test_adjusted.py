"""Adjusted survival: IPTW Kaplan–Meier and Cox standardisation against R (adjusted_survival.R)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.datasets import load_rossi
from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.recidivism import adjusted_survival, kaplan_meier
from tests.hypothesis_budget import budget
from tests.reference_data import reference

RTOL = 1e-10


@pytest.fixture(scope="module")
def rossi() -> pd.DataFrame:
    return load_rossi().assign(iptw=reference("adjusted_survival")["iptw"]["weights"])


def test_iptw_matches_weighted_survfit(rossi: pd.DataFrame) -> None:
    expected = reference("adjusted_survival")
    fit = adjusted_survival(rossi, "week", "arrest", "fin", expected["times"], weights="iptw")
    table = fit.summary()
    np.testing.assert_allclose(table["survival"], expected["iptw"]["surv"], rtol=RTOL)
    np.testing.assert_allclose(table["std_error"], expected["iptw"]["std_err"], rtol=RTOL)
    np.testing.assert_allclose(table["ci_lower"], expected["iptw"]["lower"], rtol=RTOL)
    np.testing.assert_allclose(table["ci_upper"], expected["iptw"]["upper"], rtol=RTOL)
    diff = fit.differences()
    se = table["std_error"].to_numpy().reshape(2, 4)
    np.testing.assert_allclose(diff["std_error"], np.sqrt((se**2).sum(axis=0)))
    assert fit.variance == "robust"
    json.dumps(fit.to_dict())
    assert "Adjusted survival (iptw, robust" in fit._repr_html_()


def test_cox_standardisation_matches_mean_of_survfit(rossi: pd.DataFrame) -> None:
    expected = reference("adjusted_survival")
    fit = adjusted_survival(
        rossi,
        "week",
        "arrest",
        "fin",
        expected["times"],
        method="cox",
        covariates="age + prio + wexp",
        n_bootstrap=30,
        random_state=7,
    )
    np.testing.assert_allclose(fit.survival[0], expected["cox"]["surv_fin0"], rtol=RTOL)
    np.testing.assert_allclose(fit.survival[1], expected["cox"]["surv_fin1"], rtol=RTOL)
    assert fit.variance == "bootstrap" and fit.n_bootstrap == 30
    assert np.all((fit.std_error > 0.003) & (fit.std_error < 0.06))
    again = adjusted_survival(
        rossi,
        "week",
        "arrest",
        "fin",
        expected["times"],
        method="cox",
        covariates="age + prio + wexp",
        n_bootstrap=30,
        random_state=7,
    )
    np.testing.assert_array_equal(fit.std_error, again.std_error)  # seeded: bit-identical


def test_weight_refitting_bootstrap(rossi: pd.DataFrame) -> None:
    calls = []

    def reweight(sample: pd.DataFrame) -> np.ndarray:
        calls.append(len(sample))
        share = sample["fin"].mean()
        return np.where(sample["fin"] == 1, 1 / share, 1 / (1 - share))

    fit = adjusted_survival(
        rossi,
        "week",
        "arrest",
        "fin",
        [26, 52],
        weights="iptw",
        n_bootstrap=25,
        reweight=reweight,
        random_state=3,
    )
    assert len(calls) == 25 and fit.variance == "bootstrap"
    assert np.all(fit.difference_se > 0)
    import matplotlib

    matplotlib.use("Agg")
    assert fit.plot().get_ylabel().startswith("Adjusted proportion")


@budget(40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 15), st.booleans(), st.booleans()), min_size=4, max_size=40)
)
def test_unit_weights_give_kaplan_meier(rows: list[tuple[int, bool, bool]]) -> None:
    frame = pd.DataFrame(rows, columns=["t", "e", "arm"]).assign(w=1.0)
    if frame["arm"].nunique() < 2:
        return
    fit = adjusted_survival(frame, "t", "e", "arm", [5, 10], weights="w")
    km = kaplan_meier(frame, "t", "e", group="arm").at([5, 10])
    np.testing.assert_allclose(fit.summary()["survival"], km["survival"], equal_nan=True)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"method": "matching"}, SpecificationError),
        ({"weights": None}, SpecificationError),
        ({"method": "cox", "weights": None}, SpecificationError),
        ({"times": [-1]}, SpecificationError),
        ({"treatment": "one"}, DataError),
        ({"weights": "nope"}, DataError),
    ],
)
def test_bad_input(
    rossi: pd.DataFrame, change: dict[str, object], error: type[RpevalError]
) -> None:
    arguments: dict[str, object] = {
        "duration": "week",
        "event": "arrest",
        "treatment": "fin",
        "times": [52],
        "weights": "iptw",
    }
    arguments.update(change)
    with pytest.raises(error):
        adjusted_survival(rossi.assign(one=1), **arguments)  # type: ignore[arg-type]


def test_weighted_paired_design_matches_survfit() -> None:
    from tests.reference_data import reference_csv

    expected = reference("survival_paired")["weighted_km"]
    paired = reference_csv("paired_data.csv")
    fit = adjusted_survival(paired, "time", "status", "treat", [10, 30, 60, 90], weights="w")
    table = fit.summary()
    np.testing.assert_allclose(table["survival"], expected["surv"], rtol=RTOL)
    np.testing.assert_allclose(table["std_error"], expected["robust_std_err"], rtol=RTOL)
    clustered = adjusted_survival(
        paired,
        "time",
        "status",
        "treat",
        [30],
        weights="w",
        cluster="pair",
        n_bootstrap=30,
        random_state=5,
    )
    assert clustered.variance == "bootstrap" and np.all(clustered.std_error > 0)
