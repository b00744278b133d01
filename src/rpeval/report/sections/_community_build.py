"""Computing and rendering the "Community outcomes" section.

Split from :mod:`rpeval.report.sections.community` (settings and inputs) so that reading
the configuration imports nothing heavy; :mod:`rpeval.community` is imported inside the
functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from rpeval.errors import RpevalError, SpecificationError
from rpeval.report._figures import figure_html
from rpeval.report._guards import Guard
from rpeval.report.html import html_table
from rpeval.report.sections import Section, SectionContext
from rpeval.report.sections.community import CommunityInput, Settings

__all__ = ["community_section"]

TITLE = "Community outcomes"
_RATIO = {"rate_ratio": "rate ratio", "rate_ratio_lower": "lower", "rate_ratio_upper": "upper"}


def _panel(value: CommunityInput) -> Any:
    from rpeval.community import area_panel

    s = value.settings
    return area_panel(
        value.data,
        area=s.area,
        period=s.period,
        outcome=s.outcome,
        exposure=s.exposure,
        adoption=s.adoption,
        never=s.never,
        freq=s.freq,
    )


def _its(panel: Any, s: Settings, conf_level: float) -> Any:
    from rpeval.community import interrupted_time_series

    total = panel.total()
    if s.interruption is not None:
        start: Any = s.interruption
    elif panel.cohorts:
        start = panel.periods[panel.cohorts[0]]
    else:
        raise SpecificationError(
            "community: no area adopts the program within the panel, and no interruption given",
            hint="set interruption: in the community: block",
        )
    return interrupted_time_series(
        total,
        period="period",
        outcome="outcome",
        interruption=start,
        exposure="exposure",
        family=s.family,
        seasonality=s.seasonality,
        robust=s.robust,
        conf_level=conf_level,
        freq=panel.freq or s.freq,
    )


def _did(panel: Any, s: Settings, context: SectionContext) -> tuple[Any, Any, str] | None:
    """Callaway–Sant'Anna on the rate per ``s.per``: (group, dynamic, control) or None.

    The headline is the group aggregation's overall effect (the average of each cohort's
    average effect, weighted by cohort size: R ``did``'s ``aggte(type = "group")``).
    """
    if not s.did or len(panel.cohorts) == 0:
        return None
    from rpeval.community import area_panel
    from rpeval.community.did import aggregate, callaway_santanna

    adopted = panel.adoption >= 0
    control = "never" if (~adopted).any() else "notyet"
    if control == "notyet" and len(panel.cohorts) < 2:
        return None
    rate = panel.outcome / panel.exposure * s.per
    rows = pd.DataFrame(
        {
            "area": np.repeat(np.arange(panel.n_areas), panel.n_periods),
            "period": np.tile(np.arange(panel.n_periods), panel.n_areas),
            "rate": rate.ravel(),
            "adoption": np.repeat(np.where(adopted, panel.adoption, -1), panel.n_periods),
        }
    )
    rates = area_panel(
        rows,
        area="area",
        period="period",
        outcome="rate",
        adoption="adoption",
        never=-1,
        kind="continuous",
    )
    fit = callaway_santanna(
        rates,
        control=control,
        conf_level=context.conf_level,
        n_bootstrap=s.n_bootstrap,
        random_state=context.random_state,
        progress=context.progress,
    )
    return aggregate(fit, "group"), aggregate(fit, "dynamic"), control


def _its_guard(its: Any) -> Guard:
    p_value = float(its.ljung_box["p_value"].min())
    left = p_value < 0.05
    return Guard(
        name="ITS residual autocorrelation",
        status="warning" if left and not its.robust else "pass",
        value=p_value,
        threshold="Ljung-Box p >= 0.05, or Newey-West SEs",
        message=(
            "autocorrelation is left in the ITS residuals"
            + (
                "; the Newey-West SEs allow for it, but cover less than 95% with a few "
                "years of months (82% at 48 in the validity study): read the interval as "
                "too narrow"
                if its.robust
                else ": the model-based SEs may be too small (robust: true gives Newey-West "
                "SEs, themselves too narrow with a few years of months: see the validity "
                "study); prefer the difference-in-differences where areas adopt at "
                "different times"
            )
            if left
            else "no evidence of residual autocorrelation in the ITS"
        ),
    )


def _pretrend_guard(dynamic: Any) -> Guard:
    table = dynamic.summary().iloc[1:]
    pre = table[pd.to_numeric(table["level"]) < -1]
    off = pre[(pre["ci_lower"] > 0) | (pre["ci_upper"] < 0)]
    return Guard(
        name="parallel pre-trends",
        status="warning" if len(off) else "pass",
        value=float(len(off)),
        threshold="no pre-adoption event-study effect whose band excludes 0",
        message=(
            f"{len(off)} pre-adoption event-study effects differ from 0: parallel trends "
            "are in doubt"
            if len(off)
            else "pre-adoption event-study effects are compatible with parallel trends"
        ),
        details=tuple(str(t) for t in off["term"]),
    )


def _figure(result: Any, alt: str, caption: str, key: str) -> Markup:
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(7.5, 4.0))
    result.plot(ax=ax)
    figure.tight_layout()
    return figure_html(figure, alt=alt, caption=caption, key=key)


def _its_html(its: Any, s: Settings, panel: Any) -> list[Markup]:
    effects = its.summary()[["term", *_RATIO]].copy()
    box = its.ljung_box.iloc[0]
    text = (
        f"<p>Interrupted time series of {escape(s.outcome)} summed over the "
        f"{panel.n_areas} areas, {panel.n_periods} periods, break at "
        f"{escape(str(its.interruption))}: {escape(its.family)} segmented regression"
        f"{' with seasonality' if its.seasonality else ''}, "
        f"{'Newey-West (HAC) SEs' if its.robust else 'model SEs'}. A rate ratio below 1 "
        f"means fewer {escape(s.outcome)} than the pre-program trend predicts. Residual "
        f"autocorrelation: Ljung-Box p = {box['p_value']:.3f} at {int(box['lags'])} lags.</p>"
    )
    caption = (
        f"ITS of the panel total: level and slope change (rate ratios, {its.conf_level:.0%} CI)"
    )
    return [
        Markup(text),  # noqa: S704 - every piece is escaped
        html_table(effects, caption, labels=_RATIO),
        _figure(
            its,
            "observed, fitted and counterfactual counts",
            "Panel total with the counterfactual (no program) and its band",
            "community-its",
        ),
    ]


def _did_html(groups: Any, dynamic: Any, control: str, s: Settings) -> list[Markup]:
    overall = groups.summary().iloc[0]
    text = (
        f"<p>Staggered difference-in-differences (Callaway &amp; Sant'Anna 2021) on "
        f"{escape(s.outcome)} per {s.per:,.0f} of exposure, compared with "
        f"{'never-adopting' if control == 'never' else 'not-yet-adopting'} areas: average "
        f"effect on the adopting areas {overall['estimate']:.3f} "
        f"({overall['ci_lower']:.3f} to {overall['ci_upper']:.3f}). Unlike a two-way "
        "fixed-effects regression, it never uses early adopters as controls for late ones.</p>"
    )
    table = dynamic.summary()[["term", "estimate", "std_error", "ci_lower", "ci_upper"]]
    return [
        Markup(text),  # noqa: S704 - every piece is escaped
        html_table(table, "Event study: effect by periods since adoption (uniform band)"),
        _figure(
            dynamic,
            "event-study estimates by period since adoption",
            "Event study (Callaway & Sant'Anna) with its uniform band",
            "community-did",
        ),
    ]


def community_section(value: CommunityInput, context: SectionContext) -> Section:
    """Build the section from a checked input."""
    s = value.settings
    panel = _panel(value)
    its = _its(panel, s, context.conf_level)
    guards = [_its_guard(its)]
    html = _its_html(its, s, panel)
    data: dict[str, Any] = {"panel": panel.to_dict(), "its": its.to_dict()}
    notes = [
        "Community outcomes: the ITS models the whole-panel count with the exposure as "
        "offset; with a staggered rollout its break is the first adoption, so it blends "
        "areas not yet under the program: the difference-in-differences is then the design "
        "to read first. Counts of incidents are area totals, not people, and are not "
        "suppressed."
    ]
    try:
        did = _did(panel, s, context)
    except RpevalError as error:
        did = None
        notes.append(f"Community outcomes: the difference-in-differences failed ({error}).")
    if did is not None:
        groups, dynamic, control = did
        html += _did_html(groups, dynamic, control, s)
        guards.append(_pretrend_guard(dynamic))
        data["did"] = {
            "control": control,
            "per": s.per,
            "group": groups.to_dict(),
            "dynamic": dynamic.to_dict(),
        }
    body = Markup("").join(html)
    return Section("community", TITLE, body, data, tuple(notes), tuple(guards))
