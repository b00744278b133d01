"""Options of a Callaway & Sant'Anna fit and the inference shared by its aggregations.

:func:`inference` turns an ``(n_areas, k)`` influence matrix into standard errors and a
critical value: analytical (``sqrt(sum(psi^2)) / n``, as R ``did`` with
``bstrap=FALSE``) or from the multiplier bootstrap clustered by area, with a uniform
critical value across the ``k`` columns.

Examples
--------
>>> import numpy as np
>>> opts = Options("dr", "never", 0, 0.95, 0, "rademacher", None, False, ())
>>> inf = inference(np.array([[1.0], [-1.0], [2.0], [-2.0]]), opts)
>>> round(float(inf.std_error[0]), 6), round(inf.crit_val, 4), inf.uniform
(0.790569, 1.96, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from rpeval._inference import z_quantile
from rpeval.community.did._bootstrap import summarise

__all__ = ["Inference", "Options", "inference"]

_TINY = float(np.sqrt(np.finfo(float).eps) * 10)
FloatArray = NDArray[np.float64]


class Inference(NamedTuple):
    """Standard errors, the critical value for intervals and whether it is uniform."""

    std_error: FloatArray
    crit_val: float
    uniform: bool


@dataclass(frozen=True)
class Options:
    """The checked options of one call (shared with the aggregations)."""

    method: str
    control: str
    anticipation: int
    conf_level: float
    n_boot: int
    multiplier: str
    random_state: int | None
    progress: bool
    covariates: tuple[str, ...]


def inference(
    influence: FloatArray, options: Options, draws: FloatArray | None = None
) -> Inference:
    """Standard errors and critical value: analytical when ``draws`` is None (pointwise
    normal intervals), else from the bootstrap draws (uniform band over the columns)."""
    n = influence.shape[0]
    if draws is None:
        se = np.sqrt((influence**2).sum(axis=0)) / n
        se[se <= _TINY] = np.nan
        crit = z_quantile(options.conf_level)
        return Inference(se, crit, uniform=False)
    boot = summarise(draws, n=n, conf_level=options.conf_level)
    se = boot.std_error.copy()
    se[se <= _TINY] = np.nan
    return Inference(se, boot.crit_val, uniform=True)
