"""Text from data or definition files, made safe for where it goes.

A metric title, a group label or a file name is data, and may hold anything: HTML, Markdown,
spreadsheet formulas, terminal escape sequences. Each output escapes it for its target:

- :func:`for_terminal` removes ANSI/OSC escape sequences, control characters (but new
  lines and tabs) and bidirectional overrides before text is printed;
- :func:`markdown_text` and :func:`markdown_code` make text inert in Markdown (no HTML,
  no links, no emphasis, no table breaks), as plain text or as a code span;
- :func:`csv_cell` prefixes a cell that a spreadsheet would run as a formula with ``'``.

HTML is escaped by Jinja's autoescape and :func:`markupsafe.escape` in the report.

Examples
--------
>>> for_terminal("ok\\x1b[31mred\\x1b]8;;http://x\\x07link\\x1b]8;;\\x07\\x07")
'okredlink'
>>> print(markdown_text("<script>alert(1)</script> [x](javascript:y) | *b*"))
&lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](javascript:y) \\| \\*b\\*
>>> print(markdown_text("1. not a list"), markdown_text("# nor a heading"))
1\\. not a list \\# nor a heading
>>> markdown_code("a `b` c")
'`` a `b` c ``'
>>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("-3"), csv_cell("-cmd")
('\\'=HYPERLINK("http://x")', '-3', "'-cmd")
"""

from __future__ import annotations

import re
from typing import Final

import pandas as pd

__all__ = ["csv_cell", "csv_frame", "for_terminal", "markdown_code", "markdown_text"]

# ESC sequences: CSI (colours, cursor), OSC (titles, hyperlinks; ended by BEL or ST), others
_ESCAPES: Final = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"  # two-character sequences, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"  # 8-bit OSC
)
# other C0 and C1 controls (new line and tab kept), DEL, and bidirectional overrides
_CONTROLS: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]|~<>&])")
_BLOCK_START: Final = re.compile(r"^(\d*)([#+.)-])")  # a heading or a list item
_HTML: Final = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\ufe62", "\uff0b")
_NUMBER: Final = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def for_terminal(text: str) -> str:
    """`text` without escape sequences or control characters (new lines and tabs kept)."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n")))


def markdown_text(text: object) -> str:
    """`text` as inert Markdown on one line: whitespace collapsed, controls removed, HTML
    characters as entities, and the Markdown punctuation that could make emphasis, code,
    links, attributes, tables, headings or lists backslash-escaped."""
    flat = " ".join(for_terminal(str(text)).split())

    def escape(match: re.Match[str]) -> str:
        char = match.group(1)
        return _HTML.get(char, "\\" + char)

    safe = _MARKDOWN_SPECIAL.sub(escape, flat)
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), safe)


def markdown_code(text: object) -> str:
    """`text` as a Markdown code span, on one line, with a fence longer than any run of
    backticks inside (Markdown shows a code span as it is: no HTML, no links)."""
    flat = " ".join(for_terminal(str(text)).split()).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def csv_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``.

    Numbers (also written as text, such as ``-3``) and non-text values are left alone.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _NUMBER.match(value.strip()):
        return value
    return "'" + value


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and column names are safe for spreadsheets."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column].dtype):
            safe[column] = safe[column].map(csv_cell)
    safe.columns = [str(csv_cell(str(c))) for c in safe.columns]
    return safe
