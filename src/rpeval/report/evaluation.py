"""`Evaluation`: everything `evaluate` found, with a summary, JSON and an HTML report."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from rpeval._display import Display, Displayed
from rpeval.report._guards import Guards
from rpeval.report.sections import Section

__all__ = ["DEFAULT_LABELS", "Evaluation"]

DEFAULT_LABELS = {"participants": "participants", "comparison": "people processed traditionally"}


def _clean(value: Any) -> Any:
    """JSON-ready: NaN/NA as None, numpy scalars as Python, frames as records."""
    if isinstance(value, pd.DataFrame):
        return [_clean(r) for r in value.astype(object).to_dict(orient="records")]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


@dataclass(frozen=True, repr=False)
class Evaluation(Displayed):
    """The result of :func:`rpeval.report.evaluate`.

    Attributes
    ----------
    settings
        The full configuration (columns, design, windows, seed, …).
    cohort
        The cohort flow: one row per step with the rows remaining and dropped, and why.
    design
        The :class:`~rpeval.matching.MatchResult` or ``WeightResult``.
    balance
        The balance table (before and after).
    sample
        The analysis sample: one row per person with ``time_at_risk``, ``rearrest``,
        ``weights`` and (matching) ``subclass``.
    cif
        Aalen–Johansen cumulative incidence by group (with Gray's test) when competing
        events are present in a matched design, else ``None``.
    curves, rates, cox, ph_test, rmst
        Outcome results on the matched or weighted sample; in a weighted design the
        variances include the estimation of the weights (stacked sandwich).
    sensitivity
        ``e_value`` (an EValueResult for the hazard ratio) and ``rosenbaum`` (bounds for
        re-arrest within the first window among complete pairs; ``None`` without pairs).
    metrics
        The program metrics (a MetricTable) or ``None`` without case records.
    sections
        The optional sections (:mod:`rpeval.report.sections`: program over time, community
        trust, participant voices, community outcomes) whose inputs were given, in report
        order.
    guards
        The design guards (:class:`~rpeval.report._guards.Guards`): participants kept,
        common support, balance, effective sample size, events per group, proportional
        hazards, category coding. A failed guard leads the headline, the report and the
        JSON, and makes ``rpeval evaluate`` exit 1.
    versions
        Package and dependency versions.
    timings
        Wall time of each stage of :func:`~rpeval.report.evaluate`, in seconds (also shown
        on its progress bar); like ``versions`` it varies between runs.
    """

    settings: dict[str, Any]
    cohort: pd.DataFrame
    design: Any = field(repr=False)
    balance: Any = field(repr=False)
    sample: pd.DataFrame = field(repr=False)
    curves: Any = field(repr=False)
    rates: pd.DataFrame = field(repr=False)
    cox: Any = field(repr=False)
    ph_test: pd.DataFrame = field(repr=False)
    rmst: Any = field(repr=False)
    sensitivity: dict[str, Any] = field(repr=False)
    metrics: Any = field(repr=False)
    versions: dict[str, str] = field(repr=False)
    notes: tuple[str, ...] = ()
    cif: Any = field(default=None, repr=False)
    guards: Guards = field(default_factory=lambda: Guards(()), repr=False)
    sections: tuple[Section, ...] = field(default=(), repr=False)
    timings: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """No design guard failed: the comparison can carry the findings."""
        return self.guards.ok

    def banner(self) -> list[str]:
        """What must be read before the findings: one sentence per failed guard (empty
        when none failed)."""
        return [f"The design failed a check ({g.name}): {g.message}." for g in self.guards.failed]

    @property
    def hazard_ratio(self) -> dict[str, float]:
        """The program's hazard ratio with its CI and p-value."""
        row = self.cox.summary().iloc[0]
        return {
            "hazard_ratio": float(row["hazard_ratio"]),
            "ci_lower": float(row["hazard_ratio_lower"]),
            "ci_upper": float(row["hazard_ratio_upper"]),
            "p_value": float(row["p_value"]),
        }

    def estimand_text(self) -> str:
        """What the headline hazard ratio estimates, in words (a marginal hazard ratio:
        hazard ratios are non-collapsible, so it is not the hazard ratio given the
        covariates)."""
        names = {**DEFAULT_LABELS, **self.settings.get("labels", {})}
        who, other = names["participants"], names["comparison"]
        if self.settings["design"] == "matching":
            return (
                f"the hazard ratio of re-arrest among matched {who}, relative to what it "
                "would have been under traditional processing"
            )
        estimand = self.settings.get("estimand", "ATE")
        population = {
            "ATT": f"among {who}, relative to what it would have been under traditional processing",
            "ATC": f"among {other}, had they taken part, relative to traditional processing",
            "ATO": "in the overlap population (people who could as well have been in either "
            "group), with the program relative to traditional processing",
        }.get(
            estimand,
            f"in everyone studied ({who} and {other}), all taking part relative to all "
            "processed traditionally",
        )
        return f"the hazard ratio of re-arrest {population} (weighted, {estimand})"

    def headline(self) -> str:
        """Plain-language findings with numbers and CIs, one sentence a line, after the
        banner of failed design guards (if any); :meth:`headline_sentences` gives the list."""
        return "\n".join(self.headline_sentences())

    def _display(self) -> Display:
        """The key estimates in their units, with the headline sentences as notes."""
        from rpeval.report._detail_tables import key_estimates

        level = f"{100 * self.settings['conf_level']:g}%"
        labels = {"ci_lower": f"lower {level}", "ci_upper": f"upper {level}", "p_value": "p"}
        notes = tuple(f"- {sentence}" for sentence in self.headline_sentences())
        table = key_estimates(self.summary(), short=True)
        title = f"Evaluation ({self.settings['design']})"
        return Display(title, (), table, notes, labels=labels)

    def __str__(self) -> str:
        """The headline sentences first, then the key estimates (one renderer)."""
        shown = self._display()
        return replace(shown, title="\n".join([shown.title, *shown.notes]), notes=()).text()

    def headline_sentences(self) -> list[str]:
        """The sentences of :meth:`headline`, as a list."""
        hr = self.hazard_ratio
        level = round(100 * self.settings["conf_level"])
        counts = self.cohort.iloc[-1]
        names = {**DEFAULT_LABELS, **self.settings.get("labels", {})}
        design = self.settings["design"]
        k = int(self.settings.get("suppress_below", 1))

        def count(value: Any) -> str:  # a group of 1 to k-1 people is not published
            n = int(value)
            return f"fewer than {k}" if 0 < n < k else f"{n:,}"

        sentences = [
            *self.banner(),
            f"{count(counts['remaining_treated'])} {names['participants']} were compared with "
            f"{count(counts['remaining_comparison'])} {names['comparison']} "
            f"({'matched' if design == 'matching' else 'weighted'} on "
            f"{self.settings['covariates_text']}).",
            f"Participants' hazard of re-arrest was {hr['hazard_ratio']:.2f} times that of "
            f"the comparison group ({level}% CI {hr['ci_lower']:.2f}–{hr['ci_upper']:.2f}, "
            f"p = {hr['p_value']:.3g}).",
            f"This is {self.estimand_text()}.",
        ]
        for _, row in self.rates.iterrows():
            sentences.append(
                f"Re-arrest within {int(row['window'])} days: {row['treated']:.1%} of "
                f"{names['participants']} vs {row['comparison']:.1%} (difference "
                f"{100 * row['difference']:+.1f} percentage points, {level}% CI "
                f"{100 * row['ci_lower']:+.1f} to {100 * row['ci_upper']:+.1f})."
            )
        evalue = self.sensitivity.get("e_value")
        if evalue is not None:
            row = evalue.summary().iloc[0]
            sentences.append(
                f"An unmeasured confounder would need a risk ratio of {row['e_value']:.2f} "
                "with both participation and re-arrest to explain the estimate away (E-value)."
            )
        return sentences

    def summary(self) -> pd.DataFrame:
        """Key estimates, one row each: estimate, CI and p-value (tidy)."""
        rows = [
            {
                "quantity": "hazard ratio (Cox)",
                "estimate": self.hazard_ratio["hazard_ratio"],
                "ci_lower": self.hazard_ratio["ci_lower"],
                "ci_upper": self.hazard_ratio["ci_upper"],
                "p_value": self.hazard_ratio["p_value"],
            }
        ]
        for _, row in self.rates.iterrows():
            rows.append(
                {
                    "quantity": f"re-arrest difference at {int(row['window'])} days",
                    "estimate": row["difference"],
                    "ci_lower": row["ci_lower"],
                    "ci_upper": row["ci_upper"],
                    "p_value": row["p_value"],
                }
            )
        if self.rmst is not None:
            contrasts = self.rmst.contrasts()
            contrast = contrasts[contrasts["contrast"] == "difference"].iloc[0]
            rows.append(
                {
                    "quantity": f"RMST difference to {self.rmst.tau:g} days",
                    "estimate": contrast["estimate"],
                    "ci_lower": contrast["ci_lower"],
                    "ci_upper": contrast["ci_upper"],
                    "p_value": contrast["p_value"],
                }
            )
        return pd.DataFrame(rows)

    def published_cohort(self) -> pd.DataFrame:
        """The cohort flow as the report and JSON publish it: steps that would show a count
        below ``suppress_below`` are combined (see :mod:`rpeval.report._disclosure`);
        :attr:`cohort` keeps the exact flow for the analyst."""
        from rpeval.report._disclosure import published_cohort

        return published_cohort(self.cohort, int(self.settings.get("suppress_below", 1)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready results (no figures; the cohort flow as :meth:`published_cohort`)."""
        cleaned: dict[str, Any] = _clean(
            {
                "guards": self.guards.to_dict(),
                "settings": self.settings,
                "versions": self.versions,
                "timings": self.timings,
                "headline": self.headline_sentences(),
                "summary": self.summary(),
                "cohort": self.published_cohort(),
                "balance": self.balance.summary(),
                "rates": self.rates,
                "cox": self.cox.summary(),
                "proportional_hazards": self.ph_test,
                "rmst": None if self.rmst is None else self.rmst.summary(),
                "gray_test": None if self.cif is None else self.cif.gray_test,
                "e_value": None
                if self.sensitivity.get("e_value") is None
                else self.sensitivity["e_value"].summary(),
                "rosenbaum": self.sensitivity.get("rosenbaum"),
                "metrics": None if self.metrics is None else self.metrics.to_pandas(),
                "notes": list(self.notes),
                "sections": {
                    s.key: {"title": s.title, **s.data, "notes": list(s.notes)}
                    for s in self.sections
                },
            }
        )
        return cleaned

    def to_json(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as JSON; returns the path."""
        target = Path(path)
        target.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")
        return target

    def to_html(self, path: str | Path) -> Path:
        """Write the self-contained HTML report; returns the path."""
        from rpeval.report.html import render_html

        target = Path(path)
        target.write_text(render_html(self), encoding="utf-8")
        return target
