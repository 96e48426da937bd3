"""Which environment variables Python code reads, found by reading its syntax tree.

Recognised: os.environ["X"], os.environ.get("X"), os.getenv("X"), and the fields
of pydantic-settings `BaseSettings` subclasses (upper-cased, with their env_prefix).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EnvRead:
    name: str
    file: str
    line: int


def reads_in_tree(root: Path, sources: list[str]) -> list[EnvRead]:
    found: list[EnvRead] = []
    for source in sources:
        base = root / source
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for path in files:
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            except (SyntaxError, UnicodeDecodeError):
                continue  # the lint gate reports files that do not parse
            rel = str(path.relative_to(root))
            found += [EnvRead(name, rel, line) for name, line in _reads(tree)]
    return found


def _reads(tree: ast.AST) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_environ(node.value):
            name = _literal(node.slice)
            if name:
                yield name, node.lineno
        elif isinstance(node, ast.Call) and node.args and _is_getter(node.func):
            name = _literal(node.args[0])
            if name:
                yield name, node.lineno
        elif isinstance(node, ast.ClassDef) and _is_settings(node):
            yield from _settings_fields(node)


def _is_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _is_getter(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return (func.attr == "get" and _is_environ(func.value)) or func.attr == "getenv"
    return isinstance(func, ast.Name) and func.id == "getenv"


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_settings(node: ast.ClassDef) -> bool:
    return any(
        (isinstance(b, ast.Name) and b.id == "BaseSettings")
        or (isinstance(b, ast.Attribute) and b.attr == "BaseSettings")
        for b in node.bases
    )


def _settings_fields(node: ast.ClassDef) -> Iterator[tuple[str, int]]:
    prefix = _env_prefix(node)
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            name = statement.target.id
            if not name.startswith("_") and name != "model_config":
                yield (prefix + name).upper(), statement.lineno


def _env_prefix(node: ast.ClassDef) -> str:
    for statement in node.body:
        if not isinstance(statement, ast.Assign | ast.AnnAssign):
            continue
        value = statement.value
        if isinstance(value, ast.Call):
            for keyword in value.keywords:
                if keyword.arg == "env_prefix":
                    return _literal(keyword.value) or ""
    return ""
