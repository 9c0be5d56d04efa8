"""The package's import graph: layers only import downwards and module-level imports form no cycle.

An upload goes down the layers (handler → aws/ingest → pipeline → formats/extract → lake); a lower
layer that imported a higher one would make that walk climb back up."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "shared" / "khabar"

# Lowest first. A module belongs to the longest prefix that names it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("khabar.config", "khabar.models", "khabar.text", "khabar.kit", "khabar.currencies"),
    ("khabar.formats", "khabar.figures", "khabar.entities"),
    ("khabar.extract", "khabar.subject", "khabar.sql"),
    ("khabar.lake",),
    ("khabar.pipeline",),
    ("khabar.aws", "khabar.nightly"),
    # Entry points and development tools: nothing below may import them.
    ("khabar.cli", "khabar.local", "khabar.entities.training", "khabar.figures.evaluate"),
)


def _modules() -> dict[str, Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        parts = list(p.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = p
    return out


MODULES = _modules()


def _imports(path: Path, top_level_only: bool) -> set[str]:
    """khabar modules imported by `path`; `from pkg import submodule` counts as the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in tree.body if top_level_only else ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "khabar":
            subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES]
            out.update(subs)
            if len(subs) < len(node.names):
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "khabar")
    return {m for m in out if m in MODULES}


def _layer(module: str) -> int:
    best = (-1, -1)
    for i, prefixes in enumerate(LAYERS):
        for pre in prefixes:
            if (module == pre or module.startswith(pre + ".")) and len(pre) > best[1]:
                best = (i, len(pre))
    return best[0]


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if m != "khabar" and _layer(m) < 0] == []


def test_no_module_imports_a_higher_layer() -> None:
    upward = [(m, t) for m, p in MODULES.items() for t in _imports(p, top_level_only=False) if _layer(t) > _layer(m)]
    assert upward == []


def test_module_level_imports_have_no_cycle() -> None:
    graph = {m: _imports(p, top_level_only=True) - {m} for m, p in MODULES.items()}
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(m: str, path: list[str]) -> list[str] | None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return [*path[path.index(n) :], n] if n in path else [m, n]
            if n not in state and (cycle := visit(n, [*path, n])):
                return cycle
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            assert visit(m, [m]) is None


def test_the_checks_see_a_violation() -> None:
    # The layer map itself: a lake module importing the pipeline would be caught.
    assert _layer("khabar.lake.store") < _layer("khabar.pipeline") < _layer("khabar.aws.ingest")
    assert _layer("khabar.entities.training.train") > _layer("khabar.nightly.job")
