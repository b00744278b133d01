"""Versioned program metrics: definitions, the safe filter language, registry and computation."""

from __future__ import annotations

__all__: list[str] = []
