"""Which environment variables Python code reads, found by reading its syntax tree.

Recognised: os.environ["X"], os.environ.get("X"), os.getenv("X"), and the fields
of pydantic-settings `BaseSettings` subclasses, direct or through a settings class of the
same module (upper-cased, with their env_prefix; a Field alias is used as it is).
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
    settings = _settings_classes(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_environ(node.value):
            name = _literal(node.slice)
            if name:
                yield name, node.lineno
        elif isinstance(node, ast.Call) and node.args and _is_getter(node.func):
            name = _literal(node.args[0])
            if name:
                yield name, node.lineno
        elif isinstance(node, ast.ClassDef) and node.name in settings:
            yield from _settings_fields(node, settings)


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


def _settings_classes(tree: ast.AST) -> dict[str, ast.ClassDef]:
    """Classes of this module that are pydantic-settings models, directly or by inheritance."""
    classes = [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    found: dict[str, ast.ClassDef] = {}
    grew = True
    while grew:  # a subclass may come before its base in the walk
        grew = False
        for node in classes:
            if node.name not in found and any(
                _base_name(b) in {"BaseSettings", *found} for b in node.bases
            ):
                found[node.name] = node
                grew = True
    return found


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _settings_fields(
    node: ast.ClassDef, settings: dict[str, ast.ClassDef]
) -> Iterator[tuple[str, int]]:
    prefix = _env_prefix(node, settings)
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            name = statement.target.id
            if name.startswith("_") or name == "model_config":
                continue
            alias = _alias(statement.value)  # an alias is the variable's whole name, no prefix
            yield alias or (prefix + name).upper(), statement.lineno


def _alias(value: ast.expr | None) -> str | None:
    if isinstance(value, ast.Call) and _base_name(value.func) == "Field":
        for keyword in value.keywords:
            if keyword.arg in {"alias", "validation_alias"}:
                return _literal(keyword.value)
    return None


def _env_prefix(node: ast.ClassDef, settings: dict[str, ast.ClassDef]) -> str:
    """The class's own env_prefix, else the nearest one it inherits from a settings base here."""
    seen: set[str] = set()
    current: ast.ClassDef | None = node
    while current is not None and current.name not in seen:
        seen.add(current.name)
        prefix = _own_prefix(current)
        if prefix is not None:
            return prefix
        parents = (settings.get(_base_name(b) or "") for b in current.bases)
        current = next((parent for parent in parents if parent is not None), None)
    return ""


def _own_prefix(node: ast.ClassDef) -> str | None:
    for statement in node.body:
        if not isinstance(statement, ast.Assign | ast.AnnAssign):
            continue
        value = statement.value
        if isinstance(value, ast.Call):
            for keyword in value.keywords:
                if keyword.arg == "env_prefix":
                    return _literal(keyword.value) or ""
    return None
