"""What the regression, adjusted-curve, MCF and follow-up results show in the console and
notebooks (:mod:`rpeval._display`); the curve and test results are in :mod:`._display`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rpeval._display import Display

if TYPE_CHECKING:
    from rpeval.recidivism.followup.report import FollowUpReport
    from rpeval.recidivism.parametric.aft import AFTResult
    from rpeval.recidivism.parametric.split_population import SplitPopulationResult
    from rpeval.recidivism.recurrent.mcf import MCFResult
    from rpeval.recidivism.survival.adjusted_result import AdjustedSurvival

__all__ = [
    "adjusted_display",
    "aft_display",
    "followup_report_display",
    "mcf_display",
    "split_population_display",
]


def _level(conf_level: float) -> str:
    return f"{100 * conf_level:g}%"


def aft_display(fit: AFTResult) -> Display:
    """Time ratios with their interval, z and p; the fit's size and likelihood."""
    header = (
        ("n", f"{fit.n:,}"),
        ("events", f"{fit.n_events:,}"),
        ("scale", f"{fit.scale:.4g}"),
        ("log likelihood", f"{fit.loglik:.2f}"),
        ("AIC", f"{fit.aic:.2f}"),
    )
    level = _level(fit.conf_level)
    labels = {"time_ratio_lower": f"lower {level}", "time_ratio_upper": f"upper {level}"}
    return Display(f"AFT model ({fit.dist})", header, fit.summary(), labels=labels)


def split_population_display(fit: SplitPopulationResult) -> Display:
    """Incidence and latency coefficients; the predicted share who ever reoffend."""
    header = (
        ("n", f"{fit.n:,}"),
        ("events", f"{fit.n_events:,}"),
        ("predicted eventual reoffending", f"{fit.eventual_reoffense:.1%}"),
    )
    return Display(f"Split-population model ({fit.dist} latency)", header, fit.summary())


def adjusted_display(result: AdjustedSurvival) -> Display:
    """Adjusted survival by arm and time, then the differences between arms."""
    title = f"Adjusted survival ({result.method}, {result.variance} standard errors) by "
    header = (("n", f"{result.n:,}"), ("n dropped", f"{result.n_dropped:,}"))
    notes: tuple[str, ...] = ()
    if result.bootstrap_failures:
        notes = (f"{result.bootstrap_failures:,} bootstrap draws failed and were skipped.",)
    tables = (("Differences", result.differences()),)
    return Display(title + result.treatment, header, result.summary(), notes, tables=tables)


def mcf_display(result: MCFResult) -> Display:
    """People and re-arrests per group; the value at the end of each curve."""
    sizes = ", ".join(
        f"{g}: {int(n)} people, {int(e)} re-arrests"
        for g, n, e in zip(result.groups, result.n_people, result.n_events, strict=True)
    )
    header = (("groups", sizes), ("level", _level(result.conf_level)))
    last = result.summary().groupby("group", sort=False).tail(1)  # the curve's end
    return Display("Mean cumulative function of re-arrests", header, last)


def followup_report_display(report: FollowUpReport) -> Display:
    """The problems and notes found (nonzero ones) and the event codes."""
    table = report.summary()
    shown = table.loc[(table["count"] > 0) | (table["kind"] == "event")]
    header = (
        ("people", f"{report.n_people:,}"),
        ("rows", f"{report.n_rows:,}"),
        ("problems", f"{report.n_problems:,}"),
        ("unit", report.unit),
    )
    return Display("Follow-up report", header, shown.reset_index(drop=True))
