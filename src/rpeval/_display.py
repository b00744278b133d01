"""One renderer for results in the console and in notebooks.

A result describes itself as a :class:`Display`: a title, a header of ``(label, value)``
pairs (the call, n, events, …), a tidy table and notes. :meth:`Display.text` lays it out
as a fixed-width table that prints whole (no pandas truncation: columns that do not fit
the width go to a further block that repeats the label column), :meth:`Display.html` as
an HTML fragment for ``_repr_html_``. Numbers are formatted per column: counts as
integers, p-values to three decimals (``<0.001`` below), other numbers with the same
decimals down a column. Result classes inherit :class:`Displayed` and implement
``_display()``; this module knows nothing of statistics.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame(
...     {"term": ["participant"], "hazard_ratio": [0.79071], "p_value": [0.0256], "n": [600.0]}
... )
>>> print(Display("Cox model", (("n", "600"),), table).text())
Cox model
n: 600
<BLANKLINE>
term         hazard_ratio  p_value    n
participant         0.791    0.026  600
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

__all__ = ["Display", "Displayed", "call_text", "format_column", "format_value"]

WIDTH: Final = 100
_COUNT: Final = re.compile(
    r"^(n|df|window|cause|count|numerator|denominator|n_[a-z_]+|[a-z_]*_n|[a-z_]*events?"
    r"|[a-z_]*_count|at_risk|n_risk|n_event|n_censor|observed|statistic_df)$"
)
_PVALUE: Final = re.compile(r"^(p|p_value|p_[a-z]+|[a-z_]+_p_value)$")


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_value(value: Any, *, digits: int = 3) -> str:
    """One cell as text: missing as ``NA``, integers without decimals, numbers with
    ``digits`` decimals, numpy scalars as Python ones (never ``np.float64(...)``).

    >>> format_value(2.0), format_value(None), format_value(0.12345, digits=2)
    ('2.000', 'NA', '0.12')
    """
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if _missing(value):
        return "NA"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:d}"
    if isinstance(value, float):
        if math.isinf(value):
            return "Inf" if value > 0 else "-Inf"
        return f"{value:.{digits}f}"
    return " ".join(str(value).split())


def _decimals(values: Sequence[float]) -> int:
    """Decimals that give the column's smallest non-zero value about four significant
    digits (at most four decimals, at most six for a column of tiny values)."""
    finite = [abs(v) for v in values if math.isfinite(v) and v != 0.0]
    if not finite:
        return 3
    wanted = 3 - math.floor(math.log10(min(finite)))
    cap = 6 if max(finite) < 0.001 else 4
    return max(0, min(cap, wanted))


def format_column(name: str, values: Sequence[Any]) -> list[str]:
    """A column's cells as text, formatted by what the column holds.

    >>> format_column("p_value", [0.0004, 0.25]), format_column("n", [12.0, 3.0])
    (['<0.001', '0.250'], ['12', '3'])
    """
    plain = [v.item() if hasattr(v, "item") and not isinstance(v, str) else v for v in values]
    numbers = [float(v) for v in plain if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers or len(numbers) < sum(not _missing(v) for v in plain):
        return [format_value(v) for v in plain]
    if _PVALUE.match(name):
        return [
            "NA" if _missing(v) else ("<0.001" if float(v) < 0.001 else f"{float(v):.3f}")
            for v in plain
        ]
    integral = all(not math.isfinite(v) or v == int(v) for v in numbers)
    if integral and (_COUNT.match(name) or all(isinstance(v, int) for v in plain if v is not None)):
        return [format_value(v) if _missing(v) else f"{int(v):d}" for v in plain]
    digits = _decimals(numbers)
    return [format_value(v, digits=digits) for v in plain]


def call_text(function: str, *arguments: Any, **options: Any) -> str:
    """A call as text, options that are ``None`` left out.

    >>> call_text("cox", "'days'", ties="efron", weights=None)
    "cox('days', ties='efron')"
    """
    plain = {k: v.item() if hasattr(v, "item") else v for k, v in options.items()}
    shown = [str(a) for a in arguments] + [f"{k}={v!r}" for k, v in plain.items() if v is not None]
    return f"{function}({', '.join(shown)})"


def _numeric(cells: list[str]) -> bool:
    return all(re.match(r"^[-+<]?[\d.]|^NA$|^-?Inf$", c) for c in cells) and any(
        c != "NA" for c in cells
    )


@dataclass(frozen=True)
class Display:
    """What a result shows: a title, ``(label, value)`` header lines, a table and notes."""

    title: str
    header: tuple[tuple[str, str], ...]
    table: pd.DataFrame | None
    notes: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    tables: tuple[tuple[str, pd.DataFrame], ...] = ()

    def _all_tables(self) -> list[tuple[str, pd.DataFrame]]:
        found = [] if self.table is None else [("", self.table)]
        return found + list(self.tables)

    def _cells(self, frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
        heads = [self.labels.get(str(c), str(c)) for c in frame.columns]
        columns = [format_column(str(c), list(frame[c])) for c in frame.columns]
        return heads, columns

    def text(self, width: int = WIDTH) -> str:
        """Fixed-width text: header lines, then each table in blocks of columns that fit
        ``width`` characters (the first column repeated in every block)."""
        lines = [self.title]
        pad = max((len(label) for label, _ in self.header), default=0)
        lines += [f"{label + ':':<{pad + 1}} {value}" for label, value in self.header]
        for caption, frame in self._all_tables():
            lines.append("")
            if caption:
                lines.append(caption)
            lines.extend(_text_table(*self._cells(frame), width=width))
        lines.extend(["", *self.notes] if self.notes else [])
        return "\n".join(lines)

    def html(self) -> str:
        """An HTML fragment: the title in bold, the header, the tables and notes (all text
        escaped)."""
        parts = [f"<p><strong>{html.escape(self.title)}</strong><br>"]
        parts.append(
            "<br>".join(
                f"{html.escape(label)}: {html.escape(value)}" for label, value in self.header
            )
            + "</p>"
        )
        for caption, frame in self._all_tables():
            heads, columns = self._cells(frame)
            right = [_numeric(col) for col in columns]
            head = "".join(
                f'<th style="text-align:{"right" if r else "left"}">{html.escape(h)}</th>'
                for h, r in zip(heads, right, strict=True)
            )
            rows = []
            for i in range(len(frame)):
                cells = "".join(
                    f'<td style="text-align:{"right" if r else "left"}">{html.escape(col[i])}</td>'
                    for col, r in zip(columns, right, strict=True)
                )
                rows.append(f"<tr>{cells}</tr>")
            cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
            parts.append(
                f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            )
        if self.notes:
            parts.append("".join(f"<p><small>{html.escape(n)}</small></p>" for n in self.notes))
        return "".join(parts)


def _text_table(heads: list[str], columns: list[list[str]], *, width: int) -> list[str]:
    if not heads:
        return []
    right = [_numeric(col) for col in columns]
    widths = [max([len(h), *(len(c) for c in col)]) for h, col in zip(heads, columns, strict=True)]
    blocks: list[list[int]] = [[0]]
    used = widths[0]
    for j in range(1, len(heads)):
        if used + 2 + widths[j] > width and len(blocks[-1]) > 1:
            blocks.append([0])
            used = widths[0]
        blocks[-1].append(j)
        used += 2 + widths[j]
    lines: list[str] = []
    for b, block in enumerate(blocks):
        if b:
            lines.append("")

        def cell(text: str, j: int) -> str:
            return text.rjust(widths[j]) if right[j] else text.ljust(widths[j])

        lines.append("  ".join(cell(heads[j], j) for j in block).rstrip())
        for i in range(len(columns[0])):
            lines.append("  ".join(cell(columns[j][i], j) for j in block).rstrip())
    return lines


class Displayed:
    """Mixin: ``__str__``, a short ``__repr__`` and ``_repr_html_`` from ``_display()``.

    Use with ``@dataclass(frozen=True, repr=False)`` so the dataclass keeps this
    ``__repr__`` (the generated one would print every array)."""

    def _display(self) -> Display:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def __str__(self) -> str:
        return self._display().text()

    def __repr__(self) -> str:
        shown = self._display()
        header = ", ".join(
            f"{label}={value}" for label, value in shown.header if label in ("n", "events")
        )
        return f"<{type(self).__name__}: {shown.title}" + (f"; {header}>" if header else ">")

    def _repr_html_(self) -> str:
        return self._display().html()
