"""One vocabulary in the recidivism pillar (#17 item 2): `missing=` wherever a frame is read,
`random_state` through the shared checker, bootstrap failures counted on the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rpeval.datasets import load_rossi
from rpeval.errors import DataError, SpecificationError
from rpeval.recidivism import adjusted_survival, mean_cumulative_function, recurrent_cox

RECUR = Path(__file__).parent.parent / "fixtures" / "recur.csv"


@pytest.fixture(scope="module")
def recur() -> pd.DataFrame:
    return pd.read_csv(RECUR)


def test_recurrent_cox_drops_missing_rows_when_asked(recur: pd.DataFrame) -> None:
    holed = recur.astype({"AGE": float})
    holed.loc[holed.index[3], "AGE"] = np.nan
    with pytest.raises(DataError):
        recurrent_cox(holed, "TIME1", "CENSOR", ["AGE"], entry="TIME0", cluster="ID")
    fit = recurrent_cox(
        holed, "TIME1", "CENSOR", ["AGE"], entry="TIME0", cluster="ID", missing="drop"
    )
    complete = recurrent_cox(
        holed.dropna(), "TIME1", "CENSOR", ["AGE"], entry="TIME0", cluster="ID"
    )
    assert fit.n_dropped == 1
    np.testing.assert_allclose(fit.coef, complete.coef, rtol=1e-12)


def test_mean_cumulative_function_drops_missing_people_when_asked() -> None:
    events = pd.DataFrame(
        {
            "id": [1, 1, 2, 3, 4],
            "t": [2.0, 5.0, np.nan, 4.0, 1.0],
            "end": [10.0, 10.0, 8.0, 9.0, np.nan],
        }
    )
    with pytest.raises(DataError):
        mean_cumulative_function(events, id="id", time="t", end="end")
    mcf = mean_cumulative_function(events, id="id", time="t", end="end", missing="drop")
    kept = mean_cumulative_function(events.iloc[:4], id="id", time="t", end="end")
    assert mcf.n_dropped == 1
    pd.testing.assert_frame_equal(mcf.summary(), kept.summary())


def test_adjusted_survival_missing_random_state_and_bootstrap_failures() -> None:
    rossi = load_rossi().assign(w=1.0)
    holed = rossi.astype({"week": float})
    holed.loc[holed.index[0], "week"] = np.nan
    with pytest.raises(DataError):
        adjusted_survival(holed, "week", "arrest", "fin", [20, 40], weights="w")
    fit = adjusted_survival(holed, "week", "arrest", "fin", [20, 40], weights="w", missing="drop")
    kept = adjusted_survival(rossi.iloc[1:], "week", "arrest", "fin", [20, 40], weights="w")
    assert fit.n_dropped == 1
    pd.testing.assert_frame_equal(fit.summary(), kept.summary())
    options: dict[str, Any] = {"weights": "w", "n_bootstrap": 5}
    a = adjusted_survival(rossi, "week", "arrest", "fin", [20], random_state=3, **options)
    b = adjusted_survival(
        rossi, "week", "arrest", "fin", [20], random_state=np.random.default_rng(3), **options
    )
    np.testing.assert_array_equal(a.std_error, b.std_error)
    assert a.bootstrap_failures == 0 and a.to_dict()["bootstrap_failures"] == 0
    with pytest.raises(SpecificationError, match="random_state"):
        adjusted_survival(rossi, "week", "arrest", "fin", [20], random_state="x", **options)  # type: ignore[arg-type]


def test_every_result_class_keeps_the_result_contract() -> None:
    import dataclasses

    import rpeval.recidivism as recidivism

    for name in recidivism.__all__:
        cls = getattr(recidivism, name)
        if not isinstance(cls, type):
            continue
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, name  # type: ignore[attr-defined]
        for member in ("summary", "to_dict", "_repr_html_", "__str__"):
            assert any(member in vars(base) for base in cls.__mro__[:-1]), (name, member)
