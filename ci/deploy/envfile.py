"""The bot's environment for one deploy: config values plus secrets from the process.

GitHub passes an environment's secrets to the deploy step as environment variables;
the file written from them lives in the target's shared folder with mode 0600.
Values are never printed; a release records only a digest (names and value hashes).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from ci.core import actions
from ci.core.config import Config
from ci.core.errors import RefusedError
from ci.core.settings import environment
from logsafe import is_secret_name


class MissingVariable(RefusedError):
    """A variable the environment requires is not set."""


def values(config: Config, env: str, environ: Mapping[str, str]) -> dict[str, str]:
    cfg = config.environments[environment(config, env)]
    result = dict(cfg.vars)
    for name in cfg.vars:
        if environ.get(name):
            result[name] = environ[name]
    missing = [name for name in cfg.required if not environ.get(name)]
    if missing:
        raise MissingVariable(
            f"{env}: required variable {missing[0]} is not set"
            + (f" (nor {', '.join(missing[1:])})" if missing[1:] else "")
        )
    for name in cfg.required:
        result[name] = environ[name]
    return result


def mask_in_github(found: Mapping[str, str], environ: Mapping[str, str] | None = None) -> None:
    """Under GitHub Actions, tell the runner to mask every secret value we derived."""
    actions.mask((v for n, v in found.items() if v and is_secret_name(n)), environ)


def write(path: Path, found: Mapping[str, str]) -> None:
    """Write KEY=value lines with mode 0600 from the start (no window where it is readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        for name in sorted(found):
            handle.write(f"{name}={_quote(found[name])}\n")
    temporary.replace(path)


def read(path: Path) -> dict[str, str]:
    from dotenv import dotenv_values

    return {k: v or "" for k, v in dotenv_values(path).items()}


def digest(found: Mapping[str, str]) -> dict[str, str]:
    """Names and SHA-256 of values: enough to tell what changed, never the values."""
    return {
        name: hashlib.sha256(value.encode()).hexdigest()[:16]
        for name, value in sorted(found.items())
    }


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
