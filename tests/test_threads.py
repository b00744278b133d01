"""The shared thread pool (rpeval._threads): results in input order, errors raised, one pool."""

from __future__ import annotations

import pytest

from rpeval import _threads


def test_thread_map_keeps_order_and_uses_one_pool() -> None:
    assert _threads.thread_map(lambda x: x * 2, range(50)) == [2 * x for x in range(50)]
    assert _threads.thread_map(str, [1, 2], threads=False) == ["1", "2"]
    assert _threads.thread_map(str, []) == []
    assert _threads.shared_pool() is _threads.shared_pool()


def test_thread_map_raises_the_first_error() -> None:
    def boom(x: int) -> int:
        if x == 7:
            raise ValueError("seven")
        return x

    with pytest.raises(ValueError, match="seven"):
        _threads.thread_map(boom, range(20))
