"""pydantic validation errors as ``file:line`` messages with did-you-mean for unknown keys.

Generic over the model: the known keys at a location are read from the model's fields, so
a codebook, a configuration or a metric definition get the same messages.

Examples
--------
>>> from pydantic import BaseModel, ConfigDict, ValidationError
>>> class Book(BaseModel):
...     model_config = ConfigDict(extra="forbid")
...     name: str
>>> try:
...     Book.model_validate({"nmae": "x"})
... except ValidationError as error:
...     [schema_message(Book, dict(e))[1] for e in error.errors()]
["missing required key 'name'", "unknown key 'nmae' (did you mean 'name'?); allowed here: name"]
"""

from __future__ import annotations

from collections.abc import Sequence

from rpeval._names import did_you_mean

__all__ = ["known_keys", "schema_message"]

Location = tuple[str | int, ...]


def known_keys(model: type[object], location: Sequence[str | int]) -> list[str]:
    """Field names valid at `location` inside `model` (for suggestions)."""
    current: type[object] = model
    for part in location:
        if isinstance(part, int):
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        annotation = info.annotation
        inner = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not None]
        nested = [a for a in inner if hasattr(a, "model_fields")]
        if not nested:
            args = [getattr(a, "__args__", ()) for a in inner]
            nested = [a for group in args for a in group if hasattr(a, "model_fields")]
        if not nested:
            return []
        current = nested[0]
    return list(getattr(current, "model_fields", {}))


def schema_message(model: type[object], error: dict[str, object]) -> tuple[Location, str]:
    """The location and a readable message of one pydantic error."""
    raw = error["loc"]
    location: Location = tuple(raw) if isinstance(raw, tuple | list) else ()
    kind = error["type"]
    if kind == "extra_forbidden" and location:
        key = str(location[-1])
        known = known_keys(model, location[:-1])
        allowed = f"; allowed here: {', '.join(known)}" if known else ""
        return location, f"unknown key {key!r}{did_you_mean(key, known)}{allowed}"
    text = str(error["msg"]).removeprefix("Value error, ")
    dotted = ".".join(str(p) for p in location)
    if kind == "missing":
        return location, f"missing required key {dotted!r}"
    return location, f"{dotted}: {text}" if dotted else text
