"""Text and HTML for qualitative results: presentation kept apart from the numbers."""

from __future__ import annotations

import pandas as pd

from rpeval._display import Display

__all__ = ["html_table", "text_table"]


def html_table(title: str, frame: pd.DataFrame, notes: tuple[str, ...] = ()) -> str:
    """A titled HTML table through :mod:`rpeval._display` (everything escaped)."""
    return Display(title, (), frame, notes).html()


def text_table(title: str, frame: pd.DataFrame, notes: tuple[str, ...] = ()) -> str:
    """A titled plain-text table for the console."""
    body = frame.to_string(index=False, na_rep="", float_format=lambda x: f"{x:.3f}")
    return "\n".join([title, body, *notes])
