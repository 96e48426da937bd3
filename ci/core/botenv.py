"""The bot's own environment: the interpreter its code runs under, and the tools in it.

The pipeline's tools run the pipeline; the code under test runs under the bot's interpreter,
built from the bot's own lock (`[tool.bottie] python`, or `BOTTIE_BOT_PYTHON`, wins). The
tests gate runs pytest with it, the smoke run and the deploy fill `{python}` with it, and the
lint gate prefers the ruff installed beside it (the bot's pinned version) over ours.

Unset, the interpreter running the pipeline is used, which only suits a bot whose
dependencies were installed into the pipeline's environment. Set but missing is an error:
a configured environment that is not there must never fall back silently.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from ci.core.errors import ConfigError

PYTHON_ENV = "BOTTIE_BOT_PYTHON"


def configured(python: str, environ: Mapping[str, str] | None = None) -> str:
    """The configured interpreter as written ("" when none is configured)."""
    environ = os.environ if environ is None else environ
    return environ.get(PYTHON_ENV) or python


def bot_python(root: Path, python: str, environ: Mapping[str, str] | None = None) -> str:
    """The absolute path of the bot's interpreter (relative settings are under `root`)."""
    setting = configured(python, environ)
    if not setting:
        return sys.executable
    path = Path(setting).expanduser()
    if not path.is_absolute():
        path = root / path
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise ConfigError(
            f"the bot's interpreter {setting} (python / {PYTHON_ENV}) does not exist",
            tip="build the bot's environment from its lock, e.g. python -m venv .venv && "
            ".venv/bin/pip install --require-hashes -r requirements.txt",
        )
    # Not resolved: a venv's python is a symlink whose location is what makes it the venv's.
    return str(path.absolute())


def tool_beside(python: str, name: str) -> str | None:
    """The executable `name` installed beside `python` (in the bot's venv), if any."""
    candidate = Path(python).with_name(name)
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def for_deploy(python: str, environ: Mapping[str, str] | None = None) -> str:
    """The interpreter a deployed release runs under: absolute, since a release starts in its
    own folder ("" = the deploying interpreter). A relative setting is taken from where the
    deploy runs, the repository's root, where the bot's environment was built."""
    setting = configured(python, environ)
    return str(Path(setting).expanduser().absolute()) if setting else ""
