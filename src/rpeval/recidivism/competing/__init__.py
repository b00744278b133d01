"""Competing risks: cumulative incidence (Aalen–Johansen, Gray's test) and the Fine–Gray model.

``aalen_johansen`` holds :func:`cumulative_incidence` and :class:`CIFResult`; ``fine_gray``
holds :func:`fine_gray`. The private modules are their parts: reading the data
(``_input``), the Aalen–Johansen estimate with cmprsk's variance
(``_aalen_johansen_kernel``) and its infinitesimal-jackknife variance for weighted data
(``_aalen_johansen_jackknife``), Gray's k-sample test (``_gray_test``), the curves' plot
(``_plot``) and R ``finegray()``'s weighted expansion of the data (``_fine_gray_data``).
"""

from __future__ import annotations

from rpeval.recidivism.competing.aalen_johansen import cumulative_incidence
from rpeval.recidivism.competing.cif_result import CIFResult
from rpeval.recidivism.competing.fine_gray import fine_gray

__all__ = ["CIFResult", "cumulative_incidence", "fine_gray"]
