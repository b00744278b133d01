"""HTML, figure and methods notes of the "Participant voices" section."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd
from markupsafe import Markup, escape

from rpeval.report.sections import SectionContext
from rpeval.report.sections.voices import Settings

if TYPE_CHECKING:
    from rpeval.qualitative import Prevalence

__all__ = ["render"]

COEFFICIENTS = {"cohen_kappa": "Cohen's kappa", "gwet_ac1": "Gwet's AC1"}


def _para(text: str) -> Markup:
    return Markup("<p>") + escape(text) + Markup("</p>")


def _num(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100 * float(value):.0f}%"


def _span(low: Any, high: Any, percent: bool = False) -> str:
    if low is None or high is None:
        return "–"
    if percent:
        return f"{_pct(low)} to {_pct(high)}"
    return f"{_num(low)} to {_num(high)}"


def _reliability_table(data: dict[str, Any], level: str) -> Markup:
    from rpeval.report.html import html_table

    rows = []
    for r in data["reliability"]:
        name = COEFFICIENTS.get(r["coefficient"] or "", "–")
        if r["coefficient"] == "cohen_kappa" and r["coefficient_level"] == "quadratic":
            name += " (quadratic weights)"
        flag = r["result"] in ("below threshold", "undefined")
        rows.append(
            {
                "code": ("⚠ " if flag else "") + r["label"],
                "scale": r["level"],
                "segments": f"{r['n_units']:,}",
                "Krippendorff's alpha": _num(r["alpha"]),
                f"{level} CI (bootstrap)": _span(r["alpha_ci_lower"], r["alpha_ci_upper"]),
                "second coefficient": name,
                "value": _num(r["coefficient_estimate"]),
                f"{level} CI": _span(r["coefficient_ci_lower"], r["coefficient_ci_upper"]),
                "threshold": "–" if r["threshold"] is None else f"{r['threshold']:.3f}",
                "result": r["result"],
            }
        )
    caption = f"Reliability of the codes ({data['n_coders']} coders; ⚠ below the threshold)"
    return html_table(pd.DataFrame(rows), caption)


def _prevalence_table(data: dict[str, Any], flagged: set[str], level: str) -> Markup:
    from rpeval.report.html import html_table

    table = pd.DataFrame(data["prevalence"])
    groups = list(dict.fromkeys(table["group"]))
    sizes = table.drop_duplicates("group").set_index("group")["n"]
    header = {
        g: f"{g} (n={int(sizes[g]):,})" if pd.notna(sizes[g]) else f"{g} (too few)" for g in groups
    }
    rows = []
    for code, part in table.groupby("code", sort=False):
        row = {"theme": ("⚠ " if code in flagged else "") + data["labels"][str(code)]}
        for r in part.to_dict(orient="records"):
            cell = "suppressed" if r["suppressed"] else (
                f"{_pct(r['prevalence'])} ({_span(r['ci_lower'], r['ci_upper'], True)})"
            )  # fmt: skip
            row[header[r["group"]]] = cell
        rows.append(row)
    caption = f"Share of participants holding each theme, by stakeholder group ({level} CI)"
    return html_table(pd.DataFrame(rows), caption)


def _differences_table(data: dict[str, Any]) -> Markup:
    from rpeval.report.html import html_table

    rows = [
        {
            "theme": data["labels"][str(r["code"])],
            "test": str(r["test"]).replace("_", "-"),
            "p-value": "–" if r["p_value"] is None else f"{r['p_value']:.3g}",
            f"adjusted ({r['adjust']})": "–"
            if r["p_adjusted"] is None
            else f"{r['p_adjusted']:.3g}",
        }
        for r in data["differences"]
    ]
    return html_table(pd.DataFrame(rows), "Does the share differ between groups?")


def _joint_html(joint: dict[str, Any] | None, context: SectionContext, level: str) -> Markup:
    from rpeval.report.html import html_table

    if joint is None:
        return _para(
            f"No interviewee is in the analysis sample (joined on `{context.id}`), so "
            "re-arrest cannot be set beside what they said."
        )
    rows = []
    for r in joint["rows"]:
        hidden = r["suppressed"]
        rows.append(
            {
                f"said: {joint['theme_label'].lower()}": "yes" if r["theme_held"] else "no",
                "participants": f"{r['n']:,}",
                "re-arrested": "–" if r["n_events"] is None else f"{r['n_events']:,}",
                "share": "suppressed" if hidden else _pct(r["value"]),
                f"{level} CI": "–" if hidden else _span(r["ci_lower"], r["ci_upper"], True),
            }
        )
    caption = (
        f"Re-arrest within {joint['window_days']} days by whether participants said: "
        f"{joint['theme_label'].lower()}"
    )
    lead = _para(
        f"Of {joint['n_interviewed']:,} interviewees, {joint['n_in_sample']:,} are in the "
        f"analysis sample; {joint['n_without_outcome']:,} of them have less than "
        f"{joint['window_days']} days of follow-up and are left out."
    )
    difference = Markup("")
    if joint["difference"] is not None:
        difference = _para(
            f"Difference (said minus did not): {100 * joint['difference']:+.1f} points, "
            f"{level} CI {100 * joint['difference_ci_lower']:+.1f} to "
            f"{100 * joint['difference_ci_upper']:+.1f}."
        )
    caveat = Markup("<p><strong>") + escape(joint["caveat"]) + Markup("</strong></p>")
    return lead + html_table(pd.DataFrame(rows), caption) + difference + caveat


def _quotes_html(data: dict[str, Any]) -> Markup:
    if not data["quotes"]:
        return _para("No quotes are shown: no segment of a shown group is flagged shareable.")
    items = [
        Markup("<blockquote><p>")
        + escape(q["quote"])
        + Markup("</p><footer>")
        + escape(f"{q['label']} — {q['group']}")
        + Markup("</footer></blockquote>")
        for q in data["quotes"]
    ]
    lead = _para(
        "Quotes come only from segments flagged shareable, given by a majority of coders "
        "the theme, from stakeholder groups large enough to be shown; they carry no "
        "participant, segment or coder identifier."
    )
    return lead + Markup("").join(items)


def _figure(prevalence: Prevalence, labels: dict[str, str]) -> Markup:
    from rpeval.report._figures import figure_html

    ax = prevalence.plot()
    ax.set_yticks(
        ax.get_yticks(), [labels.get(t.get_text(), t.get_text()) for t in ax.get_yticklabels()]
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    ax.set_title("Share of participants by stakeholder group", fontsize="small")
    ax.figure.set_size_inches(8, ax.figure.get_size_inches()[1])
    ax.figure.tight_layout()
    return figure_html(
        ax.figure,
        alt="Share of participants holding each theme, by stakeholder group, with intervals",
        caption="Theme prevalence per participant (suppressed cells not drawn).",
        key="voices-prevalence",
    )


def _notes(s: Settings, context: SectionContext, data: dict[str, Any]) -> tuple[str, ...]:
    return (
        f"Participant voices: reliability is Krippendorff's alpha (nominal for presence "
        f"codes, ordinal for rated codes; units are segments, missing ratings allowed) with "
        f"a bootstrap interval of {s.n_bootstrap} draws (Hayes & Krippendorff 2007); with two "
        "coders Cohen's kappa, with more Gwet's AC1 (Gwet's linearised SE, t interval). "
        f"Codes below alpha {s.min_alpha} are flagged (Krippendorff 2004: 0.667 for "
        "tentative, 0.800 for firm conclusions).",
        f"Participant voices: a participant holds a theme when {s.rule} coder(s) applied it "
        "(or a code below it) to any of their segments; shares are of participants, not "
        "segments, with Wilson intervals over participants (clustered by participant); "
        f"cells with 1 to {max(context.suppress_below - 1, 0)} participants with or "
        f"without the theme are suppressed; group differences by chi-square or Fisher "
        f"tests, adjusted across themes ({s.adjust}).",
        "Participant voices: the joint display joins interviewees to the analysis sample "
        f"on `{context.id}` and counts re-arrest within {s.window_days} days among those "
        "with complete follow-up; it is descriptive, not an effect.",
    )


def render(
    data: dict[str, Any], prevalence: Prevalence, s: Settings, context: SectionContext
) -> tuple[Markup, tuple[str, ...]]:
    """The section's body and its methods notes."""
    level = f"{context.conf_level:.0%}"
    flagged = set(data["failing"])
    intro = _para(
        f"{data['n_participants']:,} participants were interviewed; {data['n_segments']:,} "
        f"segments were coded by {data['n_coders']} coders against the codebook "
        f"{data['codebook']} {data['codebook_version']}."
    )
    warning = Markup("")
    if flagged:
        warning = _para(
            f"Coders did not apply {', '.join(sorted(flagged))} reliably (Krippendorff's "
            f"alpha below {s.min_alpha}): read those rows as tentative at best."
        )
    html = (
        intro
        + Markup("<h3>Reliability of the coding</h3>")
        + warning
        + _reliability_table(data, level)
        + Markup("<h3>Themes by stakeholder group</h3>")
        + _prevalence_table(data, flagged, level)
        + _figure(prevalence, data["labels"])
        + _differences_table(data)
        + Markup("<h3>What participants said, beside what happened</h3>")
        + _joint_html(data["joint"], context, level)
        + Markup("<h3>In their words</h3>")
        + _quotes_html(data)
    )
    return html, _notes(s, context, data)
