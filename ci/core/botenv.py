"""The bot's own environment: the interpreter its code runs under, and the tools in it.

The pipeline's tools run the pipeline; the code under test runs under the bot's interpreter,
built from the bot's own lock (`[tool.bottie] python`, or `BOTTIE_BOT_PYTHON`, wins). The
tests gate runs pytest with it, the smoke run and the deploy fill `{python}` with it, and the
lint gate prefers the ruff installed beside it (the bot's pinned version) over ours.

Unset, the interpreter running the pipeline is used, which only suits a bot whose
dependencies were installed into the pipeline's environment. Set but missing is an error:
a configured environment that is not there must never fall back silently.

`build` makes that environment (`bottie-ci bot-env`, and gate.yml in CI) from the same
hash-locked files the audit gate checks, `[tool.bottie.audit] requirements`: what is
audited is what runs.

A deployed release outlives the checkout it came from (a runner's next job cleans its
workspace), so the deploy does not use a relative setting as it stands: an absolute one is an
environment the operator keeps on the host, used as is; a relative or unset one means the
release runs under an environment the deploy builds from that release's own lock
(`built_by_deploy`; ci/deploy/venvs.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from ci.core import proc
from ci.core.errors import ConfigError, ToolError

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
            tip="build the bot's environment from its hash-locked lock: bottie-ci bot-env",
        )
    # Not resolved: a venv's python is a symlink whose location is what makes it the venv's.
    return str(path.absolute())


def tool_beside(python: str, name: str) -> str | None:
    """The executable `name` installed beside `python` (in the bot's venv), if any."""
    candidate = Path(python).with_name(name)
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def for_deploy(python: str, environ: Mapping[str, str] | None = None) -> str:
    """The interpreter every release of a target runs under unless the release names its
    own: an absolute setting (an environment the operator keeps on the bot's host), else ""
    (the deploying interpreter, or the one the release's own environment has)."""
    setting = configured(python, environ)
    path = Path(setting).expanduser() if setting else None
    return str(path) if path is not None and path.is_absolute() else ""


def built_by_deploy(python: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether a deploy builds the release's environment from the release's own lock: the
    setting is unset or relative to the repository. A relative interpreter lives in the work
    tree, which the next checkout cleans; a release must never run from there."""
    return not for_deploy(python, environ)


def default_venv(root: Path, python: str, environ: Mapping[str, str] | None = None) -> Path:
    """The virtual environment a configured interpreter belongs to (`.venv` for
    `.venv/bin/python`)."""
    path = Path(configured(python, environ)).expanduser()
    return (path if path.is_absolute() else root / path).parent.parent


def build(
    root: Path,
    requirements: list[str],
    into: Path,
    *,
    timeout: float = 900,
    env: Mapping[str, str] | None = None,
) -> str:
    """Create a virtual environment at `into` and install the bot's hash-locked requirement
    files into it (`--require-hashes`: nothing unpinned or unhashed); its interpreter. `env`:
    the installer's environment (default: this process's)."""
    missing = [r for r in requirements if not (root / r).is_file()]
    if not requirements or missing:
        raise ConfigError(
            f"the bot's lock {missing[0] if missing else '(none)'} does not exist "
            "([tool.bottie.audit] requirements)",
            tip="lock with hashes: uv pip compile --generate-hashes requirements.in "
            "-o requirements.txt",
        )
    python = into / "bin" / "python"
    # The pipeline's own pip installs into a venv made without one (`pip --python`, as
    # scripts/install-pipeline.sh does): measured, `python -m venv` spends about 4.8 s of CPU
    # putting pip into the new environment, `--without-pip` 0.04 s. Without a pip that can do
    # that here, the environment gets its own pip as before.
    pipeline_pip = _pip_that_installs_elsewhere()
    venv = [sys.executable, "-m", "venv", *(["--without-pip"] if pipeline_pip else []), str(into)]
    created = proc.run(venv, cwd=root, timeout=timeout, env=env)
    if not created.ok:
        raise ToolError(f"could not create the bot's environment {into}: {created.describe()}")
    if pipeline_pip:
        pip = [sys.executable, "-m", "pip", "--python", str(python), "install"]
    else:
        pip = [str(python), "-m", "pip", "install"]
    pip += ["--require-hashes", "--no-input", "--disable-pip-version-check", "--quiet"]
    pip += [arg for r in requirements for arg in ("-r", r)]
    installed = proc.run(pip, cwd=root, timeout=timeout, env=env)
    if not installed.ok:
        last = installed.output.strip().splitlines()[-1:] or [""]
        raise ToolError(
            f"the bot's lock did not install ({installed.describe()}): {last[0]}",
            tip="every requirement needs a pinned version and --hash= lines",
        )
    return str(python.absolute())


def _pip_that_installs_elsewhere() -> bool:
    """Whether the pipeline's environment has a pip with `--python` (pip 22.3 or later; the
    pipeline's lock pins one, for pip-audit)."""
    import importlib.metadata  # only here: with email and zipfile, it costs more than a lint run

    try:
        version = importlib.metadata.version("pip")
        major, minor = (int(part) for part in version.split(".")[:2])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return False
    return (major, minor) >= (22, 3)
