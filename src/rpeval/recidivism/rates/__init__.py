"""Re-arrest rates: shares within fixed windows and count regressions of rates.

``windows`` holds :func:`recidivism_rates` (1 − Kaplan–Meier, or the Aalen–Johansen
cumulative incidence with competing events in ``_competing_windows``, and the BJS
complete-follow-up share); ``_window_result`` its result :class:`RecidivismRates` and the
columns both paths fill in. ``rate_model`` holds :func:`rate_model` (Poisson and negative
binomial rate ratios with person-time offsets), fitted by ``_count_glm``.
"""

from __future__ import annotations

from rpeval.recidivism.rates._window_result import RecidivismRates
from rpeval.recidivism.rates.rate_model import RateModelResult, rate_model
from rpeval.recidivism.rates.windows import recidivism_rates

__all__ = ["RateModelResult", "RecidivismRates", "rate_model", "recidivism_rates"]
