"""trend(): Cochran-Armitage and robust Poisson against R, window comparison, changes."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from rpeval.errors import DataError, SpecificationError
from rpeval.metrics import trend

matplotlib.use("Agg")
REFERENCE = json.loads(
    (Path(__file__).parent.parent / "reference" / "metrics_trend.json").read_text()
)


def _table(x: list[float], n: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"period": range(len(x)), "numerator": x, "denominator": n})


def test_cochran_armitage_matches_r_prop_trend_test() -> None:
    result = trend(_table(REFERENCE["x"], REFERENCE["n"]), kind="proportion")
    row = result.summary().iloc[0]
    assert row["statistic"] == pytest.approx(REFERENCE["cochran_armitage_z"], rel=1e-10)
    assert row["p_value"] == pytest.approx(REFERENCE["cochran_armitage_p"], rel=1e-8)


def test_poisson_trend_with_robust_se_matches_r_sandwich() -> None:
    table = _table(REFERENCE["counts"], REFERENCE["exposure"])
    row = trend(table, kind="rate").summary().iloc[0]
    assert np.log(row["estimate"]) == pytest.approx(REFERENCE["poisson_rate_slope"], rel=1e-7)
    assert row["std_error"] == pytest.approx(REFERENCE["poisson_rate_se"], rel=1e-6)
    negative_binomial = trend(table, kind="rate", model="negative_binomial").summary()
    assert negative_binomial.iloc[0]["estimate"] == pytest.approx(row["estimate"], rel=0.05)


def test_last_n_versus_previous_n_and_changes() -> None:
    table = _table([10, 10, 10, 20, 20, 20], [100] * 6)
    result = trend(table, kind="proportion", last=3)
    rows = result.summary().set_index("term")
    assert rows.loc["last_minus_previous", "estimate"] == pytest.approx(0.1)
    assert rows.loc["last_over_previous", "estimate"] == pytest.approx(2.0)
    se = np.sqrt(0.2 * 0.8 / 300 + 0.1 * 0.9 / 300)
    assert rows.loc["last_minus_previous", "std_error"] == pytest.approx(se)
    changes = result.changes
    assert changes["difference"].tolist() == pytest.approx([0, 0, 0.1, 0, 0])
    assert changes.loc[2, "ratio"] == pytest.approx(2.0)
    assert changes.loc[2, "ratio_ci_lower"] < 2 < changes.loc[2, "ratio_ci_upper"]
    assert "last_minus_previous" in str(result)
    assert json.loads(json.dumps(result.to_dict()))["last"] == 3
    result.plot()
    import matplotlib.pyplot as plt

    plt.close("all")


def test_mean_trend_from_standard_errors() -> None:
    frame = pd.DataFrame(
        {"period": range(5), "numerator": [50.0, 55, 61, 64, 70], "denominator": [5.0] * 5,
         "value": [10.0, 11, 12.2, 12.8, 14], "std_error": [0.5] * 5}
    )  # fmt: skip
    row = trend(frame, kind="mean").summary().iloc[0]
    assert row["estimate"] == pytest.approx(np.polyfit(range(5), frame["value"], 1)[0])


def test_bad_input() -> None:
    with pytest.raises(DataError, match="at least 3"):
        trend(_table([1, 2], [10, 10]), kind="proportion")
    with pytest.raises(DataError, match="needs 8 plotted"):
        trend(_table([1, 2, 3, 4, 5], [10] * 5), kind="proportion", last=4)
    with pytest.raises(SpecificationError):
        trend(_table([1, 2, 3], [10] * 3), kind="ratio")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="standard errors"):
        trend(_table([1, 2, 3], [10] * 3).assign(value=1.0), kind="mean")


def test_a_mean_from_a_metric_table_with_several_metrics() -> None:
    from rpeval.datasets import simulate_program
    from rpeval.metrics import Registry

    cases = simulate_program(300, 300, random_state=3).cases
    table = Registry.builtin().compute(
        ["agreement_rate", "days_referral_to_conference"],
        cases,
        period="quarter",
        period_of="referral_date",
        suppress_below=1,
    )
    result = trend(table, "days_referral_to_conference", kind="mean", last=2)
    rows = table.to_pandas()
    days = rows[rows["metric"] == "days_referral_to_conference"]
    width = (days["ci_upper"] - days["ci_lower"]).to_numpy(float)
    first = result.changes.iloc[0]
    z = 1.959963984540054
    expected = np.sqrt((width[0] / (2 * z)) ** 2 + (width[1] / (2 * z)) ** 2)
    assert first["difference_ci_upper"] - first["difference"] == pytest.approx(z * expected)
    assert result.summary()["term"].tolist() == [
        "trend", "last_minus_previous", "last_over_previous",
    ]  # fmt: skip
