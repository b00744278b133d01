"""Numbers of the "Participant voices" section: reliability per code, prevalence by
stakeholder group, the joint display with re-arrest and the shareable quotes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rpeval.errors import DataError
from rpeval.report._guards import Guard
from rpeval.report.sections import Section, SectionContext
from rpeval.report.sections.voices import Settings, VoicesInput

if TYPE_CHECKING:
    from rpeval.qualitative import AgreementTable, CodedSegments, Prevalence

__all__ = ["records", "voices_section"]

TITLE = "Participant voices"


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows (NaN and NA as None, numpy scalars as Python)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [
        {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        for row in clean.to_dict(orient="records")
    ]


def _coded(value: VoicesInput) -> CodedSegments:
    from rpeval.qualitative import coded_segments

    s, data = value.settings, value.segments
    ordinal = any(c.scale == "ordinal" for c in value.codebook.codes)
    rating = s.rating if s.rating is not None and (s.rating in data or ordinal) else None
    return coded_segments(
        data,
        value.codebook,
        segment=s.segment,
        participant=s.participant,
        group=s.group,
        coder=s.coder,
        code=s.code,
        rating=rating,
    )


def _second(summary: pd.DataFrame, n_coders: int) -> pd.DataFrame:
    """Cohen's κ (two coders) or Gwet's AC1 (more) per code."""
    name = "cohen_kappa" if n_coders == 2 else "gwet_ac1"
    rows = summary[summary["statistic"] == name]
    return rows.set_index("code")[["statistic", "level", "estimate", "ci_lower", "ci_upper"]]


def reliability_rows(table: AgreementTable, coded: CodedSegments, s: Settings) -> pd.DataFrame:
    """One row per code (and overall): α with its interval, κ or AC1, the threshold and
    whether the code passed."""
    from rpeval.qualitative.agreement import OVERALL

    alpha = table.alpha()
    second: dict[Any, dict[Any, Any]] = _second(table.summary(), len(coded.coders)).to_dict(
        orient="index"
    )
    rows = []
    for r in alpha.to_dict(orient="records"):
        code = str(r["code"])
        other = second.get(code)
        overall = code == OVERALL
        estimate = float(r["estimate"])
        result = (
            "–"
            if overall
            else "undefined"
            if np.isnan(estimate)
            else "pass"
            if estimate >= s.min_alpha
            else "below threshold"
        )
        rows.append(
            {
                "code": code,
                "label": "all codes pooled" if overall else _label(coded, code),
                "level": r["level"],
                "alpha": estimate,
                "alpha_ci_lower": r["ci_lower"],
                "alpha_ci_upper": r["ci_upper"],
                "n_units": int(r["n_units"]),
                "coefficient": None if other is None else str(other["statistic"]),
                "coefficient_level": None if other is None else str(other["level"]),
                "coefficient_estimate": np.nan if other is None else float(other["estimate"]),
                "coefficient_ci_lower": np.nan if other is None else float(other["ci_lower"]),
                "coefficient_ci_upper": np.nan if other is None else float(other["ci_upper"]),
                "prob_below_threshold": table.prob_below.get(code, np.nan),
                "threshold": None if overall else s.min_alpha,
                "result": result,
            }
        )
    return pd.DataFrame(rows)


def _label(coded: CodedSegments, code: str) -> str:
    return coded.codebook.code(code).label or code.replace("_", " ")


def reliability_guard(rows: pd.DataFrame, s: Settings) -> Guard:
    """A guard on the codes below ``min_alpha`` (or with α undefined)."""
    bad = rows[rows["result"].isin(["below threshold", "undefined"])]
    coded = rows[rows["threshold"].notna()]
    lowest = float(coded["alpha"].min()) if coded["alpha"].notna().any() else None
    if bad.empty:
        return Guard(
            "coding reliability",
            "pass",
            lowest,
            f"Krippendorff's alpha >= {s.min_alpha}",
            f"every code reaches Krippendorff's alpha {s.min_alpha}",
        )
    shown = ", ".join(
        f"{r['code']} ({'undefined' if pd.isna(r['alpha']) else format(r['alpha'], '.2f')})"
        for r in bad.to_dict(orient="records")
    )
    return Guard(
        "coding reliability",
        s.below_threshold,
        lowest,
        f"Krippendorff's alpha >= {s.min_alpha}",
        f"coders did not apply {len(bad)} code(s) reliably (alpha below {s.min_alpha}): "
        f"{shown}; their prevalence and joint display are tentative at best",
        tuple(str(c) for c in bad["code"]),
    )


def _prevalence(coded: CodedSegments, s: Settings, context: SectionContext) -> Prevalence:
    from rpeval.qualitative import theme_prevalence

    return theme_prevalence(
        coded,
        rule=s.rule,
        conf_level=context.conf_level,
        suppress_below=context.suppress_below or None,
        adjust=s.adjust,
    )


def default_theme(coded: CodedSegments) -> str:
    """The first presence code that no other code names as its parent."""
    book = coded.codebook
    parents = {c.parent for c in book.codes}
    for code in book.codes:
        if code.scale == "presence" and code.name not in parents:
            return code.name
    return book.codes[0].name


def window_outcome(context: SectionContext, ids: set[str], days: int) -> pd.DataFrame:
    """participant, rearrest (True/False/NA): re-arrest within `days` for the sample's
    people among `ids` (NA without complete follow-up to `days`)."""
    sample = context.sample.copy()
    sample["_id"] = sample[context.id].astype(str)
    sample = sample[sample["_id"].isin(ids)].drop_duplicates("_id")
    follow = "_potential_followup" if "_potential_followup" in sample else "time_at_risk"
    event = (sample["rearrest"] == 1) & (sample["time_at_risk"] <= days)
    known = event | (sample[follow] >= days)
    value = pd.Series(pd.NA, index=sample.index, dtype="boolean")
    value[known.to_numpy()] = event[known].to_numpy()
    return pd.DataFrame(
        {"participant": sample["_id"].to_numpy(), "rearrest": value.reset_index(drop=True)}
    )


def joint_part(coded: CodedSegments, s: Settings, context: SectionContext) -> dict[str, Any] | None:
    """The joint display of the theme with re-arrest (None when no interviewee is in the
    analysis sample, or the sample has no re-arrest columns)."""
    from rpeval.qualitative import joint_display

    theme = s.theme or default_theme(coded)
    ids = set(coded.participants()["participant"].astype(str))
    needed = {context.id, "rearrest", "time_at_risk"}
    if not needed <= set(context.sample.columns):
        return None
    outcomes = window_outcome(context, ids, s.window_days)
    if outcomes.empty:
        return None
    joint = joint_display(
        coded,
        outcomes,
        theme=theme,
        outcome="rearrest",
        rule=s.rule,
        conf_level=context.conf_level,
        suppress_below=context.suppress_below or None,
        missing="drop",  # less follow-up than the window: counted as n_without_outcome
    )
    out = joint.to_dict()
    out |= {
        "theme_label": _label(coded, theme),
        "window_days": s.window_days,
        "n_interviewed": len(ids),
        "n_in_sample": len(outcomes),
    }
    return out


def _shareable(data: pd.DataFrame, s: Settings) -> pd.Series:
    """Per segment: True only when every row of the segment is flagged shareable."""
    assert s.shareable is not None
    flags = data[s.shareable]
    ok = flags.isna() | flags.isin([True, False, 0, 1])
    if not ok.all():
        raise DataError(
            f"voices: column {s.shareable!r} must be true/false (or 1/0), found "
            f"{flags[~ok].iloc[0]!r}",
            hint="flag each segment true when its quote may be published",
        )
    as_bool = flags.fillna(False).astype(bool)
    return as_bool.groupby(data[s.segment].astype(str)).all()


def quotes(
    value: VoicesInput, coded: CodedSegments, prevalence: Prevalence, context: SectionContext
) -> pd.DataFrame:
    """Up to ``quotes_per_code`` quotes per code from shareable segments a majority of
    coders gave the code, from groups large enough to be shown; columns code, label,
    group, quote only (never ids, segment or coder)."""
    from rpeval.qualitative import segment_presence

    s, data = value.settings, value.segments
    columns = ["code", "label", "group", "quote"]
    if s.shareable not in data or s.quote not in data or s.quotes_per_code == 0:
        return pd.DataFrame(columns=columns)
    assert s.quote is not None
    shareable = _shareable(data, s)
    text = data[s.quote].groupby(data[s.segment].astype(str)).first()
    held = segment_presence(coded, rule="majority").set_index("segment")
    sizes = prevalence.table.drop_duplicates("group").set_index("group")["n"]
    shown_groups = {str(g) for g, n in sizes.items() if pd.notna(n)}
    segments = [str(seg) for seg in held.index]
    ok = (
        np.array([bool(shareable.get(seg, False)) for seg in segments], dtype=bool)
        & held["group"].astype(str).isin(shown_groups).to_numpy()
        & np.array([pd.notna(text.get(seg)) for seg in segments], dtype=bool)
    )
    rng = np.random.default_rng(context.random_state)
    order = rng.permutation(len(held))
    rows = []
    parents = {c.parent for c in coded.codebook.codes}
    for code in coded.codebook.code_names:
        if code in parents:
            continue
        picked = [i for i in order if ok[i] and held[code].iloc[i] == 1][: s.quotes_per_code]
        for i in sorted(picked):
            quote = str(text[held.index[i]]).strip()
            if quote:
                rows.append([code, _label(coded, code), str(held["group"].iloc[i]), quote])
    return pd.DataFrame(rows, columns=columns)


def voices_section(value: VoicesInput, context: SectionContext) -> Section:
    """Compute the section's numbers and render it."""
    from rpeval.qualitative import agreement
    from rpeval.report.sections._voices_render import render

    s = value.settings
    coded = _coded(value)
    table = agreement(
        coded,
        conf_level=context.conf_level,
        n_bootstrap=s.n_bootstrap,
        random_state=context.random_state,
    )
    reliability = reliability_rows(table, coded, s)
    guard = reliability_guard(reliability, s)
    prevalence = _prevalence(coded, s, context)
    joint = joint_part(coded, s, context)
    picked = quotes(value, coded, prevalence, context)
    data: dict[str, Any] = {
        "codebook": coded.codebook.name,
        "codebook_version": coded.codebook.version,
        "n_segments": coded.n_segments,
        "n_coders": len(coded.coders),
        "n_participants": len(coded.participants()),
        "labels": {c.name: _label(coded, c.name) for c in coded.codebook.codes},
        "min_alpha": s.min_alpha,
        "failing": list(guard.details),
        "reliability": records(reliability),
        "prevalence": records(prevalence.table),
        "differences": records(prevalence.tests),
        "joint": joint,
        "quotes": records(picked),
    }
    html, notes = render(data, prevalence, s, context)
    return Section("voices", TITLE, html, data, notes=notes, guards=(guard,))
