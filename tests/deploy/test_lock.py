"""The deploy lock in a real folder: one deploy per environment at a time; a lock left by a
process that is gone is recovered; a live holder is named, never overridden."""

from __future__ import annotations

import getpass
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ci.deploy import lock
from ci.deploy.lock import LockHeld, deploy_lock, read

SHA = "0123456789abcdef" * 2 + "01234567"


def dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid


def plant(path: Path, holder: object) -> None:
    path.mkdir(parents=True)
    (path / "holder.json").write_text(json.dumps(holder), encoding="utf-8")


def test_the_lock_records_its_holder_and_is_released(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "testnet"
    with deploy_lock(path, sha=SHA, message="deploy testnet") as info:
        assert read(path) == info
        assert info["holder"] == f"{getpass.getuser()}@{socket.gethostname()}"
        assert info["pid"] == os.getpid()
        assert (info["sha"], info["message"]) == (SHA, "deploy testnet")
        assert str(info["since"]).endswith("+00:00")
    assert not path.exists()


def test_the_lock_is_released_when_the_deploy_fails(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    with pytest.raises(RuntimeError), deploy_lock(path, sha=SHA, message="m"):
        raise RuntimeError("the deploy failed")
    assert not path.exists()


def test_a_live_holder_is_named_and_keeps_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    with deploy_lock(path, sha=SHA, message="first deploy") as first:
        with pytest.raises(LockHeld) as held, deploy_lock(path, sha="f" * 40, message="second"):
            pytest.fail("two deploys held the lock at once")
        assert str(held.value) == (
            f"another deploy holds the lock: {first['holder']} (pid {os.getpid()}) "
            f"since {first['since']}, deploying {SHA[:12]}: first deploy"
        )
        assert read(path) == first


def test_a_holder_of_another_user_counts_as_alive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lock"
    plant(path, {"holder": "ci@runner", "pid": 4242, "sha": SHA, "message": "m"})

    def not_permitted(pid: int, signal: int) -> None:
        raise PermissionError(pid)

    monkeypatch.setattr(os, "kill", not_permitted)
    with pytest.raises(LockHeld, match=r"ci@runner \(pid 4242\)"):
        deploy_lock(path, sha=SHA, message="m").__enter__()


@pytest.mark.parametrize(
    "holder",
    [
        pytest.param({"holder": "x@y", "pid": "dead"}, id="gone"),
        pytest.param({"holder": "x@y", "pid": 0}, id="pid-0"),
        pytest.param({"holder": "x@y", "pid": -1}, id="negative-pid"),
        pytest.param({"holder": "x@y", "pid": "123"}, id="pid-not-a-number"),
        pytest.param(["not", "a", "holder"], id="not-an-object"),
    ],
)
def test_a_stale_lock_is_recovered(tmp_path: Path, holder: object) -> None:
    path = tmp_path / "lock"
    if isinstance(holder, dict) and holder["pid"] == "dead":
        holder["pid"] = dead_pid()
    plant(path, holder)
    with deploy_lock(path, sha=SHA, message="after a crash") as info:
        assert read(path) == info
    assert list(tmp_path.iterdir()) == []  # the stale lock is gone too


def test_an_unreadable_holder_file_is_a_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    path.mkdir()
    (path / "holder.json").write_text("{not json", encoding="utf-8")
    assert read(path) is None
    with deploy_lock(path, sha=SHA, message="m") as info:
        assert read(path) == info


def test_reading_a_lock_that_is_not_there(tmp_path: Path) -> None:
    assert read(tmp_path / "lock") is None


def test_a_live_holder_in_another_process_is_only_asked_not_signalled(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        plant(path, {"holder": "ci@runner", "pid": holder.pid, "sha": SHA, "message": "m"})
        with pytest.raises(LockHeld, match=rf"\(pid {holder.pid}\)"):
            deploy_lock(path, sha=SHA, message="m").__enter__()
        assert holder.poll() is None  # still running: signal 0 only checks
    finally:
        holder.kill()
        holder.wait()


def test_pid_1_is_alive(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    plant(path, {"holder": "init@box", "pid": 1, "sha": SHA, "message": "m"})
    with pytest.raises(LockHeld, match=r"\(pid 1\)"):
        deploy_lock(path, sha=SHA, message="m").__enter__()


def test_the_holder_is_read_once_it_has_written_its_info(tmp_path: Path) -> None:
    """The holder creates the folder, then writes holder.json: a reader in between waits."""
    path = tmp_path / "lock"
    path.mkdir()
    info = {"holder": "x@y", "pid": 1, "sha": SHA, "message": "m"}
    writer = threading.Timer(0.2, lambda: (path / "holder.json").write_text(json.dumps(info)))
    writer.start()
    try:
        assert read(path) == info
    finally:
        writer.join()


def test_a_lock_that_keeps_coming_back_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lock"
    plant(path, {"holder": "x@y", "pid": dead_pid(), "sha": SHA, "message": "m"})
    monkeypatch.setattr(lock, "_recover", lambda path: None)  # another deploy re-took it
    with pytest.raises(LockHeld) as refused:
        deploy_lock(path, sha=SHA, message="m").__enter__()
    assert str(refused.value) == f"{path}: could not take the deploy lock"
