"""The layers point one way: no import circle among board/ modules, and no function-local import
of a board module (the usual way a circle is hidden rather than removed).

The graph is read from the source with `ast`, nothing is imported: every `import board.x`,
`from board.x import y` and `from board import x` (an edge to board.x when x is a module, else to
the package `board`), at module level or inside a function. Imports under `if TYPE_CHECKING:`
never run, so they are left out."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "board"


@dataclass(frozen=True)
class Edge:
    """One import statement of a board module by a board module."""

    source: str
    target: str
    line: int
    local: bool  # inside a function body

    def where(self) -> str:
        path = self.source.replace(".", "/")
        path += "/__init__.py" if (ROOT / path).is_dir() else ".py"
        return f"{path}:{self.line}"


def board_modules() -> dict[str, Path]:
    """Dotted name → file, for every board/**/*.py."""
    modules = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imports(tree: ast.AST):
    """(import node, inside a function?) for every import that runs, at any depth."""
    stack = [(tree, False)]
    while stack:
        node, local = stack.pop()
        if _is_type_checking(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, local
        inner = local or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def _base(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The absolute module a `from … import` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    parts = parts[: len(parts) - node.level + (1 if is_package else 0)]
    return ".".join(parts + ([node.module] if node.module else []))


def _targets(module: str, node, modules: dict[str, Path]) -> set[str]:
    """The board modules one import statement loads by name."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = _base(module, node, modules[module].name == "__init__.py")
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                 for a in node.names]
    found = set()
    for name in names:
        while name and name not in modules:  # `import board.x.y` where y is not a module
            name = name.rpartition(".")[0]
        if name and name != module:
            found.add(name)
    return found


def module_edges(module: str, source: str, modules: dict[str, Path]) -> list[Edge]:
    """The imports of board modules in one module's source."""
    return [Edge(module, target, node.lineno, local)
            for node, local in _imports(ast.parse(source))
            for target in sorted(_targets(module, node, modules))]


def import_edges() -> list[Edge]:
    modules = board_modules()
    edges = [edge for module, path in modules.items()
             for edge in module_edges(module, path.read_text(encoding="utf-8"), modules)]
    return sorted(edges, key=lambda e: (e.source, e.line, e.target))


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the components with more than one module (each one is a circle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def one_cycle(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest path from the component's first module back to itself (breadth first)."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                return paths[node] + [start]
            if nxt not in paths:
                paths[nxt] = paths[node] + [nxt]
                queue.append(nxt)
    raise AssertionError(f"no cycle through {start}")  # a component always has one


def describe_circles(edges: list[Edge]) -> str:
    """Each circle: its modules, one concrete loop, and every import inside it (to cut one)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
    lines = []
    for component in strongly_connected(graph):
        lines.append(f"circle of {len(component)} modules: {', '.join(component)}")
        lines.append("  for example " + " → ".join(one_cycle(component, graph)))
        for edge in edges:
            if edge.source in component and edge.target in component:
                kind = "function-local" if edge.local else "module-level"
                lines.append(f"    {edge.where()}: {edge.source} imports {edge.target} ({kind})")
    return "\n".join(lines)


def test_the_graph_reader_sees_the_board():
    """Guards the two tests below against passing vacuously (a wrong root, a parser that finds
    nothing)."""
    edges = import_edges()
    assert "board.models" in board_modules()
    assert any(e.target.startswith("board.models") for e in edges)
    assert any(not e.local for e in edges)


def test_the_reader_resolves_every_import_form():
    modules = {name: Path(path) for name, path in {
        "board": "board/__init__.py", "board.a": "board/a.py", "board.b": "board/b.py",
        "board.c": "board/c.py", "board.pkg": "board/pkg/__init__.py",
        "board.pkg.d": "board/pkg/d.py"}.items()}
    source = """
from board import b, create_app
import board.c, flask
from board.pkg.d import thing
from .pkg import d
def f():
    from board import pkg
if TYPE_CHECKING:
    from board import c
"""
    found = {(e.target, e.line, e.local) for e in module_edges("board.a", source, modules)}
    assert found == {("board.b", 2, False), ("board", 2, False), ("board.c", 3, False),
                     ("board.pkg.d", 4, False), ("board.pkg.d", 5, False),
                     ("board.pkg", 7, True)}


def test_the_circle_finder_finds_a_planted_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert one_cycle(["a", "b", "c"], graph) == ["a", "b", "c", "a"]


def test_board_modules_import_each_other_in_no_circle():
    """A circle makes import order matter and forces hidden, function-local imports; a module's
    dependencies should point one way, down towards models."""
    circles = describe_circles(import_edges())
    assert not circles, "import circle(s) among board/ modules:\n" + circles


def test_no_board_module_imports_another_inside_a_function():
    """A function-local import of a board module usually dodges a circle instead of removing it;
    the dependency should be stated at the top of the module."""
    local = [f"{e.where()}: {e.source} imports {e.target}" for e in import_edges() if e.local]
    assert not local, "function-local imports of board modules:\n" + "\n".join(local)
