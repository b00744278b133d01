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
from typing import Final

import numpy as np
import pandas as pd

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


@dataclass(frozen=True)
class InterviewData:
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


def _reliability(value: float | Mapping[str, float], code: str) -> float:
    found = value.get(code, 0.85) if isinstance(value, Mapping) else value
    return float(found)


def simulate_interviews(
    n_participants: int = 200,
    *,
    n_coders: int = 3,
    segments_per_participant: int = 4,
    reliability: float | Mapping[str, float] = 0.85,
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
    """
    rng = np.random.default_rng(random_state)
    ids = [f"P{i + 1:04d}" for i in range(n_participants)]
    groups = rng.choice(len(GROUPS), size=n_participants, p=GROUP_SHARES)
    group_names = np.array(GROUPS)[groups]
    coders = [f"coder_{chr(ord('a') + j)}" for j in range(n_coders)]
    n_seg = n_participants * segments_per_participant
    seg_owner = np.repeat(np.arange(n_participants), segments_per_participant)
    seg_ids = np.array([f"S{i + 1:05d}" for i in range(n_seg)])
    truth_values: dict[str, np.ndarray] = {}
    holds: dict[str, np.ndarray] = {}
    for code in PRESENCE_CODES:
        p = np.array([PREVALENCE[code][g] for g in group_names])
        holder = rng.random(n_participants) < p
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
    for c_index, coder in enumerate(coders):
        coder_rng = np.random.default_rng([0 if random_state is None else random_state, c_index])
        applied = {}
        for code in PRESENCE_CODES:
            copy = coder_rng.random(n_seg) < np.sqrt(_reliability(reliability, code))
            base = truth_values[code].mean()
            applied[code] = np.where(copy, truth_values[code], coder_rng.random(n_seg) < base)
        copy = coder_rng.random(n_seg) < np.sqrt(_reliability(reliability, "apology_sincere"))
        ratings = np.where(copy, apology_true, coder_rng.choice(4, size=n_seg))
        for s in range(n_seg):
            owner = seg_owner[s]
            any_code = False
            for code in PRESENCE_CODES:
                if applied[code][s]:
                    rows.append((seg_ids[s], ids[owner], group_names[owner], coder, code, np.nan))
                    any_code = True
            if apology_seg[s]:
                rows.append(
                    (seg_ids[s], ids[owner], group_names[owner], coder, "apology_sincere",
                     float(ratings[s]))
                )  # fmt: skip
                any_code = True
            if not any_code:
                rows.append((seg_ids[s], ids[owner], group_names[owner], coder, None, np.nan))
    segments = pd.DataFrame(
        rows, columns=["segment", "participant", "group", "coder", "code", "rating"]
    )
    shareable = pd.Series(rng.random(n_seg) < 0.5, index=seg_ids)
    segments["shareable"] = segments["segment"].map(shareable).astype(bool)
    segments["quote"] = "Simulated quote " + segments["segment"].str[1:]
    felt = holds["felt_heard"]
    risk = np.where(felt, 0.20, 0.30)
    rearrest = pd.Series(rng.random(n_participants) < risk, dtype="boolean")
    rearrest[group_names != "offender"] = pd.NA
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
    return InterviewData(INTERVIEW_CODEBOOK, segments, participants, truth)
