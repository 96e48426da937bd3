"""A deployed release runs under an environment built from its own lock, under the deploy
root, that outlives the checkout and the job that deployed it (ci/deploy/venvs.py).

Real `venv` and the pipeline's pip install a lock of one wheel built here, from a local folder
or a loopback server (`--no-index --find-links` in the lock itself: offline); the stand-in
bot reports the interpreter it runs under (`python` in its health answer)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from ci.core import runtime
from ci.core.errors import ExitCode
from ci.deploy import venvs
from tests.deploy.conftest import BotRepo, health
from tests.deploy.test_early import counting_starts
from tests.helpers import wheel


def locked(
    bot: BotRepo,
    version: str = "1.0",
    *,
    python: str = ".venv/bin/python",
    find_links: str = "",
    digest: str = "",
) -> dict[str, str]:
    """The stand-in's config with `[tool.bottie] python`, and a lock of one wheel; the lock,
    as the deploy reads it."""
    folder = bot.repo.path.parent / "wheels"
    built = folder / f"botdep-{version}-py3-none-any.whl"  # one wheel a version: one lock
    built = built if built.is_file() else wheel(folder, version=version)
    digest = digest or hashlib.sha256(built.read_bytes()).hexdigest()
    text = (
        f"--no-index\n--find-links {find_links or built.parent}\n"
        f"botdep=={version} --hash=sha256:{digest}\n"
    )
    bot.repo.write("requirements.txt", text)
    head = f'[tool.bottie]\npython = "{python}"\n\n' if python else ""
    bot.repo.write("pyproject.toml", head + bot.pyproject())
    return {"requirements.txt": text}


def env_of(bot: BotRepo, lock: dict[str, str]) -> Path:
    return bot.base / "venvs" / venvs.key(lock)


def builds(bot: BotRepo) -> set[str]:
    """The environments' own folders (complete or not), not their links."""
    folder = bot.base / "venvs"
    return {p.name for p in folder.iterdir() if not p.is_symlink()} if folder.is_dir() else set()


def recorded(bot: BotRepo, release: str) -> str:
    meta = bot.base / "releases" / release / ".release.json"
    return str(json.loads(meta.read_text())["python"])


def botdep_in(python: Path) -> tuple[str, str]:
    """The version and file of the lock's package as `python` imports it."""
    probe = "import importlib.metadata as m, botdep; print(m.version('botdep'), botdep.__file__)"
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    version, file = done.stdout.split()
    return version, file


@pytest.mark.parametrize("python", [".venv/bin/python", ""], ids=["relative", "unset"])
def test_a_release_runs_under_its_locks_environment_and_the_next_one_shares_it(
    standin: BotRepo, python: str
) -> None:
    """No `.venv` in the checkout (a runner's is fresh): the deploy builds the environment
    under the deploy root, and a second release of the same lock builds nothing."""
    bot = standin
    lock = locked(bot, python=python)
    first = bot.commit_green("first")
    deployed = bot.deploy()
    assert deployed.code == ExitCode.OK, deployed.stderr
    env = env_of(bot, lock)
    assert f"note: built the environment of {first[:12]} from requirements.txt:" in deployed.stderr
    assert health(bot)["python"] == str(env / "bin" / "python")
    assert recorded(bot, bot.live()) == str(env / "bin" / "python")
    assert not (bot.repo.path / ".venv").exists()
    # The lock's own package is in it, from the environment's folder under the deploy root.
    assert botdep_in(env / "bin" / "python")[1].startswith(f"{env}/")
    (build,) = builds(bot)

    bot.repo.write("CHANGELOG", "a second release, same lock\n")
    bot.commit_green("second")
    again = bot.deploy()
    assert again.code == ExitCode.OK, again.stderr
    assert "built the environment" not in again.stderr
    assert health(bot)["python"] == str(env / "bin" / "python")
    assert builds(bot) == {build}  # reused, not built again


def test_a_changed_lock_gets_its_own_environment_and_a_rollback_returns_to_the_old_one(
    standin: BotRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = standin
    old = locked(bot, "1.0")
    first = bot.commit_green("first")
    assert bot.deploy().code == ExitCode.OK
    first_release = bot.live()
    new = locked(bot, "2.0")
    bot.commit_green("a new lock")
    assert bot.deploy().code == ExitCode.OK
    old_env, new_env = env_of(bot, old), env_of(bot, new)
    assert health(bot)["python"] == str(new_env / "bin" / "python")
    assert botdep_in(new_env / "bin" / "python")[0] == "2.0"
    # The old release keeps its own, untouched.
    assert recorded(bot, first_release) == str(old_env / "bin" / "python")
    assert botdep_in(old_env / "bin" / "python")[0] == "1.0"

    starts = counting_starts(monkeypatch)
    back = bot.ci("rollback", "testnet")
    assert back.code == ExitCode.OK, back.stderr
    assert len(starts) == 1  # the bot started early, before the deployer, was the right one
    assert health(bot)["version"] == first
    assert health(bot)["python"] == str(old_env / "bin" / "python")
    assert "built the environment" not in back.stderr
    assert recorded(bot, bot.live()) == str(old_env / "bin" / "python")


def test_a_lock_that_does_not_install_refuses_in_one_line_and_the_live_bot_keeps_running(
    standin: BotRepo,
) -> None:
    bot = standin
    good = locked(bot)
    bot.commit_green("first")
    assert bot.deploy().code == ExitCode.OK
    live, pid, tags = bot.live(), bot.base.joinpath("shared/bot.pid").read_text(), bot.tags()
    locked(bot, digest="0" * 64)  # its hash does not match the wheel
    broken = bot.commit_green("a lock that does not install")
    refused = bot.deploy()
    assert refused.code == ExitCode.FAILED
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith(
        f"error: the environment of {broken[:12]} could not be built from its lock "
        "requirements.txt ([tool.bottie.audit] requirements): the bot's lock did not install"
    ), line
    assert line.endswith("; nothing live was touched")
    assert bot.live() == live and bot.tags() == tags
    assert bot.base.joinpath("shared/bot.pid").read_text() == pid
    assert runtime.alive(int(pid)) and health(bot)["python"] == str(
        env_of(bot, good) / "bin" / "python"
    )
    assert len(builds(bot)) == 1  # the failed build left nothing
    outcome = json.loads((bot.base / "deploy-log.jsonl").read_text().splitlines()[-1])
    assert outcome["outcome"] == "refused" and outcome["sha"] == broken


def test_a_relative_interpreter_without_its_lock_in_the_commit_is_refused(
    standin: BotRepo,
) -> None:
    bot = standin
    locked(bot)
    (bot.repo.path / "requirements.txt").unlink()
    sha = bot.commit_green("no lock")
    refused = bot.deploy()
    assert refused.code == ExitCode.FAILED
    assert refused.stderr.strip() == (
        f"error: the environment of {sha[:12]} could not be built from its lock "
        "requirements.txt ([tool.bottie.audit] requirements): requirements.txt is not in "
        "that commit; nothing live was touched"
    )
    assert not (bot.base / "current").exists()


def test_an_absolute_interpreter_is_used_as_it_stands(standin: BotRepo) -> None:
    """An environment the operator keeps on the host: nothing is built."""
    bot = standin
    locked(bot, python=sys.executable)
    bot.commit_green("first")
    assert bot.deploy().code == ExitCode.OK
    assert health(bot)["python"] == sys.executable
    assert recorded(bot, bot.live()) == ""
    assert not (bot.base / "venvs").exists()


class _Index(BaseHTTPRequestHandler):
    """A find-links page and its wheel on loopback; while `stalling`, every request waits
    for `released`, then gets a 404."""

    wheel: ClassVar[Path]
    url: ClassVar[str]
    stalling: ClassVar[bool] = True
    asked: ClassVar[threading.Event]
    released: ClassVar[threading.Event]

    def do_GET(self) -> None:
        if type(self).stalling:
            self.asked.set()
            self.released.wait(60)
            self.send_error(404)
            return
        name = self.wheel.name
        if self.path.endswith(name):
            body, kind = self.wheel.read_bytes(), "application/octet-stream"
        else:
            body, kind = f'<a href="/{name}">{name}</a>'.encode(), "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def index(folder: Path) -> Iterator[type[_Index]]:
    handler = type("Index", (_Index,), {})
    handler.wheel = wheel(folder)
    handler.asked, handler.released = threading.Event(), threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield handler
    finally:
        handler.released.set()
        server.shutdown()
        server.server_close()


def processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_an_interrupted_build_is_never_used(standin: BotRepo) -> None:
    """The deploy is killed while pip waits for the lock's wheel: its half-built environment
    is never linked, the next deploy builds a complete one, and the half one goes."""
    bot = standin
    with index(bot.repo.path.parent / "served") as served:
        lock = locked(bot, find_links=served.url)
        bot.commit_green("first")
        deploying = bot.deploy_in_background()
        try:
            assert served.asked.wait(120), "pip never asked for the lock's wheel"
            (interrupted,) = builds(bot)
            os.killpg(deploying.pid, signal.SIGKILL)
            deploying.wait(30)
        finally:
            if deploying.poll() is None:
                os.killpg(deploying.pid, signal.SIGKILL)
        served.released.set()  # the orphaned pip gets a 404 and gives up
        deadline = time.monotonic() + 60
        while processes_naming(interrupted) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not processes_naming(interrupted)
        assert not (bot.base / "venvs" / venvs.key(lock)).exists()  # never linked
        assert not (bot.base / "current").exists()

        served.stalling = False
        deployed = bot.deploy()
    assert deployed.code == ExitCode.OK, deployed.stderr
    assert "note: built the environment" in deployed.stderr
    env = env_of(bot, lock)
    assert health(bot)["python"] == str(env / "bin" / "python")
    assert interrupted not in builds(bot) and len(builds(bot)) == 1


def test_prune_removes_the_environments_no_kept_release_runs_under(standin: BotRepo) -> None:
    """keep_releases is 3 here: of four releases on three locks the first leaves, and its
    lock's environment with it; the environment two kept releases share stays."""
    bot = standin
    locks = []
    for n, version in enumerate(("1.0", "2.0", "2.0", "3.0")):
        lock = locked(bot, version)
        bot.repo.write("CHANGELOG", f"release {n}\n")
        bot.commit_green(f"release {n}")
        deployed = bot.deploy()
        assert deployed.code == ExitCode.OK, deployed.stderr
        locks.append(lock)
    kept = {venvs.key(locks[1]), venvs.key(locks[3])}
    links = {p.name for p in (bot.base / "venvs").iterdir() if p.is_symlink()}
    assert links == kept
    assert {name.rsplit(".", 1)[0] for name in builds(bot)} == kept
    assert len(builds(bot)) == 2
    releases = sorted(p.name for p in (bot.base / "releases").iterdir())
    assert len(releases) == 3
    assert {venvs.name_of(bot.base / "venvs", recorded(bot, r)) for r in releases} == kept


def test_the_installer_gets_only_what_pip_needs_never_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package's build runs its own code: the installer gets pip's settings, proxies and
    the basics, never the deploy's secrets, tokens, or a secret whose name does not look like
    one. (`venvs.ensure` is replaced to see what pip would be given; the builds themselves are
    real in the tests above.)"""
    from ci.deploy.targets.local import LocalTarget, Spec

    for name, value in {
        "BINANCE_API_SECRET": "bs-live",
        "GITHUB_TOKEN": "ghs-live",
        "DATABASE_URL": "postgres" + "://bot:" + "pw-live@db/bot",  # split: no literal to scan
        "PIP_INDEX_URL": "https://mirror.example/simple",
        "HTTPS_PROXY": "http://proxy.example:3128",
        "PATH": os.environ["PATH"],
    }.items():
        monkeypatch.setenv(name, value)
    given: dict[str, str] = {}

    def ensure(folder: Path, lock: object, env: dict[str, str]) -> tuple[str, bool]:
        given.update(env)
        return sys.executable, False

    monkeypatch.setattr(venvs, "ensure", ensure)
    spec = Spec("testnet", str(tmp_path / "testnet"), 0, [], "/health", 1.0)
    LocalTarget(spec).environment({"requirements.txt": ""})
    assert given["PIP_INDEX_URL"] == "https://mirror.example/simple"
    assert given["HTTPS_PROXY"] == "http://proxy.example:3128"
    assert given["PATH"] == os.environ["PATH"]
    assert not {"BINANCE_API_SECRET", "GITHUB_TOKEN", "DATABASE_URL"} & set(given)
    assert not any("live" in value for value in given.values())
