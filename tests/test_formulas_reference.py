"""Formulas against R: interactions, transforms, reference levels and an interaction
without its main effect code as R's model.matrix does, through coxph and survreg
(tests/reference/formulas_rossi.R; coefficients and SEs to 1e-6 relative)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rpeval.datasets import load_rossi
from rpeval.recidivism import aft, cox

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "formulas_rossi.json").read_text(encoding="utf-8")
)


def _rossi() -> pd.DataFrame:
    rossi = load_rossi()
    groups = np.where(rossi["prio"] == 0, "0", np.where(rossi["prio"] <= 2, "1-2", "3+"))
    return rossi.assign(prio_group=groups)


@pytest.mark.parametrize("case", ["cox_interactions", "cox_interaction_only", "weibull"])
def test_formula_fits_equal_r(case: str) -> None:
    ref = REFERENCE[case]
    data = _rossi()
    if case == "weibull":
        fit = aft(data, "week", "arrest", ref["formula"], dist="weibull")
    else:
        fit = cox(data, "week", "arrest", ref["formula"])
    table = fit.summary().iloc[: len(ref["terms"])]
    np.testing.assert_allclose(table["estimate"], ref["coef"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(table["std_error"], ref["se"], rtol=1e-6)
    assert list(table["term"]) == NAMES[case]  # R's terms, in R's order


NAMES = {  # R's names, as formulaic and statsmodels write them
    "cox_interactions": [
        "fin", "age", "np.log(prio + 1)", "I(age ** 2)", "prio_group[T.0]",
        "prio_group[T.3+]", "fin:age",
    ],
    "cox_interaction_only": ["fin", "np.sqrt(prio)", "age:wexp[0]", "age:wexp[1]"],
    "weibull": [
        "(Intercept)", "fin", "prio_group[T.0]", "prio_group[T.3+]", "age",
        "fin:prio_group[T.0]", "fin:prio_group[T.3+]",
    ],
}  # fmt: skip
