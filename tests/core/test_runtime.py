"""Who listens on a port, read from /proc for real: the proof that the bot answering health is
the one the target started."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from ci.core import runtime
from tests.helpers import free_ports

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

# Listens on argv[1] for a minute.
LISTEN = (
    "import socket, sys, time\n"
    "s = socket.create_server(('127.0.0.1', int(sys.argv[1])))\n"
    "print('listening', flush=True)\n"
    "time.sleep(60)\n"
)
# The group's leader starts the listener as its child: the leader holds no socket itself.
VIA_CHILD = (
    f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {LISTEN!r}, sys.argv[1]])\n"
)


@contextmanager
def group(code: str, port: int) -> Iterator[subprocess.Popen[str]]:
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(port)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "listening\n"
        yield child
    finally:
        runtime.stop_group(child.pid)
        child.wait()


@pytest.mark.parametrize("code", [LISTEN, VIA_CHILD], ids=["the leader", "a child"])
def test_a_group_whose_process_listens_is_found(code: str) -> None:
    (port,) = free_ports(1)
    with group(code, port) as child:
        assert runtime.group_listens(child.pid, port) is True
        assert runtime.listening_groups(port) == {child.pid}


def test_a_port_held_by_another_process_is_not_the_group_s() -> None:
    theirs, ours = free_ports(2)
    with group(LISTEN, ours) as child, socket.create_server(("127.0.0.1", theirs)):
        assert runtime.group_listens(child.pid, theirs) is False
        assert runtime.group_listens(child.pid, free_ports(1)[0]) is False  # nobody listens


def test_a_group_that_is_gone_listens_nowhere() -> None:
    (port,) = free_ports(1)
    with group(LISTEN, port) as child:
        pass
    deadline = time.monotonic() + 30
    while runtime.listening_groups(port):  # the kernel closes the socket as the process ends
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert runtime.group_listens(child.pid, port) is False


def test_waiting_for_a_process_ends_when_it_exits_whoever_started_it() -> None:
    # Not our child: a shell starts it in the background and exits, so the bot a deploy stops
    # is met as a deploy meets it (started by an earlier command).
    shell = subprocess.run(
        ["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(shell.stdout)
    try:
        assert runtime.wait_gone(pid, 0.2) is False  # still running when the time is up
        os.kill(pid, signal.SIGTERM)
        assert runtime.wait_gone(pid, 30) is True
        assert not runtime.alive(pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    # Our own child: it is reaped by the wait.
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    assert runtime.wait_gone(child.pid, 30) is True
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)


def test_a_process_this_user_may_not_signal_is_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another user's process answers signal 0 with EPERM: it lives (the deploy lock's
    refusal asks this of its holder). Root may signal any process, so os.kill is made to
    answer as it does to other users."""

    def refused(pid: int, sig: int) -> None:
        assert sig == 0
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(runtime.os, "kill", refused)
    assert runtime.alive(1)
