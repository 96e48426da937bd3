"""Reading `[tool.bottie]` out of pyproject.toml (standard library only).

Validation is the config models' job (`ci/core/config.py`); this only finds the table, and
says in one line why a file cannot be read or parsed.
"""

from __future__ import annotations

from pathlib import Path

from ci.core.errors import ConfigError

PYPROJECT = "pyproject.toml"


def read(root: Path) -> str | None:
    """The text of `root`'s pyproject.toml (as text mode reads it), or None when there is none."""
    path = root / PYPROJECT
    if not path.exists() and not path.is_symlink():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{PYPROJECT}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{PYPROJECT}: cannot read it: {exc.strerror or exc}") from None


def parse(text: str | None) -> dict[str, object] | None:
    """The whole document of a pyproject's text (None when there is no file)."""
    if text is None:
        return None
    import tomllib  # only to parse: a remembered config (config_cache) needs no parsing

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{PYPROJECT}: not valid TOML: {exc}") from None


def bottie_table(text: str | None) -> object:
    """The `[tool.bottie]` table of a pyproject's text; {} when there is no file or table."""
    return bottie_table_of(parse(text))


def bottie_table_of(data: dict[str, object] | None) -> object:
    """The `[tool.bottie]` table of a parsed pyproject (`parse`)."""
    if data is None:
        return {}
    tool = data.get("tool", {})
    if not isinstance(tool, dict):  # `[tool.bottie]` itself is the models' to judge
        raise ConfigError(f"{PYPROJECT}: [tool]: should be a table")
    return tool.get("bottie", {})
