"""The house rules of docs/architecture.md hold for the source tree (issue 17).

Read from the source with ``ast`` and from the public signatures with ``inspect``:

- no private name (``_helper``) is imported from another module; private *modules* are
  imported freely, and a shared helper gets a public name inside its private module;
- no import cycle among the modules' top-level imports;
- docs/architecture.md names every module once, and names no module that does not exist;
- no function over 80 lines (docstring excluded) outside numba kernels, no module over 400;
- the vocabulary table: public functions do not use the retired argument names, except as
  the deprecated aliases the table lists.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

SOURCE = Path(__file__).parents[1] / "src" / "rpeval"
ARCHITECTURE = Path(__file__).parents[1] / "docs" / "architecture.md"
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 400
PUBLIC_PACKAGES = (
    "rpeval.recidivism",
    "rpeval.matching",
    "rpeval.metrics",
    "rpeval.surveys",
    "rpeval.qualitative",
    "rpeval.community",
    "rpeval.datasets",
    "rpeval.report",
)
# Argument names the vocabulary retired, with the name that replaced each.
RETIRED = {
    "seed": "random_state",
    "alpha": "conf_level",
    "k": "suppress_below",
    "variance": "robust",
    "link": "distance_scale",
    "start": "entry",
    "stop": "duration",
    "n_boot": "n_bootstrap",
}
# (public function, retired name) pairs kept as deprecated aliases, and where the retired
# word means something else (documented in the vocabulary table).
ALLOWED_RETIRED = {
    ("propensity", "link"),  # the model's link function, as in glm()
    ("weight", "link"),  # the propensity model's link function
    ("build_followup", "start"),  # the date follow-up starts, not a time on a scale
    ("build_followup_with_report", "start"),  # the same arguments as build_followup
    ("andersen_gill", "start"),  # the deprecated alias of recurrent_cox, kept whole
    ("andersen_gill", "stop"),
    ("simulate_community", "start"),  # first calendar period of the simulated panel
    ("simulate_community", "alpha"),  # area effects' spread, not a significance level
}


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SOURCE.rglob("*.py")):
        parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


MODULES = dict(_modules())


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _top_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for child in node.body if isinstance(node, ast.If | ast.Try) else [node]:
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child


def test_no_private_name_is_imported_from_another_module() -> None:
    offending = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = _absolute(node, _package_of(name, path))
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and f"{source}.{alias.name}" not in MODULES:
                    offending.append(f"{name} imports {alias.name} from {source}")
    assert not offending, "\n".join(offending)


def _import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets: set[str] = set()
        for node in _top_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name in MODULES)
                continue
            source = _absolute(node, _package_of(name, path))
            for alias in node.names:
                full = f"{source}.{alias.name}"
                targets.add(full if full in MODULES else source)
        # a package's __init__ importing its own modules is not a cycle
        graph[name] = {t for t in targets if t in MODULES and not t.startswith(name + ".")}
        graph[name].discard(name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            step = next(successors, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph[step]))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    assert _cycles(_import_graph()) == []


def _listed_paths() -> list[str]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    return re.findall(r"`(src/rpeval/[\w/]+\.py)`", text)


def test_architecture_page_module_list_is_current() -> None:
    """The page's module list is what docs/scripts/architecture_modules.py writes today."""
    script = ARCHITECTURE.parent / "scripts" / "architecture_modules.py"
    spec = importlib.util.spec_from_file_location("architecture_modules", script)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert generator.module_list() in ARCHITECTURE.read_text(encoding="utf-8"), (
        "run: python docs/scripts/architecture_modules.py"
    )


def test_architecture_page_lists_every_module_once() -> None:
    listed = _listed_paths()
    actual = {str(p.relative_to(SOURCE.parents[1])) for p in MODULES.values()}
    assert sorted(actual - set(listed)) == [], "modules missing from docs/architecture.md"
    assert sorted(set(listed) - actual) == [], "docs/architecture.md names missing modules"
    repeated = sorted({p for p in listed if listed.count(p) > 1})
    assert repeated == []


def _is_numba_kernel(node: ast.FunctionDef) -> bool:
    return any(
        re.search(r"\b(n?jit|vectorize|guvectorize|kernel)\b", ast.unparse(d))
        for d in node.decorator_list
    )


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from ``def`` to the end, less the docstring's."""
    total = (node.end_lineno or node.lineno) - node.lineno + 1
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        total -= (first.end_lineno or first.lineno) - first.lineno + 1
    return total


def test_functions_are_at_most_80_lines() -> None:
    offending = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = _body_lines(node)
                if lines > MAX_FUNCTION_LINES and not _is_numba_kernel(node):
                    offending.append(f"{name}.{node.name}: {lines} lines")
    assert not offending, "\n".join(offending)


def test_modules_are_at_most_400_lines() -> None:
    lengths = {n: len(p.read_text(encoding="utf-8").splitlines()) for n, p in MODULES.items()}
    assert {n: k for n, k in lengths.items() if k > MAX_MODULE_LINES} == {}


def _public_callables() -> Iterator[tuple[str, inspect.Signature]]:
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield name, inspect.signature(obj)


@pytest.mark.parametrize("retired", sorted(RETIRED))
def test_vocabulary_table_holds(retired: str) -> None:
    offending = []
    for name, signature in _public_callables():
        if retired in signature.parameters and (name, retired) not in ALLOWED_RETIRED:
            replacement = RETIRED[retired]
            if replacement not in signature.parameters:
                offending.append(f"{name}({retired}=): use {replacement}=")
    assert not offending, "\n".join(offending)


# One computation, one home: these patterns may appear only in the shared module named.
ONE_HOME = {
    "a conf_level range check": (re.compile(r"<\s*(?:float\()?conf_level\)?\s*<"), "_options.py"),
    "a two-sided normal p-value": (
        re.compile(r"2(?:\.0)?\s*\*\s*stats\.norm\.sf"),
        "_inference.py",
    ),
}


@pytest.mark.parametrize("what", sorted(ONE_HOME))
def test_shared_computations_have_one_home(what: str) -> None:
    pattern, home = ONE_HOME[what]
    offending = [
        f"{name}: line {number}"
        for name, path in MODULES.items()
        if path.name != home
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offending, f"{what} outside rpeval/{home}:\n" + "\n".join(offending)
