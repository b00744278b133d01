"""What the matching results show in the console and notebooks (:mod:`rpeval._display`):
the call, sample sizes (with the effective sample size) and balance, as MatchIt's
``print``/``summary`` do; an effect with its interval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from rpeval._display import Display, call_text

if TYPE_CHECKING:
    from rpeval.matching._effect_result import EffectResult
    from rpeval.matching.balance import BalanceTable
    from rpeval.matching.result import MatchResult
    from rpeval.matching.weighting import WeightResult

__all__ = [
    "balance_display",
    "dropped_header",
    "effect_display",
    "match_display",
    "weight_display",
]

_BALANCE_COLUMNS = (
    "term",
    "std_mean_diff_before",
    "std_mean_diff_after",
    "var_ratio_after",
    "balanced",
)
_BALANCE_LABELS = {
    "std_mean_diff_before": "SMD before",
    "std_mean_diff_after": "SMD after",
    "var_ratio_after": "variance ratio after",
}


def _call(function: str, settings: dict[str, Any], treatment: str, keys: tuple[str, ...]) -> str:
    shown = {k: settings[k] for k in keys if settings.get(k) not in (None, [], False)}
    return call_text(function, repr(treatment), **shown)


def dropped_header(
    n_dropped: int, missing_by_column: dict[str, int]
) -> tuple[tuple[str, str], ...]:
    """The header line of rows left out by ``missing="drop"`` (none when nothing was):
    ``("dropped", "3 rows with missing values ('age': 2, 'sex': 1)")``."""
    if not n_dropped:
        return ()
    detail = ", ".join(f"{c!r}: {n:,}" for c, n in missing_by_column.items() if n)
    return (("dropped", f"{n_dropped:,} rows with missing values ({detail})"),)


def _balance_frame(table: BalanceTable) -> pd.DataFrame:
    frame = table.summary()
    return frame[[c for c in _BALANCE_COLUMNS if c in frame]]


def balance_display(table: BalanceTable) -> Display:
    """Standardised mean differences before and after, the variance ratio and the flag."""
    notes = ("balanced: |SMD| < 0.1 and, for continuous terms, variance ratio in [0.5, 2].",)
    dropped = dropped_header(table.n_dropped, table.missing_by_column)
    header = (("estimand", table.estimand), *dropped)
    frame = _balance_frame(table)
    return Display("Covariate balance", header, frame, notes=notes, labels=_BALANCE_LABELS)


def match_display(result: MatchResult) -> Display:
    """The call, sample sizes by group (matched, unmatched, discarded, effective) and
    balance before and after."""
    counts = result.counts().T
    sizes = pd.DataFrame({"group": counts.index})
    for column in ("all", "matched", "unmatched", "discarded"):
        sizes[column] = [int(v) for v in counts[column]]
    sizes["effective"] = counts["effective"].to_numpy()
    keys = ("method", "distance", "ratio", "replace", "caliper", "exact", "estimand")
    settings = {**result.settings, "estimand": result.estimand}
    header = (
        ("call", _call("match", settings, result.treatment, keys)),
        ("estimand", result.estimand),
        *dropped_header(result.n_dropped, result.missing_by_column),
    )
    notes = (
        "effective: Kish's effective sample size of the matched sample, (sum w)^2 / sum w^2.",
        "balanced: |SMD| < 0.1 and, for continuous terms, variance ratio in [0.5, 2].",
    )
    return Display(
        "Matched sample",
        header,
        None,
        notes=notes,
        labels=_BALANCE_LABELS,
        tables=(("Sample sizes", sizes), ("Balance", _balance_frame(result.balance()))),
    )


def weight_display(result: WeightResult) -> Display:
    """The call, units, effective sample size and weight range per group, and balance."""
    keys = ("estimand", "method", "stabilize", "trim", "truncate")
    header = (
        ("call", _call("weight", result.settings, result.treatment, keys)),
        ("dropped", f"{result.n_dropped:,}; trimmed {result.n_trimmed:,}"),
    )
    labels = {
        **_BALANCE_LABELS,
        "effective_n": "effective n",
        "sum_weights": "sum of weights",
        "min_weight": "smallest weight",
        "max_weight": "largest weight",
    }
    notes = ("effective n: Kish's (sum w)^2 / sum w^2 in each group.",)
    return Display(
        f"Weighted sample ({result.method}, {result.estimand})",
        header,
        None,
        notes=notes,
        labels=labels,
        tables=(("Weights", result.summary()), ("Balance", _balance_frame(result.balance()))),
    )


def effect_display(result: EffectResult) -> Display:
    """The estimate with its interval, SE type, n and clusters."""
    level = f"{100 * result.conf_level:g}%"
    header = (
        ("estimand", f"{result.target} {result.estimand}"),
        ("standard error", result.se_type),
        ("n", f"{result.n:,} ({result.n_clusters:,} clusters)"),
        *dropped_header(result.n_dropped, result.missing_by_column),
    )
    frame = result.summary().drop(columns=["estimand", "bootstrap_failures"])
    labels = {
        "std_error": "SE" + (" (log)" if result.measure in ("risk_ratio", "odds_ratio") else ""),
        "statistic": "z",
        "p_value": "p",
        "ci_lower": f"lower {level}",
        "ci_upper": f"upper {level}",
    }
    notes = (
        (
            f"{result.bootstrap_failures:,} bootstrap draws failed (one group left, or "
            "an effect or weights that could not be estimated) and were skipped.",
        )
        if result.bootstrap_failures
        else ()
    )
    title = f"Effect ({result.measure.replace('_', ' ')})"
    return Display(title, header, frame, notes=notes, labels=labels)
