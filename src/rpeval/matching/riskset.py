"""``risk_set_match()``: matching with staggered program entry (risk-set matching).

Participants enter on different dates. Each is matched, at its entry date, to people who
were eligible by then and had not (yet) entered, on covariates measured before that date;
both members' follow-up starts at that date. Li, Propert & Rosenbaum (2001).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _dates, _frames
from rpeval._display import Display, Displayed
from rpeval.errors import DataError, SpecificationError
from rpeval.matching._display import dropped_header
from rpeval.matching._distance import exact_strata
from rpeval.matching.balance import BalanceTable, balance
from rpeval.matching.designs._assignment import grid_units
from rpeval.matching.designs._edges import Edges
from rpeval.matching.designs.optimal import optimal_assignment

__all__ = ["RiskSetResult", "risk_set_match"]

FloatArray = NDArray[np.float64]
CovariatesAt = Callable[[pd.DataFrame, pd.Timestamp], pd.DataFrame]


@dataclass(frozen=True, repr=False)
class RiskSetResult(Displayed):
    """The matched cohort and what was left out; frozen.

    ``data`` has one row per matched person and role: the input columns, then
    ``index_date`` (the participant's entry date, where everyone's follow-up starts),
    ``treated`` (1 participant, 0 control), ``matched_set``, ``weights`` (MatchIt's
    matching weights), ``cohort_id`` (unique per row: a person who served as a control
    before entering the program appears twice), ``crossover_date`` (a control's own later
    entry date, where its follow-up as a control should end; NaT otherwise) and the
    covariates as measured at ``index_date``.
    """

    data: pd.DataFrame
    covariates: tuple[str, ...]
    n_participants: int
    n_unmatched: int
    settings: dict[str, Any]
    n_dropped: int = 0  # people left out by missing="drop"
    missing_by_column: dict[str, int] = field(default_factory=dict)  # their missing values

    def summary(self) -> pd.DataFrame:
        """``index_date``, ``participants``, ``controls`` per matching date."""
        grouped = self.data.groupby("index_date")["treated"]
        return pd.DataFrame(
            {"participants": grouped.sum(), "controls": grouped.size() - grouped.sum()}
        ).reset_index()

    def balance(self) -> BalanceTable:
        """Balance of the covariates at the index date, unweighted and weighted."""
        return balance(self.data, "treated", list(self.covariates), weights="weights")

    def _display(self) -> Display:
        header = (
            ("participants", f"{self.n_participants:,} ({self.n_unmatched:,} unmatched)"),
            ("matched controls", f"{int((self.data['treated'] == 0).sum()):,}"),
            ("covariates", ", ".join(self.covariates)),
            *dropped_header(self.n_dropped, self.missing_by_column),
        )
        return Display("Risk-set matching", header, self.summary())

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_participants": self.n_participants,
            "n_unmatched": self.n_unmatched,
            "n_matched_controls": int((self.data["treated"] == 0).sum()),
            "covariates": list(self.covariates),
            "n_dropped": self.n_dropped,
            "missing_by_column": dict(self.missing_by_column),
            "settings": {k: str(v) for k, v in self.settings.items()},
        }


def _covariates(
    covariates_at: str | Sequence[str] | CovariatesAt,
    rows: pd.DataFrame,
    date: pd.Timestamp,
) -> pd.DataFrame:
    if callable(covariates_at):
        got = covariates_at(rows.copy(), date)
        if not isinstance(got, pd.DataFrame) or not got.index.equals(rows.index):
            raise SpecificationError(
                "risk_set_match(): covariates_at(rows, date) must return a DataFrame with "
                "the index of `rows`"
            )
        values = got
    else:
        names = [covariates_at] if isinstance(covariates_at, str) else list(covariates_at)
        values = rows[names]
    out = pd.DataFrame(index=values.index)
    for column in values.columns:
        out[str(column)] = _frames.numeric_array(
            values, column, arg="covariates_at", caller="risk_set_match"
        )
    return out


def _distances(x_t: FloatArray, x_c: FloatArray) -> FloatArray:
    """Mahalanobis distances (covariance of the pooled candidates), shape (n_t, n_c),
    through a whitening transform so that no (n_t, n_c, k) array is formed."""
    pooled = np.vstack([x_t, x_c])
    cov = np.atleast_2d(np.cov(pooled, rowvar=False)) if len(pooled) > 1 else np.eye(x_t.shape[1])
    values, vectors = np.linalg.eigh(cov)
    keep = values > 1e-12 * max(float(values.max(initial=0.0)), 1e-300)
    root = vectors[:, keep] / np.sqrt(values[keep])
    z_t, z_c = x_t @ root, x_c @ root
    squared = (z_t**2).sum(1)[:, None] + (z_c**2).sum(1)[None, :] - 2.0 * z_t @ z_c.T
    return np.asarray(np.sqrt(np.maximum(squared, 0.0)), dtype=np.float64)


def risk_set_match(
    people: pd.DataFrame,
    *,
    id: str,
    entry_date: str,
    eligible_from: str,
    covariates_at: str | Sequence[str] | CovariatesAt,
    ratio: int = 1,
    caliper: float | None = None,
    exact: str | Sequence[str] | None = None,
    missing: Literal["error", "drop"] = "error",
) -> RiskSetResult:
    """Match participants at their entry dates to people not yet treated (risk-set matching).

    Parameters
    ----------
    people
        One row per person: participants (with an ``entry_date``) and people who never
        entered (missing ``entry_date``).
    id
        Column identifying a person (unique).
    entry_date
        Date the person entered the program; missing for people who never did.
    eligible_from
        First date the person could have entered (e.g. the referral or arrest date).
    covariates_at
        Column names of covariates fixed before eligibility, or a function
        ``f(rows, date) -> DataFrame`` returning, for the rows of ``people`` given, numeric
        covariates measured strictly before ``date`` (e.g. prior arrests counted up to it).
    ratio
        Controls per participant.
    caliper
        Largest Mahalanobis distance allowed in a pair.
    exact
        Columns of ``people`` that must be equal within a pair.
    missing
        A missing ``id``, ``eligible_from``, ``exact`` column or ``covariates_at``
        column (when it names columns; a missing ``entry_date`` means "never entered"):
        ``"error"`` (the default) raises with the counts per column, ``"drop"`` leaves
        those people out, as if absent from ``people`` (neither participant nor control),
        and counts them (``n_dropped``, ``missing_by_column``). Values a
        ``covariates_at`` function returns are checked at each date instead.

    Returns
    -------
    RiskSetResult
        ``data`` is ready for ``rpeval.recidivism.build_followup(m.data, id="cohort_id",
        start="index_date", events=events.merge(m.data[[id, "cohort_id"]]), ...)``, with
        the follow-up of a crossing-over control ended at ``crossover_date``.

    Notes
    -----
    Participants are processed by entry date. The risk set at date ``d`` holds everyone
    with ``eligible_from <= d`` whose entry date is missing or later than ``d`` and who
    has not been used as a control before; participants entering on ``d`` are matched to
    it optimally (least total Mahalanobis distance, covariance of the candidates at
    ``d``), without replacement. Someone who enters later may serve as a control before
    entering, as the design requires; its own entry date is kept for censoring. The
    sequence of per-date optimal matches is not a single global optimum (as in Li et al.,
    each date is matched with the information available then).

    References
    ----------
    Li, Y. P., Propert, K. J. & Rosenbaum, P. R. (2001). Balanced risk set matching.
    *JASA* 96, 870-882.

    Examples
    --------
    >>> people = pd.DataFrame({
    ...     "pid": [1, 2, 3, 4],
    ...     "entry": pd.to_datetime(["2024-03-01", None, "2024-06-01", None]),
    ...     "arrest": pd.to_datetime(["2024-01-10", "2024-02-01", "2024-01-05", "2024-05-01"]),
    ...     "age": [19, 20, 30, 31]})
    >>> m = risk_set_match(people, id="pid", entry_date="entry", eligible_from="arrest",
    ...                    covariates_at=["age"])
    >>> m.data[["pid", "treated", "matched_set"]].values.tolist()
    [[1, 1, 1], [2, 0, 1], [3, 1, 2], [4, 0, 2]]
    >>> m.data["index_date"].dt.strftime("%Y-%m-%d").unique().tolist()
    ['2024-03-01', '2024-06-01']
    """
    caller = "risk_set_match"
    if isinstance(ratio, bool) or not isinstance(ratio, int) or ratio < 1:
        raise SpecificationError(f"{caller}(): ratio={ratio!r} must be a whole number >= 1")
    if caliper is not None and not (np.isfinite(caliper) and caliper > 0):
        raise SpecificationError(f"{caller}(): caliper={caliper!r} must be a positive number")
    frame = _frames.as_pandas(people, arg="people", caller=caller)
    exact_cols = [exact] if isinstance(exact, str) else list(exact or [])
    complete = _complete_people(frame, id, eligible_from, exact_cols, covariates_at, missing)
    frame = complete.frame
    entry, eligible = _entry_dates(frame, id, entry_date, eligible_from, exact_cols)
    strata = exact_strata(frame, exact_cols) if exact_cols else np.zeros(len(frame), np.int64)
    entry_values = entry.to_numpy()
    eligible_values = eligible.to_numpy()
    used = np.zeros(len(frame), dtype=bool)
    pieces: list[pd.DataFrame] = []
    n_unmatched = 0
    set_id = 0
    dates = np.unique(entry_values[~pd.isna(entry_values)])
    for date in dates:
        stamp = pd.Timestamp(date)
        entering = np.flatnonzero(entry_values == date)
        at_risk = (
            (eligible_values <= date) & (pd.isna(entry_values) | (entry_values > date)) & ~used
        )
        candidates = np.flatnonzero(at_risk)
        if candidates.size == 0:
            n_unmatched += entering.size
            continue
        x = _covariates(covariates_at, frame.iloc[np.concatenate([entering, candidates])], stamp)
        chosen = _match_at(x, stamp, strata, entering, candidates, caliper, ratio)
        for i, person in enumerate(entering):
            controls = candidates[chosen[i][chosen[i] >= 0]]
            if controls.size == 0:
                n_unmatched += 1
                continue
            set_id += 1
            used[controls] = True
            pieces.append(_matched_set(frame, int(person), controls, stamp, set_id, x))
    if not pieces:
        raise DataError(
            f"{caller}(): no participant could be matched",
            hint="check eligible_from, widen the caliper or drop exact constraints",
        )
    return RiskSetResult(
        data=_cohort(pd.concat(pieces, ignore_index=True), id, entry_date),
        covariates=tuple(x.columns),
        n_participants=int((~pd.isna(entry_values)).sum()),
        n_unmatched=n_unmatched,
        settings={"ratio": ratio, "caliper": caliper, "exact": exact_cols, "missing": missing},
        n_dropped=complete.n_dropped,
        missing_by_column=complete.missing_by_column,
    )


def _complete_people(
    frame: pd.DataFrame,
    id: str,
    eligible_from: str,
    exact_cols: list[str],
    covariates_at: str | Sequence[str] | CovariatesAt,
    missing: str,
) -> _frames.CompleteCases:
    """The people complete in every column read (each checked to exist under the argument
    that names it; ``entry_date`` may be missing): all, or with "drop" the complete ones."""
    named = {"id": [id], "eligible_from": [eligible_from], "exact": exact_cols}
    if not callable(covariates_at):
        names = [covariates_at] if isinstance(covariates_at, str) else list(covariates_at)
        named["covariates_at"] = names
    for arg, columns in named.items():
        _frames.require_columns(
            frame, columns, arg=arg, caller="risk_set_match", frame_arg="people"
        )
    read = [column for columns in named.values() for column in columns]
    return _frames.complete_cases(
        frame, read, missing=missing, arg="people", caller="risk_set_match"
    )


def _entry_dates(
    frame: pd.DataFrame, id: str, entry_date: str, eligible_from: str, exact_cols: list[str]
) -> tuple[pd.Series, pd.Series]:
    """The entry and eligibility dates, after checking the columns, that ``id`` is unique
    and present, and that nobody entered before being eligible."""
    caller = "risk_set_match"
    _frames.require_columns(
        frame, [id, entry_date, eligible_from], arg="id", caller=caller, frame_arg="people"
    )
    _frames.require_columns(frame, exact_cols, arg="exact", caller=caller, frame_arg="people")
    if frame[id].isna().any() or not frame[id].is_unique:
        raise DataError(f"{caller}(): column {id!r} (argument `id`) must be unique and present")
    entry = _dates.date_series(frame, entry_date, arg="entry_date", caller=caller)
    eligible = _dates.date_series(
        frame, eligible_from, arg="eligible_from", caller=caller, allow_missing=False
    )
    late = (entry < eligible).to_numpy(dtype=bool)
    if late.any():
        raise DataError(
            f"{caller}(): {int(late.sum())} people entered before they were eligible "
            f"({entry_date!r} < {eligible_from!r})",
            hint="check the dates; eligibility must come first",
        )
    return entry, eligible


def _match_at(
    x: pd.DataFrame,
    stamp: pd.Timestamp,
    strata: NDArray[np.int64],
    entering: NDArray[np.intp],
    candidates: NDArray[np.intp],
    caliper: float | None,
    ratio: int,
) -> NDArray[np.int64]:
    """One date's optimal match of the people ``entering`` to the risk set's
    ``candidates`` on the covariates ``x`` (theirs, then the candidates'), within strata
    and the caliper: the candidate positions of each entering person (-1 for none)."""
    z = x.to_numpy(np.float64)
    if not np.isfinite(z).all():
        raise DataError(f"risk_set_match(): covariates at {stamp.date()} have missing values")
    dist = _distances(z[: entering.size], z[entering.size :])
    same = strata[entering][:, None] == strata[candidates][None, :]
    allowed = same & (dist <= (caliper if caliper is not None else np.inf))
    r, c = np.nonzero(allowed)
    return optimal_assignment(
        Edges(r.astype(np.int64), c.astype(np.int64), grid_units(dist[r, c])),
        entering.size,
        candidates.size,
        ratio,
    )


def _matched_set(
    frame: pd.DataFrame,
    person: int,
    controls: NDArray[np.int64],
    stamp: pd.Timestamp,
    set_id: int,
    x: pd.DataFrame,
) -> pd.DataFrame:
    """The rows of one matched set: the participant, then the controls (weight ``1/k``),
    with the index date and the covariates as of that date."""
    piece = frame.iloc[np.concatenate([[person], controls])].copy()
    piece["index_date"] = stamp
    piece["treated"] = [1] + [0] * controls.size
    piece["matched_set"] = set_id
    piece["weights"] = [1.0] + [1.0 / controls.size] * controls.size
    covariate_values = x.loc[piece.index]
    for column in covariate_values.columns:
        piece[column] = covariate_values[column].to_numpy()
    return piece


def _cohort(data: pd.DataFrame, id: str, entry_date: str) -> pd.DataFrame:
    """Matched sets stacked: a cohort id per row, the date a control later crossed over,
    and control weights scaled to mean 1 (MatchIt's normalisation)."""
    data["cohort_id"] = data[id].astype(str) + "#" + data["matched_set"].astype(str)
    later = (data["treated"] == 0) & data[entry_date].notna()
    data["crossover_date"] = pd.to_datetime(data[entry_date].where(later))
    controls_rows = (data["treated"] == 0).to_numpy()
    data.loc[controls_rows, "weights"] *= (
        controls_rows.sum() / data.loc[controls_rows, "weights"].sum()
    )
    return data
