"""Helpers shared by the tests: real git repositories in temporary folders, and the CLI run
as a real process (`run_ci`) or inside the test's own process (`invoke_ci`). Fixtures live in
conftest.py; everything else a test imports is here."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ci.core import git
from ci.gates.interface import GateContext

if TYPE_CHECKING:  # imported where used: a child pytest that needs none of it skips pydantic
    from ci.core.config import Config

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# git in tests must not depend on the machine's global config.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def isolate(patch: pytest.MonkeyPatch, home: Path) -> None:
    """Keep a test (conftest.py does it for each) or a shared fixture from the developer's
    machine: its own HOME, git identity and tool caches, none of the developer's settings."""
    patch.setenv("HOME", str(home))
    patch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    # Every `git commit` otherwise starts `git maintenance run --auto` after itself, which
    # finds nothing to do in a test's small repository: half of a commit's CPU (3 ms).
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text("[maintenance]\n\tauto = false\n", encoding="utf-8")
    for name, folder in (("XDG_CACHE_HOME", ".cache"), ("XDG_CONFIG_HOME", ".config")):
        patch.setenv(name, str(home / folder))  # tools' caches: never the developer's
    # A pytest a test starts (the tests gate's) keeps its temporary folders here, not in the
    # machine's pytest-of-<user>: on exit pytest deletes every stale run folder it finds there,
    # and another run's folder holds tens of thousands of files (measured: an inner run that
    # took 5 s took 15 to 77 s while deleting one of 42,000 files).
    patch.setenv("PYTEST_DEBUG_TEMPROOT", str(home))
    for key, value in GIT_ENV.items():
        patch.setenv(key, value)
    patch.delenv("GITHUB_ACTIONS", raising=False)
    patch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    for name in (
        "BOTTIE_OSV_DB",
        "BOTTIE_OSV_URL",
        "BOTTIE_DEPLOY_ROOT",
        "BOTTIE_SECRETS_BASE",
        "CHECKLIST_HMAC_KEY",
        "BOTTIE_BOT_PYTHON",
    ):
        patch.delenv(name, raising=False)  # the developer's settings must not leak in


@dataclass
class Repo:
    """A real git repository in a temporary folder."""

    path: Path

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.path, check=True, capture_output=True, text=True
        )
        return done.stdout

    def write(self, rel: str, text: str) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def commit_each(self, changes: Sequence[tuple[str, Mapping[str, str | None]]]) -> list[str]:
        """One commit on the current branch per (message, {path: its text, or None to delete
        it}), in order, and their shas: for a long history, which `commit` makes with three
        git processes a commit. Written by one `git fast-import`; the work tree and index are
        then reset to the last commit, as if each had been written and committed."""
        branch = self.git("symbolic-ref", "HEAD").strip()
        head = subprocess.run(
            ["git", "rev-parse", "-q", "--verify", "HEAD"],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        who = {
            role: f"{os.environ[f'GIT_{role.upper()}_NAME']} "
            f"<{os.environ[f'GIT_{role.upper()}_EMAIL']}> now"
            for role in ("author", "committer")
        }
        stream = io.BytesIO()
        for number, (message, files) in enumerate(changes):
            text = message.encode()
            stream.write(
                f"commit {branch}\nauthor {who['author']}\ncommitter {who['committer']}\n".encode()
            )
            stream.write(b"data %d\n%s\n" % (len(text), text))
            if number == 0 and head:
                stream.write(f"from {head}\n".encode())
            for rel, content in files.items():
                if content is None:
                    stream.write(f"D {rel}\n".encode())
                else:
                    data = content.encode()
                    stream.write(
                        b"M 100644 inline %s\ndata %d\n%s\n" % (rel.encode(), len(data), data)
                    )
        subprocess.run(
            ["git", "fast-import", "--quiet", "--date-format=now"],
            cwd=self.path,
            input=stream.getvalue(),
            check=True,
            capture_output=True,
        )
        self.git("reset", "-q", "--hard")
        return self.git("rev-list", "--reverse", f"--max-count={len(changes)}", "HEAD").split()

    @property
    def results(self) -> Path:
        """Where `python -m ci run` saves results by default: inside the git dir."""
        return git.results_dir(self.path, "")

    def context(self, config: Config | None = None) -> GateContext:
        from ci.core.config import Config

        return GateContext(
            root=self.path,
            settings=(config or Config()).model_dump(mode="json"),
            results_dir=self.path / ".ci-results",
        )


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_ci(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> CliResult:
    """`python -m ci ARGS` as a real process, with this checkout importable."""
    full_env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "ci", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


def invoke_ci(*args: str, cwd: Path, env: dict[str, str] | None = None) -> CliResult:
    """`python -m ci ARGS` called in this process (`ci.cli.main`, the function the entry point
    calls), from `cwd` with `env` added, its output captured; cwd and environment are put back.

    For tests of what a command decides, which is most of them: a real process costs a Python
    start-up and the CLI's imports each, and the tests gate's coverage measures only the tests'
    own processes. Tests of the
    entry point itself (exit codes as a shell sees them, no traceback, signals, a process that
    must outlive or be killed) use `run_ci`; tests/test_in_process.py holds the two to the
    same answers."""
    from ci.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        patch.chdir(cwd)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(list(args))
    return CliResult(int(code), stdout.getvalue(), stderr.getvalue())


def heavy_imports_of_two_runs(cwd: Path, argv: list[str], heavy: set[str]) -> list[list[str]]:
    """Run `python -m ci ARGV` twice in fresh processes from `cwd`; for each run, its exit line
    and which of the `heavy` modules it imported (the lint path's start-up cost)."""
    return [heavy_imports_of_a_run(cwd, argv, heavy) for _ in range(2)]


def heavy_imports_of_a_run(cwd: Path, argv: list[str], heavy: set[str]) -> list[str]:
    """One run of `heavy_imports_of_two_runs`: its exit line and the `heavy` modules imported."""
    probe = (
        "import runpy, sys\n"
        f"sys.argv = {['ci', *argv]!r}\n"
        "try:\n"
        "    runpy.run_module('ci', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    print('exit', exit.code)\n"
        f"print(sorted(name for name in {sorted(heavy)!r} if name in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=cwd, env=env, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-2:]


def _example_bot_block() -> str:
    text = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    start = text.index("# -- the example bot: begin")
    end = text.index("# -- the example bot: end")
    return text[start:end]


# How the example bot is started and what it is (its [tool.bottie.app] and profile), as this
# repository's pyproject.toml says: repositories that tests build with a copy of bot/ add it.
EXAMPLE_BOT_TOML = _example_bot_block()


def example_config(extra_toml: str = "") -> Config:
    """A Config describing the example bot, plus whatever `extra_toml` adds."""
    import tomllib

    from ci.core import config

    return config.parse(tomllib.loads(EXAMPLE_BOT_TOML + extra_toml)["tool"]["bottie"])


def free_ports(count: int) -> list[int]:
    """`count` distinct loopback ports that were all free at once. For a process that only
    takes its port from configuration (the deployed bot); anything that can bind port 0
    itself should."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


@contextlib.contextmanager
def shared_by_workers(factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """A folder of this test run that all its pytest-xdist workers share, held under an
    exclusive lock while the caller is inside: the first worker builds what goes in it, the
    others wait and find it built. (A session fixture alone is built once per worker.)

    The rule relied on (pytest-xdist): a worker's base temporary folder is
    `<the run's base>/popen-gw<N>`, so its parent belongs to this run and to no other."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / name
    with (base / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # let go when the file is closed
        folder.mkdir(exist_ok=True)
        yield folder


def made_once(
    factory: pytest.TempPathFactory, name: str, make: Callable[[Path], dict[str, Any]]
) -> dict[str, Any]:
    """What `make` answers (JSON values), asked once per test run: the first worker to ask
    calls `make(folder)`, to build in a folder all the run's workers share (`shared_by_workers`),
    and keeps its answer there; the others read it. For a module fixture that runs something
    dear (a gitleaks scan) on what no test changes: each worker would run it again."""
    with shared_by_workers(factory, name) as base:
        record = base / "made.json"
        if not record.exists():
            folder = base / "made"
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed half-way left
            folder.mkdir()
            record.write_text(json.dumps(make(folder)), encoding="utf-8")
        answer: dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
        return answer


def wheel(folder: Path, name: str = "botdep", version: str = "1.0") -> Path:
    """A minimal pure-Python wheel: one module, its metadata and RECORD."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}.py": "WHERE = 'the bot environment'\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for rel, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{rel},sha256={digest.decode()},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    with zipfile.ZipFile(path, "w") as archive:
        for rel, text in files.items():
            archive.writestr(rel, text)
    return path
