"""Time to reoffense: follow-up construction, Kaplan–Meier, log-rank, rates, RMST and Cox."""

from __future__ import annotations

from rpeval.recidivism.cox import CoxResult, cox

__all__ = ["CoxResult", "cox"]
