"""``python -m rpeval.cli``: the same as the ``rpeval`` command."""

from rpeval.cli import entry_point

entry_point()
