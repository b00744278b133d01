"""Hypothesis profiles: ``make test`` draws the same examples on every machine and run
(derandomised, no example database), so a fresh clone passes or fails the same way; set
``HYPOTHESIS_PROFILE=explore`` to draw new random examples each run."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("default", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
