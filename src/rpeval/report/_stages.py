"""The stages of a long run, timed: a progress bar that shows each stage's wall time.

``StageClock`` has the two methods ``evaluate`` used on its tqdm bar: ``set_postfix_str``
starts the named stage (ending the one before; a name met again adds to its time) and
``update`` moves the bar on. ``close`` returns the seconds per stage, for the JSON.

Examples
--------
>>> clock = StageClock(["read", "fit"], progress=False)
>>> clock.set_postfix_str("read")
>>> clock.set_postfix_str("fit")
>>> sorted(clock.close())
['fit', 'read']
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from tqdm.auto import tqdm

__all__ = ["StageClock", "format_seconds"]


def format_seconds(seconds: float) -> str:
    """``0.43 s``, ``12.1 s``: two significant decimals below 10 s.

    >>> format_seconds(0.4321), format_seconds(12.06)
    ('0.43 s', '12.1 s')
    """
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


class StageClock:
    """A tqdm bar over named stages that records how long each one took."""

    def __init__(self, stages: Sequence[str], *, progress: bool, desc: str = "evaluate") -> None:
        self._bar = tqdm(total=len(stages), desc=desc, disable=not progress, leave=False)
        self.seconds: dict[str, float] = {}
        self._current: str | None = None
        self._started = 0.0

    def set_postfix_str(self, stage: str, *, started: float | None = None) -> None:
        """Start ``stage``; the bar shows it and the times of the stages done so far.

        ``started`` (a :func:`time.perf_counter` reading) counts work done before the bar
        existed, such as reading the inputs, in this stage."""
        self._stop()
        self._current = stage
        self._started = time.perf_counter() if started is None else started
        done = ", ".join(f"{name} {format_seconds(s)}" for name, s in self.seconds.items())
        self._bar.set_postfix_str(f"{stage} | {done}" if done else stage)

    def update(self, n: int = 1) -> None:
        """Move the bar on by ``n`` stages."""
        self._bar.update(n)

    def close(self) -> dict[str, float]:
        """End the last stage, close the bar and return the seconds per stage."""
        self._stop()
        self._bar.set_postfix_str(
            ", ".join(f"{k} {format_seconds(v)}" for k, v in self.seconds.items())
        )
        self._bar.close()
        return dict(self.seconds)

    def _stop(self) -> None:
        if self._current is not None:
            elapsed = time.perf_counter() - self._started
            self.seconds[self._current] = self.seconds.get(self._current, 0.0) + elapsed
            self._current = None
