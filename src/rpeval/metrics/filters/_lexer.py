"""Tokenizer of the filter language: text in, a list of tokens with positions out.

Everything that is not a token of the language (attribute dots, semicolons, ``&&``,
``#`` comments, non-ASCII bare names, ...) is rejected here, with a caret at the
offending character.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from rpeval.metrics.filters._ast import MAX_LENGTH, RESERVED
from rpeval.metrics.filters._errors import FilterSyntaxError

__all__ = ["Token", "tokenize"]

TokenKind = Literal["number", "string", "name", "keyword", "op", "end"]

_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = ("==", "!=", "<=", ">=", "=", "<", ">", "+", "-", "(", ")", "[", "]", ",")
_WHITESPACE = frozenset(" \t\r\n")
_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "r": "\r", "t": "\t"}
_INT64_MAX = 2**63 - 1
_CHARACTER_HINTS = {
    ".": "there is no attribute access; quote a column name with dots in backticks: `a.b`",
    ";": "a filter is a single expression; combine conditions with `and` / `or`",
    "&": "write `and` to combine conditions",
    "|": "write `or` to combine conditions",
    "!": "write `not` to negate a condition, or `!=` for 'not equal'",
    "#": "comments are not allowed inside a filter",
    "*": "only `+` and `-` arithmetic is available",
    "/": "only `+` and `-` arithmetic is available",
    "%": "only `+` and `-` arithmetic is available",
    ":": "the filter language has no lambdas, slices or dictionaries",
}


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, source text, parsed value and ``[start, end)`` offsets."""

    kind: TokenKind
    text: str
    value: str | int | float
    start: int
    end: int

    def describe(self) -> str:
        """How the token is named in an error message."""
        if self.kind == "end":
            return "end of text"
        if self.kind == "number":
            return f"number {self.text}"
        if self.kind == "string":
            return f"string {self.text}"
        if self.kind == "name":
            return f"column {self.text}"
        return f"`{self.text}`"


def _fail(text: str, position: int, reason: str, *, hint: str | None = None) -> FilterSyntaxError:
    return FilterSyntaxError(reason, text=text, position=position, hint=hint)


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens, ending with one ``end`` token.

    Raises
    ------
    FilterSyntaxError
        At the first character that cannot start or continue a token.
    """
    if len(text) > MAX_LENGTH:
        raise FilterSyntaxError(
            f"the filter is {len(text):,} characters long; the limit is {MAX_LENGTH:,}",
            text=text,
            hint="split the condition across metrics, or derive a column beforehand",
        )
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in _WHITESPACE:
            i += 1
        elif char.isdigit() and char.isascii():
            token = _number(text, i)
            tokens.append(token)
            i = token.end
        elif char.isascii() and (char.isalpha() or char == "_"):
            token = _word(text, i)
            tokens.append(token)
            i = token.end
        elif char == "`":
            token = _quoted_name(text, i)
            tokens.append(token)
            i = token.end
        elif char in "'\"":
            token = _string(text, i)
            tokens.append(token)
            i = token.end
        elif text.startswith("--", i):
            raise _fail(
                text,
                i,
                "`--` is not allowed (it is not a comment)",
                hint="filters have no comments; write a double negation as -(-x)",
            )
        else:
            op = next((op for op in _OPERATORS if text.startswith(op, i)), None)
            if op is None:
                raise _unexpected(text, i)
            tokens.append(Token("op", op, op, i, i + len(op)))
            i += len(op)
    tokens.append(Token("end", "", "", len(text), len(text)))
    return tokens


def _unexpected(text: str, i: int) -> FilterSyntaxError:
    char = text[i]
    if char.isidentifier():
        return _fail(
            text,
            i,
            f"bare column names are ASCII only, found {char!r}",
            hint="quote the column name in backticks, e.g. `âge`",
        )
    shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
    return _fail(text, i, f"unexpected character {shown}", hint=_CHARACTER_HINTS.get(char))


def _number(text: str, i: int) -> Token:
    match = _NUMBER.match(text, i)
    assert match is not None  # the caller saw a digit
    end = match.end()
    if end < len(text) and (text[end].isalnum() or text[end] in "_.`\"'"):
        raise _fail(text, i, f"malformed number {text[i : end + 1]!r}")
    literal = match.group()
    value: int | float
    if any(c in literal for c in ".eE"):
        value = float(literal)
        if not math.isfinite(value):
            raise _fail(text, i, f"number {literal} is too large for a float")
    else:
        if len(literal) > 19 or int(literal) > _INT64_MAX:
            raise _fail(
                text,
                i,
                f"integer {literal} is outside the 64-bit range",
                hint="write it as a float, e.g. 1e20, if precision does not matter",
            )
        value = int(literal)
    return Token("number", literal, value, i, end)


def _check_name(text: str, start: int, end: int, name: str) -> None:
    if name.startswith("__") and name.endswith("__"):
        raise FilterSyntaxError(
            f"dunder names such as {name!r} are not allowed",
            text=text,
            position=start,
            length=end - start,
        )


def _word(text: str, i: int) -> Token:
    match = _WORD.match(text, i)
    assert match is not None  # the caller saw a letter or underscore
    word, end = match.group(), match.end()
    if end < len(text) and text[end].isidentifier():
        raise _unexpected(text, end)
    if word in RESERVED:
        return Token("keyword", word, word, i, end)
    if word.lower() in RESERVED:
        raise FilterSyntaxError(
            f"{word!r} is a reserved word in the wrong case",
            text=text,
            position=i,
            length=end - i,
            hint=f"write `{word.lower()}`; a column named {word} must be quoted in backticks",
        )
    _check_name(text, i, end, word)
    return Token("name", word, word, i, end)


def _quoted_name(text: str, i: int) -> Token:
    chars: list[str] = []
    j = i + 1
    while True:
        close = text.find("`", j)
        if close == -1:
            raise _fail(text, i, "unterminated column name", hint="close it with a backtick `")
        chars.append(text[j:close])
        if text.startswith("``", close):  # a doubled backtick stands for one backtick
            chars.append("`")
            j = close + 2
            continue
        break
    name, end = "".join(chars), close + 1
    if not name:
        raise _fail(text, i, "empty column name ``")
    bad = next((k for k in range(i + 1, close) if not text[k].isprintable()), None)
    if bad is not None:
        raise _fail(text, bad, "control character in a column name")
    _check_name(text, i, end, name)
    return Token("name", text[i:end], name, i, end)


def _string(text: str, i: int) -> Token:
    quote = text[i]
    chars: list[str] = []
    j = i + 1
    while True:
        if j >= len(text) or text[j] in "\r\n":
            raise _fail(
                text, i, "unterminated string", hint=f"close it with {quote} on the same line"
            )
        char = text[j]
        if char == quote:
            break
        if char == "\\":
            decoded, j = _escape(text, j)
            chars.append(decoded)
            continue
        if not char.isprintable() and char != "\t":
            raise _fail(text, j, "control character in a string", hint="write it as an escape")
        chars.append(char)
        j += 1
    return Token("string", text[i : j + 1], "".join(chars), i, j + 1)


def _escape(text: str, j: int) -> tuple[str, int]:
    """Decode the escape sequence starting with the backslash at `j`."""
    code = text[j + 1 : j + 2]
    if code in _ESCAPES:
        return _ESCAPES[code], j + 2
    if code in ("u", "U"):
        width = 4 if code == "u" else 8
        digits = text[j + 2 : j + 2 + width]
        if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            point = int(digits, 16)
            if point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF:
                return chr(point), j + 2 + width
        raise _fail(
            text,
            j,
            f"bad \\{code} escape",
            hint=f"write \\{code} followed by {width} hex digits of a code point (not a surrogate)",
        )
    raise _fail(
        text,
        j,
        f"unknown escape \\{code}" if code else "unterminated string",
        hint="the escapes are \\\\ \\\" \\' \\n \\r \\t \\uXXXX and \\UXXXXXXXX",
    )
