"""Computing and rendering the "Community trust and satisfaction" section.

Split from :mod:`rpeval.report.sections.trust` (settings and inputs) so that reading the
configuration imports nothing heavy; this module imports :mod:`rpeval.surveys` inside its
functions only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from rpeval.report._guards import Guard
from rpeval.report.sections import Section, SectionContext
from rpeval.report.sections.trust import ALPHA_THRESHOLD, SCORE, TrustInput

__all__ = ["trust_section"]

TITLE = "Community trust and satisfaction"


@dataclass(frozen=True)
class WaveResult:
    """One wave's reliability, trust score, top-box share and weights."""

    label: str
    respondents: int
    reliability: Any
    trust: Any
    top_box: Any
    weights: Any
    by: Any  # the score by domain, or None
    shown: bool  # False: fewer respondents than suppress_below


def _waves(value: TrustInput, data: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    s = value.settings
    if s.wave is None:
        return [("all", data)]
    labels = data[s.wave].astype(str)
    return [(w, data[(labels == w).to_numpy()]) for w in (s.before, s.after)]


def _wave(label: str, part: pd.DataFrame, value: TrustInput, context: SectionContext) -> WaveResult:
    import rpeval.surveys as sv

    s, level = value.settings, context.conf_level
    low, high = s.scale
    design = sv.SurveyDesign(
        part, weights=s.weights, strata=s.strata, psu=s.psu, lonely_psu=s.lonely_psu
    )
    item = s.top_box_item or s.items[0]
    respondents = int(part[SCORE].notna().sum())
    return WaveResult(
        label=label,
        respondents=respondents,
        reliability=sv.reliability(
            part, list(s.items), scale=s.scale, reverse=list(s.reverse), conf_level=level
        ),
        trust=sv.mean(design, SCORE, missing="drop", conf_level=level),
        top_box=sv.top_box(
            design,
            item,
            scale=list(range(low, high + 1)),
            boxes=2,
            bottom=item in s.reverse,
            missing="drop",
            conf_level=level,
        ),
        weights=sv.weight_diagnostics(design),
        by=None
        if s.by is None
        else sv.mean(design, SCORE, by=s.by, missing="drop", conf_level=level),
        shown=not 0 < respondents < context.suppress_below,
    )


def _row(estimate: Any) -> dict[str, float]:
    table = estimate.summary().iloc[0]
    return {c: float(table[c]) for c in ("estimate", "std_error", "ci_lower", "ci_upper", "deff")}


def _blank(row: dict[str, Any], shown: bool) -> dict[str, Any]:
    """The row, or only its wave when the wave has fewer respondents than k (no count or
    estimate of a small group is published)."""
    if shown:
        return row
    return {k: (v if k == "wave" else None) for k, v in row.items()}


def _tables(results: list[WaveResult]) -> dict[str, list[dict[str, Any]]]:
    trust, top, reliability, weights = [], [], [], []
    for r in results:
        trust.append(
            _blank({"wave": r.label, "respondents": r.respondents, **_row(r.trust)}, r.shown)
        )
        top.append(_blank({"wave": r.label, **_row(r.top_box)}, r.shown))
        rel = r.reliability
        reliability.append(
            _blank(
                {
                    "wave": r.label,
                    "complete_responses": rel.n,
                    "alpha": rel.alpha,
                    "alpha_ci_lower": rel.ci_lower,
                    "alpha_ci_upper": rel.ci_upper,
                    "alpha_std": rel.alpha_std,
                    "omega_total": rel.omega_total,
                },
                r.shown,
            )
        )
        weights.append(_blank({"wave": r.label, **r.weights.to_dict()}, r.shown))
    return {"trust_by_wave": trust, "top_box": top, "reliability": reliability, "weights": weights}


def _domains(results: list[WaveResult], k: int) -> list[dict[str, Any]]:
    """The score by wave and domain, and each domain's change (fewer than k: blank)."""
    import rpeval.surveys as sv

    if results[0].by is None:
        return []
    rows = []
    frames = [r.by.summary() for r in results]
    change = None
    if len(results) == 2 and list(frames[0]["domain"]) == list(frames[1]["domain"]):
        change = sv.compare_waves(results[0].by, results[1].by).summary()
    for i, domain in enumerate(frames[0]["domain"]):
        row: dict[str, Any] = {"domain": str(domain)}
        small = False
        for r, frame in zip(results, frames, strict=True):
            match = frame[frame["domain"] == domain]
            n = int(match["n"].iloc[0]) if len(match) else 0
            small = small or 0 < n < k
            row[f"{r.label}_respondents"] = n
            row[f"{r.label}_estimate"] = float(match["estimate"].iloc[0]) if n else None
        if change is not None:
            for column in ("difference", "std_error", "ci_lower", "ci_upper"):
                row[column] = float(change[column].iloc[i])
        if small:
            row = {c: (None if c != "domain" else v) for c, v in row.items()}
        rows.append(row)
    if any(row[f"{results[0].label}_estimate"] is None for row in rows):
        # a hidden domain's count would follow from the wave's total and the others'
        for row in rows:
            for r in results:
                row[f"{r.label}_respondents"] = None
    return rows


def _change(results: list[WaveResult], attribute: str) -> dict[str, float] | None:
    import rpeval.surveys as sv

    if len(results) != 2 or not all(r.shown for r in results):
        return None
    before, after = (getattr(r, attribute) for r in results)
    row = sv.compare_waves(before, after).summary().iloc[0]
    columns = ("difference", "std_error", "ci_lower", "ci_upper", "p_value")
    return {c: float(row[c]) for c in columns}


def trust_section(value: TrustInput, context: SectionContext) -> Section:
    """Build the section from checked input."""
    import rpeval.surveys as sv

    s = value.settings
    data = value.data.copy()
    data[SCORE] = sv.scale_scores(
        data, list(s.items), scale=s.scale, reverse=list(s.reverse), min_answered=s.min_answered
    )
    results = [_wave(label, part, value, context) for label, part in _waves(value, data)]
    tables: dict[str, Any] = _tables(results)
    tables["by_domain"] = _domains(results, context.suppress_below)
    change, top_change = _change(results, "trust"), _change(results, "top_box")
    lowest = min(r.reliability.alpha for r in results)
    guard = Guard(
        "trust scale reliability",
        "warning" if not lowest >= ALPHA_THRESHOLD else "pass",
        lowest,
        f">= {ALPHA_THRESHOLD}",
        f"Cronbach's alpha of the trust scale is {lowest:.2f}"
        + (
            f", below {ALPHA_THRESHOLD}: the items may not measure one thing; check "
            "reverse-scored items before comparing scores"
            if not lowest >= ALPHA_THRESHOLD
            else f" (at least {ALPHA_THRESHOLD})"
        ),
    )
    data_out = {
        "settings": s.model_dump(mode="json"),
        "conf_level": context.conf_level,
        **tables,
        "change": change,
        "top_box_change": top_change,
    }
    from rpeval.report.sections._trust_render import render

    html = render(s, results, tables, change, top_change, context)
    return Section("trust", TITLE, html, data_out, notes=(_note(value),), guards=(guard,))


def _note(value: TrustInput) -> str:
    s = value.settings
    design = ", ".join(
        f"{name} {column!r}"
        for name, column in (("weights", s.weights), ("strata", s.strata), ("PSUs", s.psu))
        if column is not None
    )
    return (
        f"Community trust: the score is the mean of {len(s.items)} items on a "
        f"{s.scale[0]}-{s.scale[1]} scale"
        + (f" ({', '.join(s.reverse)} reverse-scored)" if s.reverse else "")
        + "; design-based (Taylor-linearised) means and logit intervals for shares, "
        + (f"with {design}" if design else "without weights or clusters")
        + "; waves compared as independent samples, each with its own design; Cronbach's "
        "alpha with Feldt's interval and McDonald's omega total (rpeval.surveys, checked "
        "against R survey 4.1 and psych 2.2.9)."
    )


def fmt(value: Any, digits: int = 2) -> str:
    """A number for the prose ("–" when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def para(text: str) -> Markup:
    """An escaped paragraph."""
    return Markup("<p>") + escape(text) + Markup("</p>")
