"""Repeated events (re-arrests): the mean cumulative function and the recurrent-events Cox
model.

``mcf`` holds :func:`mean_cumulative_function` and :class:`MCFResult` and, for now,
:func:`andersen_gill`; ``_mcf_kernel`` is the Nelson–Aalen-type estimate with its
variance, ``_input`` the checks of ``(start, stop]`` data.
"""

from __future__ import annotations

from rpeval.recidivism.recurrent.mcf import MCFResult, andersen_gill, mean_cumulative_function

__all__ = ["MCFResult", "andersen_gill", "mean_cumulative_function"]
