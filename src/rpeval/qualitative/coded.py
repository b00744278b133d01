"""`coded_segments`: coded interview segments in, checked against the codebook.

The input has one row per code a coder applied to a segment (a passage of an interview,
focus group or open answer): segment, participant, stakeholder group, coder, code and, for
ordinal codes, the rating. A row with an empty code says that the coder read the segment
and applied no code, so that "not applied" can be told from "not read": a presence code is
0 for every segment a coder read without applying it, and missing for segments the coder
did not read.

Examples
--------
>>> import pandas as pd
>>> from rpeval.qualitative import codebook_from_text
>>> book = codebook_from_text('''
... name: victims
... version: 1.0.0
... title: Victim interviews
... codes:
...   - {name: felt_heard, definition: Listened to.}
...   - {name: apology, definition: Apology offered.}
... ''')
>>> rows = pd.DataFrame({
...     "segment": ["s1", "s1", "s2", "s2"], "participant": ["p1", "p1", "p2", "p2"],
...     "group": ["victim"] * 4, "coder": ["ann", "bob", "ann", "bob"],
...     "code": ["felt_heard", "felt_heard", None, "apology"]})
>>> coded = coded_segments(rows, book)
>>> coded.ratings("apology")
coder    ann  bob
segment
s1       0.0  0.0
s2       0.0  1.0
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rpeval._display import Display, Displayed
from rpeval._frames import MissingPolicy, as_pandas, complete_cases, require_columns
from rpeval._json import records
from rpeval.errors import CodebookError, DataError
from rpeval.qualitative.codebook import Codebook

__all__ = ["CodedSegments", "coded_segments"]

_CALLER = "coded_segments"


@dataclass(frozen=True, repr=False)
class CodedSegments(Displayed):
    """Coded segments checked against a codebook.

    Attributes
    ----------
    codebook
        The codebook the codes were checked against.
    codes
        One row per applied code: segment, participant, group, coder, code, rating
        (1 for a presence code, 0 where a rating column said "not applied"; for an
        ordinal code the position of its rating on the code's scale, 0 = lowest level).
    reviewed
        One row per segment and coder who read it: segment, participant, group, coder.
    n_dropped
        Input rows left out for a missing segment, participant, group or coder
        (``missing="drop"``).
    """

    codebook: Codebook
    codes: pd.DataFrame
    reviewed: pd.DataFrame
    n_dropped: int = 0

    @property
    def coders(self) -> tuple[str, ...]:
        """The coders, sorted."""
        return tuple(sorted(self.reviewed["coder"].astype(str).unique()))

    @property
    def n_segments(self) -> int:
        """The number of segments."""
        return int(self.reviewed["segment"].nunique())

    def participants(self) -> pd.DataFrame:
        """One row per participant: participant, group."""
        frame = self.reviewed[["participant", "group"]].drop_duplicates("participant")
        return frame.sort_values("participant", ignore_index=True)

    def members(self, code: str) -> tuple[str, ...]:
        """The presence codes that make up `code`: itself and, for a theme, every presence
        code below it (a theme is present where any of them is applied)."""
        found = self.codebook.code(code)
        if found.scale != "presence":
            return (code,)
        below = [c.name for c in self.codebook.codes if self.codebook.theme_path(c.name)]
        return tuple(
            name
            for name in below
            if code in self.codebook.theme_path(name)
            and self.codebook.code(name).scale == "presence"
        )

    def ratings(self, code: str) -> pd.DataFrame:
        """Segments × coders: the code's value (0/1 or the rating), NaN where not read
        (and, for an ordinal code, where the coder gave no rating). A theme is 1 where the
        coder applied it or any presence code below it."""
        found = self.codebook.code(code)
        applied = self.codes[self.codes["code"].isin(self.members(code))]
        matrix = applied.pivot_table(
            index="segment", columns="coder", values="rating", aggfunc="max"
        )
        frame = self.reviewed.assign(read=1.0).pivot_table(
            index="segment", columns="coder", values="read", aggfunc="max"
        )
        matrix = matrix.reindex(index=frame.index, columns=frame.columns)
        if found.scale == "presence":
            matrix = matrix.fillna(0.0).where(frame.notna())
        matrix.columns.name = "coder"
        matrix.index.name = "segment"
        return matrix.astype(float)

    def presence(self) -> pd.DataFrame:
        """Participant × code: 1 when any coder applied the code (a theme: it or a code
        below it; an ordinal code: rated above its lowest level) to any of the
        participant's segments, else 0."""
        codes = self.codes[self.codes["rating"] > 0]  # ordinal: positions 0..k-1
        people = self.participants()["participant"]
        columns = {}
        for name in self.codebook.code_names:
            holders = set(codes.loc[codes["code"].isin(self.members(name)), "participant"])
            columns[name] = people.isin(holders).to_numpy()
        table = pd.DataFrame(columns, index=pd.Index(people))
        table.index.name = "participant"
        table.columns.name = "code"
        return table.astype(int)

    def summary(self) -> pd.DataFrame:
        """One row per code: code, scale, n_segments, n_applied, n_participants."""
        rows = []
        for code in self.codebook.codes:
            applied = self.codes[self.codes["code"] == code.name]
            rows.append(
                {
                    "code": code.name,
                    "scale": code.scale,
                    "n_segments": int(applied["segment"].nunique()),
                    "n_applied": len(applied),
                    "n_participants": int(applied["participant"].nunique()),
                }
            )
        return pd.DataFrame(
            rows, columns=["code", "scale", "n_segments", "n_applied", "n_participants"]
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready counts per code."""
        return {
            "codebook": self.codebook.name,
            "version": self.codebook.version,
            "coders": list(self.coders),
            "n_segments": self.n_segments,
            "n_dropped": self.n_dropped,
            "codes": records(self.summary()),
        }

    def _display(self) -> Display:
        title = (
            f"{self.n_segments} segments coded by {len(self.coders)} coders against "
            f"{self.codebook.name} {self.codebook.version}"
        )
        header = (("coders", ", ".join(self.coders)), ("rows dropped", str(self.n_dropped)))
        return Display(title, header, self.summary())


def _one_per(frame: pd.DataFrame, key: str, value: str, what: str) -> None:
    counts = frame.groupby(key)[value].nunique()
    bad = counts[counts > 1]
    if len(bad):
        first: Hashable = bad.index[0]
        found = sorted(frame.loc[frame[key] == first, value].unique())
        raise DataError(
            f"{_CALLER}(): {key} {first!r} has several {what}s ({', '.join(found)})",
            hint=f"each {key} belongs to one {what}; fix the data",
        )


def _show(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return repr(int(value))
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def _ratings(
    frame: pd.DataFrame, codebook: Codebook, rating: str | None, column: str | None
) -> pd.Series:
    """Presence codes 1 (0 when a rating says so); ordinal codes their level's position."""
    values = pd.Series(1.0, index=frame.index)
    for code in codebook.codes:
        rows = frame["code"] == code.name
        if not rows.any():
            continue
        if code.scale == "presence":
            if rating is not None:
                given = frame.loc[rows, rating]
                ok = given.isna() | given.isin([0, 1, True, False])
                if not ok.all():
                    bad = given[~ok].iloc[0]
                    raise CodebookError(
                        f"{_CALLER}(): presence code {code.name!r} has rating {_show(bad)} in "
                        f"column `{column}`; a presence code is 0 or 1 (or empty)",
                        hint="give ratings only to ordinal codes, or 0/1 for presence",
                    )
                values[rows] = given.fillna(1).astype(float)
            continue
        if rating is None:
            raise CodebookError(
                f"{_CALLER}(): code {code.name!r} is ordinal but no `rating=` column was given",
                hint="pass rating='<column with the ratings>'",
            )
        levels = list(code.levels or [])
        given = frame.loc[rows, rating]
        if given.isna().any():
            raise CodebookError(
                f"{_CALLER}(): ordinal code {code.name!r} has a row without a rating in "
                f"column `{column}`",
                hint="rate every application of an ordinal code, or drop the row",
            )
        position = {level: float(i) for i, level in enumerate(levels)}
        if isinstance(levels[0], str):
            mapped = given.astype(str).map(position)
        else:
            numeric = pd.to_numeric(given, errors="coerce")
            mapped = numeric.map(position)
        if mapped.isna().any():
            bad = given[mapped.isna()].iloc[0]
            raise CodebookError(
                f"{_CALLER}(): rating {_show(bad)} of ordinal code {code.name!r} (column "
                f"`{column}`) is not on its scale {levels}",
                hint="use one of the codebook's levels for that code",
            )
        values[rows] = mapped
    return values


def coded_segments(
    data: object,
    codebook: Codebook,
    *,
    segment: str = "segment",
    participant: str = "participant",
    group: str = "group",
    coder: str = "coder",
    code: str = "code",
    rating: str | None = None,
    missing: MissingPolicy = "error",
) -> CodedSegments:
    """Check coded segments against a codebook.

    Parameters
    ----------
    data
        One row per code applied by a coder to a segment; a row with an empty `code`
        records that the coder read the segment and applied nothing.
    codebook
        From :func:`load_codebook`.
    segment, participant, group, coder, code
        Column names. A segment belongs to one participant, a participant to one
        stakeholder group (victim, offender, supporter, community member, officer, ...).
    rating
        Column of ratings: required for ordinal codes (a level of the code's scale), 0/1
        or empty for presence codes.
    missing
        Rows without a segment, participant, group or coder: ``"error"`` (default) raises
        with the count per column; ``"drop"`` leaves them out and counts them
        (``n_dropped``). An empty `code` is not missing: it records a segment read and
        left uncoded; an empty `rating` is handled as above.

    Returns
    -------
    CodedSegments

    Raises
    ------
    CodebookError
        A code not in the codebook (with did-you-mean), a rating off an ordinal scale.
    DataError
        Missing columns or (``missing="error"``) identifiers; a segment with two
        participants; a participant in two groups.
    """
    frame = as_pandas(data, arg="data", caller=_CALLER)
    columns = {"segment": segment, "participant": participant, "group": group}
    columns |= {"coder": coder, "code": code}
    names = list(columns.values()) + ([rating] if rating is not None else [])
    require_columns(frame, names, arg="data", caller=_CALLER)
    ids = [col for key, col in columns.items() if key != "code"]
    complete = complete_cases(frame, ids, missing=missing, arg="data", caller=_CALLER)
    frame = complete.frame
    tidy = pd.DataFrame(
        {key: frame[col].astype(str) for key, col in columns.items() if key != "code"}
    )
    raw_code = frame[code]
    tidy["code"] = raw_code.where(raw_code.isna(), raw_code.astype(str))
    if rating is not None:
        tidy["_rating"] = frame[rating]
    _one_per(tidy, "segment", "participant", "participant")
    _one_per(tidy, "participant", "group", "group")
    codebook.check_codes(tidy["code"].dropna().unique(), arg=code, caller=_CALLER)
    keys = ["segment", "participant", "group", "coder"]
    reviewed = tidy[keys].drop_duplicates().sort_values(keys, ignore_index=True)
    applied = tidy[tidy["code"].notna()].copy()
    applied["rating"] = _ratings(
        applied, codebook, "_rating" if rating is not None else None, rating
    )
    applied = applied[[*keys, "code", "rating"]]
    duplicated = applied.duplicated(["segment", "coder", "code"], keep=False)
    if duplicated.any():
        first = applied[duplicated].iloc[0]
        raise DataError(
            f"{_CALLER}(): coder {first['coder']!r} applied code {first['code']!r} to "
            f"segment {first['segment']!r} more than once",
            hint="keep one row per segment, coder and code",
        )
    return CodedSegments(codebook, applied.reset_index(drop=True), reviewed, complete.n_dropped)
