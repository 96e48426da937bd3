"""The environments deployed releases run under (the `local` target): one per lock, built by
the deploy from the release's own hash-locked requirement files, in the environment's folder
on the bot's host, outside any work tree, so it outlives the job and the checkout that
deployed it (a runner's next checkout cleans the workspace; `$RUNNER_TEMP` is emptied).

<base>/venvs/<key>            a link to the complete environment of one lock; releases record
                              <key>/bin/python as the interpreter they run under
<base>/venvs/<key>.<random>/  the environment itself, with the lock it was built from (lock/)

The key is a digest of the Python version and of the lock files' names and contents: one lock
on one Python is built once and shared by every release made from it; a changed lock gets an
environment of its own, and the releases of the old lock keep theirs.

A build goes into a folder of its own and the link is made (rename(2), atomic) only once pip
succeeded, so an interrupted build (a killed deploy, a lost runner) is never used; its folder
goes with the next sweep. The link, not a rename of the folder: a venv cannot be moved once
built (pip writes its path into the scripts it installs).

`sweep` removes the environments no release on the target records, and builds that never
completed. Builds and sweeps run only under the deploy lock.
"""

from __future__ import annotations

import hashlib
import os
import platform
import secrets
import shutil
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from ci.core.errors import ConfigError

LOCK_DIR = "lock"  # inside an environment: the lock files it was built from


def key(lock: Mapping[str, str]) -> str:
    """The name of the environment built from `lock` (file name -> content) on this Python."""
    version = platform.python_version()
    digest = hashlib.sha256(f"{sys.implementation.name} {version}\n".encode())
    for name in sorted(lock):
        data = lock[name].encode("utf-8")
        digest.update(f"{name}\0{len(data)}\0".encode() + data)
    return f"py{version}-{digest.hexdigest()[:16]}"


def ready(folder: Path, name: str) -> Path | None:
    """The interpreter of environment `name` when it is complete and can run here (its base
    Python still there)."""
    link = folder / name
    python = link / "bin" / "python"
    if link.is_symlink() and python.is_file() and os.access(python, os.X_OK):
        return python
    return None


def ensure(folder: Path, lock: Mapping[str, str], env: Mapping[str, str]) -> tuple[str, bool]:
    """The interpreter of the environment of `lock`, and whether it was built now (else it was
    there, complete). A build that fails raises (ci.core.errors.CiError) and leaves nothing.
    `env`: the installer's environment."""
    name = key(lock)
    found = ready(folder, name)
    if found is not None:
        return str(found), False
    _check_names(lock)
    folder.mkdir(parents=True, exist_ok=True)
    build = folder / f"{name}.{secrets.token_hex(4)}"
    try:
        for rel, text in lock.items():
            path = build / LOCK_DIR / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        from ci.core import botenv  # here: the deploy agent on an ssh host builds nothing

        botenv.build(build / LOCK_DIR, sorted(lock), build, env=env)
        link = folder / f".{name}.link-{build.name.rsplit('.', 1)[1]}"
        link.symlink_to(build.name)
        link.replace(folder / name)  # rename(2): the environment exists only complete
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return str(folder / name / "bin" / "python"), True


def name_of(folder: Path, python: str) -> str | None:
    """The environment (under `folder`) an interpreter recorded by a release belongs to."""
    path = Path(python)
    if len(path.parts) < 3 or path.parents[2] != folder:
        return None
    return path.parents[1].name


def sweep(folder: Path, used: Iterable[str]) -> None:
    """Remove every environment not named in `used`, and every build no kept link names (an
    interrupted one, or the one a rebuilt link no longer names)."""
    if not folder.is_dir():
        return
    keep, entries = set(used), list(folder.iterdir())
    linked = set()
    for entry in entries:
        if not entry.is_symlink():
            continue
        if entry.name in keep:
            linked.add(str(entry.readlink()))
        else:
            entry.unlink(missing_ok=True)
    for entry in entries:
        if not entry.is_symlink() and entry.name not in linked:
            shutil.rmtree(entry, ignore_errors=True)


def _check_names(lock: Mapping[str, str]) -> None:
    """Lock files are paths inside the repository, as the audit gate reads them."""
    for rel in lock:
        path = PurePosixPath(rel)
        if not rel or path.is_absolute() or ".." in path.parts:
            raise ConfigError(
                f"{rel}: a lock file must be a path inside the repository "
                "([tool.bottie.audit] requirements)"
            )
