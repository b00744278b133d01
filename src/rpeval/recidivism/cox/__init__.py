"""The Cox proportional-hazards model: :func:`cox` and :class:`CoxResult`.

``model`` holds :func:`cox`, ``result`` its :class:`CoxResult`; the private modules are
its parts:
reading the data (``_data``), the risk-set index (``_risk_index``, ``_risk_sets``), the
partial likelihood for counting-process ``(entry, duration]`` data
(``_likelihood_counting``), its two-pass form for right-censored data
(``_likelihood_right_censored``) and its numpy form for right-censored data in one
stratum (``_likelihood_blocks``: the common fit imports no numba), Newton–Raphson
(``_newton``), the sandwich variance (``_sandwich``), the baseline hazard (``_baseline``),
the proportional-hazards test (``_ph_test``) and Harrell's concordance (``_concordance``).
"""

from __future__ import annotations

from rpeval.recidivism.cox.model import cox
from rpeval.recidivism.cox.result import CoxResult

__all__ = ["CoxResult", "cox"]
