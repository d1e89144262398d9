"""The package's import graph: no cycles, layers point down only (docs/design.md, "Layers").

Read from the source with :mod:`ast` (every ``import`` statement, at module level or inside a
function; those under ``if TYPE_CHECKING:`` are left out), so an import hidden inside a
function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: lowest first; a module may import its own layer and the layers below it
LAYERS: dict[str, tuple[str, ...]] = {
    "base": ("synergy.errors", "synergy._version"),
    "data": ("synergy.io",),
    "kernels": ("synergy._kernels",),
    "science": (
        "synergy.hill",
        "synergy.models",
        "synergy.stats",
        "synergy.sensitivity",
        "synergy.datasets",
        "synergy.plates",
        "synergy.status",
        "synergy.cleaning",
    ),
    "orchestration": (
        "synergy.scoring",
        "synergy.scoring_checks",
        "synergy.options",
        "synergy.batch",
        "synergy.benchmark",
        "synergy.window",
    ),
    "faces": (
        "synergy.accessor",
        "synergy.cli",
        "synergy.plot",
        "synergy.report",
        "synergy.demo",
        "synergy._register",
        "synergy",
    ),
}
RANK = {prefix: rank for rank, prefixes in enumerate(LAYERS.values()) for prefix in prefixes}
NAMES = list(LAYERS)


def _modules() -> dict[str, Path]:
    out = {}
    for path in (SRC / "synergy").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def layer(module: str) -> int:
    """Rank of the layer of ``module`` (the longest matching prefix)."""
    best = max(
        (p for p in RANK if module == p or module.startswith(p + ".")),
        key=len,
        default=None,
    )
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS and docs/design.md")
    return RANK[best]


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports(module: str) -> list[tuple[str, str | None, int]]:
    """``(target module, imported name or None, line)`` of every synergy import in ``module``."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree) if _type_checking(node) for n in ast.walk(node)}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, None, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in MODULES:
                    found.append((sub, None, node.lineno))
                else:
                    found.append((base, alias.name, node.lineno))
    return [(t, n, line) for t, n, line in found if t == "synergy" or t.startswith("synergy.")]


GRAPH = {m: imports(m) for m in MODULES}


def test_every_module_has_a_layer():
    for module in MODULES:
        layer(module)


def upward(graph: dict[str, list[tuple[str, str | None, int]]]) -> list[str]:
    """Imports of a module from a higher layer than its own."""
    return [
        f"{m} ({NAMES[layer(m)]}) line {line} imports {t} ({NAMES[layer(t)]})"
        for m, targets in graph.items()
        for t, _, line in targets
        if t in MODULES and layer(t) > layer(m)
    ]


def test_no_upward_imports():
    found = upward(GRAPH)
    assert not found, "\n".join(found)


def test_upward_import_is_caught():
    probe = {"synergy.stats.bootstrap": [("synergy.scoring", "score", 1)]}
    assert upward(probe) == [
        "synergy.stats.bootstrap (science) line 1 imports synergy.scoring (orchestration)"
    ]
    assert upward({"synergy.scoring": [("synergy.stats.bootstrap", None, 1)]}) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1 or v in graph.get(v, ()):
                found.append(sorted(part))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    graph = {m: {t for t, _, _ in targets if t in MODULES} for m, targets in GRAPH.items()}
    assert not _cycles(graph)


def test_cycle_detector_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def _subpackage(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def test_no_private_names_across_packages():
    """``synergy.x._y`` (a private module) or a ``_name`` is imported only inside ``synergy.x``.

    The top-level private modules (``synergy._kernels``, ``_version``, ``_register``) are
    layers or package plumbing, imported by name.
    """
    bad = []
    for m, targets in GRAPH.items():
        for t, name, line in targets:
            inner = t.split(".")[2:]  # below synergy.<package>
            private = any(p.startswith("_") for p in inner) or (
                name is not None and name.startswith("_") and not name.startswith("__")
            )
            if private and _subpackage(t) != _subpackage(m):
                bad.append(f"{m} line {line}: {t}{'.' + name if name else ''}")
    assert not bad, "\n".join(bad)


def test_kernels_import_no_xarray_or_pandas():
    for module, path in MODULES.items():
        if not module.startswith("synergy._kernels"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                )
                assert not any(str(n).split(".")[0] in ("xarray", "pandas") for n in names), (
                    f"{module} line {node.lineno}"
                )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from synergy.scoring import score", [("synergy.scoring", "score")]),
        ("if TYPE_CHECKING:\n    from synergy.scoring import score\n", []),
        ("def f():\n    from synergy import plot\n", [("synergy.plot", None)]),
    ],
)
def test_reader_sees_imports(tmp_path, monkeypatch, source, expected):
    path = tmp_path / "probe.py"
    path.write_text(source)
    monkeypatch.setitem(MODULES, "synergy.models.probe", path)
    assert [(t, n) for t, n, _ in imports("synergy.models.probe")] == expected
