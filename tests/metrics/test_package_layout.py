"""The metrics package's public paths after the layout moves (issue 17), and its cheap import.

Each import check runs in a fresh interpreter; nothing is timed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _fresh(code: str) -> object:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout)


def test_import_defers_schema_models_and_backends() -> None:
    code = (
        "import json, sys; import rpeval.metrics; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'pydantic', 'narwhals', 'yaml'})))"
    )
    assert _fresh(code) == []


def test_former_validate_module_never_hides_the_function() -> None:
    code = (
        "import json; import rpeval.metrics.validate; import rpeval.metrics as m; "
        "from rpeval.metrics import validate; "
        "print(json.dumps([callable(m.validate), validate is m.validate, m.validate([]).ok]))"
    )
    assert _fresh(code) == [True, True, True]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("rpeval.metrics.validate", "ValidationReport"),
        ("rpeval.metrics.data_schema", "DataSchema"),
        ("rpeval.metrics.filters", "parse_filter"),
        ("rpeval.metrics.validation", "validate"),
        ("rpeval.metrics", "suppress_cells"),
    ],
)
def test_documented_paths_resolve(path: str, name: str) -> None:
    import importlib

    module = importlib.import_module(path)
    assert getattr(module, name) is getattr(importlib.import_module("rpeval.metrics"), name)


def test_unknown_name_is_an_attribute_error() -> None:
    import rpeval.metrics

    with pytest.raises(AttributeError, match="no_such_name"):
        rpeval.metrics.no_such_name  # noqa: B018
    assert set(rpeval.metrics.__all__) <= set(dir(rpeval.metrics))
