"""``match()``: the options checked into a frozen :class:`~rpeval.matching._plan.MatchPlan`,
the sample prepared (score, common support, calipers), the design the plan names
(:mod:`rpeval.matching.designs`) run, and a :class:`MatchResult` built."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval.errors import DataError, SpecificationError
from rpeval.matching._checks import check_design, check_options, check_variable, in_key_order
from rpeval.matching._plan import Discard, DistanceScale, MatchPlan, MatchSample, Order
from rpeval.matching.designs import run_design
from rpeval.matching.propensity import PropensityResult, propensity
from rpeval.matching.result import MatchResult

__all__ = ["match"]

FloatArray = NDArray[np.float64]
_SCALES: tuple[DistanceScale, ...] = ("probability", "linear")
_LINKS: dict[str, DistanceScale] = {"logit": "probability", "linear.logit": "linear"}


def match(
    data: pd.DataFrame,
    treatment: str,
    covariates: str | Sequence[str],
    *,
    method: str = "nearest",
    distance: str = "propensity",
    distance_scale: DistanceScale | None = None,
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
    link: str | None = None,
    missing: Literal["error", "drop"] = "error",
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
        ``"propensity"`` (a logistic propensity score), ``"mahalanobis"`` (pooled
        within-group covariance of the covariates), or the name of a column holding a
        score.
    distance_scale
        The scale a propensity score is matched on (and its caliper measured on):
        ``"probability"`` (the default; MatchIt's ``link = "logit"``) or ``"linear"``, the
        linear predictor, i.e. the logit of the score (MatchIt's ``"linear.logit"``).
    link
        Deprecated alias of ``distance_scale`` in MatchIt's words (``"logit"`` is
        ``"probability"``, ``"linear.logit"`` is ``"linear"``); it warns. In
        :func:`propensity` and :func:`weight`, ``link`` is the model's link.
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
    missing
        A missing value in a column read (``treatment``, covariates, a ``distance`` column,
        ``exact``, ``antiexact``, caliper columns, ``tie_key``): ``"error"`` raises with the
        counts per column; ``"drop"`` matches the complete rows as if the others were not
        in ``data`` (counted in ``n_dropped``, ``missing_by_column``): they are in neither
        ``data`` nor ``pairs`` (which keep ``data``'s index labels), nor in ``propensity``.

    Notes
    -----
    Nearest-neighbour matching makes MatchIt 4.7.2's choices, ties included: pair
    identities and weights equal MatchIt's unit by unit for every option above
    (``tests/reference/matchit_pairs.R``; the tie rules are in
    :mod:`rpeval.matching.designs._greedy`). With a scalar distance a tie goes to the control
    fewer positions away in the order of all units by (distance, row), the lower one at
    equal steps; with Mahalanobis distance, to the one MatchIt's walk meets last.
    Mahalanobis distances that are equal in exact arithmetic count as ties here, where R
    lets its rounding decide. Optimal matching solves a sparse minimum-weight bipartite
    assignment (:mod:`rpeval.matching.designs.optimal`) with its own documented tie rule; its
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
    plan = _checked_plan(
        method=method,
        distance=distance,
        distance_scale=distance_scale,
        link=link,
        ratio=ratio,
        replace=replace,
        caliper=caliper,
        std_caliper=std_caliper,
        exact=exact,
        antiexact=antiexact,
        order=order,
        discard=discard,
        estimand=estimand,
        random_state=random_state,
        n_subclasses=n_subclasses,
        cutpoints=cutpoints,
        k2k=k2k,
        min_controls=min_controls,
        max_controls=max_controls,
    )
    frame = _frames.as_pandas(data, arg="data", caller="match")
    complete = _complete_rows(plan, frame, treatment, covariates, tie_key, missing)
    frame = complete.frame
    if tie_key is not None:
        frame = in_key_order(frame, tie_key)
    sample, ps = _sample(plan, frame, treatment, covariates, treated)
    settings = _settings(
        plan, sample, ratio=ratio, caliper=caliper, treated=treated, tie_key=tie_key
    )
    return MatchResult.build(
        sample,
        run_design(plan, sample),
        treatment=treatment,
        ps=ps,
        estimand=estimand,
        settings={**settings, "missing": missing},
        dropped=(complete.n_dropped, complete.missing_by_column),
    )


def _checked_plan(
    *,
    method: str,
    distance: str,
    distance_scale: DistanceScale | None,
    link: str | None,
    ratio: int,
    replace: bool,
    caliper: float | Mapping[str, float] | None,
    std_caliper: bool,
    exact: str | Sequence[str] | None,
    antiexact: str | Sequence[str] | None,
    order: Order | None,
    discard: Discard,
    estimand: Literal["ATT", "ATC", "ATE"],
    random_state: int | None,
    n_subclasses: int,
    cutpoints: Mapping[str, Any] | None,
    k2k: bool,
    min_controls: int | None,
    max_controls: int | None,
) -> MatchPlan:
    """``match()``'s options checked (MatchIt's default order filled in, the caliper split
    into the distance's and the covariates') into a frozen :class:`MatchPlan`."""
    variable = check_variable(method, ratio, min_controls, max_controls)
    order = order or ("smallest" if estimand == "ATC" else "largest")
    fixed_ratio = ratio if variable is None else variable[1]
    check_options(
        method=method, distance=distance, ratio=fixed_ratio, replace=replace, caliper=caliper,
        order=order, discard=discard, estimand=estimand,
    )  # fmt: skip
    exact_cols = [exact] if isinstance(exact, str) else list(exact or [])
    anti_cols = [antiexact] if isinstance(antiexact, str) else list(antiexact or [])
    check_design(
        method=method, ratio=fixed_ratio, replace=replace, caliper=caliper, anti_cols=anti_cols,
        n_subclasses=n_subclasses, cutpoints=cutpoints, k2k=k2k,
    )  # fmt: skip
    cov_calipers = dict(caliper) if isinstance(caliper, Mapping) else {}
    distance_caliper = cov_calipers.pop("distance", None) if cov_calipers else caliper
    return MatchPlan(
        method=method,
        distance=distance,
        distance_scale=_distance_scale(distance_scale, link),
        ratio=fixed_ratio,
        variable=variable,
        replace=replace,
        std_caliper=std_caliper,
        distance_caliper=(
            float(distance_caliper) if isinstance(distance_caliper, int | float) else None
        ),
        caliper_columns=tuple(cov_calipers),
        caliper_values=tuple(float(v) for v in cov_calipers.values()),
        exact=tuple(exact_cols),
        antiexact=tuple(anti_cols),
        order=order,
        discard=discard,
        estimand=estimand,
        random_state=random_state,
        n_subclasses=n_subclasses,
        cutpoints=cutpoints,
        k2k=k2k,
    )


def _settings(
    plan: MatchPlan,
    sample: MatchSample,
    *,
    ratio: int,
    caliper: float | Mapping[str, float] | None,
    treated: Any,
    tie_key: str | None,
) -> dict[str, Any]:
    """The options ``match()`` was called with, as :attr:`MatchResult.settings` records
    them (``ratio`` and ``caliper`` as given; the order and scale as resolved)."""
    return {
        "method": plan.method,
        "distance": plan.distance,
        "distance_scale": plan.distance_scale,
        "ratio": ratio,
        "replace": plan.replace,
        "caliper": caliper,
        "caliper_width": sample.caliper_width,
        "std_caliper": plan.std_caliper,
        "exact": list(plan.exact),
        "antiexact": list(plan.antiexact),
        "order": plan.order,
        "discard": plan.discard,
        "random_state": plan.random_state,
        "n_subclasses": plan.n_subclasses,
        "cutpoints": plan.cutpoints,
        "k2k": plan.k2k,
        "treated": treated,
        "tie_key": tie_key,
    }


def _distance_scale(distance_scale: str | None, link: str | None) -> DistanceScale:
    """The distance scale, from ``distance_scale=`` or the deprecated ``link=`` (warns)."""
    if link is not None:
        if link not in _LINKS:
            raise SpecificationError(
                f"match(): link={link!r} is unknown",
                hint='use distance_scale="probability" or "linear"',
            )
        mapped = _LINKS[link]
        warnings.warn(
            f"match(): link= is deprecated (it names the distance scale, not the model's "
            f'link); use distance_scale="{mapped}" for link="{link}"',
            FutureWarning,
            stacklevel=4,
        )
        if distance_scale is not None and distance_scale != mapped:
            raise SpecificationError(
                f"match(): link={link!r} and distance_scale={distance_scale!r} disagree",
                hint="give distance_scale= only",
            )
        return mapped
    if distance_scale is None:
        return "probability"
    for scale in _SCALES:
        if distance_scale == scale:
            return scale
    raise SpecificationError(
        f"match(): distance_scale={distance_scale!r} is unknown",
        hint='use "probability" (the score) or "linear" (its logit)',
    )


def _complete_rows(
    plan: MatchPlan,
    frame: pd.DataFrame,
    treatment: str,
    covariates: str | Sequence[str],
    tie_key: str | None,
    missing: str,
) -> _frames.CompleteCases:
    """The rows complete in every column read (checked to exist under the argument naming
    it; strata read no score): all rows, or with ``missing="drop"`` the complete ones."""
    spec = _frames.resolve_covariates(covariates, arg="covariates", caller="match")
    named = {
        "treatment": [treatment],
        "covariates": list(spec.columns),
        "distance": [plan.distance] if plan.score_column else [],
        "exact": list(plan.exact),
        "antiexact": list(plan.antiexact),
        "caliper": list(plan.caliper_columns),
        "tie_key": [tie_key] if tie_key is not None else [],
    }
    for arg, columns in named.items():
        _frames.require_columns(frame, columns, arg=arg, caller="match")
    named["distance"] = named["distance"] if plan.needs_score else []
    read = [column for columns in named.values() for column in columns]
    return _frames.complete_cases(frame, read, missing=missing, arg="data", caller="match")


def _sample(
    plan: MatchPlan,
    frame: pd.DataFrame,
    treatment: str,
    covariates: str | Sequence[str],
    treated: Any,
) -> tuple[MatchSample, PropensityResult | None]:
    """The rows to match: treatment groups, the score on the plan's scale, the units kept
    on common support, and the calipers in the score's units."""
    coding = _frames.treatment_indicator(
        frame, treatment, treated=treated, arg="treatment", caller="match"
    )
    if coding.n_treated == 0 or coding.n_control == 0:
        raise DataError("match(): one treatment group is empty")
    focal = ~coding.is_treated if plan.estimand == "ATC" else coding.is_treated
    ps, score = None, None
    if plan.distance == "propensity" and plan.needs_score:
        ps = propensity(frame, treatment, covariates, treated=treated)
        score = ps.score if plan.distance_scale == "probability" else ps.linear_predictor
    elif plan.score_column and plan.needs_score:
        score = _frames.numeric_array(frame, plan.distance, arg="distance", caller="match")
    keep = _common_support(score, focal, plan.discard)
    caliper_width = np.inf
    if plan.distance_caliper is not None and score is not None:
        caliper_width = plan.distance_caliper
        if plan.std_caliper:
            caliper_width *= float(np.std(score[keep], ddof=1))
    spreads = [
        float(np.std(frame[c].to_numpy(np.float64)[keep], ddof=1)) if plan.std_caliper else 1.0
        for c in plan.caliper_columns
    ]
    widths = np.asarray([w * s for w, s in zip(plan.caliper_values, spreads, strict=True)])
    sample = MatchSample(
        frame, covariates, coding.is_treated, focal, keep, score, caliper_width, widths
    )
    return sample, ps


def _common_support(
    score: FloatArray | None, focal: NDArray[np.bool_], discard: str
) -> NDArray[np.bool_]:
    """Units kept by ``discard=``: those inside the other group's range of the score."""
    keep = np.ones(focal.shape[0], dtype=bool)
    if discard == "none" or score is None:
        return keep
    t_range = (score[focal].min(), score[focal].max())
    c_range = (score[~focal].min(), score[~focal].max())
    if discard in ("control", "both"):
        keep &= focal | ((score >= t_range[0]) & (score <= t_range[1]))
    if discard in ("treated", "both"):
        keep &= ~focal | ((score >= c_range[0]) & (score <= c_range[1]))
    return keep
