"""Repeated events (re-arrests): the mean cumulative function and the recurrent-events Cox
model.

``mcf`` holds :func:`mean_cumulative_function` and :class:`MCFResult`;
``recurrent_cox`` holds :func:`recurrent_cox` (Andersen–Gill and PWP on counting-process
intervals) and its deprecated former name :func:`andersen_gill`; ``_mcf_kernel`` is the
Nelson–Aalen-type estimate with its variance, ``_input`` the checks of interval data.
"""

from __future__ import annotations

from rpeval.recidivism.recurrent.mcf import MCFResult, mean_cumulative_function
from rpeval.recidivism.recurrent.recurrent_cox import andersen_gill, recurrent_cox

__all__ = ["MCFResult", "andersen_gill", "mean_cumulative_function", "recurrent_cox"]
