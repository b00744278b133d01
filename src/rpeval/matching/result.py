"""The result of ``match()``: matched data, pairs, sample sizes and balance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval import _frames
from rpeval._display import Display, Displayed
from rpeval.matching.balance import (
    BalanceTable,
    balance_rows,
    expand_columns,
    grids_for,
    scale_sds,
)

if TYPE_CHECKING:
    from rpeval.matching._plan import Matched, MatchSample
    from rpeval.matching.propensity import PropensityResult

__all__ = ["MatchResult"]


@dataclass(frozen=True, repr=False)
class MatchResult(Displayed):
    """Matched sample (``data``), pairs and diagnostics; frozen.

    ``data`` holds the matched rows of the input with three added columns: ``weights``
    (MatchIt's matching weights), ``subclass`` (matched set; 0 with replacement) and
    ``distance`` (the score matched on, NaN for Mahalanobis). ``n_dropped`` counts the
    rows ``missing="drop"`` left out, ``missing_by_column`` the missing values of each
    column read.
    """

    data: pd.DataFrame
    pairs: pd.DataFrame
    treatment: str
    estimand: str
    settings: dict[str, Any]
    propensity: PropensityResult | None = field(repr=False)
    _frame: pd.DataFrame = field(repr=False, compare=False)
    _is_treated: NDArray[np.bool_] = field(repr=False, compare=False)
    _covariates: str | Sequence[str] = field(repr=False, compare=False)
    _weights: NDArray[np.float64] = field(repr=False, compare=False)
    _subclass: NDArray[np.int64] = field(repr=False, compare=False)
    _kept: NDArray[np.bool_] = field(repr=False, compare=False)
    _score: NDArray[np.float64] | None = field(repr=False, compare=False)
    n_dropped: int = 0
    missing_by_column: dict[str, int] = field(default_factory=dict)
    _cache: dict[str, BalanceTable] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        sample: MatchSample,
        design: Matched,
        *,
        treatment: str,
        ps: PropensityResult | None,
        estimand: str,
        settings: dict[str, Any],
        dropped: tuple[int, dict[str, int]] = (0, {}),
    ) -> MatchResult:
        """The result of a design run on ``sample``; ``dropped`` is the number of input
        rows left out by ``missing="drop"`` and the missing values per column."""
        frame, score = sample.frame, sample.score
        matches, focal_rows, weights, subclass = design
        matched = weights > 0
        data = frame.loc[matched].copy()
        data["weights"] = weights[matched]
        data["subclass"] = subclass[matched]
        data["distance"] = score[matched] if score is not None else np.nan
        index = frame.index.to_numpy()
        has = matches >= 0
        pairs = pd.DataFrame(
            {
                "focal": np.repeat(index[focal_rows], has.sum(axis=1)),
                "match": index[matches[has]],
                "round": np.tile(np.arange(1, matches.shape[1] + 1), (len(focal_rows), 1))[has],
            }
        )
        return cls(
            data,
            pairs,
            treatment,
            estimand,
            settings,
            ps,
            frame,
            sample.is_treated,
            sample.covariates,
            weights,
            subclass,
            sample.keep,
            score,
            dropped[0],
            dict(dropped[1]),
        )

    def counts(self) -> pd.DataFrame:
        """Sample sizes by group: all, matched, unmatched, discarded, and the effective
        sample size of the matched sample (``(sum w)^2 / sum w^2``)."""
        rows = {}
        for name, group in (("treated", self._is_treated), ("control", ~self._is_treated)):
            w = self._weights[group]
            matched = w > 0
            ess = w.sum() ** 2 / (w @ w) if matched.any() else 0.0
            rows[name] = [
                int(group.sum()),
                int(matched.sum()),
                int((~matched & self._kept[group]).sum()),
                int((~self._kept[group]).sum()),
                float(ess),
            ]
        return pd.DataFrame(rows, index=["all", "matched", "unmatched", "discarded", "effective"])

    def balance(self) -> BalanceTable:
        """Balance before and after matching (MatchIt's ``summary(m, un = TRUE)``).

        Computed once (``plot()`` and ``to_dict()`` reuse it); each call returns fresh
        copies of the tables."""
        if "balance" not in self._cache:
            self._cache["balance"] = self._balance()
        table = self._cache["balance"]
        after = table.after.copy() if table.after is not None else None
        return BalanceTable(
            table.before.copy(), after, table.estimand, self.n_dropped, self.missing_by_column
        )

    def _balance(self) -> BalanceTable:
        spec = _frames.resolve_covariates(self._covariates, arg="covariates", caller="balance")
        names, X, binary = expand_columns(self._frame, spec.columns, spec.categorical)
        if self._score is not None:
            names, X, binary = ["distance", *names], [self._score, *X], [False, *binary]
        scale = self.estimand if self.estimand in ("ATC", "ATE") else "ATT"
        sd = scale_sds(X, binary, self._is_treated, scale)  # type: ignore[arg-type]
        grids = grids_for(X, binary, self._is_treated)  # each column sorted once, by group
        before = balance_rows(
            names, X, binary, self._is_treated, np.ones(len(self._frame)), sd, None, grids
        )
        after = balance_rows(
            names,
            X,
            binary,
            self._is_treated,
            self._weights,
            sd,
            self._subclass if not self.settings["replace"] else None,
            grids,
        )
        return BalanceTable(before, after, self.estimand)

    def plot(
        self, kind: str = "love", ax: Any = None, *, labels: Mapping[str, str] | None = None
    ) -> Any:
        """``"love"``: absolute SMDs before/after, sorted by the unadjusted one;
        ``"propensity"``: mirrored score histograms, the groups named by ``labels``
        (``{"treated": "participants", "control": "comparison"}``)."""
        from rpeval.matching._plots import love_plot, propensity_plot

        if kind == "love":
            return love_plot(self.balance(), ax=ax)
        return propensity_plot(self._score, self._is_treated, self._weights, ax=ax, labels=labels)

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimand": self.estimand,
            "settings": {k: str(v) for k, v in self.settings.items()},
            "counts": self.counts().to_dict(),
            "n_dropped": self.n_dropped,
            "missing_by_column": dict(self.missing_by_column),
            "balance": self.balance().to_dict(),
        }

    def summary(self) -> pd.DataFrame:
        """Balance before and after matching, one row per term (the tidy frame of
        :meth:`BalanceTable.summary`); ``print(result)`` adds the call and sample sizes."""
        return self.balance().summary()

    def _display(self) -> Display:
        from rpeval.matching._display import match_display

        return match_display(self)
