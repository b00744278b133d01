"""One renderer (issue 17): results get ``__str__`` and ``_repr_html_`` from
``rpeval._display`` (the :class:`~rpeval._display.Displayed` mixin and a ``_display()``
method). A hand-written one is allowed only where the list below says why."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).parents[1] / "src" / "rpeval"
METHODS = ("__str__", "_repr_html_")
# (module path under src/rpeval, class, method): why it is written by hand.
ALLOWED = {
    ("errors.py", "RpevalError", "__str__"): "an exception's message and hint",
    (
        "metrics/filters/_ast.py",
        "FilterExpr",
        "__str__",
    ): "a filter expression as text",
    ("qualitative/validate.py", "CodebookReport", "__str__"): "the CLI's file:line diagnostics",
    ("surveys/design.py", "SurveyDesign", "__str__"): "an input (design), not a result",
    ("surveys/design.py", "SurveyDesign", "_repr_html_"): "an input (design), not a result",
    ("surveys/replicates.py", "ReplicateDesign", "__str__"): "an input (design), not a result",
    ("surveys/replicates.py", "ReplicateDesign", "_repr_html_"): "an input, not a result",
    ("report/evaluation.py", "Evaluation", "__str__"): "Display with the headline first",
    ("metrics/control_charts.py", "ControlChart", "_repr_html_"): "Display plus the points",
}


def _hand_written() -> set[tuple[str, str, str]]:
    found = set()
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name == "_display.py" and path.parent == SOURCE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name in METHODS:
                    found.add((path.relative_to(SOURCE).as_posix(), node.name, item.name))
    return found


def test_results_render_through_rpeval_display() -> None:
    unexpected = sorted(_hand_written() - set(ALLOWED))
    assert not unexpected, (
        "hand-written __str__/_repr_html_ (use rpeval._display.Displayed and _display(), "
        f"or add the class to ALLOWED with the reason): {unexpected}"
    )


def test_the_allowed_list_is_current() -> None:
    stale = sorted(set(ALLOWED) - _hand_written())
    assert not stale, f"no longer hand-written, drop from ALLOWED: {stale}"
