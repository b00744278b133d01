"""Theme prevalence per stakeholder group, group differences and co-occurrence.

Prevalence is counted per **participant**, not per segment: a participant who mentions a
theme in five segments counts once, as one who mentions it once (a talkative participant
would otherwise weigh more). A segment holds a code when any coder applied it
(``rule="any"``) or more than half of the coders who read it did (``rule="majority"``); a
participant holds it when any of their segments does; a theme when any code below it is
held. Each participant is one independent observation, so the Wilson interval on
participants is the interval clustered by participant. ``unit="segment"`` gives the share
of segments instead, with a linearised (ratio-estimator) interval clustered by participant.

Small cells are suppressed as in the metrics pillar: a cell whose count of participants with
the theme, or without it, is 1..k-1 (``suppress_below=k``) publishes no number, and a group
of fewer than k participants publishes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rpeval._display import Display, Displayed
from rpeval._inference import wilson_interval, z_quantile
from rpeval._json import records
from rpeval._lazy import stats
from rpeval._options import check_choice, check_conf_level, check_count
from rpeval._plots import PALETTE
from rpeval.qualitative.coded import CodedSegments

__all__ = [
    "Cooccurrence",
    "Prevalence",
    "cooccurrence",
    "segment_presence",
    "theme_prevalence",
]

COLUMNS = [
    "code",
    "group",
    "n",
    "n_with",
    "prevalence",
    "ci_lower",
    "ci_upper",
    "suppressed",
]
TEST_COLUMNS = ["code", "test", "statistic", "df", "p_value", "p_adjusted", "adjust"]
_ADJUST = {"holm": "holm", "bh": "fdr_bh", "none": "none"}
_RULES = {"any": "a segment holds a code any coder applied", "majority": "a segment holds a "
          "code most of its coders applied"}  # fmt: skip


def segment_presence(coded: CodedSegments, *, rule: str = "any") -> pd.DataFrame:
    """Segment × code 0/1 (with participant and group columns first)."""
    rule = check_choice(rule, ["any", "majority"], arg="rule", caller="segment_presence")
    out = coded.reviewed[["segment", "participant", "group"]].drop_duplicates("segment")
    out = out.set_index("segment").sort_index()
    for name in coded.codebook.code_names:
        ratings = coded.ratings(name)
        if coded.codebook.code(name).scale == "ordinal":
            ratings = (ratings > 0).astype(float).where(ratings.notna())
        share = ratings.mean(axis=1)
        held = share.gt(0) if rule == "any" else share.gt(0.5)
        out[name] = held.reindex(out.index, fill_value=False).astype(int)
    return out.reset_index()


def _suppress(n: int, k: int, threshold: int | None) -> bool:
    if threshold is None:
        return False
    return 0 < n < threshold or 0 < k < threshold or 0 < n - k < threshold


@dataclass(frozen=True, repr=False)
class Prevalence(Displayed):
    """Theme prevalence per group, and tests of group differences.

    ``table`` columns: code, group, n, n_with, prevalence, ci_lower, ci_upper, suppressed
    (n and n_with count participants, or segments with ``unit="segment"``).
    ``tests`` columns: code, test, statistic, df, p_value, p_adjusted, adjust.
    """

    table: pd.DataFrame
    tests: pd.DataFrame
    unit: str
    rule: str
    conf_level: float
    suppress_below: int | None

    def summary(self) -> pd.DataFrame:
        """The prevalence table (a copy)."""
        return self.table.copy()

    def differences(self) -> pd.DataFrame:
        """One row per code: the test that prevalence is equal across groups, with the
        p-value adjusted across codes."""
        return self.tests.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready tables (NaN as ``None``)."""

        return {
            "unit": self.unit,
            "rule": self.rule,
            "conf_level": self.conf_level,
            "suppress_below": self.suppress_below,
            "prevalence": records(self.table),
            "differences": records(self.tests),
        }

    def wide(self) -> pd.DataFrame:
        """Code × group prevalence (suppressed cells empty)."""
        wide = self.table.pivot_table(
            index="code", columns="group", values="prevalence", aggfunc="first", dropna=False
        )
        return wide.reindex(list(dict.fromkeys(self.table["code"])))

    def _display(self) -> Display:
        below = "none" if self.suppress_below is None else str(self.suppress_below)
        adjust = str(self.tests["adjust"].iloc[0]) if len(self.tests) else "none"
        header = (
            ("rule", _RULES.get(self.rule, self.rule)),
            ("suppress_below", below),
            ("conf_level", f"{self.conf_level:.0%}"),
        )
        wide = self.wide().reset_index()
        wide.columns = [str(c) for c in wide.columns]
        notes = (
            "Shares per group (NA: suppressed); counts and intervals: summary().",
            f"Group differences: p_adjusted by {adjust} across codes.",
        )
        title = f"Theme prevalence per {self.unit} by group"
        tests = (("Group differences", self.tests.drop(columns="adjust")),)
        return Display(title, header, wide, notes, tables=tests)

    def plot(self, ax: Any = None) -> Any:
        """Prevalence per code (rows) and group (markers) with intervals."""
        import matplotlib.pyplot as plt

        table = self.table
        codes = list(dict.fromkeys(table["code"]))
        groups = list(dict.fromkeys(table["group"]))
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.5 * len(codes) + 1.5))
        palette = PALETTE
        markers = ["o", "s", "^", "D", "v", "P"]
        step = 0.7 / max(len(groups), 1)
        for j, group in enumerate(groups):
            rows = table[table["group"] == group].set_index("code").reindex(codes)
            y = np.arange(len(codes))[::-1] + (j - (len(groups) - 1) / 2) * step
            est = rows["prevalence"].to_numpy(dtype=float)
            err = np.vstack(
                [
                    est - rows["ci_lower"].to_numpy(dtype=float),
                    rows["ci_upper"].to_numpy(dtype=float) - est,
                ]
            )
            ax.errorbar(
                est,
                y,
                xerr=err,
                fmt=markers[j % len(markers)],
                color=palette[j % len(palette)],
                label=str(group),
                capsize=2,
            )
        ax.set_yticks(np.arange(len(codes))[::-1], codes)
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"share of {self.unit}s ({self.conf_level:.0%} CI)")
        ax.legend(loc="best", fontsize="small")
        return ax


def _by_unit(coded: CodedSegments, unit: str, rule: str) -> tuple[pd.DataFrame, list[str]]:
    segments = segment_presence(coded, rule=rule)
    codes = list(coded.codebook.code_names)
    if unit == "segment":
        return segments, codes
    grouped = segments.groupby(["participant", "group"], sort=True)[codes].max()
    return grouped.reset_index(), codes


def _segment_interval(frame: pd.DataFrame, code: str, z: float) -> tuple[float, float, float]:
    per = frame.groupby("participant")[code].agg(["sum", "count"])
    y, n = per["sum"].to_numpy(float), per["count"].to_numpy(float)
    p = y.sum() / n.sum()
    m = len(per)
    if m < 2:
        return p, float("nan"), float("nan")
    se = float(np.sqrt(m / (m - 1) * ((y - p * n) ** 2).sum()) / n.sum())
    return p, max(0.0, p - z * se), min(1.0, p + z * se)


def _test(counts: pd.DataFrame) -> tuple[str, float, float, float]:
    """Equal prevalence across groups: chi-square, or Fisher's exact test for 2 x 2 tables
    with an expected count below 5."""
    table = counts.to_numpy(dtype=float)
    table = table[table.sum(axis=1) > 0]
    if table.shape[0] < 2 or (table.sum(axis=0) == 0).any():
        return "none", float("nan"), float("nan"), float("nan")
    expected = stats.contingency.expected_freq(table)
    if table.shape[0] == 2 and expected.min() < 5:
        result = stats.fisher_exact(table.astype(int))
        return "fisher", float(result.statistic), float("nan"), float(result.pvalue)
    chi2 = stats.chi2_contingency(table, correction=False)
    return "chi_square", float(chi2.statistic), float(chi2.dof), float(chi2.pvalue)


def theme_prevalence(
    coded: CodedSegments,
    *,
    unit: str = "participant",
    rule: str = "any",
    conf_level: float = 0.95,
    suppress_below: int | None = None,
    adjust: str = "holm",
) -> Prevalence:
    """The share of participants (or segments) in each stakeholder group holding each code.

    Parameters
    ----------
    coded
        From :func:`coded_segments`.
    unit
        ``"participant"`` (default) or ``"segment"``.
    rule
        ``"any"`` coder or a ``"majority"`` of coders make a segment hold a code.
    conf_level
        Wilson intervals over participants; for segments, linearised intervals clustered
        by participant.
    suppress_below
        k: cells with 1..k-1 participants with or without the theme publish no number.
    adjust
        ``"holm"``, ``"bh"`` (Benjamini–Hochberg) or ``"none"``: the adjustment of the
        group-difference p-values across codes.

    Returns
    -------
    Prevalence
    """
    caller = "theme_prevalence"
    unit = check_choice(unit, ["participant", "segment"], arg="unit", caller=caller)
    conf_level = check_conf_level(conf_level, caller=caller)
    adjust = check_choice(adjust, list(_ADJUST), arg="adjust", caller=caller)
    if suppress_below is not None:
        suppress_below = check_count(suppress_below, arg="suppress_below", caller=caller, minimum=1)
    frame, codes = _by_unit(coded, unit, rule)
    z = z_quantile(conf_level)
    rows = []
    tests = []
    for code in codes:
        counts = frame.groupby("group")[code].agg(["sum", "count"])
        for group, (k, n) in counts.iterrows():
            k, n = int(k), int(n)
            if unit == "participant":
                lo, hi = wilson_interval(k, n, z)
                estimate = k / n
            else:
                part = frame[frame["group"] == group]
                estimate, lo, hi = _segment_interval(part, code, z)
            hidden = _suppress(n, k, suppress_below)
            if hidden:
                estimate = lo = hi = float("nan")
            small_group = suppress_below is not None and n < suppress_below
            rows.append(
                [code, group, None if small_group else n, None if hidden else k,
                 estimate, lo, hi, hidden]
            )  # fmt: skip
        table = pd.DataFrame({"with": counts["sum"], "without": counts["count"] - counts["sum"]})
        tests.append([code, *_test(table)])
    result = pd.DataFrame(rows, columns=COLUMNS)
    result["n"] = result["n"].astype("Int64")
    result["n_with"] = result["n_with"].astype("Int64")
    tested = pd.DataFrame(tests, columns=["code", "test", "statistic", "df", "p_value"])
    valid = tested["p_value"].notna().to_numpy()
    tested["p_adjusted"] = np.nan
    if valid.any():
        if adjust == "none":
            tested.loc[valid, "p_adjusted"] = tested.loc[valid, "p_value"]
        else:
            from statsmodels.stats.multitest import multipletests

            method = _ADJUST[adjust]
            adjusted = multipletests(tested.loc[valid, "p_value"].to_numpy(), method=method)[1]
            tested.loc[valid, "p_adjusted"] = adjusted
    tested["adjust"] = adjust
    return Prevalence(result, tested[TEST_COLUMNS], unit, rule, conf_level, suppress_below)


@dataclass(frozen=True, repr=False)
class Cooccurrence(Displayed):
    """How often codes occur together.

    ``matrix``: code × code counts of participants (or segments) holding both (the
    diagonal: holding the code). ``summary()`` long form: code_a, code_b, n_both, n_a, n_b,
    jaccard (n_both / participants holding either), suppressed.
    """

    matrix: pd.DataFrame
    unit: str
    suppress_below: int | None

    def summary(self) -> pd.DataFrame:
        """One row per pair of codes (a < b in codebook order)."""
        codes = list(self.matrix.index)
        rows = []
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                both = self.matrix.loc[a, b]
                na, nb = self.matrix.loc[a, a], self.matrix.loc[b, b]
                either = na + nb - both
                hidden = bool(pd.isna(both))
                rows.append(
                    [a, b, both, na, nb, np.nan if hidden or not either else both / either,
                     hidden]
                )  # fmt: skip
        columns = ["code_a", "code_b", "n_both", "n_a", "n_b", "jaccard", "suppressed"]
        return pd.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready pairs."""
        pairs = records(self.summary())
        return {"unit": self.unit, "suppress_below": self.suppress_below, "pairs": pairs}

    def _display(self) -> Display:
        below = "none" if self.suppress_below is None else str(self.suppress_below)
        matrix = self.matrix.astype("Int64").reset_index()
        matrix.columns = [str(c) for c in matrix.columns]
        notes = (f"{self.unit}s holding both codes (diagonal: the code); NA: suppressed.",)
        title = f"Co-occurrence of codes per {self.unit}"
        return Display(title, (("suppress_below", below),), matrix, notes)

    def plot(self, ax: Any = None) -> Any:
        """A heatmap of the counts (cividis: readable with any colour vision)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 5))
        values = self.matrix.to_numpy(dtype=float)
        image = ax.imshow(np.ma.masked_invalid(values), cmap="cividis")
        labels = list(self.matrix.index)
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.figure.colorbar(image, ax=ax, label=f"{self.unit}s holding both")
        return ax


def cooccurrence(
    coded: CodedSegments,
    *,
    unit: str = "participant",
    rule: str = "any",
    suppress_below: int | None = None,
) -> Cooccurrence:
    """Code × code counts of participants (or segments) holding both codes; counts of
    1..k-1 are suppressed with ``suppress_below=k``."""
    caller = "cooccurrence"
    unit = check_choice(unit, ["participant", "segment"], arg="unit", caller=caller)
    frame, codes = _by_unit(coded, unit, rule)
    values = frame[codes].to_numpy(dtype=float)
    matrix = pd.DataFrame(values.T @ values, index=codes, columns=codes)
    if suppress_below is not None:
        matrix = matrix.mask((matrix > 0) & (matrix < suppress_below))
    matrix.index.name = "code"
    matrix.columns.name = "code"
    return Cooccurrence(matrix, unit, suppress_below)
