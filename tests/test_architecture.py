"""The architecture as tests: no import cycle, nothing imports upward, one module reads HEADWATER_*.

The contracts themselves live in pyproject.toml ([tool.importlinter]) so ``lint-imports`` checks
the same rules from the command line.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
LIBRARY = PROJECT / "include"


def _graph():
    import grimp

    sys.path.insert(0, str(LIBRARY))
    return grimp.build_graph("headwater", include_external_packages=False, cache_dir=None)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules() -> None:
    """Function-local imports count too: a cycle hidden inside a function is still a cycle."""
    graph = _graph()
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert _cycles(edges) == []


def test_no_import_cycle_between_stage_packages() -> None:
    graph = _graph()
    packages = {m.split(".")[1] for m in graph.modules if m.count(".") >= 1}

    def top(module: str) -> str:
        return module.split(".")[1] if module.count(".") >= 1 else ""

    edges: dict[str, set[str]] = {p: set() for p in packages}
    for m in graph.modules:
        for n in graph.find_modules_directly_imported_by(m):
            if top(m) and top(n) and top(m) != top(n):
                edges[top(m)].add(top(n))
    assert _cycles(edges) == []


def test_import_contracts_hold() -> None:
    """Every [tool.importlinter] contract of pyproject.toml is kept (run as `lint-imports` would)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(LIBRARY), os.environ.get("PYTHONPATH", "")])}
    exe = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(exe), "--no-cache"], cwd=PROJECT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(n.lineno, n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


SOURCES = sorted([*(PROJECT / "include").rglob("*.py"), *(PROJECT / "dags").glob("*.py"), *(PROJECT / "plugins").rglob("*.py")])


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_headwater_variables_are_read_in_one_module(path: Path) -> None:
    """Only headwater.config.settings names a HEADWATER_* variable as a key; elsewhere they appear in messages only."""
    if path == PROJECT / "include" / "headwater" / "config" / "settings.py":
        return
    keys = [(line, s) for line, s in _string_constants(path) if re.fullmatch(r"HEADWATER_[A-Z0-9_]+", s)]
    source = path.read_text(encoding="utf-8")
    reads = re.findall(r"(?:environ\s*(?:\.get\s*\(|\[)|getenv\s*\()\s*[\"']HEADWATER_", source)
    assert keys == [] and reads == []
