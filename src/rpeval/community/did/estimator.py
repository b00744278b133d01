"""Callaway & Sant'Anna (2021) group-time average treatment effects, ATT(g, t).

For every adoption group ``g`` and period ``t`` the effect on the areas that adopted
in ``g`` is a 2 x 2 difference-in-differences against comparison areas (never
adopters, or areas not yet treated) between ``t`` and a base period, estimated by
outcome regression, inverse probability weighting or the doubly robust estimator of
Sant'Anna & Zhao (2020). Each ATT(g, t) carries its influence function (one value
per area), which gives analytical standard errors, the multiplier bootstrap clustered
by area, and the aggregations of :mod:`rpeval.community.did.aggregate`.

Agrees with R ``did`` 2.3.1 ``att_gt`` (``base_period="varying"``) on its ``mpdta``
example to 1e-6 (estimates and analytical SEs; tests/reference/community_did.R).

References: Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with
multiple time periods. Journal of Econometrics 225(2), 200-230. Sant'Anna, P. H. C. &
Zhao, J. (2020). Doubly robust difference-in-differences estimators. Journal of
Econometrics 219(1), 101-122.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({
...     "beat": [b for b in "abcd" for _ in range(3)],
...     "month": [1, 2, 3] * 4,
...     "rate": [1.0, 3, 4, 2, 5, 5, 1, 1, 3, 2, 3, 3],
...     "start": [2] * 3 + [3] * 3 + [None] * 6,
... })
>>> fit = callaway_santanna(rows, area="beat", period="month", outcome="rate",
...                         adoption="start", n_bootstrap=0)
>>> fit.summary()[["group", "time", "estimate"]].values.tolist()
[[2.0, 2.0, 1.5], [2.0, 3.0, 1.5], [3.0, 2.0, 2.5], [3.0, 3.0, -1.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval._options import check_choice, check_conf_level, check_count, make_rng, renamed
from rpeval.community.did._bootstrap import generic_draws
from rpeval.community.did._cells import Cell, comparison_mask, plan_cells
from rpeval.community.did._inference import Options, inference
from rpeval.community.did._results import GroupTimeResult
from rpeval.community.did._twobytwo import did_2x2
from rpeval.community.did._unconditional import cohort_layout, estimate
from rpeval.community.did._unconditional import draws as draws_of
from rpeval.community.panel import AreaPanel, PanelColumns, build_panel
from rpeval.errors import DataError, SpecificationError

__all__ = ["callaway_santanna"]

_CALLER = "callaway_santanna"
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class _Estimates:
    cells: list[Cell]
    att: FloatArray
    influence: FloatArray
    n_treated: NDArray[np.int64]
    n_control: NDArray[np.int64]
    skipped: tuple[Cell, ...]
    draws: FloatArray | None = None
    cohort_draws: FloatArray | None = None


def _as_panel(
    data: object, columns: dict[str, str | None], never: object, missing: str, options: Options
) -> AreaPanel:
    check_choice(missing, ["error", "drop"], arg="missing", caller=_CALLER)
    if isinstance(data, AreaPanel):
        given = [k for k, v in columns.items() if v is not None]
        given += ["missing='drop'"] if missing == "drop" else []
        if given:
            raise SpecificationError(
                f"{_CALLER}(): {', '.join(given)} given with an AreaPanel",
                hint="an AreaPanel already names its columns and had its missing values "
                "handled (area_panel(missing=)): drop those arguments",
            )
        return data
    absent = [k for k, v in columns.items() if v is None]
    if absent:
        raise SpecificationError(
            f"{_CALLER}(): {', '.join(absent)} needed when `data` is a frame",
            hint="pass area=, period=, outcome= and adoption= column names, or an AreaPanel",
        )
    names = PanelColumns(
        str(columns["area"]), str(columns["period"]), str(columns["outcome"]), None,
        columns["adoption"],
    )  # fmt: skip
    return build_panel(data, names, never=never, kind="continuous", caller=_CALLER,
                       missing=missing, also=options.covariates)  # fmt: skip


def _options(**given: object) -> Options:
    method = check_choice(given["method"], ["reg", "ipw", "dr"], arg="method", caller=_CALLER)
    control = check_choice(given["control"], ["never", "notyet"], arg="control", caller=_CALLER)
    multiplier = check_choice(
        given["multiplier"], ["rademacher", "mammen"], arg="multiplier", caller=_CALLER
    )
    covariates = given["covariates"]
    if isinstance(covariates, str) or not isinstance(covariates, Sequence):
        raise SpecificationError(
            f"{_CALLER}(): covariates={covariates!r} must be a list of column names",
            hint="e.g. covariates=['population']",
        )
    random_state = given["random_state"]
    make_rng(random_state, caller=_CALLER)
    if random_state is not None and not isinstance(random_state, int):
        raise SpecificationError(
            f"{_CALLER}(): random_state={random_state!r} must be None or an integer",
            hint="results keep the seed so aggregations redraw the same multipliers",
        )
    return Options(
        method=method,
        control=control,
        anticipation=check_count(given["anticipation"], arg="anticipation", caller=_CALLER),
        conf_level=check_conf_level(given["conf_level"], caller=_CALLER),
        n_boot=check_count(given["n_boot"], arg="n_bootstrap", caller=_CALLER),
        multiplier=multiplier,
        random_state=random_state,
        progress=bool(given["progress"]),
        covariates=tuple(str(c) for c in covariates),
    )


def _check_design(adoption: NDArray[np.int64], options: Options, dropped: int) -> None:
    if not (adoption >= 0).any():
        more = f" ({dropped} areas adopting too early to have a base period were dropped)"
        raise DataError(
            f"{_CALLER}(): no area adopts the program inside the panel" + (more if dropped else ""),
            hint="staggered DiD needs areas observed before they adopt",
        )
    if options.control == "never" and not (adoption < 0).any():
        raise DataError(
            f"{_CALLER}(): control='never' but every area adopts the program, so no area "
            "is an untreated comparison",
            hint="use control='notyet' (areas that adopt later serve as comparisons)",
        )


def _covariate_matrices(panel: AreaPanel, names: tuple[str, ...]) -> list[FloatArray]:
    mats = [panel.matrix(name) for name in names]
    for name, mat in zip(names, mats, strict=True):
        if not np.isfinite(mat).all():
            raise DataError(
                f"{_CALLER}(): covariate {name!r} has missing or infinite values",
                hint="fill or drop those areas before estimating",
            )
    return mats


class _Boot(NamedTuple):
    n_boot: int
    rng: np.random.Generator
    kind: str
    progress: bool


def _members(codes: NDArray[np.int64], cells: list[Cell], options: Options) -> NDArray[np.bool_]:
    """``(n_cohorts, n_cells)``: which cohorts are comparisons in each cell."""
    return np.column_stack(
        [comparison_mask(codes, c, options.control, options.anticipation) for c in cells]
    ).reshape(len(codes), len(cells))


def _by_loop(
    outcome: FloatArray, adoption: NDArray[np.int64], covs: list[FloatArray], options: Options,
    cells: list[Cell],
) -> tuple[list[float], list[FloatArray]]:  # fmt: skip
    n = outcome.shape[0]
    att: list[float] = []
    columns: list[FloatArray] = []
    for cell in cells:
        treated = adoption == cell.group
        use = treated | comparison_mask(adoption, cell, options.control, options.anticipation)
        early = min(cell.time, cell.base)
        x = np.column_stack([np.ones(int(use.sum()))] + [c[use, early] for c in covs])
        fit = did_2x2(
            outcome[use, cell.time], outcome[use, cell.base], treated[use], x, options.method
        )
        full = np.zeros(n)
        full[use] = fit.influence * (n / use.sum())
        att.append(fit.att)
        columns.append(full)
    return att, columns


def _estimate(
    outcome: FloatArray, adoption: NDArray[np.int64], covs: list[FloatArray], options: Options
) -> _Estimates:
    n_periods = outcome.shape[1]
    layout = cohort_layout(adoption)
    planned = plan_cells(adoption, n_periods=n_periods, anticipation=options.anticipation)
    members = _members(layout.codes, planned, options)
    has_control = np.asarray(members.any(axis=0), dtype=bool).tolist()
    cells = [c for c, ok in zip(planned, has_control, strict=True) if ok]
    skipped = tuple(c for c, ok in zip(planned, has_control, strict=True) if not ok)
    if not cells:
        raise DataError(
            f"{_CALLER}(): no group-time cell has a comparison area",
            hint="with control='notyet' the last adopters need never-treated areas",
        )
    members = members[:, np.array(has_control, dtype=bool)]
    group_index = np.searchsorted(layout.codes, [c.group for c in cells]).astype(np.int64)
    times = np.array([c.time for c in cells], dtype=np.int64)
    bases = np.array([c.base for c in cells], dtype=np.int64)
    n_treated = layout.sizes[group_index].astype(np.int64)
    n_control = (layout.sizes @ members).astype(np.int64)
    draws = cohort_draws = None
    rng = np.random.default_rng(options.random_state)
    boot = _Boot(options.n_boot, rng, options.multiplier, options.progress)
    if not covs:
        fit = estimate(outcome, layout, groups=group_index, times=times, bases=bases,
                       members=members)  # fmt: skip
        att, influence = fit.att, fit.influence
        if options.n_boot:
            cells_at = (group_index, times, bases)
            draws, cohort_draws = draws_of(
                outcome, layout, fit, members=members, cells=cells_at, **boot._asdict()
            )
    else:
        values, columns = _by_loop(outcome, adoption, covs, options, cells)
        att = np.array(values)
        influence = np.asfortranarray(np.column_stack(columns))
        if options.n_boot:
            draws, cohort_draws = generic_draws(influence, layout.cohort, **boot._asdict())
    return _Estimates(cells, att, influence, n_treated, n_control, skipped, draws, cohort_draws)


def callaway_santanna(
    data: object,
    *,
    area: str | None = None,
    period: str | None = None,
    outcome: str | None = None,
    adoption: str | None = None,
    never: object = None,
    covariates: Sequence[str] = (),
    method: str = "dr",
    control: str = "never",
    anticipation: int = 0,
    conf_level: float = 0.95,
    n_bootstrap: int | None = None,
    multiplier: str = "rademacher",
    random_state: int | None = None,
    progress: bool = True,
    n_boot: int | None = None,
    missing: Literal["error", "drop"] = "error",
) -> GroupTimeResult:
    """Group-time ATTs of a staggered rollout (Callaway & Sant'Anna 2021).

    Parameters
    ----------
    data
        An :class:`~rpeval.community.AreaPanel`, or a tidy frame with the columns named
        by ``area``, ``period``, ``outcome`` and ``adoption`` (first period under the
        program; missing or ``never`` for areas that never adopt).
    covariates
        Columns of the panel's frame used in the base period (the earlier of the two
        periods of each cell); with an intercept.
    method
        ``"reg"``, ``"ipw"`` (normalised) or ``"dr"`` (default); equal without covariates.
    control
        ``"never"`` (never-adopting areas) or ``"notyet"`` (plus areas adopting later).
    anticipation
        Periods before adoption in which the program may already act.
    n_bootstrap
        Multiplier-bootstrap draws (clustered by area) for standard errors and the
        uniform band (``None``: 999); 0 gives analytical standard errors and pointwise
        intervals.
    multiplier, random_state, progress
        Bootstrap weights (``"rademacher"`` as R ``did``, or ``"mammen"``), seed, and
        whether to show a tqdm bar.
    n_boot
        Deprecated old name of `n_bootstrap` (gives a ``FutureWarning``).
    missing
        Rows of a frame missing an area, period, outcome or covariate: ``"error"``
        (default) or ``"drop"`` (counted in ``n_dropped``; see
        :func:`~rpeval.community.area_panel`). The panel must stay balanced, so this
        drops whole areas only; a hole inside an area's series raises, as R ``did``
        would otherwise drop the whole area. For frames only: an AreaPanel is built.

    Returns
    -------
    GroupTimeResult
        ``summary()`` columns: group, time, event_time, post, estimate, std_error,
        ci_lower, ci_upper, n_treated, n_control; ``aggregate(kind)``; ``plot()``.

    Notes
    -----
    Areas adopting with no base period (in the first ``1 + anticipation`` periods) are
    dropped and counted; cells without any comparison area are skipped and listed.
    """
    count = renamed(n_bootstrap, n_boot, new="n_bootstrap", old="n_boot", caller=_CALLER)
    options = _options(
        method=method, control=control, anticipation=anticipation, conf_level=conf_level,
        n_boot=999 if count is None else count, multiplier=multiplier,
        random_state=random_state, progress=progress, covariates=covariates)  # fmt: skip
    panel = _as_panel(data, {"area": area, "period": period, "outcome": outcome,
                             "adoption": adoption}, never, missing, options)  # fmt: skip
    too_early = (panel.adoption >= 0) & (panel.adoption <= options.anticipation)
    keep = ~too_early
    adoption_kept = panel.adoption[keep]
    _check_design(adoption_kept, options, int(too_early.sum()))
    covs = [m[keep] for m in _covariate_matrices(panel, options.covariates)]
    est = _estimate(panel.outcome[keep], adoption_kept, covs, options)
    return GroupTimeResult(
        cells=tuple(est.cells),
        draws=est.draws,
        cohort_draws=est.cohort_draws,
        periods=panel.periods,
        att=est.att,
        influence=est.influence,
        inference=inference(est.influence, options, est.draws),
        n_treated=est.n_treated,
        n_control=est.n_control,
        adoption=adoption_kept,
        options=options,
        skipped=est.skipped,
        n_dropped_areas=int(too_early.sum()),
        n_dropped=panel.n_dropped,
    )
