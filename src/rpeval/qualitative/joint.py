"""`joint_display`: a theme against a quantitative outcome, per participant (descriptive).

A joint display (mixed-methods research; Guetterman, Fetters & Creswell 2015) sets what
participants said beside what happened to them, e.g. re-arrest within 12 months by
whether the participant said they felt heard. It is **descriptive**: participants who
mention a theme differ from those who do not in many ways, so the difference is not an
effect of the theme (nor of what produced it). Every output carries that caveat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._frames import MissingPolicy, as_pandas, complete_cases
from rpeval._inference import wilson_interval, z_quantile
from rpeval._json import records
from rpeval._lazy import stats
from rpeval._options import check_conf_level
from rpeval._plots import OKABE_ITO
from rpeval.errors import DataError
from rpeval.qualitative.coded import CodedSegments
from rpeval.qualitative.prevalence import segment_presence

__all__ = ["CAVEAT", "JointDisplay", "joint_display"]

CAVEAT: Final = (
    "Descriptive only: participants who mention the theme differ from those who do not in "
    "many ways, so this difference is not an effect of the theme."
)
COLUMNS = ["theme_held", "n", "n_events", "value", "ci_lower", "ci_upper", "suppressed"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, repr=False)
class JointDisplay(Displayed):
    """An outcome by whether participants held a theme.

    ``table`` columns: theme_held (True/False), n, n_events (binary outcomes), value (risk
    or mean), ci_lower, ci_upper, suppressed. ``difference`` is held minus not held, with
    its interval (Wald for risks, Welch for means).
    """

    theme: str
    outcome: str
    kind: str
    table: pd.DataFrame
    difference: float
    difference_ci_lower: float
    difference_ci_upper: float
    n_without_outcome: int
    n_without_interview: int
    conf_level: float
    caveat: str = CAVEAT
    n_dropped: int = 0

    def summary(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values (NaN as ``None``)."""

        def clean(value: float) -> float | None:
            return None if np.isnan(value) else value

        return {
            "theme": self.theme,
            "outcome": self.outcome,
            "kind": self.kind,
            "rows": records(self.table),
            "difference": clean(self.difference),
            "difference_ci_lower": clean(self.difference_ci_lower),
            "difference_ci_upper": clean(self.difference_ci_upper),
            "n_without_outcome": self.n_without_outcome,
            "n_without_interview": self.n_without_interview,
            "n_dropped": self.n_dropped,
            "conf_level": self.conf_level,
            "caveat": self.caveat,
        }

    def _display(self) -> Display:
        what = "risk" if self.kind == "binary" else "mean"
        difference = "not given (a row is suppressed or too small)"
        if np.isfinite(self.difference):
            difference = (
                f"{self.difference:+.3f} ({self.conf_level:.0%} CI "
                f"{self.difference_ci_lower:+.3f} to {self.difference_ci_upper:+.3f}), "
                f"{'Wald' if self.kind == 'binary' else 'Welch'}"
            )
        header = (
            ("difference", difference),
            ("left out", f"{self.n_without_outcome} interviewed without an outcome, "
             f"{self.n_without_interview} with an outcome but no interview"),
            ("rows dropped", f"{self.n_dropped} (missing participant or outcome)"),
        )  # fmt: skip
        title = f"{self.outcome} ({what}) by whether participants mentioned {self.theme}"
        return Display(title, header, self.table, (self.caveat,))

    def plot(self, ax: Any = None) -> Any:
        """The two values with their intervals, and the caveat as the title."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3))
        rows = self.table
        x = np.arange(len(rows))
        value = rows["value"].to_numpy(dtype=float)
        err = np.vstack(
            [value - rows["ci_lower"].to_numpy(float), rows["ci_upper"].to_numpy(float) - value]
        )
        ax.errorbar(x, value, yerr=err, fmt="o", color=OKABE_ITO["blue"], capsize=4)
        labels = [f"{self.theme}: {'yes' if h else 'no'}" for h in rows["theme_held"]]
        ax.set_xticks(x, labels)
        ax.set_xlim(-0.5, len(rows) - 0.5)
        ax.set_ylabel(self.outcome)
        ax.set_title("Descriptive, not an effect", fontsize="small")
        return ax


def _binary(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values):
        return True
    seen = set(pd.unique(values.dropna()))
    if values.dtype == object:  # e.g. true/false read with missing values
        kinds = all(isinstance(v, bool | int | float | np.bool_ | np.number) for v in seen)
        return kinds and seen <= {0, 1}
    return seen <= {0, 1} and pd.api.types.is_numeric_dtype(values)


def _group_row(
    flag: bool, part: FloatArray, binary: bool, conf_level: float, suppress_below: int | None
) -> list[Any]:
    """One row of the table: risk with a Wilson interval, or mean with a t interval."""
    n = part.size
    if n == 0:
        return [flag, 0, None, np.nan, np.nan, np.nan, False]
    if binary:
        k = int(part.sum())
        lo, hi = wilson_interval(k, n, z_quantile(conf_level))
        hidden = suppress_below is not None and (
            0 < n < suppress_below or 0 < k < suppress_below or 0 < n - k < suppress_below
        )
        row: list[Any] = [flag, n, k, k / n, lo, hi, hidden]
    else:
        mean = float(part.mean())
        half = (
            float(stats.t.ppf(0.5 + conf_level / 2, n - 1) * part.std(ddof=1) / np.sqrt(n))
            if n > 1
            else np.nan
        )
        hidden = suppress_below is not None and 0 < n < suppress_below
        row = [flag, n, None, mean, mean - half, mean + half, hidden]
    if row[-1]:
        row[2:6] = [None, np.nan, np.nan, np.nan]
    return row


def _difference(
    a: FloatArray, b: FloatArray, binary: bool, conf_level: float
) -> tuple[float, float, float]:
    """Difference of risks (Wald) or means (Welch t) and its interval; NaN with < 2 each."""
    if a.size < 2 or b.size < 2:
        return float("nan"), float("nan"), float("nan")
    diff = float(a.mean() - b.mean())
    if binary:
        se = float(np.sqrt(a.mean() * (1 - a.mean()) / a.size + b.mean() * (1 - b.mean()) / b.size))
        crit = z_quantile(conf_level)
    else:
        va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
        se = float(np.sqrt(va + vb))
        dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1)) if se > 0 else 1
        crit = float(stats.t.ppf(0.5 + conf_level / 2, dof))
    return diff, diff - crit * se, diff + crit * se


def joint_display(
    coded: CodedSegments,
    outcomes: object,
    *,
    theme: str,
    outcome: str,
    participant: str = "participant",
    rule: str = "any",
    conf_level: float = 0.95,
    suppress_below: int | None = None,
    missing: MissingPolicy = "error",
) -> JointDisplay:
    """An outcome (e.g. re-arrest within 12 months) by whether participants held a theme.

    Parameters
    ----------
    coded
        From :func:`coded_segments`.
    outcomes
        One row per participant: `participant` and `outcome` columns.
    theme
        A code of the codebook (a theme includes the codes below it).
    outcome
        A 0/1 (or true/false) outcome gives risks with Wilson intervals; a numeric one
        gives means with t intervals.
    suppress_below
        k: a row with 1..k-1 participants, or with 1..k-1 events or non-events, publishes
        no value, and the difference is not given.
    missing
        Rows of `outcomes` without a participant or an outcome: ``"error"`` (default)
        raises with the counts; ``"drop"`` leaves them out (e.g. victims, who have no
        re-arrest) and counts them: ``n_dropped`` all such rows, ``n_without_outcome``
        those of interviewed participants.

    Returns
    -------
    JointDisplay
        Always with its caveat: the display is descriptive.
    """
    caller = "joint_display"
    conf_level = check_conf_level(conf_level, caller=caller)
    coded.codebook.code(theme)
    frame = as_pandas(outcomes, arg="outcomes", caller=caller)
    complete = complete_cases(
        frame, [participant, outcome], missing=missing, arg="outcomes", caller=caller
    )
    ids = frame[participant]
    named = ids.notna().to_numpy()
    if ids[named].duplicated().any():
        raise DataError(
            f"{caller}(): `outcomes` has several rows for participant "
            f"{ids[named][ids[named].duplicated()].iloc[0]!r}",
            hint="give one row per participant",
        )
    held = segment_presence(coded, rule=rule).groupby("participant")[theme].max()
    lost = ids[named & ~complete.kept].astype(str)
    n_without_outcome = int(lost.isin(held.index).sum())
    data = complete.frame[[participant, outcome]].copy()
    data[participant] = data[participant].astype(str)
    data = data.set_index(participant)
    n_without_interview = int((~data.index.isin(held.index)).sum())
    merged = data.join(held.rename("_held"), how="inner")
    values = merged[outcome]
    binary = _binary(values)
    if not binary and not pd.api.types.is_numeric_dtype(values):
        raise DataError(
            f"{caller}(): outcome {outcome!r} must be 0/1, true/false or numeric",
            hint="code the outcome as a number",
        )
    y = values.astype(float).to_numpy()
    held_flags = merged["_held"].to_numpy()
    parts = {flag: y[held_flags == int(flag)] for flag in (True, False)}
    rows = [
        _group_row(flag, part, binary, conf_level, suppress_below) for flag, part in parts.items()
    ]
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["n_events"] = table["n_events"].astype("Int64")
    diff = lower = upper = float("nan")
    if not table["suppressed"].any():
        diff, lower, upper = _difference(parts[True], parts[False], binary, conf_level)
    return JointDisplay(
        theme,
        outcome,
        "binary" if binary else "numeric",
        table,
        diff,
        lower,
        upper,
        n_without_outcome,
        n_without_interview,
        conf_level,
        n_dropped=complete.n_dropped,
    )
