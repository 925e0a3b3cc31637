"""The package's shape: one folder per topic, imports one way, no cycle anywhere.

Imports are read from the source (module level and inside functions alike), so
a cycle that only shows at run time, through a lazy import, fails here too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "audioml"
#: The shared core at the package root; every topic is a folder.
CORE = {"__init__", "__main__", "audio", "cli", "errors", "examples", "metrics", "noise", "paths",
        "progress", "registry", "shipped", "signals", "spectral"}
TOPICS = {"commands", "denoising", "experiments", "latent", "melody", "nn"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every audioml module *path* imports, anywhere in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("audioml")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("audioml"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        # "from audioml.x import y" names module audioml.x.y when it exists, else audioml.x.
        targets = {t for t in _imports(path) if t in modules}
        graph[name] = {t for t in targets if t != name and not name.startswith(t + ".")}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt] if nxt in path else path + [nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None


def test_the_root_holds_only_the_shared_core():
    files = {p.stem for p in PACKAGE.glob("*.py")}
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert files == CORE
    assert folders == TOPICS


def test_no_import_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]  # the check sees one
    graph = _graph()
    assert len(graph) > 40
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_library_imports_no_ui_and_no_streamlit():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        bad = {n for n in names if n.split(".")[0] in ("ui", "pages", "streamlit")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_topics_do_not_load_through_the_shipped_table():
    """audioml.shipped sits above the topics; a topic importing it would close a loop."""
    graph = _graph()
    users = {m for m, targets in graph.items() if "audioml.shipped" in targets}
    assert not {u for u in users if u.split(".")[1] in TOPICS - {"commands"}}, users
