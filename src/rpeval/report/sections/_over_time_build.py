"""Building the "Program over time" section: per-period series, charts, table, guard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from rpeval.errors import DataError, SpecificationError
from rpeval.report._guards import Guard
from rpeval.report.sections import Section, SectionContext

if TYPE_CHECKING:
    from rpeval.metrics import ControlChart
    from rpeval.report.sections.over_time import Settings

__all__ = ["over_time_section"]


@dataclass(frozen=True)
class _Series:
    key: str
    title: str
    kind: str
    table: pd.DataFrame  # period, numerator, denominator, value, note


def _paragraph(text: str) -> Markup:
    return Markup("<p>") + escape(text) + Markup("</p>")


PARTIAL = "period not over at the last date in the data: not plotted"


def _partial_label(dates: pd.Series, s: Settings) -> str | None:
    """The label of the period holding the last date, when that date is not its last day
    (the period in progress: its counts are not comparable)."""
    from rpeval.metrics._periods import period_labels

    stamps = pd.to_datetime(dates).dropna()
    if stamps.empty:
        return None
    last = stamps.max()
    here = period_labels(pd.Series([last, last + pd.Timedelta(days=1)]), s.period,
                         s.fiscal_year_start)  # fmt: skip
    return None if here.iloc[0] != here.iloc[1] else str(here.iloc[0])


def _drop_partial(table: pd.DataFrame, partial: str | None) -> pd.DataFrame:
    if partial is None:
        return table
    out = table.copy()
    rows = out["period"] == partial
    out.loc[rows, ["numerator", "denominator"]] = np.nan
    if "value" in out:
        out.loc[rows, "value"] = np.nan
    out.loc[rows, "note"] = PARTIAL
    return out


def _small(count: float, k: int) -> bool:
    return 0 < count < k


def _case_series(cases: pd.DataFrame, s: Settings, k: int) -> list[_Series]:
    """Referrals (counts) and conferences held per referral, by referral period."""
    from rpeval.metrics._periods import MONTHS, label

    if s.referral_date not in cases or "conference_held" not in cases:
        raise DataError(f"the cases need {s.referral_date!r} and 'conference_held'")
    dates = pd.to_datetime(cases[s.referral_date])
    shift = (13 - s.fiscal_year_start) % 12 if s.period != "month" else 0
    keys = ((dates.dt.year * 12 + dates.dt.month - 1 + shift) // MONTHS[s.period]).dropna()
    held = cases.loc[keys.index, "conference_held"].fillna(False).astype(bool)
    grouped = pd.DataFrame({"key": keys.astype(int), "held": held}).groupby("key")["held"]
    full = range(int(keys.min()), int(keys.max()) + 1)
    referrals = grouped.size().reindex(full, fill_value=0).astype(float)
    conferences = grouped.sum().reindex(full, fill_value=0).astype(float)
    periods = [label(key, s.period, s.fiscal_year_start) for key in full]
    count_notes = ["suppressed: count below k" if _small(n, k) else "" for n in referrals]
    counts = pd.DataFrame(
        {"period": periods, "numerator": referrals.where(~referrals.map(lambda n: _small(n, k)))}
    ).assign(denominator=1.0, note=count_notes)
    hidden = np.array(
        [_small(h, k) or _small(n - h, k) for h, n in zip(conferences, referrals, strict=True)]
    )
    rate = pd.DataFrame(
        {
            "period": periods,
            "numerator": conferences.where(~hidden).to_numpy(),
            "denominator": referrals.where(~hidden).to_numpy(),
            "note": ["suppressed: count below k" if h else "" for h in hidden],
        }
    )
    partial = _partial_label(cases[s.referral_date], s)
    return [
        _Series("referrals", "Referrals", "c", _drop_partial(counts, partial)),
        _Series("conferences_held", "Conferences held per referral", "p",
                _drop_partial(rate, partial)),
    ]  # fmt: skip


def _metric_series(
    frame: pd.DataFrame, metric: str, title: str, s: Settings, k: int, date: str, **extra: Any
) -> _Series:
    from rpeval.metrics import Registry

    table = Registry.builtin().compute(
        metric,
        frame,
        period=s.period,
        fiscal_year_start=s.fiscal_year_start,
        suppress_below=k,
        **extra,
    )
    out = table.to_pandas()
    incomplete = out["note"].fillna("").str.contains("follow-up incomplete", regex=False)
    out.loc[incomplete, ["numerator", "denominator", "value"]] = pd.NA
    out.loc[incomplete, "note"] = "follow-up incomplete: not plotted"
    out["numerator"] = out["numerator"].to_numpy(dtype="float64", na_value=np.nan)
    out["denominator"] = out["denominator"].to_numpy(dtype="float64", na_value=np.nan)
    out["value"] = out["value"].to_numpy(dtype="float64", na_value=np.nan)
    partial = _partial_label(frame[date], s) if date in frame else None
    return _Series(metric, title, "p", _drop_partial(out, partial))


def _series(s: Settings, context: SectionContext, k: int) -> tuple[list[_Series], list[str]]:
    found: list[_Series] = []
    skipped: list[str] = []
    cases = context.cases
    if cases is None:
        skipped.append("no case records were given: referrals, conferences and agreements")
    else:
        tries: list[Callable[[], list[_Series]]] = [
            lambda: _case_series(cases, s, k),
            lambda: [_metric_series(cases, "agreement_rate", "Agreement rate", s, k,
                                    s.referral_date, period_of=s.referral_date)],
            lambda: [_metric_series(cases, "agreement_completion_rate", "Agreement completion",
                                    s, k, s.referral_date, period_of=s.referral_date)],
        ]  # fmt: skip
        for attempt in tries:
            try:
                found.extend(attempt())
            except (DataError, SpecificationError) as error:
                skipped.append(error.message)
    people = context.people[context.people[context.treatment].astype(bool)]
    columns = {"entry_date": s.entry_date, "rearrest_date": s.rearrest_date,
               "data_through": s.data_through}  # fmt: skip
    try:
        found.append(
            _metric_series(people, "rearrest_within_12_months",
                           "Re-arrest within 12 months (participants, by entry period)",
                           s, k, s.entry_date, columns=columns)
        )  # fmt: skip
    except (DataError, SpecificationError) as error:
        skipped.append(error.message)
    return found, skipped


def _chart(series: _Series, s: Settings) -> ControlChart:
    from rpeval.metrics import control_chart

    baseline = None if s.baseline is None else min(s.baseline, len(series.table))
    return control_chart(
        series.table,
        kind=series.kind,  # type: ignore[arg-type]
        baseline=baseline,
        rules=s.rules,
    )


def _figure(charts: list[tuple[_Series, ControlChart]]) -> Any:
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(
        len(charts), 1, figsize=(8.0, 2.7 * len(charts)), layout="constrained", squeeze=False
    )
    for ax, (series, chart) in zip(axes[:, 0], charts, strict=True):
        chart.plot(ax=ax, title=series.title)
        ax.set_ylabel("count" if series.kind == "c" else "share")
    return figure


def _rows(charts: list[tuple[_Series, ControlChart]]) -> pd.DataFrame:
    rows = []
    for series, chart in charts:
        fired = [f"{rule} at {', '.join(p)}" for rule, p in chart.fired.items() if p]
        rows.append(
            {
                "metric": series.title,
                "chart": chart.kind,
                "centre": chart.center,
                "baseline": f"{chart.baseline[0]} to {chart.baseline[1]}",
                "signals": "; ".join(fired) or "none",
            }
        )
    return pd.DataFrame(rows)


def over_time_section(s: Settings, context: SectionContext) -> Section:
    """The section: charts of the program's key metrics over reporting periods."""
    from rpeval.report._figures import figure_html
    from rpeval.report.html import html_table

    k = s.suppress_below or context.suppress_below
    found, skipped = _series(s, context, k)
    charts: list[tuple[_Series, ControlChart]] = []
    for series in found:
        try:
            charts.append((series, _chart(series, s)))
        except (DataError, SpecificationError) as error:
            skipped.append(f"{series.title}: {error.message}")
    signalled = [series.title for series, chart in charts if chart.signalled]
    parts = [
        _paragraph(
            f"Each chart shows one metric by {s.period} with 3-sigma control limits from the "
            "baseline periods (shaded). A point outside the limits or a run-rule pattern "
            "(diamonds) is a signal that the process changed, not noise."
        )
    ]
    if signalled:
        parts.append(_paragraph(f"Signals in: {', '.join(signalled)}. Look into these periods."))
    if charts:
        table = _rows(charts)
        parts.append(html_table(table, "Control charts: centre, baseline and rules that fired",
                                formats={"centre": lambda v: f"{v:.3g}"}))  # fmt: skip
        alt = "; ".join(f"{r['metric']}: signals {r['signals']}" for _, r in table.iterrows())
        parts.append(
            figure_html(_figure(charts), alt=alt, caption="Control charts by period",
                        key="over_time")
        )  # fmt: skip
    for reason in skipped:
        parts.append(_paragraph(f"Not shown: {reason}"))
    guard = Guard(
        name="process over time",
        status="warning" if signalled else "pass",
        value=float(len(signalled)),
        threshold="no run rule fires",
        message=(
            f"run rules fired on {len(signalled)} chart(s): {', '.join(signalled)}"
            if signalled
            else "every monitored metric stayed within its control limits"
        ),
    )
    base = "all periods" if s.baseline is None else f"the first {s.baseline} periods"
    notes = (
        f"Program over time: p charts (exact limits per period's denominator) and a c chart "
        f"of referrals, baseline {base}, "
        f"rules {s.rules}; cells with counts of 1 to {k - 1} are not plotted"
        + ("" if k > 1 else " (suppression off)")
        + "; re-arrest periods whose 12 months are not over are left out.",
    )
    data = {
        "period": s.period,
        "baseline": s.baseline,
        "rules": s.rules,
        "suppress_below": k,
        "charts": {series.key: chart.to_dict() for series, chart in charts},
        "signalled": signalled,
        "not_shown": skipped,
    }
    html = Markup("").join(parts)
    return Section("over_time", "Program over time", html, data, notes, (guard,))
