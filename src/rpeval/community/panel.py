"""The area x period panel: counts by area and period, validated once.

:func:`area_panel` checks a tidy frame (one row per area and period) and returns an
:class:`AreaPanel` holding the outcome and exposure as area x period matrices and
each area's adoption period, ready for interrupted time series and staggered
difference-in-differences.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({
...     "beat": ["a", "a", "a", "b", "b", "b"],
...     "month": [1, 2, 3, 1, 2, 3],
...     "incidents": [4, 3, 1, 5, 6, 5],
...     "start": [2, 2, 2, None, None, None],
... })
>>> panel = area_panel(rows, area="beat", period="month", outcome="incidents", adoption="start")
>>> panel.n_areas, panel.n_periods, panel.adoption.tolist()
(2, 3, [1, -1])
>>> panel.treated_mask().astype(int).tolist()
[[0, 1, 1], [0, 0, 0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._formula import show_values
from rpeval._frames import as_pandas, numeric_array, require_columns
from rpeval._json import records
from rpeval._options import check_choice
from rpeval.community._panel_checks import (
    Adoption,
    Grid,
    adoption_ordinals,
    check_balanced,
    check_outcome,
    drop_missing,
    incomplete_after_drop,
    ordinal_grid,
)
from rpeval.community._periods import period_label, period_ordinals
from rpeval.errors import DataError, SpecificationError

__all__ = ["AreaPanel", "PanelColumns", "area_panel", "build_panel"]

_CALLER = "area_panel"


@dataclass(frozen=True)
class PanelColumns:
    """The source column names a panel was built from (for messages and reports)."""

    area: str
    period: str
    outcome: str
    exposure: str | None
    adoption: str | None


@dataclass(frozen=True, eq=False, repr=False)
class AreaPanel(Displayed):
    """A validated, balanced area x period panel.

    Attributes
    ----------
    areas
        Area labels in sorted order (row order of every matrix).
    periods
        Period labels in time order (column order): ints, or ``pandas.Period`` when
        the period column held dates.
    outcome
        ``(n_areas, n_periods)`` float64 matrix of the outcome (whole numbers when
        ``kind == "count"``).
    exposure
        ``(n_areas, n_periods)`` float64 matrix of positive exposures (population,
        days, ...); all ones when no exposure column was given.
    adoption
        ``(n_areas,)`` int64: the position in ``periods`` of each area's first period
        under the program, ``-1`` for areas that never adopted (within the panel).
    kind
        ``"count"`` or ``"continuous"``.
    freq
        The pandas frequency of calendar periods, ``None`` for whole-number periods.
    columns
        The :class:`PanelColumns` it was built from.
    frame
        The tidy input sorted by area and period, with extra (covariate) columns kept
        and two added: ``_area_index`` and ``_period_index`` (matrix positions).
    n_dropped
        Rows left out for missing values (``missing="drop"``).
    """

    areas: tuple[Any, ...]
    periods: tuple[Any, ...]
    outcome: NDArray[np.float64]
    exposure: NDArray[np.float64]
    adoption: NDArray[np.int64]
    kind: str
    freq: str | None
    columns: PanelColumns
    frame: pd.DataFrame
    n_dropped: int = 0

    @property
    def n_areas(self) -> int:
        """Number of areas."""
        return len(self.areas)

    @property
    def n_periods(self) -> int:
        """Number of periods."""
        return len(self.periods)

    @property
    def never_treated(self) -> NDArray[np.bool_]:
        """Areas that never adopted the program within the panel."""
        return np.asarray(self.adoption < 0)

    @property
    def cohorts(self) -> tuple[int, ...]:
        """Distinct adoption positions (indices into ``periods``), earliest first."""
        return tuple(int(g) for g in np.unique(self.adoption[self.adoption >= 0]))

    def treated_mask(self) -> NDArray[np.bool_]:
        """``(n_areas, n_periods)``: True where an area is under the program."""
        time = np.arange(self.n_periods)
        return np.asarray((self.adoption[:, None] >= 0) & (time[None, :] >= self.adoption[:, None]))

    def matrix(self, column: str) -> NDArray[np.float64]:
        """Any numeric column of :attr:`frame` as an ``(n_areas, n_periods)`` matrix."""
        require_columns(self.frame, [column], arg="column", caller="AreaPanel.matrix")
        values = numeric_array(self.frame, column, arg="column", caller="AreaPanel.matrix")
        return values.reshape(self.n_areas, self.n_periods)

    def total(self) -> pd.DataFrame:
        """The whole-panel series: ``period``, ``outcome``, ``exposure``, ``share_treated``.

        ``outcome`` and ``exposure`` are summed over areas; ``share_treated`` is the
        exposure-weighted share of areas under the program in that period.
        """
        exposure = self.exposure.sum(axis=0)
        treated = (self.exposure * self.treated_mask()).sum(axis=0)
        return pd.DataFrame(
            {
                "period": list(self.periods),
                "outcome": self.outcome.sum(axis=0),
                "exposure": exposure,
                "share_treated": treated / exposure,
            }
        )

    def summary(self) -> pd.DataFrame:
        """One row per adoption cohort: ``cohort`` (first period under the program, or
        ``"never"``), ``n_areas``, ``outcome_total``, ``exposure_total``."""
        rows = []
        for code in sorted(set(self.adoption.tolist()), key=lambda g: (g < 0, g)):
            keep = self.adoption == code
            rows.append(
                {
                    "cohort": "never" if code < 0 else str(self.periods[code]),
                    "n_areas": int(keep.sum()),
                    "outcome_total": float(self.outcome[keep].sum()),
                    "exposure_total": float(self.exposure[keep].sum()),
                }
            )
        return pd.DataFrame(rows, columns=["cohort", "n_areas", "outcome_total", "exposure_total"])

    def plot(self, ax: Any = None) -> Any:
        """The outcome rate per period by adoption cohort, with each cohort's adoption."""
        from rpeval.community._panel_plot import plot_panel

        return plot_panel(self, ax=ax)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (sizes, first and last period, cohorts)."""
        return {
            "n_areas": self.n_areas,
            "n_periods": self.n_periods,
            "first_period": str(self.periods[0]),
            "last_period": str(self.periods[-1]),
            "kind": self.kind,
            "columns": vars(self.columns).copy(),
            "cohorts": records(self.summary()),
            "n_dropped": self.n_dropped,
        }

    def _display(self) -> Display:
        header = [
            ("periods", f"{self.periods[0]} to {self.periods[-1]}"),
            ("outcome", f"{self.columns.outcome!r} ({self.kind})"),
            ("exposure", repr(self.columns.exposure) if self.columns.exposure else "none"),
        ]
        if self.n_dropped:
            header.append(("rows dropped", f"{self.n_dropped} rows with missing values left out"))
        title = f"AreaPanel: {self.n_areas} areas x {self.n_periods} periods"
        return Display(title, tuple(header), self.summary())


def _check_names(caller: str, **names: str | None) -> None:
    for arg, name in names.items():
        if name is not None and not isinstance(name, str):
            raise SpecificationError(
                f"{caller}(): `{arg}` must be a column name, got {name!r}",
                hint=f"e.g. {arg}='{arg}'",
            )


def _exposure(
    frame: pd.DataFrame, column: str | None, kind: str, caller: str
) -> NDArray[np.float64]:
    if column is None:
        return np.ones(len(frame))
    if kind != "count":
        raise SpecificationError(
            f"{caller}(): exposure= is for counts; kind={kind!r}",
            hint="drop exposure= or use kind='count'",
        )
    values = numeric_array(frame, column, arg="exposure", caller=caller)
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        raise DataError(
            f"{caller}(): column {column!r} (argument `exposure`) must be positive and finite; "
            f"found {show_values(frame[column][bad])} in {int(bad.sum())} rows",
            hint="exposure is a population, area or number of days: drop or fix those rows",
        )
    return values


def area_panel(
    data: object,
    *,
    area: str,
    period: str,
    outcome: str,
    exposure: str | None = None,
    adoption: str | None = None,
    never: object = None,
    kind: Literal["count", "continuous"] = "count",
    freq: str = "M",
    missing: Literal["error", "drop"] = "error",
) -> AreaPanel:
    """Check a tidy area x period frame and return an :class:`AreaPanel`.

    Parameters
    ----------
    data
        One row per area and period (pandas, polars or pyarrow frame).
    area, period, outcome
        Column names. Periods are whole numbers (1, 2, ..., or years) or dates, which
        are read as calendar periods at ``freq`` (months by default).
    exposure
        Optional column of positive exposures (population, days) for counts.
    adoption
        Optional column: the first period each area was under the program, the same
        in every row of an area; missing (or equal to ``never``) for areas that never
        adopted. Same type as ``period``.
    never
        An extra value of ``adoption`` meaning "never" (R's ``did`` codes it 0).
    kind
        ``"count"``: the outcome must hold non-negative whole numbers;
        ``"continuous"``: any finite numbers (no exposure).
    freq
        Pandas frequency for date periods, e.g. ``"M"``, ``"Q"``, ``"W"``.
    missing
        Rows missing an area, period, outcome or exposure: ``"error"`` (default) or
        ``"drop"`` (left out and counted in ``n_dropped``). A missing ``adoption`` is
        not missing data: it means "never". The panel must stay balanced, so dropping
        works for whole areas (or the first or last periods); a dropped row inside an
        area's series leaves a hole and raises :class:`DataError` saying so.

    Raises
    ------
    DataError
        Missing columns or values, duplicated area-periods, gaps (a period absent from
        the whole panel, or an area lacking some periods), adoption periods outside the
        panel or varying within an area, negative or non-integer counts, non-positive
        exposure.
    """
    columns = PanelColumns(area, period, outcome, exposure, adoption)
    return build_panel(
        data, columns, never=never, kind=kind, freq=freq, caller=_CALLER, missing=missing
    )


def build_panel(
    data: object,
    columns: PanelColumns,
    *,
    never: object = None,
    kind: str = "count",
    freq: str = "M",
    caller: str = _CALLER,
    missing: str = "error",
    also: Sequence[str] = (),
    dropped: int = 0,
) -> AreaPanel:
    """:func:`area_panel` with the caller's name in the messages (for other functions);
    ``missing`` also covers the columns ``also`` (covariates), and ``dropped`` counts
    rows the caller left out already."""
    area, period, outcome = columns.area, columns.period, columns.outcome
    exposure, adoption = columns.exposure, columns.adoption
    frame = as_pandas(data, arg="data", caller=caller)
    check_choice(kind, ["count", "continuous"], arg="kind", caller=caller)
    _check_names(caller, **vars(columns))
    used = [c for c in (area, period, outcome, exposure, *also) if c is not None]
    frame, n_dropped = drop_missing(frame, used, missing, caller=caller)
    n_dropped += dropped
    _check_frame(frame, columns, caller)
    what = f"{caller}(): column {period!r} (argument `period`)"
    codes = period_ordinals(frame[period], freq=freq, what=what)
    label_freq = freq if codes.calendar else None
    values = check_outcome(frame, outcome, kind=kind, caller=caller)
    weights = _exposure(frame, exposure, kind, caller)
    try:
        grid = ordinal_grid(codes.ordinals, column=period, caller=caller, freq=label_freq)
        area_codes, labels = pd.factorize(frame[area], sort=True)
        t_index = codes.ordinals - grid.first
        order = check_balanced(area_codes, t_index, labels, grid.size, frame[period], caller=caller)
    except DataError as error:
        if not n_dropped:
            raise
        raise incomplete_after_drop(error, n_dropped, caller) from None
    starts = adoption_ordinals(
        frame,
        adoption,
        area_codes,
        len(labels),
        never=never,
        freq=freq,
        calendar=codes.calendar,
        caller=caller,
    )
    position = _adoption_positions(starts, grid, labels, label_freq, caller)
    shape = (len(labels), grid.size)
    tidy = frame.iloc[order].reset_index(drop=True)
    tidy["_area_index"] = area_codes[order]
    tidy["_period_index"] = t_index[order]
    return AreaPanel(
        areas=tuple(labels.tolist()),
        periods=tuple(period_label(grid.first + k, label_freq) for k in range(grid.size)),
        outcome=values[order].reshape(shape),
        exposure=weights[order].reshape(shape),
        adoption=position,
        kind=kind,
        freq=label_freq,
        columns=columns,
        frame=tidy,
        n_dropped=n_dropped,
    )


def _check_frame(frame: pd.DataFrame, columns: PanelColumns, caller: str) -> None:
    names = vars(columns)
    require_columns(frame, [c for c in names.values() if c is not None], arg="", caller=caller)
    if len(frame) == 0:
        raise DataError(f"{caller}(): `data` has no rows", hint="pass the area x period rows")
    for arg in ("area", "period"):
        column = names[arg]
        missing = frame[column].isna().to_numpy(dtype=bool)
        if missing.any():
            raise DataError(
                f"{caller}(): column {column!r} (argument `{arg}`) has {int(missing.sum())} "
                "missing values",
                hint="every row needs its area and period",
            )


def _adoption_positions(
    starts: Adoption, grid: Grid, labels: pd.Index, freq: str | None, caller: str
) -> NDArray[np.int64]:
    adopted, ordinals = starts.adopted, starts.ordinals
    last = grid.first + grid.size - 1
    outside = adopted & ((ordinals < grid.first) | (ordinals > last))
    if outside.any():
        shown = [
            f"{labels[i]!r}: {period_label(ordinals[i], freq)}" for i in np.flatnonzero(outside)[:5]
        ]
        raise DataError(
            f"{caller}(): adoption periods outside the panel ({period_label(grid.first, freq)} "
            f"to {period_label(last, freq)}) for {int(outside.sum())} areas: {', '.join(shown)}",
            hint="trim the adoption column to the panel: an area adopting after it is 'never'",
        )
    return np.where(adopted, ordinals - grid.first, -1).astype(np.int64)
