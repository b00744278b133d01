"""Cumulative incidence and Gray's test against R cmprsk::cuminc (competing_risks.R)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rpeval.errors import DataError, RpevalError, SpecificationError
from rpeval.recidivism import cumulative_incidence
from tests.reference_data import reference, reference_csv

RTOL = 1e-10


@pytest.fixture(scope="module")
def competing() -> pd.DataFrame:
    return reference_csv("competing_data.csv")


@pytest.mark.parametrize(
    ("block", "group", "rho", "strata"),
    [
        ("cuminc_group", "group", 0.0, None),
        ("cuminc_group_rho1", "group", 1.0, None),
        ("cuminc_z", "z", 0.0, None),
        ("cuminc_all", None, 0.0, None),
        ("cuminc_group_strata_z", "group", 0.0, "z"),
    ],
)
def test_matches_cuminc(
    competing: pd.DataFrame, block: str, group: str | None, rho: float, strata: str | None
) -> None:
    expected = reference("competing_risks")[block]
    cif = cumulative_incidence(competing, "time", "status", group=group, rho=rho, strata=strata)
    at = cif.at(expected["times"])
    for name, est, var in zip(expected["names"], expected["est"], expected["var"], strict=True):
        label, cause = name.rsplit(" ", 1)
        label = label if group else "all"
        rows = at[(at["group"].astype(str) == label) & (at["cause"] == int(cause))]
        r_est = np.array(est, dtype=float)
        r_se = np.sqrt(np.array(var, dtype=float))
        known = ~np.isnan(r_est)
        np.testing.assert_allclose(rows["incidence"].to_numpy()[known], r_est[known], rtol=RTOL)
        np.testing.assert_allclose(rows["std_error"].to_numpy()[known], r_se[known], rtol=RTOL)
        # R gives NA after the last time; so do we unless nobody is left at risk
        final = cif.curves[list(map(str, cif.groups)).index(label)].survival[-1] == 0
        assert np.all(np.isnan(rows["incidence"].to_numpy()[~known])) or final
    if not expected["tests"]:
        assert cif.gray_test.empty
    else:
        tests = cif.gray_test
        np.testing.assert_allclose(tests["statistic"], expected["tests"]["stat"], rtol=RTOL)
        np.testing.assert_allclose(tests["p_value"], expected["tests"]["pv"], rtol=1e-8)
        assert tests["df"].tolist() == expected["tests"]["df"]


def test_whole_curves_match_cuminc(competing: pd.DataFrame) -> None:
    expected = reference("competing_risks")["cuminc_group"]["curves"]
    table = cumulative_incidence(competing, "time", "status", group="group").summary()
    for name, curve in expected.items():
        label, cause = name.split()
        rows = table[(table["group"] == label) & (table["cause"] == int(cause))]
        # cuminc lists each jump twice (a step); its second entries are the jumps
        r_time = np.array(curve["time"])[2::2]
        r_est = np.array(curve["est"])[2::2]
        r_var = np.array(curve["var"])[2::2]
        np.testing.assert_allclose(rows["time"], r_time)
        np.testing.assert_allclose(rows["incidence"], r_est, rtol=RTOL)
        np.testing.assert_allclose(rows["std_error"] ** 2, r_var, rtol=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
def test_robust_variance_matches_multistate_survfit(
    competing: pd.DataFrame, weighted: bool
) -> None:
    block = "survfit_multistate_weighted" if weighted else "survfit_multistate"
    expected = reference("competing_risks")[block]
    options = {"weights": "w"} if weighted else {"robust": True}
    cif = cumulative_incidence(competing, "time", "status", group="group", **options)  # type: ignore[arg-type]
    at = cif.at(expected["times"]).sort_values(["group", "time", "cause"])
    pstate = np.array(expected["pstate"])  # rows: group x time; columns: free, 1, 2
    std_err = np.array(expected["std_err"])
    np.testing.assert_allclose(at["incidence"], pstate[:, 1:].ravel(), rtol=RTOL)
    np.testing.assert_allclose(at["std_error"], std_err[:, 1:].ravel(), rtol=RTOL)
    assert cif.variance == "robust" and cif.weighted == weighted
    assert cif.gray_test.empty == weighted  # Gray's test is for unweighted data


def test_intervals_and_output(competing: pd.DataFrame) -> None:
    cif = cumulative_incidence(competing, "time", "status", group="group")
    at = cif.at([12, 24])
    assert list(at.columns) == [
        "group",
        "cause",
        "time",
        "n_risk",
        "n_event",
        "incidence",
        "std_error",
        "ci_lower",
        "ci_upper",
    ]
    assert np.all(at["ci_lower"] < at["incidence"]) and np.all(at["incidence"] < at["ci_upper"])
    plain = cumulative_incidence(competing, "time", "status", group="group", conf_type="plain")
    half = (plain.at([12])["ci_upper"] - plain.at([12])["ci_lower"]) / 2
    np.testing.assert_allclose(half, 1.959964 * plain.at([12])["std_error"], rtol=1e-6)
    json.dumps(cif.to_dict())
    assert "Cumulative incidence" in cif._repr_html_()
    total = cif.at([100])
    assert total["n_event"].sum() == (competing["status"] > 0).sum()


def test_plots(competing: pd.DataFrame) -> None:
    import matplotlib

    matplotlib.use("Agg")
    cif = cumulative_incidence(competing, "time", "status", group="group")
    ax = cif.plot(cause=2, times=[0, 12, 24, 36])
    assert ax.get_ylabel() == "Cumulative incidence of cause 2"
    assert "group = A" in [t.get_text() for t in ax.texts]
    ax = cif.plot(kind="stacked", at_risk=False)
    assert ax.get_ylim() == (0.0, 1.0)
    with pytest.raises(SpecificationError):
        cif.plot(cause=7)
    with pytest.raises(SpecificationError):
        cif.plot(kind="pie")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"event": "negative"}, DataError),
        ({"event": "fraction"}, DataError),
        ({"event": "none"}, DataError),
        ({"duration": "minus"}, DataError),
        ({"group": "nope"}, DataError),
        ({"conf_type": "log"}, SpecificationError),
        ({"conf_level": 0}, SpecificationError),
        ({"rho": -1}, SpecificationError),
        ({"duration": 3}, SpecificationError),
        ({"weights": "negative_w"}, DataError),  # weight 0 leaves a row out (zero_weights)
        ({"weights": "one_w", "robust": False}, SpecificationError),
        ({"robust": "jackknife"}, SpecificationError),
        ({"variance": "jackknife"}, SpecificationError),
        ({"variance": "robust", "robust": True}, SpecificationError),
    ],
)
def test_bad_input(change: dict[str, object], error: type[RpevalError]) -> None:
    data = pd.DataFrame(
        {
            "t": [1.0, 2, 3],
            "e": [1, 2, 0],
            "negative": [-1, 0, 1],
            "fraction": [0.5, 1, 0],
            "none": [0, 0, 0],
            "minus": [-1.0, 2, 3],
            "negative_w": [1.0, -1, 1],
            "one_w": [1.0, 1, 1],
        }
    )
    arguments: dict[str, object] = {"duration": "t", "event": "e"}
    arguments.update(change)
    with pytest.raises(error):
        cumulative_incidence(data, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(("variance", "robust"), [("gray", False), ("robust", True)])
def test_variance_is_a_deprecated_alias_of_robust(
    competing: pd.DataFrame, variance: str, robust: bool
) -> None:
    with pytest.warns(FutureWarning, match=f"use robust={robust}"):
        old = cumulative_incidence(competing, "time", "status", group="group", variance=variance)  # type: ignore[arg-type]
    new = cumulative_incidence(competing, "time", "status", group="group", robust=robust)
    pd.testing.assert_frame_equal(old.summary(), new.summary())
    assert old.variance == new.variance == ("robust" if robust else "gray")


@pytest.mark.parametrize("weighted", [False, True])
def test_cluster_robust_variance_matches_survfit_influence_summed_by_cluster(
    competing: pd.DataFrame, weighted: bool
) -> None:
    expected = reference("competing_cluster")["weighted" if weighted else "unweighted"]
    data = competing.assign(cl=np.arange(len(competing)) // 3)
    options = {"weights": "w"} if weighted else {}
    cif = cumulative_incidence(data, "time", "status", group="group", cluster="cl", **options)  # type: ignore[arg-type]
    at = cif.at(expected["times"])
    for label in expected["groups"]:
        curve = expected["curves"][label]
        for cause in (1, 2):
            rows = at[(at["group"] == label) & (at["cause"] == cause)].sort_values("time")
            np.testing.assert_allclose(
                rows["incidence"], np.array(curve["incidence"])[:, cause - 1], rtol=RTOL
            )
            np.testing.assert_allclose(
                rows["std_error"], np.array(curve["std_err"])[:, cause - 1], rtol=RTOL
            )
    singletons = cumulative_incidence(
        data.assign(one=np.arange(len(data))), "time", "status", group="group", cluster="one",
        **options,  # type: ignore[arg-type]
    )  # fmt: skip
    plain = cumulative_incidence(data, "time", "status", group="group", robust=True, **options)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(singletons.summary(), plain.summary(), rtol=1e-12)
    with pytest.raises(SpecificationError, match="cluster"):
        cumulative_incidence(data, "time", "status", cluster="cl", robust=False)
