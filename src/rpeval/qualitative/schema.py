"""The strict schema of a codebook (pydantic; unknown keys are errors, nothing is coerced).

One YAML document is one codebook: a name, a semantic version, and its codes. A code has a
definition, inclusion and exclusion rules, an optional parent theme (another code of the
same codebook), examples, and a scale: ``presence`` (applied or not; the default) or
``ordinal`` with its ordered ``levels`` (e.g. ``[0, 1, 2, 3]`` for absent .. strong).

Examples
--------
>>> book = CodebookDefinition.model_validate({
...     "name": "victim_interviews", "version": "1.0.0", "title": "Victim interviews",
...     "codes": [
...         {"name": "procedural_justice", "definition": "How the process was experienced."},
...         {"name": "felt_heard", "definition": "The victim says they were listened to.",
...          "parent": "procedural_justice"},
...     ],
... })
>>> [code.name for code in book.codes], book.version_tuple
(['procedural_justice', 'felt_heard'], (1, 0, 0))
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

__all__ = ["Code", "CodebookDefinition", "codebook_json_schema"]

_SEMVER: Final = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,79}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Level = int | str
Scale = Literal["presence", "ordinal"]
Status = Literal["draft", "stable", "deprecated"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Code(_Strict):
    """A code (or a theme, when other codes name it as their ``parent``)."""

    name: Name = Field(description="snake_case identifier, as coders write it in the data")
    label: Text | None = None
    definition: Text
    include: list[Text] = Field([], description="when to apply the code")
    exclude: list[Text] = Field([], description="when not to apply it")
    parent: Name | None = Field(None, description="the theme this code belongs to")
    examples: list[Text] = Field([], description="anchor quotes")
    scale: Scale = "presence"
    levels: list[Level] | None = Field(
        None, description="ordered ratings of an ordinal code, lowest first"
    )
    status: Status = "stable"

    @model_validator(mode="after")
    def _levels_fit_scale(self) -> Code:
        if self.scale == "ordinal":
            if self.levels is None or len(self.levels) < 2:
                raise ValueError("an ordinal code needs `levels:` with at least two ratings")
            if len(set(self.levels)) != len(self.levels):
                raise ValueError("`levels:` must not repeat a rating")
            if len({type(level) for level in self.levels}) != 1:
                raise ValueError("`levels:` must be all numbers or all text")
        elif self.levels is not None:
            raise ValueError("`levels:` belongs to `scale: ordinal` (presence codes are 0/1)")
        return self


class CodebookDefinition(_Strict):
    """A versioned codebook."""

    name: Name
    version: str = Field(description="semantic version MAJOR.MINOR.PATCH")
    title: Text
    description: Text | None = None
    status: Status = "stable"
    references: list[Text] = []
    codes: list[Code] = Field(min_length=1)

    @field_validator("version")
    @classmethod
    def _semver(cls, version: str) -> str:
        if not _SEMVER.match(version):
            raise ValueError(f"{version!r} is not MAJOR.MINOR.PATCH (e.g. 1.0.0)")
        return version

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        """The version as three integers."""
        major, minor, patch = (int(part) for part in self.version.split("."))
        return major, minor, patch

    def code(self, name: str) -> Code | None:
        """The code called `name`, or ``None``."""
        return next((code for code in self.codes if code.name == name), None)


def codebook_json_schema() -> dict[str, Any]:
    """The JSON Schema of a codebook document (for editor completion)."""
    return CodebookDefinition.model_json_schema()
