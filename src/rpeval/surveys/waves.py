"""Before/after comparisons of trust: independent survey waves and repeated measures.

Independent waves (different respondents, each wave its own design) are compared domain
by domain with ``SE = √(SE₁² + SE₂²)``. A panel (the same people asked twice) is
compared through each person's change, estimated with the first wave's design over the
people who answered both times; the people lost between waves are counted and compared
with those who stayed, since attrition that depends on trust biases the change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rpeval._display import Display, Displayed
from rpeval._inference import two_sided_p, z_quantile
from rpeval._json import records
from rpeval._options import check_conf_level
from rpeval._plots import interval_plot
from rpeval.errors import SpecificationError
from rpeval.surveys._blocks import build_estimate, mean_block
from rpeval.surveys._domains import AnyDesign, Domains, check_design, domains, response
from rpeval.surveys.results import SurveyEstimate

__all__ = ["PairedChange", "WaveComparison", "compare_waves", "paired_change"]

COLUMNS = [
    "variable",
    "domain",
    "before",
    "after",
    "difference",
    "std_error",
    "ci_lower",
    "ci_upper",
    "statistic",
    "p_value",
]
_SHOWN = ["variable", "domain", "estimate", "std_error", "ci_lower", "ci_upper", "deff", "n"]


@dataclass(frozen=True, repr=False)
class WaveComparison(Displayed):
    """Differences ``after − before`` between two independent waves, per domain."""

    statistic: str
    conf_level: float
    table: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """One row per variable and domain: ``variable``, ``domain``, ``before``,
        ``after``, ``difference``, ``std_error``, ``ci_lower``, ``ci_upper``,
        ``statistic`` (z), ``p_value``."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "statistic": self.statistic,
            "conf_level": self.conf_level,
            "comparisons": records(self.table),
        }

    def _display(self) -> Display:
        title = f"Change in {self.statistic} between independent waves"
        header = (("conf_level", f"{100 * self.conf_level:g}% (z: the waves are independent)"),)
        return Display(title, header, self.table)

    def plot(self, ax: Any = None) -> Any:
        """Each difference (after − before) with its interval, and a dashed line at 0."""
        t = self.table
        several = len(set(t["variable"])) > 1
        labels = [
            f"{v}: {d}" if several else str(d)
            for v, d in zip(t["variable"], t["domain"], strict=True)
        ]
        xlabel = f"change in {self.statistic} ({100 * self.conf_level:g}% CI)"
        return interval_plot(
            labels,
            t["difference"],
            t["ci_lower"],
            t["ci_upper"],
            xlabel=xlabel,
            reference=0.0,
            ax=ax,
        )


def compare_waves(
    before: SurveyEstimate, after: SurveyEstimate, *, conf_level: float | None = None
) -> WaveComparison:
    """Compare the same estimate from two independent waves (each with its own design).

    Both must be the same statistic of the same variables and domains (from
    :func:`rpeval.surveys.mean`, ``proportion``, ``total``...). Waves are independent
    samples, so their covariance is 0. Quantiles compare with their Woodruff SEs.

    Examples
    --------
    >>> from rpeval.surveys import SurveyDesign, mean
    >>> w1 = pd.DataFrame({"trust": [2.0, 3, 3, 4], "w": 1.0, "unit": [1, 2, 3, 4]})
    >>> w2 = pd.DataFrame({"trust": [3.0, 4, 4, 5], "w": 1.0, "unit": [1, 2, 3, 4]})
    >>> one = mean(SurveyDesign(w1, weights="w", psu="unit"), "trust")
    >>> two = mean(SurveyDesign(w2, weights="w", psu="unit"), "trust")
    >>> float(compare_waves(one, two).summary()["difference"][0])
    1.0
    """
    if not isinstance(before, SurveyEstimate) or not isinstance(after, SurveyEstimate):
        raise SpecificationError("compare_waves(): give two SurveyEstimate results")
    if before.statistic != after.statistic:
        raise SpecificationError(
            f"compare_waves(): cannot compare a {before.statistic} with a {after.statistic}"
        )
    a, b = before.table, after.table
    keys_a = list(zip(a["variable"], a["domain"], strict=True))
    keys_b = list(zip(b["variable"], b["domain"], strict=True))
    if keys_a != keys_b:
        raise SpecificationError(
            "compare_waves(): the waves have different variables or domains",
            hint=f"before: {keys_a}; after: {keys_b}",
        )
    level = (
        before.conf_level
        if conf_level is None
        else check_conf_level(conf_level, caller="compare_waves")
    )
    z = z_quantile(level)
    diff = b["estimate"].to_numpy() - a["estimate"].to_numpy()
    se = np.hypot(a["std_error"].to_numpy(), b["std_error"].to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = diff / se
    table = pd.DataFrame(
        {
            "variable": a["variable"],
            "domain": a["domain"],
            "before": a["estimate"],
            "after": b["estimate"],
            "difference": diff,
            "std_error": se,
            "ci_lower": diff - z * se,
            "ci_upper": diff + z * se,
            "statistic": stat,
            "p_value": two_sided_p(stat),
        },
        columns=COLUMNS,
    )
    return WaveComparison(before.statistic, level, table)


@dataclass(frozen=True, repr=False)
class PairedChange(Displayed):
    """Mean within-person change in a panel, and who was lost between waves."""

    change: SurveyEstimate
    stayers_vs_leavers: SurveyEstimate | None
    n_pairs: int
    n_lost: int
    n_no_baseline: int
    weighted_attrition: float

    def summary(self) -> pd.DataFrame:
        """The change per domain (columns as :meth:`SurveyEstimate.summary`)."""
        return self.change.summary()

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change.to_dict(),
            "n_pairs": self.n_pairs,
            "n_lost": self.n_lost,
            "n_no_baseline": self.n_no_baseline,
            "weighted_attrition": self.weighted_attrition,
            "stayers_vs_leavers": None
            if self.stayers_vs_leavers is None
            else self.stayers_vs_leavers.to_dict(),
        }

    def _display(self) -> Display:
        header = (
            ("pairs", f"{self.n_pairs} people answered both waves"),
            ("lost", f"{self.n_lost} after the first wave "
             f"({100 * self.weighted_attrition:.1f}% of the weighted sample)"),
            ("no baseline", str(self.n_no_baseline)),
        )  # fmt: skip
        change = self.change
        notes = list(change.notes)
        if change.n_missing:
            why = "both answers" + (", or a domain" if change.by else "")
            notes.insert(0, f"{change.n_missing} people without {why} left out of the change")
        if self.stayers_vs_leavers is not None:
            base = self.stayers_vs_leavers.summary()
            diff = self.stayers_vs_leavers.difference("stayed", "lost")
            notes.append(
                f"Baseline among those who stayed {base['estimate'].iloc[1]:.4g} vs lost "
                f"{base['estimate'].iloc[0]:.4g} (difference {diff.estimate:.4g}, p = "
                f"{diff.p_value:.3g}): a difference means attrition can bias the change"
            )
        shown = change.table[[c for c in _SHOWN if c in change.table.columns]]
        level = f"{100 * change.conf_level:g}%"
        title = f"Paired change within people ({change.method}; {level} CIs)"
        return Display(title, header, shown, tuple(notes))


def paired_change(
    design: AnyDesign,
    before: str,
    after: str,
    *,
    by: str | list[str] | None = None,
    conf_level: float = 0.95,
) -> PairedChange:
    """Mean change ``after − before`` among people who answered both waves.

    ``design`` is the first wave's design over the panel, one row per person, with the
    two waves' answers in columns ``before`` and ``after`` (missing where a person was
    not reached). The change is a domain mean over the complete pairs (R:
    ``svymean(~I(after - before), design, na.rm = TRUE)``); people lost after the first
    wave are counted, with their share of the weighted sample, and their baseline is
    compared with the stayers'. It has no ``missing=`` on purpose: missing answers are
    its subject (the people lost between waves), always left out of the change and
    counted, never an error; rows missing a ``by`` value are left out the same way
    (counted in the change's ``n_missing``).

    Examples
    --------
    >>> from rpeval.surveys import SurveyDesign
    >>> df = pd.DataFrame({"t1": [2.0, 3, 3, 4, 2], "t2": [3.0, 3, 4, None, 3],
    ...                    "w": 1.0, "unit": [1, 2, 3, 4, 5]})
    >>> result = paired_change(SurveyDesign(df, weights="w", psu="unit"), "t1", "t2")
    >>> result.n_pairs, result.n_lost, float(result.summary()["estimate"][0])
    (4, 1, 0.75)
    """
    caller = "paired_change"
    checked = check_design(design, caller)
    level = check_conf_level(conf_level, caller=caller)
    domains_ = domains(checked, by, missing="drop", caller=caller)
    first, null_first = response(checked, before, arg="before", missing="drop", caller=caller)
    second, null_second = response(checked, after, arg="after", missing="drop", caller=caller)
    pairs = ~null_first & ~null_second
    lost = ~null_first & null_second
    if not pairs.any():
        raise SpecificationError(f"{caller}(): nobody answered both {before!r} and {after!r}")
    block = mean_block(checked, second - first, ~pairs, domains_, f"{after}-{before}", caller)
    change = build_estimate(
        checked,
        [block],
        domains_,
        statistic="mean change",
        conf_level=level,
        n_missing=int((~pairs & (domains_.code >= 0)).sum()),  # missing `by`: n_missing_by
    )
    comparison = None
    if lost.any():
        status = Domains(
            np.where(~null_first, pairs.astype(np.int64), -1),
            ("status",),
            (("lost",), ("stayed",)),
            0,
        )
        base = mean_block(checked, first, null_first, status, before, caller)
        comparison = build_estimate(
            checked, [base], status, statistic="baseline mean", conf_level=level
        )
    w = checked.weights
    share = float(w[lost].sum() / w[~null_first].sum()) if (~null_first).any() else math.nan
    return PairedChange(
        change,
        comparison,
        int(pairs.sum()),
        int(lost.sum()),
        int((null_first & ~null_second).sum()),
        share,
    )
