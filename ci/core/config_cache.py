"""`[tool.bottie]` validated once per pyproject: plain values for commands that need no models.

The config models (`ci/core/config.py`) stay the one definition and the one validator. What
they accept, with every default filled in, is remembered in the git dir (never the work
tree) under a key that names everything the verdict depends on: the pyproject's text, the
pipeline's version, the source of the modules that define the config, pydantic's version
and Python's. A command that only reads values (`run lint`, the commit hooks) then starts
without importing pydantic or building the models. What the lint gate reads of the ruff config
in the same file (`ruff_facts`) is remembered with it, so a lint run parses no TOML.

Fail closed: no entry, another key, or an entry that cannot be read as one means validating
again, so the cache only ever skips a validation that succeeded on these exact bytes. A bad
config is never remembered: its error is raised every time, as before.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import ci
from ci.core import git
from ci.core.errors import GitError
from ci.core.pyproject import bottie_table_of, parse, read

TYPE_CHECKING = False  # `typing` only for the type checker: it costs `run lint` more than json
if TYPE_CHECKING:
    from hashlib import _Hash as Hash
    from typing import Any

ENTRY = "bottie-config.json"
# The modules whose code decides what a valid config is and what its defaults are, and what
# the lint gate reads of the ruff config beside it (`ruff_facts`).
_DEFINITION = ("config.py", "profile.py", "pyproject.py", "ruff_config.py")
# The ruff facts of the pyprojects read in this process, by (root, text): a lint run reads
# them after the config, without computing the key again.
_RUFF: dict[tuple[Path, str | None], dict[str, Any]] = {}


def values(root: Path, git_dir: Path | None = None) -> dict[str, Any]:
    """The validated `[tool.bottie]` of `root` as JSON values, every default filled in.

    `git_dir` is root's, when the caller has it already (`git.locate`). Raises ConfigError,
    with the models' one line per bad field, when it is not valid."""
    text = read(root)
    slot = _slot(root, text, git_dir)
    cached = _load(*slot) if slot else None
    if cached is not None:
        _RUFF[root, text] = cached["ruff"]
        config_values: dict[str, Any] = cached["config"]
        return config_values
    from ci.core import config, ruff_config  # pydantic, only for bytes not validated yet

    document = parse(text)
    dumped: dict[str, Any] = config.parse(bottie_table_of(document)).model_dump(mode="json")
    ruff = ruff_config.facts(document)
    if slot:
        _save(*slot, {"config": dumped, "ruff": ruff})
    _RUFF[root, text] = ruff
    return dumped


def ruff_facts(root: Path, git_dir: Path | None = None) -> dict[str, Any]:
    """What `ci.core.ruff_config.facts` says of root's pyproject.toml, remembered with its
    config (validated first, as `values` does, when it was not yet)."""
    text = read(root)
    if (root, text) not in _RUFF:
        values(root, git_dir)
    return dict(_RUFF[root, text])


def _slot(root: Path, text: str | None, git_dir: Path | None) -> tuple[Path, str] | None:
    """Where the entry lives and the key it must carry; None when there is no git dir or the
    key cannot be made (a definition module shipped without its source): validate each time."""
    try:
        return (git_dir or git.absolute_git_dir(root)) / ENTRY, _key(text)
    except (GitError, OSError):
        return None


def _key(text: str | None) -> str:
    digest = _sha256()
    here = Path(__file__).parent
    parts = [ci.__version__.encode(), sys.version.encode(), _pydantic_version()]
    parts += [(here / name).read_bytes() for name in _DEFINITION]
    parts.append(b"\0no file" if text is None else text.encode())
    for part in parts:  # length-prefixed, so no two different lists hash alike
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _sha256() -> Hash:
    """SHA-256 from the interpreter's own module, which `hashlib` falls back to: importing
    `hashlib` loads OpenSSL's binding first, a few ms of every command that reads the config."""
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]  # 3.12 on
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]  # 3.11
        except ImportError:
            from hashlib import sha256
    digest: Hash = sha256()
    return digest


def _pydantic_version() -> bytes:
    # Its version file, found without importing pydantic (pydantic pins its core exactly).
    spec = importlib.util.find_spec("pydantic")
    if spec is None or spec.origin is None:
        return b"no pydantic"
    return (Path(spec.origin).parent / "version.py").read_bytes()


def _load(entry: Path, key: str) -> dict[str, Any] | None:
    """The entry's {"config": ..., "ruff": ...} when it carries `key`, else None."""
    try:
        document = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("key") != key:
        return None
    remembered = {name: document.get(name) for name in ("config", "ruff")}
    return remembered if all(isinstance(v, dict) for v in remembered.values()) else None


def _save(entry: Path, key: str, remembered: dict[str, Any]) -> None:
    """Write the entry whole or not at all (a reader sees the old one or the new one)."""
    part = entry.with_name(f".{ENTRY}.{os.getpid()}")
    try:
        part.write_text(json.dumps({"key": key, **remembered}), encoding="utf-8")
        part.replace(entry)
    except OSError:  # a read-only git dir: validate again next time
        part.unlink(missing_ok=True)
