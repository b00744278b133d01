"""Design guards: whether an evaluation's comparison can carry its findings.

Each guard checks one way a design can fail (too few participants kept, a category that
only participants have, poor balance, weights that leave a handful of people, too few
events, hazards that are not proportional, labels spelled several ways) against a stated
threshold, and says in plain words what follows. A failed guard is shown above the
findings and makes ``rpeval evaluate`` exit 1; a warning is shown, nothing more.

Thresholds (documented on the report page):

===================== ========================== ==========================================
guard                 warning                    fail
===================== ========================== ==========================================
participants kept     below 80%                  below 50%
common support        --                         a level held by participants only
balance after design  a standardised difference  above 0.25
                      above 0.1 (Austin 2009)    (Rubin 2001; Stuart 2010)
effective sample      comparison ESS below 100   below 30
events per group      fewer than 20              fewer than 10 (Peduzzi et al. 1995)
proportional hazards  global test p < 0.05       --
category coding       --                         levels that differ only in case or spaces
===================== ========================== ==========================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "Guard",
    "Guards",
    "balance_guard",
    "coding_guard",
    "evaluation_guards",
    "events_guard",
    "kept_guard",
    "ph_guard",
    "sample_size_guard",
    "support_guard",
]

Status = Literal["pass", "warning", "fail"]
_ORDER: dict[str, int] = {"fail": 0, "warning": 1, "pass": 2}


@dataclass(frozen=True)
class Guard:
    """One check: its ``status``, the measured ``value``, the ``threshold`` it was held to,
    a plain-language ``message`` and the ``details`` (named levels, covariates, groups)."""

    name: str
    status: Status
    value: float | None
    threshold: str
    message: str
    details: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "value": self.value,
            "threshold": self.threshold,
            "message": self.message,
            "details": list(self.details),
        }


@dataclass(frozen=True)
class Guards:
    """All guards of an evaluation, the failed ones first.

    Examples
    --------
    >>> guards = Guards.of([kept_guard(244, 12), ph_guard(0.3)])
    >>> guards.ok, [g.name for g in guards.failed]
    (False, ['participants kept'])
    >>> guards.failed[0].message.split(":")[0]
    'only 12 of 244 participants (5%) had a comparable person in the comparison pool'
    """

    items: tuple[Guard, ...]

    @classmethod
    def of(cls, guards: Iterable[Guard]) -> Guards:
        return cls(tuple(sorted(guards, key=lambda g: _ORDER[g.status])))

    @property
    def failed(self) -> tuple[Guard, ...]:
        return tuple(g for g in self.items if g.status == "fail")

    @property
    def warnings(self) -> tuple[Guard, ...]:
        return tuple(g for g in self.items if g.status == "warning")

    @property
    def ok(self) -> bool:
        """No guard failed."""
        return not self.failed

    def summary(self) -> pd.DataFrame:
        """One row per guard: ``name``, ``status``, ``value``, ``threshold``, ``message``."""
        columns = ["name", "status", "value", "threshold", "message"]
        return pd.DataFrame([{c: g.to_dict()[c] for c in columns} for g in self.items])

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "guards": [g.to_dict() for g in self.items]}


def _status(bad: bool, poor: bool) -> Status:
    return "fail" if bad else "warning" if poor else "pass"


def kept_guard(n_participants: int, n_kept: int) -> Guard:
    """Share of eligible participants the design kept (matched, or weighted)."""
    share = n_kept / n_participants if n_participants else 0.0
    status = _status(share < 0.5, share < 0.8)
    if status == "pass":
        message = f"{n_kept} of {n_participants} participants ({share:.0%}) were kept"
    else:
        message = (
            f"only {n_kept} of {n_participants} participants ({share:.0%}) had a comparable "
            "person in the comparison pool: the findings describe them, not the program"
        )
    return Guard("participants kept", status, share, "warning below 80%, fail below 50%", message)


def coding_guard(frame: pd.DataFrame, columns: Sequence[str]) -> Guard:
    """Text columns whose levels differ only in letter case or surrounding spaces
    (``Male``, ``male``, ``Male ``): each spelling would be its own category."""
    details = []
    for column in columns:
        values = frame[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        levels = pd.Series(values.dropna().unique())
        levels = levels[levels.map(lambda v: isinstance(v, str))]
        keys = levels.str.strip().str.casefold()
        for _, spellings in levels.groupby(keys.to_numpy()):
            if len(spellings) > 1:
                shown = ", ".join(repr(s) for s in sorted(spellings))
                details.append(f"{column}: {shown}")
    if not details:
        return Guard(
            "category coding", "pass", 0.0, "fail on any", "category labels are consistent"
        )
    return Guard(
        "category coding",
        "fail",
        float(len(details)),
        "fail on any",
        f"{len(details)} categor{'y is' if len(details) == 1 else 'ies are'} spelled several "
        "ways (case or spaces), so one group is split into several: normalise the labels "
        "(`normalize:` in the configuration: spaces stripped, one letter case) and run again",
        tuple(details),
    )


def _treated_only_levels(values: pd.Series, treated: np.ndarray) -> bool:
    """Whether some value of ``values`` occurs among the ``treated`` rows but not among
    the others (missing values aside): one factorisation and two counts.

    >>> _treated_only_levels(pd.Series(["a", "b", "a"]), np.array([True, True, False]))
    True
    """
    codes, distinct = pd.factorize(values)
    known = codes >= 0
    mask = np.asarray(treated, dtype=bool)
    in_treated = np.bincount(codes[known & mask], minlength=len(distinct))
    in_control = np.bincount(codes[known & ~mask], minlength=len(distinct))
    return bool(np.any((in_treated > 0) & (in_control == 0)))


def support_guard(frame: pd.DataFrame, treated: np.ndarray, columns: Sequence[str]) -> Guard:
    """Levels of categorical covariates (text, categories, flags and 0/1 columns) held by
    participants but by nobody in the comparison pool: those participants have no one to be
    compared with. Numeric covariates are left to the balance guard."""
    details = []
    for column in columns:
        values = frame[column]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if numeric and values.nunique() > 2:
            continue
        if not _treated_only_levels(values, treated):
            continue  # the usual case, found without selecting rows of text
        in_treated = values[treated].value_counts()
        in_control = set(values[~treated].dropna().unique())
        for level, count in in_treated.items():
            if level not in in_control:
                details.append(f"{column} = {level!r}: {count} participants, no comparison")
    status: Status = "fail" if details else "pass"
    message = (
        "every participant's category also occurs in the comparison pool"
        if not details
        else "some categories occur among participants only, so they cannot be compared with "
        "anyone: the propensity model separates them and the design drops or mis-weights them"
    )
    return Guard(
        "common support", status, float(len(details)), "fail on any", message, tuple(details)
    )


def balance_guard(after: pd.DataFrame) -> Guard:
    """Largest absolute standardised mean difference after the design (``after`` has
    ``term`` and ``std_mean_diff``); the distance/score row is not a covariate."""
    table = after[~after["term"].isin(["distance", "propensity"])]
    smd = table["std_mean_diff"].abs().astype(float)
    worst = float(smd.max()) if len(smd) else 0.0
    poor = table.loc[smd > 0.1, "term"].tolist()
    status = _status(worst > 0.25, worst > 0.1)
    message = (
        "covariates are balanced after the design (every |SMD| <= 0.1)"
        if status == "pass"
        else f"after the design {len(poor)} covariate(s) still differ between the groups "
        f"(largest |SMD| {worst:.2f}): the comparison is not like with like"
    )
    return Guard(
        "balance after design",
        status,
        worst,
        "warning above 0.1, fail above 0.25",
        message,
        tuple(
            f"{t}: {v:+.2f}"
            for t, v in zip(poor, table.loc[smd > 0.1, "std_mean_diff"], strict=True)
        ),
    )


def sample_size_guard(weights: np.ndarray, treated: np.ndarray) -> Guard:
    """Kish's effective sample size of the comparison group under weighting."""
    w = np.asarray(weights, dtype=float)[~np.asarray(treated, dtype=bool)]
    w = w[w > 0]
    ess = float(w.sum() ** 2 / (w @ w)) if w.size else 0.0
    status = _status(ess < 30, ess < 100)
    message = (
        f"the weighted comparison group counts as {ess:.0f} people (effective sample size)"
        + ("" if status == "pass" else ": a few heavily weighted people drive the comparison")
    )
    return Guard("effective sample size", status, ess, "warning below 100, fail below 30", message)


def events_guard(events: pd.Series, groups: pd.Series, labels: dict[Any, str]) -> Guard:
    """Re-arrests observed in each group of the analysis sample."""
    counts = events.astype(bool).groupby(groups).sum()
    fewest = int(counts.min()) if len(counts) else 0
    status = _status(fewest < 10, fewest < 20)
    details = tuple(f"{labels.get(g, g)}: {int(n)} re-arrests" for g, n in counts.items())
    message = (
        "enough re-arrests in each group to estimate the hazard ratio"
        if status == "pass"
        else f"only {fewest} re-arrests in one group: the hazard ratio and its interval rest "
        "on very few events"
    )
    return Guard(
        "events per group",
        status,
        float(fewest),
        "warning below 20, fail below 10",
        message,
        details,
    )


def ph_guard(p_value: float | None) -> Guard:
    """The global proportional-hazards test of the headline Cox model."""
    if p_value is None or not np.isfinite(p_value):
        return Guard("proportional hazards", "pass", None, "warning at p < 0.05", "not tested")
    status: Status = "warning" if p_value < 0.05 else "pass"
    message = (
        "no evidence against proportional hazards"
        if status == "pass"
        else "the hazard ratio changes over follow-up (p = "
        f"{p_value:.3f}): read the window differences and the RMST, not one hazard ratio"
    )
    return Guard("proportional hazards", status, float(p_value), "warning at p < 0.05", message)


def evaluation_guards(
    cohort: pd.DataFrame,
    frame: pd.DataFrame,
    sample: pd.DataFrame,
    treatment: str,
    columns: Sequence[str],
    design: str,
    balance_after: pd.DataFrame,
    ph_test: pd.DataFrame,
) -> Guards:
    """Every guard of an evaluation: ``cohort`` is its cohort flow (the last step is the
    design), ``frame`` the cohort before the design, ``sample`` the analysis sample."""
    before, after = cohort.iloc[-2], cohort.iloc[-1]
    treated = frame[treatment].to_numpy(dtype=bool)
    guards = [
        coding_guard(frame, columns),
        support_guard(frame, treated, columns),
        kept_guard(int(before["remaining_treated"]), int(after["remaining_treated"])),
        balance_guard(balance_after),
        events_guard(
            sample["rearrest"], sample[treatment], {True: "participants", False: "comparison"}
        ),
        ph_guard(_global_p(ph_test)),
    ]
    if design == "weighting":
        guards.append(sample_size_guard(sample["weights"].to_numpy(), sample[treatment].to_numpy()))
    return Guards.of(guards)


def _global_p(ph_test: pd.DataFrame) -> float | None:
    rows = ph_test[ph_test["term"] == "GLOBAL"] if "term" in ph_test else ph_test.iloc[:0]
    return float(rows["p_value"].iloc[0]) if len(rows) else None
