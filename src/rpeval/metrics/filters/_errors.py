"""The error raised for filter text that is not in the language, with a caret excerpt."""

from __future__ import annotations

from rpeval.errors import MetricDefinitionError

__all__ = ["FilterSyntaxError"]

_WINDOW = 72  # characters of a long line shown around the error


class FilterSyntaxError(MetricDefinitionError):
    """A ``where:`` filter is not valid: bad characters, grammar or a static type mismatch.

    The message shows the offending line of the filter with a caret ``^`` under the
    position of the problem and says what was expected there.

    Parameters
    ----------
    reason
        What was wrong and what was expected, without the excerpt.
    text
        The whole filter text.
    position
        0-based character offset of the problem in `text`, or ``None`` when the problem
        has no single position (e.g. the text is too long, or the filter was built by hand).
    length
        How many characters to underline.
    hint
        What to do about it.

    Attributes
    ----------
    reason, text, position
        As given; ``line`` and ``column`` are 1-based and ``None`` without a position.
    """

    def __init__(
        self,
        reason: str,
        *,
        text: str,
        position: int | None = None,
        length: int = 1,
        hint: str | None = None,
    ) -> None:
        self.reason = reason
        self.text = text
        self.position = position
        self.line: int | None = None
        self.column: int | None = None
        message = f"invalid filter: {reason}"
        if position is not None:
            position = max(0, min(position, len(text)))
            self.position = position
            self.line = text.count("\n", 0, position) + 1
            self.column = position - (text.rfind("\n", 0, position) + 1) + 1
            where = f"line {self.line}, column {self.column}" if "\n" in text else None
            where = where or f"column {self.column}"
            message = f"{message} ({where})\n{_excerpt(text, position, length)}"
        super().__init__(message, hint=hint)


def _printable(char: str) -> str:
    """One display character per source character, so that the caret lines up."""
    if char == "\t":
        return " "
    return char if char.isprintable() else "?"


def _excerpt(text: str, position: int, length: int) -> str:
    """The line holding `position` with carets under ``[position, position + length)``."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    end = len(text) if end == -1 else end
    line = text[start:end]
    column = position - start
    width = max(1, min(length, end - position))
    left = max(0, min(column - _WINDOW // 2, len(line) - _WINDOW))
    right = min(len(line), left + _WINDOW)
    shown = "".join(_printable(c) for c in line[left:right])
    prefix = "..." if left > 0 else ""
    suffix = "..." if right < len(line) else ""
    caret_at = len(prefix) + column - left
    width = max(1, min(width, len(shown) + 1 - (column - left)))
    return f"    {prefix}{shown}{suffix}\n    {' ' * caret_at}{'^' * width}"
