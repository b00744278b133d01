"""Hypothesis example budgets. A test asks for ``budget(n)``: ``make test`` draws a third of
`n` (at least 10) so that the suite stays fast; ``make test-thorough``
(``HYPOTHESIS_PROFILE=thorough``) and ``HYPOTHESIS_PROFILE=explore`` draw all `n`."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import settings

__all__ = ["budget"]

FULL = os.environ.get("HYPOTHESIS_PROFILE", "default") in ("thorough", "explore")


def budget(examples: int, **options: Any) -> settings:
    """Hypothesis settings with `examples` examples (a third of them in the fast default),
    no deadline, and the other `options` (e.g. ``suppress_health_check``)."""
    options.setdefault("deadline", None)
    drawn = examples if FULL else max(10, examples // 3)
    return settings(max_examples=drawn, **options)
