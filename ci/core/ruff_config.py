"""What the repository's own ruff config says about T20 (no stray `print`), from pyproject.toml.

The lint gate runs `ruff check` with the repository's config and, for the print-free folders,
`ruff check --select T20`. When the config already selects the whole T20 group (`T20`, `T2`,
`T` or `ALL`) and ignores none of it, the first run reports every print the second one would:
the same rules, per-file-ignores and `noqa` comments apply to the same files
(`ci.gates.lint.t20_covered` checks the files). These facts are read once per pyproject text,
when it is validated (`ci.core.config_cache` remembers them with the config), so a lint run
parses no TOML. Anything this module cannot be sure of reads as "not covered": the T20 run
then runs, as it always did.
"""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` only for the type checker: it costs `run lint` more than json
if TYPE_CHECKING:
    from typing import Any

# The group `ruff check --select T20` runs, and the selectors that select all of it.
_WHOLE_T20 = frozenset({"ALL", "T", "T2", "T20"})
# What ruff excludes when the config sets no `exclude` of its own: ruff 0.17's list, and `build`
# (older ruffs'); every name here counts as a pattern that may skip a print-free folder.
DEFAULT_EXCLUDE = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)
NOT_COVERED: dict[str, Any] = {"t20": False, "exclude": []}


def facts(document: object) -> dict[str, Any]:
    """{"t20": whether the root config surely selects all of T20 and ignores none of it,
    "exclude": every exclude pattern it names}, from the parsed pyproject.toml (None: no file).

    Sure means: a `[tool.ruff]` table (ruff then reads no config above the root), no `extend`
    (another file's rules), every `select` in force naming T20, T2, T or ALL (or an
    `extend-select` doing so), and no `ignore` or `extend-ignore` entry that is ALL or starts
    with T (a T20 rule, or an old code ruff redirects to one). The `lint` table's option wins
    over the deprecated top-level one, as in ruff; both are read."""
    tool = document.get("tool") if isinstance(document, dict) else None
    ruff = tool.get("ruff") if isinstance(tool, dict) else None
    if not isinstance(ruff, dict) or "extend" in ruff:
        return dict(NOT_COVERED)
    lint = ruff.get("lint", {})
    if not isinstance(lint, dict):
        return dict(NOT_COVERED)
    options = {
        name: [_selectors(table.get(name)) for table in (lint, ruff) if name in table]
        for name in ("select", "extend-select", "ignore", "extend-ignore")
    }
    excludes = [
        _selectors(table.get(name))
        for table, name in ((ruff, "exclude"), (ruff, "extend-exclude"), (lint, "exclude"))
        if name in table
    ]
    named = [entry for found in options.values() for entry in found]
    if any(entry is None for entry in [*named, *excludes]):
        return dict(NOT_COVERED)
    # In force: the `lint` table's list when it has one, else the top-level one.
    select, extend = options["select"][:1], options["extend-select"][:1]
    selected = _whole(extend[0] if extend else []) or _whole(select[0] if select else [])
    ignores = [s for key in ("ignore", "extend-ignore") for e in options[key] for s in e or ()]
    ignored = any(s == "ALL" or s.startswith("T") for s in ignores)
    patterns = sorted({pattern for entry in excludes for pattern in entry or ()})
    return {"t20": selected and not ignored, "exclude": patterns}


def _selectors(value: object) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value]
    return None


def _whole(selectors: list[str] | None) -> bool:
    return any(selector in _WHOLE_T20 for selector in selectors or ())
