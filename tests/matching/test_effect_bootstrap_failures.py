"""effect(): failed bootstrap draws are counted on the result and warned about; conf_level
is checked by the shared checker."""

from __future__ import annotations

import pandas as pd
import pytest

from rpeval.errors import DataError, DataWarning, SpecificationError
from rpeval.matching import effect

# singleton "sets": a resample of six units is all treated or all control now and then
SINGLETONS = pd.DataFrame(
    {
        "treat": [1, 0, 1, 0, 1, 0],
        "y": [3.0, 1.0, 4.0, 1.5, 2.0, 0.5],
        "weights": 1.0,
        "subclass": [1, 2, 3, 4, 5, 6],
    }
)


def test_failed_draws_are_counted_and_warned_about() -> None:
    with pytest.warns(DataWarning, match=r"3 of 200 bootstrap draws failed"):
        result = effect(
            SINGLETONS, "y", treatment="treat", se="bootstrap", n_bootstrap=200,
            random_state=1, progress=False,
        )  # fmt: skip
    assert result.bootstrap_failures == 3
    assert result.summary()["bootstrap_failures"].item() == 3
    assert result.to_dict()["bootstrap_failures"] == 3
    assert "3 bootstrap draws failed" in str(result)


def test_no_failures_no_warning() -> None:
    pairs = SINGLETONS.assign(subclass=[1, 1, 2, 2, 3, 3])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        result = effect(
            pairs, "y", treatment="treat", se="bootstrap", n_bootstrap=50, random_state=1,
            progress=False,
        )  # fmt: skip
    assert result.bootstrap_failures == 0
    assert effect(pairs, "y", treatment="treat").bootstrap_failures == 0


def test_too_few_working_draws_raise() -> None:
    lonely = SINGLETONS.iloc[:2].assign(subclass=[1, 2])
    with pytest.raises(DataError, match="bootstrap draws failed"):
        effect(lonely, "y", treatment="treat", se="bootstrap", n_bootstrap=3, random_state=0,
               progress=False)  # fmt: skip


@pytest.mark.parametrize("level", [0.0, 1.0, 95, "0.95", True])
def test_conf_level_is_checked(level: object) -> None:
    with pytest.raises(SpecificationError, match="conf_level"):
        effect(SINGLETONS, "y", treatment="treat", conf_level=level)  # type: ignore[arg-type]


def test_n_bootstrap_is_checked() -> None:
    with pytest.raises(SpecificationError, match="n_bootstrap"):
        effect(SINGLETONS, "y", treatment="treat", se="bootstrap", n_bootstrap=1, progress=False)
