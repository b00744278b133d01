"""Inter-rater reliability of one variable: Krippendorff's α, Cohen's κ, Fleiss' κ, Gwet's
AC1 and percent agreement.

Each function takes reliability data as a data frame with one row per unit (a segment)
and one column per coder, NaN where a coder gave no rating, and returns a
:class:`Reliability`. Units rated by fewer than two coders carry no information on
agreement: they are left out and counted (``n_units`` counts the units used).

Checked against Krippendorff's (2011) worked examples (α nominal 0.743, ordinal 0.815,
interval 0.849, ratio 0.797 on the 4-coder, 12-unit data with missing values; binary 0.095;
two-coder nominal 0.692) and R ``irr`` 0.84.1 (``kripp.alpha``, ``kappa2``,
``kappam.fleiss``; ``tests/reference/qualitative_irr.R``).

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"ann": [1, 2, 3, 3, 2], "bob": [1, 2, 3, 3, 1]})
>>> result = krippendorff_alpha(data, level="nominal", n_bootstrap=200, random_state=0)
>>> round(result.estimate, 3)
0.727
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display
from rpeval._frames import as_pandas, require_columns
from rpeval._options import check_choice, check_conf_level, check_count, make_rng, renamed
from rpeval.errors import DataError
from rpeval.qualitative._alpha import LevelOfMeasurement, alpha_bootstrap, alpha_core
from rpeval.qualitative._kappa import (
    Coefficient,
    KappaWeights,
    ac1_kernel,
    cohen_kernel,
    fleiss_kernel,
    percent_kernel,
)

__all__ = [
    "Reliability",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "percent_agreement",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")
WEIGHTS = ("unweighted", "linear", "quadratic")
COLUMNS = [
    "statistic",
    "level",
    "estimate",
    "std_error",
    "ci_lower",
    "ci_upper",
    "z",
    "p_value",
    "n_units",
    "n_coders",
]


@dataclass(frozen=True)
class Reliability:
    """One reliability coefficient.

    ``level`` is the level of measurement of α (or the weights of Cohen's κ); ``z`` and
    ``p_value`` test a coefficient of zero where the method has such a test; ``draws`` are
    α's bootstrap values (empty for the other coefficients).
    """

    statistic: str
    level: str
    estimate: float
    std_error: float
    ci_lower: float
    ci_upper: float
    z: float
    p_value: float
    n_units: int
    n_coders: int
    n_units_dropped: int
    conf_level: float
    draws: NDArray[np.float64] = field(
        default_factory=lambda: np.empty(0), repr=False, compare=False
    )

    def prob_below(self, threshold: float) -> float:
        """Share of bootstrap draws of α below `threshold` (Hayes & Krippendorff's q)."""
        if self.draws.size == 0:
            return float("nan")
        return float((self.draws < threshold).mean())

    def summary(self) -> pd.DataFrame:
        """One row: statistic, level, estimate, std_error, ci_lower, ci_upper, z, p_value,
        n_units, n_coders."""
        return pd.DataFrame([[getattr(self, c) for c in COLUMNS]], columns=COLUMNS)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (NaN as ``None``)."""
        row = {c: getattr(self, c) for c in COLUMNS}
        out = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
        return out | {"conf_level": self.conf_level, "n_units_dropped": self.n_units_dropped}

    def __str__(self) -> str:
        interval = (
            f", {self.conf_level:.0%} CI {self.ci_lower:.3f} to {self.ci_upper:.3f}"
            if np.isfinite(self.ci_lower)
            else ""
        )
        return (
            f"{self.statistic} ({self.level}) = {self.estimate:.3f}{interval} "
            f"({self.n_units} units, {self.n_coders} coders)"
        )

    def _repr_html_(self) -> str:
        return Display(str(self), (), self.summary()).html()


@dataclass(frozen=True)
class _Prepared:
    array: NDArray[np.float64]
    q: int
    n_dropped: int


def _prepare(
    ratings: object,
    coders: Sequence[str] | None,
    levels: Sequence[object] | None,
    *,
    numeric: bool,
    caller: str,
) -> _Prepared:
    frame = as_pandas(ratings, arg="ratings", caller=caller)
    names = list(frame.columns) if coders is None else list(coders)
    require_columns(frame, names, arg="coders", caller=caller)
    if len(names) < 2:
        raise DataError(
            f"{caller}(): reliability needs at least two coders, got {len(names)}",
            hint="pass a frame with one column per coder (coders= to choose them)",
        )
    frame = frame[names]
    empty = [str(c) for c in names if frame[c].isna().all()]
    if empty:
        raise DataError(
            f"{caller}(): coder {empty[0]!r} rated nothing (every value is missing)",
            hint="leave that coder out (coders=...) or check the column",
        )
    if levels is not None:
        position = {level: float(i) for i, level in enumerate(levels)}
        mapped = frame.apply(lambda col: col.map(position))
        off = frame.notna() & mapped.isna()
        if off.to_numpy().any():
            row, col = np.argwhere(off.to_numpy())[0]
            raise DataError(
                f"{caller}(): rating {frame.iloc[row, col]!r} of coder {names[col]!r} (row "
                f"{row}) is not on the scale {list(levels)}",
                hint="fix the rating or pass the scale's full list of levels",
            )
        values = mapped.to_numpy(dtype=float)
        q = len(levels)
    elif numeric:
        try:
            values = frame.apply(pd.to_numeric).to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise DataError(
                f"{caller}(): ordinal, interval and ratio ratings must be numbers",
                hint="pass levels=[...] to give the order of text ratings",
            ) from None
        q = 0
    else:
        seen = pd.unique(frame.to_numpy().ravel())
        categories = sorted((v for v in seen if not pd.isna(v)), key=lambda v: (str(type(v)), v))
        position = {value: float(i) for i, value in enumerate(categories)}
        values = frame.apply(lambda col: col.map(position)).to_numpy(dtype=float)
        q = len(categories)
    dropped = int(((~np.isnan(values)).sum(axis=1) < 2).sum())
    return _Prepared(values, q, dropped)


def _result(
    name: str, level: str, c: Coefficient, prepared: _Prepared, conf_level: float
) -> Reliability:
    return Reliability(
        name,
        level,
        c.estimate,
        c.std_error,
        c.ci_lower,
        c.ci_upper,
        c.statistic,
        c.p_value,
        c.n_units,
        prepared.array.shape[1],
        prepared.n_dropped,
        conf_level,
    )


def krippendorff_alpha(
    ratings: object,
    coders: Sequence[str] | None = None,
    *,
    level: str = "nominal",
    levels: Sequence[object] | None = None,
    conf_level: float = 0.95,
    n_bootstrap: int | None = None,
    random_state: object = None,
    n_boot: int | None = None,
) -> Reliability:
    """Krippendorff's α with a bootstrap interval (Hayes & Krippendorff 2007).

    Parameters
    ----------
    ratings
        One row per unit, one column per coder; NaN where a coder gave no rating.
    coders
        The coder columns (default: every column).
    level
        ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.
    levels
        The ordered scale, when ratings are text or positions should be used.
    conf_level, n_bootstrap, random_state
        The percentile interval of `n_bootstrap` bootstrap draws (``None``: 1000;
        ``n_bootstrap=0``: no interval).
    n_boot
        Deprecated old name of `n_bootstrap` (gives a ``FutureWarning``).

    Returns
    -------
    Reliability
        ``std_error`` is the SD of the draws; ``z``/``p_value`` are NaN (α has no
        asymptotic test); ``draws`` holds the draws (``prob_below(0.667)``). α is NaN when
        only one value occurs (no disagreement is expected, so none is measurable).

    Notes
    -----
    See :mod:`rpeval.qualitative._alpha` for the formulas.
    """
    caller = "krippendorff_alpha"
    level = check_choice(level, LEVELS, arg="level", caller=caller)
    conf_level = check_conf_level(conf_level, caller=caller)
    given = renamed(n_bootstrap, n_boot, new="n_bootstrap", old="n_boot", caller=caller)
    n_draws = check_count(1000 if given is None else given, arg="n_bootstrap", caller=caller)
    prepared = _prepare(ratings, coders, levels, numeric=level != "nominal", caller=caller)
    measure: LevelOfMeasurement = level  # type: ignore[assignment]
    core = alpha_core(prepared.array, measure)
    nan = float("nan")
    draws = np.empty(0)
    se = lower = upper = nan
    if n_draws > 0 and np.isfinite(core.alpha):
        draws = alpha_bootstrap(core, n_draws, make_rng(random_state, caller=caller))
        tail = (1 - conf_level) / 2
        lower, upper = (float(v) for v in np.quantile(draws, [tail, 1 - tail]))
        se = float(draws.std(ddof=1)) if n_draws > 1 else nan
    return Reliability(
        "krippendorff_alpha",
        level,
        core.alpha,
        se,
        lower,
        upper,
        nan,
        nan,
        core.n_units,
        prepared.array.shape[1],
        prepared.n_dropped,
        conf_level,
        draws,
    )


def cohen_kappa(
    ratings: object,
    coders: Sequence[str] | None = None,
    *,
    weighting: str | None = None,
    levels: Sequence[object] | None = None,
    conf_level: float = 0.95,
    weights: str | None = None,
) -> Reliability:
    """Cohen's κ of two coders, unweighted or with linear or quadratic weights.

    Computed by ``statsmodels.stats.inter_rater.cohens_kappa`` on units rated by both;
    ``std_error`` is its asymptotic SE (the interval is estimate ± z·SE) and ``z`` the
    test of κ = 0 with the SE under the null (as R ``irr::kappa2``). ``weighting`` is
    ``"unweighted"`` (default), ``"linear"`` or ``"quadratic"`` on the positions of
    `levels` (default: the sorted values seen). ``weights=`` is its deprecated old name
    (``weights`` elsewhere in rpeval means case weights).
    """
    caller = "cohen_kappa"
    chosen = renamed(weighting, weights, new="weighting", old="weights", caller=caller)
    weights = check_choice(
        "unweighted" if chosen is None else chosen, WEIGHTS, arg="weighting", caller=caller
    )
    conf_level = check_conf_level(conf_level, caller=caller)
    prepared = _prepare(ratings, coders, levels, numeric=False, caller=caller)
    if prepared.array.shape[1] != 2:
        raise DataError(
            f"{caller}(): Cohen's kappa compares two coders, got {prepared.array.shape[1]}",
            hint="pass coders=[a, b], or use fleiss_kappa or krippendorff_alpha",
        )
    scheme: KappaWeights = weights  # type: ignore[assignment]
    c = cohen_kernel(prepared.array, prepared.q, scheme, conf_level)
    return _result("cohen_kappa", weights, c, prepared, conf_level)


def fleiss_kappa(
    ratings: object,
    coders: Sequence[str] | None = None,
    *,
    levels: Sequence[object] | None = None,
    conf_level: float = 0.95,
) -> Reliability:
    """Fleiss' κ (statsmodels) on units rated by every coder; units with a missing rating
    are left out and counted in ``n_units_dropped``. ``z``/``p_value`` test κ = 0 as R
    ``irr::kappam.fleiss``; the interval is from a jackknife over units."""
    caller = "fleiss_kappa"
    conf_level = check_conf_level(conf_level, caller=caller)
    prepared = _prepare(ratings, coders, levels, numeric=False, caller=caller)
    incomplete = int(np.isnan(prepared.array).any(axis=1).sum())
    c = fleiss_kernel(prepared.array, prepared.q, conf_level)
    result = _result("fleiss_kappa", "nominal", c, prepared, conf_level)
    return replace(result, n_units_dropped=incomplete)


def gwet_ac1(
    ratings: object,
    coders: Sequence[str] | None = None,
    *,
    levels: Sequence[object] | None = None,
    conf_level: float = 0.95,
) -> Reliability:
    """Gwet's AC1 (nominal): agreement over units rated at least twice, category shares
    over every rated unit, Gwet's linearised SE with a t interval and test (as R
    ``irrCAC::gwet.ac1.raw``; ``z`` holds the t statistic).

    With `levels` the number of categories q is the scale's, else the values seen."""
    caller = "gwet_ac1"
    conf_level = check_conf_level(conf_level, caller=caller)
    prepared = _prepare(ratings, coders, levels, numeric=False, caller=caller)
    c = ac1_kernel(prepared.array, prepared.q, conf_level)
    return _result("gwet_ac1", "nominal", c, prepared, conf_level)


def percent_agreement(
    ratings: object,
    coders: Sequence[str] | None = None,
    *,
    levels: Sequence[object] | None = None,
) -> Reliability:
    """The share of units (rated at least twice) on which every coder agrees, with its
    binomial SE (as R ``irr::agree``, tolerance 0). Not chance-corrected."""
    caller = "percent_agreement"
    prepared = _prepare(ratings, coders, levels, numeric=False, caller=caller)
    c = percent_kernel(prepared.array, prepared.q)
    return _result("percent_agreement", "nominal", c, prepared, 0.95)
