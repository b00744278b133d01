"""What the report publishes of the cohort flow: no count below ``suppress_below``.

The cohort flow is exact in :attr:`Evaluation.cohort` (the analyst's own object). The HTML
report and ``results.json`` publish it, and there a step that drops 1 to ``k - 1`` people —
in all, among participants or among the comparison group — would show that small count, if
not as ``dropped`` then as the difference of two ``remaining`` counts. So such a step is
combined with the next one (their reasons listed together) until the combined step drops 0
or at least ``k`` in every group; a tail that never gets there is folded into the steps
before it. If even the whole flow drops fewer than ``k`` in a group, the first row's counts
and the combined step's ``dropped`` are withheld. A ``remaining`` count below ``k`` is
withheld too, with the total (which would give it back as the total minus the other group).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["published_cohort"]

_GROUPS = ("remaining", "remaining_treated", "remaining_comparison")
Step = dict[str, Any]


def _drops(before: Step, after: Step) -> list[int]:
    return [int(before[c]) - int(after[c]) for c in _GROUPS]


def _fine(drops: Sequence[int], k: int) -> bool:
    return all(d == 0 or d >= k for d in drops)


def _combined(before: Step, members: list[Step], k: int) -> Step:
    last = members[-1]
    if len(members) == 1:
        return dict(last, members=members)
    reasons = "; ".join(str(m["reason"]) for m in members if m["reason"])
    return {
        **last,
        "step": " + ".join(str(m["step"]) for m in members),
        "dropped": int(before["remaining"]) - int(last["remaining"]),
        "reason": f"{reasons} (steps combined so that no count below {k} is shown)",
        "members": members,
    }


def published_cohort(cohort: pd.DataFrame, k: int) -> pd.DataFrame:
    """The cohort flow with no count in ``1..k-1`` shown or derivable (see the module).

    Examples
    --------
    >>> flow = pd.DataFrame({
    ...     "step": ["people given", "complete covariates", "known entry date", "matched"],
    ...     "remaining": [1000, 997, 997, 300],
    ...     "remaining_treated": [150, 150, 150, 150],
    ...     "remaining_comparison": [850, 847, 847, 150],
    ...     "dropped": [0, 3, 0, 697],
    ...     "reason": ["", "missing age", "no entry date", "no match"],
    ... })
    >>> published_cohort(flow, 10)[["step", "remaining", "dropped"]]
                                                step  remaining  dropped
    0                                   people given       1000        0
    1  complete covariates + known entry date + matched        300      700
    """
    columns = list(cohort.columns)
    steps: list[Step] = [{str(k): v for k, v in r.items()} for r in cohort.to_dict("records")]
    if k <= 1 or len(steps) < 2:
        return cohort.copy()
    shown: list[Step] = [dict(steps[0], members=[steps[0]])]
    pending: list[Step] = []
    for step in steps[1:]:
        pending.append(step)
        if _fine(_drops(shown[-1], step), k):
            shown.append(_combined(shown[-1], pending, k))
            pending = []
    while pending and len(shown) > 1:  # the tail never dropped enough: fold it backwards
        pending = shown.pop()["members"] + pending
        if _fine(_drops(shown[-1], pending[-1]), k):
            shown.append(_combined(shown[-1], pending, k))
            pending = []
    if pending:  # the whole flow drops fewer than k in some group: withhold the start
        first = shown[0]
        shown.append(dict(_combined(first, pending, k), dropped=None))
        for column in _GROUPS:
            first[column] = None
    for step in shown:
        step.pop("members", None)
        small = [c for c in _GROUPS[1:] if step[c] is not None and 0 < int(step[c]) < k]
        for column in small:
            step[column] = None
        if small:
            step["remaining"] = None
    return pd.DataFrame(shown, columns=columns).astype(
        {c: "Int64" for c in (*_GROUPS, "dropped") if c in columns}
    )
