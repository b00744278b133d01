"""rpeval._coding: looking up only a column's distinct values among the levels gives the
same codes and levels as looking up every row (issue 23: design matrices at 1M rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from rpeval._coding import code_covariate, sorted_levels
from tests.hypothesis_budget import budget

labels = st.sampled_from(["drug", "violent", "property", "Drug", " drug", "é", ""])
mixed = st.one_of(labels, st.integers(-3, 3), st.sampled_from([1.0, 2.5, True, False]))


def _row_by_row(values: pd.Series, levels: tuple[object, ...] | None) -> np.ndarray:
    use = levels if levels is not None else sorted_levels(values)
    return pd.Index(list(use), dtype=object).get_indexer(pd.Index(values))


@budget(60)
@given(
    st.lists(labels, min_size=1, max_size=40),
    st.sampled_from(["object", "str", "category"]),
    st.booleans(),
)
def test_text_codes_equal_row_by_row_lookup(values: list[str], dtype: str, fitted: bool) -> None:
    column = pd.Series(values, dtype=dtype)
    levels = ("violent", "drug", "property") if fitted else None
    if fitted and not set(values) <= set(levels or ()):
        return  # unseen levels raise; tested elsewhere
    coded = code_covariate(column, "g", categorical=True, levels=levels, arg="x", caller="t")
    use = coded.levels
    assert use == (levels if fitted else sorted_levels(column))
    codes = _row_by_row(column, use)
    expected = (np.arange(1, len(use))[:, None] == codes[None, :]).astype(np.float64)
    np.testing.assert_array_equal(coded.XT, expected)


@budget(60)
@given(st.lists(mixed, min_size=1, max_size=40))
def test_mixed_object_codes_equal_row_by_row_lookup(values: list[object]) -> None:
    column = pd.Series(values, dtype=object)
    coded = code_covariate(column, "g", categorical=True, arg="x", caller="t")
    assert coded.levels == sorted_levels(column)
    codes = _row_by_row(column, coded.levels)
    expected = (np.arange(1, len(coded.levels))[:, None] == codes[None, :]).astype(np.float64)
    np.testing.assert_array_equal(coded.XT, expected)
