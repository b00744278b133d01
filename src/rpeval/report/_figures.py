"""Report figures as inline PNG data URIs, drawn with a colour-blind-safe palette."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

__all__ = ["OKABE_ITO", "Figure", "figure_html", "report_figures"]

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


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
        "axes.prop_cycle": f"cycler(color={list(OKABE_ITO)!r})",
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
    figure is closed). For report sections, drawn with :data:`OKABE_ITO` colours."""
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


def _rename_legend(ax: Any, treatment: str) -> None:
    """Legend entries "participant = True/False" as "participants"/"traditional processing"."""
    handles, labels = ax.get_legend_handles_labels()
    names = {
        f"{treatment} = True": "participants",
        f"{treatment} = False": "traditional processing",
        "True": "participants",
        "False": "traditional processing",
    }
    if handles:
        ax.legend(handles, [names.get(label, label) for label in labels], frameon=False)


def report_figures(evaluation: Any) -> list[Figure]:
    """Kaplan–Meier with at-risk table, Love plot and propensity overlap."""
    design = evaluation.settings["design"]
    sample_kind = "matched" if design == "matching" else "weighted"
    hr = evaluation.hazard_ratio

    def km(ax: Any) -> None:
        evaluation.curves.plot(
            ax=ax,
            at_risk=True,
            xlabel="Days of street time since entry",
            suppress_below=evaluation.settings["suppress_below"],
        )
        ax.set_title(f"Time to first re-arrest, {sample_kind} sample")
        _rename_legend(ax, evaluation.settings["treatment"])

    def love(ax: Any) -> None:
        evaluation.design.plot(kind="love", ax=ax)
        ax.set_title("Covariate balance before and after")

    def overlap(ax: Any) -> None:
        evaluation.design.plot(kind="propensity", ax=ax)
        ax.set_title("Propensity score overlap")

    figures = [
        Figure(
            "km",
            f"Kaplan–Meier curves of time to first re-arrest ({sample_kind} sample), with "
            "the numbers at risk under the axis.",
            f"Step curves of the share not re-arrested over days since entry for participants "
            f"and the comparison group; hazard ratio {hr['hazard_ratio']:.2f}.",
            _render(km, (7.0, 4.8)),
        ),
        Figure(
            "love",
            "Love plot: absolute standardised mean differences of each covariate before and "
            "after the design; 0.1 is the usual threshold.",
            "Dot plot of absolute standardised mean differences per covariate, before and "
            "after matching or weighting.",
            _render(love, (7.0, 4.2)),
        ),
        Figure(
            "overlap",
            "Distribution of the propensity score in each group (common support).",
            "Overlaid distributions of the estimated propensity score for participants and "
            "the comparison pool.",
            _render(overlap, (7.0, 3.8)),
        ),
    ]
    if evaluation.cif is not None:

        def cif(ax: Any) -> None:
            evaluation.cif.plot(
                ax=ax,
                kind="cause",
                cause=1,
                at_risk=True,
                suppress_below=evaluation.settings["suppress_below"],
            )
            ax.set_title(f"Cumulative incidence of re-arrest, {sample_kind} sample")
            ax.set_xlabel("Days of street time since entry")
            ax.set_ylabel("Cumulative incidence of re-arrest")
            _rename_legend(ax, evaluation.settings["treatment"])

        figures.append(
            Figure(
                "cif",
                "Aalen–Johansen cumulative incidence of re-arrest with death as a competing "
                "event, with the numbers at risk under the axis.",
                "Rising step curves of the cumulative incidence of re-arrest over days since "
                "entry for participants and the comparison group.",
                _render(cif, (7.0, 4.8)),
            )
        )
    return figures
