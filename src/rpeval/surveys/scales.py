"""Scales from Likert items: recoding, scale scores and reliability (α, ω).

As R's ``psych`` package (Revelle): Cronbach's α raw (from covariances) and standardised
(from correlations), Feldt's interval, α if an item is dropped, the corrected item–total
correlation ``r.drop`` and McDonald's ω total from a one-factor minimum-residual model.
Reliability uses the respondents who answered every item (listwise; ``psych::alpha``
uses pairwise covariances, which coincide when nothing is missing).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._formula import show_values
from rpeval._frames import as_pandas, complete_cases, numeric_array, require_columns
from rpeval._json import records
from rpeval._lazy import stats
from rpeval._options import check_conf_level, column_list
from rpeval.errors import ConvergenceWarning, DataError, SpecificationError

__all__ = ["ReliabilityResult", "recode_items", "reliability", "scale_scores"]

FloatArray = NDArray[np.float64]


def _scale_range(scale: object, caller: str) -> tuple[float, float]:
    if (
        not isinstance(scale, tuple | list)
        or len(scale) != 2
        or not all(isinstance(v, int | float) for v in scale)
        or not scale[0] < scale[1]
    ):
        raise SpecificationError(
            f"{caller}(): scale={scale!r} must be (lowest, highest) answer codes, e.g. (1, 5)"
        )
    return float(scale[0]), float(scale[1])


def recode_items(
    data: Any,
    items: Sequence[str],
    *,
    scale: tuple[float, float],
    reverse: Sequence[str] = (),
    missing_codes: Sequence[float] = (),
) -> pd.DataFrame:
    """Check Likert items against their range and reverse-score the declared items.

    Parameters
    ----------
    data
        One row per respondent; not modified.
    items
        The item columns.
    scale
        ``(lowest, highest)`` answer code, e.g. ``(1, 5)``. Answers outside it, or not
        whole numbers, raise :class:`~rpeval.errors.DataError` naming the item and rows.
    reverse
        Items worded in the opposite direction; each becomes ``lowest + highest − x``.
        An item here that is not in ``items`` is an error.
    missing_codes
        Codes meaning "no answer" (e.g. 9 for "don't know"), set to missing first.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with the items recoded (floats, missing as NaN). There is no
        ``missing=``: a missing answer is kept, as NaN, for the analysis to handle.

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 5, 9], "q2": [2, 4, 3]})
    >>> recode_items(df, ["q1", "q2"], scale=(1, 5), reverse=["q2"], missing_codes=[9])
        q1   q2
    0  1.0  4.0
    1  5.0  2.0
    2  NaN  3.0
    """
    caller = "recode_items"
    frame = as_pandas(data, arg="data", caller=caller)
    names = column_list(list(items), arg="items", caller=caller, allow_none=False)
    flipped = column_list(list(reverse), arg="reverse", caller=caller) if reverse else []
    stray = [name for name in flipped if name not in names]
    if stray:
        raise SpecificationError(
            f"{caller}(): reverse-scored items {stray} are not among `items` {names}",
            hint="list every reverse-scored item in `items` too, and check the spelling",
        )
    require_columns(frame, names, arg="items", caller=caller)
    low, high = _scale_range(scale, caller)
    out = frame.copy()
    for name in names:
        values = numeric_array(frame, name, arg="items", caller=caller, allow_missing=True)
        values[np.isin(values, np.asarray(missing_codes, dtype=np.float64))] = np.nan
        answered = ~np.isnan(values)
        bad = answered & ((values < low) | (values > high) | (values != np.round(values)))
        if bad.any():
            raise DataError(
                f"{caller}(): item {name!r} has {int(bad.sum())} answers outside the scale "
                f"{low:g} to {high:g}: {show_values(pd.Series(values[bad]))} (rows "
                f"{show_values(frame.index[bad])})",
                hint="declare codes such as 9 = 'don't know' in missing_codes=, or fix `scale`",
            )
        out[name] = low + high - values if name in flipped else values
    return out


def scale_scores(
    data: Any,
    items: Sequence[str],
    *,
    scale: tuple[float, float],
    reverse: Sequence[str] = (),
    min_answered: int | None = None,
    method: str = "mean",
    missing_codes: Sequence[float] = (),
) -> pd.Series:
    """One score per respondent: the mean (or sum) of the answered, recoded items.

    ``min_answered`` (default: half the items, rounded up) is the missing-items rule: a
    respondent who answered fewer items gets a missing score. A ``"sum"`` score is the
    mean of the answered items times the number of items (prorated), so that it is on the
    same scale whatever was skipped. ``min_answered`` is this function's missing-value
    policy, so it has no ``missing=``.

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 5, None], "q2": [2, None, None], "q3": [3, 4, 2]})
    >>> scale_scores(df, ["q1", "q2", "q3"], scale=(1, 5)).tolist()
    [2.0, 4.5, nan]
    """
    caller = "scale_scores"
    recoded = recode_items(data, items, scale=scale, reverse=reverse, missing_codes=missing_codes)
    values = recoded[list(items)].to_numpy(dtype=np.float64)
    k = values.shape[1]
    need = math.ceil(k / 2) if min_answered is None else min_answered
    if not isinstance(need, int) or not 1 <= need <= k:
        raise SpecificationError(f"{caller}(): min_answered={min_answered!r} must be 1 to {k}")
    if method not in ("mean", "sum"):
        raise SpecificationError(f"{caller}(): method={method!r}", hint="use 'mean' or 'sum'")
    answered = np.sum(~np.isnan(values), axis=1)
    with np.errstate(invalid="ignore"):
        means = np.nansum(values, axis=1) / np.where(answered > 0, answered, 1)
    score = np.where(answered >= need, means * (k if method == "sum" else 1), np.nan)
    return pd.Series(score, index=recoded.index, name="score")


def _alpha(cov: FloatArray) -> tuple[float, float]:
    k = cov.shape[0]
    sd = np.sqrt(np.diag(cov))
    cor = cov / np.outer(sd, sd)
    raw = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    r_bar = (cor.sum() - k) / (k * (k - 1))
    return float(raw), float(k * r_bar / (1 + (k - 1) * r_bar))


def _require_nonsingular(cor: FloatArray, names: Sequence[str], *, caller: str) -> None:
    """Raise when the items' correlation matrix is singular (an item is a linear function
    of others, e.g. one item exactly the reverse of another): ω's one-factor model needs
    every item's squared multiple correlation, which is then undefined."""
    values = np.linalg.eigvalsh(cor)
    if values[0] > 1e-10 * max(values[-1], 1.0):
        return
    k = len(names)
    pairs = [
        f"{names[i]!r} and {names[j]!r} (r = {cor[i, j]:+.3f})"
        for i in range(k)
        for j in range(i + 1, k)
        if abs(cor[i, j]) > 1 - 1e-10
    ]
    which = "; ".join(pairs) if pairs else "one item is a linear combination of the others"
    raise DataError(
        f"{caller}(): the items' correlation matrix is singular: {which}",
        hint="an item that repeats others adds no information; leave it out of the scale",
    )


def _one_factor(cor: FloatArray) -> FloatArray:
    """Loadings of the one-factor minimum-residual (ULS) solution by iterated principal
    axes from squared multiple correlations, to 1e-12."""
    h2 = 1 - 1 / np.diag(np.linalg.inv(cor))
    for _ in range(10_000):
        reduced = cor.copy()
        np.fill_diagonal(reduced, h2)
        values, vectors = np.linalg.eigh(reduced)
        loadings = vectors[:, -1] * math.sqrt(max(values[-1], 0.0))
        new = loadings**2
        if np.max(np.abs(new - h2)) < 1e-12:
            break
        h2 = new
    else:
        import warnings

        warnings.warn(
            "reliability(): the one-factor model for omega did not converge",
            ConvergenceWarning,
            stacklevel=3,
        )
    return loadings if loadings.sum() >= 0 else -loadings


@dataclass(frozen=True, repr=False)
class ReliabilityResult(Displayed):
    """Cronbach's α (raw, standardised, Feldt interval), McDonald's ω total and item
    statistics of one scale."""

    items: tuple[str, ...]
    reversed_items: tuple[str, ...]
    n: int
    n_dropped: int
    alpha: float
    alpha_std: float
    ci_lower: float
    ci_upper: float
    omega_total: float
    conf_level: float
    item_table: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """One row per item: ``item``, ``reversed``, ``alpha_if_dropped`` (raw),
        ``alpha_std_if_dropped``, ``r_drop`` (corrected item–total correlation),
        ``loading`` (one-factor), ``mean``, ``sd``."""
        return self.item_table.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": list(self.items),
            "reversed_items": list(self.reversed_items),
            "n": self.n,
            "n_dropped": self.n_dropped,
            "alpha": self.alpha,
            "alpha_std": self.alpha_std,
            "ci_lower": self.ci_lower,
            "ci_upper": self.ci_upper,
            "omega_total": self.omega_total,
            "conf_level": self.conf_level,
            "item_stats": records(self.item_table),
        }

    def _display(self) -> Display:
        level = f"{100 * self.conf_level:g}%"
        title = f"Scale of {len(self.items)} items, {self.n} respondents" + (
            f" ({self.n_dropped} with missing items left out)" if self.n_dropped else ""
        )
        header = (
            ("Cronbach's alpha", f"{self.alpha:.3f} (standardised {self.alpha_std:.3f}; "
             f"Feldt {level} CI {self.ci_lower:.3f} to {self.ci_upper:.3f})"),
            ("omega total", f"{self.omega_total:.3f}"),
            ("reversed", ", ".join(self.reversed_items) or "none"),
        )  # fmt: skip
        weak = self.item_table.loc[self.item_table["r_drop"] < 0.2, "item"].tolist()
        notes: tuple[str, ...] = ()
        if weak:
            notes = (
                f"Items barely related to the rest (r_drop < 0.2): {weak}; check whether "
                "they should be reverse-scored.",
            )
        return Display(title, header, self.item_table, notes)


def reliability(
    data: Any,
    items: Sequence[str],
    *,
    scale: tuple[float, float],
    reverse: Sequence[str] = (),
    missing_codes: Sequence[float] = (),
    conf_level: float = 0.95,
    missing: Literal["error", "drop"] = "drop",
) -> ReliabilityResult:
    """Cronbach's α, Feldt's interval, α if dropped, r.drop and ω total of a scale.

    Parameters as :func:`recode_items`. With ``missing="drop"`` (the default here, as
    ``psych::alpha``'s ``na.rm = TRUE``: skipped items are the rule in surveys)
    respondents with any item missing are left out and counted in ``n_dropped``;
    ``missing="error"`` raises with the count per item instead.

    Notes
    -----
    ``α = k/(k − 1) (1 − Σ s²_i / s²_total)``; standardised ``α = k r̄ / (1 + (k − 1) r̄)``.
    Feldt: ``1 − (1 − α) F_{q}(n − 1, (n − 1)(k − 1))`` at ``q = (1 ± level)/2``.
    ``r_drop`` correlates each item with the sum of the others. ω total
    ``= 1 − Σ u²_i / Σ_ij r_ij`` with uniquenesses from the one-factor minres solution.
    Agrees with ``psych::alpha`` 2.2.9 to 1e-10 and ``psych::omega(nfactors = 1)`` to
    1e-6 (psych's optimiser stops earlier) on the ``bfi`` agreeableness and
    conscientiousness items. α is unchanged by the order of the items.

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 2, 4, 5, 3, 4], "q2": [2, 2, 5, 4, 3, 5],
    ...                    "q3": [5, 4, 1, 2, 3, 2]})
    >>> result = reliability(df, ["q1", "q2", "q3"], scale=(1, 5), reverse=["q3"])
    >>> round(result.alpha, 3)  # psych::alpha: 0.962
    0.962
    """
    caller = "reliability"
    level = check_conf_level(conf_level, caller=caller)
    names = column_list(list(items), arg="items", caller=caller, allow_none=False)
    if len(names) < 2:
        raise SpecificationError(f"{caller}(): a scale needs at least two items")
    recoded = recode_items(data, names, scale=scale, reverse=reverse, missing_codes=missing_codes)
    complete = complete_cases(recoded, names, missing=missing, arg="data", caller=caller).kept
    values = recoded[names].to_numpy(dtype=np.float64)
    x = values[complete]
    n, k = x.shape
    if n < 3:
        raise DataError(f"{caller}(): only {n} respondents answered every item")
    cov = np.cov(x, rowvar=False)
    if np.any(np.diag(cov) == 0):
        flat = [names[i] for i in np.flatnonzero(np.diag(cov) == 0)]
        raise DataError(
            f"{caller}(): items {flat} have the same answer from everyone",
            hint="an item without variation says nothing about reliability",
        )
    raw, std = _alpha(cov)
    q_low, q_high = (1 + level) / 2, (1 - level) / 2
    lower = 1 - (1 - raw) * float(stats.f.ppf(q_low, n - 1, (n - 1) * (k - 1)))
    upper = 1 - (1 - raw) * float(stats.f.ppf(q_high, n - 1, (n - 1) * (k - 1)))
    sd = np.sqrt(np.diag(cov))
    cor = cov / np.outer(sd, sd)
    _require_nonsingular(cor, names, caller=caller)
    loadings = _one_factor(cor)
    omega = 1 - float(np.sum(1 - loadings**2)) / float(cor.sum())
    rows = []
    for i, name in enumerate(names):
        rest = [j for j in range(k) if j != i]
        drop_raw, drop_std = _alpha(cov[np.ix_(rest, rest)]) if k > 2 else (math.nan, math.nan)
        r_drop = cov[i, rest].sum() / math.sqrt(cov[i, i] * cov[np.ix_(rest, rest)].sum())
        rows.append(
            {
                "item": name,
                "reversed": name in reverse,
                "alpha_if_dropped": drop_raw,
                "alpha_std_if_dropped": drop_std,
                "r_drop": float(r_drop),
                "loading": float(loadings[i]),
                "mean": float(x[:, i].mean()),
                "sd": float(sd[i]),
            }
        )
    return ReliabilityResult(
        items=tuple(names),
        reversed_items=tuple(reverse),
        n=n,
        n_dropped=int((~complete).sum()),
        alpha=raw,
        alpha_std=std,
        ci_lower=lower,
        ci_upper=upper,
        omega_total=omega,
        conf_level=level,
        item_table=pd.DataFrame(rows),
    )
