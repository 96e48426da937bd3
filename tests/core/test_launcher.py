"""The prestarted bot (ci/core/launcher.py via runtime.prestart), on real processes: before
the go signal it runs none of the release's code and holds no port; without the signal it
ends; after it, the app runs as `python -m` would run it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ci.core import launcher, runtime
from tests.helpers import free_ports

# A release: its package writes a file when it is imported (the bot's own code ran), and its
# __main__ serves on a port; it imports a library (json) that may be warmed in advance.
PACKAGE = """\
import json
import pathlib

pathlib.Path("imported").write_text(json.dumps("yes"))
"""
MAIN = """\
import json
import pathlib
import socket
import sys

import app

server = socket.create_server(("127.0.0.1", int(sys.argv[1])))
pathlib.Path("served").write_text(json.dumps(sys.argv))
server.accept()
"""


@pytest.fixture
def release(tmp_path: Path) -> Path:
    folder = tmp_path / "release"
    (folder / "app").mkdir(parents=True)
    (folder / "app" / "__init__.py").write_text(PACKAGE)
    (folder / "app" / "__main__.py").write_text(MAIN)
    return folder


@pytest.fixture
def waiting(release: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    (port,) = free_ports(1)
    argv = [sys.executable, "-m", "app", str(port)]
    child = runtime.prestart(argv, cwd=release, env={}, log_path=release / "bot.log")
    yield child, port
    if child.poll() is None:
        runtime.stop_group(child.pid)
        child.wait()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_before_go_no_code_of_the_release_runs_and_no_port_is_held(
    release: Path, waiting: tuple[subprocess.Popen[bytes], int]
) -> None:
    child, port = waiting
    log = release / "bot.log"
    deadline = time.monotonic() + 30
    while launcher.READY not in log.read_text():  # warmed up, now waiting for go
        assert child.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the launcher never got ready"
        time.sleep(0.02)
    assert not (release / "imported").exists()
    assert not _listening(port)
    assert runtime.listening_groups(port) == set()


def test_after_go_the_app_runs_as_python_m_runs_it(
    release: Path, waiting: tuple[subprocess.Popen[bytes], int]
) -> None:
    child, port = waiting
    runtime.go(child)
    deadline = time.monotonic() + 30
    while not (release / "served").exists():
        assert child.poll() is None, (release / "bot.log").read_text()
        assert time.monotonic() < deadline, "the app never started"
        time.sleep(0.02)
    assert (release / "imported").read_text() == '"yes"'
    assert (release / "served").read_text().endswith(f'"{port}"]')
    assert runtime.listening_groups(port) == {child.pid}


def test_a_deploy_that_goes_away_before_go_leaves_nothing_running(
    release: Path, waiting: tuple[subprocess.Popen[bytes], int]
) -> None:
    child, _ = waiting
    assert child.stdin is not None
    child.stdin.close()  # what the kernel does when the deploy dies
    assert child.wait(timeout=30) == 1
    assert not (release / "imported").exists()
    assert "the deploy went away before the go signal" in (release / "bot.log").read_text()


def test_only_python_m_can_be_prestarted(release: Path) -> None:
    with pytest.raises(ValueError, match="python -m MODULE"):
        runtime.prestart(
            [sys.executable, "app/__main__.py"], cwd=release, env={}, log_path=release / "log"
        )


def test_what_is_imported_early_is_the_libraries_the_app_reads_never_its_own_modules(
    tmp_path: Path,
) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "__init__.py").write_text("import logging\n")
    (tmp_path / "bot" / "app.py").write_text(
        "from __future__ import annotations\nimport fastapi.responses\nfrom bot import settings\n"
        "from . import state\n\ndef make():\n    import inside_a_function\n"
    )
    (tmp_path / "bot" / "state.py").write_text("from .settings import x\nimport sqlite3\n")
    (tmp_path / "bot" / "settings.py").write_text("import pydantic_settings\nimport bot.app\n")
    (tmp_path / "helpers.py").write_text("import httpx\n")
    args = ["--factory", "bot.app:make", "--host", "::1", "--app-dir", "helpers:x"]
    found = launcher._libraries(tmp_path, "uvicorn", args)
    assert sorted(found) == [
        "__future__",
        "fastapi.responses",
        "httpx",
        "logging",
        "pydantic_settings",
        "sqlite3",
        "uvicorn",
    ]


def test_go_may_name_the_folder_the_app_runs_in(
    release: Path, waiting: tuple[subprocess.Popen[bytes], int], tmp_path: Path
) -> None:
    # A rollback starts its bot in an earlier release of the same commit and names the new
    # release's folder (the same files) with the go signal: the app runs there, not here.
    child, port = waiting
    other = tmp_path / "linked"
    shutil.copytree(release, other, copy_function=os.link)
    runtime.go(child, other)
    deadline = time.monotonic() + 30
    while not (other / "served").exists():
        assert child.poll() is None, (release / "bot.log").read_text()
        assert time.monotonic() < deadline, "the app never started"
        time.sleep(0.02)
    assert (other / "imported").read_text() == '"yes"'
    assert not (release / "imported").exists() and not (release / "served").exists()
    assert Path(f"/proc/{child.pid}/cwd").resolve() == other.resolve()
    assert runtime.listening_groups(port) == {child.pid}
