"""Text and HTML for qualitative results: presentation kept apart from the numbers."""

from __future__ import annotations

import html

import pandas as pd

__all__ = ["html_table", "text_table"]


def html_table(title: str, frame: pd.DataFrame, notes: tuple[str, ...] = ()) -> str:
    """A titled HTML table (values escaped by pandas, title and notes here)."""
    parts = [f"<p><strong>{html.escape(title)}</strong></p>"]
    parts.append(frame.to_html(index=False, na_rep="", float_format=lambda x: f"{x:.3f}"))
    parts.extend(f"<p><em>{html.escape(note)}</em></p>" for note in notes)
    return "\n".join(parts)


def text_table(title: str, frame: pd.DataFrame, notes: tuple[str, ...] = ()) -> str:
    """A titled plain-text table for the console."""
    body = frame.to_string(index=False, na_rep="", float_format=lambda x: f"{x:.3f}")
    return "\n".join([title, body, *notes])
