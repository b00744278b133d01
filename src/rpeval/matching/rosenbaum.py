"""Rosenbaum bounds: sensitivity of a matched-pairs test to hidden bias of size Gamma."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._lazy import special, stats
from rpeval._options import check_conf_level
from rpeval.errors import DataError, SpecificationError
from rpeval.matching._rosenbaum_result import ROSENBAUM_COLUMNS, RosenbaumResult
from rpeval.matching.result import MatchResult

__all__ = ["RosenbaumResult", "mcnemar_bounds", "rosenbaum_bounds", "signed_rank_bounds"]

FloatArray = NDArray[np.float64]
Alternative = Literal["greater", "less"]
_CALLER = "rosenbaum_bounds"
_EXACT_MAX_PAIRS = 50  # as R's wilcox.test: exact below 50 non-zero differences


class PValueBounds(NamedTuple):
    """Smallest and largest one-sided p-value over all assignments with bias <= Gamma."""

    p_lower: float
    p_upper: float


def mcnemar_bounds(n_favouring: int, n_discordant: int, gamma: float) -> PValueBounds:
    """Bounds on McNemar's one-sided p-value from discordant pairs.

    ``n_favouring`` discordant pairs went the way of the alternative. Under hidden bias at
    most ``gamma`` that count is stochastically between Binomial(D, 1/(1+G)) and
    Binomial(D, G/(1+G)), so the p-value ``P(X >= T)`` lies between the two tails.

    Examples
    --------
    >>> b = mcnemar_bounds(8, 10, 1.0)
    >>> round(b.p_upper, 6)  # P(Binomial(10, 1/2) >= 8) = 56/1024
    0.054688
    """
    if n_discordant == 0:
        return PValueBounds(1.0, 1.0)
    upper = _binomial_tail(n_favouring, n_discordant, gamma / (1.0 + gamma))
    lower = _binomial_tail(n_favouring, n_discordant, 1.0 / (1.0 + gamma))
    return PValueBounds(lower, upper)


def _binomial_tail(at_least: int, n: int, p: float) -> float:
    """``P(X >= at_least)`` for ``X ~ Binomial(n, p)``: ``scipy.stats.binom.sf(at_least
    - 1, n, p)`` as the regularised incomplete beta ``I_p(at_least, n - at_least + 1)``
    from ``scipy.special`` (the function scipy's binomial tail evaluates; importing
    ``scipy.stats`` costs about a second).

    >>> round(_binomial_tail(8, 10, 0.5), 6)  # 56/1024
    0.054688
    """
    if at_least <= 0:
        return 1.0
    if at_least > n:
        return 0.0
    return float(special.betainc(at_least, n - at_least + 1, p))


def _exact_tail(doubled_ranks: NDArray[np.int64], observed: int, p: float) -> float:
    """P(sum_i r_i B_i >= observed) with B_i ~ Bernoulli(p) independent (integer r_i)."""
    total = int(doubled_ranks.sum())
    dist = np.zeros(total + 1)
    dist[0] = 1.0
    reach = 0
    for r in doubled_ranks.tolist():
        shifted = dist[: reach + 1] * p
        dist[: reach + 1] *= 1.0 - p
        dist[r : r + reach + 1] += shifted
        reach += r
    return float(min(1.0, dist[observed:].sum()))


def signed_rank_bounds(
    differences: FloatArray, gamma: float, *, exact: bool | None = None
) -> PValueBounds:
    """Bounds on the one-sided p-value of Wilcoxon's signed-rank test (H1: shift > 0).

    Zero differences are dropped; ties share average ranks. Under bias at most ``gamma``
    each rank is positive with probability between 1/(1+G) and G/(1+G). ``exact``
    computes the tail of that distribution exactly (default below 50 pairs), otherwise by
    the normal approximation with mean ``p sum r`` and variance ``p (1-p) sum r^2``.

    Examples
    --------
    >>> d = np.array([1.5, 2.0, -0.5, 3.0, 0.7, 2.2])
    >>> round(signed_rank_bounds(d, 1.0).p_upper, 6)  # scipy's exact Wilcoxon p-value
    0.03125
    """
    d = differences[differences != 0.0]
    if d.size == 0:
        return PValueBounds(1.0, 1.0)
    ranks = stats.rankdata(np.abs(d))
    statistic = float(ranks[d > 0].sum())
    use_exact = d.size < _EXACT_MAX_PAIRS if exact is None else exact
    bounds = []
    for p in (1.0 / (1.0 + gamma), gamma / (1.0 + gamma)):
        if use_exact:
            doubled = np.rint(2.0 * ranks).astype(np.int64)
            bounds.append(_exact_tail(doubled, round(2.0 * statistic), p))
        else:
            mean = p * ranks.sum()
            sd = np.sqrt(p * (1.0 - p) * (ranks @ ranks))
            bounds.append(float(special.ndtr(-((statistic - mean) / sd))))
    return PValueBounds(bounds[0], bounds[1])


def _pairs(
    result: MatchResult | pd.DataFrame, outcome: str, treatment: str | None, treated: Any
) -> tuple[FloatArray, FloatArray]:
    """Treated and control outcomes of each matched pair."""
    if isinstance(result, MatchResult):
        data, treatment = result.data, result.treatment
        treated = result.settings.get("treated")
    else:
        if treatment is None:
            raise SpecificationError(
                "rosenbaum_bounds(): name the treatment column with treatment="
            )
        data = _frames.as_pandas(result, arg="result", caller="rosenbaum_bounds")
        _frames.require_columns(
            data, ["subclass"], arg="result", caller="rosenbaum_bounds", frame_arg="result"
        )
    y = _frames.numeric_array(data, outcome, arg="outcome", caller="rosenbaum_bounds")
    t = _frames.treatment_indicator(
        data, treatment, treated=treated, arg="treatment", caller="rosenbaum_bounds"
    ).is_treated
    subclass = data["subclass"].to_numpy()
    in_set = pd.notna(subclass) & (subclass != 0)
    sets = pd.DataFrame({"s": subclass[in_set], "t": t[in_set], "y": y[in_set]})
    sizes = sets.groupby("s")["t"].agg(["size", "sum"])
    if sets.empty or not ((sizes["size"] == 2) & (sizes["sum"] == 1)).all():
        raise SpecificationError(
            "rosenbaum_bounds(): needs matched pairs (each subclass one treated and one "
            "control unit)",
            hint="match 1:1 without replacement, e.g. match(..., ratio=1, replace=False)",
        )
    ordered = sets.sort_values(["s", "t"])
    return ordered["y"].to_numpy()[1::2], ordered["y"].to_numpy()[0::2]


def rosenbaum_bounds(
    result: MatchResult | pd.DataFrame,
    outcome: str,
    gammas: Sequence[float] = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0),
    *,
    treatment: str | None = None,
    alternative: Alternative | None = None,
    conf_level: float | None = None,
    exact: bool | None = None,
    treated: Any = None,
    alpha: float | None = None,
) -> RosenbaumResult:
    """Rosenbaum bounds on the p-value of a matched-pairs test over a grid of Gamma.

    Gamma is the largest factor by which hidden bias may multiply the odds that one
    member of a pair, rather than the other, was treated. A 0/1 ``outcome`` uses the
    McNemar-type test on the discordant pairs, any other the Wilcoxon signed-rank test
    on the treated-minus-control differences (zeros dropped).

    Parameters
    ----------
    result
        A 1:1 :class:`MatchResult` without replacement, or a frame of matched pairs with a
        ``subclass`` column (then ``treatment=`` names the treatment column).
    outcome
        The outcome column.
    gammas
        Values of Gamma >= 1.
    alternative
        ``"greater"`` (treated outcomes larger) or ``"less"``; by default the direction
        of the observed difference.
    conf_level
        The test is significant when ``p_upper < 1 - conf_level`` (default 0.95).
    exact
        Signed-rank test only: exact null distribution (default below 50 pairs).
    treated
        For a frame whose treatment column holds two labels: the treated one.
    alpha
        Deprecated: the significance level ``1 - conf_level``; it warns.

    Returns
    -------
    RosenbaumResult
        ``summary()`` has one row per Gamma: ``gamma``, ``test`` (``"mcnemar"`` or
        ``"signed_rank"``), ``statistic`` (discordant pairs in the direction of
        ``alternative``, or the signed-rank sum), ``n_pairs`` (discordant or non-zero
        pairs used), ``p_lower``, ``p_upper`` (bounds on the one-sided p-value) and
        ``significant`` (``p_upper < 1 - conf_level``). ``gamma_critical`` is the
        smallest Gamma at which the conclusion changes: where ``p_upper`` reaches
        ``1 - conf_level`` (1.0 if the test is not significant without bias).

    Notes
    -----
    McNemar: with ``D`` discordant pairs of which ``T`` favour the alternative,
    ``p_upper = P(X >= T)`` for ``X ~ Binomial(D, G/(1+G))`` and ``p_lower`` the same with
    ``1/(1+G)``. Signed rank: with ranks ``r`` of the non-zero ``|d|``, the statistic
    ``T = sum of r over d > 0`` and ``B_i ~ Bernoulli(p)``, ``p_upper = P(sum r_i B_i >= T)``
    at ``p = G/(1+G)`` (Rosenbaum 2002, section 4.3.3). At Gamma = 1 both equal the usual
    exact (binomial, signed-rank) p-values; checked against R's ``pbinom`` and
    ``psignrank`` (``tests/reference/matching_rosenbaum.json``).

    References
    ----------
    Rosenbaum, P. R. (2002). *Observational Studies*, 2nd ed. Springer, chapter 4.

    Examples
    --------
    >>> pairs = pd.DataFrame({"subclass": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                       "treat": [1, 0] * 4, "rearrest": [0, 1, 0, 1, 0, 1, 1, 1]})
    >>> bounds = rosenbaum_bounds(pairs, "rearrest", [1, 2], treatment="treat")
    >>> table = bounds.summary()
    >>> table[["gamma", "statistic", "n_pairs", "p_upper"]].round(4).to_numpy().tolist()
    [[1.0, 3.0, 3.0, 0.125], [2.0, 3.0, 3.0, 0.2963]]
    """
    grid = np.asarray(list(gammas), dtype=np.float64)
    if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 1.0):
        raise SpecificationError(
            f"rosenbaum_bounds(): gammas={list(gammas)!r} must be finite numbers >= 1"
        )
    if alternative not in (None, "greater", "less"):
        raise SpecificationError(
            f"rosenbaum_bounds(): alternative={alternative!r}", hint='use "greater" or "less"'
        )
    level = _significance(conf_level, alpha)
    y_t, y_c = _pairs(result, outcome, treatment, treated)
    if not (np.isfinite(y_t).all() and np.isfinite(y_c).all()):
        raise DataError(f"rosenbaum_bounds(): outcome {outcome!r} has infinite values")
    diff = y_t - y_c
    side = alternative or ("less" if diff.sum() < 0 else "greater")
    signed = diff if side == "greater" else -diff
    binary = bool(np.isin(np.concatenate([y_t, y_c]), (0.0, 1.0)).all())

    def bounds(gamma: float) -> PValueBounds:
        if binary:
            return mcnemar_bounds(int((signed > 0).sum()), int((signed != 0).sum()), gamma)
        return signed_rank_bounds(signed, gamma, exact=exact)

    nonzero = signed[signed != 0]
    statistic = (
        float((nonzero > 0).sum())
        if binary
        else float(stats.rankdata(np.abs(nonzero))[nonzero > 0].sum())
    )
    test = "mcnemar" if binary else "signed_rank"
    rows = []
    for gamma in grid.tolist():
        b = bounds(gamma)
        rows.append(
            (gamma, test, statistic, int(nonzero.size), b.p_lower, b.p_upper, b.p_upper < level)
        )
    return RosenbaumResult(
        table=pd.DataFrame(rows, columns=list(ROSENBAUM_COLUMNS)),
        test=test,
        alternative=side,
        conf_level=1.0 - level if conf_level is None else float(conf_level),
        significance=level,
        gamma_critical=_critical(bounds, level),
        n_pairs=int(nonzero.size),
        statistic=statistic,
    )


def _significance(conf_level: float | None, alpha: float | None) -> float:
    """The significance level ``1 - conf_level``, or the deprecated ``alpha`` (warns)."""
    if alpha is None:
        level = check_conf_level(0.95 if conf_level is None else conf_level, caller=_CALLER)
        return round(1.0 - level, 12)  # 0.05, not 0.050000000000000044, for 0.95
    warnings.warn(
        "rosenbaum_bounds(): alpha= is deprecated; use conf_level= (conf_level = 1 - alpha, "
        f"here conf_level={1 - alpha:g})",
        FutureWarning,
        stacklevel=3,
    )
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0.0 < alpha < 1.0:
        raise SpecificationError(f"rosenbaum_bounds(): alpha={alpha!r} must be in (0, 1)")
    if conf_level is not None and abs(1.0 - conf_level - alpha) > 1e-12:
        raise SpecificationError(
            f"rosenbaum_bounds(): alpha={alpha!r} and conf_level={conf_level!r} disagree",
            hint="give conf_level= only",
        )
    return float(alpha)


def _critical(bounds: Callable[[float], PValueBounds], alpha: float) -> float:
    """Gamma where the upper p-value bound reaches ``alpha`` (bisection on log Gamma)."""
    if bounds(1.0).p_upper >= alpha:
        return 1.0
    low, high = 0.0, 1.0
    while bounds(float(np.exp(high))).p_upper < alpha:
        low, high = high, 2.0 * high
        if high > 20.0:  # Gamma above e^20: robust to any plausible bias
            return float("inf")
    for _ in range(60):
        mid = 0.5 * (low + high)
        if bounds(float(np.exp(mid))).p_upper < alpha:
            low = mid
        else:
            high = mid
    return float(np.exp(high))
