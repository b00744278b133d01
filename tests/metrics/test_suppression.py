"""Small-cell suppression: primary rule and complementary protection (hypothesis)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rpeval.errors import SpecificationError
from rpeval.metrics import suppress_cells
from tests.hypothesis_budget import budget


def test_primary_rule_hides_one_to_k_minus_one() -> None:
    result = suppress_cells([0, 1, 9, 10, 50, 60], suppress_below=10)
    assert result.primary == (False, True, True, False, False, False)
    assert result.complementary == (False,) * 6  # two hidden already protect each other


def test_single_small_cell_gets_a_complement() -> None:
    result = suppress_cells([30, 4, 12, 80], suppress_below=10)
    assert result.hidden == (False, True, True, False)  # 12 is the smallest visible cell
    assert result.complementary == (False, False, True, False)


def test_one_turns_suppression_off() -> None:
    assert suppress_cells([1, 2, 3], suppress_below=1).hidden == (False, False, False)


@pytest.mark.parametrize("k", [0, -3, 2.5, True])
def test_bad_threshold(k: object) -> None:
    with pytest.raises(SpecificationError, match="positive integer"):
        suppress_cells([1, 2], suppress_below=k)  # type: ignore[arg-type]


def _groups(keys: list[tuple[int, ...]]) -> list[list[int]]:
    groups = [list(range(len(keys)))]
    if keys and len(keys[0]) > 1:
        for position in range(len(keys[0])):
            values = {key[position] for key in keys}
            groups += [[i for i, key in enumerate(keys) if key[position] == v] for v in values]
    return groups


@budget(300, deadline=None)
@given(
    rows=st.integers(1, 4),
    columns=st.integers(1, 4),
    data=st.data(),
    k=st.integers(1, 15),
)
def test_no_hidden_cell_is_recoverable(
    rows: int, columns: int, data: st.DataObject, k: int
) -> None:
    keys = list(itertools.product(range(rows), range(columns)))
    counts = data.draw(st.lists(st.integers(0, 40), min_size=len(keys), max_size=len(keys)))
    result = suppress_cells(counts, suppress_below=k, keys=keys if columns > 1 else None)
    hidden = result.hidden
    for index, count in enumerate(counts):
        assert result.primary[index] == (0 < count < k)
    for group in _groups(keys if columns > 1 else [(i,) for i in range(len(keys))]):
        hidden_here = [i for i in group if hidden[i]]
        # a group that sums to a published total never has exactly one hidden cell,
        # unless that cell is the whole group (then the total is the same small count)
        assert len(hidden_here) != 1 or len(group) == 1


def test_k_is_a_deprecated_alias_of_suppress_below() -> None:
    with pytest.warns(FutureWarning, match="suppress_below"):
        result = suppress_cells([30, 4, 12, 80], k=10)
    assert result == suppress_cells([30, 4, 12, 80], suppress_below=10)


def test_result_contract() -> None:
    result = suppress_cells([30, 4, 12, 80], suppress_below=10)
    frame = result.summary()
    assert list(frame.columns) == ["cell", "primary", "complementary", "hidden"]
    assert frame["hidden"].tolist() == [False, True, True, False]
    assert result.to_dict() == {
        "primary": [False, True, False, False],
        "complementary": [False, False, True, False],
        "hidden": [False, True, True, False],
        "n_hidden": 2,
    }
    text = str(result)
    assert text.startswith("Small-cell suppression") and "1 primary, 1 complementary" in text
    assert "<table" in result._repr_html_()


def test_k_and_suppress_below_together_are_an_error() -> None:
    with pytest.raises(SpecificationError, match="suppress_below= only"):
        suppress_cells([1, 2], suppress_below=5, k=5)
