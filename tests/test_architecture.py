"""The layer rule of docs/architecture.md holds: a module imports only from layers below its own.

Layers, bottom to top (a package's modules share its rank; siblings of one rank never import each other):
version, errors, records, settings, serialization -> text basics and embeddings -> domain stages (ingest, dedup,
cluster, summary, compare) -> pipeline -> engines (scale) -> output and store -> the service layer (the only
code that uses pipeline and store together, the Python API among it) -> the web app -> the CLI -> the package facade.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "storyline"

LAYERS: list[set[str]] = [
    {"_version", "schema"},
    {"errors"},
    {"models"},
    {"config"},
    {"serialize"},
    {"text", "embed"},
    {"ingest", "dedup", "cluster", "summary", "compare"},
    {"pipeline"},
    {"scale"},
    {"output", "store"},
    {"service"},
    {"web"},
    {"cli"},
    {"__init__"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _part(module: str) -> str:
    """The top-level part of ``storyline.X.Y`` (``X``); the package itself is ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path, *, at_run_time: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module) of every storyline import in ``path``, those inside functions included; with
    ``at_run_time`` those under ``if TYPE_CHECKING:`` (annotations only) are left out."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    package = package.removesuffix(".__init__")
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(inner) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                   for inner in ast.walk(node)} if at_run_time else set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
                names = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
            else:
                names = [node.module or ""]
            found += [(node.lineno, n) for n in names if n.startswith("storyline")]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("storyline")]
    return found


def test_every_top_level_module_has_a_layer() -> None:
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))}
    assert parts <= set(RANK), f"give these a layer in tests/test_architecture.py and docs/architecture.md: " \
                               f"{sorted(parts - set(RANK))}"


def test_no_module_imports_a_layer_above_or_beside_its_own() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = _part(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        for line, target in _imports(path):
            there = _part(target)
            if there != here and RANK[there] >= RANK[here]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({here}, layer {RANK[here]}) imports "
                             f"{target} ({there}, layer {RANK[there]})")
    assert not wrong, "imports against the layer rule (docs/architecture.md):\n" + "\n".join(wrong)


def _module(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def test_no_import_cycles_not_even_through_imports_inside_functions() -> None:
    """Within a layer too, modules import one way: an import inside a function must not hide a cycle."""
    modules = {_module(path): path for path in PACKAGE.rglob("*.py")}

    def resolve(target: str) -> str | None:  # a module, or the module a name was imported from
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    graph = {name: {m for _, t in _imports(path, at_run_time=True)
                    if (m := resolve(t)) is not None and m != name and not name.startswith(m + ".")}
             for name, path in modules.items()}
    cycles = []
    for start in sorted(graph):  # every path back to ``start`` (depth-first; the graph is small)
        stack, seen = [(start, [start])], set()
        while stack:
            here, path = stack.pop()
            for there in sorted(graph[here]):
                if there == start:
                    cycles.append(" -> ".join([*path, start]))
                elif there not in seen:
                    seen.add(there)
                    stack.append((there, [*path, there]))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The rule is checked for real: an import of the store from a domain module is reported."""
    module = tmp_path / "storyline" / "cluster" / "bad.py"
    module.parent.mkdir(parents=True)
    module.write_text("from ..store import Store\n", encoding="utf-8")
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "storyline"
    try:
        assert _imports(module) == [(1, "storyline.store")]
        assert RANK[_part("storyline.store")] > RANK[_part("storyline.cluster.bad")]
    finally:
        PACKAGE = saved
