"""`agreement`: reliability of every code of a codebook, and overall; the CI gate.

Per code, on its segments × coders ratings (:meth:`CodedSegments.ratings`): Krippendorff's
α (nominal for presence codes, ordinal for ordinal codes) with its bootstrap interval,
percent agreement, Gwet's AC1, Fleiss' κ (units every coder read) and, with exactly two
coders, Cohen's κ (quadratic weights for ordinal codes). A theme (a code other codes name
as parent) is present in a segment where it or any presence code below it is applied.
*Overall* pools the presence codes that are not themes: every (segment, code) is a unit,
so the figure weighs codes by how many segments were read.

Reliability conventions (Krippendorff 2004): α ≥ 0.800 reliable, α ≥ 0.667 for tentative
conclusions only. :meth:`AgreementTable.failing` lists codes below a threshold; a code
whose α is undefined (one value only: never or always applied) fails too, since its
reliability cannot be shown.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rpeval._display import Display, Displayed
from rpeval._json import records
from rpeval._junit import JUnitCase, junit_xml
from rpeval._options import check_conf_level, check_count, renamed
from rpeval._plots import OKABE_ITO
from rpeval.qualitative.coded import CodedSegments
from rpeval.qualitative.reliability import (
    COLUMNS,
    Reliability,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)

__all__ = ["OVERALL", "AgreementTable", "agreement"]

OVERALL = "(overall)"
TABLE_COLUMNS = ["code", *COLUMNS]
_OTHERS = ["percent_agreement", "gwet_ac1", "fleiss_kappa", "cohen_kappa"]


@dataclass(frozen=True)
class _AlphaRow:
    code: str
    level: str
    estimate: float
    ci_lower: float
    ci_upper: float
    n_units: int


@dataclass(frozen=True, repr=False)
class AgreementTable(Displayed):
    """Reliability per code and overall.

    ``table`` has one row per code and statistic: code, statistic, level, estimate,
    std_error, ci_lower, ci_upper, z, p_value, n_units, n_coders.
    """

    table: pd.DataFrame
    codebook: str
    version: str
    conf_level: float
    n_bootstrap: int
    prob_below: dict[str, float]

    @property
    def n_boot(self) -> int:
        """Deprecated old name of :attr:`n_bootstrap` (gives a ``FutureWarning``)."""
        warnings.warn(
            "AgreementTable.n_boot is deprecated; use AgreementTable.n_bootstrap",
            FutureWarning,
            stacklevel=2,
        )
        return self.n_bootstrap

    def summary(self) -> pd.DataFrame:
        """The table (a copy)."""
        return self.table.copy()

    def alpha(self) -> pd.DataFrame:
        """Krippendorff's α rows only."""
        rows = self.table["statistic"] == "krippendorff_alpha"
        return self.table[rows].reset_index(drop=True)

    def failing(self, min_alpha: float) -> list[str]:
        """Codes (not the overall row) whose α is below `min_alpha` or undefined."""
        alpha = self.alpha()
        alpha = alpha[alpha["code"] != OVERALL]
        bad = alpha["estimate"].isna() | (alpha["estimate"] < min_alpha)
        return [str(code) for code in alpha.loc[bad, "code"]]

    def _alpha_rows(self) -> list[_AlphaRow]:
        return [
            _AlphaRow(
                str(r["code"]),
                str(r["level"]),
                float(r["estimate"]),
                float(r["ci_lower"]),
                float(r["ci_upper"]),
                int(r["n_units"]),
            )
            for r in self.alpha().to_dict(orient="records")
        ]

    def to_junit(self, min_alpha: float) -> str:
        """JUnit XML: a test case per code, failed when its α is below `min_alpha`."""
        cases = []
        for row in self._alpha_rows():
            if row.code == OVERALL:
                continue
            text = (
                f"alpha ({row.level}) = {row.estimate:.3f}, {self.conf_level:.0%} CI "
                f"{row.ci_lower:.3f} to {row.ci_upper:.3f}, {row.n_units} units"
            )
            failures: tuple[tuple[str, str], ...] = ()
            if np.isnan(row.estimate):
                failures = (("alpha", "alpha is undefined: one value only (no variation)"),)
            elif row.estimate < min_alpha:
                failures = (("alpha", f"{text} is below {min_alpha}"),)
            cases.append(JUnitCase("codes", row.code, failures, output=(text,)))
        return junit_xml("rpeval-agreement", cases)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready table (NaN as ``None``)."""
        return {
            "codebook": self.codebook,
            "version": self.version,
            "conf_level": self.conf_level,
            "n_bootstrap": self.n_bootstrap,
            "rows": records(self.table),
        }

    def text(self, min_alpha: float | None = None) -> str:
        """α per code as text lines, marking codes below `min_alpha`."""
        lines = [f"Reliability of {self.codebook} {self.version} (Krippendorff's alpha):"]
        for row in self._alpha_rows():
            mark = ""
            if min_alpha is not None and row.code != OVERALL:
                failed = np.isnan(row.estimate) or row.estimate < min_alpha
                mark = "  FAIL" if failed else "  ok"
            lines.append(
                f"  {row.code:<28} {row.estimate:6.3f}  [{row.ci_lower:6.3f}, "
                f"{row.ci_upper:6.3f}]  {row.level:<8} n={row.n_units}{mark}"
            )
        return "\n".join(lines)

    def _wide(self) -> pd.DataFrame:
        """One row per code: α with its interval, the other coefficients' estimates, the
        units and the bootstrap share of α below 0.667."""
        rows = []
        for code, part in self.table.groupby("code", sort=False):
            estimates = dict(zip(part["statistic"], part["estimate"], strict=True))
            alpha = part[part["statistic"] == "krippendorff_alpha"].iloc[0]
            rows.append(
                {"code": code, "level": alpha["level"], "alpha": alpha["estimate"],
                 "ci_lower": alpha["ci_lower"], "ci_upper": alpha["ci_upper"]}
                | {name: estimates.get(name, np.nan) for name in _OTHERS}
                | {"n_units": alpha["n_units"], "p_below_0667": self.prob_below.get(str(code))}
            )  # fmt: skip
        wide = pd.DataFrame(rows, columns=["code", "level", "alpha", "ci_lower", "ci_upper",
                                           *_OTHERS, "n_units", "p_below_0667"])  # fmt: skip
        return wide.dropna(axis=1, how="all")

    def _display(self) -> Display:
        header = (
            ("conf_level", f"{self.conf_level:.0%}"),
            ("bootstrap", f"{self.n_bootstrap} draws for alpha's interval"),
        )
        notes = (
            "alpha >= 0.800 reliable, >= 0.667 for tentative conclusions only (Krippendorff 2004).",
            "p_below_0667: the share of bootstrap draws of alpha below 0.667.",
            "Every statistic with its interval, SE and test: summary().",
        )
        title = f"Reliability of {self.codebook} {self.version}"
        return Display(title, header, self._wide(), notes)

    def plot(self, ax: Any = None, *, thresholds: tuple[float, ...] = (0.667, 0.8)) -> Any:
        """α per code with its interval, and the conventional thresholds (dashed)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.4 * len(self.alpha()) + 1.2))
        alpha = self.alpha().iloc[::-1]
        y = np.arange(len(alpha))
        ax.errorbar(
            alpha["estimate"],
            y,
            xerr=[
                (alpha["estimate"] - alpha["ci_lower"]).clip(lower=0),
                (alpha["ci_upper"] - alpha["estimate"]).clip(lower=0),
            ],
            fmt="o",
            color=OKABE_ITO["blue"],
            ecolor=OKABE_ITO["sky"],
            capsize=3,
        )
        for threshold, style in zip(thresholds, ("--", ":"), strict=False):
            ax.axvline(threshold, color=OKABE_ITO["vermillion"], linestyle=style, linewidth=1)
        ax.set_yticks(y, alpha["code"])
        ax.set_xlabel(f"Krippendorff's alpha ({self.conf_level:.0%} bootstrap CI)")
        return ax


def _rows(code: str, results: list[Reliability]) -> list[dict[str, object]]:
    return [{"code": code} | {c: getattr(r, c) for c in COLUMNS} for r in results]


def _statistics(
    ratings: pd.DataFrame,
    ordinal: bool,
    levels: list[int] | None,
    conf_level: float,
    n_bootstrap: int,
    rng: np.random.Generator,
) -> list[Reliability]:
    ratings = ratings.loc[:, ratings.notna().any()]
    if ratings.shape[1] < 2:
        return []
    level = "ordinal" if ordinal else "nominal"
    results = [
        krippendorff_alpha(
            ratings,
            level=level,
            levels=levels,
            conf_level=conf_level,
            n_bootstrap=n_bootstrap,
            random_state=rng,
        ),
        percent_agreement(ratings, levels=levels),
        gwet_ac1(ratings, levels=levels, conf_level=conf_level),
        fleiss_kappa(ratings, levels=levels, conf_level=conf_level),
    ]
    if ratings.shape[1] == 2:
        weighting = "quadratic" if ordinal else "unweighted"
        results.append(
            cohen_kappa(ratings, weighting=weighting, levels=levels, conf_level=conf_level)
        )
    return results


def agreement(
    coded: CodedSegments,
    *,
    conf_level: float = 0.95,
    n_bootstrap: int | None = None,
    random_state: int | None = 0,
    n_boot: int | None = None,
) -> AgreementTable:
    """Reliability of every code of the codebook, and overall (presence codes pooled).

    Parameters
    ----------
    coded
        From :func:`coded_segments`.
    conf_level, n_bootstrap, random_state
        α's bootstrap interval of `n_bootstrap` draws (``None``: 1000); each code gets its
        own seed derived from `random_state` (``numpy.random.SeedSequence.spawn``, in
        codebook order).
    n_boot
        Deprecated old name of `n_bootstrap` (gives a ``FutureWarning``).

    Returns
    -------
    AgreementTable
        ``summary()`` columns: code, statistic, level, estimate, std_error, ci_lower,
        ci_upper, z, p_value, n_units, n_coders.
    """
    caller = "agreement"
    conf_level = check_conf_level(conf_level, caller=caller)
    given = renamed(n_bootstrap, n_boot, new="n_bootstrap", old="n_boot", caller=caller)
    draws = check_count(1000 if given is None else given, arg="n_bootstrap", caller=caller)
    codes = coded.codebook.codes
    themes = {code.parent for code in codes}
    streams = np.random.SeedSequence(random_state).spawn(len(codes) + 1)
    rows: list[dict[str, object]] = []
    prob: dict[str, float] = {}
    pooled = []
    for index, code in enumerate(codes):
        ratings = coded.ratings(code.name)
        rng = np.random.default_rng(streams[index])
        ordinal = code.scale == "ordinal"
        levels = list(range(len(code.levels or []))) if ordinal else [0, 1]
        results = _statistics(ratings, ordinal, levels, conf_level, draws, rng)
        rows.extend(_rows(code.name, results))
        if results:
            prob[code.name] = results[0].prob_below(0.667)
        if not ordinal and code.name not in themes:
            pooled.append(ratings.reset_index(drop=True))
    if pooled:
        stacked = pd.concat(pooled, ignore_index=True)
        overall = np.random.default_rng(streams[-1])
        results = _statistics(stacked, False, [0, 1], conf_level, draws, overall)
        rows.extend(_rows(OVERALL, results))
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    book = coded.codebook
    return AgreementTable(table, book.name, book.version, conf_level, draws, prob)
