"""Inter-rater reliability of one variable: Krippendorff's α, Cohen's κ, Fleiss' κ, Gwet's
AC1 and percent agreement.

Each function takes reliability data as a data frame with one row per unit (a segment)
and one column per coder, NaN where a coder gave no rating, and returns a
:class:`Reliability`. Units rated by fewer than two coders carry no information on
agreement: they are left out and counted (``n_units`` counts the units used). Missing
ratings are part of reliability data (coders read different units), so ``missing=`` is
``"pairable"`` by default (each coefficient uses the ratings it can pair, as R ``irr``
does); ``"drop"`` keeps only the units every coder rated and ``"error"`` raises
(:mod:`rpeval.qualitative._ratings`).

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

from rpeval._display import Display, Displayed
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
from rpeval.qualitative._ratings import Prepared, RatingsMissing, prepare_ratings

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


NAMES = {
    "krippendorff_alpha": "Krippendorff's alpha",
    "cohen_kappa": "Cohen's kappa",
    "fleiss_kappa": "Fleiss' kappa",
    "gwet_ac1": "Gwet's AC1",
    "percent_agreement": "Percent agreement",
}


@dataclass(frozen=True)
class Reliability(Displayed):
    """One reliability coefficient.

    ``level`` is the level of measurement of α (or the weights of Cohen's κ); ``z`` and
    ``p_value`` test a coefficient of zero where the method has such a test; ``draws`` are
    α's bootstrap values (empty for the other coefficients). ``n_units_dropped`` counts
    the units left out: rated by fewer than two coders (Fleiss' κ: not by every coder),
    or with ``missing="drop"`` missing any rating; ``missing`` is the policy used.
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
    missing: str = "pairable"

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
        return out | {
            "conf_level": self.conf_level,
            "n_units_dropped": self.n_units_dropped,
            "missing": self.missing,
        }

    def _display(self) -> Display:
        title = f"{NAMES.get(self.statistic, self.statistic)} ({self.level})"
        header = (
            ("units", f"{self.n_units} used, {self.n_units_dropped} left out"),
            ("coders", str(self.n_coders)),
            ("missing", self.missing),
            ("conf_level", f"{self.conf_level:.0%}"),
        )
        notes: tuple[str, ...] = ()
        if self.draws.size:
            notes = (
                f"Percentile interval from {self.draws.size} bootstrap draws "
                f"(Hayes & Krippendorff 2007); share of draws below 0.667: "
                f"{self.prob_below(0.667):.3f}.",
            )
        return Display(title, header, self.summary(), notes)


def _result(
    name: str, level: str, c: Coefficient, prepared: Prepared, conf_level: float
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
        missing=prepared.missing,
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
    missing: RatingsMissing = "pairable",
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
    missing
        ``"pairable"`` (default): α uses every pairable value, i.e. every unit rated by at
        least two coders (Krippendorff 2011; missing ratings are part of the method, not
        a defect of the data); ``"drop"``: only units every coder rated (counted in
        ``n_units_dropped``); ``"error"``: a missing rating raises, with counts per coder.
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
    prepared = prepare_ratings(
        ratings, coders, levels, numeric=level != "nominal", missing=missing, caller=caller
    )
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
        prepared.missing,
    )


def cohen_kappa(
    ratings: object,
    coders: Sequence[str] | None = None,
    *,
    weighting: str | None = None,
    levels: Sequence[object] | None = None,
    conf_level: float = 0.95,
    missing: RatingsMissing = "pairable",
    weights: str | None = None,
) -> Reliability:
    """Cohen's κ of two coders, unweighted or with linear or quadratic weights.

    Computed by ``statsmodels.stats.inter_rater.cohens_kappa`` on units rated by both;
    ``std_error`` is its asymptotic SE (the interval is estimate ± z·SE) and ``z`` the
    test of κ = 0 with the SE under the null (as R ``irr::kappa2``). ``weighting`` is
    ``"unweighted"`` (default), ``"linear"`` or ``"quadratic"`` on the positions of
    `levels` (default: the sorted values seen). ``weights=`` is its deprecated old name
    (``weights`` elsewhere in rpeval means case weights). ``missing``: ``"pairable"``
    (default) and ``"drop"`` both use the units both coders rated (the others counted in
    ``n_units_dropped``); ``"error"`` raises on a missing rating.
    """
    caller = "cohen_kappa"
    chosen = renamed(weighting, weights, new="weighting", old="weights", caller=caller)
    weights = check_choice(
        "unweighted" if chosen is None else chosen, WEIGHTS, arg="weighting", caller=caller
    )
    conf_level = check_conf_level(conf_level, caller=caller)
    prepared = prepare_ratings(
        ratings, coders, levels, numeric=False, missing=missing, caller=caller
    )
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
    missing: RatingsMissing = "pairable",
) -> Reliability:
    """Fleiss' κ (statsmodels) on units rated by every coder; units with a missing rating
    are left out and counted in ``n_units_dropped`` (with ``missing="pairable"``, the
    default, or ``"drop"``; ``"error"`` raises). ``z``/``p_value`` test κ = 0 as R
    ``irr::kappam.fleiss``; the interval is from a jackknife over units."""
    caller = "fleiss_kappa"
    conf_level = check_conf_level(conf_level, caller=caller)
    prepared = prepare_ratings(
        ratings, coders, levels, numeric=False, missing=missing, caller=caller
    )
    incomplete = int(np.isnan(prepared.array).any(axis=1).sum()) + prepared.n_listwise
    c = fleiss_kernel(prepared.array, prepared.q, conf_level)
    result = _result("fleiss_kappa", "nominal", c, prepared, conf_level)
    return replace(result, n_units_dropped=incomplete)


def gwet_ac1(
    ratings: object,
    coders: Sequence[str] | None = None,
    *,
    levels: Sequence[object] | None = None,
    conf_level: float = 0.95,
    missing: RatingsMissing = "pairable",
) -> Reliability:
    """Gwet's AC1 (nominal): agreement over units rated at least twice, category shares
    over every rated unit, Gwet's linearised SE with a t interval and test (as R
    ``irrCAC::gwet.ac1.raw``; ``z`` holds the t statistic).

    With `levels` the number of categories q is the scale's, else the values seen.
    ``missing``: ``"pairable"`` (default, as irrCAC), ``"drop"`` (only units every coder
    rated, the others counted) or ``"error"``."""
    caller = "gwet_ac1"
    conf_level = check_conf_level(conf_level, caller=caller)
    prepared = prepare_ratings(
        ratings, coders, levels, numeric=False, missing=missing, caller=caller
    )
    c = ac1_kernel(prepared.array, prepared.q, conf_level)
    return _result("gwet_ac1", "nominal", c, prepared, conf_level)


def percent_agreement(
    ratings: object,
    coders: Sequence[str] | None = None,
    *,
    levels: Sequence[object] | None = None,
    missing: RatingsMissing = "pairable",
) -> Reliability:
    """The share of units (rated at least twice) on which every coder agrees, with its
    binomial SE (as R ``irr::agree``, tolerance 0). Not chance-corrected. ``missing``:
    ``"pairable"`` (default), ``"drop"`` (units every coder rated) or ``"error"``."""
    caller = "percent_agreement"
    prepared = prepare_ratings(
        ratings, coders, levels, numeric=False, missing=missing, caller=caller
    )
    c = percent_kernel(prepared.array, prepared.q)
    return _result("percent_agreement", "nominal", c, prepared, 0.95)
