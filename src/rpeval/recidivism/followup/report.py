"""`FollowUpReport`: what :func:`~rpeval.recidivism.build_followup` found and did.

:func:`~rpeval.recidivism.build_followup_with_report` returns it with the frame as a
:class:`FollowUp`; :func:`followup_report` reads it from there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from rpeval._display import Display, Displayed
from rpeval.errors import DataError
from rpeval.recidivism.followup._inputs import NOTES, PROBLEMS

__all__ = ["SUMMARY_COLUMNS", "FollowUp", "FollowUpReport", "followup_report"]

SUMMARY_COLUMNS = ("item", "kind", "count", "action", "description", "examples")


@dataclass(frozen=True, repr=False)
class FollowUpReport(Displayed):
    """What :func:`build_followup` found in its inputs and what it did about it.

    Attributes
    ----------
    n_people
        Rows of ``people``.
    n_rows
        Rows of the result (people whose follow-up could be defined).
    problems
        Count per problem; every key is always present (see :meth:`summary`).
    notes
        Counts of things that are not errors but change what is counted.
    examples
        Up to three person ids for each nonzero problem or note.
    event_codes
        Meaning of each value of ``event``: 0 censored, 1 the outcome, 2.. competing.
    event_counts
        Rows of the result with each ``event`` code.
    unit
        Unit of ``duration``, ``time_at_risk`` and ``custody_time``.
    max_followup
        The fixed window as given (its ``repr``), or None.
    """

    n_people: int
    n_rows: int
    problems: dict[str, int]
    notes: dict[str, int]
    examples: dict[str, tuple[Any, ...]]
    event_codes: dict[int, str]
    event_counts: dict[int, int]
    unit: str
    max_followup: str | None

    @property
    def n_problems(self) -> int:
        """Total count of problems (rows of the inputs that were dropped, ignored or merged)."""
        return sum(self.problems.values())

    def summary(self) -> pd.DataFrame:
        """Every problem, note and event code as a tidy table.

        Columns: ``item``, ``kind`` (problem, note or event), ``count``, ``action`` (what
        was done), ``description`` (what was found) and ``examples`` (ids, comma-separated).
        """
        rows: list[tuple[object, ...]] = []
        for kind, table, counts in (
            ("problem", PROBLEMS, self.problems),
            ("note", NOTES, self.notes),
        ):
            for key, (what, action) in table.items():
                shown = ", ".join(str(v) for v in self.examples.get(key, ()))
                rows.append((key, kind, counts[key], action, what, shown))
        for code, label in self.event_codes.items():
            what = "censored" if code == 0 else f"follow-up ended by {label}"
            rows.append((label, "event", self.event_counts[code], f"event = {code}", what, ""))
        return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (example ids as given, event codes as text keys)."""
        return {
            "n_people": self.n_people,
            "n_rows": self.n_rows,
            "problems": dict(self.problems),
            "notes": dict(self.notes),
            "examples": {k: list(v) for k, v in self.examples.items()},
            "event_codes": {str(k): v for k, v in self.event_codes.items()},
            "event_counts": {str(k): v for k, v in self.event_counts.items()},
            "unit": self.unit,
            "max_followup": self.max_followup,
        }

    def _display(self) -> Display:
        from rpeval.recidivism._display_models import followup_report_display

        return followup_report_display(self)


@dataclass(frozen=True, repr=False)
class FollowUp(Displayed):
    """The frame :func:`build_followup` returns (``data``) and its :class:`FollowUpReport`.

    Returned by :func:`build_followup_with_report`; ``summary()`` and ``to_dict()`` are
    the report's.
    """

    data: pd.DataFrame
    report: FollowUpReport

    def summary(self) -> pd.DataFrame:
        """The report's table (see :meth:`FollowUpReport.summary`)."""
        return self.report.summary()

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dictionary (the rows are ``data``)."""
        return self.report.to_dict()

    def _display(self) -> Display:
        from rpeval.recidivism._display_models import followup_report_display

        report = self.report
        title = (
            f"Follow-up of {report.n_rows:,} of {report.n_people:,} people "
            f"({report.n_problems:,} problems in the inputs)"
        )
        return replace(followup_report_display(report), title=title)


def followup_report(followup: FollowUp) -> FollowUpReport:
    """The :class:`FollowUpReport` of a :func:`build_followup_with_report` result.

    Parameters
    ----------
    followup
        What :func:`build_followup_with_report` returned.

    Returns
    -------
    FollowUpReport

    Raises
    ------
    DataError
        For a data frame: the frame :func:`build_followup` returns no longer carries its
        report in ``DataFrame.attrs`` (merges and concatenations dropped it silently).

    Examples
    --------
    >>> import pandas as pd
    >>> from rpeval.recidivism import build_followup_with_report
    >>> people = pd.DataFrame({"pid": ["a", "b"], "entry": pd.to_datetime(["2023-01-01", None])})
    >>> arrests = pd.DataFrame({"pid": ["a", "x"], "date": pd.to_datetime(["2023-02-01"] * 2)})
    >>> fu = build_followup_with_report(people, id="pid", start="entry", events=arrests,
    ...                                 event_date="date", end=pd.Timestamp("2023-12-31"))
    >>> report = followup_report(fu)
    >>> report.n_people, report.n_rows, report.n_problems
    (2, 1, 2)
    >>> table = report.summary()
    >>> table.loc[table["count"] > 0, ["item", "count", "action", "examples"]]
                         item  count          action examples
    0           missing_entry      1  person dropped        b
    4   events_unknown_person      1     row ignored        x
    17                   date      1       event = 1
    """
    if isinstance(followup, FollowUp):
        return followup.report
    raise DataError(
        "followup_report(): give the result of build_followup_with_report(); the frame "
        "build_followup() returns carries no report (it is no longer kept in DataFrame.attrs)",
        hint="call build_followup_with_report(...) with the same arguments and read "
        ".report (or followup_report(result)); .data is the same frame",
    )
