"""The deploy lock (flock(2) on a file held for the holder's life): one holder at a time, the
holder named in a refusal, nothing left behind by a holder that died."""

from __future__ import annotations

import getpass
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ci.deploy.lock import LockHeld, deploy_lock

SHA = "0123456789abcdef" * 2 + "01234567"


def test_the_lock_records_its_holder_and_is_released(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "deploy.lock"
    with deploy_lock(path, sha=SHA, message="deploy testnet") as held:
        info = held.record
        assert json.loads(path.read_text()) == info
        assert info["holder"] == f"{getpass.getuser()}@{socket.gethostname()}"
        assert info["pid"] == os.getpid()
        assert (info["sha"], info["message"]) == (SHA, "deploy testnet")
    assert path.read_text() == ""  # the record goes with the lock
    with deploy_lock(path, sha=SHA, message="again"):
        pass


def test_a_second_holder_is_refused_naming_the_first(tmp_path: Path) -> None:
    path = tmp_path / "deploy.lock"
    with (
        deploy_lock(path, sha=SHA, message="deploy testnet by alice") as first,
        pytest.raises(LockHeld) as refused,
        deploy_lock(path, sha="f" * 40, message="deploy testnet by bob"),
    ):
        pass
    holder = f"{getpass.getuser()}@{socket.gethostname()} (pid {os.getpid()})"
    assert str(refused.value) == (
        f"another deploy holds the lock: {holder} since {first.record['since']}, "
        f"deploying {SHA[:12]}: deploy testnet by alice"
    )


def test_a_holder_that_was_killed_leaves_no_lock(tmp_path: Path) -> None:
    path = tmp_path / "deploy.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; sys.path.insert(0, sys.argv[1]);"
            "from pathlib import Path; from ci.deploy.lock import deploy_lock\n"
            "with deploy_lock(Path(sys.argv[2]), sha='x', message='m'):\n"
            "    print('held', flush=True); time.sleep(60)",
            str(Path(__file__).resolve().parents[2]),
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(LockHeld, match=rf"\(pid {holder.pid}\)"),
            deploy_lock(path, sha=SHA, message="refused while alive"),
        ):
            pass
        assert holder.poll() is None  # asking whether the holder lives does it no harm
    finally:
        holder.kill()
        holder.wait()
    with deploy_lock(path, sha=SHA, message="after the holder died"):
        pass


@pytest.mark.parametrize("record", ["", "{not json", "[1]", '"alice"'])
def test_a_holder_whose_record_is_not_written_yet_or_unreadable_is_still_a_holder(
    tmp_path: Path, record: str
) -> None:
    """The record is only informational: whatever the file holds, the flock decides, and the
    refusal is one line (never a traceback)."""
    import fcntl

    path = tmp_path / "deploy.lock"
    path.write_text(record)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with (
            pytest.raises(LockHeld) as refused,
            deploy_lock(path, sha=SHA, message="m"),
        ):
            pass
    finally:
        os.close(fd)
    assert str(refused.value) == "another deploy holds the lock (it has not said who yet)"
    assert path.read_text() == record  # a refused deploy leaves the holder's record alone


def test_a_child_that_inherited_the_lock_holds_it_after_its_holder_was_killed(
    tmp_path: Path,
) -> None:
    """What the deployer hands its pre_deploy hook: a deploy killed mid-hook lets no second
    deploy in until the hook ends, and the refusal names the process still holding the lock."""
    path = tmp_path / "deploy.lock"
    child_pid = tmp_path / "child.pid"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time; sys.path.insert(0, sys.argv[1]);"
            "from pathlib import Path; from ci.deploy.lock import deploy_lock\n"
            "with deploy_lock(Path(sys.argv[2]), sha='x', message='m') as held:\n"
            "    children = [subprocess.Popen(['sleep', '60'], pass_fds=(held.fd,),"
            " start_new_session=True) for _ in range(2)]\n"
            "    Path(sys.argv[3]).write_text(' '.join(str(c.pid) for c in children))\n"
            "    print('held', flush=True); time.sleep(60)",
            str(Path(__file__).resolve().parents[2]),
            str(path),
            str(child_pid),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    children: list[int] = []
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        children = sorted(int(pid) for pid in child_pid.read_text().split())
        holder.kill()
        holder.wait()
        with pytest.raises(LockHeld) as refused, deploy_lock(path, sha=SHA, message="beside"):
            pass
        said = str(refused.value)
        assert f"(pid {holder.pid}) since " in said
        assert said.endswith(
            f"; that process has exited, and the lock stays held until what it started under "
            f"the lock ends (its pre_deploy hook, say): pid {children[0]}, {children[1]}"
        )
    finally:
        if holder.poll() is None:
            holder.kill()
        for child in children:
            os.kill(child, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while True:  # the children's descriptors close once they have exited
        try:
            with deploy_lock(path, sha=SHA, message="after the child ended"):
                break
        except LockHeld:
            assert time.monotonic() < deadline, "the lock outlived the children that held it"
            time.sleep(0.02)


def test_a_dead_holder_whose_lock_no_visible_process_holds_is_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process of another user holds it, or what held it ended a moment ago. Root sees
    every process, so the scan of /proc is made to find none here."""
    import fcntl

    from ci.deploy import lock

    path = tmp_path / "deploy.lock"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    record = {"holder": "alice@host", "pid": int(dead.stdout), "since": "then", "sha": SHA,
              "message": "deploy testnet by alice"}  # fmt: skip
    path.write_text(json.dumps(record))
    fd = os.open(path, os.O_RDWR)
    monkeypatch.setattr(lock, "_holding", lambda path: [])
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(LockHeld) as refused, deploy_lock(path, sha=SHA, message="m"):
            pass
    finally:
        os.close(fd)
    assert str(refused.value).endswith(
        "(its pre_deploy hook, say), and no process this user may inspect has it open"
    )
