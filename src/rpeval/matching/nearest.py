"""``match()``: nearest-neighbour (greedy) and optimal matching with MatchIt 4.7 semantics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval.errors import DataError, SpecificationError
from rpeval.matching._nearest_pairs import nearest_pairs
from rpeval.matching._setup import (
    check_design,
    check_options,
    check_variable,
    in_key_order,
    whitened,
)
from rpeval.matching._weights import matching_weights
from rpeval.matching.designs import STRATIFIED_METHODS, stratified_match
from rpeval.matching.optimal import optimal_matches
from rpeval.matching.propensity import propensity
from rpeval.matching.result import MatchResult

__all__ = ["match"]

FloatArray = NDArray[np.float64]
Order = Literal["largest", "smallest", "random", "data"]
Discard = Literal["none", "treated", "control", "both"]


def match(
    data: pd.DataFrame,
    treatment: str,
    covariates: str | Sequence[str],
    *,
    method: str = "nearest",
    distance: str = "propensity",
    link: str = "logit",
    ratio: int = 1,
    replace: bool = False,
    caliper: float | Mapping[str, float] | None = None,
    std_caliper: bool = True,
    exact: str | Sequence[str] | None = None,
    antiexact: str | Sequence[str] | None = None,
    order: Order | None = None,
    discard: Discard = "none",
    estimand: Literal["ATT", "ATC", "ATE"] = "ATT",
    treated: Any = None,
    random_state: int | None = None,
    n_subclasses: int = 6,
    cutpoints: Mapping[str, Any] | None = None,
    k2k: bool = False,
    min_controls: int | None = None,
    max_controls: int | None = None,
    tie_key: str | None = None,
) -> MatchResult:
    """Match each treated unit to its nearest control(s) (greedy, as MatchIt's default),
    or optimally.

    Parameters
    ----------
    method
        ``"nearest"``: greedy, in ``order`` (MatchIt's default). ``"optimal"``: the
        assignment with the most pairs the calipers and strata allow and, among those,
        the smallest total distance (as MatchIt's ``"optimal"``/optmatch ``pairmatch``;
        without replacement; a treated unit may get fewer than ``ratio`` controls when
        the constraints leave too few). Stratified designs: ``"exact"`` (one subclass per
        distinct covariate pattern), ``"cem"`` (coarsened exact matching), ``"subclass"``
        (propensity-score subclasses) and ``"full"`` (optimal full matching: every unit
        in a set of one treated and several controls or the reverse, minimising the total
        distance within sets; exact, via a minimum-weight edge cover). They keep strata
        holding both groups, weight units as MatchIt does, also estimate the ATE, and leave
        ``pairs`` empty (use ``data["subclass"]``).
    distance
        ``"propensity"`` (logistic score on the probability scale), ``"mahalanobis"``
        (pooled within-group covariance of the covariates), or the name of a column
        holding a score. ``link="linear.logit"`` matches on the logit of the propensity.
    ratio, replace
        Controls per treated unit (round-robin: everyone gets a first control before
        anyone gets a second) and whether a control may be reused.
    caliper, std_caliper
        Largest allowed distance; with ``std_caliper`` it is in SDs of the distance over
        the non-discarded units, on the scale matched on. A dict gives per-covariate
        calipers (key ``"distance"`` for the distance itself).
    exact, antiexact
        Columns that must be equal (match within strata) or must differ within a pair.
    min_controls, max_controls
        Variable-ratio optimal matching (``method="optimal"``): each treated unit gets
        between ``min_controls`` and ``max_controls`` controls, ``ratio`` (which may be
        fractional) controls on average, with the least total distance.
    n_subclasses, cutpoints, k2k
        For ``method="subclass"``: the number of propensity-score subclasses. For
        ``"cem"``: per-covariate coarsening (a number of equal-width bins, a list of cut
        points, ``"sturges"`` (default), ``"scott"``, ``"fd"``, or 0 to keep it exact), and
        ``k2k=True`` to pair units one-to-one (optimally, Mahalanobis) within strata.
    order
        Order in which treated units choose: ``"largest"`` distance first, ``"smallest"``,
        ``"random"`` (seeded by ``random_state``; numpy's generator, so not R's draws) or
        ``"data"``. The default is MatchIt's: ``"largest"`` for the ATT, ``"smallest"``
        for the ATC, the data order for Mahalanobis distance. With replacement the order
        does not matter.
    discard
        Drop units outside the common support of the score before matching.
    tie_key
        A column identifying each row (a person id): the rows are matched in its order,
        so ties no longer depend on the order the rows came in and the result is the
        same for any shuffle of ``data``. The default, ``None``, is MatchIt's rule: ties
        follow the row order.
    estimand
        ``"ATT"`` matches controls to treated units, ``"ATC"`` the reverse.

    Notes
    -----
    Nearest-neighbour matching makes MatchIt 4.7.2's choices, ties included: pair
    identities and weights equal MatchIt's unit by unit for every option above
    (``tests/reference/matchit_pairs.R``; the tie rules are in
    :mod:`rpeval.matching._greedy`). With a scalar distance a tie goes to the control
    fewer positions away in the order of all units by (distance, row), the lower one at
    equal steps; with Mahalanobis distance, to the one MatchIt's walk meets last.
    Mahalanobis distances that are equal in exact arithmetic count as ties here, where R
    lets its rounding decide. Optimal matching solves a sparse minimum-weight bipartite
    assignment (:mod:`rpeval.matching.optimal`) with its own documented tie rule; its
    total distance is never above greedy matching's and equals a brute-force search on
    small problems (tests).

    Examples
    --------
    >>> from rpeval.datasets import simulate_program
    >>> people = simulate_program(100, 900, random_state=3).people
    >>> m = match(people, "participant", "age + prior_arrests + C(offense_type)")
    >>> m.counts().loc["matched"].astype(int).tolist()
    [100, 100]
    """
    order = order or ("smallest" if estimand == "ATC" else "largest")
    variable = check_variable(method, ratio, min_controls, max_controls)
    fixed_ratio = ratio if variable is None else variable[1]
    check_options(method, distance, fixed_ratio, replace, caliper, order, discard, estimand)
    frame = _frames.as_pandas(data, arg="data", caller="match")
    if tie_key is not None:
        frame = in_key_order(frame, tie_key)
    exact_cols = [exact] if isinstance(exact, str) else list(exact or [])
    anti_cols = [antiexact] if isinstance(antiexact, str) else list(antiexact or [])
    cov_calipers = dict(caliper) if isinstance(caliper, Mapping) else {}
    distance_caliper = cov_calipers.pop("distance", None) if cov_calipers else caliper
    _frames.require_columns(
        frame, [*exact_cols, *anti_cols, *cov_calipers], arg="exact", caller="match"
    )
    score_column = distance not in ("propensity", "mahalanobis")
    if score_column:
        _frames.require_columns(frame, [distance], arg="distance", caller="match")
    coding = _frames.treatment_indicator(
        frame, treatment, treated=treated, arg="treatment", caller="match"
    )
    if coding.n_treated == 0 or coding.n_control == 0:
        raise DataError("match(): one treatment group is empty")
    focal = ~coding.is_treated if estimand == "ATC" else coding.is_treated
    check_design(method, fixed_ratio, replace, caliper, anti_cols, n_subclasses, cutpoints, k2k)
    needs_score = method not in ("exact", "cem")
    ps = None
    if distance == "propensity" and needs_score:
        ps = propensity(frame, treatment, covariates, treated=treated)
        score = ps.score if link == "logit" else ps.linear_predictor
        if link not in ("logit", "linear.logit"):
            raise SpecificationError(f"match(): link={link!r}; use 'logit' or 'linear.logit'")
    elif score_column and needs_score:
        score = _frames.numeric_array(frame, distance, arg="distance", caller="match")
    else:
        score = None
    keep = np.ones(len(frame), dtype=bool)
    if discard != "none" and score is not None:
        t_range = (score[focal].min(), score[focal].max())
        c_range = (score[~focal].min(), score[~focal].max())
        if discard in ("control", "both"):
            keep &= focal | ((score >= t_range[0]) & (score <= t_range[1]))
        if discard in ("treated", "both"):
            keep &= ~focal | ((score >= c_range[0]) & (score <= c_range[1]))
    caliper_width = np.inf
    if isinstance(distance_caliper, int | float) and score is not None:
        caliper_width = float(distance_caliper)
        if std_caliper:
            caliper_width *= float(np.std(score[keep], ddof=1))
    widths = np.zeros(0)
    if cov_calipers:
        spreads = [
            float(np.std(frame[c].to_numpy(np.float64)[keep], ddof=1)) if std_caliper else 1.0
            for c in cov_calipers
        ]
        widths = np.asarray([w * s for w, s in zip(cov_calipers.values(), spreads, strict=True)])
    if method in STRATIFIED_METHODS:
        weights, subclass, matches, rows_focal = stratified_match(
            method,
            frame,
            coding.is_treated,
            keep,
            covariates,
            score,
            estimand,
            exact_cols=exact_cols,
            n_subclasses=n_subclasses,
            cutpoints=cutpoints,
            k2k=k2k,
            caliper_width=caliper_width,
            whiten=lambda: whitened(frame, covariates, focal),
        )
    else:
        matches, rows_focal, weights, subclass = _pair(
            frame,
            focal,
            keep,
            score,
            covariates,
            distance,
            exact_cols,
            anti_cols,
            list(cov_calipers),
            widths,
            fixed_ratio,
            replace,
            caliper_width,
            order,
            random_state,
            method,
            variable,
        )
    return MatchResult.build(
        frame,
        treatment,
        coding.is_treated,
        covariates,
        weights,
        subclass,
        score,
        keep,
        matches,
        rows_focal,
        ps,
        estimand,
        {
            "method": method,
            "distance": distance,
            "link": link,
            "ratio": ratio,
            "replace": replace,
            "caliper": caliper,
            "caliper_width": caliper_width,
            "std_caliper": std_caliper,
            "exact": exact_cols,
            "antiexact": anti_cols,
            "order": order,
            "discard": discard,
            "random_state": random_state,
            "n_subclasses": n_subclasses,
            "cutpoints": cutpoints,
            "k2k": k2k,
            "treated": treated,
            "tie_key": tie_key,
        },
    )


def _pair(
    frame: pd.DataFrame,
    focal: NDArray[np.bool_],
    keep: NDArray[np.bool_],
    score: FloatArray | None,
    covariates: str | Sequence[str],
    distance: str,
    exact_cols: list[str],
    anti_cols: list[str],
    caliper_cols: list[str],
    widths: FloatArray,
    ratio: int,
    replace: bool,
    caliper_width: float,
    order: Order,
    seed: int | None,
    method: str,
    variable: tuple[int, int, float] | None,
) -> tuple[NDArray[np.int64], NDArray[np.int64], FloatArray, NDArray[np.int64]]:
    """Pairs by greedy or optimal matching, with MatchIt's weights and subclasses."""
    if method == "nearest":
        matches = nearest_pairs(
            frame,
            focal,
            keep,
            score,
            covariates,
            distance,
            exact_cols,
            anti_cols,
            caliper_cols,
            widths,
            ratio,
            replace,
            caliper_width,
            order,
            seed,
        )
    else:
        z = None if score is not None else whitened(frame, covariates, focal)
        matches = optimal_matches(
            frame,
            focal,
            keep,
            score,
            z,
            exact_cols,
            anti_cols,
            caliper_cols,
            widths,
            ratio,
            caliper_width,
            variable=variable,
        )
    rows_focal = np.flatnonzero(focal & keep).astype(np.int64)
    weights, subclass = matching_weights(len(frame), rows_focal, matches, replace=replace)
    return matches, rows_focal, weights, subclass
