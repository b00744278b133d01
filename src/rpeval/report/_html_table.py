"""Tables as accessible HTML: a captioned ``<table>`` with header cells, and the cell
formatters the report's tables share (numbers, shares as percentages, p-values).

>>> pvalue(0.0004), percent(0.1234), number(1)(1234.56)
('< 0.001', '12.3%', '1,234.6')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

__all__ = ["Formatter", "html_table", "number", "percent", "pvalue", "yes_no"]

Formatter = Callable[[Any], str]


def number(digits: int) -> Formatter:
    """Numbers with thousands separators and ``digits`` decimals; a dash when missing."""

    def show(value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return "–"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int | float):
            return f"{value:,.{digits}f}"
        return str(value)

    return show


def percent(value: Any) -> str:
    """A share as a percentage with one decimal."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * float(value):.1f}%"


def pvalue(value: Any) -> str:
    """A p-value with three decimals, or ``< 0.001``."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def html_table(
    frame: pd.DataFrame,
    caption: str,
    *,
    formats: Mapping[str, Formatter] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Markup:
    """A ``<table>`` with a caption, ``<th scope="col">`` headers and formatted cells, in a
    ``div.table-wrap`` that scrolls on a narrow screen rather than clip (print wraps it).

    Examples
    --------
    >>> print(html_table(pd.DataFrame({"a": [1.5]}), "One row"))
    <div class="table-wrap"><table><caption>One row</caption><thead><tr><th scope="col">a</th></tr></thead><tbody><tr><td class="num">1.500</td></tr></tbody></table></div>
    """  # noqa: E501 - one line of HTML
    formats = dict(formats or {})
    labels = dict(labels or {})
    head = "".join(f'<th scope="col">{escape(labels.get(c, c))}</th>' for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for column in frame.columns:
            value = row[column]
            show = formats.get(column, number(3))
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            css = ' class="num"' if numeric else ""
            cells.append(f"<td{css}>{escape(show(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return Markup(  # noqa: S704 - every piece is escaped above
        f'<div class="table-wrap"><table><caption>{escape(caption)}</caption><thead><tr>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def yes_no(value: Any) -> str:
    """``yes``/``no`` for a boolean cell, a dash for a missing one."""
    return "yes" if value is True else ("no" if value is False else "–")
