"""Two-way fixed effects with staggered adoption, and its Goodman-Bacon decomposition.

The TWFE coefficient of ``y_it = a_i + b_t + beta D_it + e_it`` on a balanced panel is
a weighted average of every 2 x 2 DiD between adoption cohorts (Goodman-Bacon 2021):
treated vs never treated, earlier vs later adopters (later ones as comparisons before
they adopt) and later vs earlier adopters (the earlier ones, already treated, as
comparisons). The last kind is what misleads: when effects grow over time, an already
treated comparison group moves with its own effect and the 2 x 2 estimate is biased,
even of the wrong sign. The weights sum to one and the weighted estimates sum to the
TWFE coefficient exactly. Agrees with R ``bacondecomp`` 0.1.3 (and ``fixest`` for the
TWFE coefficient) on ``mpdta`` to 1e-10 (tests/reference/community_did_bacon.R).

Examples
--------
>>> import numpy as np, pandas as pd
>>> t = np.arange(1, 7)
>>> y = np.vstack([np.where(t >= 3, t - 2.0, 0), np.where(t >= 5, t - 4.0, 0), 0 * t])
>>> rows = pd.DataFrame({"area": np.repeat([0, 1, 2], 6), "period": np.tile(t, 3),
...                      "y": y.ravel(), "start": np.repeat([3, 5, np.nan], 6)})
>>> fit = bacon_decomposition(rows, area="area", period="period", outcome="y", adoption="start")
>>> round(fit.twfe, 4), round(float((fit.table["weight"] * fit.table["estimate"]).sum()), 4)
(1.5, 1.5)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rpeval._display import Display, Displayed
from rpeval._json import records
from rpeval._options import check_choice
from rpeval._plots import OKABE_ITO
from rpeval.community.panel import AreaPanel, area_panel
from rpeval.errors import DataError, SpecificationError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["BaconResult", "bacon_decomposition"]

FloatArray = NDArray[np.float64]
_COLOURS = {"treated vs never": OKABE_ITO["green"], "earlier vs later": OKABE_ITO["blue"],
            "later vs earlier": OKABE_ITO["vermillion"]}  # fmt: skip


@dataclass(frozen=True, eq=False, repr=False)
class BaconResult(Displayed):
    """TWFE coefficient (``twfe``, with an area-clustered ``std_error``) and the
    decomposition ``table``: treated, comparison, kind, estimate, weight; ``n_dropped``
    rows left out for missing values (``missing="drop"``)."""

    twfe: float
    std_error: float
    table: pd.DataFrame
    n_dropped: int = 0

    def summary(self) -> pd.DataFrame:
        """Weight and weighted mean estimate by kind of comparison."""
        grouped = self.table.assign(wx=self.table["weight"] * self.table["estimate"])
        out = grouped.groupby("kind", sort=False)[["weight", "wx"]].sum().reset_index()
        out["estimate"] = out["wx"] / out["weight"]
        return out[["kind", "weight", "estimate"]]

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each 2 x 2 estimate against its weight, coloured by kind; TWFE as a line."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.8))
        for kind, rows in self.table.groupby("kind", sort=False):
            ax.scatter(rows["weight"], rows["estimate"], label=str(kind),
                       color=_COLOURS[str(kind)])  # fmt: skip
        ax.axhline(self.twfe, color="#555555", linestyle="--", linewidth=0.8, label="TWFE")
        ax.set_xlabel("weight")
        ax.set_ylabel("2 x 2 DiD estimate")
        ax.legend(frameon=False)
        return ax

    def _display(self) -> Display:
        header = (("TWFE", f"{self.twfe:.4g} (cluster-robust SE {self.std_error:.3g})"),)
        notes = (f"{self.n_dropped} rows with missing values left out",) if self.n_dropped else ()
        return Display("Goodman-Bacon decomposition", header, self.summary(), notes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: TWFE, its SE and every comparison."""
        rows = records(self.table.astype({"treated": str, "comparison": str}))
        return {
            "twfe": self.twfe,
            "std_error": self.std_error,
            "n_dropped": self.n_dropped,
            "comparisons": rows,
        }


def _twfe(y: FloatArray, d: FloatArray) -> tuple[float, float, FloatArray]:
    def demean(m: FloatArray) -> FloatArray:
        return np.asarray(m - m.mean(1, keepdims=True) - m.mean(0, keepdims=True) + m.mean())

    dd, yy = demean(d), demean(y)
    denom = float((dd**2).sum())
    if denom <= 0:
        raise DataError(
            "bacon_decomposition(): the treatment does not vary beyond area and period effects",
            hint="TWFE needs areas adopting at different times or never",
        )
    beta = float((dd * yy).sum() / denom)
    scores = (dd * (yy - beta * dd)).sum(axis=1)
    g = len(scores)
    se = float(np.sqrt((scores**2).sum() * g / (g - 1)) / denom)
    return beta, se, dd


def _did(y: FloatArray, a: NDArray[np.bool_], b: NDArray[np.bool_], pre: slice,
         post: slice) -> float:  # fmt: skip
    ya, yb = y[a], y[b]
    return float(ya[:, post].mean() - ya[:, pre].mean() - (yb[:, post].mean() - yb[:, pre].mean()))


def _rows(panel: AreaPanel, var_d: float) -> list[dict[str, Any]]:
    y, n_periods, adoption = panel.outcome, panel.n_periods, panel.adoption
    codes = [int(c) for c in np.unique(adoption[adoption >= 0])]
    share = {c: float(np.mean(adoption == c)) for c in [*codes, -1]}
    dbar = {c: (n_periods - c) / n_periods for c in codes}
    never = adoption < 0
    rows: list[dict[str, Any]] = []
    label = panel.periods
    for k in codes:
        if never.any() and k > 0:
            nk = share[k] / (share[k] + share[-1])
            w = (share[k] + share[-1]) ** 2 * nk * (1 - nk) * dbar[k] * (1 - dbar[k])
            est = _did(y, adoption == k, never, slice(0, k), slice(k, n_periods))
            rows.append({"treated": label[k], "comparison": "never", "kind": "treated vs never",
                         "estimate": est, "weight": w / var_d})  # fmt: skip
        for m in codes:
            if m <= k:
                continue
            nkl = share[k] / (share[k] + share[m])
            scale = (share[k] + share[m]) ** 2 * nkl * (1 - nkl)
            dk, dl = dbar[k], dbar[m]
            if k > 0:
                w_early = scale * (1 - dl) ** 2 * ((dk - dl) / (1 - dl)) * ((1 - dk) / (1 - dl))
                est = _did(y, adoption == k, adoption == m, slice(0, k), slice(k, m))
                rows.append({"treated": label[k], "comparison": label[m],
                             "kind": "earlier vs later", "estimate": est,
                             "weight": w_early / var_d})  # fmt: skip
            w_late = scale * dk**2 * (dl / dk) * ((dk - dl) / dk)
            est = _did(y, adoption == m, adoption == k, slice(k, m), slice(m, n_periods))
            rows.append({"treated": label[m], "comparison": label[k],
                         "kind": "later vs earlier", "estimate": est,
                         "weight": w_late / var_d})  # fmt: skip
    return rows


def bacon_decomposition(
    data: object,
    *,
    area: str | None = None,
    period: str | None = None,
    outcome: str | None = None,
    adoption: str | None = None,
    never: object = None,
    missing: Literal["error", "drop"] = "error",
) -> BaconResult:
    """TWFE estimate of a staggered rollout and its Goodman-Bacon (2021) decomposition.

    Parameters
    ----------
    data
        An :class:`~rpeval.community.AreaPanel` or a tidy frame with the named columns
        (balanced panel, absorbing adoption).
    missing
        Rows of a frame missing an area, period or outcome: ``"error"`` (default) or
        ``"drop"`` (counted in ``n_dropped``; the panel must stay balanced, so only
        whole areas can go: see :func:`~rpeval.community.area_panel`).

    Returns
    -------
    BaconResult
        ``twfe``, ``std_error`` (clustered by area, CR1) and ``table`` with columns
        treated, comparison, kind, estimate, weight (weights sum to 1 and
        ``sum(weight * estimate) == twfe``).

    References
    ----------
    Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment
    timing. Journal of Econometrics 225(2), 254-277.
    """
    check_choice(missing, ["error", "drop"], arg="missing", caller="bacon_decomposition")
    if isinstance(data, AreaPanel):
        if missing == "drop":
            raise SpecificationError(
                "bacon_decomposition(): missing='drop' given with an AreaPanel",
                hint="an AreaPanel had its missing values handled (area_panel(missing=))",
            )
        panel = data
    else:
        if area is None or period is None or outcome is None or adoption is None:
            raise DataError(
                "bacon_decomposition(): area, period, outcome and adoption are needed",
                hint="name the columns, or pass an AreaPanel",
            )
        panel = area_panel(data, area=area, period=period, outcome=outcome,
                           adoption=adoption, never=never, kind="continuous",
                           missing="drop" if missing == "drop" else "error")  # fmt: skip
    d = panel.treated_mask().astype(np.float64)
    beta, se, dd = _twfe(panel.outcome, d)
    table = pd.DataFrame(
        _rows(panel, float((dd**2).mean())),
        columns=["treated", "comparison", "kind", "estimate", "weight"],
    )
    return BaconResult(beta, se, table, panel.n_dropped)
