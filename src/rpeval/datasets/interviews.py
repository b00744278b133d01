"""`simulate_interviews`: coded interviews with known reliability and theme prevalence.

Participants of a restorative-practice program (victims, offenders, supporters, community
members, officers) are interviewed; each interview is cut into segments and every segment
is coded by several coders against the codebook :data:`INTERVIEW_CODEBOOK`. The truth is
known: which participants hold each theme (prevalence per stakeholder group), and how
reliably coders see it.

How it is drawn
---------------
A participant holds a presence theme with the probability of their group
(:data:`PREVALENCE`); each of their segments then shows it with probability 0.6 (at least
one segment does). Each coder copies a segment's true value with probability
:math:`\\sqrt{r}`, and otherwise draws a value at random from the code's share of segments,
so that two coders' values correlate with :math:`r` and Krippendorff's α is about
:math:`r` (``reliability``; per code with a dict). The ordinal code ``apology_sincere``
(0-3) is rated on offenders' and victims' segments that mention an apology. Offenders are
re-arrested within 12 months with probability 0.30, or 0.20 when they felt heard: the
joint display has a known association (it is simulated, and descriptive even so).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval.datasets._bundle import DataBundle
from rpeval.errors import DataError

__all__ = ["INTERVIEW_CODEBOOK", "PREVALENCE", "InterviewData", "simulate_interviews"]

GROUPS: Final = ("victim", "offender", "supporter", "community member", "officer")
PRESENCE_CODES: Final = ("felt_heard", "fair_process", "took_responsibility", "safety_concern")
PREVALENCE: Final[dict[str, dict[str, float]]] = {
    "felt_heard": {"victim": 0.70, "offender": 0.55, "supporter": 0.50,
                   "community member": 0.40, "officer": 0.30},
    "fair_process": {"victim": 0.60, "offender": 0.65, "supporter": 0.55,
                     "community member": 0.45, "officer": 0.60},
    "took_responsibility": {"victim": 0.35, "offender": 0.60, "supporter": 0.40,
                            "community member": 0.20, "officer": 0.25},
    "safety_concern": {"victim": 0.40, "offender": 0.10, "supporter": 0.20,
                       "community member": 0.35, "officer": 0.15},
}  # fmt: skip
GROUP_SHARES: Final = (0.3, 0.3, 0.15, 0.15, 0.1)

INTERVIEW_CODEBOOK: Final = """\
name: participant_voices
version: 1.0.0
title: Participant interviews after a restorative conference
description: Procedural justice, accountability and safety in participants' accounts.
references:
  - Tyler, T. R. (2006). Why People Obey the Law. Princeton University Press.
codes:
  - name: procedural_justice
    definition: How the participant experienced the process itself.
  - name: felt_heard
    label: Felt heard
    definition: The participant says they could tell their story and were listened to.
    include: [says they were listened to, says they could speak freely]
    exclude: [only says the facilitator was polite]
    parent: procedural_justice
    examples: ["For once somebody actually listened to what happened to me."]
  - name: fair_process
    label: Fair process
    definition: The participant calls the process fair or even-handed.
    include: [calls the process fair, says both sides were treated alike]
    parent: procedural_justice
    examples: ["It was fair to both of us."]
  - name: took_responsibility
    label: Took responsibility
    definition: The offender accepts responsibility for the harm, in their or others' words.
    include: [an admission of the harm without excuses]
    examples: ["I did it, and I know what it cost her."]
  - name: safety_concern
    label: Safety concern
    definition: The participant fears for their own or others' safety.
    include: [fear of the offender or of retaliation]
    examples: ["I still check the street before I go out."]
  - name: apology_sincere
    label: Sincerity of the apology
    definition: How sincere the apology was, from 0 (none or rejected) to 3 (fully sincere).
    include: [rates or describes the apology]
    scale: ordinal
    levels: [0, 1, 2, 3]
    examples: ["He meant it, I could tell."]
"""


@dataclass(frozen=True, repr=False)
class InterviewData(DataBundle):
    """Simulated coded interviews.

    Attributes
    ----------
    codebook_yaml
        The codebook (:data:`INTERVIEW_CODEBOOK`); read it with
        ``rpeval.qualitative.codebook_from_text``.
    segments
        One row per applied code, in the layout of ``coded_segments``: segment,
        participant, group, coder, code (empty: read, nothing applied), rating, shareable
        (whether the quote may be shown), quote.
    participants
        One row per participant: participant, group, rearrest_12m (offenders only).
    truth
        The true prevalence per code and group (the simulation's probabilities) and the
        reliability per code.
    """

    codebook_yaml: str
    segments: pd.DataFrame
    participants: pd.DataFrame
    truth: dict[str, object] = field(default_factory=dict)
    _TITLE: ClassVar[str] = "Simulated coded interviews"
    _TABLES: ClassVar[tuple[str, ...]] = ("segments", "participants")


def _reliability(value: float | Mapping[str, float], code: str) -> float:
    found = value.get(code, 0.85) if isinstance(value, Mapping) else value
    return float(found)


HEARD_GIVEN_REARREST: Final = {True: 0.45, False: 0.58}
"""With ``offenders=``: the chance that an offender holds ``felt_heard`` given whether they
were re-arrested within 12 months (unknown outcome: the group's 0.55)."""


def _people(
    n_participants: int, offenders: pd.Series | None, rng: np.random.Generator
) -> tuple[list[str], NDArray[np.str_]]:
    """Interviewees' ids and groups: drawn in :data:`GROUP_SHARES`, or the given offenders
    first and the others drawn from the other groups."""
    if offenders is None:
        groups = rng.choice(len(GROUPS), size=n_participants, p=GROUP_SHARES)
        names: NDArray[np.str_] = np.array(GROUPS)[groups]
        return [f"P{i + 1:04d}" for i in range(n_participants)], names
    known = [str(person) for person in offenders.index]
    if len(set(known)) != len(known) or len(known) > n_participants:
        raise DataError(
            f"simulate_interviews(): `offenders` needs unique ids, at most n_participants="
            f"{n_participants} ({len(known)} given)",
            hint="pass one re-arrest value per offender, indexed by person id",
        )
    others = [g for g in GROUPS if g != "offender"]
    shares = np.array([GROUP_SHARES[GROUPS.index(g)] for g in others])
    drawn = rng.choice(len(others), size=n_participants - len(known), p=shares / shares.sum())
    ids = known + [f"I{i + 1:04d}" for i in range(n_participants - len(known))]
    labels: NDArray[np.str_] = np.array(["offender"] * len(known) + [others[g] for g in drawn])
    return ids, labels


def _holding(
    code: str, groups: NDArray[np.str_], offenders: pd.Series | None
) -> NDArray[np.float64]:
    """Each interviewee's chance of holding `code`."""
    p = np.array([PREVALENCE[code][g] for g in groups])
    if offenders is not None and code == "felt_heard":
        p[: len(offenders)] = [
            HEARD_GIVEN_REARREST[bool(v)] if pd.notna(v) else PREVALENCE[code]["offender"]
            for v in offenders
        ]
    return p


QUOTES: Final[dict[str, tuple[str, ...]]] = {
    "felt_heard": (
        "For once somebody actually listened to what happened to me.",
        "They let me say everything I needed to say, start to finish.",
        "Nobody rushed me. I felt like my side counted.",
    ),
    "fair_process": (
        "It was fair to both of us, nobody got talked down to.",
        "The facilitator treated everyone in that room the same.",
    ),
    "took_responsibility": (
        "I did it, and I know what it cost her.",
        "No excuses. I was the one who broke the window.",
    ),
    "safety_concern": (
        "I still check the street before I go out.",
        "I worry he will come back to the shop.",
    ),
}
"""Simulated quotes: a segment says one line of each code it truly shows (none: a neutral
remark)."""
NEUTRAL: Final = ("We met in the community centre on a Tuesday.", "It took about two hours.")


def _quotes(seg_ids: NDArray[np.str_], truth: dict[str, NDArray[np.bool_]]) -> dict[str, str]:
    """A simulated quote per segment, from the codes it truly shows."""
    out = {}
    for s, seg in enumerate(seg_ids):
        said = [QUOTES[c][s % len(QUOTES[c])] for c in PRESENCE_CODES if truth[c][s]]
        out[str(seg)] = " ".join(said) or NEUTRAL[s % len(NEUTRAL)]
    return out


def _coder_rows(
    coder: str,
    rng: np.random.Generator,
    truth: dict[str, NDArray[np.bool_]],
    apology: tuple[NDArray[np.bool_], NDArray[np.int64]],
    reliability: float | Mapping[str, float],
    owners: tuple[NDArray[np.str_], list[str], NDArray[np.str_]],
) -> list[tuple[object, ...]]:
    """One coder's rows: each value copies the truth with probability sqrt(r)."""
    seg_ids, ids, groups = owners[0], owners[1], owners[2]
    n_seg = seg_ids.size
    per = n_seg // len(ids)
    applied = {}
    for code in PRESENCE_CODES:
        copy = rng.random(n_seg) < np.sqrt(_reliability(reliability, code))
        applied[code] = np.where(copy, truth[code], rng.random(n_seg) < truth[code].mean())
    copy = rng.random(n_seg) < np.sqrt(_reliability(reliability, "apology_sincere"))
    ratings = np.where(copy, apology[1], rng.choice(4, size=n_seg))
    rows: list[tuple[object, ...]] = []
    for s in range(n_seg):
        head = (seg_ids[s], ids[s // per], groups[s // per], coder)
        found: list[tuple[object, ...]] = [
            (*head, code, np.nan) for code in PRESENCE_CODES if applied[code][s]
        ]
        if apology[0][s]:
            found.append((*head, "apology_sincere", float(ratings[s])))
        rows.extend(found or [(*head, None, np.nan)])
    return rows


def simulate_interviews(
    n_participants: int = 200,
    *,
    n_coders: int = 3,
    segments_per_participant: int = 4,
    reliability: float | Mapping[str, float] = 0.85,
    offenders: pd.Series | None = None,
    random_state: int | None = 0,
) -> InterviewData:
    """Coded interviews with known reliability and theme prevalence.

    Parameters
    ----------
    n_participants
        Interviewed participants (groups in shares 0.3 victims, 0.3 offenders, 0.15
        supporters, 0.15 community members, 0.1 officers).
    n_coders
        Every segment is coded by every coder.
    segments_per_participant
        Segments per interview.
    reliability
        The target Krippendorff's α of each presence code (one number, or per code).
    offenders
        Link the interviews to a program: re-arrest within 12 months (True/False/NA)
        indexed by the person ids of the interviewed offenders (e.g. program
        participants). They are the offender group, with their ids and outcomes; the other
        interviewees (ids ``I0001``...) are drawn from the other groups; an offender holds
        ``felt_heard`` with probability 0.45 when re-arrested, 0.58 when not
        (:data:`HEARD_GIVEN_REARREST`).
    random_state
        Seed; the same seed gives the same data.

    Returns
    -------
    InterviewData

    Examples
    --------
    >>> data = simulate_interviews(50, random_state=1)
    >>> sorted(data.segments.columns)
    ['code', 'coder', 'group', 'participant', 'quote', 'rating', 'segment', 'shareable']
    >>> linked = simulate_interviews(
    ...     10, offenders=pd.Series([True, False], index=["P000007", "P000012"]))
    >>> linked.participants["participant"].tolist()[:3]
    ['P000007', 'P000012', 'I0001']
    """
    rng = np.random.default_rng(random_state)
    ids, group_names = _people(n_participants, offenders, rng)
    n_seg = n_participants * segments_per_participant
    seg_owner = np.repeat(np.arange(n_participants), segments_per_participant)
    seg_ids = np.array([f"S{i + 1:05d}" for i in range(n_seg)])
    truth_values: dict[str, NDArray[np.bool_]] = {}
    holds: dict[str, NDArray[np.bool_]] = {}
    for code in PRESENCE_CODES:
        holder = rng.random(n_participants) < _holding(code, group_names, offenders)
        shown = (rng.random(n_seg) < 0.6) & holder[seg_owner]
        first = np.arange(n_participants) * segments_per_participant
        shown[first] |= holder  # at least one segment shows it
        truth_values[code] = shown
        holds[code] = holder
    apology_seg = np.isin(group_names[seg_owner], ["victim", "offender"]) & (
        rng.random(n_seg) < 0.3
    )
    apology_true = rng.choice(4, size=n_seg, p=[0.2, 0.3, 0.3, 0.2])
    rows: list[tuple[object, ...]] = []
    for c_index in range(n_coders):
        coder_rng = np.random.default_rng([0 if random_state is None else random_state, c_index])
        coder = f"coder_{chr(ord('a') + c_index)}"
        owners = (seg_ids, ids, group_names)
        apology = (apology_seg, apology_true)
        rows.extend(_coder_rows(coder, coder_rng, truth_values, apology, reliability, owners))
    segments = pd.DataFrame(
        rows, columns=["segment", "participant", "group", "coder", "code", "rating"]
    )
    shareable = pd.Series(rng.random(n_seg) < 0.5, index=seg_ids)
    segments["shareable"] = segments["segment"].map(shareable).astype(bool)
    segments["quote"] = segments["segment"].map(_quotes(seg_ids, truth_values))
    risk = np.where(holds["felt_heard"], 0.20, 0.30)
    rearrest = pd.Series(rng.random(n_participants) < risk, dtype="boolean")
    rearrest[group_names != "offender"] = pd.NA
    if offenders is not None:
        rearrest[: len(offenders)] = pd.array(offenders.to_numpy(), dtype="boolean")
    participants = pd.DataFrame(
        {"participant": ids, "group": group_names, "rearrest_12m": rearrest}
    )
    truth: dict[str, object] = {
        "prevalence": {code: dict(PREVALENCE[code]) for code in PRESENCE_CODES},
        "reliability": {
            code: _reliability(reliability, code) for code in (*PRESENCE_CODES, "apology_sincere")
        },
        "rearrest_risk": {"felt_heard": 0.20, "not_felt_heard": 0.30},
    }
    if offenders is not None:
        truth["felt_heard_given_rearrest"] = dict(HEARD_GIVEN_REARREST)
    return InterviewData(INTERVIEW_CODEBOOK, segments, participants, truth)
