"""Simulated program data and public reference data sets."""

from __future__ import annotations

from rpeval.datasets.columns import COLUMNS
from rpeval.datasets.loaders import MissingDataPackageError, load_nsw, load_recid, load_rossi
from rpeval.datasets.simulate import ProgramData, simulate_program

__all__ = [
    "COLUMNS",
    "MissingDataPackageError",
    "ProgramData",
    "load_nsw",
    "load_recid",
    "load_rossi",
    "simulate_program",
]
