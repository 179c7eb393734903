"""Parameterized SQL only: every raw SQL string in src/ is built from literals; values travel as bound parameters.

A static check over the source: each ``text(...)``, ``exec_driver_sql(...)`` and ``execute("...")`` argument must be a
string literal, or an f-string / concatenation whose every piece is itself built only from literals in the same
function. Any SQL text that could contain data fails here with the file and line. Injection attempts through the
API are in test_security_web.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

SOURCES = sorted((ROOT / "src" / "storyline").rglob("*.py"))
SINKS = {"text", "exec_driver_sql", "execute", "executemany", "executescript"}


def _assignments(function: ast.AST) -> dict[str, list[ast.expr]]:
    found: dict[str, list[ast.expr]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name) and node.value:
            found.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            # for name in ("a", "b"): each element is a value of name; any other iterable is data.
            elements = node.iter.elts if isinstance(node.iter, (ast.Tuple, ast.List)) else [node.iter]
            found.setdefault(node.target.id, []).extend(elements)
    return found


def _static(node: ast.expr, names: dict[str, list[ast.expr]], seen: frozenset[str] = frozenset()) -> bool:
    """True when ``node`` can only be a string made of literals (no data can reach it)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return all(_static(v.value, names, seen) if isinstance(v, ast.FormattedValue) else True for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _static(node.left, names, seen) and _static(node.right, names, seen)
    if isinstance(node, ast.IfExp):
        return _static(node.body, names, seen) and _static(node.orelse, names, seen)
    if isinstance(node, ast.Name) and node.id not in seen and node.id in names:
        return all(_static(value, names, seen | {node.id}) for value in names[node.id])
    return False


def _is_sql_text(node: ast.expr) -> bool:
    return isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp)) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
    )


def unsafe_sql(path: Path) -> list[str]:
    """``file:line`` of every SQL sink in ``path`` whose SQL text is not built from literals only."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    problems = []
    scopes = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))] + [tree]
    for scope in scopes:
        names = _assignments(scope)
        for node in ast.walk(scope):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name not in SINKS:
                continue
            sql = node.args[0]
            checked = name in {"text", "exec_driver_sql", "executescript"} or _is_sql_text(sql)
            if checked and not _static(sql, names):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(sql)[:80]}")
    return sorted(set(problems))


def test_every_sql_string_is_built_from_literals() -> None:
    problems = [p for path in SOURCES for p in unsafe_sql(path)]
    assert not problems, "SQL text built from data (use bound parameters):\n" + "\n".join(problems)


def test_the_check_catches_sql_built_from_data(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "fuzz_corpus" / "_sql_probe.py"
    bad.write_text(
        "from sqlalchemy import text\n"
        "def find(session, name):\n"
        "    where = 'id = ' + name\n"
        "    session.execute(text(f'SELECT * FROM articles WHERE {where}'))\n"
        "    session.execute('DELETE FROM t WHERE a = %s' % name)\n"
        "    session.execute(text('SELECT 1 WHERE x = :x'), {'x': name})\n"
    )
    try:
        problems = unsafe_sql(bad)
    finally:
        bad.unlink()
    assert len(problems) == 2 and ":4:" in problems[0] and ":5:" in problems[1]
