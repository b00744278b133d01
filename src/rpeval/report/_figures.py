"""Report figures as inline PNG data URIs, drawn with a colour-blind-safe palette."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from rpeval._plots import OKABE_ITO as COLOURS
from rpeval._plots import PALETTE

__all__ = ["FIGURE_COLOURS", "Figure", "figure_html", "group_names", "report_figures"]

#: The order report figures take colours in: the shared Okabe–Ito series, then yellow.
FIGURE_COLOURS = (*PALETTE, COLOURS["yellow"])


@dataclass(frozen=True)
class Figure:
    """A rendered figure: id, caption, alt text and a ``data:image/png`` URI."""

    key: str
    caption: str
    alt: str
    uri: str


def _render(draw: Callable[[Any], None], size: tuple[float, float]) -> str:
    import matplotlib as mpl

    mpl.use("Agg", force=False)
    import matplotlib.pyplot as plt

    style: dict[Any, Any] = {
        "axes.prop_cycle": f"cycler(color={list(FIGURE_COLOURS)!r})",
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with mpl.rc_context(style):
        figure, ax = plt.subplots(figsize=size, layout="constrained")
        try:
            draw(ax)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=144)
        finally:
            plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def figure_html(figure: Any, *, alt: str, caption: str, key: str = "") -> Markup:
    """A matplotlib figure as an inline PNG ``<figure>`` with alt text and caption (the
    figure is closed). For report sections, drawn with :data:`FIGURE_COLOURS` colours."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=144)
    finally:
        plt.close(figure)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    ident = f' id="figure-{escape(key)}"' if key else ""
    return Markup(  # noqa: S704 - every piece is escaped
        f'<figure{ident}><img src="{uri}" alt="{escape(alt)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def group_names(evaluation: Any) -> dict[str, str]:
    """The report's one set of group names: the configuration's ``labels`` over
    :data:`~rpeval.report.evaluation.DEFAULT_LABELS`."""
    from rpeval.report.evaluation import DEFAULT_LABELS

    return {**DEFAULT_LABELS, **evaluation.settings.get("labels", {})}


def _forest(evaluation: Any) -> str:
    """The key estimates with their intervals: the hazard ratio (log axis) and the window
    differences in percentage points, one panel each, the no-effect line marked."""
    import matplotlib as mpl

    mpl.use("Agg", force=False)
    import matplotlib.pyplot as plt

    hr = evaluation.hazard_ratio
    rates = evaluation.rates
    level = round(100 * evaluation.settings["conf_level"])
    with mpl.rc_context({"font.size": 10, "axes.spines.top": False, "axes.spines.right": False}):
        figure, (left, right) = plt.subplots(
            1,
            2,
            figsize=(7.0, 0.45 * len(rates) + 1.9),
            layout="constrained",
            gridspec_kw={"width_ratios": [1, 1.4]},
        )
        try:
            left.errorbar(
                [hr["hazard_ratio"]],
                [0],
                xerr=[[hr["hazard_ratio"] - hr["ci_lower"]], [hr["ci_upper"] - hr["hazard_ratio"]]],
                fmt="s",
                color=FIGURE_COLOURS[0],
                capsize=4,
            )
            left.axvline(1.0, color="0.3", linestyle="--", linewidth=0.8)
            left.set_xscale("log")
            span = [hr["ci_lower"], hr["ci_upper"], 1.0]
            ticks = [t for t in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0) if min(span) / 1.3 <= t]
            ticks = [t for t in ticks if t <= max(span) * 1.3]
            left.set_xticks(ticks, labels=[f"{t:g}" for t in ticks])
            left.minorticks_off()
            left.set_yticks([0], labels=["hazard ratio"])
            left.set_xlabel(f"Hazard ratio ({level}% CI, log scale)\n< 1: fewer re-arrests")
            y = list(range(len(rates)))[::-1]
            points = 100 * rates["difference"].to_numpy(float)
            lower = points - 100 * rates["ci_lower"].to_numpy(float)
            upper = 100 * rates["ci_upper"].to_numpy(float) - points
            right.errorbar(
                points, y, xerr=[lower, upper], fmt="o", color=FIGURE_COLOURS[0], capsize=4
            )
            right.axvline(0.0, color="0.3", linestyle="--", linewidth=0.8)
            right.set_yticks(y, labels=[f"within {int(w):,} days" for w in rates["window"]])
            right.set_xlabel(f"Re-arrest difference ({level}% CI),\npercentage points")
            for ax in (left, right):
                ax.set_ylim(-0.7, max(len(rates), 1) - 0.3)
            left.set_ylim(-0.7, 0.7)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=144)
        finally:
            plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _sample_kind(evaluation: Any) -> str:
    return "matched" if evaluation.settings["design"] == "matching" else "weighted"


def _by_value(evaluation: Any) -> dict[bool, str]:
    names = group_names(evaluation)
    return {True: names["participants"], False: names["comparison"]}


def _forest_figure(evaluation: Any) -> Figure:
    hr, names = evaluation.hazard_ratio, group_names(evaluation)
    return Figure(
        "forest",
        "Key estimates with their confidence intervals: the hazard ratio of re-arrest "
        "(left, below 1 means fewer re-arrests) and the difference in the share "
        f"re-arrested within each window, {names['participants']} minus "
        f"{names['comparison']}, in percentage points (right).",
        f"Forest plot: hazard ratio {hr['hazard_ratio']:.2f} ({hr['ci_lower']:.2f} to "
        f"{hr['ci_upper']:.2f}) and the re-arrest differences per window with their "
        "intervals, against the no-effect lines.",
        _forest(evaluation),
    )


def _km_figure(evaluation: Any) -> Figure:
    hr, names, kind = evaluation.hazard_ratio, group_names(evaluation), _sample_kind(evaluation)
    band = f"{round(100 * evaluation.settings['conf_level'])}% {evaluation.curves.conf_type}"

    def km(ax: Any) -> None:
        evaluation.curves.plot(
            ax=ax,
            at_risk=True,
            xlabel="Days of street time since entry",
            suppress_below=evaluation.settings["suppress_below"],
            labels=_by_value(evaluation),
        )
        ax.set_title(f"Time to first re-arrest, {kind} sample")

    return Figure(
        "km",
        f"Kaplan–Meier curves of time to first re-arrest ({kind} sample), with "
        f"{band} pointwise bands (log-log: the tails rest on small risk sets) and the "
        "numbers at risk under the axis.",
        f"Step curves of the share not re-arrested over days since entry for "
        f"{names['participants']} and {names['comparison']}; hazard ratio "
        f"{hr['hazard_ratio']:.2f}.",
        _render(km, (7.0, 4.8)),
    )


def _love_figure(evaluation: Any) -> Figure:
    def love(ax: Any) -> None:
        evaluation.design.plot(kind="love", ax=ax)
        ax.set_title("Covariate balance before and after")

    return Figure(
        "love",
        "Love plot: absolute standardised mean differences of each covariate before and "
        "after the design, sorted by the difference before (one row per binary "
        "variable); the dashed line is the usual 0.1 threshold.",
        "Dot plot of absolute standardised mean differences per covariate, before and "
        "after matching or weighting.",
        _render(love, (7.0, 4.2)),
    )


def _overlap_figure(evaluation: Any) -> Figure:
    names, kind = group_names(evaluation), _sample_kind(evaluation)
    by_role = {"treated": names["participants"], "control": names["comparison"]}

    def overlap(ax: Any) -> None:
        evaluation.design.plot(kind="propensity", ax=ax, labels=by_role)
        ax.set_title("Propensity score overlap")

    return Figure(
        "overlap",
        f"Distribution of the propensity score (common support): {names['participants']} "
        f"above the axis, {names['comparison']} below; outlines are everyone, filled bars "
        f"the {kind} sample.",
        f"Mirrored histograms of the estimated propensity score, {names['participants']} "
        f"above and {names['comparison']} below the axis.",
        _render(overlap, (7.0, 3.8)),
    )


def _cif_figure(evaluation: Any) -> Figure | None:
    if evaluation.cif is None:
        return None
    names, kind = group_names(evaluation), _sample_kind(evaluation)

    def cif(ax: Any) -> None:
        evaluation.cif.plot(
            ax=ax,
            kind="cause",
            cause=1,
            at_risk=True,
            suppress_below=evaluation.settings["suppress_below"],
            labels=_by_value(evaluation),
        )
        ax.set_title(f"Cumulative incidence of re-arrest, {kind} sample")
        ax.set_xlabel("Days of street time since entry")
        ax.set_ylabel("Cumulative incidence of re-arrest")

    return Figure(
        "cif",
        "Aalen–Johansen cumulative incidence of re-arrest with death as a competing "
        "event, with the numbers at risk under the axis.",
        "Rising step curves of the cumulative incidence of re-arrest over days since "
        f"entry for {names['participants']} and {names['comparison']}.",
        _render(cif, (7.0, 4.8)),
    )


def report_figures(evaluation: Any) -> list[Figure]:
    """The forest plot, Kaplan–Meier with at-risk table, Love plot, propensity overlap
    and, with competing events, the cumulative incidence."""
    builders = (_forest_figure, _km_figure, _love_figure, _overlap_figure, _cif_figure)
    return [f for f in (build(evaluation) for build in builders) if f is not None]
