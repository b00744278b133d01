"""HTML and figure of the "Community trust and satisfaction" section."""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

from rpeval.report.sections import SectionContext
from rpeval.report.sections._trust_build import WaveResult, fmt, para
from rpeval.report.sections.trust import ALPHA_THRESHOLD, Settings

__all__ = ["render"]


def _count(value: Any, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100 * float(value):.1f}%"


def _interval(low: Any, high: Any, digits: int = 2, percent: bool = False) -> str:
    if low is None or high is None:
        return "–"
    if percent:
        return f"{_pct(low)} to {_pct(high)}"
    return f"{fmt(low, digits)} to {fmt(high, digits)}"


def _trust_table(tables: dict[str, Any], weights: list[dict[str, Any]], level: str) -> Markup:
    from rpeval.report.html import html_table

    rows = []
    for row, w in zip(tables["trust_by_wave"], weights, strict=True):
        rows.append(
            {
                "wave": row["wave"],
                "respondents": _count(row["respondents"]),
                "trust score": fmt(row["estimate"]),
                f"{level} CI": _interval(row["ci_lower"], row["ci_upper"]),
                "design effect": fmt(row["deff"]),
                "Kish effective n": _count(w["kish_ess"]),
                "weights (min to max)": "–"
                if w["min"] is None
                else f"{w['min']:,.3g} to {w['max']:,.3g}",
            }
        )
    return html_table(pd.DataFrame(rows), "Trust score by wave (design-based)")


def _other_tables(tables: dict[str, Any], level: str) -> Markup:
    from rpeval.report.html import html_table

    top = pd.DataFrame(
        {
            "wave": row["wave"],
            "share": _pct(row["estimate"]),
            f"{level} CI": _interval(row["ci_lower"], row["ci_upper"], percent=True),
            "design effect": fmt(row["deff"]),
        }
        for row in tables["top_box"]
    )
    reliability = pd.DataFrame(
        {
            "wave": row["wave"],
            "complete responses": _count(row["complete_responses"]),
            "Cronbach's alpha": fmt(row["alpha"]),
            f"Feldt {level} CI": _interval(row["alpha_ci_lower"], row["alpha_ci_upper"]),
            "standardised alpha": fmt(row["alpha_std"]),
            "omega total": fmt(row["omega_total"]),
        }
        for row in tables["reliability"]
    )
    return html_table(top, "Top-box share (the top two answers)") + html_table(
        reliability, "Reliability of the trust scale"
    )


def _domain_table(settings: Settings, rows: list[dict[str, Any]], level: str) -> Markup:
    from rpeval.report.html import html_table

    if not rows:
        return Markup("")
    waves = [c.removesuffix("_estimate") for c in rows[0] if c.endswith("_estimate")]
    shown = []
    for row in rows:
        out: dict[str, str] = {str(settings.by): row["domain"]}
        for wave in waves:
            out[wave] = fmt(row[f"{wave}_estimate"])
        if "difference" in row:
            out["change"] = fmt(row["difference"])
            out[f"{level} CI"] = _interval(row["ci_lower"], row["ci_upper"])
        shown.append(out)
    caption = f"Trust score by {settings.by} and wave (domains of each wave's design)"
    return html_table(pd.DataFrame(shown), caption)


def _change_text(change: dict[str, float] | None, top: dict[str, float] | None, level: str) -> str:
    if change is None:
        return ""
    direction = "rose" if change["difference"] > 0 else "fell"
    text = (
        f"Between the waves the mean trust score {direction} by "
        f"{fmt(abs(change['difference']))} points (SE {fmt(change['std_error'], 3)}; {level} "
        f"CI {_interval(change['ci_lower'], change['ci_upper'])})"
    )
    if top is not None:
        text += (
            f", and the top-box share changed by {100 * top['difference']:+.1f} percentage "
            f"points ({level} CI {100 * top['ci_lower']:+.1f} to {100 * top['ci_upper']:+.1f})"
        )
    return (
        text + ". The waves are independent samples; a change in the whole community is "
        "not by itself the program's effect (other things changed too), so read it beside "
        "the comparison with areas the program did not reach."
    )


def _figure(results: list[WaveResult], tables: dict[str, Any], level: str) -> Markup:
    import matplotlib as mpl

    mpl.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from rpeval.report._figures import FIGURE_COLOURS, figure_html

    figure, axes = plt.subplots(1, 2, figsize=(8, 3.2), layout="constrained")
    for ax, rows, title, scale in (
        (axes[0], tables["trust_by_wave"], "Mean trust score", 1.0),
        (axes[1], tables["top_box"], "Top-box share (%)", 100.0),
    ):
        shown = [(i, r) for i, r in enumerate(rows) if r["estimate"] is not None]
        for i, row in shown:
            est = scale * row["estimate"]
            err = [[est - scale * row["ci_lower"]], [scale * row["ci_upper"] - est]]
            ax.errorbar([i], [est], yerr=err, fmt="o", color=FIGURE_COLOURS[i % 2], capsize=4)
        ax.set_xticks(range(len(rows)), [r["wave"] for r in rows])
        ax.set_xlim(-0.6, len(rows) - 0.4)
        ax.set_title(title, fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
    figure.supxlabel(f"Wave (points: estimates; bars: {level} confidence intervals)", fontsize=9)
    waves = ", ".join(r.label for r in results)
    return figure_html(
        figure,
        alt=f"Mean trust score and top-box share with {level} intervals for waves {waves}",
        caption="Community trust by survey wave (design-based estimates)",
        key="trust",
    )


def render(
    settings: Settings,
    results: list[WaveResult],
    tables: dict[str, Any],
    change: dict[str, float] | None,
    top_change: dict[str, float] | None,
    context: SectionContext,
) -> Markup:
    """The section body."""
    level = f"{100 * context.conf_level:g}%"
    parts = [
        para(
            f"A community survey measured trust in the police with {len(settings.items)} "
            f"items on a {settings.scale[0]}-{settings.scale[1]} scale; the score is the "
            "mean of a respondent's answered items. Estimates use the survey's weights and "
            "design, so they describe the population sampled, not just those who answered."
        )
    ]
    text = _change_text(change, top_change, level)
    if text:
        parts.append(para(text))
    hidden = [r.label for r in results if not r.shown]
    if hidden:
        parts.append(
            para(
                f"Wave(s) {', '.join(hidden)} had fewer than {context.suppress_below} "
                "respondents: no estimate is shown."
            )
        )
    weak = [r.label for r in results if not r.reliability.alpha >= ALPHA_THRESHOLD]
    if weak:
        parts.append(
            para(
                f"Warning: the scale's alpha is below {ALPHA_THRESHOLD} in wave(s) "
                f"{', '.join(weak)}; its score may not measure one thing."
            )
        )
    parts.append(_trust_table(tables, tables["weights"], level))
    parts.append(_domain_table(settings, tables["by_domain"], level))
    parts.append(_figure(results, tables, level))
    parts.append(_other_tables(tables, level))
    parts.append(
        para(
            "The design effect compares each estimate's variance with that of a simple "
            "random sample of the same size; Kish's effective n is the sample size the "
            "weights alone leave (the sum of the weights squared over the sum of squared "
            "weights)."
        )
    )
    return Markup("").join(parts)
